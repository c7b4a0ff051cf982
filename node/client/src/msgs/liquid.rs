//! `rampart.liquid.v1` messages: liquid stake and unstake.

use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmrs::{AccountId, Any};
pub use rampart_liquid::urls::{LIQUID_DENOM, LIQUID_STAKE, LIQUID_UNSTAKE};
use rampart_proto::rampart::liquid::v1 as pb;

use super::to_any;

/// A `MsgLiquidStake` of `amount` `denom` (the bond denom) by `delegator`, spread over
/// `validators` (operator addresses; empty: the bonded set).
pub fn liquid_stake_msg(
    delegator: &AccountId,
    amount: u128,
    denom: &str,
    validators: &[AccountId],
) -> Any {
    to_any(
        LIQUID_STAKE,
        &pb::MsgLiquidStake {
            delegator: delegator.to_string(),
            amount: Some(Coin {
                denom: denom.to_owned(),
                amount: amount.to_string(),
            }),
            validators: validators.iter().map(ToString::to_string).collect(),
        },
    )
}

/// A `MsgLiquidUnstake` of `amount` lsuramp by `delegator`.
pub fn liquid_unstake_msg(delegator: &AccountId, amount: u128) -> Any {
    to_any(
        LIQUID_UNSTAKE,
        &pb::MsgLiquidUnstake {
            delegator: delegator.to_string(),
            amount: Some(Coin {
                denom: LIQUID_DENOM.to_owned(),
                amount: amount.to_string(),
            }),
        },
    )
}
