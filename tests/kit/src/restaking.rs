//! Builders for the consumer registry and restaking messages (`rampart.consumer.v1`,
//! `rampart.restaking.v1`), and consumer-chain precommits signed over a consumer chain id with
//! the consumer header that places them, as double-vote evidence carries them.

use std::sync::OnceLock;

use cosmos_sdk_proto::cosmos::crypto::ed25519::PubKey;
use ed25519_consensus::SigningKey;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_proto::rampart::restaking::v1 as rpb;
use tendermint_proto::google::protobuf::{Any, Timestamp};
use tendermint_proto::types::{SignedHeader, ValidatorSet, Vote};

use crate::light_block::{consensus_key, HeaderSpec, Member};
use crate::msgs::any;
use crate::party::{acc, valoper, Party};
use crate::tx::coin;

/// The time of the block at `height`, as a protobuf timestamp.
pub fn timestamp_of(height: u64) -> Timestamp {
    let t = rampart_app::testing::MockConsensus::time_of(height);
    Timestamp {
        seconds: t.unix_timestamp(),
        nanos: 0,
    }
}

/// Infraction parameters: slash `fraction`, jail for `jail_seconds`, tombstone or not.
pub fn infraction(fraction: &str, jail_seconds: u64, tombstone: bool) -> cpb::InfractionParams {
    cpb::InfractionParams {
        slash_fraction: fraction.into(),
        jail_duration_seconds: jail_seconds,
        tombstone,
    }
}

/// A `MsgRegisterConsumer` by `owner` for `chain_id`, launching at the time of block
/// `spawn_height` (`None`: not scheduled).
pub fn register(
    owner: impl Party,
    chain_id: &str,
    spawn_height: Option<u64>,
    params: Option<cpb::ConsumerParams>,
) -> Any {
    any(
        rampart_consumer::msgs::REGISTER_CONSUMER,
        &cpb::MsgRegisterConsumer {
            owner: acc(owner),
            chain_id: chain_id.into(),
            name: format!("{chain_id} chain"),
            description: "a consumer".into(),
            metadata_url: "https://example.org".into(),
            spawn_time: spawn_height.map(timestamp_of),
            params,
        },
    )
}

/// A `MsgUpdateConsumer`: `update` is the message with everything but the owner's address.
pub fn update_consumer(owner: impl Party, update: cpb::MsgUpdateConsumer) -> Any {
    any(
        rampart_consumer::msgs::UPDATE_CONSUMER,
        &cpb::MsgUpdateConsumer {
            owner: acc(owner),
            ..update
        },
    )
}

/// A `MsgRemoveConsumer` of `consumer_id` by its owner.
pub fn remove_consumer(owner: impl Party, consumer_id: u64) -> Any {
    any(
        rampart_consumer::msgs::REMOVE_CONSUMER,
        &cpb::MsgRemoveConsumer {
            owner: acc(owner),
            consumer_id,
        },
    )
}

/// A `MsgFundConsumerRewards` of `amount` `denom` from `funder`.
pub fn fund_rewards(funder: impl Party, consumer_id: u64, amount: u128, denom: &str) -> Any {
    any(
        rampart_consumer::msgs::FUND_CONSUMER_REWARDS,
        &cpb::MsgFundConsumerRewards {
            funder: acc(funder),
            consumer_id,
            amount: vec![coin(&amount.to_string(), denom)],
        },
    )
}

/// A `MsgSetConsumerCommission` of `validator` on `consumer_id`.
pub fn set_consumer_commission(validator: impl Party, consumer_id: u64, rate: &str) -> Any {
    any(
        rampart_consumer::msgs::SET_CONSUMER_COMMISSION,
        &cpb::MsgSetConsumerCommission {
            validator: valoper(validator),
            consumer_id,
            rate: rate.into(),
        },
    )
}

/// The `Any` of an ed25519 public key.
pub fn ed25519_any(key: &[u8; 32]) -> Any {
    any(
        rampart_restaking::msgs::ED25519_PUBKEY_URL,
        &PubKey { key: key.to_vec() },
    )
}

/// The public key of `key` as an `Any`.
pub fn consumer_pubkey(key: &SigningKey) -> Any {
    ed25519_any(&key.verification_key().to_bytes())
}

/// A `MsgOptIn` of `validator` to `consumer_id` pledging `bps` basis points of its bonded
/// tokens, with its own consumer key or (`None`) its provider key.
pub fn opt_in(validator: impl Party, consumer_id: u64, bps: u32, key: Option<&SigningKey>) -> Any {
    any(
        rampart_restaking::msgs::OPT_IN,
        &rpb::MsgOptIn {
            validator: valoper(validator),
            consumer_id,
            pledge_bps: bps,
            consumer_pubkey: key.map(consumer_pubkey),
        },
    )
}

/// A `MsgSetPledge` of `validator` on `consumer_id` to `bps` basis points.
pub fn set_pledge(validator: impl Party, consumer_id: u64, bps: u32) -> Any {
    any(
        rampart_restaking::msgs::SET_PLEDGE,
        &rpb::MsgSetPledge {
            validator: valoper(validator),
            consumer_id,
            pledge_bps: bps,
        },
    )
}

