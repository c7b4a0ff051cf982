//! The provider side of proven downtime (issue 12, item 4): `MsgSubmitConsumerDowntime` carries a
//! consumer header really signed with the ed25519 keys of a set the provider sent, and an ICS-23
//! proof from a real rampart-store JMT of the consumer's `ccv/downtime/ ‖ seq` holding the
//! record's exact bytes. A valid record jails its validator **on that consumer only**: the next
//! packet removes its key and carries the record's slash ack, and the validator stays bonded and
//! unslashed on the provider. Every bad input — a bad proof, a replayed or older seq, a set the
//! provider never sent, a vsc id never sent, a validator not in the set of the record's vsc id, a
//! consumer address nobody has, another (or no, or a not launched) consumer — is refused with its
//! stable code and leaves the consumer and restaking state unchanged. The slash meter throttles
//! downtime per consumer (refused with `consumer/22` while negative, handled again once it
//! replenishes), and a non-zero downtime fraction slashes at most that fraction of the pledge
//! counted in the set.

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

/// The provider of `provider_genesis` whose consumer slash meters allow `fraction` of a
/// consumer's power per `period` seconds (a mock block is one second).
fn provider_with_meter(
    validators: &[(&TestValidator, u128)],
    funded: &[&Key],
    fraction: &str,
    period: u64,
) -> Net {
    let mut app_state = provider_genesis(validators, funded, restaking_params("1", 4));
    app_state["consumer"]["params"]["slash_meter_fraction"] = fraction.into();
    app_state["consumer"]["params"]["slash_meter_period_seconds"] = period.to_string().into();
    Net::new(Chain::from_genesis(&app_state, true))
}

