//! The consumer-chain registry of Rampart's native shared security (`rampart.consumer.v1`).
//!
//! # Lifecycle
//!
//! `MsgRegisterConsumer` (permissionless; the registration deposit goes into the `consumer` module
//! account; the signer becomes the owner) creates a **REGISTERED** consumer with a numeric id, a
//! chain id no consumer ever had — chain ids are never reused, a deleted consumer's stays reserved
//! (`consumer/3` for a live consumer's, `consumer/18` for a deleted one's), so a signature over a
//! consumer's chain id can only be about that consumer — and its [`ConsumerParams`]. At the first
//! block whose time is at or after its spawn time, restaking (which keeps the pledges) checks the
//! consumer's thresholds: met, the consumer is **LAUNCHED** with its genesis and initial set
//! recorded here ([`ConsumerWrite::launch_consumer`]); not met, it stays registered, its spawn time
//! is cleared and a `consumer_launch_failed` event names the threshold
//! ([`ConsumerWrite::fail_launch`]). `MsgRemoveConsumer` deletes a registered consumer at once and
//! **STOPS** a launched one: no more packets or rewards; evidence is still accepted until one
//! provider unbonding period has passed, when it is **DELETED** (deposit back to the owner through
//! the bank's checked send, what is left of the reward pool to the community pool — others may
//! have funded it; only the registry entry, and so its chain id, is kept). A registered consumer
//! that has not launched `registration_expiry_seconds` (30 days) after its registration expires:
//! it is deleted and `expired_deposit_forfeit` (10 %) of its deposit goes to the community pool.
//! `MsgUpdateConsumer` (owner only) changes anything before launch (a new spawn time at least
//! [`msgs::MIN_SPAWN_LEAD_SECONDS`] ahead); after it, infraction parameters, the reward rate and
//! the allow/deny lists take effect one provider unbonding period later
//! ([`pending::PendingParams`]), the unbonding period and spawn time are fixed, and so are the
//! parameters written into the consumer genesis (`signed_blocks_window`,
//! `min_signed_per_window`, `max_clock_drift_seconds`). Every block hook reads only what is due
//! ([`queues`]); allow/deny lists live outside the registry entry ([`lists`]).
//!
//! # Trust anchor and ccv timeout
//!
//! The consumer genesis written at launch height H (`rampart.consumer.v1.ConsumerGenesis`)
//! carries what a light client of the provider starts from: the provider chain id, H, header
//! H's time, hash and `next_validators_hash` (from FinalizeBlock, via
//! [`rampart_core::BlockContext`]), the set that signs H+1, the trusting period (2/3 of the
//! consumer's unbonding period, rounded down) and the maximum clock drift. A launched consumer
//! records `last_heard_from` (its launch; each acknowledgement refreshes it) and sits in a
//! time-ordered queue (`consumer/timeout/`): at the first block whose time reaches
//! `last_heard_from + ccv_timeout_seconds` it is stopped (`consumer_stopped`,
//! `reason=ccv_timeout`); begin block reads only the due entries.
//!
//! # Validator sets and packets
//!
//! Restaking computes each launched consumer's set every epoch and records it here with
//! [`ConsumerWrite::record_validator_set`]: when the set differs from the one last sent (or
//! slash acks wait), a [`rampart_proto::rampart::consumer::v1::ValidatorSetChangePacket`] is
//! stored under [`keys::packet`] — `"consumer/vsc/" ‖ consumer_id (u64 BE) ‖ vsc_id (u64 BE)` —
//! so that a relayer proves it with the app's ICS-23 proofs (ABCI query `/store/key`,
//! `prove = true`) against the provider's app hash. Every update names the provider operator
//! owning the key (`provider_operator`), in packets as in the genesis' `initial_validators`.
//! With each packet (and at launch, as vsc id 0) the CometBFT hash of the consumer's new set is
//! recorded with the provider block time it was sent, when its stake was locked
//! ([`sets::record_sent`]): the sets the provider dictated, the only ones whose signatures it
//! accepts on consumer headers. A set without power is never sent: the consumer is stopped
//! instead (`consumer_stopped`, `reason=empty_validator_set`).
//!
//! # Consumer headers
//!
//! Everything the provider learns from a consumer chain comes with a consumer header, verified by
//! one function, [`sets::verify_consumer_header`]: its chain id is the consumer's (`consumer/16`),
//! its time is not ahead of the provider's block time by more than the consumer's
//! `max_clock_drift_seconds` (`ccv/11`), its `validators_hash` is a set the provider sent that is
//! still within its period (`consumer/17`) — the set last sent, or one replaced less than the
//! consumer's unbonding period after it was sent (stake counted in it is still slashable then) —
//! and more than 2/3 of that set's power signed its commit, every signature checked (`ccv/9`,
//! `ccv/10`, `ccv/12`; gas per signature charged first). Replaced sets are forgotten when their
//! period ends, through a time-ordered queue (`consumer/setexpiry/`) of which each begin block
//! reads only the due entries ([`sets`]).
//!
//! # Acknowledgements
//!
//! `MsgAcknowledgeVsc` (anyone; [`ack::AcknowledgeVsc`]) proves that the consumer applied every
//! packet up to `vsc_id`: a consumer header the provider accepts (above), signed by a set it sent
//! after a vsc id from the last acknowledged one to `vsc_id`, and an ICS-23 proof that the state
//! its app hash commits holds `vsc_id` under the consumer's `ccv/applied_vsc`
//! ([`rampart_ccv::proven`]). It records `last_acknowledged_vsc` and `last_heard_from` (the
//! provider's block time, which pushes the ccv timeout back), and prunes the applied packets
//! (event `vsc_acknowledged`). An id at or below the last acknowledged one is refused with
//! `consumer/15` and changes nothing, so racing relayers are harmless; the full list of checks
//! and codes is on the handler (`msgs::acknowledge`).
//!
//! # Rewards
//!
//! See [`rewards`]: each block a launched consumer pays `reward_rate_per_block` from its pool
//! (`MsgFundConsumerRewards`, anyone, any denom) to its validators by consumer power, through
//! distribution's per-share index, with per-consumer commissions (`MsgSetConsumerCommission`).
//!
//! # Interfaces to other modules
//!
//! [`ConsumerRead`]/[`ConsumerWrite`] for the module above (restaking); [`ConsumerHooks`] for
//! what the registry must ask the pledge keeper (raising a slash fraction, deleting a consumer)
//! without depending on it. Errors: [`errors`] (codespace `consumer`). Genesis: [`genesis`].
//!
//! Domain/component split: without the default `component` feature only the domain part
//! builds (errors, [`types`], [`urls`], [`header`], [`ack`]); the state machine needs
//! `component`.

