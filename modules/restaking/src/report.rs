//! The on-chain security metrics: what it takes to attack a consumer ([`security_report`]) and a
//! validator's worst case over its consumers ([`validator_exposure`]).
//!
//! The attack cost counts only stake that is really slashable: a validator tombstoned on the
//! consumer can no longer be punished there (its stake counts for nothing), and no validator can
//! lose more than its tokens today × the pledge counted in the set. The report also shows who is
//! jailed on the consumer and the consumer's slash meter (downtime throttling).
//!
//! Stake pooled by a module above restaking (the liquid restaking token) is shown as its part
//! of the pledged stake: such a module implements [`StakeHolder`] and the app passes it to
//! [`crate::RestakingModule::with_holder`] (restaking cannot depend on it).
//!
//! Queries do not know the block time, so a departed stake counts as slashable until an epoch
//! forgets it, for a registered consumer any jail record keeps its validator out, and jail
//! records carry their end time for the reader to compare.

use rampart_consumer::{ConsumerRead, ConsumerValidator, Phase};
use rampart_core::error::AppResult;
use rampart_core::math::mul_div;
use rampart_core::wire::timestamp;
use rampart_core::{Address, Amount, BlockTime, ChainProfile, Decimal, StateRead};
use rampart_proto::rampart::restaking::v1 as pb;
use rampart_staking::StakingRead;

use crate::{exposure, params, pledge, power};

/// A read-only seam for the security report: a module composed above restaking that holds
/// stake on behalf of others (the liquid restaking token) says how much of a validator's stake
/// it holds behind a consumer. The app passes it to [`crate::RestakingModule::with_holder`].
pub trait StakeHolder: Send + Sync {
    /// The holder's name in the report (its module name).
    fn name(&self) -> &'static str;
    /// The tokens it holds at validator `op` today that back consumer `consumer_id`.
    fn backing(&self, state: &dyn StateRead, op: &Address, consumer_id: u64) -> AppResult<Amount>;
}

/// Each holder's part of the pledged stake of consumer `id`'s `set`: Σ over members of the
/// holder's backing there × the member's counted pledge (rounded down per member), and its share
/// of `total_pledged` (rounded down, at most 1).
fn holder_shares(
    state: &dyn StateRead,
    holders: &[std::sync::Arc<dyn StakeHolder>],
    id: u64,
    set: &[ConsumerValidator],
    total_pledged: Amount,
) -> AppResult<Vec<pb::HolderShare>> {
    holders
        .iter()
        .map(|holder| {
            let mut pledged = Amount::ZERO;
            for v in set {
                let held = holder.backing(state, &v.operator, id)?;
                let part = mul_div(held.0, u128::from(v.pledge_bps), 10_000, false)?;
                pledged = pledged.checked_add(Amount(part))?;
            }
            let share = if total_pledged.is_zero() {
                Decimal::ZERO
            } else {
                Decimal::from_ratio(pledged.0, total_pledged.0)?.min(Decimal::ONE)
            };
            Ok(pb::HolderShare {
                name: holder.name().to_owned(),
                pledged_tokens: pledged.to_string(),
                share: share.to_string(),
            })
        })
        .collect()
}

/// What an attacker holding more than `numerator / 3` of a consumer's power needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Threshold {
    /// Fewest validators (greedy by power); 0 when the set cannot reach it.
    pub min_validators: u32,
    /// A lower bound on the pledged stake that controls that share: the fractional relaxation
    /// (cheapest stake per unit of power first, the last validator's stake taken pro rata for
    /// the power still missing). No coalition does it for less; the cheapest real coalition may
    /// need more (finding it exactly is a knapsack problem), so the report never overstates
    /// the cost of an attack.
    pub min_pledged_tokens: Amount,
    /// What that stake would lose to double-sign slashing.
    pub slashable_tokens: Amount,
}

fn exceeds(sum: u128, total: u128, thirds: u128) -> bool {
    sum.saturating_mul(3) > total.saturating_mul(thirds)
}

/// The least power that exceeds `thirds / 3` of `total`: ⌊total × thirds / 3⌋ + 1.
fn needed(total: u128, thirds: u128) -> u128 {
    total.saturating_mul(thirds) / 3 + 1
}

