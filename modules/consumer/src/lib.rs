//! The consumer-chain registry of Rampart's native shared security (`rampart.consumer.v1`).
//!
//! # Lifecycle
//!
//! `MsgRegisterConsumer` (permissionless; the registration deposit goes into the `consumer`
//! module account; the signer becomes the owner) creates a **REGISTERED** consumer with a
//! numeric id, a chain id no other live consumer uses, and its [`ConsumerParams`]. At the first
//! block whose time is at or after its spawn time, restaking (which keeps the pledges) checks
//! the consumer's thresholds: met, the consumer is **LAUNCHED** with its genesis and initial set
//! recorded here ([`ConsumerWrite::launch_consumer`]); not met, it stays registered, its spawn
//! time is cleared and a `consumer_launch_failed` event names the threshold
//! ([`ConsumerWrite::fail_launch`]). `MsgRemoveConsumer` deletes a registered consumer at once
//! and **STOPS** a launched one: no more packets or rewards; evidence is still accepted until one
//! provider unbonding period has passed, when it is **DELETED** (deposit and remaining pool back
//! to the owner; only the registry entry is kept). `MsgUpdateConsumer` (owner only) changes
//! anything before launch; after it, infraction parameters take effect one provider unbonding
//! period later ([`types::PendingInfraction`]), the unbonding period and spawn time are fixed,
//! and so are the parameters written into the consumer genesis (`signed_blocks_window`,
//! `min_signed_per_window`, `max_clock_drift_seconds`).
//!
//! # Trust anchor and ccv timeout
//!
//! The consumer genesis written at launch height H (`rampart.consumer.v1.ConsumerGenesis`)
//! carries what a light client of the provider starts from: the provider chain id, H, header
//! H's time, hash and `next_validators_hash` (from FinalizeBlock, via
//! [`rampart_core::BlockContext`]), the set that signs H+1, the trusting period (2/3 of the
//! consumer's unbonding period, rounded down) and the maximum clock drift. A launched consumer
//! records `last_heard_from` (its launch; acknowledged packets will refresh it) and sits in a
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
//! `prove = true`) against the provider's app hash.
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

pub mod errors;
pub mod genesis;
pub mod hooks;
pub mod invariants;
pub mod keys;
pub mod lifecycle;
pub mod msgs;
pub mod params;
pub mod queries;
pub mod rewards;
pub mod state;
pub mod types;

use std::sync::Arc;

use rampart_core::error::AppResult;
use rampart_core::module::{import_section, to_section};
use rampart_core::{
    Address, BlockContext, ChainProfile, Events, GenesisContext, Module, ModuleMsg, MsgContext,
    QueryContext, StateRead, StateWrite,
};
use rampart_staking::StakingRead;
use serde_json::Value;
use tendermint_proto::google::protobuf::Any;

pub use errors::{ConsumerCode, CODESPACE};
pub use genesis::ConsumerGenesisState;
pub use hooks::{ConsumerHooks, NoHooks};
pub use msgs::ConsumerMsg;
pub use params::ModuleParams;
pub use state::{module_address, ConsumerRead, ConsumerWrite, MODULE_ACCOUNT};
pub use types::{Consumer, ConsumerParams, ConsumerValidator, InfractionParams, Phase};

/// The module name and genesis section.
pub const NAME: &str = "consumer";

/// The consumer registry module.
#[derive(Clone)]
pub struct ConsumerModule {
    hooks: Arc<dyn ConsumerHooks>,
}

impl std::fmt::Debug for ConsumerModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConsumerModule")
    }
}

impl Default for ConsumerModule {
    fn default() -> Self {
        Self::new()
    }
}

impl ConsumerModule {
    /// A registry with no pledge keeper ([`NoHooks`]).
    pub fn new() -> Self {
        Self::with_hooks(Arc::new(NoHooks))
    }

    /// A registry asking `hooks` (restaking's) about pledges.
    pub fn with_hooks(hooks: Arc<dyn ConsumerHooks>) -> Self {
        Self { hooks }
    }
}

impl Module for ConsumerModule {
    fn name(&self) -> &'static str {
        NAME
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        ctx: &GenesisContext,
        section: Option<&Value>,
    ) -> AppResult<()> {
        import_section(NAME, section, |g| genesis::import(state, &ctx.profile, g))
    }

    fn export_genesis(&self, state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Value> {
        to_section(self.name(), &genesis::export(state, profile)?)
    }

    /// Ccv timeouts (launched consumers unheard for `ccv_timeout_seconds` are stopped), deletions
    /// and pending parameters first, then the per-block rewards of launched consumers.
    fn begin_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockContext,
        events: &mut Events,
    ) -> AppResult<()> {
        let unbonding = u64::try_from(state.unbonding_time()?.seconds).unwrap_or(0);
        lifecycle::stop_timed_out(state, ctx.time, unbonding, events)?;
        lifecycle::begin_block(state, self.hooks.as_ref(), ctx.time, events)?;
        rewards::pay_all(state, &ctx.profile, events)
    }

    fn msg_type_urls(&self) -> &'static [&'static str] {
        msgs::TYPE_URLS
    }

    fn validate_msg(&self, profile: &ChainProfile, msg: &Any) -> AppResult<Vec<Address>> {
        ConsumerMsg::validate(profile, msg)
    }

    fn deliver_msg(
        &self,
        state: &mut dyn StateWrite,
        ctx: &MsgContext<'_>,
        msg: &Any,
        events: &mut Events,
    ) -> AppResult<Any> {
        ConsumerMsg::deliver(ctx, msg, |m| {
            msgs::execute(state, self.hooks.as_ref(), ctx, m, events)
        })
    }

    /// The module account holds every deposit and reward pool ([`invariants::check`]); a
    /// breach, like a state that cannot be read, is reported as the violation.
    fn check_invariants(&self, state: &dyn StateRead) -> AppResult<Option<String>> {
        Ok(invariants::check(state).err().map(|e| e.log))
    }

    fn query_paths(&self) -> &'static [&'static str] {
        queries::PATHS
    }

    fn query(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, path, request)
    }
}
