//! `rampart.consumer.v1` messages: registering, updating, removing and funding consumer chains,
//! per-consumer commissions.

use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmrs::{AccountId, Any};
pub use rampart_consumer::urls::{
    FUND_CONSUMER_REWARDS, REGISTER_CONSUMER, REMOVE_CONSUMER, SET_CONSUMER_COMMISSION,
    UPDATE_CONSUMER,
};
use rampart_proto::rampart::consumer::v1 as pb;

use super::to_any;

/// A `MsgRegisterConsumer`.
pub fn register_msg(msg: pb::MsgRegisterConsumer) -> Any {
    to_any(REGISTER_CONSUMER, &msg)
}

/// A `MsgUpdateConsumer`.
pub fn update_msg(msg: pb::MsgUpdateConsumer) -> Any {
    to_any(UPDATE_CONSUMER, &msg)
}

/// A `MsgRemoveConsumer` of `consumer_id` by `owner`.
pub fn remove_msg(owner: &AccountId, consumer_id: u64) -> Any {
    to_any(
        REMOVE_CONSUMER,
        &pb::MsgRemoveConsumer {
            owner: owner.to_string(),
            consumer_id,
        },
    )
}

/// A `MsgFundConsumerRewards` of `amount` from `funder`.
pub fn fund_msg(funder: &AccountId, consumer_id: u64, amount: Vec<Coin>) -> Any {
    to_any(
        FUND_CONSUMER_REWARDS,
        &pb::MsgFundConsumerRewards {
            funder: funder.to_string(),
            consumer_id,
            amount,
        },
    )
}

/// A `MsgSetConsumerCommission` of `validator` (an operator address) on `consumer_id`.
pub fn set_commission_msg(validator: &AccountId, consumer_id: u64, rate: String) -> Any {
    to_any(
        SET_CONSUMER_COMMISSION,
        &pb::MsgSetConsumerCommission {
            validator: validator.to_string(),
            consumer_id,
            rate,
        },
    )
}
