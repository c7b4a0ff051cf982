//! Phase transitions that need no pledges: removal (REGISTERED → DELETED at once, LAUNCHED →
//! STOPPED), deletion of stopped consumers one provider unbonding period after the stop, and
//! pending infraction parameters taking effect. Launches are decided by restaking, which sees
//! the pledges, and recorded through [`crate::ConsumerWrite`].

use rampart_bank::BankWrite;
use rampart_core::error::AppResult;
use rampart_core::{BlockTime, Event, Events, StateWrite};

use crate::hooks::ConsumerHooks;
use crate::state::{self, module_address};
use crate::types::{Consumer, Phase};
use rampart_core::coins;

/// Deletes `consumer` now: the deposit and what is left of the reward pool go back to the
/// owner, everything but the registry entry is removed, the phase becomes DELETED (its chain id
/// stays reserved: chain ids are never reused) and the hooks drop the pledges. Event
/// `consumer_deleted`.
pub fn delete(
    state: &mut dyn StateWrite,
    hooks: &dyn ConsumerHooks,
    mut consumer: Consumer,
    now: BlockTime,
    events: &mut Events,
) -> AppResult<()> {
    let pool = state::pool(state, consumer.id)?;
    let refund = coins::add(&consumer.deposit, &pool)?;
    if !refund.is_empty() {
        state.send(&module_address(), &consumer.owner, &refund, events)?;
    }
    state::clear(state, &consumer)?;
    consumer.phase = Phase::Deleted;
    consumer.delete_time = Some(now);
    consumer.deposit = Vec::new();
    consumer.pending = None;
    consumer.rewards_paused = false;
    let id = consumer.id;
    let chain_id = consumer.chain_id.clone();
    state::save(state, &consumer)?;
    hooks.after_consumer_deleted(state, id, events)?;
    events.push(
        Event::new("consumer_deleted")
            .attr("consumer_id", id.to_string())
            .attr("chain_id", chain_id)
            .attr("refund", rampart_bank::format_coins(&refund)),
    );
    Ok(())
}

/// Stops the launched consumers whose ccv timeout is due at `now` (unheard since
/// `last_heard_from + ccv_timeout_seconds`); reads only the due entries of the timeout queue.
pub fn stop_timed_out(
    state: &mut dyn StateWrite,
    now: BlockTime,
    provider_unbonding_seconds: u64,
    events: &mut Events,
) -> AppResult<()> {
    for id in state::timed_out(state, now) {
        let consumer = state::must_load(state, id)?;
        state::stop(
            state,
            consumer,
            now,
            provider_unbonding_seconds,
            "ccv_timeout",
            events,
        )?;
    }
    Ok(())
}

/// The begin-block transitions: stopped consumers whose deletion time has come are deleted;
/// pending infraction parameters whose time has come take effect (`consumer_params_applied`).
pub fn begin_block(
    state: &mut dyn StateWrite,
    hooks: &dyn ConsumerHooks,
    now: BlockTime,
    events: &mut Events,
) -> AppResult<()> {
    for id in state::ids_in_phase(state, Phase::Stopped) {
        let consumer = state::must_load(state, id)?;
        if consumer.delete_time.is_some_and(|t| t <= now) {
            delete(state, hooks, consumer, now, events)?;
        }
    }
    let mut live = state::ids_in_phase(state, Phase::Registered);
    live.extend(state::ids_in_phase(state, Phase::Launched));
    for id in live {
        let mut consumer = state::must_load(state, id)?;
        let Some(pending) = consumer.pending else {
            continue;
        };
        if pending.effective_time > now {
            continue;
        }
        consumer.params.double_sign = pending.double_sign;
        consumer.params.downtime = pending.downtime;
        consumer.pending = None;
        state::save(state, &consumer)?;
        events.push(
            Event::new("consumer_params_applied")
                .attr("consumer_id", id.to_string())
                .attr(
                    "double_sign_slash_fraction",
                    pending.double_sign.slash_fraction.to_string(),
                )
                .attr(
                    "downtime_slash_fraction",
                    pending.downtime.slash_fraction.to_string(),
                ),
        );
    }
    Ok(())
}
