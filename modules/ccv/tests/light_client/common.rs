//! A provider chain of signing validators, and a consumer state with the light client on it.

#![allow(dead_code)]

use ed25519_consensus::SigningKey;
use rampart_ccv::genesis::{self, CcvGenesis, GenesisConsensusState};
use rampart_ccv::verify::UpdateProviderClient;
use rampart_ccv::{update_client, UpdateOutcome};
use rampart_core::context::BlockTime;
use rampart_core::state::{EmptyState, Overlay};
use rampart_core::{AppError, ChainProfile, Events};
use rampart_proto::rampart::ccv::v1 as pb;
use tendermint::block::{self, parts, Commit, CommitSig, Header, Height, Round};
use tendermint::validator::Set;
use tendermint::vote::{self, ValidatorIndex, Vote};
use tendermint::{account, chain, AppHash, Hash, PublicKey, Signature};
use tendermint_proto::crypto::{public_key::Sum, PublicKey as RawPublicKey};
use tendermint_proto::types::{Validator as RawValidator, ValidatorSet as RawValidatorSet};

pub const PROVIDER: &str = "provider-1";
/// The launch height of the consumer: the trust anchor.
pub const ANCHOR: u64 = 10;
/// 21 days of unbonding → 14 days of trust.
pub const UNBONDING: u64 = 21 * 24 * 3600;
pub const T0: i64 = 1_800_000_000;

pub fn t(seconds_after_t0: i64) -> BlockTime {
    BlockTime {
        seconds: T0 + seconds_after_t0,
        nanos: 0,
    }
}

pub fn trusting_period() -> u64 {
    rampart_ccv::client::trusting_period_seconds(UNBONDING)
}

/// Validators with deterministic keys `seed..seed+n`, each of power 10.
pub fn keys(seed: u8, n: u8) -> Vec<SigningKey> {
    (seed..seed + n)
        .map(|i| SigningKey::from([i; 32]))
        .collect()
}

fn public_key(key: &SigningKey) -> PublicKey {
    PublicKey::from_raw_ed25519(key.verification_key().as_bytes()).expect("ed25519 key")
}

/// The protobuf validator set of `keys` with `power` each.
pub fn raw_set_with_power(keys: &[SigningKey], power: i64) -> RawValidatorSet {
    RawValidatorSet {
        validators: keys
            .iter()
            .map(|k| RawValidator {
                address: account::Id::from(public_key(k)).as_bytes().to_vec(),
                pub_key: Some(RawPublicKey {
                    sum: Some(Sum::Ed25519(k.verification_key().as_bytes().to_vec())),
                }),
                voting_power: power,
                proposer_priority: 0,
            })
            .collect(),
        proposer: None,
        total_voting_power: 0,
    }
}

pub fn raw_set(keys: &[SigningKey]) -> RawValidatorSet {
    raw_set_with_power(keys, 10)
}

pub fn set(keys: &[SigningKey]) -> Set {
    Set::try_from(raw_set(keys)).expect("valid set")
}

/// What a header is built from.
#[derive(Clone)]
pub struct HeaderSpec {
    pub chain_id: String,
    pub height: u64,
    pub time: BlockTime,
    pub app_hash: Vec<u8>,
    /// The set that signs this height.
    pub validators: Vec<SigningKey>,
    /// The set that signs the next height.
    pub next_validators: Vec<SigningKey>,
    /// Which of `validators` (in set order) sign the commit.
    pub signers: Option<Vec<usize>>,
}

impl HeaderSpec {
    pub fn new(height: u64, time: BlockTime, app_hash: &[u8]) -> Self {
        Self {
            chain_id: PROVIDER.into(),
            height,
            time,
            app_hash: app_hash.to_vec(),
            validators: keys(1, 4),
            next_validators: keys(1, 4),
            signers: None,
        }
    }
}

fn tm_time(time: BlockTime) -> tendermint::Time {
    tendermint::Time::from_unix_timestamp(time.seconds, time.nanos).expect("time")
}

pub fn header(spec: &HeaderSpec) -> Header {
    let vals = set(&spec.validators);
    Header {
        version: block::header::Version { block: 11, app: 0 },
        chain_id: chain::Id::try_from(spec.chain_id.clone()).expect("chain id"),
        height: Height::try_from(spec.height).expect("height"),
        time: tm_time(spec.time),
        last_block_id: None,
        last_commit_hash: None,
        data_hash: None,
        validators_hash: vals.hash(),
        next_validators_hash: set(&spec.next_validators).hash(),
        consensus_hash: Hash::Sha256([7; 32]),
        app_hash: AppHash::try_from(spec.app_hash.clone()).expect("app hash"),
        last_results_hash: None,
        evidence_hash: None,
        proposer_address: vals.validators()[0].address,
    }
}

