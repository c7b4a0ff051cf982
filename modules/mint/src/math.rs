//! The exact provision arithmetic: `supply × inflation × Δt / year` in integers, with the
//! remainder carried to the next block.

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::math::mul_div;
use rampart_core::{Amount, Decimal};

/// Seconds in the 365.25-day year.
pub const YEAR_SECONDS: u128 = 31_557_600;
/// Nanoseconds in the 365.25-day year.
pub const YEAR_NANOS: u128 = YEAR_SECONDS * 1_000_000_000;
/// The unit of the carry: one token is `CARRY_DENOMINATOR` carry units (10^18 for the
/// inflation's attos × [`YEAR_NANOS`] ≈ 3.2·10^34 < 2^115, so sums of three carries fit u128).
pub const CARRY_DENOMINATOR: u128 = Decimal::ONE_ATTOS * YEAR_NANOS;

fn overflow(what: &str) -> AppError {
    AppError::sdk(
        SdkCode::Logic,
        format!("mint: arithmetic overflow in {what}"),
    )
}

/// `(⌊a·b/d⌋, a·b mod d)` with a 256-bit intermediate; `Err` when the quotient exceeds u128.
pub fn mul_div_rem(a: u128, b: u128, d: u128) -> AppResult<(u128, u128)> {
    let quotient = mul_div(a, b, d, false)?;
    // The true remainder a·b − q·d lies in 0..d < 2^128, so evaluating it modulo 2^128 (wrapping
    // arithmetic) gives it exactly.
    let remainder = a.wrapping_mul(b).wrapping_sub(quotient.wrapping_mul(d));
    Ok((quotient, remainder))
}

/// Whole tokens to mint for `elapsed_nanos` of block time at the annual `inflation` on `supply`,
/// plus the carry in: returns `(minted, carry out)`, where
/// `minted · D + carry_out = supply · inflation_attos · elapsed + carry_in` exactly
/// (`D` = [`CARRY_DENOMINATOR`]). `carry_in` must be below `D`. Exact for any elapsed time: whole
/// years and the rest are computed separately so no intermediate exceeds 256 bits.
pub fn provision(
    supply: Amount,
    inflation: Decimal,
    elapsed_nanos: u128,
    carry_in: u128,
) -> AppResult<(Amount, u128)> {
    if carry_in >= CARRY_DENOMINATOR {
        return Err(overflow("carry (not below its denominator)"));
    }
    let years = elapsed_nanos / YEAR_NANOS;
    let rest = elapsed_nanos % YEAR_NANOS;
    // One full year: supply · inflation · YEAR_NANOS / D = q_year + r_year / D.
    let per_year = inflation
        .0
        .checked_mul(YEAR_NANOS)
        .ok_or_else(|| overflow("inflation × year"))?;
    let (q_year, r_year) = mul_div_rem(supply.0, per_year, CARRY_DENOMINATOR)?;
    // `years` full years: years · q_year + (years · r_year) / D.
    let whole_years = q_year
        .checked_mul(years)
        .ok_or_else(|| overflow("provision × years"))?;
    let (q_years_rem, r_years) = mul_div_rem(r_year, years, CARRY_DENOMINATOR)?;
    // The rest of a year: supply · inflation · rest / D.
    let per_rest = inflation
        .0
        .checked_mul(rest)
        .ok_or_else(|| overflow("inflation × elapsed"))?;
    let (q_rest, r_rest) = mul_div_rem(supply.0, per_rest, CARRY_DENOMINATOR)?;
    // Three values below D < 2^115 sum without overflow; checked anyway.
    let remainders = carry_in
        .checked_add(r_years)
        .and_then(|s| s.checked_add(r_rest))
        .ok_or_else(|| overflow("carry"))?;
    let minted = whole_years
        .checked_add(q_years_rem)
        .and_then(|s| s.checked_add(q_rest))
        .and_then(|s| s.checked_add(remainders / CARRY_DENOMINATOR))
        .ok_or_else(|| overflow("provision"))?;
    Ok((Amount(minted), remainders % CARRY_DENOMINATOR))
}

/// An exact non-negative 18-decimal value that may exceed [`Decimal`]'s range (annual
/// provisions of a large supply): `whole + attos / 10^18`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WideDec {
    /// The integer part.
    pub whole: u128,
    /// The fractional part in attos, below 10^18.
    pub attos: u128,
}

