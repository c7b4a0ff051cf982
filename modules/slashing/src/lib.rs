//! Slashing on the provider chain, with the Cosmos SDK `x/slashing` semantics and
//! `cosmos.slashing.v1beta1` messages and queries:
//!
//! - [`liveness`]: downtime from each block's commit, over a sliding window kept as a bitmap;
//! - [`evidence`]: double signing from CometBFT's committed misbehaviour — slash, jail forever,
//!   tombstone;
//! - [`unjail`]: `MsgUnjail` after the jail period.
//!
//! The module only decides (which fraction, which height, jail or tombstone); the bookkeeping
//! — cutting tokens and entries, burning, jailing — is staking's [`rampart_staking::slash()`],
//! which restaking reuses for consumer-chain infractions with its own decisions.
//!
//! Domain/component split: without the default `component` feature only the domain part
//! builds (errors, [`urls`]); the state machine needs `component`.

pub mod errors;
pub mod urls;

// The state machine.
#[cfg(feature = "component")]
pub mod evidence;
#[cfg(feature = "component")]
pub mod genesis;
#[cfg(feature = "component")]
pub mod keys;
#[cfg(feature = "component")]
pub mod liveness;
#[cfg(feature = "component")]
mod module;
#[cfg(feature = "component")]
pub mod params;
#[cfg(feature = "component")]
pub mod queries;
#[cfg(feature = "component")]
pub mod signing;
#[cfg(feature = "component")]
pub mod unjail;

#[cfg(feature = "component")]
pub use genesis::SlashingGenesis;
#[cfg(feature = "component")]
pub use module::{slash_event, SlashingModule};
#[cfg(feature = "component")]
pub use params::SlashingParams;
#[cfg(feature = "component")]
pub use signing::SigningInfo;
