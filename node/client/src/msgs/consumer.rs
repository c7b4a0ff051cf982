//! `rampart.consumer.v1` messages: registering, updating, removing and funding consumer chains,
//! per-consumer commissions, and the relayer's acknowledgements of applied packets and proven
//! downtime records.

use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmrs::{AccountId, Any};
pub use rampart_consumer::urls::{
    ACKNOWLEDGE_VSC, FUND_CONSUMER_REWARDS, REGISTER_CONSUMER, REMOVE_CONSUMER,
    SET_CONSUMER_COMMISSION, SUBMIT_CONSUMER_DOWNTIME, UPDATE_CONSUMER,
};
use rampart_proto::rampart::consumer::v1 as pb;
use tendermint_proto::types::{SignedHeader, ValidatorSet};

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

/// A `MsgAcknowledgeVsc` from `signer`: consumer `consumer_id` applied every packet up to
/// `vsc_id`, as `proof` (an encoded ICS-23 `CommitmentProof` of the consumer's `ccv/applied_vsc`,
/// read at height `signed_header.height - 1`) shows against `signed_header` (a header of the
/// consumer chain and its commit), signed by `validator_set`.
pub fn acknowledge_vsc_msg(
    signer: &AccountId,
    consumer_id: u64,
    vsc_id: u64,
    signed_header: SignedHeader,
    validator_set: ValidatorSet,
    proof: Vec<u8>,
) -> Any {
    to_any(
        ACKNOWLEDGE_VSC,
        &pb::MsgAcknowledgeVsc {
            signer: signer.to_string(),
            consumer_id,
            vsc_id,
            signed_header: Some(signed_header),
            validator_set: Some(validator_set),
            proof,
        },
    )
}

/// A `MsgSubmitConsumerDowntime` from `signer`: consumer `consumer_id` stored downtime record
/// `record` (its exact stored bytes, an encoded `rampart.ccv.v1.DowntimeRecord`), as `proof` (an
/// encoded ICS-23 `CommitmentProof` of the consumer's `ccv/downtime/ ‖ seq`, read at height
/// `signed_header.height - 1`) shows against `signed_header`, signed by `validator_set`.
pub fn submit_downtime_msg(
    signer: &AccountId,
    consumer_id: u64,
    signed_header: SignedHeader,
    validator_set: ValidatorSet,
    record: Vec<u8>,
    proof: Vec<u8>,
) -> Any {
    to_any(
        SUBMIT_CONSUMER_DOWNTIME,
        &pb::MsgSubmitConsumerDowntime {
            signer: signer.to_string(),
            consumer_id,
            signed_header: Some(signed_header),
            validator_set: Some(validator_set),
            record,
            proof,
        },
    )
}
