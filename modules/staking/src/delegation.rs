//! Delegations: storage, and the two primitives every message builds on — bonding tokens to a
//! validator for shares, and removing shares for tokens.

use cosmos_sdk_proto::cosmos::staking::v1beta1::Delegation as ProtoDelegation;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Amount, Decimal, Events, StateRead, StateReadExt, StateWrite, StateWriteExt};

use crate::backing::{self, Backing};
use crate::bank::{transfer_between, Pool};
use crate::errors::{err, StakingCode};
use crate::hooks::StakingPorts;
use crate::keys;
use crate::validator::{self, Validator};
use rampart_core::wire::{dec_from_wire, dec_to_wire};
use rampart_core::{Address, ChainProfile};

/// Where the tokens of a new delegation come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Funding {
    /// The delegator's account.
    Account,
    /// Tokens already held by a pool (redelegation, cancelled unbonding).
    Pool(Pool),
}

/// The SDK `Delegation` message for `(delegator, op, shares)`.
pub fn to_proto(delegator: &Address, op: &Address, shares: Decimal) -> ProtoDelegation {
    let profile = ChainProfile::rampart();
    ProtoDelegation {
        delegator_address: profile.to_account(delegator),
        validator_address: profile.to_valoper(op),
        shares: dec_to_wire(shares),
    }
}

/// The shares `delegator` holds in `op`, if any, in the validator's (weighted) shares: for a
/// delegation in a backing class, what its class shares are worth ([`backing`]).
pub fn shares(
    state: &dyn StateRead,
    delegator: &Address,
    op: &Address,
) -> AppResult<Option<Decimal>> {
    let Some(stored) = stored_shares(state, delegator, op)? else {
        return Ok(None);
    };
    match backing::class_of(state, delegator, op)? {
        None => Ok(Some(stored)),
        Some(class) => class.weighted(stored).map(Some),
    }
}

/// The shares stored in `delegator`'s delegation to `op`: weighted shares in the default class,
/// class shares in a backing class.
pub fn stored_shares(
    state: &dyn StateRead,
    delegator: &Address,
    op: &Address,
) -> AppResult<Option<Decimal>> {
    state
        .get_proto::<ProtoDelegation>(&keys::delegation(delegator, op))
        .map_err(|e| AppError::sdk(SdkCode::Logic, format!("corrupt delegation: {e}")))?
        .map(|d| dec_from_wire(&d.shares, "shares"))
        .transpose()
}

/// Writes (or, for zero shares, deletes) a delegation's stored shares and its by-validator
/// index (weighted shares in the default class, class shares in a backing class).
pub fn set_stored_shares(
    state: &mut dyn StateWrite,
    delegator: &Address,
    op: &Address,
    shares: Decimal,
) {
    if shares == Decimal::ZERO {
        state.delete(keys::delegation(delegator, op));
        state.delete(keys::delegation_by_val(op, delegator));
    } else {
        state.put_proto(
            keys::delegation(delegator, op),
            &to_proto(delegator, op, shares),
        );
        state.put(keys::delegation_by_val(op, delegator), Vec::new());
    }
}

/// Bonds `amount` tokens from `funding` to validator `v` for `delegator`; moves the tokens into
/// the validator's pool, saves the validator and the delegation, and returns the new shares.
pub fn delegate(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    delegator: &Address,
    v: &mut Validator,
    amount: Amount,
    funding: Funding,
    events: &mut Events,
) -> AppResult<Decimal> {
    ports
        .hooks
        .before_delegation_shares_change(state, delegator, v, events)?;
    let new_shares = v.add_tokens(amount)?;
    if new_shares == Decimal::ZERO {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "delegation amount is too small to buy any shares",
        ));
    }
    match funding {
        Funding::Account => ports
            .bank
            .delegate_coins(state, delegator, v.pool(), amount)?,
        Funding::Pool(from) => transfer_between(ports.bank, state, from, v.pool(), amount)?,
    }
    let stored_new = match backing::class_of(state, delegator, &v.operator)? {
        None => new_shares,
        Some(mut class) => {
            let issued = class.credit(new_shares)?;
            class.save(state);
            issued
        }
    };
    if stored_new == Decimal::ZERO {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "delegation amount is too small to buy any shares of its backing class",
        ));
    }
    let held = stored_shares(state, delegator, &v.operator)?.unwrap_or_default();
    set_stored_shares(state, delegator, &v.operator, held.checked_add(stored_new)?);
    validator::save(state, v)?;
    Ok(new_shares)
}

/// The shares to remove for withdrawing `amount` tokens of `delegator`'s delegation to `v`
/// (rounded up, capped at the delegation); `staking/22` when the delegation is too small.
pub fn shares_to_withdraw(
    state: &dyn StateRead,
    delegator: &Address,
    v: &Validator,
    amount: Amount,
) -> AppResult<Decimal> {
    let held = shares(state, delegator, &v.operator)?.ok_or_else(|| {
        err(
            StakingCode::NoDelegation,
            "no delegation for (address, validator) tuple",
        )
    })?;
    let floor = v.shares_for_tokens(amount)?;
    if floor > held {
        return Err(err(
            StakingCode::InsufficientShares,
            format!(
                "invalid shares amount: requested {amount} tokens, delegation is worth {}: insufficient delegation shares",
                v.tokens_for_shares(held)?
            ),
        ));
    }
    Ok(v.shares_for_tokens_ceil(amount)?.min(held))
}

