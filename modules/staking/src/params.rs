//! Staking parameters: SDK defaults, validation and storage.

use cosmos_sdk_proto::cosmos::staking::v1beta1::Params;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::profile::RAMPART_BOND_DENOM;
use rampart_core::{Decimal, StateRead, StateWrite, StateWriteExt};
use serde::{Deserialize, Serialize};
use tendermint_proto::google::protobuf::Duration;

use crate::keys;
use rampart_core::wire::{dec_from_wire, dec_to_wire};

/// Staking parameters in checked types; stored as the SDK's `Params` message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StakingParams {
    /// Seconds an unbonding entry or an unbonding validator takes to mature.
    pub unbonding_time_seconds: i64,
    /// Size of the active set.
    pub max_validators: u32,
    /// Maximum entries per unbonding or redelegation record.
    pub max_entries: u32,
    /// The staking denom.
    pub bond_denom: String,
    /// Minimum commission rate, as a decimal string (`"0.05"`).
    pub min_commission_rate: String,
    /// How many recent heights keep their `HistoricalInfo` (header and bonded set).
    #[serde(default = "default_historical_entries")]
    pub historical_entries: u32,
}

/// The default of [`StakingParams::historical_entries`]: the SDK's 10,000.
fn default_historical_entries() -> u32 {
    10_000
}

impl Default for StakingParams {
    /// The SDK defaults: 21 days, 100 validators, 7 entries, no minimum commission.
    fn default() -> Self {
        Self {
            unbonding_time_seconds: 21 * 24 * 3600,
            max_validators: 100,
            max_entries: 7,
            bond_denom: RAMPART_BOND_DENOM.into(),
            min_commission_rate: "0".into(),
            historical_entries: default_historical_entries(),
        }
    }
}

impl StakingParams {
    /// Checks ranges and returns the SDK `Params` message.
    pub fn to_proto(&self) -> AppResult<Params> {
        let invalid = |why: &str| AppError::sdk(SdkCode::InvalidRequest, format!("params: {why}"));
        if self.unbonding_time_seconds <= 0 {
            return Err(invalid("unbonding_time must be positive"));
        }
        if self.max_validators == 0 || self.max_entries == 0 {
            return Err(invalid("max_validators and max_entries must be positive"));
        }
        if self.bond_denom.is_empty() {
            return Err(invalid("bond_denom must not be empty"));
        }
        let min_rate: Decimal = self.min_commission_rate.parse()?;
        if min_rate > Decimal::ONE {
            return Err(invalid("min_commission_rate above 1"));
        }
        Ok(Params {
            unbonding_time: Some(Duration {
                seconds: self.unbonding_time_seconds,
                nanos: 0,
            }),
            max_validators: self.max_validators,
            max_entries: self.max_entries,
            historical_entries: self.historical_entries,
            bond_denom: self.bond_denom.clone(),
            min_commission_rate: dec_to_wire(min_rate),
        })
    }

    /// The JSON form of stored `Params`.
    pub fn from_proto(params: &Params) -> AppResult<Self> {
        Ok(Self {
            unbonding_time_seconds: params.unbonding_time.map(|d| d.seconds).unwrap_or_default(),
            max_validators: params.max_validators,
            max_entries: params.max_entries,
            bond_denom: params.bond_denom.clone(),
            min_commission_rate: dec_from_wire(&params.min_commission_rate, "min_commission_rate")?
                .to_string(),
            historical_entries: params.historical_entries,
        })
    }
}

/// Reads the stored parameters (defaults when genesis wrote none).
pub fn load(state: &dyn StateRead) -> AppResult<Params> {
    match rampart_core::params::load_stored(state, "staking", keys::PARAMS)? {
        Some(params) => Ok(params),
        None => StakingParams::default().to_proto(),
    }
}

/// Stores validated parameters.
pub fn store(state: &mut dyn StateWrite, params: &StakingParams) -> AppResult<()> {
    let proto = params.to_proto()?;
    state.put_proto(keys::PARAMS.to_vec(), &proto);
    Ok(())
}

/// The unbonding period of stored parameters.
pub fn unbonding_time(params: &Params) -> Duration {
    params.unbonding_time.unwrap_or_default()
}

/// The minimum commission rate of stored parameters.
pub fn min_commission_rate(params: &Params) -> AppResult<Decimal> {
    dec_from_wire(&params.min_commission_rate, "min_commission_rate")
}
