//! `cosmos.distribution.v1beta1` messages: withdrawing rewards and commission, the withdraw
//! address.

use anyhow::bail;
use cosmos_sdk_proto::cosmos::distribution::v1beta1 as pb;
use cosmrs::{AccountId, Any};
pub use rampart_distribution::urls::{
    SET_WITHDRAW_ADDRESS, WITHDRAW_DELEGATOR_REWARD, WITHDRAW_VALIDATOR_COMMISSION,
};

use super::to_any;
use crate::address;

/// A `MsgWithdrawDelegatorReward` of `delegator`'s rewards from `validator`.
pub fn withdraw_reward_msg(delegator: &AccountId, validator: &AccountId) -> Any {
    to_any(
        WITHDRAW_DELEGATOR_REWARD,
        &pb::MsgWithdrawDelegatorReward {
            delegator_address: delegator.to_string(),
            validator_address: validator.to_string(),
        },
    )
}

/// A `MsgWithdrawValidatorCommission` of `validator`'s commission.
pub fn withdraw_commission_msg(validator: &AccountId) -> Any {
    to_any(
        WITHDRAW_VALIDATOR_COMMISSION,
        &pb::MsgWithdrawValidatorCommission {
            validator_address: validator.to_string(),
        },
    )
}

/// A `MsgSetWithdrawAddress` sending `delegator`'s rewards to `withdraw`.
pub fn set_withdraw_address_msg(delegator: &AccountId, withdraw: &AccountId) -> Any {
    to_any(
        SET_WITHDRAW_ADDRESS,
        &pb::MsgSetWithdrawAddress {
            delegator_address: delegator.to_string(),
            withdraw_address: withdraw.to_string(),
        },
    )
}

/// The messages of `withdraw-rewards`: the reward, then the commission when asked for, which
/// only `validator`'s operator may withdraw.
pub fn withdraw_rewards_msgs(
    delegator: &AccountId,
    validator: &AccountId,
    commission: bool,
) -> anyhow::Result<Vec<Any>> {
    let mut msgs = vec![withdraw_reward_msg(delegator, validator)];
    if commission {
        let own = address::operator_of(delegator)?;
        if own != *validator {
            bail!(
                "--commission: {delegator} operates {own}, not {validator}; only a validator's \
                 operator can withdraw its commission"
            );
        }
        msgs.push(withdraw_commission_msg(validator));
    }
    Ok(msgs)
}
