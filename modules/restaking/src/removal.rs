//! A provider validator removed by staking (unbonded, no shares left) leaves restaking too
//! ([`RemovalHooks`], staking's `after_validator_removed`): its pledges, consumer keys and
//! delegators' pending consumer choices are forgotten (staking forgets the choices in force), so
//! a validator created later with the same operator address starts with none —
//! it opts in and assigns keys anew, like any new validator (as ICS drops key assignments when a
//! validator is removed).
//!
//! Its stake counted in the consumers' sets up to then belonged to the removed validator. As in
//! the Cosmos SDK, where evidence against a validator that no longer exists is dropped, that
//! stake is no longer slashable: for each consumer with sets, the last vsc id sent at the removal
//! is recorded (`restaking/removed/ ‖ id ‖ operator`), and an infraction charged to a set up to
//! it slashes nothing ([`counted_stake_removed`]). Jail records stay: a tombstone follows the
//! operator address.

use rampart_consumer::{sets, state as registry, Phase};
use rampart_core::{Address, AppResult, Event, Events, StateRead, StateWrite};
use rampart_staking::StakingHooks;

use crate::{consumer_keys, keys, pledge};

/// Restaking's staking hooks: forget a removed validator (see the module documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct RemovalHooks;

impl StakingHooks for RemovalHooks {
    fn after_validator_removed(
        &self,
        state: &mut dyn StateWrite,
        op: &Address,
        events: &mut Events,
    ) -> AppResult<()> {
        let mut pledges = 0u64;
        for id in registry::all_ids(state) {
            if pledge::load(state, id, op)?.is_some() {
                pledge::remove(state, id, op);
                pledges = pledges.saturating_add(1);
            }
            consumer_keys::remove_validator(state, id, op)?;
            let consumer = registry::must_load(state, id)?;
            if matches!(consumer.phase, Phase::Launched | Phase::Stopped) {
                let last = sets::last_sent(state, id)?;
                record(state, id, op, last);
            }
        }
        crate::choice::forget_validator(state, op);
        events.push(
            Event::new("restaking_validator_removed")
                .attr(
                    "validator",
                    rampart_core::ChainProfile::rampart().to_valoper(op),
                )
                .attr("pledges", pledges.to_string()),
        );
        Ok(())
    }
}

/// Records that `op` was removed from the provider when `vsc_id` was the last set sent to
/// consumer `id`.
pub fn record(state: &mut dyn StateWrite, id: u64, op: &Address, vsc_id: u64) {
    state.put(keys::removed(id, op), vsc_id.to_be_bytes().to_vec());
}

/// Whether the stake of `op` counted in consumer `id`'s set after `vsc_id` belonged to a
/// validator removed from the provider since.
pub fn counted_stake_removed(state: &dyn StateRead, id: u64, op: &Address, vsc_id: u64) -> bool {
    state
        .get(&keys::removed(id, op))
        .and_then(|value| keys::u64_at(&value, 0))
        .is_some_and(|removed_at| vsc_id <= removed_at)
}
