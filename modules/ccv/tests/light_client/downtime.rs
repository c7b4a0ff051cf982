//! Liveness and proven downtime on the consumer: the window arithmetic, a record under its
//! provable key (proven from a real JMT store), at most one record per outstanding infraction, the
//! provider's acknowledgement (a proven packet's `slash_acks`) clearing it, validators leaving and
//! joining the set, queries, and the genesis round trip.

use prost::Message;
use rampart_ccv::keys::{self, MISSED_BITMAP};
use rampart_ccv::liveness::{self, Window};
use rampart_ccv::proven::{downtime_key, downtime_value, provider_packet_key};
use rampart_ccv::vsc::{self, RecvVscPacket};
use rampart_ccv::{CcvCode, CcvModule};
use rampart_core::address::consensus_address;
use rampart_core::context::{ConsensusAddress, VoteInfo};
use rampart_core::state::{EmptyState, Overlay};
use rampart_core::{BlockContext, ChainProfile, Events, Module, StateRead};
use rampart_proto::rampart::ccv::v1 as pb;
use rampart_proto::rampart::consumer::v1::{ValidatorSetChangePacket, ValidatorUpdate};
use rampart_store::Storage;

use crate::common::*;

/// The genesis window: 100 blocks, half of them signed, so more than 50 missed is downtime.
const WINDOW: u64 = 100;

fn key_bytes(key: &ed25519_consensus::SigningKey) -> [u8; 32] {
    key.verification_key().to_bytes()
}

/// The consensus addresses of the genesis set.
fn genesis_addresses() -> Vec<ConsensusAddress> {
    consumer_keys()
        .iter()
        .map(|k| consensus_address(&key_bytes(k)))
        .collect()
}

/// A validator joining in the packets below.
fn newcomer() -> [u8; 32] {
    key_bytes(&keys(60, 1)[0])
}

/// Votes of `voters`, those in `absent` not signed.
fn votes(voters: &[ConsensusAddress], absent: &[ConsensusAddress]) -> Vec<VoteInfo> {
    voters
        .iter()
        .map(|address| VoteInfo {
            address: *address,
            power: 5,
            signed: !absent.contains(address),
        })
        .collect()
}

fn ctx(height: u64, last_commit: Vec<VoteInfo>) -> BlockContext {
    let mut ctx = BlockContext::bare(
        "consumer-1".into(),
        ChainProfile::rampart(),
        height,
        t(i64::try_from(height).expect("fits")),
    );
    ctx.last_commit = last_commit;
    ctx
}

/// Begin block `height` through the module with `last_commit`; checks the invariants and
/// returns the events.
fn begin(state: &mut State, height: u64, last_commit: Vec<VoteInfo>) -> Events {
    let mut events = Events::new();
    CcvModule
        .begin_block(state, &ctx(height, last_commit), &mut events)
        .expect("begin block");
    assert_eq!(CcvModule.check_invariants(state).expect("reads"), None);
    events
}

/// Begin blocks `from..=to`, the genesis set voting, `absent` not signing; the events of
/// `consumer_downtime` as (seq, height).
fn run(
    state: &mut State,
    from: u64,
    to: u64,
    absent: &[ConsensusAddress],
) -> Vec<(String, String)> {
    let voters = genesis_addresses();
    let mut records = Vec::new();
    for height in from..=to {
        for event in begin(state, height, votes(&voters, absent)) {
            if event.kind == "consumer_downtime" {
                records.push((attr(&event, "seq"), attr(&event, "height")));
            }
        }
    }
    records
}

