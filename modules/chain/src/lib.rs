//! The chain-metadata module: records the chain's identity (chain id, initial height, genesis
//! time, name, description) at genesis and answers `rampart.chain.v1.Query/ChainInfo`.
//!
//! It is the smallest module that exercises every path of the app: a genesis section, state
//! writes committed into the Merkle store, export, and a query served over gRPC and ABCI alike.
//!
//! Domain/component split: without the default `component` feature only the domain part
//! builds ([`urls`]); the state machine needs `component`.

pub mod urls;

// The state machine.
#[cfg(feature = "component")]
mod module;

#[cfg(feature = "component")]
pub use module::{chain_info, ChainGenesis, ChainModule, CHAIN_INFO_KEY};
pub use urls::QUERY_CHAIN_INFO;
