//! The seam between staking and the bank: staking moves tokens only through [`StakingBank`],
//! which the app implements for the real bank module.

use rampart_core::{Amount, AppResult, StateWrite};

use rampart_core::Address;

/// The two module accounts that hold staked tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pool {
    /// Tokens of bonded validators (`bonded_tokens_pool`).
    Bonded,
    /// Tokens of unbonding and unbonded validators and of unbonding entries
    /// (`not_bonded_tokens_pool`).
    NotBonded,
}

/// What staking needs from the bank, in the bond denom; implemented for the real bank by the app.
pub trait StakingBank: Send + Sync {
    /// Moves `amount` from `delegator`'s account into `pool`; `sdk/5` when the balance is short.
    fn delegate_coins(
        &self,
        state: &mut dyn StateWrite,
        delegator: &Address,
        pool: Pool,
        amount: Amount,
    ) -> AppResult<()>;

    /// Moves `amount` from `pool` back to `delegator`'s account.
    fn undelegate_coins(
        &self,
        state: &mut dyn StateWrite,
        pool: Pool,
        delegator: &Address,
        amount: Amount,
    ) -> AppResult<()>;

    /// Moves `amount` between the pools.
    fn move_pool(
        &self,
        state: &mut dyn StateWrite,
        from: Pool,
        to: Pool,
        amount: Amount,
    ) -> AppResult<()>;

    /// Burns `amount` from `pool` (slashing), lowering the total supply.
    fn burn_from_pool(
        &self,
        state: &mut dyn StateWrite,
        pool: Pool,
        amount: Amount,
    ) -> AppResult<()>;

    /// The balance of `pool` (for the Pool query and invariants).
    fn pool_balance(&self, state: &dyn rampart_core::StateRead, pool: Pool) -> Amount;
}

/// Moves `amount` from `from` to `to` unless they are the same pool or the amount is zero.
pub fn transfer_between(
    bank: &dyn StakingBank,
    state: &mut dyn StateWrite,
    from: Pool,
    to: Pool,
    amount: Amount,
) -> AppResult<()> {
    if from == to || amount.is_zero() {
        return Ok(());
    }
    bank.move_pool(state, from, to, amount)
}
