//! The queues that make block work proportional to what is due, never to how many consumers
//! exist. [`crate::state::save`] keeps every one of them in step with the registry entry it
//! stores ([`sync`]), so no phase change or update can leave a stale entry:
//!
//! - time-ordered (`prefix ‖ time_key(due) ‖ id`): the ccv timeout of launched consumers
//!   ([`Consumer::timeout_at`]), the spawn time of registered ones ([`spawn_due`]), the deletion
//!   time of stopped ones ([`delete_due`]), the effective time of pending parameters
//!   ([`pending_due`]) and the registration expiry of registered ones ([`expiry_due`]). A block
//!   reads the due entries and the first one not due ([`due`]);
//! - the epoch queue (`consumer/epochdue/ ‖ height ‖ id`, with `consumer/epochat/ ‖ id` naming
//!   each consumer's entry): restaking pops the entries due at its end block and reschedules each
//!   launched consumer at its next epoch height ([`schedule_epoch`]). A consumer that launches,
//!   or whose `blocks_per_epoch` changes, is queued at height 0 — checked at the next end block,
//!   which finds its next epoch height — and leaves the queue when it stops;
//! - the reward index (`consumer/paying/ ‖ id`): launched consumers with a reward rate, left
//!   when the pool can pay nothing ([`sleep_rewards`]) and re-entered when funded
//!   ([`wake_rewards`]) or when the rate changes.

use rampart_core::{BlockTime, StateRead, StateWrite};

use crate::entry::Consumer;
use crate::keys;
use crate::types::Phase;

/// When a registered consumer launches (`None`: no spawn time, or not registered).
pub fn spawn_due(c: &Consumer) -> Option<BlockTime> {
    (c.phase == Phase::Registered)
        .then_some(c.spawn_time)
        .flatten()
}

/// When a stopped consumer is deleted.
pub fn delete_due(c: &Consumer) -> Option<BlockTime> {
    (c.phase == Phase::Stopped)
        .then_some(c.delete_time)
        .flatten()
}

/// When a registered or launched consumer's pending parameters apply.
pub fn pending_due(c: &Consumer) -> Option<BlockTime> {
    matches!(c.phase, Phase::Registered | Phase::Launched)
        .then(|| c.pending.as_ref().map(|p| p.effective_time))
        .flatten()
}

/// When a registered consumer that has not launched expires.
pub fn expiry_due(c: &Consumer) -> Option<BlockTime> {
    (c.phase == Phase::Registered)
        .then_some(c.expire_time)
        .flatten()
}

/// A function giving when a consumer is due in a queue.
type Due = fn(&Consumer) -> Option<BlockTime>;

/// The time-ordered queues and when a consumer is due in each.
pub const TIME_QUEUES: [(&[u8], Due); 5] = [
    (keys::TIMEOUT, Consumer::timeout_at),
    (keys::SPAWN_DUE, spawn_due),
    (keys::DELETE_DUE, delete_due),
    (keys::PENDING_DUE, pending_due),
    (keys::EXPIRY_DUE, expiry_due),
];

/// Whether a consumer pays rewards each block (launched, with a reward rate).
fn pays(c: &Consumer) -> bool {
    c.phase == Phase::Launched && !c.params.reward_rate_per_block.is_empty()
}

/// Keeps every queue in step as `old` (absent for a new consumer) is replaced by `new`.
pub fn sync(state: &mut dyn StateWrite, old: Option<&Consumer>, new: &Consumer) {
    let id = new.id;
    for (queue, due) in TIME_QUEUES {
        let before = old.and_then(due);
        let after = due(new);
        if before != after {
            if let Some(t) = before {
                state.delete(keys::queued(queue, t, id));
            }
            if let Some(t) = after {
                state.put(keys::queued(queue, t, id), Vec::new());
            }
        }
    }
    let was_launched = old.is_some_and(|o| o.phase == Phase::Launched);
    if new.phase != Phase::Launched {
        if was_launched {
            unschedule_epoch(state, id);
        }
    } else if !was_launched
        || old.is_some_and(|o| o.params.blocks_per_epoch != new.params.blocks_per_epoch)
    {
        schedule_epoch(state, id, 0);
    }
    let rate_changed = old.is_none_or(|o| {
        !pays(o) || o.params.reward_rate_per_block != new.params.reward_rate_per_block
    });
    if !pays(new) {
        state.delete(keys::with_id(keys::PAYING, id));
    } else if !new.rewards_paused || rate_changed {
        state.put(keys::with_id(keys::PAYING, id), Vec::new());
    }
}

/// Ids of the consumers due at `now` (due time ≤ `now`) in the time-ordered `queue`, in time
/// order; reads only the due entries and the first one not due.
pub fn due(state: &dyn StateRead, queue: &[u8], now: BlockTime) -> Vec<u64> {
    let bound = keys::queued_upto(queue, now);
    state
        .scan_prefix(queue)
        .map(|(key, _)| key)
        .take_while(|key| {
            key.get(..bound.len())
                .is_some_and(|t| t <= bound.as_slice())
        })
        .filter_map(|key| keys::u64_at(&key, bound.len()))
        .collect()
}

/// Puts launched consumer `id` in the epoch queue at `height` (replacing its entry).
pub fn schedule_epoch(state: &mut dyn StateWrite, id: u64, height: u64) {
    unschedule_epoch(state, id);
    state.put(keys::epoch_due(height, id), Vec::new());
    state.put(
        keys::with_id(keys::EPOCH_AT, id),
        height.to_be_bytes().to_vec(),
    );
}

/// Takes consumer `id` out of the epoch queue.
pub fn unschedule_epoch(state: &mut dyn StateWrite, id: u64) {
    let at = keys::with_id(keys::EPOCH_AT, id);
    if let Some(height) = state.get(&at).and_then(|b| keys::u64_at(&b, 0)) {
        state.delete(keys::epoch_due(height, id));
    }
    state.delete(at);
}

/// Ids of the launched consumers whose epoch check is due at `height` (queued at or below it),
/// ascending; reads only the due entries and the first one not due.
pub fn epochs_due(state: &dyn StateRead, height: u64) -> Vec<u64> {
    let skip = keys::EPOCH_DUE.len();
    let mut ids: Vec<u64> = state
        .scan_prefix(keys::EPOCH_DUE)
        .map(|(key, _)| key)
        .take_while(|key| keys::u64_at(key, skip).is_some_and(|h| h <= height))
        .filter_map(|key| keys::u64_at(&key, skip + 8))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The launched consumers that pay rewards this block, ascending.
pub fn paying(state: &dyn StateRead) -> Vec<u64> {
    state
        .scan_prefix(keys::PAYING)
        .filter_map(|(key, _)| keys::u64_at(&key, keys::PAYING.len()))
        .collect()
}

/// Takes consumer `id` out of the reward index: its pool can pay nothing.
pub fn sleep_rewards(state: &mut dyn StateWrite, id: u64) {
    state.delete(keys::with_id(keys::PAYING, id));
}

/// Puts `consumer` back in the reward index when it pays rewards (its pool was funded): the
/// next block pays, or finds it still cannot.
pub fn wake_rewards(state: &mut dyn StateWrite, consumer: &Consumer) {
    if pays(consumer) {
        state.put(keys::with_id(keys::PAYING, consumer.id), Vec::new());
    }
}
