//! Proven downtime on a consumer chain that runs (issue 12, item 4, consumer side, app level):
//! the consumer composition over its own store, driven by [`MockConsensus`] whose commits carry
//! every validator's vote. While everyone signs, liveness writes nothing (the app hash stands);
//! a validator absent for a whole window gets one downtime record, which the ccv query lists and
//! `/store/key` serves with an ICS-23 proof under its provable key, as a relayer reads it. The
//! module tests (`modules/ccv/tests/light_client/downtime.rs`) cover the window arithmetic, the
//! acknowledgement and the set changes in depth.

use prost::Message;
use rampart_app::Modules;
use rampart_ccv::genesis::{CcvGenesis, GenesisConsensusState, GenesisConsumerValidator};
use rampart_ccv::proven::{downtime_key, downtime_value};
use rampart_ccv::urls::{QUERY_DOWNTIME_RECORDS, QUERY_SIGNING_INFO};
use rampart_core::address::consensus_address;
use rampart_core::ChainProfile;
use rampart_proto::rampart::ccv::v1 as ccv;
use rampart_testkit::light_block::consensus_key;
use rampart_testkit::*;

const CHAIN_ID: &str = "downtime-1";
const WINDOW: u64 = 10;

/// A consumer of three validators (seeds 131–133) with a window of 10 blocks, half signed, from a
/// hand-written `ccv` section (a trust anchor no test relays against).
fn consumer() -> (Chain, Vec<[u8; 20]>) {
    let keys: Vec<[u8; 32]> = (131..=133)
        .map(|seed| consensus_key(seed).verification_key().to_bytes())
        .collect();
    let ccv = CcvGenesis {
        provider_chain_id: "provider-1".into(),
        trusting_period_seconds: 3_600,
        consensus_states: vec![GenesisConsensusState {
            height: 10,
            time: rampart_core::wire::rfc3339(rampart_core::BlockTime {
                seconds: GENESIS_UNIX,
                nanos: 0,
            }),
            app_hash: hex::encode([1; 32]),
            next_validators_hash: hex::encode([2; 32]),
            header_hash: hex::encode([3; 32]),
        }],
        validators: keys
            .iter()
            .map(|key| GenesisConsumerValidator {
                pub_key: hex::encode(key),
                power: 10,
                provider_operator: String::new(),
            })
            .collect(),
        signed_blocks_window: WINDOW,
        min_signed_per_window: "0.5".into(),
        ..CcvGenesis::default()
    };
    let app_state = serde_json::json!({
        "chain": {"name": CHAIN_ID},
        "ccv": serde_json::to_value(&ccv).expect("json"),
    });
    let chain = Chain::init(Modules::for_app_state(&app_state), CHAIN_ID, &app_state);
    (chain, keys.iter().map(consensus_address).collect())
}

fn records(chain: &Chain) -> Vec<ccv::DowntimeRecord> {
    chain
        .query::<ccv::QueryDowntimeRecordsResponse>(
            QUERY_DOWNTIME_RECORDS,
            &ccv::QueryDowntimeRecordsRequest { pagination: None },
        )
        .records
}

#[test]
fn a_validator_absent_for_a_window_gets_one_provable_downtime_record() {
    let (mut chain, addresses) = consumer();
    // Everyone signs: blocks go by and the state stands still.
    chain.driver.block(vec![]);
    let hash = chain.app_hash();
    for _ in 0..5 {
        chain.driver.block(vec![]);
    }
    assert_eq!(
        chain.app_hash(),
        hash,
        "a fully signed commit writes nothing"
    );

    // The first validator stops signing from the commit of height 6 on (counted at 7): its
    // window (votes from 2) is whole at 11 with 5 misses — the bound —, and 6 > 5 at 12.
    let down = addresses[0];
    chain.driver.set_absent(down, true);
    let mut recorded_at = None;
    for _ in 0..10 {
        let response = chain.driver.block(vec![]);
        let found = response
            .events
            .iter()
            .any(|e| e.kind == "consumer_downtime");
        if found {
            assert!(recorded_at.is_none(), "one record only");
            recorded_at = Some(chain.driver.height);
        }
    }
    assert_eq!(recorded_at, Some(12));
    let listed = records(&chain);
    assert_eq!(listed.len(), 1);
    let record = &listed[0];
    assert_eq!(
        (
            record.seq,
            record.consumer_address.as_slice(),
            record.infraction_height,
            record.vsc_id,
            record.missed,
            record.window
        ),
        (1, down.as_slice(), 12, 0, 6, WINDOW)
    );
    let info: ccv::QuerySigningInfoResponse = chain.query(
        QUERY_SIGNING_INFO,
        &ccv::QuerySigningInfoRequest {
            address: ChainProfile::rampart().to_valcons(&down),
        },
    );
    assert_eq!(info.outstanding_seq, 1);
    assert_eq!(info.info.expect("in the set").start_height, 13);

    // The relayer's read: `/store/key` at the committed height, with an ICS-23 proof.
    let height = chain.driver.height;
    let answer = chain.driver.query(
        rampart_app::query::STORE_KEY_PATH,
        &downtime_key(1),
        height,
        true,
    );
    assert_eq!(answer.code.value(), 0, "{}", answer.log);
    assert_eq!(answer.value.as_ref(), downtime_value(record).as_slice());
    let ops = answer.proof.expect("a proof").ops;
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].field_type, rampart_app::query::PROOF_OP_TYPE);
    assert!(!ops[0].data.is_empty());
    assert_eq!(
        ccv::DowntimeRecord::decode(answer.value.as_ref()).expect("decodes"),
        *record
    );

    // Outstanding: still absent for another whole window, no second record.
    for _ in 0..2 * WINDOW {
        let response = chain.driver.block(vec![]);
        assert!(!response
            .events
            .iter()
            .any(|e| e.kind == "consumer_downtime"));
    }
    assert_eq!(records(&chain).len(), 1);
}
