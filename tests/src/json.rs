//! The numbers of the CLI's JSON output, as the tests read them: integers written as strings
//! (the SDK's form of 64-bit and larger integers) or numbers, and decimals as fixed-point attos.

use anyhow::{ensure, Context, Result};
use serde_json::Value;

/// 10^18: the fixed-point scale of decimals.
pub const ATTOS: u128 = 1_000_000_000_000_000_000;

/// Tokens per unit of consensus power.
pub const POWER_REDUCTION: u128 = 1_000_000;

/// A JSON integer, as a string or a number.
pub fn int(value: &Value) -> Result<u128> {
    match value {
        Value::String(s) => s.parse().with_context(|| format!("not an integer: {s}")),
        other => other
            .as_u64()
            .map(u128::from)
            .with_context(|| format!("not an integer: {other}")),
    }
}

/// A decimal string (`"0.050000000000000000"`, `"12.5"`) as attos, 10^-18 units.
pub fn attos(value: &Value) -> Result<u128> {
    let text = value
        .as_str()
        .with_context(|| format!("expected a decimal string, got {value}"))?;
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    ensure!(frac.len() <= 18, "more than 18 decimals: {text}");
    let whole: u128 = whole.parse().with_context(|| format!("decimal {text}"))?;
    let frac: u128 = format!("{frac:0<18}")
        .parse()
        .with_context(|| format!("decimal {text}"))?;
    whole
        .checked_mul(ATTOS)
        .and_then(|w| w.checked_add(frac))
        .with_context(|| format!("decimal {text} overflows"))
}
