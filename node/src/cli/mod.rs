//! Client subcommands of `rampartd`: `keys`, `tx`, `query` and `genesis` (clap definitions and
//! handlers), built on the `rampart-client` crate.
//!
//! - [`tx`] and [`query`] dispatch to one folder per module ([`bank`], [`auth`], [`staking`],
//!   [`distribution`], [`slashing`], [`consumer`], [`restaking`], [`liquid`], [`ccv`]), each with its
//!   `tx.rs` and `query.rs`; no module's CLI imports another's;
//! - [`args`] holds what the commands share on their command lines, [`output`] the one way
//!   answers are printed (text or JSON), [`prompt`] passphrases and confirmations.

pub mod args;
pub mod auth;
pub mod bank;
pub mod ccv;
pub mod consumer;
pub mod distribution;
pub mod genesis;
pub mod keys;
pub mod liquid;
pub mod output;
pub mod prompt;
pub mod query;
pub mod restaking;
pub mod sign;
pub mod slashing;
pub mod staking;
pub mod tx;

pub use args::{default_home, HomeArg, NodeArgs};
pub use output::{print_json, Output, OutputArg};
