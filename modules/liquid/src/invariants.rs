//! What the module proves about its own state after every block (tests, simulations,
//! `rampartd debug invariants`):
//!
//! 1. its validator index names exactly the validators staking holds a delegation of the module
//!    account with (so the rate, computed from the index, sees the whole stake);
//! 2. tokens × rate equals the stake behind them within rounding: `supply × rate ≤ stake <
//!    supply × (rate + 10^-18)`, and no token exists without stake unless a slash took it all;
//! 3. the module account's lsuramp is exactly what the open batch's requests escrowed, and the
//!    open batch's records add up to it;
//! 4. every unbonding batch's staking entries exist until they mature, and together they hold
//!    no more than the batch undelegated (so records are paid from what staking returns, never
//!    more).

use std::collections::BTreeSet;

use rampart_bank::BankRead;
use rampart_core::error::AppResult;
use rampart_core::math::mul_div;
use rampart_core::{Amount, StateRead};
use rampart_staking::{unbonding, StakingRead};

use crate::rate::{self, Backing};
use crate::records;
use crate::{module_address, LIQUID_DENOM};

/// `Ok(Err(why))` on the first violation.
pub fn check(state: &dyn StateRead) -> AppResult<Result<(), String>> {
    let module = module_address();
    let indexed: BTreeSet<_> = rate::indexed_validators(state).into_iter().collect();
    let delegated: BTreeSet<_> = state
        .delegations_of(&module)?
        .into_iter()
        .map(|(op, _)| op)
        .collect();
    if !delegated.is_subset(&indexed) {
        return Ok(Err(format!(
            "the module delegates to {} validators, its index names {}",
            delegated.len(),
            indexed.len()
        )));
    }
    let b = Backing::load(state)?;
    let stake = b.stake()?;
    if !b.supply.is_zero() {
        let rate = b.rate()?;
        let low = mul_div(b.supply.0, rate.0, rampart_core::Decimal::ONE_ATTOS, false)?;
        let high = mul_div(
            b.supply.0,
            rate.0 + 1,
            rampart_core::Decimal::ONE_ATTOS,
            true,
        )?;
        if low > stake.0 || stake.0 > high {
            return Ok(Err(format!(
                "{} {LIQUID_DENOM} × rate {rate} is not the stake {stake} within rounding",
                b.supply
            )));
        }
    }
    let open_id = records::open_batch_id(state);
    let open = records::batch_or_new(state, open_id)?;
    let escrow = state.balance(&module, LIQUID_DENOM)?;
    let requested = records::records_of_batch(state, open_id)?
        .iter()
        .try_fold(Amount::ZERO, |acc, r| acc.checked_add(r.liquid_amount))?;
    if escrow != open.liquid_total || requested != open.liquid_total {
        return Ok(Err(format!(
            "the module escrows {escrow}{LIQUID_DENOM}, the open batch counts {} and its records {requested}",
            open.liquid_total
        )));
    }
    for batch in records::all_batches(state)? {
        let (Some(undelegated), None) = (batch.undelegated, batch.returned) else {
            continue;
        };
        let mut held = Amount::ZERO;
        for (op, entry_id) in &batch.entries {
            let entry = unbonding::load(state, &module, op)?.and_then(|ubd| {
                ubd.entries
                    .into_iter()
                    .find(|e| e.unbonding_id == *entry_id)
            });
            match entry {
                Some(entry) => held = held.checked_add(unbonding::balance(&entry)?)?,
                None => {
                    return Ok(Err(format!(
                        "batch {}: staking entry {entry_id} is gone before completion",
                        batch.id
                    )))
                }
            }
        }
        if held > undelegated {
            return Ok(Err(format!(
                "batch {}: its entries hold {held}, more than the {undelegated} it undelegated",
                batch.id
            )));
        }
    }
    Ok(Ok(()))
}
