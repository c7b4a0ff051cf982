//! Conversions between the chain's checked numbers and times and their Cosmos wire forms, in one
//! place for every module: `LegacyDec` fields are the integer ×10^18 without a decimal point,
//! `Int` fields are plain integer strings, times are protobuf `Timestamp`s or RFC 3339 text
//! (genesis, event attributes), and time-ordered state keys use [`time_key`].

use crate::context::BlockTime;
use crate::error::{AppError, AppResult, SdkCode};
use crate::math::{Amount, Decimal};
use tendermint_proto::google::protobuf::{Duration, Timestamp};

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// A `LegacyDec` as protobuf carries it: the attos as an integer string.
pub fn dec_to_wire(value: Decimal) -> String {
    value.0.to_string()
}

/// Parses a protobuf `LegacyDec` (integer attos, no decimal point); `field` names it in errors.
pub fn dec_from_wire(text: &str, field: &str) -> AppResult<Decimal> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            format!("{field}: invalid decimal {text:?} (expected integer attos)"),
        ));
    }
    text.parse::<u128>().map(Decimal).map_err(|_| {
        AppError::sdk(
            SdkCode::InvalidRequest,
            format!("{field}: decimal {text} overflows"),
        )
    })
}

/// An `Int` as protobuf carries it.
pub fn int_to_wire(value: Amount) -> String {
    value.0.to_string()
}

/// Parses a protobuf `Int` (non-negative integer string); `field` names it in errors.
pub fn int_from_wire(text: &str, field: &str) -> AppResult<Amount> {
    text.parse::<Amount>()
        .map_err(|e| AppError::sdk(SdkCode::InvalidRequest, format!("{field}: {}", e.log)))
}

/// A block time as a protobuf `Timestamp`.
pub fn timestamp(time: BlockTime) -> Timestamp {
    Timestamp {
        seconds: time.seconds,
        // nanos < 10^9 < i32::MAX by BlockTime's contract; clamp keeps it total.
        nanos: i32::try_from(time.nanos).unwrap_or(999_999_999),
    }
}

/// A protobuf `Timestamp` as a block time; negative or out-of-range nanos are rejected.
pub fn block_time(ts: &Timestamp) -> AppResult<BlockTime> {
    let nanos = u32::try_from(ts.nanos)
        .ok()
        .filter(|n| *n < 1_000_000_000)
        .ok_or_else(|| AppError::sdk(SdkCode::InvalidRequest, "timestamp nanos out of range"))?;
    Ok(BlockTime {
        seconds: ts.seconds,
        nanos,
    })
}

/// `time + duration`, checked.
pub fn add_duration(time: BlockTime, duration: &Duration) -> AppResult<BlockTime> {
    let total = time
        .unix_nanos()
        .checked_add(i128::from(duration.seconds) * NANOS_PER_SECOND + i128::from(duration.nanos))
        .ok_or_else(|| AppError::sdk(SdkCode::Logic, "time overflow"))?;
    let seconds = i64::try_from(total.div_euclid(NANOS_PER_SECOND))
        .map_err(|_| AppError::sdk(SdkCode::Logic, "time overflow"))?;
    // rem_euclid of a positive modulus is in 0..10^9, which fits u32.
    let nanos = u32::try_from(total.rem_euclid(NANOS_PER_SECOND)).unwrap_or(0);
    Ok(BlockTime { seconds, nanos })
}

/// `time + seconds`, checked.
pub fn add_seconds(time: BlockTime, seconds: u64) -> AppResult<BlockTime> {
    let seconds =
        i64::try_from(seconds).map_err(|_| AppError::sdk(SdkCode::Logic, "duration overflows"))?;
    add_duration(time, &Duration { seconds, nanos: 0 })
}

/// RFC 3339 text of a block time, as the SDK writes `completion_time` attributes.
pub fn rfc3339(time: BlockTime) -> String {
    tendermint::Time::from_unix_timestamp(time.seconds, time.nanos)
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|_| format!("{}.{:09}", time.seconds, time.nanos))
}

/// Parses RFC 3339 text (genesis files) as a block time.
pub fn parse_rfc3339(text: &str, field: &str) -> AppResult<BlockTime> {
    let time = tendermint::Time::parse_from_rfc3339(text).map_err(|e| {
        AppError::sdk(
            SdkCode::JsonUnmarshal,
            format!("{field}: invalid time {text:?}: {e}"),
        )
    })?;
    let nanos = time.unix_timestamp_nanos();
    Ok(BlockTime {
        seconds: time.unix_timestamp(),
        // rem_euclid of a positive modulus is in 0..10^9, which fits u32.
        nanos: u32::try_from(nanos.rem_euclid(NANOS_PER_SECOND)).unwrap_or(0),
    })
}

/// `amount` followed by `denom`, the SDK's coin string (`"100uramp"`).
pub fn coin_string(amount: Amount, denom: &str) -> String {
    format!("{amount}{denom}")
}

/// Sortable 12-byte form of a block time (sign-flipped seconds, nanos), for time-ordered keys.
pub fn time_key(time: BlockTime) -> [u8; 12] {
    let mut key = [0u8; 12];
    let flipped = (time.seconds as u64) ^ (1u64 << 63);
    key[..8].copy_from_slice(&flipped.to_be_bytes());
    key[8..].copy_from_slice(&time.nanos.to_be_bytes());
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_dec_wire_form_has_no_point() {
        assert_eq!(dec_to_wire(Decimal::ONE), "1000000000000000000");
        assert_eq!(
            dec_from_wire("50000000000000000", "rate").expect("valid"),
            Decimal::from_bps(500)
        );
        assert!(dec_from_wire("0.05", "rate").is_err());
        assert!(dec_from_wire("-1", "rate").is_err());
        assert!(dec_from_wire("", "rate").is_err());
    }

    #[test]
    fn int_wire_form_and_times() {
        assert_eq!(int_from_wire("42", "tokens").expect("valid"), Amount(42));
        assert!(int_from_wire("4.2", "tokens").is_err());
        let t = BlockTime {
            seconds: 10,
            nanos: 999_999_999,
        };
        let later = add_duration(
            t,
            &Duration {
                seconds: 1,
                nanos: 2,
            },
        )
        .expect("fits");
        assert_eq!(
            later,
            BlockTime {
                seconds: 12,
                nanos: 1
            }
        );
        assert!(time_key(t) < time_key(later));
        assert_eq!(
            add_seconds(t, 2).expect("fits"),
            BlockTime {
                seconds: 12,
                nanos: 999_999_999
            }
        );
        assert!(add_seconds(t, u64::MAX).is_err());
        assert!(
            time_key(BlockTime {
                seconds: -1,
                nanos: 0
            }) < time_key(t)
        );
        assert_eq!(
            rfc3339(BlockTime {
                seconds: 0,
                nanos: 0
            }),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(parse_rfc3339(&rfc3339(later), "t").expect("valid"), later);
        assert!(parse_rfc3339("yesterday", "t").is_err());
    }
}
