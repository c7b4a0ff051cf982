//! The Rampart ABCI 2.0 application: composition profiles, each a documented module order with
//! the owner of the validator set ([`composition`]; the provider's today), genesis dispatch
//! ([`genesis`]) and genesis transactions ([`genutil`]), staking's token custody on the bank
//! ([`staking_bank`]), the composed modules' [`invariants`], the transaction envelope ([`tx`]),
//! the ante handler ([`ante`]) and its memories of verified signatures ([`sigcache`]) and of
//! checked transactions for the mempool's re-checks ([`recheck`]), gas metering
//! ([`gas`]), the transaction pipeline ([`exec`]), the
//! state machine behind each ABCI method ([`app`]) and its block proposals ([`proposal`]),
//! the attributes CometBFT indexes ([`event_index`]),
//! queries and simulation shared by ABCI and gRPC ([`query`]) and the tower service CometBFT
//! talks to ([`abci`]).

pub mod abci;
pub mod ante;
pub mod app;
pub mod composition;
pub mod convert;
pub mod event_index;
pub mod exec;
pub mod gas;
pub mod genesis;
pub mod genutil;
pub mod invariants;
pub mod proposal;
pub mod query;
pub mod recheck;
pub mod sigcache;
pub mod simulate;
pub mod staking_bank;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tx;

pub use app::{App, AppConfig};
pub use composition::Modules;
pub use event_index::EventIndex;
pub use query::Queries;
