//! Checked integer amounts and an 18-decimal fixed-point [`Decimal`] (the Cosmos `LegacyDec`
//! precision). Every operation that can overflow returns `Err` (an input error with code
//! `sdk/35`), never panics and never wraps.

use std::fmt;
use std::str::FromStr;

use crate::error::{AppError, AppResult, SdkCode};

fn overflow(op: &str) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("arithmetic overflow in {op}"))
}

/// A non-negative token amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub u128);

impl Amount {
    /// Zero tokens.
    pub const ZERO: Amount = Amount(0);

    /// `self + other`, or an overflow error.
    pub fn checked_add(self, other: Amount) -> AppResult<Amount> {
        self.0
            .checked_add(other.0)
            .map(Amount)
            .ok_or_else(|| overflow("add"))
    }

    /// `self - other`, or an error when `other > self`.
    pub fn checked_sub(self, other: Amount) -> AppResult<Amount> {
        self.0
            .checked_sub(other.0)
            .map(Amount)
            .ok_or_else(|| overflow("sub"))
    }

    /// `self × fraction`, rounded down.
    pub fn mul_floor(self, fraction: Decimal) -> AppResult<Amount> {
        mul_div(self.0, fraction.0, Decimal::ONE_ATTOS, false).map(Amount)
    }

    /// `self × fraction`, rounded up.
    pub fn mul_ceil(self, fraction: Decimal) -> AppResult<Amount> {
        mul_div(self.0, fraction.0, Decimal::ONE_ATTOS, true).map(Amount)
    }

    /// Whether the amount is zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Amount {
    type Err = AppError;
    fn from_str(s: &str) -> AppResult<Amount> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::sdk(
                SdkCode::InvalidCoins,
                format!("invalid amount {s:?}"),
            ));
        }
        s.parse::<u128>()
            .map(Amount)
            .map_err(|_| AppError::sdk(SdkCode::InvalidCoins, format!("amount {s} overflows")))
    }
}

/// A non-negative fixed-point number with 18 decimals, stored as attos (10^-18).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(pub u128);

impl Decimal {
    /// Number of decimal places.
    pub const PRECISION: u32 = 18;
    /// 10^18, the representation of 1.
    pub const ONE_ATTOS: u128 = 1_000_000_000_000_000_000;
    /// Zero.
    pub const ZERO: Decimal = Decimal(0);
    /// One.
    pub const ONE: Decimal = Decimal(Self::ONE_ATTOS);

    /// `numerator / denominator`, rounded down; `Err` for a zero denominator or overflow.
    pub fn from_ratio(numerator: u128, denominator: u128) -> AppResult<Decimal> {
        if denominator == 0 {
            return Err(overflow("ratio with zero denominator"));
        }
        mul_div(numerator, Self::ONE_ATTOS, denominator, false).map(Decimal)
    }

    /// A fraction given in basis points (1/10,000).
    pub fn from_bps(bps: u32) -> Decimal {
        // 10^14 × u32::MAX < 2^128: cannot overflow.
        Decimal(u128::from(bps) * (Self::ONE_ATTOS / 10_000))
    }

    /// `self + other`.
    pub fn checked_add(self, other: Decimal) -> AppResult<Decimal> {
        self.0
            .checked_add(other.0)
            .map(Decimal)
            .ok_or_else(|| overflow("decimal add"))
    }

    /// `self - other`.
    pub fn checked_sub(self, other: Decimal) -> AppResult<Decimal> {
        self.0
            .checked_sub(other.0)
            .map(Decimal)
            .ok_or_else(|| overflow("decimal sub"))
    }

    /// `self × other`, rounded down.
    pub fn checked_mul(self, other: Decimal) -> AppResult<Decimal> {
        mul_div(self.0, other.0, Self::ONE_ATTOS, false).map(Decimal)
    }

    /// `self / other`, rounded down.
    pub fn checked_div(self, other: Decimal) -> AppResult<Decimal> {
        if other.0 == 0 {
            return Err(overflow("decimal division by zero"));
        }
        mul_div(self.0, Self::ONE_ATTOS, other.0, false).map(Decimal)
    }
}

impl fmt::Display for Decimal {
    /// Formats with all 18 decimals, as the Cosmos SDK's `LegacyDec` does (`"0.050000000000000000"`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:018}",
            self.0 / Self::ONE_ATTOS,
            self.0 % Self::ONE_ATTOS
        )
    }
}

impl FromStr for Decimal {
    type Err = AppError;
    /// Parses `"1"`, `"0.05"` or `"0.050000000000000000"`; at most 18 decimals, no sign.
    fn from_str(s: &str) -> AppResult<Decimal> {
        let invalid = || AppError::sdk(SdkCode::InvalidRequest, format!("invalid decimal {s:?}"));
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 18 {
            return Err(invalid());
        }
        if s.ends_with('.') {
            return Err(invalid());
        }
        let whole: u128 = whole.parse().map_err(|_| invalid())?;
        let frac_attos: u128 = if frac.is_empty() {
            0
        } else {
            // At most 18 digits, so the value and the scale both fit in u128.
            let scale = 10u128.pow(18 - frac.len() as u32);
            frac.parse::<u128>().map_err(|_| invalid())? * scale
        };
        whole
            .checked_mul(Self::ONE_ATTOS)
            .and_then(|w| w.checked_add(frac_attos))
            .map(Decimal)
            .ok_or_else(invalid)
    }
}

