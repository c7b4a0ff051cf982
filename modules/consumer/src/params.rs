//! The consumer module's provider-wide parameters: the registration deposit, the largest slash
//! fraction a consumer may set, the slash meter ([`crate::meter`]) and the registration expiry
//! (a registered consumer that has not launched `registration_expiry_seconds` after its
//! registration is deleted, and `expired_deposit_forfeit` of its deposit goes to the community
//! pool: registering costs something, and the registry does not grow for ever). Stored as `rampart.consumer.v1.Params`; written in genesis
//! JSON with coins and decimal text.

use rampart_bank::genesis::JsonCoin;
use rampart_bank::Coin;
use rampart_core::coins::parse_coins;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Decimal, StateRead, StateWrite, StateWriteExt};
use rampart_proto::rampart::consumer::v1 as pb;
use serde::{Deserialize, Serialize};

use crate::keys;
use crate::types::parse_decimal;

/// Module parameters in checked types and in genesis JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleParams {
    /// Paid by a registrant into the consumer module account.
    pub registration_deposit: Vec<JsonCoin>,
    /// Largest slash fraction a consumer may set.
    pub max_consumer_slash_fraction: Decimal,
    /// The slash meter's allowance as a fraction of a consumer's total power.
    #[serde(default = "default_meter_fraction")]
    pub slash_meter_fraction: Decimal,
    /// The slash meter's replenish period in seconds.
    #[serde(default = "default_meter_period")]
    pub slash_meter_period_seconds: u64,
    /// Seconds a registered consumer may stay unlaunched before it expires.
    #[serde(default = "default_registration_expiry")]
    pub registration_expiry_seconds: u64,
    /// The fraction of an expired consumer's deposit forfeited to the community pool.
    #[serde(default = "default_expired_forfeit")]
    pub expired_deposit_forfeit: Decimal,
}

/// A registered consumer expires after 30 days without a launch.
fn default_registration_expiry() -> u64 {
    30 * 24 * 3_600
}

/// An expired consumer forfeits 10 % of its deposit.
fn default_expired_forfeit() -> Decimal {
    Decimal::from_bps(1_000)
}

/// ICS's default allowance: 5 % of the consumer's power per period.
fn default_meter_fraction() -> Decimal {
    Decimal::from_bps(500)
}

/// ICS's default replenish period: one hour.
fn default_meter_period() -> u64 {
    3_600
}

impl Default for ModuleParams {
    /// 10 RAMP (10,000,000 uramp) to register; consumer slash fractions up to 10 %; a slash
    /// meter of 5 % of a consumer's power per hour; registrations expire after 30 days without
    /// a launch, forfeiting 10 % of the deposit.
    fn default() -> Self {
        Self {
            registration_deposit: vec![JsonCoin {
                denom: rampart_core::profile::RAMPART_BOND_DENOM.into(),
                amount: "10000000".into(),
            }],
            max_consumer_slash_fraction: Decimal::from_bps(1_000),
            slash_meter_fraction: default_meter_fraction(),
            slash_meter_period_seconds: default_meter_period(),
            registration_expiry_seconds: default_registration_expiry(),
            expired_deposit_forfeit: default_expired_forfeit(),
        }
    }
}

impl ModuleParams {
    /// The deposit as checked coins (valid, sorted, positive; may be empty).
    pub fn deposit(&self) -> AppResult<Vec<Coin>> {
        parse_coins(&self.to_proto().registration_deposit)
    }

    /// Checks ranges: valid deposit coins, fractions ≤ 1, a positive meter fraction and period,
    /// a positive registration expiry of at most 10 years.
    pub fn validate(&self) -> AppResult<()> {
        self.deposit()?;
        let bad = |why: &str| {
            Err(AppError::sdk(
                SdkCode::InvalidRequest,
                format!("consumer params: {why}"),
            ))
        };
        if self.max_consumer_slash_fraction > Decimal::ONE {
            return bad("max_consumer_slash_fraction above 1");
        }
        if self.slash_meter_fraction == Decimal::ZERO || self.slash_meter_fraction > Decimal::ONE {
            return bad("slash_meter_fraction must be above 0 and at most 1");
        }
        if self.slash_meter_period_seconds == 0 {
            return bad("slash_meter_period_seconds must be positive");
        }
        if self.registration_expiry_seconds == 0
            || self.registration_expiry_seconds > crate::types::MAX_CCV_TIMEOUT_SECONDS
        {
            return bad("registration_expiry_seconds must be positive and at most 10 years");
        }
        if self.expired_deposit_forfeit > Decimal::ONE {
            return bad("expired_deposit_forfeit above 1");
        }
        Ok(())
    }

    /// The protobuf form.
    pub fn to_proto(&self) -> pb::Params {
        pb::Params {
            registration_deposit: self
                .registration_deposit
                .iter()
                .map(|c| cosmos_sdk_proto::cosmos::base::v1beta1::Coin {
                    denom: c.denom.clone(),
                    amount: c.amount.clone(),
                })
                .collect(),
            max_consumer_slash_fraction: self.max_consumer_slash_fraction.to_string(),
            slash_meter_fraction: self.slash_meter_fraction.to_string(),
            slash_meter_period_seconds: self.slash_meter_period_seconds,
            registration_expiry_seconds: self.registration_expiry_seconds,
            expired_deposit_forfeit: self.expired_deposit_forfeit.to_string(),
        }
    }

    /// From the protobuf form.
    pub fn from_proto(p: &pb::Params) -> AppResult<Self> {
        Ok(Self {
            registration_deposit: p
                .registration_deposit
                .iter()
                .map(|c| JsonCoin {
                    denom: c.denom.clone(),
                    amount: c.amount.clone(),
                })
                .collect(),
            max_consumer_slash_fraction: parse_decimal(
                &p.max_consumer_slash_fraction,
                "max_consumer_slash_fraction",
            )?,
            slash_meter_fraction: if p.slash_meter_fraction.is_empty() {
                default_meter_fraction()
            } else {
                parse_decimal(&p.slash_meter_fraction, "slash_meter_fraction")?
            },
            slash_meter_period_seconds: match p.slash_meter_period_seconds {
                0 => default_meter_period(),
                seconds => seconds,
            },
            registration_expiry_seconds: match p.registration_expiry_seconds {
                0 => default_registration_expiry(),
                seconds => seconds,
            },
            expired_deposit_forfeit: if p.expired_deposit_forfeit.is_empty() {
                default_expired_forfeit()
            } else {
                parse_decimal(&p.expired_deposit_forfeit, "expired_deposit_forfeit")?
            },
        })
    }
}

/// The stored parameters (defaults when none were written).
pub fn load(state: &dyn StateRead) -> AppResult<ModuleParams> {
    rampart_core::params::load(state, "consumer", keys::PARAMS, ModuleParams::from_proto)
}

/// Validates and stores `params`.
pub fn store(state: &mut dyn StateWrite, params: &ModuleParams) -> AppResult<()> {
    params.validate()?;
    state.put_proto(keys::PARAMS.to_vec(), &params.to_proto());
    Ok(())
}
