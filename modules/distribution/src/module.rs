//! The distribution [`Module`]: genesis, the begin-block allocation, messages and queries.

use rampart_core::error::AppResult;
use rampart_core::module::{import_section, to_section};
use rampart_core::{Address, BlockContext, ChainProfile, Events, GenesisContext, Module};
use rampart_core::{ModuleMsg, MsgContext, QueryContext, StateRead, StateWrite};
use serde_json::Value;
use tendermint_proto::google::protobuf::Any;

use crate::allocation;
use crate::genesis;
use crate::msgs::{self, DistributionMsg};
use crate::queries;

/// The module name and genesis section.
pub const NAME: &str = "distribution";

/// The distribution module. Compose it after staking and mint; give staking
/// [`crate::DistributionHooks`].
#[derive(Debug, Default, Clone, Copy)]
pub struct DistributionModule;

impl Module for DistributionModule {
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

    fn begin_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockContext,
        events: &mut Events,
    ) -> AppResult<()> {
        allocation::allocate_block(state, ctx, events)
    }

    fn msg_type_urls(&self) -> &'static [&'static str] {
        msgs::TYPE_URLS
    }

    fn validate_msg(&self, profile: &ChainProfile, msg: &Any) -> AppResult<Vec<Address>> {
        DistributionMsg::validate(profile, msg)
    }

    fn deliver_msg(
        &self,
        state: &mut dyn StateWrite,
        ctx: &MsgContext<'_>,
        msg: &Any,
        events: &mut Events,
    ) -> AppResult<Any> {
        DistributionMsg::deliver(ctx, msg, |m| {
            msgs::execute(state, &ctx.block.profile, m, events)
        })
    }

    /// The module account covers every reward owed ([`crate::invariants::check`]); a breach,
    /// like a state that cannot be read, is reported as the violation.
    fn check_invariants(&self, state: &dyn StateRead) -> AppResult<Option<String>> {
        Ok(crate::invariants::check(state).err().map(|e| e.log))
    }

    fn query_paths(&self) -> &'static [&'static str] {
        queries::PATHS
    }

    fn query(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, path, request)
    }
}