/// Removes `remove` shares of `delegator` from `v` and returns the tokens they were worth (which
/// stay in the validator's pool; the caller moves them). A self-delegation that falls below the
/// validator's minimum jails it. Saves the validator (or removes an empty unbonded one).
pub fn unbond(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    delegator: &Address,
    v: &mut Validator,
    remove: Decimal,
    events: &mut Events,
) -> AppResult<Amount> {
    ports
        .hooks
        .before_delegation_shares_change(state, delegator, v, events)?;
    let insufficient = || {
        err(
            StakingCode::InsufficientShares,
            "not enough delegation shares",
        )
    };
    let held = stored_shares(state, delegator, &v.operator)?.unwrap_or_default();
    let (remaining, remove, remaining_weighted) =
        match backing::class_of(state, delegator, &v.operator)? {
            None => {
                let remaining = held.checked_sub(remove).map_err(|_| insufficient())?;
                (remaining, remove, remaining)
            }
            Some(mut class) => {
                if remove > class.weighted(held)? {
                    return Err(insufficient());
                }
                let (given, leaving) = class.debit(remove, held)?;
                class.save(state);
                let remaining = held.checked_sub(given)?;
                (remaining, leaving, class.weighted(remaining)?)
            }
        };
    set_stored_shares(state, delegator, &v.operator, remaining);
    let tokens = v.remove_shares(remove)?;
    if *delegator == v.operator
        && !v.jailed
        && v.tokens_for_shares(remaining_weighted)? < v.min_self_delegation
    {
        v.jailed = true;
    }
    validator::save_or_remove(state, ports.hooks, v, events)?;
    Ok(tokens)
}

/// Moves `delegator`'s delegation to `op` (and its future delegations there) into the class of
/// `backing`: pending rewards are settled first (`before_delegation_shares_change`), the
/// delegation keeps its weighted shares (rounded down to what its old class holds for it), and
/// listeners hear `after_backing_change`. Nothing to do when the choice is unchanged.
pub fn set_backing(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    delegator: &Address,
    op: &Address,
    backing: &Backing,
    events: &mut Events,
) -> AppResult<()> {
    let old = backing::class_of(state, delegator, op)?;
    if old
        .as_ref()
        .map_or(backing.is_all(), |c| &c.backing == backing)
    {
        return Ok(());
    }
    let v = validator::must_load(state, op)?;
    let stored = stored_shares(state, delegator, op)?.unwrap_or_default();
    if stored != Decimal::ZERO {
        ports
            .hooks
            .before_delegation_shares_change(state, delegator, &v, events)?;
    }
    let weighted = match old {
        None => stored,
        Some(mut class) => {
            let leaving = if stored >= class.class_shares {
                class.weighted_shares
            } else {
                class.weighted(stored)?
            };
            class.class_shares = class.class_shares.checked_sub(stored)?;
            class.weighted_shares = class.weighted_shares.checked_sub(leaving)?;
            class.members = class.members.saturating_sub(1);
            class.save(state);
            leaving
        }
    };
    let new_stored = if backing.is_all() {
        state.delete(keys::backing_choice(delegator, op));
        state.delete(keys::backing_member(op, delegator));
        weighted
    } else {
        let mut class = backing::class_for(state, op, backing)?;
        let issued = class.credit(weighted)?;
        class.members = class.members.saturating_add(1);
        class.save(state);
        state.put(
            keys::backing_choice(delegator, op),
            class.id.to_be_bytes().to_vec(),
        );
        state.put(keys::backing_member(op, delegator), Vec::new());
        issued
    };
    set_stored_shares(state, delegator, op, new_stored);
    ports
        .hooks
        .after_backing_change(state, delegator, &v, events)
}

/// Every `(delegator, shares)` of validator `op` in weighted shares, in delegator order.
pub fn of_validator(state: &dyn StateRead, op: &Address) -> AppResult<Vec<(Address, Decimal)>> {
    listed(state, op, shares)
}

/// Every `(delegator, stored shares)` of validator `op` ([`stored_shares`]), in delegator order.
pub fn stored_of_validator(
    state: &dyn StateRead,
    op: &Address,
) -> AppResult<Vec<(Address, Decimal)>> {
    listed(state, op, stored_shares)
}

type SharesOf = fn(&dyn StateRead, &Address, &Address) -> AppResult<Option<Decimal>>;

fn listed(
    state: &dyn StateRead,
    op: &Address,
    read: SharesOf,
) -> AppResult<Vec<(Address, Decimal)>> {
    let prefix = keys::join(keys::DELEGATION_BY_VAL, &[op]);
    let mut out = Vec::new();
    for (key, _) in state.scan_prefix(&prefix) {
        if let Some(delegator) = keys::addr_at(&key, prefix.len()) {
            if let Some(s) = read(state, &delegator, op)? {
                out.push((delegator, s));
            }
        }
    }
    Ok(out)
}
