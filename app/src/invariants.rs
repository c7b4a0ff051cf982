//! The chain-wide invariants that test harnesses and simulations check after every block:
//! staking's pools hold exactly what staking accounts for and shares add up
//! ([`rampart_staking::invariants`]), and every denom's supply is the sum of all balances
//! (module accounts — the staking pools, the fee collector — included), so every mint and burn
//! went through the bank. Amounts are unsigned throughout, so "no negative amount" holds by
//! construction; a corrupt stored amount fails to decode and is reported.

use rampart_bank::genesis::{sum_balances, total_supply};
use rampart_core::{AppResult, StateRead};

use crate::staking_bank::BankSeam;

/// Checks every invariant over `state`; `Ok(Err(..))` describes the first violation, `Err` a
/// state that cannot be read.
pub fn check(state: &dyn StateRead) -> AppResult<Result<(), String>> {
    if let Err(violation) = rampart_staking::invariants::check(state, &BankSeam)? {
        return Ok(Err(format!("staking: {violation}")));
    }
    for coin in total_supply(state)? {
        let held = sum_balances(state, &coin.denom)?;
        if held != coin.amount {
            return Ok(Err(format!(
                "bank: supply of {} is {} but balances sum to {held}",
                coin.denom, coin.amount
            )));
        }
    }
    Ok(Ok(()))
}
