//! The provider side of consumer chains that really run (issue 11, item 2): packets a consumer can
//! verify and acknowledge. A launched consumer gets a validator-set-change packet; an
//! acknowledgement built from a consumer header really signed with the ed25519 keys of the
//! consumer's set, carrying an ICS-23 proof from a real rampart-store JMT of the consumer's
//! `ccv/applied_vsc`, records `last_acknowledged_vsc` and `last_heard_from` and prunes the applied
//! packets (the sets they carried stay recorded for their period: `consumer_headers.rs`). Every
//! bad input — tampered or wrong proofs, another chain id, a set the provider never
//! sent (or no longer accepts), too few or invalid signatures, an id beyond the last packet, a
//! replay, an unknown or not-launched consumer — is refused with its stable code and leaves every
//! `consumer/` key of the committed store unchanged. A set without power is never sent: the
//! consumer is stopped instead.

mod consumer_support;
mod restaking_support;

use consumer_support::*;
use prost::Message;
use rampart_ccv::testing::{key, keys, member, public, HeaderSpec, Member};
use rampart_core::StateRead;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_testkit::events::*;
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;

const CONSUMER_CHAIN: &str = "acked-1";

/// A header of the consumer chain at `height` carrying `app_hash`, signed by `set`.
fn consumer_header(height: u64, app_hash: [u8; 32], set: &[Member]) -> HeaderSpec {
    consumer_support::consumer_header(CONSUMER_CHAIN, height, app_hash, set)
}

/// An acknowledgement of `vsc_id` by consumer 0 ([`applied_ack`]).
fn ack(store: &mut ConsumerStore, vsc_id: u64, set: &[Member]) -> cpb::MsgAcknowledgeVsc {
    applied_ack(store, CONSUMER_CHAIN, 0, vsc_id, set)
}

/// An acknowledgement of `vsc_id` by consumer 0 with header `spec` ([`ack_msg`]).
fn build(
    spec: &HeaderSpec,
    vsc_id: u64,
    proof: Vec<u8>,
    claimed_set: &[Member],
) -> cpb::MsgAcknowledgeVsc {
    ack_msg(0, spec, vsc_id, proof, claimed_set)
}

fn pending_packets(net: &Net) -> Vec<u64> {
    net.chain
        .query::<cpb::QueryPendingPacketsResponse>(
            "/rampart.consumer.v1.Query/PendingPackets",
            &cpb::QueryPendingPacketsRequest {
                consumer_id: 0,
                pagination: None,
            },
        )
        .packets
        .iter()
        .map(|p| p.vsc_id)
        .collect()
}

