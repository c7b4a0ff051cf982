//! Restaking parameters: the exposure bound, the consumer count bound, the epoch length and the
//! bound on pledges per consumer.

use rampart_core::error::AppResult;
use rampart_core::{Decimal, StateRead, StateWrite, StateWriteExt};
use rampart_proto::rampart::restaking::v1 as pb;
use serde::{Deserialize, Serialize};

use crate::errors::{err, RestakingCode};
use crate::keys;

/// Restaking parameters in checked types and in genesis JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestakingParams {
    /// Largest Σ pledge × double-sign fraction over a validator's consumers.
    pub max_slash_exposure: Decimal,
    /// Most consumers per validator (exiting pledges count).
    pub max_consumers_per_validator: u32,
    /// Blocks between validator-set computations.
    pub blocks_per_epoch: u64,
    /// Most pledges (any status) a consumer holds: its `max_validators` × this factor. Every
    /// pledge is work at each of the consumer's epochs.
    #[serde(default = "default_pledges_factor")]
    pub max_pledges_per_consumer_factor: u32,
}

/// The default [`RestakingParams::max_pledges_per_consumer_factor`]: 4 candidates per seat.
pub const DEFAULT_PLEDGES_PER_CONSUMER_FACTOR: u32 = 4;

fn default_pledges_factor() -> u32 {
    DEFAULT_PLEDGES_PER_CONSUMER_FACTOR
}

impl Default for RestakingParams {
    /// 100 % exposure, 16 consumers, epochs of 600 blocks (ICS's default), 4 pledges per seat.
    fn default() -> Self {
        Self {
            max_slash_exposure: Decimal::ONE,
            max_consumers_per_validator: 16,
            blocks_per_epoch: 600,
            max_pledges_per_consumer_factor: DEFAULT_PLEDGES_PER_CONSUMER_FACTOR,
        }
    }
}

impl RestakingParams {
    /// Checks ranges: exposure in (0, 1], at least one consumer, epochs of at least one block, at
    /// least one pledge per seat.
    pub fn validate(&self) -> AppResult<()> {
        if self.max_slash_exposure == Decimal::ZERO || self.max_slash_exposure > Decimal::ONE {
            return Err(err(
                RestakingCode::InvalidParams,
                "max_slash_exposure must be in (0, 1]",
            ));
        }
        if self.max_consumers_per_validator == 0
            || self.blocks_per_epoch == 0
            || self.max_pledges_per_consumer_factor == 0
        {
            return Err(err(
                RestakingCode::InvalidParams,
                "max_consumers_per_validator, blocks_per_epoch and max_pledges_per_consumer_factor must be positive",
            ));
        }
        Ok(())
    }

    /// The protobuf form.
    pub fn to_proto(&self) -> pb::Params {
        pb::Params {
            max_slash_exposure: self.max_slash_exposure.to_string(),
            max_consumers_per_validator: self.max_consumers_per_validator,
            blocks_per_epoch: self.blocks_per_epoch,
            max_pledges_per_consumer_factor: self.max_pledges_per_consumer_factor,
        }
    }

    /// From the protobuf form.
    pub fn from_proto(p: &pb::Params) -> AppResult<Self> {
        Ok(Self {
            max_slash_exposure: p.max_slash_exposure.parse().map_err(|_| {
                err(
                    RestakingCode::InvalidParams,
                    "max_slash_exposure: invalid decimal",
                )
            })?,
            max_consumers_per_validator: p.max_consumers_per_validator,
            blocks_per_epoch: p.blocks_per_epoch,
            max_pledges_per_consumer_factor: p.max_pledges_per_consumer_factor,
        })
    }
}

/// The most pledges consumer `max_validators` seats take under `params`.
pub fn max_pledges(params: &RestakingParams, max_validators: u32) -> u64 {
    u64::from(max_validators).saturating_mul(u64::from(params.max_pledges_per_consumer_factor))
}

/// The stored parameters (defaults when none were written).
pub fn load(state: &dyn StateRead) -> AppResult<RestakingParams> {
    rampart_core::params::load(
        state,
        "restaking",
        keys::PARAMS,
        RestakingParams::from_proto,
    )
}

/// Validates and stores `params`.
pub fn store(state: &mut dyn StateWrite, params: &RestakingParams) -> AppResult<()> {
    params.validate()?;
    state.put_proto(keys::PARAMS.to_vec(), &params.to_proto());
    Ok(())
}
