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
use rampart_core::{
    Amount, BlockContext, Event, Events, GenesisContext, Module, MsgContext, StateRead, StateWrite,
};
use rampart_staking::StakingModule;
use tendermint_proto::google::protobuf::Any;

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
        section: Option<&serde_json::Value>,
    ) -> AppResult<()> {
        let genesis: SlashingGenesis = rampart_core::module::genesis_section("slashing", section)?;
        genesis::import(state, &ctx.profile, &genesis)
    }

    fn export_genesis(&self, state: &dyn StateRead) -> AppResult<serde_json::Value> {
        rampart_core::module::to_section(self.name(), &genesis::export(state)?)
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

    fn validate_msg(&self, msg: &Any) -> AppResult<Vec<[u8; 20]>> {
        Ok(vec![unjail::signer(msg)?])
    }

    fn deliver_msg(
        &self,
        state: &mut dyn StateWrite,
        ctx: &MsgContext<'_>,
        msg: &Any,
        events: &mut Events,
    ) -> AppResult<Any> {
        unjail::execute(state, ctx, msg, events)
    }

    fn query_paths(&self) -> &'static [&'static str] {
        queries::PATHS
    }

    fn query(&self, state: &dyn StateRead, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(state, path, request)
    }
}
