//! The module's state machine (`component` feature): its [`Component`] impl.

use std::sync::Arc;

use crate::{
    genesis, handlers, historical, invariants, msgs, params, power, queries, redelegation,
    unbonding, validator, NoHooks, StakingBank, StakingGenesis, StakingHooks, StakingMsg,
    StakingPorts,
};
use rampart_core::error::AppResult;
use rampart_core::{
    BlockScope, ChainProfile, Component, GenesisContext, MsgScope, QueryContext, StateRead,
    StateWrite, ValidatorUpdate,
};
use tendermint_proto::google::protobuf::Any;

/// The staking module; tokens move through its [`StakingBank`], notifications through its
/// [`StakingHooks`].
#[derive(Clone)]
pub struct StakingModule {
    bank: Arc<dyn StakingBank>,
    hooks: Arc<dyn StakingHooks>,
}

impl std::fmt::Debug for StakingModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StakingModule")
    }
}

impl StakingModule {
    /// A staking module moving tokens through `bank`, with no hooks.
    pub fn new(bank: Arc<dyn StakingBank>) -> Self {
        Self::with_hooks(bank, Arc::new(NoHooks))
    }

    /// A staking module moving tokens through `bank` and notifying `hooks`.
    pub fn with_hooks(bank: Arc<dyn StakingBank>, hooks: Arc<dyn StakingHooks>) -> Self {
        Self { bank, hooks }
    }

    /// Its token custody and hooks, for callers of [`slash()`](crate::slash()) (slashing, restaking).
    pub fn ports(&self) -> StakingPorts<'_> {
        StakingPorts {
            bank: self.bank.as_ref(),
            hooks: self.hooks.as_ref(),
        }
    }
}

impl Component for StakingModule {
    const NAME: &'static str = "staking";
    const MSG_TYPE_URLS: &'static [&'static str] = msgs::TYPE_URLS;
    const QUERY_PATHS: &'static [&'static str] = queries::PATHS;
    type Genesis = StakingGenesis;
    type Msg = StakingMsg;

    fn import(state: &mut dyn StateWrite, ctx: &GenesisContext, g: Self::Genesis) -> AppResult<()> {
        genesis::import(state, &ctx.profile, &g)
    }

    fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Self::Genesis> {
        genesis::export(state, profile)
    }

    fn execute(&self, tx: MsgScope<'_>, msg: &StakingMsg) -> AppResult<Any> {
        handlers::execute(tx.state, self.ports(), tx.ctx, msg, tx.events)
    }

    fn answer(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, self.bank.as_ref(), path, request)
    }

    /// Records the block's historical entry.
    fn begin_block(&self, block: BlockScope<'_>) -> AppResult<()> {
        let params = params::load(block.state)?;
        historical::track(block.state, block.ctx, &params)
    }

    /// The validator-set diff for CometBFT, then matured validators, unbondings and
    /// redelegations.
    fn end_block(&self, mut block: BlockScope<'_>) -> AppResult<Vec<ValidatorUpdate>> {
        let (bank, ctx) = (self.bank.as_ref(), block.ctx);
        let updates = power::apply_set_updates(block.state, bank, ctx)?;
        power::mature_validators(block.state, self.hooks.as_ref(), ctx, block.events)?;
        let denom = params::load(block.state)?.bond_denom;
        unbonding::mature(block.reborrow(), self.ports(), &denom)?;
        redelegation::mature(block.state, ctx.time)?;
        Ok(updates)
    }

    /// The whole bonded set once genesis and the genesis transactions are applied.
    fn genesis_validators(
        &self,
        state: &mut dyn StateWrite,
        ctx: &GenesisContext,
    ) -> AppResult<Option<Vec<ValidatorUpdate>>> {
        power::apply_set_updates(state, self.bank.as_ref(), &ctx.block())?;
        // CometBFT starts from the whole set, whatever was recorded before.
        let mut set = Vec::new();
        for (op, power) in power::last_powers(state) {
            set.push(ValidatorUpdate {
                ed25519_pubkey: validator::must_load(state, &op)?.pubkey,
                power,
            });
        }
        Ok(Some(set))
    }

    /// The pools hold what staking accounts for, shares add up ([`invariants::check`]).
    fn check_invariants(&self, state: &dyn StateRead) -> AppResult<Option<String>> {
        Ok(invariants::check(state, self.bank.as_ref())?.err())
    }
}
