//! Invariants for test harnesses and audits (they scan every consumer: not for block
//! execution): the consumer module account holds at least the registration deposits plus the
//! reward pools of all consumers, per denom — so rewards paid never exceed rewards funded. (In
//! fact exactly, unless someone sent coins to the module's address before the module account
//! existed — bank refuses transfers to module accounts after that.) And the ccv-timeout queue
//! holds exactly one entry per launched consumer, at its [`crate::Consumer::timeout_at`]. And for
//! every launched consumer the set last sent is recorded under the last vsc id sent (a header
//! signed by the current set is accepted) and no packet at or below its last acknowledgement is
//! kept. And every recorded set has its lock time, the set-expiry queue holds exactly the replaced
//! sets at the end of their period, and every consumer's chain id index names that consumer (chain
//! ids are never reused).

use rampart_bank::{format_coins, BankRead, Coin};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::StateRead;
use std::collections::BTreeSet;

use crate::keys;
use crate::sets;
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

/// For every launched consumer: the set last sent is recorded under the last vsc id sent and no
/// packet is kept at or below `last_acknowledged_vsc`.
pub fn check_acknowledgements(state: &dyn StateRead) -> AppResult<()> {
    for id in state::ids_in_phase(state, Phase::Launched) {
        let consumer = state::must_load(state, id)?;
        let last_ack = consumer.last_acknowledged_vsc;
        let last_sent = crate::sets::last_sent(state, id)?;
        let current = sets::set_hash(&state::validators(state, id)?)?;
        if !sets::records(state, id)?
            .iter()
            .any(|r| (r.vsc_id, r.hash) == (last_sent, current))
        {
            return Err(broken(format!(
                "consumer {id}: the set last sent is not recorded under vsc id {last_sent}"
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

/// Every recorded set has a lock time and no lock time is without its set
/// ([`sets::records`] refuses the first); the set-expiry queue is exactly
/// `{period_end_of ‖ id ‖ vsc_id}` over the recorded sets that are not the set last sent; every
/// consumer holds its chain id in the chain-id index, and the index holds nothing else.
pub fn check_recorded_sets(state: &dyn StateRead) -> AppResult<()> {
    let mut expected_queue = BTreeSet::new();
    let mut expected_chain_ids = BTreeSet::new();
    let mut locks = 0usize;
    for id in state::all_ids(state) {
        let consumer = state::must_load(state, id)?;
        expected_chain_ids.insert((
            keys::chain_id(&consumer.chain_id),
            id.to_be_bytes().to_vec(),
        ));
        let records = sets::records(state, id)?;
        locks = locks.saturating_add(records.len());
        for r in &records {
            if let Some(end) = sets::period_end_of(state, &consumer, r.vsc_id)? {
                expected_queue.insert(keys::set_expiry(end, id, r.vsc_id));
            }
        }
    }
    if state.scan_prefix(keys::SET_LOCK).count() != locks {
        return Err(broken(
            "a set lock time is kept without its set hash".into(),
        ));
    }
    let queue: BTreeSet<Vec<u8>> = state
        .scan_prefix(keys::SET_EXPIRY)
        .map(|(key, _)| key)
        .collect();
    if queue != expected_queue {
        return Err(broken(format!(
            "{} set-expiry entries, {} replaced sets recorded (or entries at the wrong time)",
            queue.len(),
            expected_queue.len()
        )));
    }
    let chain_ids: BTreeSet<(Vec<u8>, Vec<u8>)> = state.scan_prefix(keys::CHAIN_ID).collect();
    if chain_ids != expected_chain_ids {
        return Err(broken(format!(
            "the chain-id index has {} entries for {} consumers (a chain id reused or lost)",
            chain_ids.len(),
            expected_chain_ids.len()
        )));
    }
    Ok(())
}

/// Checks the invariants; `Err` describes the breach.
pub fn check(state: &dyn StateRead) -> AppResult<()> {
    check_timeout_queue(state)?;
    check_acknowledgements(state)?;
    check_recorded_sets(state)?;
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
