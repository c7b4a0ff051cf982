//! Choosing a transaction's gas limit: a fixed limit, or simulated gas times an adjustment.

use anyhow::bail;

/// The gas limit when none is given (as the Cosmos SDK CLI).
pub const DEFAULT_GAS: u64 = 200_000;
/// The factor applied to simulated gas (as CosmJS and the SDK CLI).
pub const DEFAULT_GAS_ADJUSTMENT: f64 = 1.4;

/// How the gas limit is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gas {
    /// Exactly this limit.
    Fixed(u64),
    /// Simulate, then multiply the gas used by this adjustment (rounded up).
    Auto(f64),
}

/// `gas_used × adjustment`, rounded up. Client-side only (never part of the state machine), so
/// floating point is fine here; the result is checked to be a finite positive `u64`.
pub fn adjust(gas_used: u64, adjustment: f64) -> anyhow::Result<u64> {
    if !adjustment.is_finite() || adjustment < 1.0 {
        bail!("the gas adjustment must be a number >= 1, got {adjustment}");
    }
    let gas = (gas_used as f64 * adjustment).ceil();
    if gas >= u64::MAX as f64 {
        bail!("adjusted gas {gas} does not fit in u64");
    }
    Ok(gas as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjustment_rounds_up_and_refuses_nonsense() {
        assert_eq!(adjust(100_000, 1.4).expect("ok"), 140_000);
        assert_eq!(adjust(3, 1.5).expect("ok"), 5);
        assert!(adjust(1, 0.5).is_err());
        assert!(adjust(1, f64::NAN).is_err());
        assert!(adjust(u64::MAX, 2.0).is_err());
    }
}