fn attr(event: &rampart_core::Event, key: &str) -> String {
    event
        .attributes
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn info(state: &State, address: &ConsensusAddress) -> Option<(u64, u64)> {
    liveness::signing_info(state, address)
        .expect("reads")
        .map(|i| (i.start_height, i.missed_blocks_counter))
}

fn params(window: u64, min_signed: &str) -> pb::Params {
    pb::Params {
        consumer_id: CONSUMER_ID,
        signed_blocks_window: window,
        min_signed_per_window: min_signed.into(),
    }
}

#[test]
fn window_arithmetic() {
    let w = |window: u64, min: &str| Window::of(&params(window, min));
    let half = w(100, "0.5").expect("valid").expect("on");
    assert_eq!((half.blocks(), half.max_missed()), (100, 50));
    let max = |window: u64, min: &str| w(window, min).expect("valid").expect("on").max_missed();
    assert_eq!(max(3, "0.5"), 2, "3 − ⌊1.5⌋");
    assert_eq!(max(10_000, "0.05"), 9_500);
    assert_eq!(max(100, "1"), 0);
    assert_eq!(max(100, "0"), 100);
    assert_eq!(w(0, "").expect("off"), None, "a window of 0 tracks nothing");
    for bad in ["1.5", "half", "", "-0.5"] {
        assert!(w(100, bad).is_err(), "{bad}");
    }
    let window = w(100, "0.5").expect("valid").expect("on");
    assert!(!window.is_down(99, 99), "not tracked for a whole window");
    assert!(!window.is_down(100, 50), "at the bound");
    assert!(window.is_down(100, 51));
    assert!(window.is_down(5_000, 51));
    let strict = w(100, "1").expect("valid").expect("on");
    assert!(strict.is_down(100, 1) && !strict.is_down(100, 0));
    let lax = w(100, "0").expect("valid").expect("on");
    assert!(!lax.is_down(100, 100), "min_signed 0 is never down");
}

#[test]
fn downtime_needs_a_whole_window_and_more_than_the_bound() {
    let mut state = consumer();
    let [a, b, c] = <[ConsensusAddress; 3]>::try_from(genesis_addresses()).expect("three");
    // Genesis at height 1: every window starts with the first vote, at height 2.
    assert_eq!(info(&state, &a), Some((2, 0)));
    // Everyone signing writes nothing.
    let before = state.changes().clone();
    assert!(run(&mut state, 2, 10, &[]).is_empty());
    assert_eq!(
        state.changes(),
        &before,
        "a fully signed commit writes nothing"
    );

    // `a` misses 60 blocks (11..=70), `b` exactly 50 (11..=60): more than 50 is down for `a`
    // only, and only once its window is whole (100 votes: heights 2..=101).
    assert!(run(&mut state, 11, 60, &[a, b]).is_empty());
    assert_eq!(info(&state, &b), Some((2, 50)));
    assert!(run(&mut state, 61, 70, &[a]).is_empty());
    assert_eq!(info(&state, &a), Some((2, 60)));
    assert!(
        run(&mut state, 71, 100, &[]).is_empty(),
        "60 > 50, but 99 votes"
    );
    assert_eq!(run(&mut state, 101, 101, &[]), [("1".into(), "101".into())]);

    let record = liveness::record(&state, 1).expect("reads").expect("stored");
    assert_eq!(
        record,
        pb::DowntimeRecord {
            seq: 1,
            consumer_address: a.to_vec(),
            infraction_height: 101,
            time: Some(rampart_core::wire::timestamp(t(101))),
            vsc_id: 0,
            missed: 60,
            window: WINDOW,
        }
    );
    assert_eq!(
        state.get(&downtime_key(1)),
        Some(downtime_value(&record)),
        "the exact bytes under the provable key"
    );
    // The window restarts; `a` is outstanding.
    assert_eq!(info(&state, &a), Some((102, 0)));
    assert!(MISSED_BITMAP.missed_indices(&state, &a).is_empty());
    assert_eq!(liveness::outstanding_seq(&state, &a).expect("reads"), 1);
    // `b` stays at the bound and slides out of it; `c` never missed.
    assert!(run(&mut state, 102, 170, &[]).is_empty());
    assert_eq!(info(&state, &b), Some((2, 0)));
    assert_eq!(info(&state, &c), Some((2, 0)));
    assert_eq!(liveness::last_seq(&state).expect("reads"), 1);
}

#[test]
fn a_record_is_proven_from_the_committed_store() {
    let mut state = consumer();
    let a = genesis_addresses()[0];
    assert_eq!(run(&mut state, 2, 101, &[a]).len(), 1);
    let record = liveness::record(&state, 1).expect("reads").expect("stored");

    // Commit the consumer's state as its node does; prove the record against the app hash.
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, app_hash) = provider_store(dir.path(), state.changes());
    let height = ANCHOR + 1;
    let (value, proof) = store
        .get_with_proof(&downtime_key(1), height)
        .expect("proof");
    let value = value.expect("stored");
    assert_eq!(value, downtime_value(&record));
    let verify = |key: &[u8], value: &[u8], proof: &ics23::CommitmentProof| {
        ics23::verify_membership::<ics23::HostFunctionsManager>(
            proof,
            &jmt::ics23_spec(),
            &app_hash.to_vec(),
            key,
            value,
        )
    };
    assert!(verify(&downtime_key(1), &value, &proof));
    // What the provider decodes is the record, and re-encodes to the proven bytes.
    let decoded = pb::DowntimeRecord::decode(value.as_slice()).expect("decodes");
    assert_eq!(decoded, record);
    assert_eq!(downtime_value(&decoded), value);
    // Another seq, another record, a tampered record: not proven.
    assert!(!verify(&downtime_key(2), &value, &proof));
    let mut forged = record.clone();
    forged.missed += 1;
    assert!(!verify(&downtime_key(1), &downtime_value(&forged), &proof));
    forged = record;
    forged.vsc_id = 9;
    assert!(!verify(&downtime_key(1), &downtime_value(&forged), &proof));
    // No record 2: its key is absent from the store.
    let (absent, _) = store
        .get_with_proof(&downtime_key(2), height)
        .expect("proof");
    assert!(absent.is_none());
}

