//! The active set: the power index (descending power, ties by operator bytes), the power last
//! sent to CometBFT, status transitions with their pool moves, and the end-block diff.

use std::collections::BTreeMap;

use cosmos_sdk_proto::cosmos::staking::v1beta1::BondStatus;
use rampart_core::error::AppResult;
use rampart_core::{BlockContext, StateRead, StateWrite, ValidatorUpdate};

use crate::bank::{transfer_between, Pool, StakingBank};
use crate::keys;
use crate::params;
use crate::unbonding::due_keys;
use crate::validator::{self, Validator};
use rampart_core::wire::add_duration;
use rampart_core::Address;

/// The top `max` validators of the power index with non-zero power, as `(operator, power)`.
pub fn next_active_set(state: &dyn StateRead, max: u32) -> Vec<(Address, u64)> {
    let base = keys::POWER.len();
    state
        .scan_prefix(keys::POWER)
        .filter_map(|(key, _)| {
            let inverted: [u8; 8] = key.get(base..base + 8)?.try_into().ok()?;
            let op = keys::addr_at(&key, base + 8)?;
            Some((op, u64::MAX - u64::from_be_bytes(inverted)))
        })
        .take_while(|(_, power)| *power > 0)
        .take(max as usize)
        .collect()
}

/// The power last sent to CometBFT for every validator in the current set.
pub fn last_powers(state: &dyn StateRead) -> BTreeMap<Address, u64> {
    let base = keys::LAST_POWER.len();
    state
        .scan_prefix(keys::LAST_POWER)
        .filter_map(|(key, value)| {
            let op = keys::addr_at(&key, base)?;
            let power: [u8; 8] = value.as_slice().try_into().ok()?;
            Some((op, u64::from_be_bytes(power)))
        })
        .collect()
}

fn bond(state: &mut dyn StateWrite, bank: &dyn StakingBank, v: &mut Validator) -> AppResult<()> {
    if v.status == BondStatus::Unbonding {
        state.delete(keys::validator_queue(v.unbonding_time, &v.operator));
    }
    transfer_between(bank, state, Pool::NotBonded, Pool::Bonded, v.tokens)?;
    v.status = BondStatus::Bonded;
    validator::save(state, v)
}

fn begin_unbonding(
    state: &mut dyn StateWrite,
    bank: &dyn StakingBank,
    ctx: &BlockContext,
    v: &mut Validator,
) -> AppResult<()> {
    let p = params::load(state)?;
    transfer_between(bank, state, Pool::Bonded, Pool::NotBonded, v.tokens)?;
    v.status = BondStatus::Unbonding;
    v.unbonding_height = i64::try_from(ctx.height).unwrap_or(i64::MAX);
    v.unbonding_time = add_duration(ctx.time, &params::unbonding_time(&p))?;
    state.put(
        keys::validator_queue(v.unbonding_time, &v.operator),
        Vec::new(),
    );
    validator::save(state, v)
}

/// Recomputes the active set and returns the CometBFT diff: validators entering or changing
/// power with their new power, validators leaving with power 0. Validators entering move to
/// Bonded, validators leaving start unbonding; their tokens follow between the pools.
pub fn apply_set_updates(
    state: &mut dyn StateWrite,
    bank: &dyn StakingBank,
    ctx: &BlockContext,
) -> AppResult<Vec<ValidatorUpdate>> {
    let p = params::load(state)?;
    let next = next_active_set(state, p.max_validators);
    let mut last = last_powers(state);
    let mut updates = Vec::new();
    for (op, power) in next {
        // Validators in the last set are Bonded; one whose power did not change needs no work,
        // so the cost beyond the index scan is O(changed validators).
        if last.remove(&op) == Some(power) {
            continue;
        }
        let mut v = validator::must_load(state, &op)?;
        if v.status != BondStatus::Bonded {
            bond(state, bank, &mut v)?;
        }
        updates.push(ValidatorUpdate {
            ed25519_pubkey: v.pubkey,
            power,
        });
        state.put(keys::last_power(&op), power.to_be_bytes().to_vec());
    }
    for op in last.into_keys() {
        state.delete(keys::last_power(&op));
        let mut v = validator::must_load(state, &op)?;
        if v.status == BondStatus::Bonded {
            begin_unbonding(state, bank, ctx, &mut v)?;
        }
        updates.push(ValidatorUpdate {
            ed25519_pubkey: v.pubkey,
            power: 0,
        });
    }
    Ok(updates)
}

/// Completes the unbonding of validators whose unbonding time is ≤ the block time; an unbonded
/// validator without shares is deleted (and `hooks` told).
pub fn mature_validators(
    state: &mut dyn StateWrite,
    hooks: &dyn crate::StakingHooks,
    ctx: &BlockContext,
    events: &mut rampart_core::Events,
) -> AppResult<()> {
    for key in due_keys(state, keys::VALIDATOR_QUEUE, ctx.time) {
        state.delete(key.clone());
        let Some(op) = keys::addr_at(&key, keys::VALIDATOR_QUEUE.len() + 12) else {
            continue;
        };
        if let Some(mut v) = validator::load(state, &op)? {
            if v.status == BondStatus::Unbonding {
                v.status = BondStatus::Unbonded;
                validator::save_or_remove(state, hooks, &v, events)?;
            }
        }
    }
    Ok(())
}
