//! The distribution [`Module`]: genesis, the begin-block allocation, messages and queries.

use rampart_auth::{Address, AuthRead, AuthWrite, ModuleInfo};
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

/// Makes `name` a module account at genesis. Auth genesis normally restores it; a plain account
/// already at that address (a genesis listing the module's balance in bank but not its auth
/// entry: bank creates a plain account on credit) becomes the module account, keeping its
/// number — nobody holds a key for an address derived as `SHA256(name)[..20]`.
pub fn claim_module_account(
    state: &mut dyn StateWrite,
    name: &str,
    permissions: &[&str],
) -> AppResult<()> {
    let address = Address::module(name);
    match state.account(&address)? {
        Some(mut account) if account.module.is_none() => {
            account.module = Some(ModuleInfo {
                name: name.to_owned(),
                permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            });
            state.set_account(&account);
        }
        _ => {
            state.ensure_module_account(name, permissions)?;
        }
    }
    Ok(())
}

impl Module for DistributionModule {
    fn name(&self) -> &'static str {
        NAME
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        _ctx: &GenesisContext,
        section: Option<&serde_json::Value>,
    ) -> AppResult<()> {
        let section: DistributionGenesis = rampart_core::module::genesis_section(NAME, section)?;
        genesis::import(state, &section)
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

    fn msg_signers(&self, msg: &Any) -> AppResult<Vec<[u8; 20]>> {
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

    fn query_paths(&self) -> &'static [&'static str] {
        queries::PATHS
    }

    fn query(&self, state: &dyn StateRead, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(state, path, request)
    }
}