/// A packet of this consumer: `updates` and `slash_acks`.
fn packet(vsc_id: u64, updates: &[([u8; 32], u64)], acks: &[ConsensusAddress]) -> Vec<u8> {
    ValidatorSetChangePacket {
        consumer_id: CONSUMER_ID,
        vsc_id,
        provider_height: ANCHOR + 1,
        updates: updates
            .iter()
            .map(|(key, power)| ValidatorUpdate {
                consumer_pubkey: key.to_vec(),
                power: *power,
                provider_operator: String::new(),
            })
            .collect(),
        slash_acks: acks.iter().map(|a| a.to_vec()).collect(),
        provider_time: None,
    }
    .encode_to_vec()
}

/// A provider store holding `packets` (by vsc id from 1) and a consumer trusting its root.
fn with_packets(dir: &std::path::Path, packets: &[Vec<u8>]) -> (Storage, State) {
    let mut changes = rampart_core::Changes::new();
    for (vsc_id, bytes) in (1u64..).zip(packets) {
        changes.insert(
            provider_packet_key(CONSUMER_ID, vsc_id),
            Some(bytes.clone()),
        );
    }
    let (store, root) = provider_store(dir, &changes);
    (store, consumer_trusting_root(&root))
}

/// Receives packet `vsc_id` at consumer `height` and runs that height's end block; returns the
/// events of both.
fn deliver(state: &mut State, store: &Storage, vsc_id: u64, height: u64) -> Events {
    let (value, proof) = store
        .get_with_proof(&provider_packet_key(CONSUMER_ID, vsc_id), ANCHOR + 1)
        .expect("proof");
    let m = pb::MsgRecvVscPacket {
        signer: signer(),
        proof_height: ANCHOR + 1,
        packet: value.expect("stored"),
        proof: proof.encode_to_vec(),
    };
    let decoded = RecvVscPacket::from_proto(&m, &ChainProfile::rampart()).expect("decodes");
    let mut events = Events::new();
    let now = t(i64::try_from(height).expect("fits"));
    vsc::receive(state, now, height, &decoded, &mut events).expect("received");
    CcvModule
        .end_block(state, &ctx(height, Vec::new()), &mut events)
        .expect("end block");
    assert_eq!(CcvModule.check_invariants(state).expect("reads"), None);
    events
}