/// A `MsgOptOut` of `validator` from `consumer_id`.
pub fn opt_out(validator: impl Party, consumer_id: u64) -> Any {
    any(
        rampart_restaking::msgs::OPT_OUT,
        &rpb::MsgOptOut {
            validator: valoper(validator),
            consumer_id,
        },
    )
}

/// A `MsgSetDelegationConsumers` of `delegator` for its delegation to `validator`.
pub fn set_delegation_consumers(
    delegator: impl Party,
    validator: impl Party,
    mode: rpb::BackingMode,
    consumer_ids: &[u64],
) -> Any {
    any(
        rampart_restaking::msgs::SET_DELEGATION_CONSUMERS,
        &rpb::MsgSetDelegationConsumers {
            delegator: acc(delegator),
            validator: valoper(validator),
            mode: mode as i32,
            consumer_ids: consumer_ids.to_vec(),
        },
    )
}

/// A `MsgAssignConsumerKey` of `validator` on `consumer_id` (`key`: an `Any` public key).
pub fn assign_consumer_key(validator: impl Party, consumer_id: u64, key: Any) -> Any {
    any(
        rampart_restaking::msgs::ASSIGN_CONSUMER_KEY,
        &rpb::MsgAssignConsumerKey {
            validator: valoper(validator),
            consumer_id,
            consumer_pubkey: Some(key),
        },
    )
}

/// A precommit for block `block` (its hash is 32 × `block`) at consumer `height`, signed with
/// `key` over `chain_id`.
pub fn signed_vote(
    key: &SigningKey,
    chain_id: &str,
    height: i64,
    block: u8,
    time: Timestamp,
) -> Vote {
    use tendermint_proto::types::{BlockId, PartSetHeader, SignedMsgType};
    let address = rampart_app::testing::consensus_address(&key.verification_key().to_bytes());
    let mut vote = Vote {
        r#type: SignedMsgType::Precommit as i32,
        height,
        round: 0,
        block_id: Some(BlockId {
            hash: vec![block; 32],
            part_set_header: Some(PartSetHeader {
                total: 1,
                hash: vec![block; 32],
            }),
        }),
        timestamp: Some(time),
        validator_address: address.to_vec(),
        validator_index: 0,
        signature: Vec::new(),
        extension: Vec::new(),
        extension_signature: Vec::new(),
    };
    let domain = tendermint::vote::Vote::try_from(vote.clone()).expect("valid vote");
    let chain_id = tendermint::chain::Id::try_from(chain_id.to_owned()).expect("chain id");
    vote.signature = key
        .sign(&domain.into_signable_vec(chain_id))
        .to_bytes()
        .to_vec();
    vote
}

/// Every key a test signs consumer blocks with, built once: the test keys
/// [`rampart_ccv::testing::key`] of every seed (consumer keys brought at opt-in) and the consensus
/// keys of every [`TestValidator`](rampart_app::testing::TestValidator) seed (the provider keys a
/// validator signs consumer blocks with when it brings none).
fn known_keys() -> &'static [SigningKey] {
    static KEYS: OnceLock<Vec<SigningKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        (0..=u8::MAX)
            .map(rampart_ccv::testing::key)
            .chain((0..=u8::MAX).map(consensus_key))
            .collect()
    })
}

/// A header of consumer chain `chain_id` at consumer `height` and `time`, whose validators (this
/// height's and the next's) are `set` (public key, power), all of them signing.
pub fn consumer_header_at(
    chain_id: &str,
    height: u64,
    time: tendermint::Time,
    set: &[Member],
) -> HeaderSpec {
    HeaderSpec {
        chain_id: chain_id.into(),
        height,
        time,
        app_hash: vec![0x5a; 32],
        validators: set.to_vec(),
        next_validators: set.to_vec(),
        signers: None,
    }
}

/// `spec` with its commit: real precommits of its [`HeaderSpec::signers`] whose keys a test knows
/// (every test key and every test validator's consensus key; others are absent).
pub fn sign_header(spec: &HeaderSpec) -> SignedHeader {
    spec.sign(known_keys())
}

/// A `MsgSubmitConsumerDoubleVote` by `submitter` of two votes on `consumer_id`, with `header`
/// (the consumer header at the votes' height, [`sign_header`]) and the set that signed it.
pub fn double_vote(
    submitter: impl Party,
    consumer_id: u64,
    vote_a: Vote,
    vote_b: Vote,
    header: &HeaderSpec,
) -> Any {
    double_vote_with(
        submitter,
        consumer_id,
        [vote_a, vote_b],
        Some(sign_header(header)),
        Some(header.validator_set()),
    )
}

/// A `MsgSubmitConsumerDoubleVote` by `submitter` of `votes` on `consumer_id` with any
/// infraction header and validator set (forged, missing): what [`double_vote`] builds from parts.
pub fn double_vote_with(
    submitter: impl Party,
    consumer_id: u64,
    votes: [Vote; 2],
    infraction_header: Option<SignedHeader>,
    infraction_validator_set: Option<ValidatorSet>,
) -> Any {
    let [vote_a, vote_b] = votes;
    any(
        rampart_restaking::msgs::SUBMIT_CONSUMER_DOUBLE_VOTE,
        &rpb::MsgSubmitConsumerDoubleVote {
            submitter: acc(submitter),
            consumer_id,
            vote_a: Some(vote_a),
            vote_b: Some(vote_b),
            infraction_header,
            infraction_validator_set,
        },
    )
}
