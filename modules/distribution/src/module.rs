//! The distribution module ([`Component`]): genesis, the begin-block allocation, messages and queries.

use rampart_core::error::AppResult;
use rampart_core::{BlockScope, ChainProfile, Component, GenesisContext};
use rampart_core::{MsgScope, QueryContext, StateRead, StateWrite};
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

impl Component for DistributionModule {
    const NAME: &'static str = NAME;
    const MSG_TYPE_URLS: &'static [&'static str] = msgs::TYPE_URLS;
    const QUERY_PATHS: &'static [&'static str] = queries::PATHS;
    type Genesis = DistributionGenesis;
    type Msg = DistributionMsg;

    fn import(state: &mut dyn StateWrite, ctx: &GenesisContext, g: Self::Genesis) -> AppResult<()> {
        genesis::import(state, &ctx.profile, &g)
    }

    fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Self::Genesis> {
        genesis::export(state, profile)
    }

    fn execute(&self, tx: MsgScope<'_>, msg: &DistributionMsg) -> AppResult<Any> {
        msgs::execute(tx.state, &tx.ctx.block.profile, msg, tx.events)
    }

    fn answer(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, path, request)
    }

    /// The previous block's fees and provisions to its signers and the community pool.
    fn begin_block(&self, block: BlockScope<'_>) -> AppResult<()> {
        allocation::allocate_block(block.state, block.ctx, block.events)
    }

    /// The module account covers every reward owed ([`crate::invariants::check`]); a breach,
    /// like a state that cannot be read, is reported as the violation.
    fn check_invariants(&self, state: &dyn StateRead) -> AppResult<Option<String>> {
        Ok(crate::invariants::check(state).err().map(|e| e.log))
    }
}
