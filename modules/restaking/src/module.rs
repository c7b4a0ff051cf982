//! The module's state machine (`component` feature): its [`Component`] impl.

use std::sync::Arc;

use crate::report::StakeHolder;
use crate::{choice, epoch, genesis, msgs, params, queries, RestakingGenesis, RestakingMsg, NAME};
use rampart_core::error::AppResult;
use rampart_core::{
    BlockScope, ChainProfile, Component, GenesisContext, MsgScope, QueryContext, StateRead,
    StateWrite, ValidatorUpdate,
};
use rampart_staking::StakingModule;
use tendermint_proto::google::protobuf::Any;

/// The restaking module; it slashes through the staking module it is composed with.
#[derive(Clone)]
pub struct RestakingModule {
    staking: StakingModule,
    /// Modules above that pool stake, shown in the security report.
    holders: Vec<Arc<dyn StakeHolder>>,
}

impl std::fmt::Debug for RestakingModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RestakingModule")
    }
}

impl RestakingModule {
    /// Restaking over `staking` (the same instance the app composes).
    pub fn new(staking: StakingModule) -> Self {
        Self {
            staking,
            holders: Vec::new(),
        }
    }

    /// Shows `holder`'s part of each consumer's pledged stake in the security report.
    pub fn with_holder(mut self, holder: Arc<dyn StakeHolder>) -> Self {
        self.holders.push(holder);
        self
    }
}

impl Component for RestakingModule {
    const NAME: &'static str = NAME;
    const MSG_TYPE_URLS: &'static [&'static str] = msgs::TYPE_URLS;
    const QUERY_PATHS: &'static [&'static str] = queries::PATHS;
    type Genesis = RestakingGenesis;
    type Msg = RestakingMsg;

    fn import(state: &mut dyn StateWrite, ctx: &GenesisContext, g: Self::Genesis) -> AppResult<()> {
        genesis::import(state, &ctx.profile, &g)
    }

    fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Self::Genesis> {
        genesis::export(state, profile)
    }

    fn execute(&self, tx: MsgScope<'_>, msg: &RestakingMsg) -> AppResult<Any> {
        msgs::execute(tx.state, self.staking.ports(), tx.ctx, msg, tx.events)
    }

    fn answer(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, &self.holders, path, request)
    }

    /// Delegation choices due, then launches and epochs; never changes the provider's own
    /// validator set.
    fn end_block(&self, block: BlockScope<'_>) -> AppResult<Vec<ValidatorUpdate>> {
        let params = params::load(block.state)?;
        choice::end_block(block.state, self.staking.ports(), block.ctx, block.events)?;
        epoch::end_block(block.state, &params, block.ctx, block.events)?;
        Ok(Vec::new())
    }
}