/// A header of `spec` with a commit whose precommits are real ed25519 signatures over
/// CometBFT's canonical vote sign bytes.
pub fn signed_header(spec: &HeaderSpec) -> tendermint_proto::types::SignedHeader {
    let header = header(spec);
    let vals = set(&spec.validators);
    let block_id = block::Id {
        hash: header.hash(),
        part_set_header: parts::Header::new(1, Hash::Sha256([9; 32])).expect("parts"),
    };
    let chain_id = header.chain_id.clone();
    let signatures = vals
        .validators()
        .iter()
        .enumerate()
        .map(|(index, info)| {
            let signs = spec.signers.as_ref().is_none_or(|s| s.contains(&index));
            if !signs {
                return CommitSig::BlockIdFlagAbsent;
            }
            let key = spec
                .validators
                .iter()
                .find(|k| account::Id::from(public_key(k)) == info.address)
                .expect("key of validator");
            let vote = Vote {
                vote_type: vote::Type::Precommit,
                height: header.height,
                round: Round::default(),
                block_id: Some(block_id),
                timestamp: Some(header.time),
                validator_address: info.address,
                validator_index: ValidatorIndex::try_from(index as u32).expect("index"),
                signature: None,
                extension: Vec::new(),
                extension_signature: None,
            };
            let bytes = vote.into_signable_vec(chain_id.clone());
            let signature = key.sign(&bytes);
            CommitSig::BlockIdFlagCommit {
                validator_address: info.address,
                timestamp: header.time,
                signature: Some(Signature::try_from(signature.to_bytes().as_slice()).expect("sig")),
            }
        })
        .collect();
    let commit = Commit {
        height: header.height,
        round: Round::default(),
        block_id,
        signatures,
    };
    tendermint_proto::types::SignedHeader {
        header: Some(header.into()),
        commit: Some(commit.into()),
    }
}

/// `MsgUpdateProviderClient` for `spec`, trusting `trusted_height` whose next set is `trusted`.
pub fn msg(
    spec: &HeaderSpec,
    trusted_height: u64,
    trusted: &[SigningKey],
) -> pb::MsgUpdateProviderClient {
    pb::MsgUpdateProviderClient {
        signer: signer(),
        signed_header: Some(signed_header(spec)),
        validator_set: Some(raw_set(&spec.validators)),
        trusted_height,
        trusted_next_validator_set: Some(raw_set(trusted)),
    }
}

pub fn signer() -> String {
    ChainProfile::rampart().to_account(&rampart_core::Address([5; 20]))
}

pub fn decode(m: &pb::MsgUpdateProviderClient) -> Result<UpdateProviderClient, AppError> {
    UpdateProviderClient::from_proto(m, &ChainProfile::rampart())
}

/// The consumer's state: the light client initialised at the anchor header.
pub type State = Overlay<EmptyState>;

pub fn anchor_spec() -> HeaderSpec {
    HeaderSpec::new(ANCHOR, t(0), &[0xA0; 32])
}

pub fn genesis() -> CcvGenesis {
    let anchor = header(&anchor_spec());
    CcvGenesis {
        provider_chain_id: PROVIDER.into(),
        trusting_period_seconds: trusting_period(),
        max_clock_drift_seconds: 10,
        frozen_height: 0,
        consensus_states: vec![GenesisConsensusState {
            height: ANCHOR,
            time: rampart_core::wire::rfc3339(t(0)),
            app_hash: hex::encode(anchor.app_hash.as_bytes()),
            next_validators_hash: hex::encode(anchor.next_validators_hash.as_bytes()),
            header_hash: hex::encode(anchor.hash().as_bytes()),
        }],
        next_validators: keys(1, 4)
            .iter()
            .map(|k| genesis::GenesisValidator {
                pub_key: hex::encode(k.verification_key().as_bytes()),
                power: 10,
            })
            .collect(),
    }
}

pub fn consumer() -> State {
    let mut state = Overlay::new(EmptyState);
    genesis::import(&mut state, &genesis()).expect("genesis");
    state
}

/// Decodes and applies `m` at consumer time `now`.
pub fn update(
    state: &mut State,
    now: BlockTime,
    m: &pb::MsgUpdateProviderClient,
) -> Result<(UpdateOutcome, Events), AppError> {
    let decoded = decode(m)?;
    let mut events = Events::new();
    let outcome = update_client(state, now, &decoded, &mut events)?;
    assert_eq!(
        rampart_ccv::client::check_invariants(state).expect("invariants"),
        None
    );
    Ok((outcome, events))
}

/// Asserts that applying `m` fails with `ccv/<code>` and leaves `state` untouched.
pub fn refused(
    state: &mut State,
    now: BlockTime,
    m: &pb::MsgUpdateProviderClient,
    code: rampart_ccv::CcvCode,
) -> AppError {
    let before = state.changes().clone();
    let e = update(state, now, m).expect_err("refused");
    assert_eq!((e.codespace, e.code), ("ccv", code as u32), "{}", e.log);
    assert_eq!(state.changes(), &before, "state unchanged");
    e
}
