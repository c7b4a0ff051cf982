//! The consumer side of Rampart's cross-chain validation (`rampart.ccv.v1`), first building
//! block: a light client of the provider chain and proofs of the provider's state.
//!
//! - [`client`]: the client record, trusted consensus states by height, and their expiry queue
//!   (pruned in begin block, touching only what is due);
//! - [`verify`]: `MsgUpdateProviderClient`, verified with `tendermint-light-client-verifier`
//!   (`ProdVerifier`, trust threshold 1/3, the consumer's block time as "now"); conflicting valid
//!   headers freeze the client;
//! - [`proof`]: ICS-23 membership proofs of provider state against a verified header's app hash;
//! - [`vsc`]: `MsgRecvVscPacket` (proven, strict vsc id order) and the end block that applies
//!   the provider's validator updates — the module owns the consumer's validator set;
//! - [`liveness`]: each validator's signatures over `signed_blocks_window` from the last commit
//!   (rampart-core's chunked bitmap, a write only when a bit flips), and provable downtime records
//!   (`ccv/downtime/` ‖ seq) for validators below `min_signed_per_window`, at most one
//!   outstanding per validator until a VSC packet's `slash_acks` names it;
//! - [`proven`], [`header`] (domain part): the cross-chain keys both chains prove, and the
//!   stateless header and validator-set checks the provider shares;
//! - [`genesis`]: the trust anchor (`app_state.ccv`), written from the provider's launch header;
//! - [`queries`]: `rampart.ccv.v1.Query` (provider client, consensus states, applied vsc, the
//!   validator set with provider operators, params, downtime records, signing infos);
//! - `testing` (the `testing` feature, for tests and benchmarks): validator sets and headers
//!   with real signed commits.
//!
//! Everything is a function over [`StateRead`]/[`StateWrite`]; [`CcvModule`] routes to them.
//!
//! Domain/component split: without the default `component` feature only the domain part
//! builds (errors, [`urls`]); the state machine needs `component`.

pub mod errors;
pub mod header;
pub mod proven;
pub mod urls;

// The state machine.
#[cfg(feature = "component")]
pub mod client;
#[cfg(feature = "component")]
pub mod genesis;
#[cfg(feature = "component")]
pub mod keys;
#[cfg(feature = "component")]
pub mod liveness;
#[cfg(feature = "component")]
mod module;
#[cfg(feature = "component")]
pub mod proof;
#[cfg(feature = "component")]
pub mod queries;
#[cfg(feature = "component")]
pub mod verify;
#[cfg(feature = "component")]
pub mod vsc;

// Signed headers for tests and benchmarks.
#[cfg(feature = "testing")]
pub mod testing;

pub use crate::urls::{
    MSG_RECV_VSC_PACKET, MSG_RECV_VSC_PACKET_RESPONSE, MSG_UPDATE_PROVIDER_CLIENT,
    MSG_UPDATE_PROVIDER_CLIENT_RESPONSE,
};
#[cfg(feature = "component")]
pub use client::{ConsensusState, ProviderClient};
pub use errors::{CcvCode, CODESPACE};
#[cfg(feature = "component")]
pub use genesis::CcvGenesis;
#[cfg(feature = "component")]
pub use module::{CcvModule, CcvMsg};
#[cfg(feature = "component")]
pub use proof::verify_provider_membership;
#[cfg(feature = "component")]
pub use verify::{update_client, UpdateOutcome, UpdateProviderClient};

/// The module name and genesis section.
pub const NAME: &str = "ccv";
