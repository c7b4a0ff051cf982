//! The module's state machine (`component` feature): its [`rampart_core::Module`] impl.

use crate::unjail::Unjail;
use crate::{evidence, genesis, liveness, params, queries, unjail};
use rampart_core::error::AppResult;
use rampart_core::module::{import_section, to_section};
use rampart_core::{
    Address, Amount, BlockContext, ChainProfile, Event, Events, GenesisContext, Module, ModuleMsg,
    MsgContext, QueryContext, StateRead, StateWrite,
};
use rampart_staking::StakingModule;
use serde_json::Value;
use tendermint_proto::google::protobuf::Any;

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
