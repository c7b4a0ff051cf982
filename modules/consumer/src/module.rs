//! The module's state machine (`component` feature): its [`rampart_core::Module`] impl.

use std::sync::Arc;

use crate::{
    genesis, invariants, lifecycle, msgs, queries, rewards, ConsumerHooks, ConsumerMsg, NoHooks,
    NAME,
};
use rampart_core::error::AppResult;
use rampart_core::module::{import_section, to_section};
use rampart_core::{
    Address, BlockContext, ChainProfile, Events, GenesisContext, Module, ModuleMsg, MsgContext,
    QueryContext, StateRead, StateWrite,
};
use rampart_staking::StakingRead;
use serde_json::Value;
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
