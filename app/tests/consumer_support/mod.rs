//! The consumer chain's side of the acknowledgement and header tests (`consumer_acknowledge.rs`,
//! `consumer_headers.rs`): a consumer's committed state in a real rampart-store JMT, consumer
//! headers really signed by the ed25519 keys of a set, `MsgAcknowledgeVsc` built from both, and
//! [`refused_ack`] for bad input. Needs `restaking_support` beside it.

#![allow(dead_code)] // each scenario file uses a different subset

use prost::Message;
use rampart_ccv::proven::{applied_vsc_value, APPLIED_VSC};
use rampart_ccv::testing::{raw_set, HeaderSpec, Member};
use rampart_core::StateRead;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_store::{Storage, StorageConfig};
use rampart_testkit::msgs::any;
use rampart_testkit::restaking::{opt_in, register};
use rampart_testkit::*;

use crate::restaking_support::{consumer_params, refused, Net, GAS};

/// A header of consumer chain `chain_id` at `height` carrying `app_hash`, at the mock time of
/// that height, signed by `set` (which also signs the next height).
pub fn consumer_header(
    chain_id: &str,
    height: u64,
    app_hash: [u8; 32],
    set: &[Member],
) -> HeaderSpec {
    HeaderSpec {
        chain_id: chain_id.into(),
        height,
        time: MockConsensus::time_of(height),
        app_hash: app_hash.to_vec(),
        validators: set.to_vec(),
        next_validators: set.to_vec(),
        signers: None,
    }
}

/// The consumer chain's committed state: a real rampart-store JMT holding the consumer's
/// `ccv/applied_vsc` among other keys, one commit per consumer height.
pub struct ConsumerStore {
    storage: Storage,
    height: u64,
    _dir: tempfile::TempDir,
}

impl ConsumerStore {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Storage::open(dir.path(), StorageConfig::default()).expect("store");
        Self {
            storage,
            height: 0,
            _dir: dir,
        }
    }

    /// Commits the next consumer height with `applied` as the applied vsc id; returns the
    /// height and its app hash (which the header one height above carries).
    pub fn commit(&mut self, applied: u64) -> (u64, [u8; 32]) {
        self.commit_with(applied, &[])
    }

    /// [`Self::commit`] that also writes (`Some`) or deletes (`None`) `entries`, e.g. the
    /// consumer's downtime records.
    pub fn commit_with(
        &mut self,
        applied: u64,
        entries: &[(Vec<u8>, Option<Vec<u8>>)],
    ) -> (u64, [u8; 32]) {
        self.height += 1;
        let mut changes = rampart_core::Changes::new();
        changes.insert(
            APPLIED_VSC.to_vec(),
            Some(applied_vsc_value(applied).to_vec()),
        );
        for (key, value) in entries {
            changes.insert(key.clone(), value.clone());
        }
        for i in 0..8u8 {
            changes.insert(
                format!("bank/balance/{i:02}").into_bytes(),
                Some(vec![i, self.height as u8]),
            );
        }
        let pending = self
            .storage
            .prepare(self.height, &changes)
            .expect("prepare");
        let info = self.storage.commit(pending).expect("commit");
        (self.height, info.app_hash)
    }

    /// The encoded ICS-23 proof of `ccv/applied_vsc` at `height`.
    pub fn proof(&self, height: u64) -> Vec<u8> {
        self.proof_of(APPLIED_VSC, height)
    }

    /// The encoded ICS-23 proof of `key` at `height`.
    pub fn proof_of(&self, key: &[u8], height: u64) -> Vec<u8> {
        let (_, proof) = self.storage.get_with_proof(key, height).expect("proof");
        proof.encode_to_vec()
    }
}

/// A `MsgAcknowledgeVsc` of `vsc_id` by consumer `consumer_id` from the relayer: header `spec`
/// signed by its validators, carrying `claimed_set` as the signing set, and `proof`.
pub fn ack_msg(
    consumer_id: u64,
    spec: &HeaderSpec,
    vsc_id: u64,
    proof: Vec<u8>,
    claimed_set: &[Member],
) -> cpb::MsgAcknowledgeVsc {
    cpb::MsgAcknowledgeVsc {
        signer: relayer().address().to_string(),
        consumer_id,
        vsc_id,
        signed_header: Some(spec.signed()),
        validator_set: Some(raw_set(claimed_set)),
        proof,
    }
}

