//! Unbonding delegations: `MsgUndelegate`, `MsgCancelUnbondingDelegation` and maturity at end
//! block through a time-ordered queue.

use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    BondStatus, Params, UnbondingDelegation, UnbondingDelegationEntry,
};
use cosmos_sdk_proto::Timestamp;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{
    Amount, BlockContext, BlockScope, BlockTime, Event, Events, Scope, StateRead, StateReadExt,
    StateWrite, StateWriteExt,
};

use crate::bank::Pool;
use crate::delegation::{self, Funding};
use crate::errors::{err, StakingCode};
use crate::hooks::StakingPorts;
use crate::keys;
use crate::params;
use crate::validator;
use rampart_core::wire::{
    add_duration, block_time, coin_string, int_from_wire, int_to_wire, rfc3339, timestamp,
};
use rampart_core::{Address, ChainProfile};

/// Returns and advances the unbonding-id sequence shared by unbonding and redelegation entries.
pub fn next_unbonding_id(state: &mut dyn StateWrite) -> u64 {
    let id = state
        .get(keys::NEXT_UNBONDING_ID)
        .and_then(|b| b.as_slice().try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(1);
    state.put(
        keys::NEXT_UNBONDING_ID.to_vec(),
        id.saturating_add(1).to_be_bytes().to_vec(),
    );
    id
}

/// Loads the unbonding delegation of `(delegator, op)`.
pub fn load(
    state: &dyn StateRead,
    delegator: &Address,
    op: &Address,
) -> AppResult<Option<UnbondingDelegation>> {
    state
        .get_proto::<UnbondingDelegation>(&keys::unbonding(delegator, op))
        .map_err(|e| AppError::sdk(SdkCode::Logic, format!("corrupt unbonding delegation: {e}")))
}

/// Stores an unbonding delegation, or deletes it (and its index) when it has no entries.
pub fn save(
    state: &mut dyn StateWrite,
    delegator: &Address,
    op: &Address,
    ubd: &UnbondingDelegation,
) {
    if ubd.entries.is_empty() {
        state.delete(keys::unbonding(delegator, op));
        state.delete(keys::unbonding_by_val(op, delegator));
    } else {
        state.put_proto(keys::unbonding(delegator, op), ubd);
        state.put(keys::unbonding_by_val(op, delegator), Vec::new());
    }
}

/// An entry's remaining balance.
pub fn balance(entry: &UnbondingDelegationEntry) -> AppResult<Amount> {
    int_from_wire(&entry.balance, "unbonding balance")
}

/// An entry's completion time.
pub fn completion(entry: &UnbondingDelegationEntry) -> AppResult<BlockTime> {
    completion_time(entry.completion_time.as_ref())
}

/// An unbonding or redelegation entry's completion time (the epoch when absent).
pub fn completion_time(time: Option<&Timestamp>) -> AppResult<BlockTime> {
    time.map(block_time)
        .transpose()
        .map(Option::unwrap_or_default)
}

/// What a new unbonding or redelegation entry starts with.
pub struct NewEntry {
    /// Its completion time: one unbonding period after the block's time.
    pub done: BlockTime,
    /// Its creation height: the block's.
    pub height: i64,
    /// Its unbonding id, from the sequence both kinds share.
    pub id: u64,
}

impl NewEntry {
    /// Starts an entry in `block` under the parameters `p`, advancing the unbonding-id sequence.
    pub fn start(state: &mut dyn StateWrite, p: &Params, block: &BlockContext) -> AppResult<Self> {
        let done = add_duration(block.time, &params::unbonding_time(p))?;
        let height = i64::try_from(block.height)
            .map_err(|_| AppError::sdk(SdkCode::Logic, "height overflows i64"))?;
        let id = next_unbonding_id(state);
        Ok(Self { done, height, id })
    }
}

/// Undelegates `amount` tokens of `delegator` from `op`; returns the completion time and the
/// tokens that will be returned.
pub fn undelegate(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    block: &BlockContext,
    delegator: &Address,
    op: &Address,
    amount: Amount,
    events: &mut Events,
) -> AppResult<(BlockTime, Amount)> {
    let profile = &block.profile;
    let p = params::load(state)?;
    let mut v = validator::must_load(state, op)?;
    let mut ubd = load(state, delegator, op)?.unwrap_or_else(|| UnbondingDelegation {
        delegator_address: profile.to_account(delegator),
        validator_address: profile.to_valoper(op),
        entries: Vec::new(),
    });
    if ubd.entries.len() >= p.max_entries as usize {
        return Err(err(
            StakingCode::MaxUnbondingDelegationEntries,
            "too many unbonding delegation entries for (delegator, validator) tuple",
        ));
    }
    let remove = delegation::shares_to_withdraw(state, delegator, &v, amount)?;
    let was_bonded = v.status == BondStatus::Bonded;
    let tokens = delegation::unbond(state, ports, delegator, &mut v, remove, events)?;
    if tokens.is_zero() {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "undelegation amount truncates to zero tokens",
        ));
    }
    if was_bonded {
        ports
            .bank
            .move_pool(state, Pool::Bonded, Pool::NotBonded, tokens)?;
    }
    let entry = NewEntry::start(state, &p, block)?;
    ubd.entries.push(UnbondingDelegationEntry {
        creation_height: entry.height,
        completion_time: Some(timestamp(entry.done)),
        initial_balance: int_to_wire(tokens),
        balance: int_to_wire(tokens),
        unbonding_id: entry.id,
        unbonding_on_hold_ref_count: 0,
    });
    save(state, delegator, op, &ubd);
    state.put(keys::unbonding_queue(entry.done, delegator, op), Vec::new());
    Ok((entry.done, tokens))
}

