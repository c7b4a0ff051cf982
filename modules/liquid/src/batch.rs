//! Unbonding batches: the unstake requests of one epoch go out together.
//!
//! - **Request** (`MsgLiquidUnstake`): the tokens move to the module account (escrow) and a
//!   record joins the open batch. Until the batch goes out the tokens stay in the supply and
//!   their stake keeps earning and keeps being slashable, like everyone's.
//! - **Epoch** ([`undelegate_open`], begin block; requests of the epoch's own block join the
//!   next batch): the batch's tokens are burned and their value at this
//!   epoch's rate (rounded down, and at most what is delegated) is undelegated from the module's validators pro rata to its
//!   stake there. Staking's unbonding entries it creates are recorded in the batch by unbonding
//!   id, and the batch is queued by their completion time. When staking refuses (an entry limit
//!   of `max_entries` per validator is full, an amount too small) the whole batch waits for the
//!   next epoch: nothing is changed, an event says why.
//! - **Settlement** ([`settle_due`], begin block): at the first block whose time reaches the
//!   completion, the batch's entries are read. No slash can cut them any more (staking skips
//!   mature entries), and staking pays exactly their balances to the module account in this
//!   block's end block: that is what the batch gets back, `returned`.
//! - **Payment** ([`pay_settled`], end block, after staking's): each record gets
//!   `liquid_amount × returned / liquid_total`, rounded down, so the records never get more than
//!   staking returned; the dust stays in the module account and is re-delegated for the
//!   remaining holders. A slash during unbonding therefore falls on the batch's records in
//!   proportion to their tokens, exactly as staking applied it to the entries.
//!
//! Work: a request is O(1); an epoch O(validators of the module); a block settles and pays only
//! due batches, each O(its entries + its records).

use rampart_bank::{BankWrite, Coin};
use rampart_core::error::AppResult;
use rampart_core::math::mul_div;
use rampart_core::state::Overlay;
use rampart_core::wire::{rfc3339, time_key};
use rampart_core::{Amount, BlockContext, ChainProfile, Changes, Event, Events};
use rampart_core::{StateRead, StateWrite};
use rampart_staking::{unbonding, StakingPorts};

use crate::allocate;
use crate::rate::{self, Backing};
use crate::records::{self, Batch};
use crate::{keys, module_address, LIQUID_DENOM};

/// Undelegates the open batch (at an epoch): see the module docs. Never fails on staking's
/// refusal; the batch then waits.
pub fn undelegate_open(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &BlockContext,
    events: &mut Events,
) -> AppResult<()> {
    let id = records::open_batch_id(state);
    let Some(batch) = records::load_batch(state, id)? else {
        return Ok(());
    };
    if batch.liquid_total.is_zero() {
        return Ok(());
    }
    let outcome = {
        let base: &dyn StateRead = &*state;
        let mut scratch = Overlay::new(base);
        let mut own = Events::new();
        send_out(&mut scratch, ports, ctx, batch, &mut own)
            .map(|b| (scratch.into_parts().1, own, b))
    };
    match outcome {
        Ok((changes, mut own, batch)) => {
            apply(state, changes);
            events.append(&mut own);
            records::set_open_batch_id(state, id.saturating_add(1));
            prune_index(state)?;
            events.push(
                Event::new("liquid_batch_unbonding")
                    .attr("batch_id", id.to_string())
                    .attr("burned", batch.liquid_total.to_string())
                    .attr(
                        "undelegated",
                        batch.undelegated.unwrap_or_default().to_string(),
                    )
                    .attr(
                        "completion_time",
                        batch.completion.map(rfc3339).unwrap_or_default(),
                    ),
            );
        }
        Err(e) => events.push(
            Event::new("liquid_batch_postponed")
                .attr("batch_id", id.to_string())
                .attr("reason", e.log),
        ),
    }
    Ok(())
}

fn apply(state: &mut dyn StateWrite, changes: Changes) {
    rampart_core::state::apply_changes(state, changes);
}

