//! Consumer rewards: each block, every LAUNCHED consumer in the reward index
//! (`consumer/paying/`, [`crate::queues`]: a reward rate, payments not paused) pays
//! `reward_rate_per_block` from its
//! reward pool to the validators of the set it last received, in proportion to their consumer
//! power. (A validator slashed for an infraction on the consumer keeps its share until
//! the next epoch's packet takes it out of that set.) Each validator's share goes through distribution's
//! [`rampart_distribution::allocate_to_validator`] — the same per-share reward index as the
//! provider's own rewards — with the validator's commission for this consumer
//! (`MsgSetConsumerCommission`, default its provider commission rate).
//!
//! Rounding: each share is rounded down; the dust stays in the pool. A denom the pool holds less
//! of than the rate pays what is left. When the pool can pay nothing the consumer's payments are
//! paused (`consumer_rewards_paused`, once) and it leaves the index — an idle consumer costs a
//! block nothing — until it is funded again or its rate changes (back in the index; the next
//! block pays, `consumer_rewards_resumed`). A share that cannot be allocated (a validator that no longer
//! exists, an amount beyond the decimal range) stays in the pool with a `consumer_reward_skipped`
//! event; it never halts the chain.

use rampart_bank::{format_coins, Coin};
use rampart_core::error::AppResult;
use rampart_core::math::mul_div;
use rampart_core::state::{apply_changes, Overlay};
use rampart_core::{Address, ChainProfile};
use rampart_core::{Amount, Event, Events, StateRead, StateWrite};
use rampart_staking::StakingRead;

use crate::state::{self, module_address};
use rampart_core::coins;

/// Pays the per-block rewards of the consumers in the reward index; events name validators with
/// `profile`'s operator prefix.
pub fn pay_all(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    events: &mut Events,
) -> AppResult<()> {
    for id in crate::queues::paying(state) {
        pay(state, profile, id, events)?;
    }
    Ok(())
}

fn pay(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    id: u64,
    events: &mut Events,
) -> AppResult<()> {
    let mut consumer = state::must_load(state, id)?;
    let rate = consumer.params.reward_rate_per_block.clone();
    if rate.is_empty() {
        return Ok(());
    }
    let set = state::validators(state, id)?;
    let total: u128 = set.iter().map(|v| u128::from(v.power)).sum();
    if total == 0 {
        return Ok(());
    }
    let mut pool = state::pool(state, id)?;
    let payable: Vec<Coin> = rate
        .iter()
        .map(|c| Coin {
            denom: c.denom.clone(),
            amount: c.amount.min(coins::amount_of(&pool, &c.denom)),
        })
        .filter(|c| !c.amount.is_zero())
        .collect();
    if payable.is_empty() {
        crate::queues::sleep_rewards(state, id);
        if !consumer.rewards_paused {
            consumer.rewards_paused = true;
            state::save(state, &consumer)?;
            events.push(
                Event::new("consumer_rewards_paused")
                    .attr("consumer_id", id.to_string())
                    .attr("reason", "reward pool empty"),
            );
        }
        return Ok(());
    }
    if consumer.rewards_paused {
        consumer.rewards_paused = false;
        state::save(state, &consumer)?;
        events.push(Event::new("consumer_rewards_resumed").attr("consumer_id", id.to_string()));
    }
    let mut paid: Vec<Coin> = Vec::new();
    for v in &set {
        let mut share = Vec::new();
        for coin in &payable {
            let amount = mul_div(coin.amount.0, u128::from(v.power), total, false)?;
            if amount > 0 {
                share.push(Coin {
                    denom: coin.denom.clone(),
                    amount: Amount(amount),
                });
            }
        }
        if share.is_empty() {
            continue;
        }
        match allocate(state, profile, id, &v.operator, &share) {
            Ok((changes, mut own_events)) => {
                apply_changes(state, changes);
                events.append(&mut own_events);
                pool = coins::sub(&pool, &share)?;
                paid = coins::add(&paid, &share)?;
            }
            Err(reason) => events.push(
                Event::new("consumer_reward_skipped")
                    .attr("consumer_id", id.to_string())
                    .attr("validator", profile.to_valoper(&v.operator))
                    .attr("reason", reason),
            ),
        }
    }
    state::set_pool(state, id, &pool);
    if !paid.is_empty() {
        events.push(
            Event::new("consumer_rewards")
                .attr("consumer_id", id.to_string())
                .attr("amount", format_coins(&paid)),
        );
    }
    Ok(())
}

/// Allocates `share` to `op` on a scratch overlay; returns its writes and events, or why not.
fn allocate(
    state: &dyn StateWrite,
    profile: &ChainProfile,
    id: u64,
    op: &Address,
    share: &[Coin],
) -> Result<(rampart_core::Changes, Events), String> {
    let base: &dyn StateRead = &state;
    let validator = base
        .validator(op)
        .map_err(|e| e.log)?
        .ok_or_else(|| "validator no longer exists".to_owned())?;
    let rate = state::commission(base, id, op)
        .map_err(|e| e.log)?
        .unwrap_or(validator.commission.rate);
    let mut scratch = Overlay::new(base);
    let mut events = Events::new();
    rampart_distribution::allocate_to_validator(
        &mut scratch,
        profile,
        &module_address(),
        op,
        share,
        rampart_distribution::Terms {
            commission_rate: Some(rate),
            backers: Some(id),
        },
        &mut events,
    )
    .map_err(|e| e.log)?;
    let (_, changes) = scratch.into_parts();
    Ok((changes, events))
}
