//! The module's state machine (`component` feature): its [`Component`] impl.

use std::sync::Arc;

use crate::{
    genesis, invariants, lifecycle, meter, msgs, queries, rewards, sets, ConsumerGenesisState,
    ConsumerHooks, ConsumerMsg, NoHooks, NAME,
};
use rampart_core::error::AppResult;
use rampart_core::{
    BlockScope, ChainProfile, Component, GenesisContext, MsgScope, QueryContext, Scope, StateRead,
    StateWrite,
};
use rampart_staking::StakingRead;
use tendermint_proto::google::protobuf::Any;

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

impl Component for ConsumerModule {
    const NAME: &'static str = NAME;
    const MSG_TYPE_URLS: &'static [&'static str] = msgs::TYPE_URLS;
    const QUERY_PATHS: &'static [&'static str] = queries::PATHS;
    type Genesis = ConsumerGenesisState;
    type Msg = ConsumerMsg;

    fn import(state: &mut dyn StateWrite, ctx: &GenesisContext, g: Self::Genesis) -> AppResult<()> {
        genesis::import(state, ctx, &g)
    }

    fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Self::Genesis> {
        genesis::export(state, profile)
    }

    fn execute(&self, tx: MsgScope<'_>, msg: &ConsumerMsg) -> AppResult<Any> {
        msgs::execute(tx.state, self.hooks.as_ref(), tx.ctx, msg, tx.events)
    }

    fn answer(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, path, request)
    }

    /// Ccv timeouts (launched consumers unheard for `ccv_timeout_seconds` are stopped), deletions
    /// and pending parameters first, then the replaced validator sets whose period ended are
    /// forgotten ([`sets::prune_expired`]) and the due slash meters replenished
    /// ([`meter::replenish_due`]), then the per-block rewards of launched consumers.
    fn begin_block(&self, block: BlockScope<'_>) -> AppResult<()> {
        let Scope { state, ctx, events } = block;
        let unbonding = u64::try_from(state.unbonding_time()?.seconds).unwrap_or(0);
        lifecycle::stop_timed_out(state, ctx.time, unbonding, events)?;
        lifecycle::begin_block(state, self.hooks.as_ref(), ctx.time, events)?;
        sets::prune_expired(state, ctx.time);
        meter::replenish_due(state, ctx.time)?;
        rewards::pay_all(state, &ctx.profile, events)
    }

    /// The module account holds every deposit and reward pool ([`invariants::check`]); a
    /// breach, like a state that cannot be read, is reported as the violation.
    fn check_invariants(&self, state: &dyn StateRead) -> AppResult<Option<String>> {
        Ok(invariants::check(state).err().map(|e| e.log))
    }
}
