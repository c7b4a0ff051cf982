//! The module's state machine (`component` feature): its [`Component`] impl.

use crate::{batch, epoch, genesis, invariants, msgs, params, queries, LiquidMsg, NAME};
use rampart_core::error::AppResult;
use rampart_core::{
    BlockScope, ChainProfile, Component, GenesisContext, MsgScope, QueryContext, StateRead,
    StateWrite, ValidatorUpdate,
};
use rampart_staking::StakingModule;
use tendermint_proto::google::protobuf::Any;

/// The liquid staking module; it delegates and undelegates through the staking module it is
/// composed with.
#[derive(Clone)]
pub struct LiquidModule {
    staking: StakingModule,
}

impl std::fmt::Debug for LiquidModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LiquidModule")
    }
}

impl LiquidModule {
    /// Liquid staking over `staking` (the same instance the app composes).
    pub fn new(staking: StakingModule) -> Self {
        Self { staking }
    }
}

impl Component for LiquidModule {
    const NAME: &'static str = NAME;
    const MSG_TYPE_URLS: &'static [&'static str] = msgs::TYPE_URLS;
    const QUERY_PATHS: &'static [&'static str] = queries::PATHS;
    type Genesis = genesis::LiquidGenesis;
    type Msg = LiquidMsg;

    fn import(state: &mut dyn StateWrite, ctx: &GenesisContext, g: Self::Genesis) -> AppResult<()> {
        genesis::import(state, &ctx.profile, &g)
    }

    fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Self::Genesis> {
        genesis::export(state, profile)
    }

    fn execute(&self, tx: MsgScope<'_>, msg: &LiquidMsg) -> AppResult<Any> {
        msgs::execute(tx.state, self.staking.ports(), tx.ctx, msg, tx.events)
    }

    fn answer(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, path, request)
    }

    /// Settles the unbonding batches due at this block's time (their entries can no longer be
    /// slashed; staking pays them at this block's end block), then, at an epoch, compounds and
    /// sends out the open batch — in begin block, so that staking's end block of the same block
    /// turns the stake it moved into the validator set (after staking's end block the active
    /// set would show powers the tokens no longer have, for a block).
    fn begin_block(&self, block: BlockScope<'_>) -> AppResult<()> {
        batch::settle_due(block.state, block.ctx)?;
        let params = params::load(block.state)?;
        if epoch::is_epoch(&params, block.ctx.height) {
            epoch::run(
                block.state,
                self.staking.ports(),
                &params,
                block.ctx,
                block.events,
            )?;
        }
        Ok(())
    }

    /// Pays the settled batches' records (a bank transfer: no stake moves). Never changes the
    /// validator set.
    fn end_block(&self, block: BlockScope<'_>) -> AppResult<Vec<ValidatorUpdate>> {
        batch::pay_settled(block.state, &block.ctx.profile, block.events)?;
        Ok(Vec::new())
    }

    /// [`invariants::check`].
    fn check_invariants(&self, state: &dyn StateRead) -> AppResult<Option<String>> {
        Ok(invariants::check(state)?.err())
    }
}
