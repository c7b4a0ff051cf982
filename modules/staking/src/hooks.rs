//! The second seam: notifications to the modules above staking (distribution settles pending
//! rewards before a delegation's shares change). The app implements [`StakingHooks`]; staking
//! calls it, so staking itself never names a module above it.

use rampart_core::{AppResult, Events, StateWrite};

use crate::address::Addr;
use crate::bank::StakingBank;
use crate::validator::Validator;

/// Notifications staking sends before it changes state others account against.
pub trait StakingHooks: Send + Sync {
    /// Called before the shares of `delegator` in `validator` change (delegate, undelegate,
    /// redelegate, cancel-unbonding, slashing of a redelegation), with the validator as it is
    /// before the change. A reward index settles the delegator's pending rewards here.
    fn before_delegation_shares_change(
        &self,
        state: &mut dyn StateWrite,
        delegator: &Addr,
        validator: &Validator,
        events: &mut Events,
    ) -> AppResult<()>;
}

/// Hooks that do nothing, for a chain with no module listening.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHooks;

impl StakingHooks for NoHooks {
    fn before_delegation_shares_change(
        &self,
        _state: &mut dyn StateWrite,
        _delegator: &Addr,
        _validator: &Validator,
        _events: &mut Events,
    ) -> AppResult<()> {
        Ok(())
    }
}

/// Everything staking calls out through: the bank and the hooks.
#[derive(Clone, Copy)]
pub struct Seams<'a> {
    /// Token custody.
    pub bank: &'a dyn StakingBank,
    /// Notifications upward.
    pub hooks: &'a dyn StakingHooks,
}