#[test]
fn one_record_per_outstanding_infraction_until_the_provider_acknowledges_it() {
    let [a, b, c] = <[ConsensusAddress; 3]>::try_from(genesis_addresses()).expect("three");
    let dir = tempfile::tempdir().expect("tempdir");
    // Packet 1 acknowledges `a` (and `c`, which has no record: nothing happens for it).
    let (store, mut state) = with_packets(dir.path(), &[packet(1, &[], &[a, c])]);

    assert_eq!(run(&mut state, 2, 101, &[a]), [("1".into(), "101".into())]);
    // Still down for another whole window, and more: outstanding, so no second record.
    assert!(run(&mut state, 102, 250, &[a]).is_empty());
    assert_eq!(
        info(&state, &a),
        Some((102, 100)),
        "the window keeps sliding"
    );
    assert_eq!(liveness::last_seq(&state).expect("reads"), 1);

    // The provider acted: packet 1 names `a`; its record and flag go.
    let events = deliver(&mut state, &store, 1, 250);
    let acked: Vec<String> = events
        .iter()
        .filter(|e| e.kind == "downtime_acknowledged")
        .map(|e| attr(e, "seq"))
        .collect();
    assert_eq!(acked, ["1"]);
    assert!(liveness::record(&state, 1).expect("reads").is_none());
    assert_eq!(liveness::outstanding_seq(&state, &a).expect("reads"), 0);
    assert_eq!(liveness::outstanding_seq(&state, &c).expect("reads"), 0);

    // Still down: the next block records it again, with the next seq and the vsc now in force.
    assert_eq!(
        run(&mut state, 251, 251, &[a, b]),
        [("2".into(), "251".into())]
    );
    let second = liveness::record(&state, 2).expect("reads").expect("stored");
    assert_eq!(
        (second.vsc_id, second.missed, second.infraction_height),
        (1, 100, 251)
    );
    assert_eq!(
        state.get(&keys::height_vsc(251)),
        Some(1u64.to_be_bytes().to_vec()),
        "vsc 1 is in force at 251 in the height map too"
    );
}

#[test]
fn validators_leaving_and_joining_the_set() {
    let [a, b, c] = <[ConsensusAddress; 3]>::try_from(genesis_addresses()).expect("three");
    let genesis_keys: Vec<[u8; 32]> = consumer_keys().iter().map(key_bytes).collect();
    let joiner = consensus_address(&newcomer());
    let dir = tempfile::tempdir().expect("tempdir");
    // 1: `b` leaves and a newcomer joins; 2: `b` comes back.
    let (store, mut state) = with_packets(
        dir.path(),
        &[
            packet(1, &[(genesis_keys[1], 0), (newcomer(), 4)], &[]),
            packet(2, &[(genesis_keys[1], 5)], &[]),
        ],
    );
    // `a` is down and recorded; `b` misses some blocks.
    assert_eq!(run(&mut state, 2, 101, &[a]).len(), 1);
    assert_eq!(run(&mut state, 102, 119, &[b]).len(), 0);
    assert_eq!(info(&state, &b), Some((2, 18)));

    // Packet 1 applies at the end of 120: `b` loses its window and bitmap, the newcomer is
    // tracked from its first vote at 123 (CometBFT's set changes at 122).
    deliver(&mut state, &store, 1, 120);
    assert_eq!(info(&state, &b), None);
    assert!(MISSED_BITMAP.missed_indices(&state, &b).is_empty());
    assert_eq!(info(&state, &joiner), Some((123, 0)));
    // `b`'s last two votes (121, 122: CometBFT's commits still hold it) are not counted, even
    // as misses; the newcomer has no vote before 123.
    let old_set = [a, b, c];
    begin(&mut state, 121, votes(&old_set, &[b]));
    begin(&mut state, 122, votes(&old_set, &[b]));
    assert_eq!(
        info(&state, &b),
        None,
        "no window for a validator out of the set"
    );
    let new_set = [a, c, joiner];
    begin(&mut state, 123, votes(&new_set, &[joiner]));
    assert_eq!(info(&state, &joiner), Some((123, 1)));
    // `a` left nothing behind but its outstanding record, which the query still shows.
    let answer: pb::QuerySigningInfoResponse = query(
        &state,
        rampart_ccv::urls::QUERY_SIGNING_INFO,
        &pb::QuerySigningInfoRequest {
            address: ChainProfile::rampart().to_valcons(&a),
        },
    )
    .expect("a");
    assert_eq!(answer.outstanding_seq, 1);
    assert_eq!(answer.info.expect("in the set").start_height, 102);
    let gone = query::<pb::QuerySigningInfoResponse>(
        &state,
        rampart_ccv::urls::QUERY_SIGNING_INFO,
        &pb::QuerySigningInfoRequest {
            address: ChainProfile::rampart().to_valcons(&b),
        },
    )
    .expect_err("b left");
    assert_eq!((gone.codespace, gone.code), ("sdk", 22));

    // `b` comes back at the end of 130: a fresh window from 133. Its votes at 131 and 132 (the
    // previous set, where it is absent) cannot be counted; its record never names a height
    // outside its membership.
    deliver(&mut state, &store, 2, 130);
    assert_eq!(info(&state, &b), Some((133, 0)));
    begin(&mut state, 131, votes(&new_set, &[]));
    let back = [a, b, c, joiner];
    begin(&mut state, 132, votes(&back, &[b]));
    assert_eq!(info(&state, &b), Some((133, 0)), "a vote before its window");
    for height in 133..=232 {
        begin(&mut state, height, votes(&back, &[b]));
    }
    let record = liveness::record(&state, 2)
        .expect("reads")
        .expect("b is down");
    assert_eq!(
        (
            record.consumer_address,
            record.infraction_height,
            record.vsc_id,
            record.missed
        ),
        (b.to_vec(), 232, 2, 100)
    );
}

