//! The bookkeeping side of slashing, for the modules above staking: cut a validator's tokens and
//! the unbonding and redelegation entries created at or after the infraction height, burn what
//! was cut; jail and unjail. The decision (fraction, height, jail or tombstone) is theirs.

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Amount, BlockTime, Decimal, Events, StateRead, StateWrite};

use crate::bank::Pool;
use crate::hooks::StakingPorts;
use crate::keys;
use crate::validator::Validator;
use crate::{backing, delegation, redelegation, unbonding, validator};
use rampart_core::math::mul_div;
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
    /// For an infraction on a consumer chain: the consumer whose backers pay — delegations
    /// whose backing choice ([`crate::backing`]) excludes it are not cut. `None`: a provider
    /// infraction, every delegation pays.
    pub consumer: Option<u64>,
}

/// What a slash took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlashOutcome {
    /// Tokens burned in total (validator, unbonding entries and redelegated delegations).
    pub burned: Amount,
    /// Of which taken from the validator's own tokens.
    pub from_validator: Amount,
}

/// Stake that stopped backing a consumer after the delegator changed its choice, still slashable
/// for that consumer's infractions: `tokens` left its backing at `height`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MovedStake {
    /// The delegator, whose delegation to the slashed validator pays.
    pub delegator: Address,
    /// Tokens the delegation was worth when it stopped backing the consumer.
    pub tokens: Amount,
    /// The provider height of the move.
    pub height: u64,
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
    slash_with_moved(state, ports, op, infraction, &[], now, events)
}

/// [`slash()`] for a consumer infraction that also reaches `moved` stake: after the unbonding
/// and redelegation entries, each move made at or after the infraction height loses `fraction`
/// of its tokens from the delegator's delegation to `op` (whatever it backs now; never more
/// than it holds), within the same total.
pub fn slash_with_moved(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    op: &Address,
    infraction: Infraction,
    moved: &[MovedStake],
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
        consumer: infraction.consumer,
        moved,
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
    for m in moved.iter().filter(|m| m.height >= infraction.height) {
        let left = amount.checked_sub(burned).unwrap_or_default();
        burned = burned.checked_add(slash_moved(state, ports, op, m, fraction, left, events)?)?;
    }
    // Redelegation slashing may have unbonded from other validators only; `op` is reloaded
    // because it can also have been a redelegation destination of its own delegators.
    let mut v = validator::must_load(state, op)?;
    let left = amount.checked_sub(burned).unwrap_or_default();
    let cut = match infraction.consumer {
        None => {
            let cut = left.min(v.tokens);
            v.tokens = v.tokens.checked_sub(cut)?;
            cut
        }
        Some(id) => cut_backers(state, &mut v, id, left)?,
    };
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
struct EntryCut<'a> {
    /// Entries created before this height are not cut.
    min_height: i64,
    /// Entries mature at this time are not cut.
    now: BlockTime,
    /// The fraction of each entry's initial balance cut.
    fraction: Decimal,
    /// For a consumer infraction: entries of delegators whose choice excludes it are not cut.
    consumer: Option<u64>,
    /// … unless they stopped backing it after the infraction.
    moved: &'a [MovedStake],
}

impl EntryCut<'_> {
    /// Whether `delegator`'s entries from `op` pay for this infraction: always for a provider
    /// infraction; for a consumer's, when its choice backs the consumer or it stopped backing
    /// it at or after the infraction height.
    fn pays(&self, state: &dyn StateRead, delegator: &Address, op: &Address) -> AppResult<bool> {
        let Some(id) = self.consumer else {
            return Ok(true);
        };
        let min_height = u64::try_from(self.min_height).unwrap_or(0);
        Ok(backing::choice(state, delegator, op)?.backs(id)
            || self
                .moved
                .iter()
                .any(|m| m.delegator == *delegator && m.height >= min_height))
    }
}

