//! The slash meter: ICS's throttle against a malicious or buggy consumer, one per launched
//! consumer. Proven downtime costs the offender's consumer power from the meter; a submission is
//! handled while the meter is non-negative and refused with `consumer/22` (throttled) otherwise,
//! so a consumer can jail at most about one allowance of its power per replenish period however
//! many records it produces. Double votes are not metered: they are cryptographic, bounded by
//! fraction × pledge and tombstone.
//!
//! The allowance is `slash_meter_fraction` of the consumer's total power in the set last sent,
//! at least 1, stored with the meter and updated whenever a set is sent ([`resize`]). Every
//! `slash_meter_period_seconds` the meter gains one allowance, never rising above one allowance.
//! Replenishing goes through a time-ordered queue (`consumer/meterdue/ ‖ time_key(due) ‖ id`):
//! each begin block ([`replenish_due`]) reads only the meters that are due. A meter starts full
//! at launch and goes with the consumer's stop.

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{add_seconds, block_time, rfc3339, timestamp};
use rampart_core::{Amount, BlockTime, StateRead, StateReadExt, StateWrite, StateWriteExt};
use rampart_proto::rampart::consumer::v1 as pb;

use crate::errors::{err, ConsumerCode};
use crate::params::ModuleParams;
use crate::types::ConsumerValidator;
use crate::{keys, params};

/// A consumer's slash meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meter {
    /// Consumer power that may still be jailed before submissions are throttled; negative once
    /// a submission overdrew it.
    pub meter: i64,
    /// What it gains each period (see [`allowance`]).
    pub allowance: i64,
    /// When it next gains an allowance.
    pub next_replenish: BlockTime,
}

impl Meter {
    /// The protobuf form.
    pub fn to_proto(self) -> pb::SlashMeter {
        pb::SlashMeter {
            meter: self.meter,
            allowance: self.allowance,
            next_replenish: Some(timestamp(self.next_replenish)),
        }
    }

    /// From the protobuf form.
    pub fn from_proto(p: &pb::SlashMeter) -> AppResult<Self> {
        let next = p
            .next_replenish
            .as_ref()
            .ok_or_else(|| corrupt("no next replenish time"))?;
        Ok(Self {
            meter: p.meter,
            allowance: p.allowance,
            next_replenish: block_time(next)?,
        })
    }
}

fn corrupt(why: impl std::fmt::Display) -> AppError {
    AppError::sdk(
        SdkCode::Logic,
        format!("corrupt consumer state (slash meter): {why}"),
    )
}

/// The allowance under `params` of a consumer whose set is `set`: `slash_meter_fraction` of its
/// total power (rounded down), at least 1.
pub fn allowance(params: &ModuleParams, set: &[ConsumerValidator]) -> AppResult<i64> {
    let total = set
        .iter()
        .try_fold(0u64, |sum, v| sum.checked_add(v.power))
        .ok_or_else(|| corrupt("total power overflows"))?;
    let share = Amount(u128::from(total)).mul_floor(params.slash_meter_fraction)?;
    // `share` ≤ total ≤ u64::MAX; powers of a CometBFT set are below i64::MAX / 8.
    Ok(i64::try_from(share.0).unwrap_or(i64::MAX).max(1))
}

/// Consumer `id`'s meter, if it has one (launched consumers).
pub fn load(state: &dyn StateRead, id: u64) -> AppResult<Option<Meter>> {
    state
        .get_proto::<pb::SlashMeter>(&keys::meter(id))
        .map_err(corrupt)?
        .map(|p| Meter::from_proto(&p))
        .transpose()
}

/// Stores `meter` for consumer `id` and queues its replenish (the caller removed the old entry).
pub fn save(state: &mut dyn StateWrite, id: u64, meter: &Meter) {
    state.put_proto(keys::meter(id), &meter.to_proto());
    state.put(keys::meter_due(meter.next_replenish, id), Vec::new());
}

/// Starts consumer `id`'s meter full at its launch `now` with its launch `set`.
pub fn start(
    state: &mut dyn StateWrite,
    id: u64,
    set: &[ConsumerValidator],
    now: BlockTime,
) -> AppResult<()> {
    let params = params::load(state)?;
    let allowance = allowance(&params, set)?;
    let meter = Meter {
        meter: allowance,
        allowance,
        next_replenish: add_seconds(now, params.slash_meter_period_seconds)?,
    };
    save(state, id, &meter);
    Ok(())
}