/// Returns `amount` of the entry created at `creation_height` to the delegation.
pub fn cancel(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    delegator: &Address,
    op: &Address,
    amount: Amount,
    creation_height: i64,
    events: &mut Events,
) -> AppResult<()> {
    let mut v = validator::must_load(state, op)?;
    if v.jailed {
        return Err(err(
            StakingCode::ValidatorJailed,
            "validator for this address is currently jailed",
        ));
    }
    let mut ubd = load(state, delegator, op)?.ok_or_else(|| {
        err(
            StakingCode::NoUnbondingDelegation,
            "no unbonding delegation found",
        )
    })?;
    let index = ubd
        .entries
        .iter()
        .position(|e| e.creation_height == creation_height)
        .ok_or_else(|| {
            err(
                StakingCode::UnbondingNotFound,
                format!(
                    "unbonding delegation entry is not found at block height {creation_height}"
                ),
            )
        })?;
    let entry = &mut ubd.entries[index];
    let left = balance(entry)?.checked_sub(amount).map_err(|_| {
        AppError::sdk(
            SdkCode::InvalidRequest,
            "amount is greater than the unbonding delegation entry balance",
        )
    })?;
    if left.is_zero() {
        ubd.entries.remove(index);
    } else {
        let initial = int_from_wire(&entry.initial_balance, "initial balance")?;
        entry.balance = int_to_wire(left);
        entry.initial_balance = int_to_wire(initial.checked_sub(amount).unwrap_or_default());
    }
    delegation::delegate(
        state,
        ports,
        delegator,
        &mut v,
        amount,
        Funding::Pool(Pool::NotBonded),
        events,
    )?;
    save(state, delegator, op, &ubd);
    Ok(())
}

/// Pays out every unbonding entry whose completion time is ≤ the block's time.
pub fn mature(block: BlockScope<'_>, ports: StakingPorts<'_>, bond_denom: &str) -> AppResult<()> {
    let Scope { state, ctx, events } = block;
    let (profile, now) = (&ctx.profile, ctx.time);
    for [delegator, op] in take_due(state, keys::UNBONDING_QUEUE, now) {
        let Some(mut ubd) = load(state, &delegator, &op)? else {
            continue;
        };
        let mut paid = Amount::ZERO;
        let mut kept = Vec::with_capacity(ubd.entries.len());
        for entry in ubd.entries {
            if completion(&entry)? <= now {
                paid = paid.checked_add(balance(&entry)?)?;
            } else {
                kept.push(entry);
            }
        }
        ubd.entries = kept;
        save(state, &delegator, &op, &ubd);
        if !paid.is_zero() {
            ports
                .bank
                .undelegate_coins(state, Pool::NotBonded, &delegator, paid)?;
        }
        events.push(
            Event::new("complete_unbonding")
                .attr("amount", coin_string(paid, bond_denom))
                .attr("validator", profile.to_valoper(&op))
                .attr("delegator", profile.to_account(&delegator)),
        );
    }
    Ok(())
}

/// Removes the keys of the time queue `prefix` that are due at `now` ([`due_keys`]) and returns
/// the `N` addresses each one names after its time, in time order.
pub fn take_due<const N: usize>(
    state: &mut dyn StateWrite,
    prefix: &[u8],
    now: BlockTime,
) -> Vec<[Address; N]> {
    let mut due = Vec::new();
    for key in due_keys(state, prefix, now) {
        state.delete(key.clone());
        due.extend(addresses(&key, prefix.len() + 12));
    }
    due
}

/// The `N` consecutive addresses of `key` from byte `start`, when the key holds them.
pub fn addresses<const N: usize>(key: &[u8], start: usize) -> Option<[Address; N]> {
    let mut out = [Address::default(); N];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = keys::addr_at(key, start + 20 * i)?;
    }
    Some(out)
}

/// Keys of a time queue whose time part is ≤ `now`, in time order.
pub fn due_keys(state: &dyn StateRead, prefix: &[u8], now: BlockTime) -> Vec<Vec<u8>> {
    let limit = rampart_core::wire::time_key(now);
    state
        .scan_prefix(prefix)
        .map(|(key, _)| key)
        .take_while(|key| {
            key.get(prefix.len()..prefix.len() + 12)
                .is_some_and(|t| t <= &limit[..])
        })
        .collect()
}

/// Rounds out the event of an undelegation, naming addresses with `profile`'s prefixes.
pub fn unbond_event(
    profile: &ChainProfile,
    delegator: &Address,
    op: &Address,
    amount: Amount,
    denom: &str,
    done: BlockTime,
) -> Event {
    Event::new("unbond")
        .attr("validator", profile.to_valoper(op))
        .attr("delegator", profile.to_account(delegator))
        .attr("amount", coin_string(amount, denom))
        .attr("completion_time", rfc3339(done))
}

/// Every unbonding delegation whose key starts with `prefix`: a prefix of the by-validator
/// index (`ubdv/ ‖ op …`) when `by_val`, else of the primary keys (`ubd/ ‖ delegator …`).
pub fn list(
    state: &dyn StateRead,
    prefix: &[u8],
    by_val: bool,
) -> AppResult<Vec<UnbondingDelegation>> {
    let base = if by_val {
        keys::UNBONDING_BY_VAL.len()
    } else {
        keys::UNBONDING.len()
    };
    let mut out = Vec::new();
    for (key, _) in state.scan_prefix(prefix) {
        let Some([a, b]) = addresses(&key, base) else {
            continue;
        };
        let (delegator, op) = if by_val { (b, a) } else { (a, b) };
        if let Some(ubd) = load(state, &delegator, &op)? {
            out.push(ubd);
        }
    }
    Ok(out)
}
