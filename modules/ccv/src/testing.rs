//! Signed CometBFT headers for tests and benchmarks (the `testing` feature; never used by a
//! node): validator sets of ed25519 keys in their protobuf and checked forms, and headers with a
//! commit of real ed25519 precommits over CometBFT's canonical vote sign bytes — everything a
//! light client checks is real. The one builder of the ccv tests and benchmark, of the test kit's
//! light blocks of a driven chain and of the app tests' consumer headers.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ed25519_consensus::SigningKey;
use tendermint::block::{self, parts, Commit, CommitSig, Header, Height, Round};
use tendermint::validator::Set;
use tendermint::vote::{self, ValidatorIndex, Vote};
use tendermint::{account, chain, AppHash, Hash, PublicKey, Signature};
use tendermint_proto::crypto::{public_key::Sum, PublicKey as RawPublicKey};
use tendermint_proto::types::{
    SignedHeader as RawSignedHeader, Validator as RawValidator, ValidatorSet as RawValidatorSet,
};

/// A validator set member: its ed25519 public key and voting power.
pub type Member = ([u8; 32], u64);

/// The test signing key of `seed`: `SigningKey::from([seed; 32])`.
pub fn key(seed: u8) -> SigningKey {
    SigningKey::from([seed; 32])
}

/// The test keys of seeds `seed..seed + n`.
pub fn keys(seed: u8, n: u8) -> Vec<SigningKey> {
    (seed..seed + n).map(key).collect()
}

/// Every test key [`key`] makes (seeds 0 to 255), built once.
fn every_key() -> &'static [SigningKey] {
    static KEYS: OnceLock<Vec<SigningKey>> = OnceLock::new();
    KEYS.get_or_init(|| (0..=u8::MAX).map(key).collect())
}

/// The ed25519 public key of `key`.
pub fn public(key: &SigningKey) -> [u8; 32] {
    key.verification_key().to_bytes()
}

/// `key` with voting power `power`.
pub fn member(key: &SigningKey, power: u64) -> Member {
    (public(key), power)
}

/// `keys`, each with voting power `power`.
pub fn members(keys: &[SigningKey], power: u64) -> Vec<Member> {
    keys.iter().map(|k| member(k, power)).collect()
}

/// The CometBFT address of an ed25519 public key.
fn address(key: &[u8; 32]) -> account::Id {
    account::Id::from(PublicKey::from_raw_ed25519(key).expect("a valid ed25519 test key"))
}

/// The protobuf validator set of `members` in their order, as a relayer sends it.
pub fn raw_set(members: &[Member]) -> RawValidatorSet {
    RawValidatorSet {
        validators: members
            .iter()
            .map(|(key, power)| RawValidator {
                address: address(key).as_bytes().to_vec(),
                pub_key: Some(RawPublicKey {
                    sum: Some(Sum::Ed25519(key.to_vec())),
                }),
                voting_power: i64::try_from(*power).expect("test powers fit i64"),
                proposer_priority: 0,
            })
            .collect(),
        proposer: None,
        total_voting_power: 0,
    }
}

/// The validator set of `members`.
pub fn set(members: &[Member]) -> Set {
    Set::try_from(raw_set(members)).expect("a valid test set")
}

/// What a header is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderSpec {
    /// The chain id signed over.
    pub chain_id: String,
    /// The header's height.
    pub height: u64,
    /// The header's time.
    pub time: tendermint::Time,
    /// The app hash: the state after `height - 1`.
    pub app_hash: Vec<u8>,
    /// The set that signs this height (its hash is the header's `validators_hash`).
    pub validators: Vec<Member>,
    /// The set that signs the next height (its hash is the header's `next_validators_hash`).
    pub next_validators: Vec<Member>,
    /// The members of `validators` that sign the commit, by public key (`None`: all of them).
    pub signers: Option<Vec<[u8; 32]>>,
}

impl HeaderSpec {
    /// The protobuf form of [`HeaderSpec::validators`].
    pub fn validator_set(&self) -> RawValidatorSet {
        raw_set(&self.validators)
    }

    /// The protobuf form of [`HeaderSpec::next_validators`] (what a relayer sends as the trusted
    /// next set once this header is trusted).
    pub fn next_validator_set(&self) -> RawValidatorSet {
        raw_set(&self.next_validators)
    }

    /// The header.
    pub fn header(&self) -> Header {
        let vals = set(&self.validators);
        Header {
            version: block::header::Version { block: 11, app: 0 },
            chain_id: chain::Id::try_from(self.chain_id.clone()).expect("a valid chain id"),
            height: Height::try_from(self.height).expect("height fits"),
            time: self.time,
            last_block_id: None,
            last_commit_hash: None,
            data_hash: None,
            validators_hash: vals.hash(),
            next_validators_hash: set(&self.next_validators).hash(),
            consensus_hash: Hash::Sha256([7; 32]),
            app_hash: AppHash::try_from(self.app_hash.clone()).expect("app hash"),
            last_results_hash: None,
            evidence_hash: None,
            proposer_address: vals.validators()[0].address,
        }
    }

    /// The header with its commit: every signer of [`HeaderSpec::signers`] whose key is among
    /// `keys` precommits the header's block id with a real ed25519 signature over CometBFT's
    /// canonical vote sign bytes; the others are absent.
    pub fn sign(&self, keys: &[SigningKey]) -> RawSignedHeader {
        let header = self.header();
        let block_id = block::Id {
            hash: header.hash(),
            part_set_header: parts::Header::new(1, Hash::Sha256([9; 32])).expect("parts"),
        };
        let by_address: BTreeMap<account::Id, &SigningKey> =
            keys.iter().map(|k| (address(&public(k)), k)).collect();
        let signatures = set(&self.validators)
            .validators()
            .iter()
            .enumerate()
            .map(|(index, info)| {
                let key = by_address.get(&info.address).copied();
                let chosen = self
                    .signers
                    .as_ref()
                    .is_none_or(|s| key.is_some_and(|k| s.contains(&public(k))));
                let Some(key) = key.filter(|_| chosen) else {
                    return CommitSig::BlockIdFlagAbsent;
                };
                let vote = Vote {
                    vote_type: vote::Type::Precommit,
                    height: header.height,
                    round: Round::default(),
                    block_id: Some(block_id),
                    timestamp: Some(header.time),
                    validator_address: info.address,
                    validator_index: ValidatorIndex::try_from(index).expect("index fits"),
                    signature: None,
                    extension: Vec::new(),
                    extension_signature: None,
                };
                let signature = key.sign(&vote.into_signable_vec(header.chain_id.clone()));
                CommitSig::BlockIdFlagCommit {
                    validator_address: info.address,
                    timestamp: header.time,
                    signature: Some(
                        Signature::try_from(signature.to_bytes().as_slice()).expect("64 bytes"),
                    ),
                }
            })
            .collect();
        let commit = Commit {
            height: header.height,
            round: Round::default(),
            block_id,
            signatures,
        };
        RawSignedHeader {
            header: Some(header.into()),
            commit: Some(commit.into()),
        }
    }

    /// [`HeaderSpec::sign`] with every test [`key`]: the header as its validators sign it when
    /// their keys are test keys.
    pub fn signed(&self) -> RawSignedHeader {
        self.sign(every_key())
    }
}
