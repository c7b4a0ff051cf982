//! The consumer module's provider-wide parameters: the registration deposit and the largest
//! slash fraction a consumer may set. Stored as `rampart.consumer.v1.Params`; written in genesis
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
}

impl Default for ModuleParams {
    /// 10 RAMP (10,000,000 uramp) to register; consumer slash fractions up to 10 %.
    fn default() -> Self {
        Self {
            registration_deposit: vec![JsonCoin {
                denom: rampart_core::profile::RAMPART_BOND_DENOM.into(),
                amount: "10000000".into(),
            }],
            max_consumer_slash_fraction: Decimal::from_bps(1_000),
        }
    }
}

impl ModuleParams {
    /// The deposit as checked coins (valid, sorted, positive; may be empty).
    pub fn deposit(&self) -> AppResult<Vec<Coin>> {
        parse_coins(&self.to_proto().registration_deposit)
    }

    /// Checks ranges: valid deposit coins, a maximum fraction ≤ 1.
    pub fn validate(&self) -> AppResult<()> {
        self.deposit()?;
        if self.max_consumer_slash_fraction > Decimal::ONE {
            return Err(AppError::sdk(
                SdkCode::InvalidRequest,
                "consumer params: max_consumer_slash_fraction above 1",
            ));
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
