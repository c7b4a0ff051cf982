//! Invariants for test harnesses and audits (they scan every consumer: not for block
//! execution): the consumer module account holds at least the registration deposits plus the
//! reward pools of all consumers, per denom — so rewards paid never exceed rewards funded. (In
//! fact exactly, unless someone sent coins to the module's address before the module account
//! existed — bank refuses transfers to module accounts after that.) And every queue of
//! [`crate::queues`] is exactly what the registry entries say ([`check_queues`]). And for
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

/// Every time-ordered queue of [`crate::queues::TIME_QUEUES`] (ccv timeout, spawn, deletion,
/// pending parameters, registration expiry) is exactly `{due(c) ‖ c.id}` over the consumers due
/// in it; the epoch queue holds exactly one entry per launched consumer, where
/// `consumer/epochat/` says; the reward index holds only launched consumers with a reward rate,
/// and every one of them whose payments are not paused; pending lists wait only with pending
/// parameters that name them.
pub fn check_queues(state: &dyn StateRead) -> AppResult<()> {
    let consumers = state::all_ids(state)
        .into_iter()
        .map(|id| state::must_load(state, id))
        .collect::<AppResult<Vec<_>>>()?;
    for (queue, due) in crate::queues::TIME_QUEUES {
        let expected: BTreeSet<Vec<u8>> = consumers
            .iter()
            .filter_map(|c| due(c).map(|t| keys::queued(queue, t, c.id)))
            .collect();
        let found: BTreeSet<Vec<u8>> = state.scan_prefix(queue).map(|(key, _)| key).collect();
        if found != expected {
            return Err(broken(format!(
                "{} entries under {}, {} consumers due there (or entries at the wrong time)",
                found.len(),
                String::from_utf8_lossy(queue),
                expected.len()
            )));
        }
    }
    let launched: BTreeSet<u64> = consumers
        .iter()
        .filter(|c| c.phase == Phase::Launched)
        .map(|c| c.id)
        .collect();
    let mut expected_epochs = BTreeSet::new();
    for (key, value) in state.scan_prefix(keys::EPOCH_AT) {
        let (Some(id), Some(height)) = (
            keys::u64_at(&key, keys::EPOCH_AT.len()),
            keys::u64_at(&value, 0),
        ) else {
            return Err(broken("a corrupt epoch-queue position".into()));
        };
        expected_epochs.insert(keys::epoch_due(height, id));
        if !launched.contains(&id) {
            return Err(broken(format!(
                "consumer {id} is in the epoch queue, not launched"
            )));
        }
    }
    let epochs: BTreeSet<Vec<u8>> = state
        .scan_prefix(keys::EPOCH_DUE)
        .map(|(key, _)| key)
        .collect();
    if epochs != expected_epochs || epochs.len() != launched.len() {
        return Err(broken(format!(
            "{} epoch-queue entries for {} launched consumers",
            epochs.len(),
            launched.len()
        )));
    }
    let paying: BTreeSet<u64> = crate::queues::paying(state).into_iter().collect();
    for c in &consumers {
        let pays = c.phase == Phase::Launched && !c.params.reward_rate_per_block.is_empty();
        if (paying.contains(&c.id) && !pays)
            || (pays && !c.rewards_paused && !paying.contains(&c.id))
        {
            return Err(broken(format!(
                "consumer {} is wrong in the reward index",
                c.id
            )));
        }
        let waiting = state.get(&keys::pending_lists(c.id)).is_some();
        if waiting != c.pending.as_ref().is_some_and(|p| p.lists) {
            return Err(broken(format!(
                "consumer {}'s pending lists do not match its pending parameters",
                c.id
            )));
        }
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
    check_queues(state)?;
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
