//! The distribution [`Module`]: genesis, the begin-block allocation, messages and queries.

use rampart_core::error::AppResult;
use rampart_core::{BlockContext, Events, GenesisContext, Module, MsgContext};
use rampart_core::{StateRead, StateWrite};
use tendermint_proto::google::protobuf::Any;

use crate::allocation;
use crate::genesis::{self, DistributionGenesis};
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
        section: Option<&serde_json::Value>,
    ) -> AppResult<()> {
        let section: DistributionGenesis = rampart_core::module::genesis_section(NAME, section)?;
        genesis::import(state, &ctx.profile, &section)
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
        allocation::allocate_block(state, ctx, events)
    }

    fn msg_type_urls(&self) -> &'static [&'static str] {
        msgs::TYPE_URLS
    }

    fn validate_msg(&self, msg: &Any) -> AppResult<Vec<[u8; 20]>> {
        Ok(DistributionMsg::decode(msg)?.signers())
    }

    fn deliver_msg(
        &self,
        state: &mut dyn StateWrite,
        _ctx: &MsgContext<'_>,
        msg: &Any,
        events: &mut Events,
    ) -> AppResult<Any> {
        msgs::execute(state, &DistributionMsg::decode(msg)?, events)
    }

    /// The module account covers every reward owed ([`crate::invariants::check`]); a breach,
    /// like a state that cannot be read, is reported as the violation.
    fn check_invariants(&self, state: &dyn StateRead) -> AppResult<Option<String>> {
        Ok(crate::invariants::check(state).err().map(|e| e.log))
    }

    fn query_paths(&self) -> &'static [&'static str] {
        queries::PATHS
    }

    fn query(&self, state: &dyn StateRead, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(state, path, request)
    }
}