impl serde::Serialize for Decimal {
    /// As its decimal text (`"0.050000000000000000"`), as the SDK writes `LegacyDec` in JSON.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Decimal {
    /// From decimal text (`"0.05"`); anything [`Decimal::from_str`] refuses is an error.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse()
            .map_err(|e: AppError| serde::de::Error::custom(e.log))
    }
}

/// `a × b / d` with a 256-bit intermediate, rounded down or up; `Err` when the result exceeds
/// u128 or `d` is zero.
pub fn mul_div(a: u128, b: u128, d: u128, round_up: bool) -> AppResult<u128> {
    if d == 0 {
        return Err(overflow("division by zero"));
    }
    let (hi, lo) = mul_wide(a, b);
    let (quotient, remainder) = div_wide(hi, lo, d).ok_or_else(|| overflow("mul_div"))?;
    if round_up && remainder != 0 {
        quotient.checked_add(1).ok_or_else(|| overflow("mul_div"))
    } else {
        Ok(quotient)
    }
}

/// Full 256-bit product of two u128s as (high, low).
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a_hi, a_lo) = (a >> 64, a & MASK);
    let (b_hi, b_lo) = (b >> 64, b & MASK);
    // Each partial product of two 64-bit halves fits in u128.
    let lo_lo = a_lo * b_lo;
    let hi_lo = a_hi * b_lo;
    let lo_hi = a_lo * b_hi;
    let hi_hi = a_hi * b_hi;
    let cross = (lo_lo >> 64) + (hi_lo & MASK) + (lo_hi & MASK);
    let low = (lo_lo & MASK) | (cross << 64);
    let high = hi_hi + (hi_lo >> 64) + (lo_hi >> 64) + (cross >> 64);
    (high, low)
}

/// (high:low) / d as (quotient, remainder) when the quotient fits in u128, by shift-subtract.
fn div_wide(high: u128, low: u128, d: u128) -> Option<(u128, u128)> {
    if high >= d {
        return None;
    }
    if high == 0 {
        return Some((low / d, low % d));
    }
    let mut remainder = high;
    let mut quotient = 0u128;
    for bit in (0..128).rev() {
        let carry = remainder >> 127;
        remainder = (remainder << 1) | ((low >> bit) & 1);
        quotient <<= 1;
        if carry == 1 || remainder >= d {
            remainder = remainder.wrapping_sub(d);
            quotient |= 1;
        }
    }
    Some((quotient, remainder))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_parses_and_prints_like_the_sdk() {
        let d: Decimal = "0.05".parse().expect("valid");
        assert_eq!(d.to_string(), "0.050000000000000000");
        assert_eq!("1".parse::<Decimal>().expect("valid"), Decimal::ONE);
        for bad in ["", ".5", "1.", "-1", "1e3", "0.0000000000000000001", "x"] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad} must not parse");
        }
        let json = serde_json::to_string(&d).expect("serialises");
        assert_eq!(json, "\"0.050000000000000000\"");
        assert_eq!(
            serde_json::from_str::<Decimal>("\"0.05\"").expect("parses"),
            d
        );
        assert!(serde_json::from_str::<Decimal>("\"-1\"").is_err());
    }

    #[test]
    fn amount_rounding_and_overflow() {
        let third = Decimal::from_ratio(1, 3).expect("valid");
        assert_eq!(Amount(10).mul_floor(third).expect("fits"), Amount(3));
        assert_eq!(Amount(10).mul_ceil(third).expect("fits"), Amount(4));
        assert!(Amount(u128::MAX).checked_add(Amount(1)).is_err());
        assert!(Amount(0).checked_sub(Amount(1)).is_err());
        assert!(Amount(u128::MAX)
            .mul_floor(Decimal::from_bps(20_000))
            .is_err());
        assert_eq!(
            Amount(u128::MAX)
                .mul_floor(Decimal::ONE)
                .expect("identity fits"),
            Amount(u128::MAX)
        );
    }

    proptest::proptest! {
        #[test]
        fn mul_div_matches_exact_arithmetic(a in 0u128..u64::MAX as u128 * 1000, b in 0u128..u64::MAX as u128, d in 1u128..u64::MAX as u128) {
            // Reference with the product split so it stays exact in u128 where possible.
            let got = mul_div(a, b, d, false);
            match a.checked_mul(b) {
                Some(p) => proptest::prop_assert_eq!(got.expect("fits"), p / d),
                None => if let Ok(q) = got {
                    // q·d ≤ a·b < (q+1)·d, checked through the wide product.
                    let (hi, lo) = mul_wide(q, d);
                    let (phi, plo) = mul_wide(a, b);
                    proptest::prop_assert!((hi, lo) <= (phi, plo));
                },
            }
        }
    }
}
