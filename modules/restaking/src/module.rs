//! The module's state machine (`component` feature): its [`rampart_core::Module`] impl.

use crate::{epoch, genesis, msgs, params, queries, RestakingMsg, NAME};
use rampart_core::error::AppResult;
use rampart_core::module::{import_section, to_section};
use rampart_core::{
    Address, BlockContext, ChainProfile, Events, GenesisContext, Module, ModuleMsg, MsgContext,
    QueryContext, StateRead, StateWrite, ValidatorUpdate,
};
use rampart_staking::StakingModule;
use serde_json::Value;
use tendermint_proto::google::protobuf::Any;

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