#[test]
fn records_are_paginated_and_genesis_round_trips() {
    let [a, b, c] = <[ConsensusAddress; 3]>::try_from(genesis_addresses()).expect("three");
    let mut state = consumer();
    // `a` and `b` down together (seqs 1, 2 in vote order), `c` missing a few.
    assert_eq!(run(&mut state, 2, 101, &[a, b]).len(), 2);
    assert_eq!(run(&mut state, 102, 110, &[c]).len(), 0);
    let page = |key: Vec<u8>| -> pb::QueryDowntimeRecordsResponse {
        query(
            &state,
            rampart_ccv::urls::QUERY_DOWNTIME_RECORDS,
            &pb::QueryDowntimeRecordsRequest {
                pagination: Some(
                    cosmos_sdk_proto::cosmos::base::query::v1beta1::PageRequest {
                        key,
                        limit: 1,
                        count_total: true,
                        ..Default::default()
                    },
                ),
            },
        )
        .expect("records")
    };
    let first = page(Vec::new());
    assert_eq!(first.records.len(), 1);
    assert_eq!(first.records[0].seq, 1);
    let pagination = first.pagination.expect("pagination");
    assert_eq!(pagination.total, 2);
    assert_eq!(pagination.next_key, 2u64.to_be_bytes());
    let second = page(pagination.next_key);
    assert_eq!(second.records[0].seq, 2);
    assert!(second.pagination.expect("pagination").next_key.is_empty());

    // Export → JSON → import at a later initial height → export: the same liveness state.
    let exported = rampart_ccv::genesis::export(&state).expect("export");
    assert_eq!(exported.last_downtime_seq, 2);
    assert_eq!(exported.downtime_records.len(), 2);
    let c_info = exported
        .signing_infos
        .iter()
        .find(|i| i.address == hex::encode(c))
        .expect("c");
    // Heights 102..=110 are positions 0..=8 of `c`'s window, which started at 2.
    assert_eq!(c_info.missed, (0..=8).collect::<Vec<u64>>());
    let json = serde_json::to_value(&exported).expect("json");
    assert_eq!(json["last_downtime_seq"], "2");
    assert_eq!(json["downtime_records"][1]["seq"], "2");
    let parsed: rampart_ccv::CcvGenesis = serde_json::from_value(json).expect("parses");
    let mut again = Overlay::new(EmptyState);
    rampart_ccv::genesis::import(&mut again, 111, &parsed).expect("import");
    assert_eq!(CcvModule.check_invariants(&again).expect("reads"), None);
    assert_eq!(
        rampart_ccv::genesis::export(&again).expect("export"),
        exported
    );
    for prefix in [
        keys::SIGNING_PREFIX,
        keys::MISSED,
        keys::DOWNTIME_PREFIX,
        keys::OUTSTANDING_PREFIX,
        keys::DOWNTIME_SEQ,
    ] {
        let of = |s: &State| s.scan_prefix(prefix).collect::<Vec<_>>();
        assert_eq!(of(&again), of(&state));
    }
}

