//! Redelegations: `MsgBeginRedelegate` (no self or transitive redelegation, entry limits) and
//! expiry of entries at end block. Entries keep the tokens slashable at the source.

use cosmos_sdk_proto::cosmos::staking::v1beta1::{BondStatus, Redelegation, RedelegationEntry};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Amount, BlockTime, Events, StateRead, StateReadExt, StateWrite, StateWriteExt};

use crate::delegation::{self, Funding};
use crate::errors::{err, StakingCode};
use crate::hooks::StakingPorts;
use crate::keys;
use crate::params;
use crate::unbonding::{addresses, completion_time, take_due, NewEntry};
use crate::validator;
use rampart_core::wire::{dec_to_wire, int_to_wire, timestamp};
use rampart_core::{Address, BlockContext};

/// Loads the redelegation `(delegator, src, dst)`.
pub fn load(
    state: &dyn StateRead,
    delegator: &Address,
    src: &Address,
    dst: &Address,
) -> AppResult<Option<Redelegation>> {
    state
        .get_proto::<Redelegation>(&keys::redelegation(delegator, src, dst))
        .map_err(|e| AppError::sdk(SdkCode::Logic, format!("corrupt redelegation: {e}")))
}

/// Stores a redelegation and its indexes, or deletes them all when it has no entries.
pub fn save(
    state: &mut dyn StateWrite,
    delegator: &Address,
    src: &Address,
    dst: &Address,
    red: &Redelegation,
) {
    let index = [
        keys::redelegation_by_src(src, delegator, dst),
        keys::redelegation_by_dst(dst, delegator, src),
    ];
    if red.entries.is_empty() {
        state.delete(keys::redelegation(delegator, src, dst));
        for key in index {
            state.delete(key);
        }
    } else {
        state.put_proto(keys::redelegation(delegator, src, dst), red);
        for key in index {
            state.put(key, Vec::new());
        }
    }
}

/// An entry's completion time.
pub fn completion(entry: &RedelegationEntry) -> AppResult<BlockTime> {
    completion_time(entry.completion_time.as_ref())
}

/// Moves `amount` tokens of `delegator`'s delegation from `src` to `dst` in `block`; returns the
/// completion time (the block's time when the source is unbonded, in which case no entry is
/// kept).
#[allow(clippy::too_many_arguments)]
pub fn redelegate(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    block: &BlockContext,
    delegator: &Address,
    src: &Address,
    dst: &Address,
    amount: Amount,
    events: &mut Events,
) -> AppResult<BlockTime> {
    let profile = &block.profile;
    if src == dst {
        return Err(err(
            StakingCode::SelfRedelegation,
            "cannot redelegate to the same validator",
        ));
    }
    let p = params::load(state)?;
    let mut source = validator::load(state, src)?.ok_or_else(|| {
        err(
            StakingCode::BadRedelegationSrc,
            "redelegation source validator not found",
        )
    })?;
    let mut dest = validator::load(state, dst)?.ok_or_else(|| {
        err(
            StakingCode::BadRedelegationDst,
            "redelegation destination validator not found",
        )
    })?;
    let incoming = keys::join(keys::REDELEGATION_BY_DST, &[src, delegator]);
    if state.scan_prefix(&incoming).next().is_some() {
        return Err(err(
            StakingCode::TransitiveRedelegation,
            "redelegation to this validator already in progress; first redelegation to this validator must complete before next redelegation",
        ));
    }
    let mut red = load(state, delegator, src, dst)?.unwrap_or_else(|| Redelegation {
        delegator_address: profile.to_account(delegator),
        validator_src_address: profile.to_valoper(src),
        validator_dst_address: profile.to_valoper(dst),
        entries: Vec::new(),
    });
    if red.entries.len() >= p.max_entries as usize {
        return Err(err(
            StakingCode::MaxRedelegationEntries,
            "too many redelegation entries for (delegator, src-validator, dst-validator) tuple",
        ));
    }
    let remove = delegation::shares_to_withdraw(state, delegator, &source, amount)?;
    let source_pool = source.pool();
    let source_unbonded = source.status == BondStatus::Unbonded;
    let tokens = delegation::unbond(state, ports, delegator, &mut source, remove, events)?;
    if tokens.is_zero() {
        return Err(err(
            StakingCode::TinyRedelegationAmount,
            "too few tokens to redelegate (truncates to zero tokens)",
        ));
    }
    let shares_dst = delegation::delegate(
        state,
        ports,
        delegator,
        &mut dest,
        tokens,
        Funding::Pool(source_pool),
        events,
    )?;
    if source_unbonded {
        return Ok(block.time);
    }
    let entry = NewEntry::start(state, &p, block)?;
    red.entries.push(RedelegationEntry {
        creation_height: entry.height,
        completion_time: Some(timestamp(entry.done)),
        initial_balance: int_to_wire(tokens),
        shares_dst: dec_to_wire(shares_dst),
        unbonding_id: entry.id,
        unbonding_on_hold_ref_count: 0,
    });
    save(state, delegator, src, dst, &red);
    let queued = keys::redelegation_queue(entry.done, delegator, src, dst);
    state.put(queued, Vec::new());
    Ok(entry.done)
}

/// Drops every redelegation entry whose completion time is ≤ `now` (its tokens are already
/// delegated to the destination; only the slashing liability ends).
pub fn mature(state: &mut dyn StateWrite, now: BlockTime) -> AppResult<()> {
    for [delegator, src, dst] in take_due(state, keys::REDELEGATION_QUEUE, now) {
        let Some(mut red) = load(state, &delegator, &src, &dst)? else {
            continue;
        };
        let mut kept = Vec::with_capacity(red.entries.len());
        for entry in red.entries {
            if completion(&entry)? > now {
                kept.push(entry);
            }
        }
        red.entries = kept;
        save(state, &delegator, &src, &dst, &red);
    }
    Ok(())
}

/// Every redelegation whose index key starts with `prefix` (by-source index when `by_src`,
/// else the primary `red/` keys).
pub fn list(state: &dyn StateRead, prefix: &[u8], by_src: bool) -> AppResult<Vec<Redelegation>> {
    let base = if by_src {
        keys::REDELEGATION_BY_SRC.len()
    } else {
        keys::REDELEGATION.len()
    };
    let mut out = Vec::new();
    for (key, _) in state.scan_prefix(prefix) {
        let Some([a, b, c]) = addresses(&key, base) else {
            continue;
        };
        let (delegator, src, dst) = if by_src { (b, a, c) } else { (a, b, c) };
        if let Some(red) = load(state, &delegator, &src, &dst)? {
            out.push(red);
        }
    }
    Ok(out)
}