/// Consumer `id`'s slash meter.
fn meter(net: &Net, id: u64) -> cpb::QuerySlashMeterResponse {
    net.chain.query(
        "/rampart.consumer.v1.Query/SlashMeter",
        &cpb::QuerySlashMeterRequest { consumer_id: id },
    )
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
    // A meter wide enough for every record of this test (throttling has its own test).
    let mut net = provider_with_meter(
        &[
            (&v[0], 30_000_000),
            (&v[1], 20_000_000),
            (&v[2], 10_000_000),
            (&v[3], 10_000_000),
        ],
        &[&owner, &relayer()],
        "1",
        3_600,
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
    refused_downtime(
        &mut net,
        &build(0, &spec, &down, tampered(&proof), &launch_set),
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
    assert_eq!(response.burned, "0", "no downtime fraction: nothing burned");
    // The meter paid the validator's consumer power: 60 − 10.
    assert_eq!(meter(&net, 0).meter, 50);
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

#[test]
fn downtime_is_throttled_by_the_slash_meter_and_a_downtime_fraction_slashes_the_pledge() {
    let owner = Key::secp(96);
    let v: Vec<TestValidator> = (71..=73).map(TestValidator::new).collect();
    let k = keys(41, 3);
    // 20 % of the consumer's power per 5 s.
    let mut net = provider_with_meter(
        &[
            (&v[0], 30_000_000),
            (&v[1], 20_000_000),
            (&v[2], 10_000_000),
        ],
        &[&owner, &relayer()],
        "0.2",
        5,
    );
    let spawn = net.chain.driver.height + 6;
    // Downtime slashes 1 % of the pledge (the pledges are 50 %).
    let slashing = cpb::ConsumerParams {
        downtime: Some(infraction("0.01", 30, false)),
        ..consumer_params(1, 0, "0.05", 0)
    };
    net.free_ok(
        &owner,
        vec![register(
            &owner,
            CONSUMER_CHAIN,
            Some(spawn),
            Some(slashing),
        )],
    );
    for (validator, key) in v.iter().zip(&k) {
        net.operator_ok(validator, vec![opt_in(validator, 0, 5_000, Some(key))]);
    }
    net.until(spawn);
    let set = vec![member(&k[0], 15), member(&k[1], 10), member(&k[2], 5)];
    // A full meter at launch: 20 % of 30, replenishing 5 s after the launch.
    let full = meter(&net, 0);
    assert_eq!((full.meter, full.allowance, full.throttled), (6, 6, false));
    let launched =
        rampart_core::wire::block_time(net.consumer(0).launch_time.as_ref().expect("launch time"))
            .expect("time");
    assert_eq!(
        full.next_replenish,
        Some(rampart_core::wire::timestamp(
            rampart_core::wire::add_seconds(launched, 5).expect("time")
        ))
    );
    let mut store = ConsumerStore::new();
    store.commit(0);

    // The first record is handled (the meter is non-negative) and overdraws it: 6 − 15.
    let tokens = net.tokens(&v[0]);
    let first = record(1, &public(&k[0]), 0);
    let (m, _, _) = submission(&mut store, 0, &[&first], &set);
    net.off_epoch();
    let result = net.deliver_ok(downtime_tx(&net, &m));
    // 1 % of the pledge counted in the set: power 30 × 10^6 × 0.01 × 50 %.
    assert_eq!(
        tx_attr(&result, "consumer_downtime", "burned").as_deref(),
        Some("150000uramp")
    );
    assert_eq!(net.tokens(&v[0]), tokens - 150_000);
    let after = meter(&net, 0);
    assert_eq!((after.meter, after.throttled), (-9, true));
    // The security report shows the jail on the consumer and the throttling state.
    let report = net.security_report(0);
    assert_eq!(report.jailed.len(), 1, "{report:?}");
    assert_eq!(report.jailed[0].validator, valoper(&v[0]));
    assert!(report.jailed[0].jailed_until.is_some() && !report.jailed[0].tombstoned);
    assert_eq!(
        (
            report.slash_meter,
            report.slash_meter_allowance,
            report.throttled
        ),
        (-9, 6, true)
    );
    assert_eq!(report.slash_meter_next_replenish, after.next_replenish);
    assert_eq!(report.unslashable_power, 0);

    // Throttled while negative: consumer/22, nothing changes (the seq is not consumed).
    let second = record(2, &public(&k[1]), 0);
    let (m, _, _) = submission(&mut store, 0, &[&second], &set);
    refused_downtime(&mut net, &m, "consumer", 22);

    // Each period the meter gains one allowance (of the set last sent then), never rising above
    // one allowance; while it is negative the record stays throttled, then it is handled.
    let replenish = |m: &cpb::QuerySlashMeterResponse| {
        rampart_core::wire::block_time(m.next_replenish.as_ref().expect("time"))
            .expect("time")
            .seconds
    };
    let height_at = |seconds: i64| {
        let genesis = MockConsensus::time_of(0).unix_timestamp();
        u64::try_from(seconds - genesis).expect("after genesis")
    };
    let mut current = after;
    let mut periods = 0;
    while current.meter < 0 {
        refused_downtime(&mut net, &m, "consumer", 22);
        net.until(height_at(replenish(&current)));
        let next = meter(&net, 0);
        assert_eq!(
            next.meter,
            (current.meter + next.allowance).min(next.allowance),
            "{current:?} → {next:?}"
        );
        assert!(replenish(&next) > replenish(&current));
        assert_eq!(next.throttled, next.meter < 0);
        current = next;
        periods += 1;
        assert!(periods <= 5, "the meter never recovers: {current:?}");
    }
    assert!(periods >= 2, "one allowance did not cover the overdraft");
    net.off_epoch();
    net.deliver_ok(downtime_tx(&net, &m));

    // Export → import keeps the meter and its queue.
    let exported = net.chain.driver.app.export().expect("exports");
    assert!(exported["consumer"]["consumers"][0]["slash_meter"].is_object());
    let again = Chain::from_genesis(&exported, true);
    assert_eq!(
        again.driver.app.export().expect("exports")["consumer"],
        exported["consumer"]
    );

    // A removed consumer has no meter any more (consumer/23).
    net.free_ok(&owner, vec![remove_consumer(&owner, 0)]);
    let tx = net.chain.free_tx(
        &owner,
        vec![register(
            &owner,
            "later-1",
            None,
            Some(consumer_params(1, 0, "0.05", 0)),
        )],
        GAS,
    );
    net.deliver_ok(tx);
    for (id, code) in [(0, 23), (1, 23), (9, 5)] {
        let request = cpb::QuerySlashMeterRequest { consumer_id: id }.encode_to_vec();
        let answer =
            net.chain
                .driver
                .query("/rampart.consumer.v1.Query/SlashMeter", &request, 0, false);
        assert_eq!(
            (answer.codespace.as_str(), answer.code.value()),
            ("consumer", code),
            "{}",
            answer.log
        );
    }
}
