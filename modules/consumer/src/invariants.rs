//! Invariants for test harnesses and audits (they scan every consumer: not for block
//! execution): the consumer module account holds at least the registration deposits plus the
//! reward pools of all consumers, per denom — so rewards paid never exceed rewards funded. (In
//! fact exactly, unless someone sent coins to the module's address before the module account
//! existed — bank refuses transfers to module accounts after that.) And the ccv-timeout queue
//! holds exactly one entry per launched consumer, at its [`crate::Consumer::timeout_at`]. And for
//! every launched consumer the hash of the set last sent is stored under the last vsc id sent
//! (an acknowledgement signed by the current set is accepted), and nothing at or below its last
//! acknowledgement is kept but that acknowledgement's own set hash.

use rampart_bank::{format_coins, BankRead, Coin};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::StateRead;

use crate::state::{self, module_address};
use crate::types::Phase;
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

fn broken(why: String) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("consumer invariant broken: {why}"))
}

/// For every launched consumer: the set last sent hashes to what is stored under the last vsc
/// id sent, no packet is kept at or below `last_acknowledged_vsc` and no set hash below it.
pub fn check_acknowledgements(state: &dyn StateRead) -> AppResult<()> {
    for id in state::ids_in_phase(state, Phase::Launched) {
        let consumer = state::must_load(state, id)?;
        let last_ack = consumer.last_acknowledged_vsc;
        let last_sent = state::next_vsc_id(state, id)?.saturating_sub(1);
        let current = state::set_hash(&state::validators(state, id)?)?;
        let hashes = state::set_hashes(state, id)?;
        if !hashes.contains(&(last_sent, current)) {
            return Err(broken(format!(
                "consumer {id}: the set last sent is not stored under vsc id {last_sent}"
            )));
        }
        if hashes.first().is_some_and(|(vsc, _)| *vsc < last_ack) {
            return Err(broken(format!(
                "consumer {id}: a set hash below the acknowledged vsc id {last_ack} is kept"
            )));
        }
        if state::packets(state, id)?
            .first()
            .is_some_and(|(vsc, _)| *vsc <= last_ack)
        {
            return Err(broken(format!(
                "consumer {id}: a packet at or below the acknowledged vsc id {last_ack} is kept"
            )));
        }
    }
    Ok(())
}

/// Checks the invariants; `Err` describes the breach.
pub fn check(state: &dyn StateRead) -> AppResult<()> {
    check_timeout_queue(state)?;
    check_acknowledgements(state)?;
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
