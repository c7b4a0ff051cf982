//! The provider side of proven downtime (issue 12, item 4): `MsgSubmitConsumerDowntime` carries a
//! consumer header really signed with the ed25519 keys of a set the provider sent, and an ICS-23
//! proof from a real rampart-store JMT of the consumer's `ccv/downtime/ ‖ seq` holding the
//! record's exact bytes. A valid record jails its validator **on that consumer only**: the next
//! packet removes its key and carries the record's slash ack, and the validator stays bonded and
//! unslashed on the provider. Every bad input — a bad proof, a replayed or older seq, a set the
//! provider never sent, a vsc id never sent, a validator not in the set of the record's vsc id, a
//! consumer address nobody has, another (or no, or a not launched) consumer — is refused with its
//! stable code and leaves the consumer and restaking state unchanged.

mod consumer_support;
mod restaking_support;

use consumer_support::*;
use cosmos_sdk_proto::cosmos::staking::v1beta1::BondStatus;
use prost::Message;
use rampart_ccv::proven::{downtime_key, downtime_value};
use rampart_ccv::testing::{key, keys, member, public, raw_set, HeaderSpec, Member};
use rampart_core::address::consensus_address;
use rampart_proto::rampart::ccv::v1::DowntimeRecord;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_testkit::events::*;
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;

const CONSUMER_CHAIN: &str = "downed-1";
const OTHER_CHAIN: &str = "other-1";

/// Consumer parameters with a downtime jail of `jail` seconds and no downtime slash.
fn params(jail: u64) -> cpb::ConsumerParams {
    cpb::ConsumerParams {
        downtime: Some(infraction("0", jail, false)),
        ..consumer_params(1, 0, "0.05", 0)
    }
}

/// Downtime record `seq` against the validator whose consumer key is `pubkey`, in the set after
/// `vsc_id`.
fn record(seq: u64, pubkey: &[u8; 32], vsc_id: u64) -> DowntimeRecord {
    DowntimeRecord {
        seq,
        consumer_address: consensus_address(pubkey).to_vec(),
        infraction_height: 40 + seq,
        time: Some(timestamp_of(40 + seq)),
        vsc_id,
        missed: 8,
        window: 10,
    }
}

/// The consumer commits a height storing `records` (and deleting `delete`); returns a submission
/// of `records[0]` to consumer `consumer_id` with a header signed by `set` one height above.
fn submission(
    store: &mut ConsumerStore,
    consumer_id: u64,
    records: &[&DowntimeRecord],
    set: &[Member],
) -> (cpb::MsgSubmitConsumerDowntime, HeaderSpec, u64) {
    let entries: Vec<(Vec<u8>, Option<Vec<u8>>)> = records
        .iter()
        .map(|r| (downtime_key(r.seq), Some(downtime_value(r))))
        .collect();
    let (height, app_hash) = store.commit_with(0, &entries);
    let spec = consumer_header(CONSUMER_CHAIN, height + 1, app_hash, set);
    let proof = store.proof_of(&downtime_key(records[0].seq), height);
    (
        build(consumer_id, &spec, records[0], proof, set),
        spec,
        height,
    )
}

fn build(
    consumer_id: u64,
    spec: &HeaderSpec,
    record: &DowntimeRecord,
    proof: Vec<u8>,
    claimed_set: &[Member],
) -> cpb::MsgSubmitConsumerDowntime {
    cpb::MsgSubmitConsumerDowntime {
        signer: relayer().address().to_string(),
        consumer_id,
        signed_header: Some(spec.signed()),
        validator_set: Some(raw_set(claimed_set)),
        record: downtime_value(record),
        proof,
    }
}

/// Every `restaking/` key of the committed store.
fn restaking_keys(net: &Net) -> Vec<(Vec<u8>, Vec<u8>)> {
    use rampart_core::StateRead;
    net.chain
        .storage
        .snapshot()
        .scan_prefix(b"restaking/")
        .collect()
}

/// `msg` fails with `(codespace, code)` and leaves the consumer and restaking sections and every
/// `consumer/` and `restaking/` key of the committed store unchanged.
fn refused_downtime(
    net: &mut Net,
    msg: &cpb::MsgSubmitConsumerDowntime,
    codespace: &str,
    expected: u32,
) {
    net.off_epoch();
    let before = (consumer_keys(net), restaking_keys(net));
    refused(net, downtime_tx(net, msg), codespace, expected);
    assert_eq!(
        (consumer_keys(net), restaking_keys(net)),
        before,
        "consumer and restaking state unchanged"
    );
}

