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

pub mod consumer_keys;
pub mod epoch;
pub mod errors;
pub mod evidence;
pub mod exposure;
pub mod genesis;
pub mod hooks;
pub mod keys;
pub mod msgs;
pub mod params;
pub mod pledge;
pub mod power;
pub mod queries;

use rampart_core::error::AppResult;
use rampart_core::module::{import_section, to_section};
use rampart_core::{
    Address, BlockContext, ChainProfile, Events, GenesisContext, Module, ModuleMsg, MsgContext,
    QueryContext, StateRead, StateWrite, ValidatorUpdate,
};
use rampart_staking::StakingModule;
use serde_json::Value;
use tendermint_proto::google::protobuf::Any;

pub use errors::{RestakingCode, CODESPACE};
pub use genesis::RestakingGenesis;
pub use hooks::RestakingHooks;
pub use msgs::RestakingMsg;
pub use params::RestakingParams;
pub use pledge::{Pledge, Stake, Status};

/// The module name and genesis section.
pub const NAME: &str = "restaking";

/// The restaking module; it slashes through the staking module it is composed with.
#[derive(Clone)]
pub struct RestakingModule {
    staking: StakingModule,
}

impl std::fmt::Debug for RestakingModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RestakingModule")
    }
}

impl RestakingModule {
    /// Restaking over `staking` (the same instance the app composes).
    pub fn new(staking: StakingModule) -> Self {
        Self { staking }
    }
}

impl Module for RestakingModule {
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

    fn msg_type_urls(&self) -> &'static [&'static str] {
        msgs::TYPE_URLS
    }

    fn validate_msg(&self, profile: &ChainProfile, msg: &Any) -> AppResult<Vec<Address>> {
        RestakingMsg::validate(profile, msg)
    }

    fn deliver_msg(
        &self,
        state: &mut dyn StateWrite,
        ctx: &MsgContext<'_>,
        msg: &Any,
        events: &mut Events,
    ) -> AppResult<Any> {
        RestakingMsg::deliver(ctx, msg, |m| {
            msgs::execute(state, self.staking.ports(), ctx, m, events)
        })
    }

    /// Launches and epochs; never changes the provider's own validator set.
    fn end_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockContext,
        events: &mut Events,
    ) -> AppResult<Vec<ValidatorUpdate>> {
        let params = params::load(state)?;
        epoch::end_block(state, &params, ctx, events)?;
        Ok(Vec::new())
    }

    fn query_paths(&self) -> &'static [&'static str] {
        queries::PATHS
    }

    fn query(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, path, request)
    }
}