impl WideDec {
    /// `amount × fraction`, exactly.
    pub fn product(amount: Amount, fraction: Decimal) -> AppResult<Self> {
        let (whole, attos) = mul_div_rem(amount.0, fraction.0, Decimal::ONE_ATTOS)?;
        Ok(Self { whole, attos })
    }

    /// The `LegacyDec` protobuf form: the value in attos as an integer string, no point.
    pub fn to_wire(&self) -> String {
        if self.whole == 0 {
            self.attos.to_string()
        } else {
            format!("{}{:018}", self.whole, self.attos)
        }
    }
}

impl std::fmt::Display for WideDec {
    /// The `LegacyDec` text form with 18 decimals (`"7.000000000000000000"`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:018}", self.whole, self.attos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(p: u32) -> Decimal {
        Decimal::from_bps(p * 100)
    }

    #[test]
    fn a_year_at_seven_percent_mints_seven_percent() {
        let (minted, carry) =
            provision(Amount(1_000_000_000), pct(7), YEAR_NANOS, 0).expect("fits");
        assert_eq!((minted, carry), (Amount(70_000_000), 0));
        let (minted, _) =
            provision(Amount(1_000_000_000), pct(7), 10 * YEAR_NANOS + 1, 0).expect("fits");
        assert_eq!(minted, Amount(700_000_000));
    }

    #[test]
    fn nothing_is_lost_across_many_short_blocks() {
        // 100 tokens at 7 %: 7 tokens a year, far less than one token per 6-hour block.
        let block = 6 * 3600 * 1_000_000_000;
        let blocks = (YEAR_NANOS / block) as usize;
        let (mut total, mut carry) = (0u128, 0u128);
        for _ in 0..blocks {
            let (minted, next) = provision(Amount(100), pct(7), block, carry).expect("fits");
            total += minted.0;
            carry = next;
        }
        // 6 h divides the year exactly, so the year is minted exactly with no carry left.
        assert_eq!((total, carry), (7, 0));
    }

    #[test]
    fn huge_gaps_and_supplies_are_exact_or_refused() {
        // A thousand years in one block: exact, no intermediate overflow.
        let (minted, carry) =
            provision(Amount(1_000_000), pct(7), 1000 * YEAR_NANOS + 3, 0).expect("fits");
        assert_eq!(minted, Amount(70_000_000));
        assert!(carry > 0);
        // A supply at the limit minting more than u128 holds is an error, not a wrap.
        assert!(provision(Amount(u128::MAX), Decimal::ONE, 2 * YEAR_NANOS, 0).is_err());
        assert!(provision(Amount(1), pct(7), 1, CARRY_DENOMINATOR).is_err());
    }

    #[test]
    fn wide_decimals_print_like_legacy_dec() {
        let d = WideDec::product(Amount(1_000), pct(7)).expect("fits");
        assert_eq!(d.to_string(), "70.000000000000000000");
        assert_eq!(d.to_wire(), "70000000000000000000");
        let small = WideDec::product(Amount(1), pct(7)).expect("fits");
        assert_eq!(small.to_wire(), "70000000000000000");
        let big = WideDec::product(Amount(u128::MAX), pct(7)).expect("fits");
        assert!(big.to_wire().len() > 39, "beyond u128 attos, still exact");
    }

    proptest::proptest! {
        /// The identity minted·D + carry_out = supply·inflation·Δt + carry_in, checked in 256 bits
        /// through the remainder of a second split.
        #[test]
        fn splitting_a_period_never_changes_the_total(
            supply in 0u128..1_000_000_000_000_000_000,
            bps in 0u32..=10_000,
            first in 0u128..10 * YEAR_NANOS,
            second in 0u128..10 * YEAR_NANOS,
        ) {
            let inflation = Decimal::from_bps(bps);
            let (a, carry) = provision(Amount(supply), inflation, first, 0).expect("fits");
            let (b, carry) = provision(Amount(supply), inflation, second, carry).expect("fits");
            let (whole, rest) = provision(Amount(supply), inflation, first + second, 0).expect("fits");
            proptest::prop_assert_eq!(a.0 + b.0, whole.0);
            proptest::prop_assert_eq!(carry, rest);
        }
    }
}
