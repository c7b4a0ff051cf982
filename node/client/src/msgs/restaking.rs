//! `rampart.restaking.v1` messages: opting in and out, pledges, consumer keys, double-vote
//! evidence, delegators' consumer choices.

use cosmrs::{AccountId, Any};
use rampart_auth::PubKey as ConsensusKey;
use rampart_proto::rampart::restaking::v1 as pb;
pub use rampart_restaking::urls::{
    ASSIGN_CONSUMER_KEY, OPT_IN, OPT_OUT, SET_DELEGATION_CONSUMERS, SET_PLEDGE,
    SUBMIT_CONSUMER_DOUBLE_VOTE,
};
use tendermint_proto::types::{SignedHeader, ValidatorSet, Vote};

use super::to_any;

/// A `MsgOptIn` of `validator` (an operator address) with `pledge_bps` and, when given, a
/// consumer key (otherwise the validator's provider consensus key, unless one is assigned).
pub fn opt_in_msg(
    validator: &AccountId,
    consumer_id: u64,
    pledge_bps: u32,
    consumer_pubkey: Option<[u8; 32]>,
) -> Any {
    to_any(
        OPT_IN,
        &pb::MsgOptIn {
            validator: validator.to_string(),
            consumer_id,
            pledge_bps,
            consumer_pubkey: consumer_pubkey.map(|k| ConsensusKey::Ed25519(k).to_any()),
        },
    )
}

/// A `MsgSetPledge`.
pub fn set_pledge_msg(validator: &AccountId, consumer_id: u64, pledge_bps: u32) -> Any {
    to_any(
        SET_PLEDGE,
        &pb::MsgSetPledge {
            validator: validator.to_string(),
            consumer_id,
            pledge_bps,
        },
    )
}

/// A `MsgOptOut`.
pub fn opt_out_msg(validator: &AccountId, consumer_id: u64) -> Any {
    to_any(
        OPT_OUT,
        &pb::MsgOptOut {
            validator: validator.to_string(),
            consumer_id,
        },
    )
}

/// A `MsgSetDelegationConsumers`: `delegator`'s delegation to `validator` backs the consumers
/// `mode` and `consumer_ids` pick.
pub fn set_delegation_consumers_msg(
    delegator: &AccountId,
    validator: &AccountId,
    mode: pb::BackingMode,
    consumer_ids: &[u64],
) -> Any {
    to_any(
        SET_DELEGATION_CONSUMERS,
        &pb::MsgSetDelegationConsumers {
            delegator: delegator.to_string(),
            validator: validator.to_string(),
            mode: mode as i32,
            consumer_ids: consumer_ids.to_vec(),
        },
    )
}

/// A `MsgAssignConsumerKey` of an ed25519 key.
pub fn assign_key_msg(validator: &AccountId, consumer_id: u64, pubkey: [u8; 32]) -> Any {
    to_any(
        ASSIGN_CONSUMER_KEY,
        &pb::MsgAssignConsumerKey {
            validator: validator.to_string(),
            consumer_id,
            consumer_pubkey: Some(ConsensusKey::Ed25519(pubkey).to_any()),
        },
    )
}

/// A `MsgSubmitConsumerDoubleVote` of two conflicting votes against consumer `consumer_id`,
/// placed by `infraction_header` (the consumer's signed header at the votes' height) and
/// `infraction_validator_set` (the set that signed it).
pub fn double_vote_msg(
    submitter: &AccountId,
    consumer_id: u64,
    vote_a: Vote,
    vote_b: Vote,
    infraction_header: SignedHeader,
    infraction_validator_set: ValidatorSet,
) -> Any {
    to_any(
        SUBMIT_CONSUMER_DOUBLE_VOTE,
        &pb::MsgSubmitConsumerDoubleVote {
            submitter: submitter.to_string(),
            consumer_id,
            vote_a: Some(vote_a),
            vote_b: Some(vote_b),
            infraction_header: Some(infraction_header),
            infraction_validator_set: Some(infraction_validator_set),
        },
    )
}
