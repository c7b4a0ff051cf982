//! Invariants for test harnesses and audits (they scan every record: not for block execution).
//!
//! 1. **Module account solvency**: the `distribution` module account's balance covers the
//!    community pool plus every validator's outstanding rewards, per denom. With no outside
//!    transfers into the account (bank refuses `MsgSend` to module accounts) it is in fact
//!    equal: every allocation moves exactly the coins it books, and every payout subtracts
//!    exactly the whole coins it sends.
//! 2. **Per-validator coverage**: a validator's outstanding rewards cover its commission plus the
//!    pending rewards of all its delegations — so rewards paid out can never exceed rewards
//!    distributed.

use rampart_bank::BankRead;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::ChainProfile;
use rampart_core::{Decimal, StateRead};
use rampart_staking::StakingRead;

use crate::dec_coins::DecCoins;
use crate::rewards::delegation_rewards;
use crate::state::{self, module_address};

/// Σ outstanding rewards of every validator record (commission included, as in the SDK).
pub fn outstanding_total(state: &dyn StateRead) -> AppResult<DecCoins> {
    let mut total = DecCoins::new();
    for (_, record) in state::all_validator_rewards(state)? {
        total = total.checked_add(&record.outstanding)?;
    }
    Ok(total)
}

/// Σ outstanding rewards + the community pool: what the module account must hold.
pub fn owed_total(state: &dyn StateRead) -> AppResult<DecCoins> {
    outstanding_total(state)?.checked_add(&state::community_pool(state)?)
}

fn broken(why: String) -> AppError {
    AppError::sdk(
        SdkCode::Logic,
        format!("distribution invariant broken: {why}"),
    )
}

/// Checks both invariants of the module documentation; `Err` describes the first breach.
pub fn check(state: &dyn StateRead) -> AppResult<()> {
    let owed = owed_total(state)?;
    let account = module_address();
    for (denom, amount) in owed.iter() {
        let balance = state.balance(&account, denom)?;
        let covered = Decimal::from_ratio(balance.0, 1).map_or(true, |b| b >= amount);
        if !covered {
            return Err(broken(format!(
                "module account holds {balance}{denom} but owes {amount}{denom}"
            )));
        }
    }
    for (op, record) in state::all_validator_rewards(state)? {
        let mut owed = record.commission.clone();
        for (delegator, _) in state.validator_delegations(&op)? {
            owed = owed.checked_add(&delegation_rewards(state, &delegator, &op)?)?;
        }
        if !record.outstanding.covers(&owed) {
            return Err(broken(format!(
                "validator {} has outstanding {} but owes {owed}",
                ChainProfile::rampart().to_valoper(&op),
                record.outstanding
            )));
        }
    }
    Ok(())
}