#[test]
fn proven_downtime_jails_on_the_consumer_only_and_is_acknowledged_in_the_next_packet() {
    let owner = Key::secp(93);
    let v: Vec<TestValidator> = (81..=84).map(TestValidator::new).collect();
    let k = keys(11, 4);
    let mut net = Net::provider(
        &[
            (&v[0], 30_000_000),
            (&v[1], 20_000_000),
            (&v[2], 10_000_000),
            (&v[3], 10_000_000),
        ],
        &[&owner, &relayer()],
        restaking_params("1", 4),
    );
    let spawn = net.chain.driver.height + 6;
    net.free_ok(
        &owner,
        vec![
            register(&owner, CONSUMER_CHAIN, Some(spawn), Some(params(30))),
            register(&owner, OTHER_CHAIN, Some(spawn), Some(params(30))),
            register(&owner, "never-1", None, Some(params(30))),
        ],
    );
    for (validator, key) in v.iter().zip(&k).take(3) {
        net.operator_ok(validator, vec![opt_in(validator, 0, 10_000, Some(key))]);
    }
    net.operator_ok(&v[0], vec![opt_in(&v[0], 1, 10_000, Some(&key(30)))]);
    net.until(spawn);
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
    assert_eq!(net.consumer(1).phase, cpb::ConsumerPhase::Launched as i32);
    let launch_set = vec![member(&k[0], 30), member(&k[1], 20), member(&k[2], 10)];
    let mut store = ConsumerStore::new();
    store.commit(0);

    // The fourth validator opts in after the launch, just after an epoch: it has a consumer key
    // but is not in the set after vsc id 0 (the set last sent) until the next packet.
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), None);
    net.operator_ok(&v[3], vec![opt_in(&v[3], 0, 10_000, Some(&k[3]))]);
    let late = record(1, &public(&k[3]), 0);
    let (m, _, _) = submission(&mut store, 0, &[&late], &launch_set);
    refused_downtime(&mut net, &m, "consumer", 21);
    let down = record(1, &public(&k[2]), 0);
    let (good, spec, height) = submission(&mut store, 0, &[&down], &launch_set);
    let proof = good.proof.clone();

    // Another consumer (another chain id), an unknown one, one not launched.
    refused_downtime(
        &mut net,
        &cpb::MsgSubmitConsumerDowntime {
            consumer_id: 1,
            ..good.clone()
        },
        "consumer",
        16,
    );
    for (consumer_id, expected) in [(9, 5), (2, 7)] {
        let m = cpb::MsgSubmitConsumerDowntime {
            consumer_id,
            ..good.clone()
        };
        refused_downtime(&mut net, &m, "consumer", expected);
    }
    // A set the provider never sent, really signing.
    let strangers = vec![member(&key(9), 30)];
    let unknown = consumer_header(CONSUMER_CHAIN, height + 1, spec_app_hash(&spec), &strangers);
    refused_downtime(
        &mut net,
        &build(0, &unknown, &down, proof.clone(), &strangers),
        "consumer",
        17,
    );
    // Bad proofs: tampered, for other bytes of the record, of another key, not a proof.
    let mut tampered = ics23::CommitmentProof::decode(proof.as_slice()).expect("decodes");
    if let Some(ics23::commitment_proof::Proof::Exist(exist)) = tampered.proof.as_mut() {
        exist.path[0].prefix[1] ^= 1;
    } else {
        panic!("expected an existence proof");
    }
    refused_downtime(
        &mut net,
        &build(0, &spec, &down, tampered.encode_to_vec(), &launch_set),
        "ccv",
        13,
    );
    let inflated = DowntimeRecord {
        missed: 9,
        ..down.clone()
    };
    refused_downtime(
        &mut net,
        &build(0, &spec, &inflated, proof.clone(), &launch_set),
        "ccv",
        13,
    );
    refused_downtime(
        &mut net,
        &build(0, &spec, &down, store.proof(height), &launch_set),
        "ccv",
        13,
    );
    refused_downtime(
        &mut net,
        &build(0, &spec, &down, b"\xff\xff".to_vec(), &launch_set),
        "ccv",
        13,
    );
    // Really stored and proven, but: a vsc id never sent; a consumer address that is nobody's
    // key.
    for (bad, codespace, expected) in [
        (record(1, &public(&k[2]), 99), "consumer", 17),
        (record(1, &public(&key(9)), 0), "consumer", 21),
    ] {
        let (m, _, _) = submission(&mut store, 0, &[&bad], &launch_set);
        refused_downtime(&mut net, &m, codespace, expected);
    }
    // Not in its canonical encoding: not the bytes the consumer stores.
    let mut m = good.clone();
    m.record = [vec![0x08, 0x01], m.record].concat();
    refused_downtime(&mut net, &m, "consumer", 19);

    // The record: the validator is jailed on consumer 0, nothing changes on the provider.
    let tokens = net.tokens(&v[2]);
    net.off_epoch();
    let result = net.deliver_ok(downtime_tx(&net, &good));
    let at = net.chain.driver.height;
    let event = |name: &str| tx_attr(&result, "consumer_downtime", name);
    assert_eq!(event("consumer_id").as_deref(), Some("0"));
    assert_eq!(event("seq").as_deref(), Some("1"));
    assert_eq!(event("validator"), Some(valoper(&v[2])));
    assert_eq!(event("vsc_id").as_deref(), Some("0"));
    assert_eq!(event("missed").as_deref(), Some("8"));
    assert_eq!(
        event("slash_fraction").as_deref(),
        Some("0.000000000000000000")
    );
    let until = rampart_core::wire::rfc3339(
        rampart_core::wire::add_seconds(
            rampart_core::wire::block_time(&timestamp_of(at)).expect("time"),
            30,
        )
        .expect("until"),
    );
    assert_eq!(event("jailed_until"), Some(until.clone()));
    let data =
        cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData::decode(result.data.as_ref())
            .expect("data");
    let response =
        cpb::MsgSubmitConsumerDowntimeResponse::decode(data.msg_responses[0].value.as_slice())
            .expect("response");
    assert_eq!(response.validator, valoper(&v[2]));
    assert_eq!(response.jailed_until, until);
    let exported = net.chain.driver.app.export().expect("exports");
    let jails = &exported["restaking"]["jails"];
    assert_eq!(jails.as_array().map(Vec::len), Some(1), "{jails}");
    assert_eq!(jails[0]["validator"], valoper(&v[2]));
    assert_eq!(jails[0]["consumer_id"], "0");
    assert_eq!(jails[0]["jailed_until"], until);
    assert_eq!(jails[0]["tombstoned"], false);

    // A replay, and the same record proven again: refused.
    refused_downtime(&mut net, &good, "consumer", 20);
    let (again, _, _) = submission(&mut store, 0, &[&down], &launch_set);
    refused_downtime(&mut net, &again, "consumer", 20);

    // The next packet removes the key and acknowledges the record.
    let epoch = net.next_epoch();
    let vsc = Net::packet_event(&epoch, 0).expect("a packet");
    let packet = net.packet(0, vsc);
    assert!(
        updates(&packet).contains(&(public(&k[2]).to_vec(), 0)),
        "{:?}",
        updates(&packet)
    );
    assert_eq!(
        packet.slash_acks,
        vec![consensus_address(&public(&k[2])).to_vec()]
    );
    assert!(!net
        .consumer_validators(0)
        .iter()
        .any(|(key, _)| *key == public(&k[2])));
    // Consumer 1 is untouched.
    assert_eq!(Net::packet_event(&epoch, 1), None);

    // On the provider it stays bonded, unjailed and unslashed.
    let validator = net.chain.validator(&v[2]);
    assert_eq!(validator.status, BondStatus::Bonded);
    assert!(!validator.jailed);
    assert_eq!(net.tokens(&v[2]), tokens);

    // Gaps are normal (acknowledged records are deleted on the consumer): seq 3 is accepted,
    // signed by the launch set (any set within its period), for a validator of that set.
    let three = record(3, &public(&k[1]), 0);
    let (m, _, _) = submission(&mut store, 0, &[&three], &launch_set);
    net.off_epoch();
    let result = net.deliver_ok(downtime_tx(&net, &m));
    assert_eq!(
        tx_attr(&result, "consumer_downtime", "validator"),
        Some(valoper(&v[1]))
    );
    // An older record, now out of order.
    let two = record(2, &public(&k[0]), 0);
    let (m, _, _) = submission(&mut store, 0, &[&two], &launch_set);
    refused_downtime(&mut net, &m, "consumer", 20);

    // Genesis export → import keeps the last seq processed (a replay stays refused).
    let exported = net.chain.driver.app.export().expect("exports");
    assert_eq!(
        exported["consumer"]["consumers"][0]["last_downtime_seq"],
        "3"
    );
    assert_eq!(
        exported["consumer"]["consumers"][1]["last_downtime_seq"],
        "0"
    );
    let again = Chain::from_genesis(&exported, true);
    let reexported = again.driver.app.export().expect("exports");
    assert_eq!(reexported["consumer"], exported["consumer"]);
    assert_eq!(
        rampart_consumer::state::last_downtime_seq(&again.storage.snapshot(), 0).expect("reads"),
        3
    );

    // After its jail the validator comes back with the next packet.
    let back = at + 31;
    net.until(back);
    let epoch = net.next_epoch();
    let vsc = Net::packet_event(&epoch, 0).expect("a packet");
    let packet = net.packet(0, vsc);
    assert!(
        updates(&packet).contains(&(public(&k[2]).to_vec(), 10)),
        "{:?}",
        updates(&packet)
    );
}

fn spec_app_hash(spec: &HeaderSpec) -> [u8; 32] {
    spec.app_hash.as_slice().try_into().expect("32 bytes")
}
