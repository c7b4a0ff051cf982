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

pub mod errors;
pub mod evidence;
pub mod genesis;
pub mod keys;
pub mod liveness;
pub mod params;
pub mod queries;
pub mod signing;
pub mod unjail;

use rampart_core::error::AppResult;
use rampart_core::module::{import_section, to_section};
use rampart_core::{
    Address, Amount, BlockContext, ChainProfile, Event, Events, GenesisContext, Module, ModuleMsg,
    MsgContext, QueryContext, StateRead, StateWrite,
};
use rampart_staking::StakingModule;
use serde_json::Value;
use tendermint_proto::google::protobuf::Any;
use unjail::Unjail;

pub use genesis::SlashingGenesis;
pub use params::SlashingParams;
pub use signing::SigningInfo;

/// The slashing module; it slashes through the staking module it is composed with.
#[derive(Clone)]
pub struct SlashingModule {
    staking: StakingModule,
}

impl std::fmt::Debug for SlashingModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SlashingModule")
    }
}

impl SlashingModule {
    /// Slashing over `staking` (the same instance the app composes).
    pub fn new(staking: StakingModule) -> Self {
        Self { staking }
    }
}

/// The `slash{address, power, reason, jailed, burned}` event (`burned` in the bond denom).
pub fn slash_event(
    state: &dyn StateRead,
    address: &str,
    power: u64,
    reason: &str,
    burned: Amount,
) -> AppResult<Event> {
    let denom = rampart_staking::params::load(state)?.bond_denom;
    Ok(Event::new("slash")
        .attr("address", address)
        .attr("power", power.to_string())
        .attr("reason", reason)
        .attr("jailed", address)
        .attr("burned", format!("{burned}{denom}")))
}

impl Module for SlashingModule {
    fn name(&self) -> &'static str {
        "slashing"
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        ctx: &GenesisContext,
        section: Option<&Value>,
    ) -> AppResult<()> {
        import_section(self.name(), section, |g| {
            genesis::import(state, &ctx.profile, g)
        })
    }

    fn export_genesis(&self, state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Value> {
        to_section(self.name(), &genesis::export(state, profile)?)
    }

    fn begin_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockContext,
        events: &mut Events,
    ) -> AppResult<()> {
        let params = params::load(state)?;
        liveness::handle_votes(state, self.staking.ports(), ctx, &params, events)?;
        evidence::handle_misbehavior(state, self.staking.ports(), ctx, &params, events)
    }

    fn msg_type_urls(&self) -> &'static [&'static str] {
        &[unjail::MSG_UNJAIL]
    }

    fn validate_msg(&self, profile: &ChainProfile, msg: &Any) -> AppResult<Vec<Address>> {
        Unjail::validate(profile, msg)
    }

    fn deliver_msg(
        &self,
        state: &mut dyn StateWrite,
        ctx: &MsgContext<'_>,
        msg: &Any,
        events: &mut Events,
    ) -> AppResult<Any> {
        Unjail::deliver(ctx, msg, |m| unjail::execute(state, ctx, m, events))
    }

    fn query_paths(&self) -> &'static [&'static str] {
        queries::PATHS
    }

    fn query(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, path, request)
    }
}
