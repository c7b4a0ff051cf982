//! Slashing parameters: the liveness window, the minimum share of it a validator must sign,
//! the downtime jail, and the two slash fractions. Stored as the SDK's `Params`; written in
//! genesis JSON (`rampart.slashing.v1.Params`) with plain decimals and seconds.

use cosmos_sdk_proto::cosmos::slashing::v1beta1::Params;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{dec_from_wire, dec_to_wire};
use rampart_core::{Decimal, StateRead, StateWrite, StateWriteExt};
use tendermint_proto::google::protobuf::Duration;

use crate::keys;

/// Slashing parameters in checked types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashingParams {
    /// Blocks in the liveness window.
    pub signed_blocks_window: u64,
    /// Share of the window a validator must sign (decimal, 0 < x ≤ 1).
    pub min_signed_per_window: Decimal,
    /// How long a validator stays jailed for downtime.
    pub downtime_jail_duration_seconds: u64,
    /// Fraction slashed for double signing.
    pub slash_fraction_double_sign: Decimal,
    /// Fraction slashed for downtime.
    pub slash_fraction_downtime: Decimal,
}

impl Default for SlashingParams {
    /// Production defaults: a 10,000-block window of which half must be signed, 10 minutes of
    /// jail for downtime, 5 % for double signing, 0.01 % for downtime.
    fn default() -> Self {
        Self {
            signed_blocks_window: 10_000,
            min_signed_per_window: Decimal::from_bps(5_000),
            downtime_jail_duration_seconds: 600,
            slash_fraction_double_sign: Decimal::from_bps(500),
            slash_fraction_downtime: Decimal::from_bps(1),
        }
    }
}

fn invalid(why: impl Into<String>) -> AppError {
    AppError::sdk(
        SdkCode::InvalidRequest,
        format!("slashing params: {}", why.into()),
    )
}

impl SlashingParams {
    /// Checks the ranges the SDK checks.
    pub fn validate(&self) -> AppResult<()> {
        if self.signed_blocks_window == 0 || self.signed_blocks_window > i64::MAX as u64 {
            return Err(invalid("signed_blocks_window must be positive"));
        }
        if self.min_signed_per_window == Decimal::ZERO || self.min_signed_per_window > Decimal::ONE
        {
            return Err(invalid("min_signed_per_window must be in (0, 1]"));
        }
        if self.downtime_jail_duration_seconds == 0
            || self.downtime_jail_duration_seconds > i64::MAX as u64
        {
            return Err(invalid("downtime_jail_duration must be positive"));
        }
        for (name, value) in [
            (
                "slash_fraction_double_sign",
                self.slash_fraction_double_sign,
            ),
            ("slash_fraction_downtime", self.slash_fraction_downtime),
        ] {
            if value > Decimal::ONE {
                return Err(invalid(format!("{name} must be at most 1")));
            }
        }
        Ok(())
    }

    /// Missed blocks beyond which a validator is down: window − ⌊window × min_signed⌋.
    pub fn max_missed(&self) -> AppResult<u64> {
        rampart_core::bitmap::max_missed(self.signed_blocks_window, self.min_signed_per_window)
    }

    /// The SDK's `Params`.
    pub fn to_proto(&self) -> Params {
        Params {
            signed_blocks_window: i64::try_from(self.signed_blocks_window).unwrap_or(i64::MAX),
            min_signed_per_window: dec_to_wire(self.min_signed_per_window).into_bytes(),
            downtime_jail_duration: Some(Duration {
                seconds: i64::try_from(self.downtime_jail_duration_seconds).unwrap_or(i64::MAX),
                nanos: 0,
            }),
            slash_fraction_double_sign: dec_to_wire(self.slash_fraction_double_sign).into_bytes(),
            slash_fraction_downtime: dec_to_wire(self.slash_fraction_downtime).into_bytes(),
        }
    }

    /// Parses the SDK's `Params` (as stored).
    pub fn from_proto(p: &Params) -> AppResult<Self> {
        let dec = |bytes: &[u8], field: &str| {
            let text =
                std::str::from_utf8(bytes).map_err(|_| invalid(format!("{field} is not text")))?;
            dec_from_wire(text, field)
        };
        Ok(Self {
            signed_blocks_window: u64::try_from(p.signed_blocks_window)
                .map_err(|_| invalid("negative window"))?,
            min_signed_per_window: dec(&p.min_signed_per_window, "min_signed_per_window")?,
            downtime_jail_duration_seconds: p
                .downtime_jail_duration
                .as_ref()
                .and_then(|d| u64::try_from(d.seconds).ok())
                .unwrap_or_default(),
            slash_fraction_double_sign: dec(
                &p.slash_fraction_double_sign,
                "slash_fraction_double_sign",
            )?,
            slash_fraction_downtime: dec(&p.slash_fraction_downtime, "slash_fraction_downtime")?,
        })
    }
}

/// The stored parameters (defaults before genesis wrote them).
pub fn load(state: &dyn StateRead) -> AppResult<SlashingParams> {
    rampart_core::params::load(state, "slashing", keys::PARAMS, SlashingParams::from_proto)
}

/// Stores validated parameters.
pub fn save(state: &mut dyn StateWrite, params: &SlashingParams) -> AppResult<()> {
    params.validate()?;
    state.put_proto(keys::PARAMS.to_vec(), &params.to_proto());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip_through_the_sdk_form() {
        let p = SlashingParams::default();
        p.validate().expect("valid");
        assert_eq!(
            SlashingParams::from_proto(&p.to_proto()).expect("parses"),
            p
        );
        assert_eq!(p.max_missed().expect("fits"), 5_000);
        let odd = SlashingParams {
            signed_blocks_window: 3,
            min_signed_per_window: Decimal::from_bps(5_000),
            ..p
        };
        assert_eq!(odd.max_missed().expect("fits"), 2, "3 − ⌊1.5⌋");
    }

    #[test]
    fn out_of_range_params_are_refused() {
        let base = SlashingParams::default();
        for bad in [
            SlashingParams {
                signed_blocks_window: 0,
                ..base.clone()
            },
            SlashingParams {
                min_signed_per_window: Decimal::ZERO,
                ..base.clone()
            },
            SlashingParams {
                slash_fraction_downtime: Decimal(Decimal::ONE.0 + 1),
                ..base.clone()
            },
            SlashingParams {
                downtime_jail_duration_seconds: 0,
                ..base.clone()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