#[test]
fn acknowledgements_are_verified_recorded_and_prune_what_was_applied() {
    let (owner, reporter) = (Key::secp(90), relayer());
    let v: Vec<TestValidator> = (71..=73).map(TestValidator::new).collect();
    let k = keys(1, 3);
    let mut net = Net::provider(
        &[
            (&v[0], 30_000_000),
            (&v[1], 20_000_000),
            (&v[2], 10_000_000),
        ],
        &[&owner, &reporter],
        restaking_params("1", 4),
    );
    let never = register(
        &owner,
        "never-1",
        None,
        Some(consumer_params(1, 0, "0.05", 0)),
    );
    let spawn = launch_consumer_0(&mut net, &owner, CONSUMER_CHAIN, vec![never], &v, &k);
    let launch_set = vec![member(&k[0], 30), member(&k[1], 20)];
    // The genesis names the provider operator behind every initial key.
    let genesis = net.consumer_genesis(0);
    let mut operators: Vec<String> = genesis
        .initial_validators
        .iter()
        .map(|u| u.provider_operator.clone())
        .collect();
    operators.sort();
    let mut expected: Vec<String> = v[..2].iter().map(valoper).collect();
    expected.sort();
    assert_eq!(operators, expected);

    // Packet 1: the third validator joins.
    net.operator_ok(&v[2], vec![opt_in(&v[2], 0, 10_000, Some(&k[2]))]);
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), Some(1));
    let packet_1_at = net.chain.driver.height;
    let packet = net.packet(0, 1);
    assert_eq!(packet.updates.len(), 1);
    assert_eq!(packet.updates[0].provider_operator, valoper(&v[2]));
    let set_1 = vec![member(&k[0], 30), member(&k[1], 20), member(&k[2], 10)];

    // The consumer applied packet 1 at its height h - 1; header h is still signed by the launch
    // set (CometBFT applies the change at h + 1).
    let mut store = ConsumerStore::new();
    store.commit(0);
    let good = ack(&mut store, 1, &launch_set);

    // Registry refusals: an unknown consumer, one not launched, an id beyond the last packet,
    // id 0.
    for (consumer_id, vsc_id, code) in [(9, 1, 5), (1, 1, 7), (0, 2, 14), (0, 0, 15)] {
        let m = cpb::MsgAcknowledgeVsc {
            consumer_id,
            vsc_id,
            ..good.clone()
        };
        refused_ack(&mut net, &m, "consumer", code);
    }

    // Header refusals.
    let (height, app_hash) = store.commit(1);
    let proof = store.proof(height);
    let spec = consumer_header(height + 1, app_hash, &launch_set);
    let other_chain = HeaderSpec {
        chain_id: "other-1".into(),
        ..spec.clone()
    };
    refused_ack(
        &mut net,
        &build(&other_chain, 1, proof.clone(), &launch_set),
        "consumer",
        16,
    );
    // A set the provider never sent, really signing.
    let strangers = vec![member(&key(9), 30)];
    let unknown = consumer_header(height + 1, app_hash, &strangers);
    refused_ack(
        &mut net,
        &build(&unknown, 1, proof.clone(), &strangers),
        "consumer",
        17,
    );
    // The carried set is not the header's.
    refused_ack(&mut net, &build(&spec, 1, proof.clone(), &set_1), "ccv", 8);
    // 20 of 50: not more than 2/3.
    let few = HeaderSpec {
        signers: Some(vec![public(&k[1])]),
        ..spec.clone()
    };
    refused_ack(
        &mut net,
        &build(&few, 1, proof.clone(), &launch_set),
        "ccv",
        10,
    );
    // A forged signature.
    let mut forged = build(&spec, 1, proof.clone(), &launch_set);
    let commit = forged
        .signed_header
        .as_mut()
        .and_then(|h| h.commit.as_mut())
        .expect("commit");
    commit.signatures[0].signature[0] ^= 1;
    refused_ack(&mut net, &forged, "ccv", 12);
    // Proofs: tampered, of another value, of another height, not a proof.
    refused_ack(
        &mut net,
        &build(&spec, 1, tampered(&proof), &launch_set),
        "ccv",
        13,
    );
    let applied_0 = store.proof(height - 1);
    refused_ack(
        &mut net,
        &build(&spec, 1, applied_0, &launch_set),
        "ccv",
        13,
    );
    refused_ack(
        &mut net,
        &build(&spec, 1, b"\xff\xff".to_vec(), &launch_set),
        "ccv",
        13,
    );

    // Gas: both refusals below fail after the signature charge; they differ by one signature
    // and its bytes in the transaction (10 gas a byte).
    let mut one_more = build(&spec, 1, tampered(&proof), &launch_set);
    let one_less = build(&few, 1, tampered(&proof), &launch_set);
    one_more.proof = one_less.proof.clone();
    let tx_more = ack_tx(&net, &one_more);
    let more = net.deliver(tx_more.clone());
    let tx_less = ack_tx(&net, &one_less);
    let less = net.deliver(tx_less.clone());
    assert_eq!(code(&more), ("ccv".into(), 13), "{}", more.log);
    assert_eq!(code(&less), ("ccv".into(), 10), "{}", less.log);
    let size_gas = 10 * (tx_more.len() as i64 - tx_less.len() as i64);
    assert_eq!(more.gas_used - less.gas_used, size_gas + 590);

    // The acknowledgement: recorded, applied packets pruned, the ccv timeout pushed back.
    assert_eq!(pending_packets(&net), [1]);
    net.off_epoch();
    let result = net.deliver_ok(ack_tx(&net, &good));
    let at = net.chain.driver.height;
    assert_eq!(
        tx_attr(&result, "vsc_acknowledged", "vsc_id").as_deref(),
        Some("1")
    );
    assert_eq!(
        tx_attr(&result, "vsc_acknowledged", "pruned").as_deref(),
        Some("1")
    );
    let data =
        cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData::decode(result.data.as_ref())
            .expect("data");
    let response = cpb::MsgAcknowledgeVscResponse::decode(data.msg_responses[0].value.as_slice())
        .expect("response");
    assert_eq!(response.pruned, 1);
    let c = net.consumer(0);
    assert_eq!(c.last_acknowledged_vsc, 1);
    assert_eq!(c.last_heard_from, Some(timestamp_of(at)));
    assert!(pending_packets(&net).is_empty());
    // The ccv timeout now runs from the acknowledgement's block.
    let heard = rampart_core::wire::block_time(&timestamp_of(at)).expect("time");
    let due = rampart_core::wire::add_seconds(heard, 4 * 7 * 24 * 3_600).expect("due");
    let queue: Vec<Vec<u8>> = net
        .chain
        .storage
        .snapshot()
        .scan_prefix(rampart_consumer::keys::TIMEOUT)
        .map(|(key, _)| key)
        .collect();
    assert_eq!(queue, [rampart_consumer::keys::timeout(due, 0)]);

    // A replay, and a racing relayer's older proof: refused, nothing changes.
    refused_ack(&mut net, &good, "consumer", 15);

    // Packet 2: the third validator halves its pledge.
    net.operator_ok(&v[2], vec![set_pledge(&v[2], 0, 5_000)]);
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), Some(2));
    let packet_2_at = net.chain.driver.height;
    // The launch set is no longer accepted: an acknowledgement after packet 1 is signed by a set
    // after vsc id 1 or later.
    let stale = ack(&mut store, 2, &launch_set);
    refused_ack(&mut net, &stale, "consumer", 17);
    // Signed by the set after packet 1: accepted.
    let second = ack(&mut store, 2, &set_1);
    net.off_epoch();
    let result = net.deliver_ok(ack_tx(&net, &second));
    assert_eq!(
        tx_attr(&result, "vsc_acknowledged", "signed_by_vsc").as_deref(),
        Some("1")
    );
    assert_eq!(net.consumer(0).last_acknowledged_vsc, 2);

    // Genesis export → import keeps acknowledgements and the sets sent with the time each was
    // sent (none has reached the end of its period yet: acknowledgements prune packets only).
    let exported = net.chain.driver.app.export().expect("exports");
    let consumer = &exported["consumer"]["consumers"][0];
    assert_eq!(consumer["last_acknowledged_vsc"], "2");
    let recorded: Vec<(String, String)> = consumer["set_hashes"]
        .as_array()
        .expect("set hashes")
        .iter()
        .map(|h| {
            let text = |field: &str| h[field].as_str().expect("text").to_owned();
            (text("vsc_id"), text("locked_at"))
        })
        .collect();
    let rfc3339 = |height: u64| {
        rampart_core::wire::rfc3339(
            rampart_core::wire::block_time(&timestamp_of(height)).expect("time"),
        )
    };
    assert_eq!(
        recorded,
        [
            ("0".to_owned(), rfc3339(spawn)),
            ("1".to_owned(), rfc3339(packet_1_at)),
            ("2".to_owned(), rfc3339(packet_2_at)),
        ]
    );
    let again = Chain::from_genesis(&exported, true);
    let reexported = again.driver.app.export().expect("exports");
    assert_eq!(reexported["consumer"], exported["consumer"]);
}