/// The fractional-relaxation lower bound on the `value` (pledged or slashable tokens) of a
/// coalition of `members` holding more than `thirds / 3` of the power: cheapest value per unit
/// of power first, the last member's value taken pro rata for the power still missing.
fn cheapest(
    members: &[Member<'_>],
    thirds: u128,
    value: fn(&Member<'_>) -> Amount,
) -> AppResult<Amount> {
    let total: u128 = members.iter().map(|m| u128::from(m.set.power)).sum();
    let per_power = |m: &Member<'_>| {
        mul_div(value(m).0, 1_000_000, u128::from(m.set.power.max(1)), false).unwrap_or(u128::MAX)
    };
    let mut by_cost: Vec<&Member<'_>> = members.iter().collect();
    by_cost.sort_by(|a, b| {
        per_power(a)
            .cmp(&per_power(b))
            .then(b.set.power.cmp(&a.set.power))
            .then(a.set.operator.cmp(&b.set.operator))
    });
    let mut missing = needed(total, thirds);
    let mut tokens = Amount::ZERO;
    for m in by_cost {
        if missing == 0 {
            break;
        }
        let power = u128::from(m.set.power);
        let take = power.min(missing);
        let part = if take == power {
            value(m)
        } else {
            Amount(mul_div(value(m).0, take, power.max(1), false)?)
        };
        tokens = tokens.checked_add(part)?;
        missing -= take;
    }
    Ok(tokens)
}

/// A member of a consumer's set with the stake a double vote could really take from it.
struct Member<'a> {
    /// Its record in the set.
    set: &'a ConsumerValidator,
    /// Its pledged tokens counted in the set, or less: none when tombstoned on the consumer
    /// (evidence is refused), at most its tokens today × its counted pledge.
    slashable: Amount,
}

