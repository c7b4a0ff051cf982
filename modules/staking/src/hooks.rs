//! What staking calls out through, so that it never names a module above it: [`StakingHooks`],
//! the notifications to the modules above (distribution settles pending rewards before a
//! delegation's shares change; restaking forgets a removed validator's pledges; the app passes
//! them together as a [`HookList`]), and
//! [`StakingPorts`], the pair of that and the token custody ([`StakingBank`]) that every state
//! change of staking, and every caller of [`crate::slash()`], receives.

use std::sync::Arc;

use rampart_core::{AppResult, Events, StateWrite};

use crate::bank::StakingBank;
use crate::validator::Validator;
use rampart_core::Address;

/// Notifications staking sends when it changes state others account against; each does nothing
/// unless a listener implements it.
pub trait StakingHooks: Send + Sync {
    /// Called before the shares of `delegator` in `validator` change (delegate, undelegate,
    /// redelegate, cancel-unbonding, slashing of a redelegation), with the validator as it is
    /// before the change. A reward index settles the delegator's pending rewards here.
    fn before_delegation_shares_change(
        &self,
        _state: &mut dyn StateWrite,
        _delegator: &Address,
        _validator: &Validator,
        _events: &mut Events,
    ) -> AppResult<()> {
        Ok(())
    }

    /// Called after `delegator`'s delegation to `validator` moved to another backing class
    /// ([`crate::delegation::set_backing`]); `before_delegation_shares_change` ran before the move.
    /// A reward index restarts the delegation at its new class's index here.
    fn after_backing_change(
        &self,
        _state: &mut dyn StateWrite,
        _delegator: &Address,
        _validator: &Validator,
        _events: &mut Events,
    ) -> AppResult<()> {
        Ok(())
    }

    /// Called after validator `op` was deleted (unbonded, no shares left). A validator created
    /// later with the same operator address is a new one: nothing kept for `op` may carry over.
    fn after_validator_removed(
        &self,
        _state: &mut dyn StateWrite,
        _op: &Address,
        _events: &mut Events,
    ) -> AppResult<()> {
        Ok(())
    }
}

/// Several hooks, called in order (the first error stops the rest and reverts with the
/// transaction or halts the block like any hook error).
#[derive(Clone, Default)]
pub struct HookList(pub Vec<Arc<dyn StakingHooks>>);

impl StakingHooks for HookList {
    fn before_delegation_shares_change(
        &self,
        state: &mut dyn StateWrite,
        delegator: &Address,
        validator: &Validator,
        events: &mut Events,
    ) -> AppResult<()> {
        self.0.iter().try_for_each(|hooks| {
            hooks.before_delegation_shares_change(state, delegator, validator, events)
        })
    }

    fn after_backing_change(
        &self,
        state: &mut dyn StateWrite,
        delegator: &Address,
        validator: &Validator,
        events: &mut Events,
    ) -> AppResult<()> {
        self.0
            .iter()
            .try_for_each(|hooks| hooks.after_backing_change(state, delegator, validator, events))
    }

    fn after_validator_removed(
        &self,
        state: &mut dyn StateWrite,
        op: &Address,
        events: &mut Events,
    ) -> AppResult<()> {
        self.0
            .iter()
            .try_for_each(|hooks| hooks.after_validator_removed(state, op, events))
    }
}

/// Hooks that do nothing, for a chain with no module listening.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHooks;

impl StakingHooks for NoHooks {}

/// Everything staking calls out through: token custody and notifications upward.
#[derive(Clone, Copy)]
pub struct StakingPorts<'a> {
    /// Token custody.
    pub bank: &'a dyn StakingBank,
    /// Notifications upward.
    pub hooks: &'a dyn StakingHooks,
}