/// An acknowledgement of `vsc_id` by consumer `consumer_id` of chain `chain_id`: the consumer
/// commits a height that applied it, and the header one height above (signed by `set`) carries
/// that height's app hash.
pub fn applied_ack(
    store: &mut ConsumerStore,
    chain_id: &str,
    consumer_id: u64,
    vsc_id: u64,
    set: &[Member],
) -> cpb::MsgAcknowledgeVsc {
    let (height, app_hash) = store.commit(vsc_id);
    ack_msg(
        consumer_id,
        &consumer_header(chain_id, height + 1, app_hash, set),
        vsc_id,
        store.proof(height),
        set,
    )
}

/// The relayer's key (fund it in the provider's genesis).
/// `proof` (an ICS-23 existence proof) with one byte of its first inner node flipped: it no
/// longer proves anything.
pub fn tampered(proof: &[u8]) -> Vec<u8> {
    let mut tampered = ics23::CommitmentProof::decode(proof).expect("decodes");
    if let Some(ics23::commitment_proof::Proof::Exist(exist)) = tampered.proof.as_mut() {
        exist.path[0].prefix[1] ^= 1;
    } else {
        panic!("expected an existence proof");
    }
    tampered.encode_to_vec()
}

pub fn relayer() -> Key {
    Key::secp(91)
}

/// The relayer's transaction carrying `msg`.
pub fn ack_tx(net: &Net, msg: &cpb::MsgAcknowledgeVsc) -> Vec<u8> {
    net.chain.free_tx(
        &relayer(),
        vec![any(rampart_consumer::msgs::ACKNOWLEDGE_VSC, msg)],
        GAS,
    )
}

/// The relayer's transaction carrying downtime record submission `msg`.
pub fn downtime_tx(net: &Net, msg: &cpb::MsgSubmitConsumerDowntime) -> Vec<u8> {
    net.chain.free_tx(
        &relayer(),
        vec![any(rampart_consumer::msgs::SUBMIT_CONSUMER_DOWNTIME, msg)],
        GAS,
    )
}

/// Every `consumer/` key of the committed store.
pub fn consumer_keys(net: &Net) -> Vec<(Vec<u8>, Vec<u8>)> {
    net.chain
        .storage
        .snapshot()
        .scan_prefix(b"consumer/")
        .collect()
}

/// `msg` fails with `(codespace, code)` and leaves the consumer and restaking sections and every
/// `consumer/` key of the committed store unchanged.
pub fn refused_ack(net: &mut Net, msg: &cpb::MsgAcknowledgeVsc, codespace: &str, expected: u32) {
    net.off_epoch();
    let before = consumer_keys(net);
    refused(net, ack_tx(net, msg), codespace, expected);
    assert_eq!(consumer_keys(net), before, "consumer state unchanged");
}

/// Launches consumer 0: `net` registers it (`chain_id`, spawning 4 blocks from now) and then
/// `others` (further registrations by `owner`), the first two of `validators` opt in with all
/// their bonded stake and consumer keys `keys`, and the chain runs to the launch; returns the
/// launch height.
pub fn launch_consumer_0(
    net: &mut Net,
    owner: &Key,
    chain_id: &str,
    others: Vec<tendermint_proto::google::protobuf::Any>,
    validators: &[TestValidator],
    keys: &[ed25519_consensus::SigningKey],
) -> u64 {
    let spawn = net.chain.driver.height + 4;
    let mut registrations = vec![register(
        owner,
        chain_id,
        Some(spawn),
        Some(consumer_params(1, 0, "0.05", 0)),
    )];
    registrations.extend(others);
    net.free_ok(owner, registrations);
    for (validator, key) in validators.iter().zip(keys).take(2) {
        net.operator_ok(validator, vec![opt_in(validator, 0, 10_000, Some(key))]);
    }
    net.until(spawn);
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
    spawn
}
