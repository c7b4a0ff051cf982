//! A consumer's validator set from the pledges: who qualifies, with which consumer power, and
//! the power cap.
//!
//! A validator qualifies when it has an ACTIVE pledge, is bonded and not jailed on the provider
//! (tombstoned validators are jailed for good), is not jailed or tombstoned on this consumer,
//! passes the allow/deny lists and has at least `min_validator_stake` backing the consumer. Its
//! backing tokens are its bonded tokens less those of delegations whose delegators chose not to
//! back this consumer ([`rampart_staking::backing`]), its pledged tokens `backing × pledge`
//! (rounded down) and its consumer power `pledged tokens / 10^6`; validators
//! with power 0 are left out. The `max_validators` largest by power (ties by operator address)
//! are kept, then the power cap applies.

use cosmos_sdk_proto::cosmos::staking::v1beta1::BondStatus;
use rampart_consumer::{Consumer, ConsumerRead, ConsumerValidator};
use rampart_core::error::AppResult;
use rampart_core::math::mul_div;
use rampart_core::profile::RAMPART_POWER_REDUCTION;
use rampart_core::{BlockTime, Decimal, StateRead};
use rampart_staking::StakingRead;

use crate::consumer_keys;
use crate::pledge::{self, Status};

/// The set `consumer` would get at `now`, counted at provider `height`, in operator order.
pub fn select(
    state: &dyn StateRead,
    consumer: &Consumer,
    height: u64,
    now: BlockTime,
) -> AppResult<Vec<ConsumerValidator>> {
    let params = &consumer.params;
    let lists = state.consumer_lists(consumer.id)?;
    let mut candidates = Vec::new();
    for p in pledge::of_consumer(state, consumer.id)? {
        if p.status != Status::Active {
            continue;
        }
        let Some(v) = state.validator(&p.validator)? else {
            continue;
        };
        if v.status != BondStatus::Bonded || v.jailed {
            continue;
        }
        if pledge::jailed_on_consumer(state, consumer.id, &p.validator, now)? {
            continue;
        }
        // The stake backing this consumer: all of it unless some delegators chose otherwise.
        let backing = v.backing_tokens(state, consumer.id)?;
        if !lists.allows(&p.validator) || backing < params.min_validator_stake {
            continue;
        }
        let pledged_tokens = backing.mul_floor(Decimal::from_bps(p.pledge_bps))?;
        let power = u64::try_from(pledged_tokens.0 / RAMPART_POWER_REDUCTION).unwrap_or(u64::MAX);
        if power == 0 {
            continue;
        }
        let Some(key) = consumer_keys::current(state, consumer.id, &p.validator)? else {
            continue;
        };
        candidates.push(ConsumerValidator {
            operator: p.validator,
            consumer_pubkey: key,
            power,
            pledged_tokens,
            pledge_bps: p.pledge_bps,
            validator_power: u64::try_from(backing.0 / RAMPART_POWER_REDUCTION).unwrap_or(u64::MAX),
            provider_height: height,
        });
    }
    candidates.sort_by(|a, b| b.power.cmp(&a.power).then(a.operator.cmp(&b.operator)));
    candidates.truncate(params.max_validators as usize);
    let powers: Vec<u64> = candidates.iter().map(|c| c.power).collect();
    let capped = cap_powers(&powers, params.validator_power_cap)?;
    for (candidate, power) in candidates.iter_mut().zip(capped) {
        candidate.power = power;
    }
    candidates.sort_by_key(|c| c.operator);
    Ok(candidates)
}

/// Applies the power cap to `powers` (sorted descending): the largest validators are lowered
/// to a common power `x` such that `x ≤ cap × total` of the capped total, water-filling from
/// the top (`x = cap × rest / (1 − cap × k)` for the `k` capped validators and the `rest` of the
/// power). When the cap cannot be met (`cap × n < 1`) every validator gets the smallest power,
/// the most even split possible. Exact integer arithmetic, rounded down.
pub fn cap_powers(powers: &[u64], cap: Decimal) -> AppResult<Vec<u64>> {
    let n = powers.len();
    if n == 0 || cap >= Decimal::ONE {
        return Ok(powers.to_vec());
    }
    let min = powers.iter().copied().min().unwrap_or(0);
    if cap.0.saturating_mul(n as u128) < Decimal::ONE_ATTOS {
        return Ok(vec![min; n]);
    }
    let mut rest: u128 = powers.iter().map(|p| u128::from(*p)).sum();
    let mut capped = 0usize;
    let level = |rest: u128, capped: usize| -> AppResult<Option<u128>> {
        let used = cap.0.saturating_mul(capped as u128);
        if used >= Decimal::ONE_ATTOS {
            return Ok(None);
        }
        mul_div(rest, cap.0, Decimal::ONE_ATTOS - used, false).map(Some)
    };
    while capped < n {
        let Some(x) = level(rest, capped)? else { break };
        if u128::from(powers[capped]) > x {
            rest -= u128::from(powers[capped]);
            capped += 1;
        } else {
            break;
        }
    }
    if capped == 0 {
        return Ok(powers.to_vec());
    }
    if capped == n {
        return Ok(vec![min; n]);
    }
    let x = level(rest, capped)?.unwrap_or(u128::from(min));
    let x = u64::try_from(x).unwrap_or(u64::MAX);
    Ok(powers
        .iter()
        .enumerate()
        .map(|(i, p)| if i < capped { x } else { *p })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(powers: &[u64], bps: u32) -> Vec<u64> {
        cap_powers(powers, Decimal::from_bps(bps)).expect("fits")
    }

    #[test]
    fn cap_lowers_the_top_and_keeps_the_rest() {
        assert_eq!(cap(&[10, 5, 5], 10_000), [10, 5, 5]);
        // 50 %: 10 of 20 is exactly half already.
        assert_eq!(cap(&[10, 5, 5], 5_000), [10, 5, 5]);
        // 40 %: x = 0.4 × 10 / 0.6 = 6.66 → 6 (6 of 16 = 37.5 %).
        assert_eq!(cap(&[10, 5, 5], 4_000), [6, 5, 5]);
        // 30 % with 3 validators cannot be met: all equal.
        assert_eq!(cap(&[10, 5, 5], 3_000), [5, 5, 5]);
        // Two capped: 0.3 × 4 / 0.4 = 3.
        assert_eq!(cap(&[100, 90, 2, 1, 1], 3_000), [3, 3, 2, 1, 1]);
        assert!(cap(&[], 1_000).is_empty());
    }

    proptest::proptest! {
        /// After capping no validator holds more than the cap of the total (when feasible),
        /// order is kept and nobody's power rises.
        #[test]
        fn capped_shares_respect_the_cap(
            mut powers in proptest::collection::vec(1u64..1_000_000, 1..20),
            bps in 1u32..=10_000,
        ) {
            powers.sort_by(|a, b| b.cmp(a));
            let capped = cap(&powers, bps);
            proptest::prop_assert_eq!(capped.len(), powers.len());
            for (c, p) in capped.iter().zip(&powers) {
                proptest::prop_assert!(c <= p);
            }
            proptest::prop_assert!(capped.windows(2).all(|w| w[0] >= w[1]));
            let total: u128 = capped.iter().map(|p| u128::from(*p)).sum();
            if u128::from(bps) * powers.len() as u128 >= 10_000 {
                for c in &capped {
                    // c ≤ cap × total, up to the rounding of one unit.
                    proptest::prop_assert!(u128::from(*c) * 10_000 <= u128::from(bps) * total + 10_000);
                }
            }
        }
    }
}