#[test]
fn a_packet_that_would_empty_the_set_is_never_sent_the_consumer_stops() {
    let owner = Key::secp(92);
    let v: Vec<TestValidator> = (74..=75).map(TestValidator::new).collect();
    let mut net = Net::provider(
        &[(&v[0], 20_000_000), (&v[1], 20_000_000)],
        &[&owner, &relayer()],
        restaking_params("1", 4),
    );
    let spawn = net.chain.driver.height + 3;
    net.free_ok(
        &owner,
        vec![register(
            &owner,
            CONSUMER_CHAIN,
            Some(spawn),
            Some(consumer_params(1, 0, "0.05", 0)),
        )],
    );
    for validator in &v {
        net.operator_ok(validator, vec![opt_in(validator, 0, 10_000, None)]);
    }
    net.until(spawn);
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
    let launch_set = net.consumer_validators(0);
    assert_eq!(launch_set.len(), 2);
    // Both leave in one block: the next epoch's set is empty.
    net.off_epoch();
    let opt_outs = v
        .iter()
        .map(|validator| {
            net.chain
                .operator_tx(validator, vec![opt_out(validator, 0)], GAS)
        })
        .collect();
    for result in net.block(opt_outs).tx_results {
        assert_ok(&result);
    }
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), None, "no packet is sent");
    let stopped = events_of(&epoch, "consumer_stopped");
    assert_eq!(stopped.len(), 1, "{:?}", epoch.events);
    assert_eq!(attr(stopped[0], "consumer_id"), "0");
    assert_eq!(attr(stopped[0], "reason"), "empty_validator_set");
    let c = net.consumer(0);
    assert_eq!(c.phase, cpb::ConsumerPhase::Stopped as i32);
    assert_eq!(c.stop_time, Some(timestamp_of(net.chain.driver.height)));
    // The set last sent stays: its validators still sign the consumer's blocks.
    assert_eq!(net.consumer_validators(0), launch_set);
    assert!(pending_packets(&net).is_empty());
    // A stopped consumer acknowledges nothing.
    let m = ack(&mut ConsumerStore::new(), 1, &[member(&key(5), 10)]);
    refused_ack(&mut net, &m, "consumer", 7);
}