fn threshold(members: &[Member<'_>], thirds: u128, fraction: Decimal) -> AppResult<Threshold> {
    let total: u128 = members.iter().map(|m| u128::from(m.set.power)).sum();
    if total == 0 {
        return Ok(Threshold::default());
    }
    let mut by_power: Vec<u64> = members.iter().map(|m| m.set.power).collect();
    by_power.sort_unstable_by(|a, b| b.cmp(a));
    let mut sum = 0u128;
    let mut min_validators = 0u32;
    for power in by_power {
        sum += u128::from(power);
        min_validators += 1;
        if exceeds(sum, total, thirds) {
            break;
        }
    }
    Ok(Threshold {
        min_validators,
        min_pledged_tokens: cheapest(members, thirds, |m| m.set.pledged_tokens)?,
        slashable_tokens: cheapest(members, thirds, |m| m.slashable)?.mul_floor(fraction)?,
    })
}

/// What a double vote could really take from `v` on consumer `id` (see [`Member`]).
fn slashable(state: &dyn StateRead, id: u64, v: &ConsumerValidator) -> AppResult<Amount> {
    if pledge::tombstoned(state, id, &v.operator)? {
        return Ok(Amount::ZERO);
    }
    // Only stake backing the consumer pays for it (delegators may have chosen otherwise).
    let tokens = state.backing_tokens(&v.operator, id)?;
    Ok(tokens
        .mul_floor(Decimal::from_bps(v.pledge_bps))?
        .min(v.pledged_tokens))
}

/// The jail records of consumer `id`, by operator.
fn jails(
    state: &dyn StateRead,
    profile: &ChainProfile,
    id: u64,
) -> AppResult<Vec<pb::ConsumerJail>> {
    pledge::jail_records(state, id)?
        .into_iter()
        .map(|(op, record)| {
            Ok(pb::ConsumerJail {
                validator: profile.to_valoper(&op),
                jailed_until: record.jailed_until,
                tombstoned: record.tombstoned,
            })
        })
        .collect()
}

/// The security report of consumer `id`: for a launched or stopped consumer its set as last
/// sent, for a registered one the set it would launch with; with each of `holders`' part of the
/// pledged stake.
pub fn security_report(
    state: &dyn StateRead,
    profile: &ChainProfile,
    holders: &[std::sync::Arc<dyn StakeHolder>],
    id: u64,
) -> AppResult<pb::SecurityReport> {
    let consumer = state.must_consumer(id)?;
    let set = match consumer.phase {
        Phase::Registered => power::select(state, &consumer, 0, BlockTime::default())?,
        _ => state.consumer_validators(id)?,
    };
    let fraction = consumer.params.double_sign.slash_fraction;
    let total_power: u64 = set.iter().fold(0u64, |acc, v| acc.saturating_add(v.power));
    let total_pledged = set
        .iter()
        .try_fold(Amount::ZERO, |acc, v| acc.checked_add(v.pledged_tokens))?;
    let largest = set.iter().map(|v| v.power).max().unwrap_or(0);
    let share = if total_power == 0 {
        Decimal::ZERO
    } else {
        Decimal::from_ratio(u128::from(largest), u128::from(total_power))?
    };
    let members = set
        .iter()
        .map(|v| {
            Ok(Member {
                set: v,
                slashable: slashable(state, id, v)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let unslashable_power = members
        .iter()
        .filter(|m| m.slashable.is_zero() && !m.set.pledged_tokens.is_zero())
        .fold(0u64, |acc, m| acc.saturating_add(m.set.power));
    let halt = threshold(&members, 1, fraction)?;
    let control = threshold(&members, 2, fraction)?;
    let meter = rampart_consumer::meter::load(state, id)?;
    Ok(pb::SecurityReport {
        consumer_id: id,
        validator_count: u32::try_from(set.len()).unwrap_or(u32::MAX),
        total_power,
        total_pledged_tokens: total_pledged.to_string(),
        largest_validator_share: share.to_string(),
        halt_min_validators: halt.min_validators,
        halt_min_pledged_tokens: halt.min_pledged_tokens.to_string(),
        halt_slashable_tokens: halt.slashable_tokens.to_string(),
        control_min_validators: control.min_validators,
        control_min_pledged_tokens: control.min_pledged_tokens.to_string(),
        control_slashable_tokens: control.slashable_tokens.to_string(),
        double_sign_slash_fraction: fraction.to_string(),
        jailed: jails(state, profile, id)?,
        unslashable_power,
        slash_meter: meter.map_or(0, |m| m.meter),
        slash_meter_allowance: meter.map_or(0, |m| m.allowance),
        slash_meter_next_replenish: meter.map(|m| timestamp(m.next_replenish)),
        throttled: meter.is_some_and(|m| m.meter < 0),
        holders: holder_shares(state, holders, id, &set, total_pledged)?,
    })
}

/// The exposure of validator `op` (see [`crate::exposure`]).
pub fn validator_exposure(
    state: &dyn StateRead,
    op: &Address,
) -> AppResult<pb::QueryValidatorExposureResponse> {
    let params = params::load(state)?;
    let bonded = state.bonded_tokens(op)?;
    let terms = exposure::terms(state, op, None)?;
    let mut consumers = Vec::new();
    let mut total_tokens = Amount::ZERO;
    for term in &terms {
        let worst = term.worst_case();
        // The stake backing this consumer (none while the validator is not bonded).
        let backing = if bonded.is_zero() {
            Amount::ZERO
        } else {
            state.backing_tokens(op, term.pledge.consumer_id)?
        };
        let tokens = backing.mul_ceil(worst)?;
        let jail = pledge::jail_record(state, term.pledge.consumer_id, op)?.unwrap_or_default();
        total_tokens = total_tokens.checked_add(tokens)?;
        consumers.push(pb::ConsumerExposure {
            consumer_id: term.pledge.consumer_id,
            chain_id: term.chain_id.clone(),
            status: term.pledge.status.to_proto() as i32,
            pledge_bps: term.pledge.pledge_bps,
            slashable_bps: term.slashable_bps,
            slash_fraction: term.fraction.to_string(),
            worst_case_fraction: worst.to_string(),
            worst_case_tokens: tokens.to_string(),
            jailed_until: jail.jailed_until,
            tombstoned: jail.tombstoned,
        });
    }
    Ok(pb::QueryValidatorExposureResponse {
        consumers,
        total_worst_case_fraction: exposure::total(&terms).to_string(),
        total_worst_case_tokens: total_tokens.to_string(),
        max_slash_exposure: params.max_slash_exposure.to_string(),
        bonded_tokens: bonded.to_string(),
        consumer_count: u32::try_from(terms.len()).unwrap_or(u32::MAX),
        max_consumers: params.max_consumers_per_validator,
    })
}
