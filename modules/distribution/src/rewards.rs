//! Paying out: a delegation's pending rewards from the index, withdrawing them (by message or
//! from the staking hook), and withdrawing a validator's commission.

use rampart_bank::{format_coins, BankWrite, Coin};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Address, ChainProfile};
use rampart_core::{Decimal, Event, Events, StateRead, StateWrite};
use rampart_staking::{StakingHooks, StakingRead, Validator};

use crate::dec_coins::DecCoins;
use crate::errors::{err, DistributionCode};
use crate::state::{self, module_address};

/// `shares × (index_now − index_then)` per denom, each product rounded down to the atto.
pub fn pending(shares: Decimal, now: &DecCoins, then: &DecCoins) -> AppResult<DecCoins> {
    if !now.covers(then) {
        return Err(AppError::sdk(
            SdkCode::Logic,
            format!("settled reward index {then} is ahead of the validator's index {now}"),
        ));
    }
    let mut out = DecCoins::new();
    for (denom, current) in now.iter() {
        let delta = current.checked_sub(then.amount_of(denom))?;
        out.add_amount(denom, shares.checked_mul(delta)?)?;
    }
    Ok(out)
}

/// The index `delegator`'s delegation to `op` settled at; a delegation without a record counts
/// as settled at the validator's current index (it earns from now on, never from the past).
fn settled_or_current(
    state: &dyn StateRead,
    delegator: &Address,
    op: &Address,
    current: &DecCoins,
) -> AppResult<DecCoins> {
    Ok(state::settled_index(state, delegator, op)?.unwrap_or_else(|| current.clone()))
}

/// The index `delegator`'s delegation to `op` earns by now and the shares it earns with: the
/// validator's index and weighted shares in the default class, its backing class's index and
/// its class shares otherwise (zero shares without a delegation).
fn earning(
    state: &dyn StateRead,
    delegator: &Address,
    op: &Address,
) -> AppResult<(Decimal, DecCoins)> {
    let (class, stored) = state.delegation_class(delegator, op)?;
    let record = state::validator_rewards(state, op)?;
    let index = match class {
        None => record.index,
        Some(class) => record
            .classes
            .into_iter()
            .find(|c| c.class.id == class.id)
            .map(|c| c.index)
            .unwrap_or_default(),
    };
    Ok((stored.unwrap_or_default(), index))
}

/// The rewards `delegator` has earned from `op` and not withdrawn (decimal; a withdrawal pays
/// the whole coins). Zero without a delegation.
pub fn delegation_rewards(
    state: &dyn StateRead,
    delegator: &Address,
    op: &Address,
) -> AppResult<DecCoins> {
    let (shares, index) = earning(state, delegator, op)?;
    if shares == Decimal::ZERO {
        return Ok(DecCoins::new());
    }
    let then = settled_or_current(state, delegator, op, &index)?;
    pending(shares, &index, &then)
}

/// Coins as the SDK writes them in a `withdraw_rewards` event: `0<bond denom>` for nothing.
fn event_amount(state: &dyn StateRead, coins: &[Coin]) -> AppResult<String> {
    if coins.is_empty() {
        Ok(format!("0{}", state.bond_denom()?))
    } else {
        Ok(format_coins(coins))
    }
}

fn pay(
    state: &mut dyn StateWrite,
    op: &Address,
    to: &Address,
    coins: &[Coin],
    events: &mut Events,
) -> AppResult<()> {
    if coins.is_empty() {
        return Ok(());
    }
    let mut record = state::validator_rewards(state, op)?;
    record.outstanding = record
        .outstanding
        .checked_sub(&DecCoins::from_coins(coins)?)
        .map_err(|_| {
            AppError::sdk(
                SdkCode::Logic,
                format!(
                    "outstanding rewards {} of {} do not cover a payout of {}",
                    record.outstanding,
                    ChainProfile::rampart().to_valoper(op),
                    format_coins(coins)
                ),
            )
        })?;
    state::set_validator_rewards(state, op, &record);
    state.send(&module_address(), to, coins, events)
}

