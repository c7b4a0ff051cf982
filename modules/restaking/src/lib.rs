//! Restaking for Rampart's native shared security (`rampart.restaking.v1`): provider
//! validators pledge a fraction of their bonded tokens to consumer chains, and what an
//! infraction on a consumer can cost is bounded by that pledge.
//!
//! # Pledges and bounded contagion
//!
//! `MsgOptIn{validator, consumer_id, pledge_bps, consumer_pubkey?}` (signed by the operator)
//! pledges `pledge_bps / 10,000` of the validator's bonded tokens to a registered or launched
//! consumer; `MsgSetPledge` changes it; `MsgOptOut` leaves at the consumer's next epoch, and the
//! stake that was in the consumer's set stays slashable for the consumer's unbonding period
//! ([`pledge`]). Σ over a validator's consumers of `pledge × double-sign fraction` stays at most
//! `max_slash_exposure`, and a validator pledges to at most `max_consumers_per_validator`
//! consumers ([`exposure`]).
//!
//! # Consumer sets and packets
//!
//! At the first block at or after a registered consumer's spawn time, and every
//! `blocks_per_epoch` blocks for launched consumers, the set is computed from the pledges
//! ([`power`]: qualification, consumer power = pledged tokens / 10^6, `max_validators`, power
//! cap) and recorded in the consumer registry ([`epoch`]), which stores a validator-set-change
//! packet under `"consumer/vsc/" ‖ consumer_id ‖ vsc_id` whenever the set changed.
//!
//! # Keys and evidence
//!
//! [`consumer_keys`]: one ed25519 key per validator per consumer (`MsgAssignConsumerKey`),
//! unique on the consumer, never another validator's provider key; a replaced key stays
//! attributable for the consumer's unbonding period. [`evidence`]:
//! `MsgSubmitConsumerDoubleVote` — verified signatures over the consumer's chain id — slashes at
//! most the consumer's fraction of the pledge through staking's `slash` (restaking decides,
//! staking keeps the books), takes the validator out of that consumer's set and tombstones it
//! there if configured. Nothing happens to its other consumers or its provider status.
//!
//! # Dependencies
//!
//! Restaking depends on the consumer registry (`rampart-consumer`, read and written through
//! [`rampart_consumer::ConsumerRead`]/[`rampart_consumer::ConsumerWrite`]) and on staking; the
//! registry asks restaking about pledges only through [`RestakingHooks`], which the app installs
//! as the registry's [`rampart_consumer::ConsumerHooks`]. Compose restaking after the consumer
//! module and after staking (its end block reads the bonded set staking just updated).
//!
//! Domain/component split: without the default `component` feature only the domain part
//! builds (errors, [`urls`]); the state machine needs `component`.

pub mod errors;
pub mod urls;

// The state machine.
#[cfg(feature = "component")]
pub mod choice;
#[cfg(feature = "component")]
pub mod consumer_keys;
#[cfg(feature = "component")]
pub mod epoch;
#[cfg(feature = "component")]
pub mod evidence;
#[cfg(feature = "component")]
pub mod exposure;
#[cfg(feature = "component")]
pub mod genesis;
#[cfg(feature = "component")]
pub mod hooks;
#[cfg(feature = "component")]
pub mod keys;
#[cfg(feature = "component")]
mod module;
#[cfg(feature = "component")]
pub mod msgs;
#[cfg(feature = "component")]
pub mod params;
#[cfg(feature = "component")]
pub mod pledge;
#[cfg(feature = "component")]
pub mod power;
#[cfg(feature = "component")]
pub mod queries;
#[cfg(feature = "component")]
pub mod removal;
#[cfg(feature = "component")]
pub mod report;

pub use errors::{RestakingCode, CODESPACE};
#[cfg(feature = "component")]
pub use genesis::RestakingGenesis;
#[cfg(feature = "component")]
pub use hooks::RestakingHooks;
#[cfg(feature = "component")]
pub use module::RestakingModule;
#[cfg(feature = "component")]
pub use msgs::RestakingMsg;
#[cfg(feature = "component")]
pub use params::RestakingParams;
#[cfg(feature = "component")]
pub use pledge::{Pledge, Stake, Status};
#[cfg(feature = "component")]
pub use removal::RemovalHooks;
#[cfg(feature = "component")]
pub use report::StakeHolder;

/// The module name and genesis section.
pub const NAME: &str = "restaking";
