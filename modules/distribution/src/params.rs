//! Distribution parameters: the SDK v0.46 set (community tax, base and bonus proposer reward,
//! withdraw-address switch), defaults, validation, storage and the JSON and protobuf forms.

use cosmos_sdk_proto::cosmos::distribution::v1beta1::Params;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{dec_from_wire, dec_to_wire};
use rampart_core::{Decimal, StateRead, StateWrite, StateWriteExt};

use crate::keys;

/// Distribution parameters in checked types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DistributionParams {
    /// Share of every block's fees that goes to the community pool.
    pub community_tax: Decimal,
    /// Share of the fees that the previous block's proposer gets regardless of signatures.
    pub base_proposer_reward: Decimal,
    /// Extra proposer share, scaled by the fraction of power that signed the previous block.
    pub bonus_proposer_reward: Decimal,
    /// Whether delegators may set a withdraw address.
    pub withdraw_addr_enabled: bool,
}

impl Default for DistributionParams {
    /// The SDK v0.46 defaults: 2 % tax, 1 % base and 4 % bonus proposer reward, withdraw
    /// addresses enabled.
    fn default() -> Self {
        Self {
            community_tax: Decimal::from_bps(200),
            base_proposer_reward: Decimal::from_bps(100),
            bonus_proposer_reward: Decimal::from_bps(400),
            withdraw_addr_enabled: true,
        }
    }
}

impl DistributionParams {
    /// Each share at most 1 and their sum at most 1 (SDK v0.46 `Params.ValidateBasic`);
    /// `Err` is `sdk/18`.
    pub fn validate(&self) -> AppResult<()> {
        let invalid = |why: String| AppError::sdk(SdkCode::InvalidRequest, why);
        for (name, value) in [
            ("community tax", self.community_tax),
            ("base proposer reward", self.base_proposer_reward),
            ("bonus proposer reward", self.bonus_proposer_reward),
        ] {
            if value > Decimal::ONE {
                return Err(invalid(format!("{name} too large: {value}")));
            }
        }
        let sum = self
            .community_tax
            .checked_add(self.base_proposer_reward)?
            .checked_add(self.bonus_proposer_reward)?;
        if sum > Decimal::ONE {
            return Err(invalid(
                "sum of base, bonus proposer rewards, and community tax cannot be greater than one"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The SDK `Params` message (decimals in attos). The proposer-reward fields are deprecated
    /// since SDK v0.50, which dropped the proposer reward; Rampart keeps the v0.46 semantics.
    #[allow(deprecated)]
    pub fn to_proto(&self) -> Params {
        Params {
            community_tax: dec_to_wire(self.community_tax),
            base_proposer_reward: dec_to_wire(self.base_proposer_reward),
            bonus_proposer_reward: dec_to_wire(self.bonus_proposer_reward),
            withdraw_addr_enabled: self.withdraw_addr_enabled,
        }
    }

    /// Parses the SDK `Params` message.
    #[allow(deprecated)]
    pub fn from_proto(p: &Params) -> AppResult<Self> {
        Ok(Self {
            community_tax: dec_from_wire(&p.community_tax, "community_tax")?,
            base_proposer_reward: dec_from_wire(&p.base_proposer_reward, "base_proposer_reward")?,
            bonus_proposer_reward: dec_from_wire(
                &p.bonus_proposer_reward,
                "bonus_proposer_reward",
            )?,
            withdraw_addr_enabled: p.withdraw_addr_enabled,
        })
    }
}

/// The stored parameters (defaults before genesis wrote them).
pub fn load(state: &dyn StateRead) -> AppResult<DistributionParams> {
    rampart_core::params::load(
        state,
        "distribution",
        keys::PARAMS,
        DistributionParams::from_proto,
    )
}

/// Validates and stores the parameters.
pub fn store(state: &mut dyn StateWrite, params: &DistributionParams) -> AppResult<()> {
    params.validate()?;
    state.put_proto(keys::PARAMS.to_vec(), &params.to_proto());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_sums_above_one_do_not() {
        assert!(DistributionParams::default().validate().is_ok());
        let too_much = DistributionParams {
            community_tax: Decimal::from_bps(9_600),
            ..DistributionParams::default()
        };
        assert!(too_much.validate().is_err());
        let p = DistributionParams::default().to_proto();
        assert_eq!(p.community_tax, "20000000000000000");
        assert_eq!(
            DistributionParams::from_proto(&p).expect("valid"),
            DistributionParams::default()
        );
    }
}