/// Pays `delegator`'s pending rewards from `op` (whole coins; the fraction stays in the
/// validator's outstanding rewards) to its withdraw address, settles the delegation at the
/// current index, and emits `withdraw_rewards{amount, validator, delegator}`. Returns the coins
/// paid. The caller checks that the delegation exists; without one nothing is paid.
pub fn withdraw_delegation_rewards(
    state: &mut dyn StateWrite,
    delegator: &Address,
    op: &Address,
    events: &mut Events,
) -> AppResult<Vec<Coin>> {
    let profile = ChainProfile::rampart();
    let (coins, _dust) = delegation_rewards(state, delegator, op)?.truncate();
    let to = state::withdraw_address(state, delegator)?;
    pay(state, op, &to, &coins, events)?;
    let (_, index) = earning(state, delegator, op)?;
    state::set_settled_index(state, delegator, op, &index);
    events.push(
        Event::new("withdraw_rewards")
            .attr("amount", event_amount(state, &coins)?)
            .attr("validator", profile.to_valoper(op))
            .attr("delegator", profile.to_account(delegator)),
    );
    Ok(coins)
}

/// Pays validator `op`'s accumulated commission (whole coins; the fraction stays accumulated)
/// to the withdraw address of the operator's account and emits `withdraw_commission{amount}`.
/// `distribution/7` when there is no commission.
pub fn withdraw_validator_commission(
    state: &mut dyn StateWrite,
    op: &Address,
    events: &mut Events,
) -> AppResult<Vec<Coin>> {
    let record = state::validator_rewards_opt(state, op)?.unwrap_or_default();
    if record.commission.is_empty() {
        return Err(err(
            DistributionCode::NoValidatorCommission,
            "no validator commission to withdraw",
        ));
    }
    let (coins, remainder) = record.commission.truncate();
    let to = state::withdraw_address(state, op)?;
    pay(state, op, &to, &coins, events)?;
    let mut record = state::validator_rewards(state, op)?;
    record.commission = remainder;
    state::set_validator_rewards(state, op, &record);
    events.push(Event::new("withdraw_commission").attr("amount", format_coins(&coins)));
    Ok(coins)
}

/// The staking hooks of the distribution module; pass them to
/// `StakingModule::with_hooks(bank, Arc::new(DistributionHooks))`.
///
/// Before any change of a delegation's shares, an existing delegation's pending rewards are
/// withdrawn to its withdraw address (as the SDK does, with a `withdraw_rewards` event) and the
/// delegation is settled at the validator's current index; a new delegation just records the
/// current index. Shares therefore never change between two settlements, which is what makes
/// `shares × Δindex` exact.
#[derive(Debug, Default, Clone, Copy)]
pub struct DistributionHooks;

impl StakingHooks for DistributionHooks {
    fn before_delegation_shares_change(
        &self,
        state: &mut dyn StateWrite,
        delegator: &Address,
        validator: &Validator,
        events: &mut Events,
    ) -> AppResult<()> {
        let op = validator.operator;
        let held = state.delegation_shares(delegator, &op)?;
        if held.is_some_and(|s| s > Decimal::ZERO) {
            withdraw_delegation_rewards(state, delegator, &op, events)?;
        } else {
            let (_, index) = earning(state, delegator, &op)?;
            state::set_settled_index(state, delegator, &op, &index);
        }
        Ok(())
    }

    fn after_backing_change(
        &self,
        state: &mut dyn StateWrite,
        delegator: &Address,
        validator: &Validator,
        _events: &mut Events,
    ) -> AppResult<()> {
        // Rewards were settled before the move; the delegation earns from its new class's index.
        let (_, index) = earning(state, delegator, &validator.operator)?;
        state::set_settled_index(state, delegator, &validator.operator, &index);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_is_shares_times_the_index_delta() {
        let now =
            DecCoins::from_coins(&[Coin::new("stake", 2), Coin::new("uramp", 5)]).expect("fits");
        let mut then = DecCoins::new();
        then.add_amount("uramp", Decimal::from_bps(25_000))
            .expect("fits"); // 2.5
        let shares = Decimal::from_bps(15_000); // 1.5
        let owed = pending(shares, &now, &then).expect("fits");
        assert_eq!(owed.amount_of("uramp"), Decimal::from_bps(37_500)); // 1.5 × 2.5
        assert_eq!(owed.amount_of("stake"), Decimal::from_bps(30_000)); // 1.5 × 2
        assert!(
            pending(shares, &then, &now).is_err(),
            "index never goes back"
        );
    }
}
