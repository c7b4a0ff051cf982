//! Pledges: a validator's share of its bonded tokens committed to one consumer, with the stake
//! that is slashable for that consumer — the stake counted in the consumer's current set
//! (`in_set`) and larger stake counted before — the validator left the set or its counted stake
//! shrank — within the consumer's unbonding period (`departed`).
//! Also the per-consumer jail records.

use prost::Message;
use rampart_consumer::types::parse_amount;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{block_time, timestamp};
use rampart_core::{Address, ChainProfile};
use rampart_core::{Amount, BlockTime, StateRead, StateReadExt, StateWrite, StateWriteExt};
use rampart_proto::rampart::restaking::v1 as pb;

use crate::keys;

/// Where a pledge is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// A candidate at every epoch.
    Active,
    /// Leaves the set at the next epoch.
    OptingOut,
    /// Out of the set; kept while slashable.
    Exiting,
}

impl Status {
    /// The protobuf enum.
    pub fn to_proto(self) -> pb::PledgeStatus {
        match self {
            Status::Active => pb::PledgeStatus::Active,
            Status::OptingOut => pb::PledgeStatus::OptingOut,
            Status::Exiting => pb::PledgeStatus::Exiting,
        }
    }

    /// From the protobuf enum value.
    pub fn from_proto(value: i32) -> Option<Self> {
        match pb::PledgeStatus::try_from(value).ok()? {
            pb::PledgeStatus::Active => Some(Status::Active),
            pb::PledgeStatus::OptingOut => Some(Status::OptingOut),
            pb::PledgeStatus::Exiting => Some(Status::Exiting),
            pb::PledgeStatus::Unspecified => None,
        }
    }

    /// Lower-case name (genesis JSON, events).
    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::OptingOut => "opting_out",
            Status::Exiting => "exiting",
        }
    }

    /// Parses [`Status::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        [Status::Active, Status::OptingOut, Status::Exiting]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// Stake counted for a consumer at an epoch: what an infraction on it is slashed against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stake {
    /// The validator's provider power backing the consumer (bonded tokens / 10^6, less the
    /// delegations whose delegators chose not to back it).
    pub validator_power: u64,
    /// The pledge in basis points.
    pub pledge_bps: u32,
    /// Pledged tokens: bonded × pledge, rounded down.
    pub pledged_tokens: Amount,
    /// Consumer power after the cap.
    pub consumer_power: u64,
    /// The provider height the stake was counted at.
    pub provider_height: u64,
    /// For departed stake: slashable until then.
    pub slashable_until: Option<BlockTime>,
}

impl Stake {
    /// The protobuf form.
    pub fn to_proto(&self) -> pb::SlashableStake {
        pb::SlashableStake {
            validator_power: self.validator_power,
            pledge_bps: self.pledge_bps,
            pledged_tokens: self.pledged_tokens.to_string(),
            consumer_power: self.consumer_power,
            provider_height: self.provider_height,
            slashable_until: self.slashable_until.map(timestamp),
        }
    }

    /// From the protobuf form.
    pub fn from_proto(p: &pb::SlashableStake) -> AppResult<Self> {
        Ok(Self {
            validator_power: p.validator_power,
            pledge_bps: p.pledge_bps,
            pledged_tokens: parse_amount(&p.pledged_tokens, "pledged_tokens")?,
            consumer_power: p.consumer_power,
            provider_height: p.provider_height,
            slashable_until: p.slashable_until.as_ref().map(block_time).transpose()?,
        })
    }

    /// Merges two departed stakes into one that stays slashable as long as either: the one with
    /// more pledged tokens (the newer on a tie), taken whole — mixing fields of both could slash
    /// more than either pledge — with the later deadline.
    pub fn merge(self, other: Stake) -> Stake {
        let until = self.slashable_until.max(other.slashable_until);
        let kept = if other.pledged_tokens >= self.pledged_tokens {
            other
        } else {
            self
        };
        Stake {
            slashable_until: until,
            ..kept
        }
    }
}

/// A validator's pledge to one consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pledge {
    /// The operator.
    pub validator: Address,
    /// The consumer.
    pub consumer_id: u64,
    /// The pledge in basis points (0 once opted out).
    pub pledge_bps: u32,
    /// Status.
    pub status: Status,
    /// Stake in the consumer's current set.
    pub in_set: Option<Stake>,
    /// Stake that left the set and is still slashable.
    pub departed: Option<Stake>,
    /// Height of the opt-in.
    pub opt_in_height: u64,
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("corrupt pledge: {e}"))
}

