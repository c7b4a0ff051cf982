//! The chain-wide invariants that test harnesses and simulations check after every block:
//! staking's pools hold exactly what staking accounts for and shares add up
//! ([`rampart_staking::invariants`]), and every denom's supply is the sum of all balances
//! (module accounts — the staking pools, the fee collector — included), so every mint and burn
//! went through the bank; distribution's module account covers every reward owed, so rewards paid
//! out never exceed rewards distributed ([`rampart_distribution::invariants`]); the consumer
//! module account holds every registration deposit and reward pool
//! ([`rampart_consumer::invariants`]). Amounts are
//! unsigned throughout, so "no negative amount" holds by
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
    // Distribution and consumer report a breach (or unreadable state) as their error.
    if let Err(violation) = rampart_distribution::invariants::check(state) {
        return Ok(Err(format!("distribution: {}", violation.log)));
    }
    if let Err(violation) = rampart_consumer::invariants::check(state) {
        return Ok(Err(format!("consumer: {}", violation.log)));
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
