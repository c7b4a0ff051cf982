//! Proof-of-stake with the Cosmos SDK `x/staking` semantics: validators with tokens and
//! delegator shares (so a slash lowers every share's value), Bonded / Unbonding / Unbonded
//! statuses, an active set of the top `max_validators` by power sent to CometBFT as a diff,
//! unbonding and redelegation entries that mature by block time, and the
//! `cosmos.staking.v1beta1` messages and queries.
//!
//! For the modules above: [`StakingRead`] (read API) and [`slash()`], [`jail`], [`unjail`]
//! (bookkeeping entry points). Tokens move only through [`StakingBank`].
//!
//! Domain/component split: without the default `component` feature only the domain part
//! builds (errors, [`msgs`] decoding and stateless checks, [`urls`]); the state machine needs `component`.

pub mod consensus_key;
pub mod errors;
pub mod msgs;
pub mod urls;

// The state machine.
#[cfg(feature = "component")]
pub mod backing;
#[cfg(feature = "component")]
pub mod bank;
#[cfg(feature = "component")]
pub mod commission;
#[cfg(feature = "component")]
pub mod delegation;
#[cfg(feature = "component")]
pub mod genesis;
#[cfg(feature = "component")]
mod handlers;
#[cfg(feature = "component")]
pub mod historical;
#[cfg(feature = "component")]
pub mod hooks;
#[cfg(feature = "component")]
pub mod invariants;
#[cfg(feature = "component")]
pub mod keys;
#[cfg(feature = "component")]
mod module;
#[cfg(feature = "component")]
pub mod params;
#[cfg(feature = "component")]
pub mod power;
#[cfg(feature = "component")]
pub mod queries;
#[cfg(feature = "component")]
pub mod read;
#[cfg(feature = "component")]
pub mod redelegation;
#[cfg(feature = "component")]
pub mod slash;
#[cfg(feature = "component")]
pub mod unbonding;
#[cfg(feature = "component")]
pub mod validator;

#[cfg(feature = "component")]
pub use backing::{Backing, Class, Mode};
#[cfg(feature = "component")]
pub use bank::{Pool, StakingBank};
#[cfg(feature = "component")]
pub use genesis::StakingGenesis;
#[cfg(feature = "component")]
pub use hooks::{HookList, NoHooks, StakingHooks, StakingPorts};
#[cfg(feature = "component")]
pub use module::StakingModule;
pub use msgs::StakingMsg;
#[cfg(feature = "component")]
pub use read::StakingRead;
#[cfg(feature = "component")]
pub use slash::{jail, slash, slash_with_moved, unjail, Infraction, MovedStake, SlashOutcome};
#[cfg(feature = "component")]
pub use validator::Validator;
