//! Delegations: storage, and the two primitives every message builds on — bonding tokens to a
//! validator for shares, and removing shares for tokens.

use cosmos_sdk_proto::cosmos::staking::v1beta1::Delegation as ProtoDelegation;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Amount, Decimal, Events, StateRead, StateReadExt, StateWrite, StateWriteExt};

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

/// The shares `delegator` holds in `op`, if any.
pub fn shares(
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

/// Writes (or, for zero shares, deletes) a delegation and its by-validator index.
pub fn set_shares(state: &mut dyn StateWrite, delegator: &Address, op: &Address, shares: Decimal) {
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
    let held = shares(state, delegator, &v.operator)?.unwrap_or_default();
    set_shares(state, delegator, &v.operator, held.checked_add(new_shares)?);
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
    let held = shares(state, delegator, &v.operator)?.unwrap_or_default();
    let remaining = held.checked_sub(remove).map_err(|_| {
        err(
            StakingCode::InsufficientShares,
            "not enough delegation shares",
        )
    })?;
    set_shares(state, delegator, &v.operator, remaining);
    let tokens = v.remove_shares(remove)?;
    if *delegator == v.operator
        && !v.jailed
        && v.tokens_for_shares(remaining)? < v.min_self_delegation
    {
        v.jailed = true;
    }
    validator::save_or_remove(state, ports.hooks, v, events)?;
    Ok(tokens)
}

/// Every `(delegator, shares)` of validator `op`, in delegator order.
pub fn of_validator(state: &dyn StateRead, op: &Address) -> AppResult<Vec<(Address, Decimal)>> {
    let prefix = keys::join(keys::DELEGATION_BY_VAL, &[op]);
    let mut out = Vec::new();
    for (key, _) in state.scan_prefix(&prefix) {
        if let Some(delegator) = keys::addr_at(&key, prefix.len()) {
            if let Some(s) = shares(state, &delegator, op)? {
                out.push((delegator, s));
            }
        }
    }
    Ok(out)
}
