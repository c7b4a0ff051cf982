//! Staking's token custody on the real bank: the bonded and not-bonded pools are the SDK's
//! `bonded_tokens_pool` and `not_bonded_tokens_pool` module accounts, amounts are in the staking
//! bond denom, and slashed tokens are burned (the supply goes down).

use rampart_auth::AuthWrite;
use rampart_bank::{BankRead, BankWrite, Coin};
use rampart_core::Address;
use rampart_core::{Amount, AppResult, Events, StateRead, StateWrite};
use rampart_staking::{Pool, StakingBank};

/// Module account holding the tokens of bonded validators.
pub const BONDED_POOL: &str = "bonded_tokens_pool";
/// Module account holding the tokens of unbonding/unbonded validators and unbonding entries.
pub const NOT_BONDED_POOL: &str = "not_bonded_tokens_pool";
/// Permissions of both pools, as in the Cosmos SDK.
const POOL_PERMISSIONS: &[&str] = &["burner", "staking"];

/// Staking's bonded and not-bonded pools as `rampart-bank` module accounts: the
/// [`StakingBank`] the app gives staking.
///
/// The bank's `coin_spent`/`coin_received` events of these internal moves are not reported:
/// staking emits its own `delegate`/`unbond`/`complete_unbonding` events for them.
#[derive(Debug, Clone, Copy, Default)]
pub struct BankPools;

/// The module account name of `pool`.
pub fn pool_name(pool: Pool) -> &'static str {
    match pool {
        Pool::Bonded => BONDED_POOL,
        Pool::NotBonded => NOT_BONDED_POOL,
    }
}

fn pool_address(state: &mut dyn StateWrite, pool: Pool) -> AppResult<Address> {
    let name = pool_name(pool);
    state.ensure_module_account(name, POOL_PERMISSIONS)?;
    Ok(Address::module(name))
}

fn bond_coins(state: &dyn StateRead, amount: Amount) -> AppResult<[Coin; 1]> {
    let denom = rampart_staking::params::load(state)?.bond_denom;
    Ok([Coin::new(denom, amount.0)])
}

impl StakingBank for BankPools {
    fn delegate_coins(
        &self,
        state: &mut dyn StateWrite,
        delegator: &Address,
        pool: Pool,
        amount: Amount,
    ) -> AppResult<()> {
        let to = pool_address(state, pool)?;
        let coins = bond_coins(state, amount)?;
        state.debit(delegator, &coins, &mut Events::new())?;
        state.credit(&to, &coins, &mut Events::new())
    }

    fn undelegate_coins(
        &self,
        state: &mut dyn StateWrite,
        pool: Pool,
        delegator: &Address,
        amount: Amount,
    ) -> AppResult<()> {
        let from = pool_address(state, pool)?;
        let coins = bond_coins(state, amount)?;
        state.debit(&from, &coins, &mut Events::new())?;
        state.credit(delegator, &coins, &mut Events::new())
    }

    fn move_pool(
        &self,
        state: &mut dyn StateWrite,
        from: Pool,
        to: Pool,
        amount: Amount,
    ) -> AppResult<()> {
        let from = pool_address(state, from)?;
        let to = pool_address(state, to)?;
        let coins = bond_coins(state, amount)?;
        state.debit(&from, &coins, &mut Events::new())?;
        state.credit(&to, &coins, &mut Events::new())
    }

    fn burn_from_pool(
        &self,
        state: &mut dyn StateWrite,
        pool: Pool,
        amount: Amount,
    ) -> AppResult<()> {
        let from = pool_address(state, pool)?;
        let coins = bond_coins(state, amount)?;
        state.burn(&from, &coins, &mut Events::new())
    }

    fn pool_balance(&self, state: &dyn StateRead, pool: Pool) -> Amount {
        let denom = match rampart_staking::params::load(state) {
            Ok(params) => params.bond_denom,
            Err(_) => return Amount::ZERO,
        };
        state
            .balance(&Address::module(pool_name(pool)), &denom)
            .unwrap_or_default()
    }
}