/// Sets consumer `id`'s allowance from the `set` just sent to it (the meter itself is unchanged
/// until it replenishes, and never above the new allowance then).
pub fn resize(state: &mut dyn StateWrite, id: u64, set: &[ConsumerValidator]) -> AppResult<()> {
    let Some(mut meter) = load(state, id)? else {
        return Ok(());
    };
    meter.allowance = allowance(&params::load(state)?, set)?;
    state.put_proto(keys::meter(id), &meter.to_proto());
    Ok(())
}

/// Forgets consumer `id`'s meter and its queue entry (at its stop).
pub fn clear(state: &mut dyn StateWrite, id: u64) -> AppResult<()> {
    if let Some(meter) = load(state, id)? {
        state.delete(keys::meter_due(meter.next_replenish, id));
    }
    state.delete(keys::meter(id));
    Ok(())
}

fn must_load(state: &dyn StateRead, id: u64) -> AppResult<Meter> {
    load(state, id)?.ok_or_else(|| corrupt(format!("launched consumer {id} has none")))
}

/// Refuses a downtime submission for launched consumer `id` with `consumer/22` (throttled, with
/// the next replenish time) while its meter is negative.
pub fn check(state: &dyn StateRead, id: u64) -> AppResult<()> {
    let meter = must_load(state, id)?;
    if meter.meter < 0 {
        return Err(err(
            ConsumerCode::Throttled,
            format!(
                "consumer {id}'s slash meter is at {}: downtime is throttled until it \
                 replenishes at {}",
                meter.meter,
                rfc3339(meter.next_replenish)
            ),
        ));
    }
    Ok(())
}

/// Charges a handled downtime of a validator with consumer `power` to launched consumer `id`'s
/// meter, which may go below zero.
pub fn charge(state: &mut dyn StateWrite, id: u64, power: u64) -> AppResult<()> {
    let mut meter = must_load(state, id)?;
    let power = i64::try_from(power).unwrap_or(i64::MAX);
    meter.meter = meter.meter.saturating_sub(power);
    state.put_proto(keys::meter(id), &meter.to_proto());
    Ok(())
}

/// Replenishes every meter due at or before `now` by one allowance (capped at one allowance)
/// and queues the next replenish one period after `now`; reads only the due entries of the
/// queue (and the first one not due). Returns how many.
pub fn replenish_due(state: &mut dyn StateWrite, now: BlockTime) -> AppResult<u64> {
    let bound = keys::meter_due_upto(now);
    let due: Vec<Vec<u8>> = state
        .scan_prefix(keys::METER_DUE)
        .map(|(key, _)| key)
        .take_while(|key| {
            key.get(..bound.len())
                .is_some_and(|t| t <= bound.as_slice())
        })
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    let params = params::load(state)?;
    let next_replenish = add_seconds(now, params.slash_meter_period_seconds)?;
    let count = u64::try_from(due.len()).unwrap_or(u64::MAX);
    for key in due {
        state.delete(key.clone());
        let Some(id) = keys::u64_at(&key, bound.len()) else {
            continue;
        };
        let Some(meter) = load(state, id)? else {
            continue;
        };
        let meter = Meter {
            meter: meter
                .meter
                .saturating_add(meter.allowance)
                .min(meter.allowance),
            next_replenish,
            ..meter
        };
        save(state, id, &meter);
    }
    Ok(count)
}

/// The query answer for consumer `id`: its meter, allowance and next replenish time
/// (`consumer/23` when it has no meter: not launched).
pub fn query(state: &dyn StateRead, id: u64) -> AppResult<pb::QuerySlashMeterResponse> {
    let meter = load(state, id)?.ok_or_else(|| {
        err(
            ConsumerCode::NoSlashMeter,
            format!("consumer {id} has no slash meter (only launched consumers have one)"),
        )
    })?;
    Ok(pb::QuerySlashMeterResponse {
        consumer_id: id,
        meter: meter.meter,
        allowance: meter.allowance,
        next_replenish: Some(timestamp(meter.next_replenish)),
        throttled: meter.meter < 0,
    })
}
