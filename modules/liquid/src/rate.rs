//! The exchange rate: the stake behind the liquid tokens over their supply.
//!
//! The stake is the module's delegations at their current value (staking's shares × the
//! validator's tokens per share, so a slash lowers it at once) plus the uramp in the module
//! account: rewards withdrawn when a delegation changed and dust, re-delegated at the next
//! epoch. Rewards accrued but not yet withdrawn are not counted (they enter at the epoch that
//! withdraws them); tokens escrowed for an unbonding batch that has not gone out yet still
//! count, and so does their value. Every conversion rounds down, in the module's favour.

use cosmos_sdk_proto::cosmos::staking::v1beta1::BondStatus;
use rampart_bank::BankRead;
use rampart_core::error::AppResult;
use rampart_core::math::mul_div;
use rampart_core::{Address, Amount, Decimal, StateRead};
use rampart_staking::StakingRead;

use crate::errors::{err, LiquidCode};
use crate::{keys, module_address, LIQUID_DENOM};

/// The validators in the module's index (where it has or had a delegation), in operator order.
pub fn indexed_validators(state: &dyn StateRead) -> Vec<Address> {
    state
        .scan_prefix(keys::VALIDATOR)
        .filter_map(|(key, _)| keys::addr_at(&key, keys::VALIDATOR.len()))
        .collect()
}

/// The module's stake at validator `op`: its shares at their current value (zero without).
pub fn stake_at(state: &dyn StateRead, op: &Address) -> AppResult<Amount> {
    let Some(shares) = state.delegation_shares(&module_address(), op)? else {
        return Ok(Amount::ZERO);
    };
    match state.validator(op)? {
        Some(v) => v.tokens_for_shares(shares),
        None => Ok(Amount::ZERO),
    }
}

/// Whether `op` may receive new stake: bonded and not jailed.
pub fn is_bonded(state: &dyn StateRead, op: &Address) -> AppResult<bool> {
    Ok(state
        .validator(op)?
        .is_some_and(|v| v.status == BondStatus::Bonded && !v.jailed))
}

/// The stake behind the liquid tokens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Backing {
    /// The module's stake per indexed validator, in operator order.
    pub per_validator: Vec<(Address, Amount)>,
    /// Σ of the above.
    pub delegated: Amount,
    /// The module account's uramp, awaiting the next epoch.
    pub undelegated: Amount,
    /// The lsuramp supply.
    pub supply: Amount,
}

impl Backing {
    /// Reads it: O(indexed validators).
    pub fn load(state: &dyn StateRead) -> AppResult<Self> {
        let mut per_validator = Vec::new();
        let mut delegated = Amount::ZERO;
        for op in indexed_validators(state) {
            let tokens = stake_at(state, &op)?;
            delegated = delegated.checked_add(tokens)?;
            per_validator.push((op, tokens));
        }
        let denom = state.bond_denom()?;
        Ok(Self {
            per_validator,
            delegated,
            undelegated: state.balance(&module_address(), &denom)?,
            supply: state.supply_of(LIQUID_DENOM)?,
        })
    }

    /// The whole stake: delegated plus undelegated.
    pub fn stake(&self) -> AppResult<Amount> {
        self.delegated.checked_add(self.undelegated)
    }

    /// lsuramp minted for `amount` uramp: `amount × supply / stake` rounded down, 1:1 when no
    /// token exists; `liquid/10` when tokens exist but the stake is zero.
    pub fn mint(&self, amount: Amount) -> AppResult<Amount> {
        if self.supply.is_zero() {
            return Ok(amount);
        }
        let stake = self.stake()?;
        if stake.is_zero() {
            return Err(err(
                LiquidCode::NoRate,
                "liquid tokens exist but no stake is behind them: nothing can be minted",
            ));
        }
        Ok(Amount(mul_div(amount.0, self.supply.0, stake.0, false)?))
    }

    /// uramp `liquid` lsuramp are worth: `liquid × stake / supply` rounded down (zero when no
    /// token exists).
    pub fn redeem(&self, liquid: Amount) -> AppResult<Amount> {
        if self.supply.is_zero() {
            return Ok(Amount::ZERO);
        }
        Ok(Amount(mul_div(
            liquid.0,
            self.stake()?.0,
            self.supply.0,
            false,
        )?))
    }

    /// uramp per lsuramp, rounded down; 1 when no token exists.
    pub fn rate(&self) -> AppResult<Decimal> {
        if self.supply.is_zero() {
            return Ok(Decimal::ONE);
        }
        Decimal::from_ratio(self.stake()?.0, self.supply.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backing(delegated: u128, undelegated: u128, supply: u128) -> Backing {
        Backing {
            per_validator: Vec::new(),
            delegated: Amount(delegated),
            undelegated: Amount(undelegated),
            supply: Amount(supply),
        }
    }

    #[test]
    fn conversions_round_down_and_start_one_to_one() {
        let empty = backing(0, 0, 0);
        assert_eq!(empty.mint(Amount(7)).expect("mints"), Amount(7));
        assert_eq!(empty.rate().expect("rate"), Decimal::ONE);
        let grown = backing(10, 1, 10);
        // 5 × 10 / 11 = 4.54…
        assert_eq!(grown.mint(Amount(5)).expect("mints"), Amount(4));
        // 3 × 11 / 10 = 3.3
        assert_eq!(grown.redeem(Amount(3)).expect("redeems"), Amount(3));
        assert_eq!(
            grown.rate().expect("rate").to_string(),
            "1.100000000000000000"
        );
        assert_eq!(
            backing(0, 0, 5).mint(Amount(1)).map_err(|e| e.code),
            Err(LiquidCode::NoRate as u32)
        );
    }
}
