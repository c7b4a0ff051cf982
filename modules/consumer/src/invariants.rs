//! Invariants for test harnesses and audits (they scan every consumer: not for block
//! execution): the consumer module account holds at least the registration deposits plus the
//! reward pools of all consumers, per denom — so rewards paid never exceed rewards funded. (In
//! fact exactly, unless someone sent coins to the module's address before the module account
//! existed — bank refuses transfers to module accounts after that.) And the ccv-timeout queue
//! holds exactly one entry per launched consumer, at its [`crate::Consumer::timeout_at`].

use rampart_bank::{format_coins, BankRead, Coin};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::StateRead;

use crate::state::{self, module_address};
use rampart_core::coins;

/// Σ deposits + Σ reward pools.
pub fn owed(state: &dyn StateRead) -> AppResult<Vec<Coin>> {
    let mut total = Vec::new();
    for id in state::all_ids(state) {
        let consumer = state::must_load(state, id)?;
        total = coins::add(&total, &consumer.deposit)?;
        total = coins::add(&total, &state::pool(state, id)?)?;
    }
    Ok(total)
}

/// Whether `held` has at least `owed` of every denom.
pub fn covers(held: &[Coin], owed: &[Coin]) -> bool {
    owed.iter()
        .all(|c| coins::amount_of(held, &c.denom) >= c.amount)
}

/// The ccv-timeout queue is exactly `{timeout_at(c) ‖ c.id}` over consumers with a timeout.
pub fn check_timeout_queue(state: &dyn StateRead) -> AppResult<()> {
    let mut expected = std::collections::BTreeSet::new();
    for id in state::all_ids(state) {
        if let Some(due) = state::must_load(state, id)?.timeout_at() {
            expected.insert(crate::keys::timeout(due, id));
        }
    }
    let found: std::collections::BTreeSet<Vec<u8>> = state
        .scan_prefix(crate::keys::TIMEOUT)
        .map(|(key, _)| key)
        .collect();
    if found != expected {
        return Err(AppError::sdk(
            SdkCode::Logic,
            format!(
                "consumer invariant broken: {} ccv-timeout entries, {} launched consumers with a \
                 timeout (or entries at the wrong time)",
                found.len(),
                expected.len()
            ),
        ));
    }
    Ok(())
}

/// Checks the invariants; `Err` describes the breach.
pub fn check(state: &dyn StateRead) -> AppResult<()> {
    check_timeout_queue(state)?;
    let owed = owed(state)?;
    let held = state.balances(&module_address())?;
    if !covers(&held, &owed) {
        return Err(AppError::sdk(
            SdkCode::Logic,
            format!(
                "consumer invariant broken: module account holds {} but deposits and pools are {}",
                format_coins(&held),
                format_coins(&owed)
            ),
        ));
    }
    Ok(())
}
