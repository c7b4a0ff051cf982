//! The bookkeeping side of slashing, for the modules above staking: cut a validator's tokens and
//! the unbonding and redelegation entries created at or after the infraction height, burn what
//! was cut; jail and unjail. The decision (fraction, height, jail or tombstone) is theirs.

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Amount, BlockTime, Decimal, Events, StateWrite};

use crate::bank::Pool;
use crate::hooks::StakingPorts;
use crate::keys;
use crate::{delegation, redelegation, unbonding, validator};
use rampart_core::profile::RAMPART_POWER_REDUCTION;
use rampart_core::wire::{dec_from_wire, int_from_wire, int_to_wire};
use rampart_core::{Address, ChainProfile};

/// What to slash: the decision of the module above (slashing, restaking).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Infraction {
    /// Height at which the stake that misbehaved was counted: unbonding and redelegation
    /// entries created at or after it are slashed too.
    pub height: u64,
    /// Consensus power the offender had at that height (for restaking: the power of the pledged
    /// stake on the consumer). The slash amount is `power × power reduction × fraction`.
    pub power: u64,
    /// Fraction to slash, at most 1.
    pub fraction: Decimal,
}

/// What a slash took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlashOutcome {
    /// Tokens burned in total (validator, unbonding entries and redelegated delegations).
    pub burned: Amount,
    /// Of which taken from the validator's own tokens.
    pub from_validator: Amount,
}

/// Slashes validator `op` for `infraction`, with the Cosmos SDK's semantics: the amount is
/// `power × power reduction × fraction` (the stake at the infraction, so stake that arrived
/// later does not raise it). Unbonding entries from `op` and redelegation entries away from it
/// created at or after the infraction height and not mature at `now` lose `fraction` of their
/// initial balance first (never below zero), in key order and **their total capped at the
/// amount** (unlike the SDK, whose entries can together lose more than the amount: here a slash
/// never burns more than `power × power reduction × fraction`); the rest comes from the
/// validator's tokens, never more than it has. Every slashed token is burned through the bank
/// seam.
pub fn slash(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    op: &Address,
    infraction: Infraction,
    now: BlockTime,
    events: &mut Events,
) -> AppResult<SlashOutcome> {
    let fraction = infraction.fraction;
    if fraction > Decimal::ONE {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            format!("slash fraction {fraction} above 1"),
        ));
    }
    validator::must_load(state, op)?;
    // u64::MAX × 10^6 < 2^84: the product always fits a u128.
    let amount =
        Amount(u128::from(infraction.power) * RAMPART_POWER_REDUCTION).mul_floor(fraction)?;
    let min_height = i64::try_from(infraction.height).unwrap_or(i64::MAX);
    let cut = EntryCut {
        min_height,
        now,
        fraction,
    };
    let mut burned = slash_unbondings(state, ports, op, &cut, amount)?;
    burned = burned.checked_add(slash_redelegations(
        state,
        ports,
        op,
        &cut,
        amount.checked_sub(burned).unwrap_or_default(),
        events,
    )?)?;
    // Redelegation slashing may have unbonded from other validators only; `op` is reloaded
    // because it can also have been a redelegation destination of its own delegators.
    let mut v = validator::must_load(state, op)?;
    let cut = amount.checked_sub(burned).unwrap_or_default().min(v.tokens);
    v.tokens = v.tokens.checked_sub(cut)?;
    if !cut.is_zero() {
        ports.bank.burn_from_pool(state, v.pool(), cut)?;
    }
    validator::save_or_remove(state, ports.hooks, &v, events)?;
    Ok(SlashOutcome {
        burned: burned.checked_add(cut)?,
        from_validator: cut,
    })
}

/// Which entries a slash cuts, and by how much.
#[derive(Debug, Clone, Copy)]
struct EntryCut {
    /// Entries created before this height are not cut.
    min_height: i64,
    /// Entries mature at this time are not cut.
    now: BlockTime,
    /// The fraction of each entry's initial balance cut.
    fraction: Decimal,
}

/// Cuts the unbonding entries from `op`, at most `budget` in total.
fn slash_unbondings(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    op: &Address,
    cut: &EntryCut,
    budget: Amount,
) -> AppResult<Amount> {
    let EntryCut {
        min_height,
        now,
        fraction,
    } = *cut;
    let prefix = keys::join(keys::UNBONDING_BY_VAL, &[op]);
    let mut total = Amount::ZERO;
    for mut ubd in unbonding::list(state, &prefix, true)? {
        let delegator = ChainProfile::rampart().account(&ubd.delegator_address, "delegator")?;
        for entry in &mut ubd.entries {
            if entry.creation_height < min_height || unbonding::completion(entry)? <= now {
                continue;
            }
            let initial = int_from_wire(&entry.initial_balance, "initial balance")?;
            let balance = unbonding::balance(entry)?;
            let left = budget.checked_sub(total).unwrap_or_default();
            let cut = initial.mul_floor(fraction)?.min(balance).min(left);
            entry.balance = int_to_wire(balance.checked_sub(cut)?);
            total = total.checked_add(cut)?;
        }
        unbonding::save(state, &delegator, op, &ubd);
    }
    if !total.is_zero() {
        ports.bank.burn_from_pool(state, Pool::NotBonded, total)?;
    }
    Ok(total)
}

/// Cuts the redelegation entries away from `src` (unbonding the redelegated shares and burning
/// their tokens), at most `budget` in total.
fn slash_redelegations(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    src: &Address,
    cut: &EntryCut,
    budget: Amount,
    events: &mut Events,
) -> AppResult<Amount> {
    let EntryCut {
        min_height,
        now,
        fraction,
    } = *cut;
    let profile = ChainProfile::rampart();
    let prefix = keys::join(keys::REDELEGATION_BY_SRC, &[src]);
    let mut total = Amount::ZERO;
    for red in redelegation::list(state, &prefix, true)? {
        let delegator = profile.account(&red.delegator_address, "delegator")?;
        let dst = profile.valoper(&red.validator_dst_address, "destination")?;
        for entry in &red.entries {
            if entry.creation_height < min_height || redelegation::completion(entry)? <= now {
                continue;
            }
            let Some(mut dest) = validator::load(state, &dst)? else {
                continue;
            };
            let shares_dst = dec_from_wire(&entry.shares_dst, "shares_dst")?;
            let held = delegation::shares(state, &delegator, &dst)?.unwrap_or_default();
            let left = budget.checked_sub(total).unwrap_or_default();
            let mut remove = shares_dst.checked_mul(fraction)?.min(held);
            if dest.tokens_for_shares(remove)? > left {
                remove = dest.shares_for_tokens(left)?.min(remove);
            }
            if remove == Decimal::ZERO {
                continue;
            }
            let pool = dest.pool();
            let tokens = delegation::unbond(state, ports, &delegator, &mut dest, remove, events)?;
            if !tokens.is_zero() {
                ports.bank.burn_from_pool(state, pool, tokens)?;
            }
            total = total.checked_add(tokens)?;
        }
    }
    Ok(total)
}

/// Jails `op`: it leaves the active set at the next end block.
pub fn jail(state: &mut dyn StateWrite, op: &Address) -> AppResult<()> {
    let mut v = validator::must_load(state, op)?;
    v.jailed = true;
    validator::save(state, &v)
}

/// Unjails `op` (the caller checks jail periods, tombstones and the minimum self-delegation).
pub fn unjail(state: &mut dyn StateWrite, op: &Address) -> AppResult<()> {
    let mut v = validator::must_load(state, op)?;
    if !v.jailed {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "validator not jailed",
        ));
    }
    v.jailed = false;
    validator::save(state, &v)
}