/// Burns the batch's tokens and undelegates their value; the batch, completed.
fn send_out(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &BlockContext,
    mut batch: Batch,
    events: &mut Events,
) -> AppResult<Batch> {
    let backing = Backing::load(state)?;
    // Value in the module account that did not fit a delegation (dust) is not undelegated: the
    // claim is capped at what is delegated, in the module's favour.
    let claim = backing.redeem(batch.liquid_total)?.min(backing.delegated);
    let module = module_address();
    state.burn(
        &module,
        &[Coin::new(LIQUID_DENOM, batch.liquid_total.0)],
        events,
    )?;
    let mut undelegated = Amount::ZERO;
    let mut done = None;
    for (op, part) in allocate::pro_rata(claim, &backing.per_validator)? {
        let (completion, tokens) =
            unbonding::undelegate(state, ports, ctx, &module, &op, part, events)?;
        let entry = unbonding::load(state, &module, &op)?
            .and_then(|ubd| ubd.entries.last().map(|e| e.unbonding_id))
            .unwrap_or_default();
        batch.entries.push((op, entry));
        undelegated = undelegated.checked_add(tokens)?;
        done = Some(completion);
    }
    batch.undelegated = Some(undelegated);
    // Without any entry (a batch worth nothing) it completes at once.
    batch.completion = Some(done.unwrap_or(ctx.time));
    records::save_batch(state, &batch);
    Ok(batch)
}

/// Removes the index entries of validators the module no longer delegates to.
fn prune_index(state: &mut dyn StateWrite) -> AppResult<()> {
    for op in rate::indexed_validators(state) {
        if rampart_staking::StakingRead::delegation_shares(state, &module_address(), &op)?.is_none()
        {
            state.delete(keys::validator(&op));
        }
    }
    Ok(())
}

/// Settles the batches whose completion time is ≤ the block's time (begin block): records what
/// their staking entries hold now, which staking pays to the module account at this block's
/// end block.
pub fn settle_due(state: &mut dyn StateWrite, ctx: &BlockContext) -> AppResult<()> {
    let limit = time_key(ctx.time);
    let due: Vec<Vec<u8>> = state
        .scan_prefix(keys::DUE)
        .map(|(key, _)| key)
        .take_while(|key| {
            key.get(keys::DUE.len()..keys::DUE.len() + 12)
                .is_some_and(|t| t <= &limit[..])
        })
        .collect();
    let module = module_address();
    for key in due {
        state.delete(key.clone());
        let Some(id) = keys::u64_at(&key, keys::DUE.len() + 12) else {
            continue;
        };
        let Some(mut batch) = records::load_batch(state, id)? else {
            continue;
        };
        let mut returned = Amount::ZERO;
        for (op, entry_id) in &batch.entries {
            let Some(ubd) = unbonding::load(state, &module, op)? else {
                continue;
            };
            for entry in ubd.entries.iter().filter(|e| e.unbonding_id == *entry_id) {
                returned = returned.checked_add(unbonding::balance(entry)?)?;
            }
        }
        batch.returned = Some(returned);
        records::save_batch(state, &batch);
        state.put(keys::settled(id), Vec::new());
    }
    Ok(())
}

/// Pays the records of the batches settled this block (end block, after staking paid the
/// module account) and deletes them.
pub fn pay_settled(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    events: &mut Events,
) -> AppResult<()> {
    let settled: Vec<u64> = state
        .scan_prefix(keys::SETTLED)
        .filter_map(|(key, _)| keys::u64_at(&key, keys::SETTLED.len()))
        .collect();
    let denom = rampart_staking::StakingRead::bond_denom(state)?;
    let module = module_address();
    for id in settled {
        state.delete(keys::settled(id));
        let Some(batch) = records::load_batch(state, id)? else {
            continue;
        };
        let returned = batch.returned.unwrap_or_default();
        for record in records::records_of_batch(state, id)? {
            let pay = if batch.liquid_total.is_zero() {
                0
            } else {
                mul_div(
                    record.liquid_amount.0,
                    returned.0,
                    batch.liquid_total.0,
                    false,
                )?
            };
            if pay > 0 {
                state.send(
                    &module,
                    &record.owner,
                    &[Coin::new(denom.clone(), pay)],
                    events,
                )?;
            }
            records::remove_record(state, &record);
            events.push(
                Event::new("liquid_unbonding_paid")
                    .attr("record_id", record.id.to_string())
                    .attr("owner", profile.to_account(&record.owner))
                    .attr(
                        "amount",
                        rampart_core::wire::coin_string(Amount(pay), &denom),
                    ),
            );
        }
        records::remove_batch(state, id);
    }
    Ok(())
}
