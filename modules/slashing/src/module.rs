//! The module's state machine (`component` feature): its [`Component`] impl.

use crate::params::SlashingParams;
use crate::unjail::Unjail;
use crate::SlashingGenesis;
use crate::{genesis, params, queries, unjail};
use rampart_core::error::AppResult;
use rampart_core::{
    Amount, BlockScope, ChainProfile, Component, Event, GenesisContext, MsgScope, QueryContext,
    Scope, StateRead, StateWrite,
};
use rampart_staking::{Infraction, StakingModule, StakingPorts, StakingRead, Validator};
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

/// Slashing's decisions in one block: the staking ports it slashes and jails through, and the
/// parameters in force. Downtime is [`Judge::handle_votes`], double signing
/// [`Judge::handle_misbehavior`].
#[derive(Clone, Copy)]
pub(crate) struct Judge<'a> {
    /// Staking's token custody and hooks.
    pub ports: StakingPorts<'a>,
    /// The slashing parameters.
    pub params: &'a SlashingParams,
}

impl Judge<'_> {
    /// What both infractions end in: `validator` is slashed for `infraction` through staking,
    /// jailed (unless it already is, or the slash removed it) and named in a `slash` event with
    /// `reason`.
    pub fn punish(
        &self,
        block: BlockScope<'_>,
        validator: &Validator,
        infraction: Infraction,
        reason: &str,
    ) -> AppResult<()> {
        let Scope { state, ctx, events } = block;
        let (op, power) = (&validator.operator, infraction.power);
        let outcome = rampart_staking::slash(state, self.ports, op, infraction, ctx.time, events)?;
        // The slash leaves a bonded validator in place (only an unbonded one without shares is
        // removed), but never assume it.
        if !validator.jailed && state.validator(op)?.is_some() {
            rampart_staking::jail(state, op)?;
        }
        let address = ctx.profile.to_valcons(&validator.consensus_address());
        events.push(slash_event(state, &address, power, reason, outcome.burned)?);
        Ok(())
    }
}

impl Component for SlashingModule {
    const NAME: &'static str = "slashing";
    const MSG_TYPE_URLS: &'static [&'static str] = &[unjail::MSG_UNJAIL];
    const QUERY_PATHS: &'static [&'static str] = queries::PATHS;
    type Genesis = SlashingGenesis;
    type Msg = Unjail;

    fn import(state: &mut dyn StateWrite, ctx: &GenesisContext, g: Self::Genesis) -> AppResult<()> {
        genesis::import(state, &ctx.profile, &g)
    }

    fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Self::Genesis> {
        genesis::export(state, profile)
    }

    fn execute(&self, tx: MsgScope<'_>, msg: &Unjail) -> AppResult<Any> {
        unjail::execute(tx.state, tx.ctx, msg, tx.events)
    }

    fn answer(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, path, request)
    }

    /// Downtime from the last commit's votes, then double signs from the block's misbehaviour.
    fn begin_block(&self, mut block: BlockScope<'_>) -> AppResult<()> {
        let params = params::load(block.state)?;
        let judge = Judge {
            ports: self.staking.ports(),
            params: &params,
        };
        judge.handle_votes(block.reborrow())?;
        judge.handle_misbehavior(block)
    }
}