#[test]
fn bad_liveness_genesis_and_acknowledgements_are_refused() {
    let import = |g: &rampart_ccv::CcvGenesis| {
        let mut state = Overlay::new(EmptyState);
        rampart_ccv::genesis::import(&mut state, 1, g).map(|()| state)
    };
    let a = hex::encode(genesis_addresses()[0]);
    let info = |address: &str, missed: Vec<u64>| rampart_ccv::genesis::GenesisSigningInfo {
        address: address.into(),
        start_height: 2,
        missed,
    };
    let record = |seq: u64, address: &str| rampart_ccv::genesis::GenesisDowntimeRecord {
        seq,
        address: address.into(),
        infraction_height: 50,
        time: "2027-01-15T08:00:00Z".into(),
        vsc_id: 0,
        missed: 60,
        window: WINDOW,
    };
    let with = |change: &dyn Fn(&mut rampart_ccv::CcvGenesis)| {
        let mut g = genesis();
        change(&mut g);
        g
    };
    // A valid one first.
    let ok = with(&|g| {
        g.signing_infos = vec![info(&a, vec![0, 5])];
        g.downtime_records = vec![record(3, &a)];
        g.last_downtime_seq = 3;
    });
    let state = import(&ok).expect("valid");
    assert_eq!(liveness::last_seq(&state).expect("reads"), 3);
    assert_eq!(CcvModule.check_invariants(&state).expect("reads"), None);
    for bad in [
        with(&|g| g.min_signed_per_window = "1.5".into()),
        with(&|g| g.min_signed_per_window = String::new()),
        with(&|g| g.signing_infos = vec![info(&hex::encode([9; 20]), vec![])]),
        with(&|g| g.signing_infos = vec![info(&a, vec![]), info(&a, vec![])]),
        with(&|g| g.signing_infos = vec![info(&a, vec![WINDOW])]),
        with(&|g| g.signing_infos = vec![info(&a, vec![5, 5])]),
        with(&|g| g.signing_infos = vec![info("abcd", vec![])]),
        with(&|g| g.downtime_records = vec![record(1, &a)]),
        with(&|g| {
            g.downtime_records = vec![record(1, &a), record(2, &a)];
            g.last_downtime_seq = 2;
        }),
        with(&|g| {
            g.downtime_records = vec![record(0, &a)];
            g.last_downtime_seq = 2;
        }),
    ] {
        let e = import(&bad).expect_err("refused");
        assert_eq!((e.codespace, e.code), ("sdk", 17), "{}", e.log);
    }

    // A packet whose slash acknowledgement is not a 20-byte address.
    let mut bytes = ValidatorSetChangePacket::decode(packet(1, &[], &[]).as_slice()).expect("p");
    bytes.slash_acks = vec![vec![1; 19]];
    let m = pb::MsgRecvVscPacket {
        signer: signer(),
        proof_height: ANCHOR + 1,
        packet: bytes.encode_to_vec(),
        proof: vec![1],
    };
    let e = RecvVscPacket::from_proto(&m, &ChainProfile::rampart()).expect_err("refused");
    assert_eq!(
        (e.codespace, e.code),
        ("ccv", CcvCode::InvalidPacket as u32)
    );
}