impl Pledge {
    /// The protobuf form.
    pub fn to_proto(&self) -> pb::Pledge {
        pb::Pledge {
            validator: ChainProfile::rampart().to_valoper(&self.validator),
            consumer_id: self.consumer_id,
            pledge_bps: self.pledge_bps,
            status: self.status.to_proto() as i32,
            in_set: self.in_set.map(|s| s.to_proto()),
            departed: self.departed.map(|s| s.to_proto()),
            opt_in_height: self.opt_in_height,
        }
    }

    /// From the protobuf form.
    pub fn from_proto(p: &pb::Pledge) -> AppResult<Self> {
        Ok(Self {
            validator: ChainProfile::rampart().valoper(&p.validator, "validator")?,
            consumer_id: p.consumer_id,
            pledge_bps: p.pledge_bps,
            status: Status::from_proto(p.status)
                .ok_or_else(|| AppError::sdk(SdkCode::InvalidRequest, "invalid pledge status"))?,
            in_set: p.in_set.as_ref().map(Stake::from_proto).transpose()?,
            departed: p.departed.as_ref().map(Stake::from_proto).transpose()?,
            opt_in_height: p.opt_in_height,
        })
    }

    /// The departed stake, if still slashable at `now` (`None` for `now`: any recorded).
    pub fn live_departed(&self, now: Option<BlockTime>) -> Option<Stake> {
        self.departed.filter(|d| match (now, d.slashable_until) {
            (Some(now), Some(until)) => until > now,
            _ => true,
        })
    }

    /// The largest pledge (basis points) that can still be slashed for this consumer: the
    /// active pledge, the pledge counted in the set, and live departed stake.
    pub fn slashable_bps(&self, now: Option<BlockTime>) -> u32 {
        let active = if self.status == Status::Active {
            self.pledge_bps
        } else {
            0
        };
        active
            .max(self.in_set.map_or(0, |s| s.pledge_bps))
            .max(self.live_departed(now).map_or(0, |s| s.pledge_bps))
    }
}

/// The pledge of `op` to consumer `id`.
pub fn load(state: &dyn StateRead, id: u64, op: &Address) -> AppResult<Option<Pledge>> {
    state
        .get_proto::<pb::Pledge>(&keys::pledge(id, op))
        .map_err(corrupt)?
        .map(|p| Pledge::from_proto(&p).map_err(|e| corrupt(e.log)))
        .transpose()
}

/// The number of pledges (any status) to consumer `id`.
pub fn count(state: &dyn StateRead, id: u64) -> u64 {
    state
        .get(&keys::with_id(keys::PLEDGE_COUNT, id))
        .and_then(|value| keys::u64_at(&value, 0))
        .unwrap_or(0)
}

fn set_count(state: &mut dyn StateWrite, id: u64, count: u64) {
    let key = keys::with_id(keys::PLEDGE_COUNT, id);
    if count == 0 {
        state.delete(key);
    } else {
        state.put(key, count.to_be_bytes().to_vec());
    }
}

/// Stores a pledge and its index entry (a new pledge counts in [`count`]).
pub fn save(state: &mut dyn StateWrite, pledge: &Pledge) {
    let key = keys::pledge(pledge.consumer_id, &pledge.validator);
    if state.get(&key).is_none() {
        let n = count(state, pledge.consumer_id).saturating_add(1);
        set_count(state, pledge.consumer_id, n);
    }
    state.put_proto(key, &pledge.to_proto());
    state.put(
        keys::pledge_by_validator(&pledge.validator, pledge.consumer_id),
        Vec::new(),
    );
}

/// Deletes a pledge and its index entry (and its place in [`count`]).
pub fn remove(state: &mut dyn StateWrite, id: u64, op: &Address) {
    let key = keys::pledge(id, op);
    if state.get(&key).is_some() {
        let n = count(state, id).saturating_sub(1);
        set_count(state, id, n);
    }
    state.delete(key);
    state.delete(keys::pledge_by_validator(op, id));
}

/// Every pledge to consumer `id`, in operator order.
pub fn of_consumer(state: &dyn StateRead, id: u64) -> AppResult<Vec<Pledge>> {
    state
        .scan_prefix(&keys::with_id(keys::PLEDGE, id))
        .map(|(_, value)| {
            let p = pb::Pledge::decode(value.as_slice()).map_err(corrupt)?;
            Pledge::from_proto(&p).map_err(|e| corrupt(e.log))
        })
        .collect()
}

