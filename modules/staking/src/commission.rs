//! Commission rules of the Cosmos SDK: `rate ≤ max_rate ≤ 1`, `max_change_rate ≤ max_rate`,
//! `rate ≥` the chain minimum, and edits at most once per 24 h within `max_change_rate`.

use rampart_core::error::AppResult;
use rampart_core::{BlockTime, Decimal};

use crate::errors::{err, StakingCode};
use crate::validator::CommissionState;

/// Seconds between two commission changes.
pub const CHANGE_INTERVAL_SECONDS: i128 = 24 * 3600;

/// Checks the rates of a new validator.
pub fn validate_new(
    rate: Decimal,
    max_rate: Decimal,
    max_change_rate: Decimal,
    min_rate: Decimal,
) -> AppResult<()> {
    if max_rate > Decimal::ONE {
        return Err(err(
            StakingCode::CommissionHuge,
            "commission cannot be more than 100%",
        ));
    }
    if rate > max_rate {
        return Err(err(
            StakingCode::CommissionGtMaxRate,
            "commission cannot be more than the max rate",
        ));
    }
    if max_change_rate > max_rate {
        return Err(err(
            StakingCode::CommissionChangeRateGtMaxRate,
            "commission change rate cannot be more than the max rate",
        ));
    }
    if rate < min_rate {
        return Err(err(
            StakingCode::CommissionLtMinRate,
            format!("cannot set validator commission to less than minimum rate of {min_rate}"),
        ));
    }
    Ok(())
}

/// Checks a change of `current` to `new_rate` at block time `now`.
pub fn validate_change(
    current: &CommissionState,
    new_rate: Decimal,
    min_rate: Decimal,
    now: BlockTime,
) -> AppResult<()> {
    let elapsed = now.unix_nanos() - current.update_time.unix_nanos();
    if elapsed < CHANGE_INTERVAL_SECONDS * 1_000_000_000 {
        return Err(err(
            StakingCode::CommissionUpdateTime,
            "commission cannot be changed more than once in 24h",
        ));
    }
    if new_rate > current.max_rate {
        return Err(err(
            StakingCode::CommissionGtMaxRate,
            "commission cannot be more than the max rate",
        ));
    }
    let change = if new_rate > current.rate {
        new_rate.checked_sub(current.rate)?
    } else {
        current.rate.checked_sub(new_rate)?
    };
    if change > current.max_change_rate {
        return Err(err(
            StakingCode::CommissionGtMaxChangeRate,
            "commission cannot be changed more than max change rate",
        ));
    }
    if new_rate < min_rate {
        return Err(err(
            StakingCode::CommissionLtMinRate,
            format!("cannot set validator commission to less than minimum rate of {min_rate}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(p: u32) -> Decimal {
        Decimal::from_bps(p * 100)
    }

    fn code(r: AppResult<()>) -> u32 {
        r.expect_err("refused").code
    }

    #[test]
    fn new_rates_follow_the_sdk_rules() {
        assert!(validate_new(pct(10), pct(20), pct(1), pct(0)).is_ok());
        assert_eq!(code(validate_new(pct(10), pct(101), pct(1), pct(0))), 10);
        assert_eq!(code(validate_new(pct(30), pct(20), pct(1), pct(0))), 11);
        assert_eq!(code(validate_new(pct(10), pct(20), pct(21), pct(0))), 14);
        assert_eq!(code(validate_new(pct(1), pct(20), pct(1), pct(5))), 40);
    }

    #[test]
    fn changes_are_rate_limited_in_time_and_size() {
        let current = CommissionState {
            rate: pct(10),
            max_rate: pct(20),
            max_change_rate: pct(1),
            update_time: BlockTime {
                seconds: 1_000,
                nanos: 0,
            },
        };
        let day_later = BlockTime {
            seconds: 1_000 + 86_400,
            nanos: 0,
        };
        let too_soon = BlockTime {
            seconds: 1_000 + 86_399,
            nanos: 999_999_999,
        };
        assert!(validate_change(&current, pct(11), pct(0), day_later).is_ok());
        assert!(validate_change(&current, pct(9), pct(0), day_later).is_ok());
        assert_eq!(
            code(validate_change(&current, pct(11), pct(0), too_soon)),
            12
        );
        assert_eq!(
            code(validate_change(&current, pct(12), pct(0), day_later)),
            15
        );
        assert_eq!(
            code(validate_change(&current, pct(21), pct(0), day_later)),
            11
        );
    }
}
