//! Liquid staking parameters: the epoch, the per-validator cap and the validator bound.

use rampart_core::error::AppResult;
use rampart_core::{StateRead, StateWrite, StateWriteExt};
use rampart_proto::rampart::liquid::v1 as pb;

use crate::errors::{err, LiquidCode};
use crate::keys;

/// Liquid staking parameters in checked types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiquidParams {
    /// Blocks between epochs (compounding, unbonding batches).
    pub epoch_blocks: u64,
    /// Largest share of the module's stake at one validator, in basis points.
    pub max_validator_share_bps: u32,
    /// Most validators the module delegates to (and a message names).
    pub max_validators: u32,
}

impl Default for LiquidParams {
    /// Epochs of 600 blocks (restaking's), at most 20 % at one validator, 50 validators.
    fn default() -> Self {
        Self {
            epoch_blocks: 600,
            max_validator_share_bps: 2_000,
            max_validators: 50,
        }
    }
}

impl LiquidParams {
    /// Checks ranges: positive epoch and validator bound, a share in 1..=10,000 bps.
    pub fn validate(&self) -> AppResult<()> {
        if self.epoch_blocks == 0
            || self.max_validators == 0
            || self.max_validator_share_bps == 0
            || self.max_validator_share_bps > 10_000
        {
            return Err(err(
                LiquidCode::InvalidParams,
                "epoch_blocks and max_validators must be positive, max_validator_share_bps in 1..=10000",
            ));
        }
        Ok(())
    }

    /// The protobuf form.
    pub fn to_proto(&self) -> pb::Params {
        pb::Params {
            epoch_blocks: self.epoch_blocks,
            max_validator_share_bps: self.max_validator_share_bps,
            max_validators: self.max_validators,
        }
    }

    /// From the protobuf form (validated).
    pub fn from_proto(p: &pb::Params) -> AppResult<Self> {
        let params = Self {
            epoch_blocks: p.epoch_blocks,
            max_validator_share_bps: p.max_validator_share_bps,
            max_validators: p.max_validators,
        };
        params.validate()?;
        Ok(params)
    }
}

/// The stored parameters (defaults when none were written).
pub fn load(state: &dyn StateRead) -> AppResult<LiquidParams> {
    rampart_core::params::load(state, "liquid", keys::PARAMS, LiquidParams::from_proto)
}

/// Validates and stores `params`.
pub fn store(state: &mut dyn StateWrite, params: &LiquidParams) -> AppResult<()> {
    params.validate()?;
    state.put_proto(keys::PARAMS.to_vec(), &params.to_proto());
    Ok(())
}