/// Every pledge of validator `op`, in consumer order.
pub fn of_validator(state: &dyn StateRead, op: &Address) -> AppResult<Vec<Pledge>> {
    let prefix = [keys::PLEDGES_BY_VALIDATOR, op].concat();
    let ids: Vec<u64> = state
        .scan_prefix(&prefix)
        .filter_map(|(key, _)| keys::u64_at(&key, prefix.len()))
        .collect();
    let mut out = Vec::new();
    for id in ids {
        if let Some(p) = load(state, id, op)? {
            out.push(p);
        }
    }
    Ok(out)
}

/// Every pledge, in (consumer, operator) order.
pub fn all(state: &dyn StateRead) -> AppResult<Vec<Pledge>> {
    state
        .scan_prefix(keys::PLEDGE)
        .map(|(_, value)| {
            let p = pb::Pledge::decode(value.as_slice()).map_err(corrupt)?;
            Pledge::from_proto(&p).map_err(|e| corrupt(e.log))
        })
        .collect()
}

/// A validator's jail record on one consumer.
#[derive(Clone, PartialEq, prost::Message)]
pub struct JailRecord {
    /// Out of the consumer's set until then.
    #[prost(message, optional, tag = "1")]
    pub jailed_until: Option<tendermint_proto::google::protobuf::Timestamp>,
    /// Out for good.
    #[prost(bool, tag = "2")]
    pub tombstoned: bool,
}

/// The jail record of `op` on consumer `id`.
pub fn jail_record(state: &dyn StateRead, id: u64, op: &Address) -> AppResult<Option<JailRecord>> {
    state
        .get_proto::<JailRecord>(&keys::jail(id, op))
        .map_err(corrupt)
}

/// Every jail record on consumer `id`, by operator.
pub fn jail_records(state: &dyn StateRead, id: u64) -> AppResult<Vec<(Address, JailRecord)>> {
    let prefix = keys::with_id(keys::JAIL, id);
    state
        .scan_prefix(&prefix)
        .map(|(key, value)| {
            let op = keys::addr_at(&key, prefix.len()).ok_or_else(|| corrupt("jail key"))?;
            let record =
                <JailRecord as prost::Message>::decode(value.as_slice()).map_err(corrupt)?;
            Ok((op, record))
        })
        .collect()
}

/// Whether `op` is kept out of consumer `id`'s set at `now` (jailed there or tombstoned).
pub fn jailed_on_consumer(
    state: &dyn StateRead,
    id: u64,
    op: &Address,
    now: BlockTime,
) -> AppResult<bool> {
    let Some(record) = jail_record(state, id, op)? else {
        return Ok(false);
    };
    if record.tombstoned {
        return Ok(true);
    }
    let until = record
        .jailed_until
        .as_ref()
        .map(block_time)
        .transpose()?
        .unwrap_or_default();
    Ok(until > now)
}

/// Whether `op` is tombstoned on consumer `id`.
pub fn tombstoned(state: &dyn StateRead, id: u64, op: &Address) -> AppResult<bool> {
    Ok(jail_record(state, id, op)?.is_some_and(|r| r.tombstoned))
}

/// Stores a jail record.
pub fn set_jail(state: &mut dyn StateWrite, id: u64, op: &Address, record: &JailRecord) {
    state.put_proto(keys::jail(id, op), record);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stake(bps: u32, tokens: u128, until: Option<i64>) -> Stake {
        Stake {
            validator_power: 10,
            pledge_bps: bps,
            pledged_tokens: Amount(tokens),
            consumer_power: 1,
            provider_height: 5,
            slashable_until: until.map(|seconds| BlockTime { seconds, nanos: 0 }),
        }
    }

    #[test]
    fn slashable_bps_takes_the_largest_live_pledge() {
        let mut p = Pledge {
            validator: Address([1; 20]),
            consumer_id: 0,
            pledge_bps: 2_000,
            status: Status::Active,
            in_set: Some(stake(5_000, 50, None)),
            departed: Some(stake(8_000, 80, Some(100))),
            opt_in_height: 1,
        };
        let t = |seconds| BlockTime { seconds, nanos: 0 };
        assert_eq!(p.slashable_bps(Some(t(50))), 8_000);
        assert_eq!(p.slashable_bps(Some(t(100))), 5_000, "departed expired");
        p.status = Status::OptingOut;
        p.in_set = None;
        assert_eq!(p.slashable_bps(Some(t(100))), 0);
        assert_eq!(Pledge::from_proto(&p.to_proto()).expect("round trip"), p);
        let merged = stake(1, 10, Some(5)).merge(stake(2, 5, Some(9)));
        assert_eq!(
            (
                merged.pledge_bps,
                merged.pledged_tokens,
                merged.slashable_until
            ),
            (1, Amount(10), Some(t(9))),
            "the larger stake whole, the later deadline"
        );
    }
}
