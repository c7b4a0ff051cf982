//! The module's state machine (`component` feature): its [`rampart_core::Module`] impl.

use std::sync::Arc;

use crate::{
    genesis, handlers, historical, invariants, msgs, params, power, queries, redelegation,
    unbonding, validator, NoHooks, StakingBank, StakingHooks, StakingMsg, StakingPorts,
};
use rampart_core::error::AppResult;
use rampart_core::module::{import_section, to_section};
use rampart_core::{
    Address, BlockContext, ChainProfile, Events, GenesisContext, Module, ModuleMsg, MsgContext,
    QueryContext, StateRead, StateWrite, ValidatorUpdate,
};
use serde_json::Value;
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

impl Module for StakingModule {
    fn name(&self) -> &'static str {
        "staking"
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        ctx: &GenesisContext,
        genesis: Option<&Value>,
    ) -> AppResult<()> {
        import_section(self.name(), genesis, |g| {
            genesis::import(state, &ctx.profile, g)
        })
    }

    fn export_genesis(&self, state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Value> {
        to_section(self.name(), &genesis::export(state, profile)?)
    }

    fn msg_type_urls(&self) -> &'static [&'static str] {
        msgs::TYPE_URLS
    }

    fn validate_msg(&self, profile: &ChainProfile, msg: &Any) -> AppResult<Vec<Address>> {
        StakingMsg::validate(profile, msg)
    }

    fn deliver_msg(
        &self,
        state: &mut dyn StateWrite,
        ctx: &MsgContext<'_>,
        msg: &Any,
        events: &mut Events,
    ) -> AppResult<Any> {
        StakingMsg::deliver(ctx, msg, |m| {
            handlers::execute(state, self.ports(), ctx, m, events)
        })
    }

    fn begin_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockContext,
        _events: &mut Events,
    ) -> AppResult<()> {
        let params = params::load(state)?;
        historical::track(state, ctx, &params)
    }

    fn end_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockContext,
        events: &mut Events,
    ) -> AppResult<Vec<ValidatorUpdate>> {
        let bank = self.bank.as_ref();
        let updates = power::apply_set_updates(state, bank, ctx)?;
        power::mature_validators(state, ctx)?;
        let denom = params::load(state)?.bond_denom;
        unbonding::mature(state, self.ports(), ctx, &denom, events)?;
        redelegation::mature(state, ctx.time)?;
        Ok(updates)
    }

    fn genesis_validators(
        &self,
        state: &mut dyn StateWrite,
        ctx: &GenesisContext,
    ) -> AppResult<Option<Vec<ValidatorUpdate>>> {
        let block = BlockContext {
            chain_id: ctx.chain_id.clone(),
            profile: ctx.profile,
            height: ctx.initial_height,
            time: ctx.genesis_time,
            proposer: [0; 20],
            last_commit: Vec::new(),
            misbehavior: Vec::new(),
            hash: [0; 32],
            next_validators_hash: [0; 32],
        };
        power::apply_set_updates(state, self.bank.as_ref(), &block)?;
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

    fn query_paths(&self) -> &'static [&'static str] {
        queries::PATHS
    }

    fn query(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, self.bank.as_ref(), path, request)
    }
}