pub mod ack;
pub mod downtime;
pub mod entry;
pub mod errors;
pub mod header;
pub mod lists;
pub mod pending;
pub mod types;
pub mod urls;

// The state machine.
#[cfg(feature = "component")]
pub mod genesis;
#[cfg(feature = "component")]
pub mod hooks;
#[cfg(feature = "component")]
pub mod invariants;
#[cfg(feature = "component")]
pub mod keys;
#[cfg(feature = "component")]
pub mod lifecycle;
#[cfg(feature = "component")]
pub mod meter;
#[cfg(feature = "component")]
mod module;
#[cfg(feature = "component")]
pub mod msgs;
#[cfg(feature = "component")]
pub mod params;
#[cfg(feature = "component")]
pub mod queries;
#[cfg(feature = "component")]
pub mod queues;
#[cfg(feature = "component")]
pub mod rewards;
#[cfg(feature = "component")]
pub mod sets;
#[cfg(feature = "component")]
pub mod state;

pub use entry::Consumer;
pub use errors::{ConsumerCode, CODESPACE};
#[cfg(feature = "component")]
pub use genesis::ConsumerGenesisState;
#[cfg(feature = "component")]
pub use hooks::{ConsumerHooks, NoHooks};
pub use lists::ConsumerLists;
#[cfg(feature = "component")]
pub use module::ConsumerModule;
#[cfg(feature = "component")]
pub use msgs::ConsumerMsg;
#[cfg(feature = "component")]
pub use params::ModuleParams;
#[cfg(feature = "component")]
pub use state::{module_address, ConsumerRead, ConsumerWrite, MODULE_ACCOUNT};
pub use types::{ConsumerParams, ConsumerValidator, InfractionParams, Phase};

/// The module name and genesis section.
pub const NAME: &str = "consumer";