/// Cuts the unbonding entries from `op`, at most `budget` in total.
fn slash_unbondings(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    op: &Address,
    cut: &EntryCut<'_>,
    budget: Amount,
) -> AppResult<Amount> {
    let EntryCut {
        min_height,
        now,
        fraction,
        ..
    } = *cut;
    let prefix = keys::join(keys::UNBONDING_BY_VAL, &[op]);
    let mut total = Amount::ZERO;
    for mut ubd in unbonding::list(state, &prefix, true)? {
        let delegator = ChainProfile::rampart().account(&ubd.delegator_address, "delegator")?;
        if !cut.pays(state, &delegator, op)? {
            continue;
        }
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
    cut: &EntryCut<'_>,
    budget: Amount,
    events: &mut Events,
) -> AppResult<Amount> {
    let EntryCut {
        min_height,
        now,
        fraction,
        ..
    } = *cut;
    let profile = ChainProfile::rampart();
    let prefix = keys::join(keys::REDELEGATION_BY_SRC, &[src]);
    let mut total = Amount::ZERO;
    for red in redelegation::list(state, &prefix, true)? {
        let delegator = profile.account(&red.delegator_address, "delegator")?;
        if !cut.pays(state, &delegator, src)? {
            continue;
        }
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

/// Cuts `fraction` of a moved stake's tokens (at most `budget`) from its delegator's delegation
/// to `op`, burning them; returns the tokens burned.
fn slash_moved(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    op: &Address,
    moved: &MovedStake,
    fraction: Decimal,
    budget: Amount,
    events: &mut Events,
) -> AppResult<Amount> {
    let Some(held) = delegation::shares(state, &moved.delegator, op)? else {
        return Ok(Amount::ZERO);
    };
    let mut v = validator::must_load(state, op)?;
    let want = moved.tokens.mul_floor(fraction)?.min(budget);
    if want.is_zero() || v.tokens.is_zero() {
        return Ok(Amount::ZERO);
    }
    let remove = v.shares_for_tokens(want)?.min(held);
    if remove == Decimal::ZERO {
        return Ok(Amount::ZERO);
    }
    let pool = v.pool();
    let tokens =
        delegation::unbond(state, ports, &moved.delegator, &mut v, remove, events)?.min(budget);
    if !tokens.is_zero() {
        ports.bank.burn_from_pool(state, pool, tokens)?;
    }
    Ok(tokens)
}

/// Cuts up to `amount` tokens of validator `v` for an infraction on consumer `id`, from the
/// stake backing it only: the classes that do not back `id` get weighted shares so that their
/// tokens stay what they were, so the whole cut lowers the backers' rate. The backers keep at
/// least one token when others do not back `id` (a zero rate could not be rebased). Returns the
/// tokens cut; the caller burns them and saves `v`.
fn cut_backers(
    state: &mut dyn StateWrite,
    v: &mut Validator,
    id: u64,
    amount: Amount,
) -> AppResult<Amount> {
    let classes = backing::of_validator(state, &v.operator)?;
    let excluded = backing::excluded_weighted(&classes, id)?;
    if excluded == Decimal::ZERO || v.delegator_shares == Decimal::ZERO {
        let cut = amount.min(v.tokens);
        v.tokens = v.tokens.checked_sub(cut)?;
        return Ok(cut);
    }
    let total = v.delegator_shares;
    let backing_shares = total.checked_sub(excluded)?;
    let mut kept = Vec::new();
    let mut kept_tokens = Amount::ZERO;
    for class in classes.into_iter().filter(|c| !c.backing.backs(id)) {
        let tokens = Amount(mul_div(
            class.weighted_shares.0,
            v.tokens.0,
            total.0,
            false,
        )?);
        kept_tokens = kept_tokens.checked_add(tokens)?;
        kept.push((class, tokens));
    }
    let backing = v.tokens.checked_sub(kept_tokens)?;
    let cut = if backing_shares == Decimal::ZERO {
        Amount::ZERO
    } else {
        amount.min(backing.checked_sub(Amount(1)).unwrap_or_default())
    };
    if cut.is_zero() {
        return Ok(cut);
    }
    let left = backing.checked_sub(cut)?;
    let mut shares = backing_shares;
    for (mut class, tokens) in kept {
        // Its tokens at the backers' new rate `left / backing_shares`, rounded up: a class
        // whose shares are worth at least `tokens × backing_shares / left` keeps at least its
        // tokens (the rounding falls on the backers, who pay the slash).
        class.weighted_shares = Decimal(mul_div(tokens.0, backing_shares.0, left.0, true)?);
        shares = shares.checked_add(class.weighted_shares)?;
        class.save(state);
    }
    v.tokens = v.tokens.checked_sub(cut)?;
    v.delegator_shares = shares;
    Ok(cut)
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
