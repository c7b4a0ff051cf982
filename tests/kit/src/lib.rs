//! The one test kit of Rampart, shared by the module tests (`modules/*/tests`), the app tests
//! (`app/tests`), the benchmarks and the fuzz target (the end-to-end tests in `tests/` drive real
//! processes and build their transactions through `rampart-client`):
//!
//! - [`party`]: who takes part — test addresses `[n; 20]`, keys, validators — and their bech32
//!   forms, so one message builder serves every harness;
//! - [`tx`]: real secp256k1 and ed25519 keys and a builder that encodes and signs `TxRaw` with
//!   SIGN_MODE_DIRECT exactly as CosmJS does, plus the genesis of funded test chains;
//! - [`msgs`]: message builders for bank, staking, distribution and slashing, type URLs taken
//!   from the module crates;
//! - [`restaking`]: consumer and restaking message builders, and consumer double votes signed
//!   over a consumer chain id;
//! - [`chain`]: [`chain::Chain`], a funded chain of the real app driven in process by
//!   [`MockConsensus`] (invariants checked after every block);
//! - [`module_chain`]: [`module_chain::ModuleChain`], the modules themselves over an in-memory
//!   overlay, block by block, with staking's tokens held by the production bank seam
//!   ([`rampart_app::staking_bank::BankPools`]);
//! - [`events`]: reading ABCI events and results;
//! - [`light_block`]: headers of a [`MockConsensus`]-driven chain with real signed commits, for
//!   the light clients of the other chain.

pub mod chain;
pub mod events;
pub mod light_block;
pub mod module_chain;
pub mod msgs;
pub mod party;
pub mod restaking;
pub mod tx;

pub use chain::Chain;
pub use events::attributes;
pub use module_chain::ModuleChain;
pub use msgs::msg_send;
pub use party::{acc, addr, valoper, Party};
pub use rampart_app::testing::{
    add_genesis_validators, consensus_address, init_chain_request, with_default_validator,
    MockConsensus, TestValidator, GENESIS_UNIX,
};
pub use tx::{
    coin, genesis, genesis_without_inflation, slashing_section, staking_section, Key, Signer,
    TxBuilder, CHAIN_ID, DENOM, FUNDS, OTHER,
};
