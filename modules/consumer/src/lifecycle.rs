//! Phase transitions that need no pledges: removal (REGISTERED → DELETED at once, LAUNCHED →
//! STOPPED), deletion of stopped consumers one provider unbonding period after the stop,
//! expiry of registered consumers that never launched, and pending parameters taking effect.
//! Launches are decided by restaking, which sees the pledges, and recorded through
//! [`crate::ConsumerWrite`]. Each begin block reads only the due entries of the time-ordered
//! queues ([`crate::queues`]).
//!
//! Money out: the deposit goes back to the owner through the bank's checked send (a module
//! account never receives it: it may not be an owner, and the send refuses it anyway). What is
//! left in the reward pool goes to the community pool, never to the owner: anyone may fund a
//! pool, and the owner must not collect what others paid in. An expired consumer forfeits
//! `expired_deposit_forfeit` of its deposit to the community pool as well.

use rampart_bank::{format_coins, BankWrite, Coin};
use rampart_core::error::AppResult;
use rampart_core::{Amount, BlockTime, Decimal, Event, Events, StateWrite};

use crate::entry::Consumer;
use crate::hooks::ConsumerHooks;
use crate::keys;
use crate::lists;
use crate::params;
use crate::queues;
use crate::state::{self, module_address};
use crate::types::Phase;
use rampart_core::coins;

/// Sends `amount` from the consumer module account to the community pool (nothing when empty).
fn to_community_pool(
    state: &mut dyn StateWrite,
    amount: &[Coin],
    events: &mut Events,
) -> AppResult<()> {
    if amount.is_empty() {
        return Ok(());
    }
    rampart_distribution::fund_community_pool(state, &module_address(), amount, events)
}

/// `fraction` of each coin of `coins`, rounded down (zero coins left out).
fn share(coins: &[Coin], fraction: Decimal) -> AppResult<Vec<Coin>> {
    let mut out = Vec::new();
    for c in coins {
        let amount: Amount = c.amount.mul_floor(fraction)?;
        if !amount.is_zero() {
            out.push(Coin {
                denom: c.denom.clone(),
                amount,
            });
        }
    }
    Ok(out)
}

/// Deletes `consumer` now: `forfeit` of its deposit (rounded down) and what is left of its
/// reward pool go to the community pool, the rest of the deposit back to the owner (checked
/// send; to the community pool too if the owner's address became a module account), everything but the registry entry is removed, the phase becomes DELETED (its chain id
/// stays reserved: chain ids are never reused) and the hooks drop the pledges. Event
/// `consumer_deleted{consumer_id, chain_id, refund, to_community_pool}`.
pub fn delete(
    state: &mut dyn StateWrite,
    hooks: &dyn ConsumerHooks,
    mut consumer: Consumer,
    now: BlockTime,
    forfeit: Decimal,
    events: &mut Events,
) -> AppResult<()> {
    let forfeited = share(&consumer.deposit, forfeit)?;
    let mut refund = coins::sub(&consumer.deposit, &forfeited)?;
    let mut community = coins::add(&forfeited, &state::pool(state, consumer.id)?)?;
    if state.check_receiver(&consumer.owner).is_err() {
        // Never an owner (refused at update and genesis), but an address may become a module
        // account later: its refund goes to the community, and the block never fails on it.
        community = coins::add(&community, &refund)?;
        refund = Vec::new();
    }
    if !refund.is_empty() {
        state.send_checked(&module_address(), &consumer.owner, &refund, events)?;
    }
    to_community_pool(state, &community, events)?;
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
            .attr("refund", format_coins(&refund))
            .attr("to_community_pool", format_coins(&community)),
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
    for id in queues::due(state, keys::TIMEOUT, now) {
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

/// Applies consumer `consumer`'s pending parameters (`consumer_params_applied`): the infraction
/// parameters, and the reward rate and lists when they changed.
fn apply_pending(
    state: &mut dyn StateWrite,
    mut consumer: Consumer,
    events: &mut Events,
) -> AppResult<()> {
    let Some(pending) = consumer.pending.take() else {
        return Ok(());
    };
    let id = consumer.id;
    consumer.params.double_sign = pending.double_sign;
    consumer.params.downtime = pending.downtime;
    let mut event = Event::new("consumer_params_applied")
        .attr("consumer_id", id.to_string())
        .attr(
            "double_sign_slash_fraction",
            pending.double_sign.slash_fraction.to_string(),
        )
        .attr(
            "downtime_slash_fraction",
            pending.downtime.slash_fraction.to_string(),
        );
    if let Some(rate) = pending.reward_rate_per_block {
        event = event.attr("reward_rate_per_block", format_coins(&rate));
        consumer.params.reward_rate_per_block = rate;
    }
    if pending.lists {
        let new = lists::load_pending(state, id)?;
        lists::store(state, id, &new);
        lists::store_pending(state, id, None);
        event = event
            .attr("allowlist", new.allowlist.len().to_string())
            .attr("denylist", new.denylist.len().to_string());
    }
    state::save(state, &consumer)?;
    events.push(event);
    Ok(())
}

/// The begin-block transitions, each reading only its queue's due entries: stopped consumers
/// whose deletion time has come are deleted; registered consumers whose registration expired
/// are deleted forfeiting part of their deposit (`consumer_expired`); pending parameters whose
/// time has come take effect (`consumer_params_applied`).
pub fn begin_block(
    state: &mut dyn StateWrite,
    hooks: &dyn ConsumerHooks,
    now: BlockTime,
    events: &mut Events,
) -> AppResult<()> {
    for id in queues::due(state, keys::DELETE_DUE, now) {
        let consumer = state::must_load(state, id)?;
        delete(state, hooks, consumer, now, Decimal::ZERO, events)?;
    }
    let expiring = queues::due(state, keys::EXPIRY_DUE, now);
    if !expiring.is_empty() {
        let forfeit = params::load(state)?.expired_deposit_forfeit;
        for id in expiring {
            let consumer = state::must_load(state, id)?;
            events.push(
                Event::new("consumer_expired")
                    .attr("consumer_id", id.to_string())
                    .attr("chain_id", consumer.chain_id.clone())
                    .attr("forfeit", forfeit.to_string()),
            );
            delete(state, hooks, consumer, now, forfeit, events)?;
        }
    }
    for id in queues::due(state, keys::PENDING_DUE, now) {
        let consumer = state::must_load(state, id)?;
        apply_pending(state, consumer, events)?;
    }
    Ok(())
}
