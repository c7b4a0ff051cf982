//! Parameters an owner changed after launch, waiting one provider unbonding period before they
//! apply: the infraction parameters (validators can opt out before a harsher slash applies), the
//! reward rate and the allow/deny lists (so that an owner cannot route the reward pool to
//! validators of its choosing at once: who shares the pool, and how fast it is paid, changes only
//! after every pledged validator could react). The lists themselves wait outside the registry
//! entry (`consumer/pendinglists/`); the entry records only that they changed.

use rampart_core::coins::{parse_coins, Coin};
use rampart_core::error::{AppError, AppResult};
use rampart_core::wire::{block_time, timestamp};
use rampart_core::BlockTime;
use rampart_proto::rampart::consumer::v1 as pb;

use crate::errors::{err, ConsumerCode};
use crate::lists::ConsumerLists;
use crate::types::{ConsumerParams, InfractionParams};

/// Parameters waiting for their effective time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingParams {
    /// New double-sign parameters.
    pub double_sign: InfractionParams,
    /// New downtime parameters.
    pub downtime: InfractionParams,
    /// When they take effect.
    pub effective_time: BlockTime,
    /// The new reward rate, when it changes.
    pub reward_rate_per_block: Option<Vec<Coin>>,
    /// Whether new allow/deny lists wait under `consumer/pendinglists/`.
    pub lists: bool,
}

fn invalid(why: &str) -> AppError {
    err(ConsumerCode::InvalidParams, why.to_owned())
}

impl PendingParams {
    /// The protobuf form.
    pub fn to_proto(&self) -> pb::PendingInfractionParams {
        pb::PendingInfractionParams {
            double_sign: Some(self.double_sign.to_proto()),
            downtime: Some(self.downtime.to_proto()),
            effective_time: Some(timestamp(self.effective_time)),
            reward_rate: self
                .reward_rate_per_block
                .as_ref()
                .map(|rate| pb::PendingRewardRate {
                    reward_rate_per_block: rate.iter().map(Coin::to_proto).collect(),
                }),
            lists: self.lists,
        }
    }

    /// From the protobuf form; `Err` names the broken field.
    pub fn from_proto(p: &pb::PendingInfractionParams) -> AppResult<Self> {
        Ok(Self {
            double_sign: InfractionParams::from_proto(
                p.double_sign.as_ref(),
                "pending.double_sign",
            )?,
            downtime: InfractionParams::from_proto(p.downtime.as_ref(), "pending.downtime")?,
            effective_time: block_time(
                p.effective_time
                    .as_ref()
                    .ok_or_else(|| invalid("pending.effective_time: missing"))?,
            )?,
            reward_rate_per_block: p
                .reward_rate
                .as_ref()
                .map(|r| parse_coins(&r.reward_rate_per_block))
                .transpose()?,
            lists: p.lists,
        })
    }
}

/// What updating a launched consumer's parameters from `current` (lists `current_lists`) to
/// `new` (lists `new_lists`) does: the parameters in force at once (the new ones, but for the
/// infraction parameters and the reward rate, which keep their current values), the pending
/// parameters, effective at `effective_time`, when the infraction parameters, the reward rate
/// or the lists differ (`None`: nothing waits, an earlier pending change is dropped), and the
/// lists that wait with them when they differ.
pub fn plan(
    current: &ConsumerParams,
    current_lists: &ConsumerLists,
    new: ConsumerParams,
    new_lists: ConsumerLists,
    effective_time: BlockTime,
) -> (ConsumerParams, Option<PendingParams>, Option<ConsumerLists>) {
    let rate = (new.reward_rate_per_block != current.reward_rate_per_block)
        .then(|| new.reward_rate_per_block.clone());
    let lists = (new_lists != *current_lists).then_some(new_lists);
    let infraction_changed =
        (new.double_sign, new.downtime) != (current.double_sign, current.downtime);
    let pending =
        (infraction_changed || rate.is_some() || lists.is_some()).then(|| PendingParams {
            double_sign: new.double_sign,
            downtime: new.downtime,
            effective_time,
            reward_rate_per_block: rate,
            lists: lists.is_some(),
        });
    let mut next = new;
    next.double_sign = current.double_sign;
    next.downtime = current.downtime;
    next.reward_rate_per_block = current.reward_rate_per_block.clone();
    (next, pending, lists)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::{Address, Amount, Decimal};

    fn params() -> ConsumerParams {
        ConsumerParams::from_proto(Some(&crate::types::tests::proto_params())).expect("valid")
    }

    #[test]
    fn only_the_delayed_parameters_wait() {
        let at = BlockTime {
            seconds: 100,
            nanos: 0,
        };
        let current = params();
        let none = ConsumerLists::default();
        // Nothing delayed changed: nothing waits, the rest applies at once.
        let mut new = current.clone();
        new.max_validators = 5;
        let (next, pending, lists) = plan(&current, &none, new.clone(), none.clone(), at);
        assert_eq!((next, pending, lists), (new, None, None));
        // A new rate and new lists wait; the rate in force stays.
        let mut new = current.clone();
        new.reward_rate_per_block = vec![Coin {
            denom: "uramp".into(),
            amount: Amount(7),
        }];
        let mut allow = ConsumerLists::default();
        allow.allowlist.insert(Address([1; 20]));
        let (next, pending, lists) = plan(&current, &none, new.clone(), allow.clone(), at);
        assert_eq!(next, current);
        let pending = pending.expect("waits");
        assert_eq!(
            pending.reward_rate_per_block,
            Some(new.reward_rate_per_block)
        );
        assert!(pending.lists);
        assert_eq!(pending.effective_time, at);
        assert_eq!(lists, Some(allow));
        assert_eq!(
            PendingParams::from_proto(&pending.to_proto()).expect("round trip"),
            pending
        );
        // A raised fraction waits, with the rate and lists unchanged.
        let mut new = current.clone();
        new.double_sign.slash_fraction = Decimal::from_bps(800);
        let (_, pending, lists) = plan(&current, &none, new, none.clone(), at);
        let pending = pending.expect("waits");
        assert_eq!(pending.double_sign.slash_fraction, Decimal::from_bps(800));
        assert_eq!(
            (pending.reward_rate_per_block, pending.lists, lists),
            (None, false, None)
        );
    }
}
