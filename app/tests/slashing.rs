//! Slashing through the whole app, driven like CometBFT: downtime from the commits the driver
//! sends (with a validator marked absent), double signing from misbehaviour in FinalizeBlock,
//! unjailing by signed transactions — window edges, jail periods, tombstones, entries before and
//! after the infraction, and evidence that must be ignored. The driver checks the invariants
//! (pools, shares, supply = Σ balances, so every slashed token is burned) after every block.

mod tx_support;

use std::sync::Arc;

use cosmos_sdk_proto::cosmos::slashing::v1beta1::{
    MsgUnjail, QuerySigningInfoRequest, QuerySigningInfoResponse,
};
use cosmos_sdk_proto::cosmos::staking::v1beta1::MsgUndelegate;
use prost::Message;
use rampart_app::testing::{
    add_genesis_validators, init_chain_request, MockConsensus, TestValidator,
};
use rampart_app::Modules;
use rampart_auth::address::{CONSENSUS_PREFIX, VALIDATOR_PREFIX};
use rampart_auth::Address;
use rampart_staking::StakingRead;
use rampart_store::{Storage, StorageConfig};
use tendermint::abci::types::{Misbehavior, MisbehaviorKind, Validator};
use tendermint::{block, vote};
use tendermint_proto::google::protobuf::Any;
use tx_support::*;

/// Liveness window of these chains, half of which must be signed: a validator is down after
/// missing more than 5 of 10.
const WINDOW: u64 = 10;
/// Downtime jail in seconds (the driver makes one-second blocks).
const JAIL_SECONDS: u64 = 20;
/// Self-delegations: A has power 10, B power 30 (so B alone keeps the chain live in reality).
const STAKE_A: u128 = 10_000_000;
const STAKE_B: u128 = 30_000_000;

struct Net {
    chain: Chain,
    a: TestValidator,
    b: TestValidator,
}

fn app_state(a: &TestValidator, b: &TestValidator, delegator: &Key) -> serde_json::Value {
    let mut app_state = serde_json::json!({
        "bank": {"balances": [
            {"address": delegator.address().to_string(), "coins": [{"denom": DENOM, "amount": "100000000"}]},
        ]},
        "mint": {"params": {"mint_denom": DENOM, "inflation": "0"}},
        "staking": {"params": {
            "unbonding_time_seconds": 1000,
            "max_validators": 100,
            "max_entries": 7,
            "bond_denom": DENOM,
            "min_commission_rate": "0",
        }},
        "slashing": {"params": {
            "signed_blocks_window": WINDOW,
            "min_signed_per_window": "0.5",
            "downtime_jail_duration_seconds": JAIL_SECONDS,
            "slash_fraction_double_sign": "0.05",
            "slash_fraction_downtime": "0.01",
        }},
    });
    add_genesis_validators(&mut app_state, CHAIN_ID, &[(a, STAKE_A), (b, STAKE_B)]);
    app_state
}

fn net(delegator: &Key) -> Net {
    let (a, b) = (TestValidator::new(21), TestValidator::new(22));
    let chain = Chain::from_genesis(&app_state(&a, &b, delegator), true);
    Net { chain, a, b }
}

fn tokens(chain: &Chain, v: &TestValidator) -> u128 {
    chain
        .storage
        .snapshot()
        .validator(&v.operator().0)
        .expect("reads")
        .expect("exists")
        .tokens
        .0
}

fn jailed(chain: &Chain, v: &TestValidator) -> bool {
    chain
        .storage
        .snapshot()
        .validator(&v.operator().0)
        .expect("reads")
        .expect("exists")
        .jailed
}

fn signing_info(
    chain: &Chain,
    v: &TestValidator,
) -> cosmos_sdk_proto::cosmos::slashing::v1beta1::ValidatorSigningInfo {
    let request = QuerySigningInfoRequest {
        cons_address: Address(v.consensus_address()).to_bech32(CONSENSUS_PREFIX),
    };
    let answer = chain.driver.query(
        "/cosmos.slashing.v1beta1.Query/SigningInfo",
        &request.encode_to_vec(),
        0,
        false,
    );
    assert_eq!(answer.code.value(), 0, "{}", answer.log);
    QuerySigningInfoResponse::decode(answer.value.as_ref())
        .expect("decodes")
        .val_signing_info
        .expect("present")
}

fn events_of<'a>(
    response: &'a tendermint::abci::response::FinalizeBlock,
    kind: &str,
) -> Vec<&'a tendermint::abci::Event> {
    response.events.iter().filter(|e| e.kind == kind).collect()
}

fn attr(event: &tendermint::abci::Event, key: &str) -> String {
    event
        .attributes
        .iter()
        .find(|a| a.key_bytes() == key.as_bytes())
        .and_then(|a| a.value_str().ok())
        .map(str::to_owned)
        .unwrap_or_default()
}

fn unjail_tx(chain: &Chain, v: &TestValidator) -> Vec<u8> {
    let operator = v.operator();
    let (number, sequence, _) = chain.account(&operator).expect("operator account");
    let msg = MsgUnjail {
        validator_addr: operator.to_bech32(VALIDATOR_PREFIX),
    };
    let body = cosmos_sdk_proto::cosmos::tx::v1beta1::TxBody {
        messages: vec![Any {
            type_url: "/cosmos.slashing.v1beta1.MsgUnjail".into(),
            value: msg.encode_to_vec(),
        }],
        ..Default::default()
    };
    v.sign_tx(CHAIN_ID, number, sequence, body, 200_000)
}

fn power_update(
    response: &tendermint::abci::response::FinalizeBlock,
    v: &TestValidator,
) -> Option<u64> {
    response
        .validator_updates
        .iter()
        .find(|u| {
            u.pub_key.ed25519().map(|k| k.as_bytes().to_vec())
                == Some(v.consensus_pubkey().to_vec())
        })
        .map(|u| u.power.value())
}

#[test]
fn downtime_past_the_window_edge_slashes_once_jails_and_unjail_waits_for_the_jail() {
    let mut net = net(&Key::secp(70));
    // Let A be tracked for more than a window while signing.
    for _ in 0..WINDOW + 2 {
        net.chain.driver.block(vec![]);
    }
    let supply = net.chain.supply(DENOM).0;
    net.chain.driver.set_absent(net.a.consensus_address(), true);
    // Five misses are tolerated (5 = window − ⌊window × 0.5⌋): liveness events, no slash.
    for missed in 1..=5u64 {
        let response = net.chain.driver.block(vec![]);
        let liveness = events_of(&response, "liveness");
        assert_eq!(liveness.len(), 1, "one absent validator");
        assert_eq!(attr(liveness[0], "missed_blocks"), missed.to_string());
        assert!(
            events_of(&response, "slash").is_empty(),
            "{missed} misses are tolerated"
        );
    }
    assert!(!jailed(&net.chain, &net.a));
    // The sixth miss crosses the edge: 1 % of power 10 (100,000) burned, jailed, removed.
    let response = net.chain.driver.block(vec![]);
    let slash = events_of(&response, "slash");
    assert_eq!(slash.len(), 1);
    assert_eq!(attr(slash[0], "reason"), "missing_signature");
    assert_eq!(attr(slash[0], "power"), "10");
    assert_eq!(attr(slash[0], "burned"), "100000uramp");
    assert_eq!(
        power_update(&response, &net.a),
        Some(0),
        "CometBFT drops it"
    );
    assert!(jailed(&net.chain, &net.a));
    assert_eq!(tokens(&net.chain, &net.a), STAKE_A - 100_000);
    assert_eq!(net.chain.supply(DENOM).0, supply - 100_000, "burned");
    let info = signing_info(&net.chain, &net.a);
    assert_eq!(
        (info.missed_blocks_counter, info.index_offset),
        (0, 0),
        "window reset"
    );

    // Still absent, but jailed: no more slashes (and CometBFT no longer asks it to sign).
    for _ in 0..3 {
        let response = net.chain.driver.block(vec![]);
        assert!(events_of(&response, "slash").is_empty());
    }
    // Unjail before the jail ends: slashing/4.
    let result = net.chain.deliver_one(unjail_tx(&net.chain, &net.a));
    assert_eq!(
        (result.codespace.as_str(), result.code.value()),
        ("slashing", 4),
        "{}",
        result.log
    );
    assert!(result.log.contains("still jailed"), "{}", result.log);
    for _ in 0..JAIL_SECONDS {
        net.chain.driver.block(vec![]);
    }
    net.chain
        .driver
        .set_absent(net.a.consensus_address(), false);
    let response = net.chain.driver.block(vec![unjail_tx(&net.chain, &net.a)]);
    assert_eq!(
        response.tx_results[0].code.value(),
        0,
        "{}",
        response.tx_results[0].log
    );
    assert_eq!(
        power_update(&response, &net.a),
        Some(9),
        "back with 9.9 M tokens"
    );
    assert!(!jailed(&net.chain, &net.a));
    // Unjailing an unjailed validator: slashing/5.
    let result = net.chain.deliver_one(unjail_tx(&net.chain, &net.a));
    assert_eq!(
        (result.codespace.as_str(), result.code.value()),
        ("slashing", 5),
        "{}",
        result.log
    );
}

#[test]
fn a_new_validator_is_not_down_before_a_whole_window() {
    let mut net = net(&Key::secp(71));
    net.chain.driver.set_absent(net.a.consensus_address(), true);
    // Tracking starts with its first vote at height 2; the edge is start + window.
    let mut slashed_at = None;
    for _ in 0..WINDOW + 3 {
        let response = net.chain.driver.block(vec![]);
        if !events_of(&response, "slash").is_empty() {
            slashed_at = Some(net.chain.driver.height);
            break;
        }
    }
    assert_eq!(
        slashed_at,
        Some(2 + WINDOW + 1),
        "the first height past start + window"
    );
}

fn duplicate_vote(v: &TestValidator, power: u64, height: u64) -> Misbehavior {
    Misbehavior {
        kind: MisbehaviorKind::DuplicateVote,
        validator: Validator {
            address: v.consensus_address(),
            power: vote::Power::try_from(power).expect("power"),
        },
        height: block::Height::try_from(height).expect("height"),
        time: MockConsensus::time_of(height),
        total_voting_power: vote::Power::try_from(40u64).expect("power"),
    }
}

fn undelegate_tx(chain: &Chain, delegator: &Key, v: &TestValidator, amount: u128) -> Vec<u8> {
    let msg = MsgUndelegate {
        delegator_address: delegator.address().to_string(),
        validator_address: v.operator().to_bech32(VALIDATOR_PREFIX),
        amount: Some(coin(&amount.to_string(), DENOM)),
    };
    let mut tx = TxBuilder::new(
        vec![Any {
            type_url: "/cosmos.staking.v1beta1.MsgUndelegate".into(),
            value: msg.encode_to_vec(),
        }],
        vec![chain.signer(delegator)],
    );
    tx.fee = Vec::new();
    tx.build()
}

#[test]
fn double_sign_evidence_slashes_entries_after_the_infraction_and_tombstones() {
    let delegator = Key::secp(72);
    let mut net = net(&delegator);
    // The delegator bonds 10 M to B, then unbonds 1 M before and 1 M after the infraction.
    let delegate = cosmos_sdk_proto::cosmos::staking::v1beta1::MsgDelegate {
        delegator_address: delegator.address().to_string(),
        validator_address: net.b.operator().to_bech32(VALIDATOR_PREFIX),
        amount: Some(coin("10000000", DENOM)),
    };
    let mut tx = TxBuilder::new(
        vec![Any {
            type_url: "/cosmos.staking.v1beta1.MsgDelegate".into(),
            value: delegate.encode_to_vec(),
        }],
        vec![net.chain.signer(&delegator)],
    );
    tx.fee = Vec::new();
    assert_eq!(net.chain.deliver_one(tx.build()).code.value(), 0);
    let before = undelegate_tx(&net.chain, &delegator, &net.b, 1_000_000);
    assert_eq!(net.chain.deliver_one(before).code.value(), 0);
    // Stake is counted one block before the infraction, so leave a gap of two blocks.
    net.chain.driver.block(vec![]);
    net.chain.driver.block(vec![]);
    // B double-signs at this height with power 39 (40 M − the 1 M unbonding).
    let infraction = net.chain.driver.height;
    net.chain.driver.block(vec![]);
    let after = undelegate_tx(&net.chain, &delegator, &net.b, 1_000_000);
    assert_eq!(net.chain.deliver_one(after).code.value(), 0);
    assert_eq!(tokens(&net.chain, &net.b), 38_000_000);
    let supply = net.chain.supply(DENOM).0;

    let response = net
        .chain
        .driver
        .block_with(vec![], vec![duplicate_vote(&net.b, 39, infraction)]);
    let slash = events_of(&response, "slash");
    assert_eq!(slash.len(), 1, "{:?}", response.events);
    assert_eq!(attr(slash[0], "reason"), "double_sign");
    // 5 % of 39 M = 1,950,000: 50,000 from the entry created after the infraction, 1,900,000
    // from B's tokens; the entry from before the infraction keeps its 1 M.
    assert_eq!(attr(slash[0], "burned"), "1950000uramp");
    assert_eq!(tokens(&net.chain, &net.b), 38_000_000 - 1_900_000);
    assert_eq!(net.chain.supply(DENOM).0, supply - 1_950_000);
    let ubd = rampart_staking::unbonding::load(
        &net.chain.storage.snapshot(),
        &delegator.address().0,
        &net.b.operator().0,
    )
    .expect("reads")
    .expect("entries");
    let balances: Vec<&str> = ubd.entries.iter().map(|e| e.balance.as_str()).collect();
    assert_eq!(balances, ["1000000", "950000"]);
    assert_eq!(
        power_update(&response, &net.b),
        Some(0),
        "jailed: CometBFT drops it"
    );
    let info = signing_info(&net.chain, &net.b);
    assert!(info.tombstoned);

    // Tombstoned: more evidence is ignored, unjailing never works.
    let response = net
        .chain
        .driver
        .block_with(vec![], vec![duplicate_vote(&net.b, 36, infraction + 1)]);
    assert!(events_of(&response, "slash").is_empty());
    let ignored = events_of(&response, "evidence_ignored");
    assert_eq!(attr(ignored[0], "reason"), "tombstoned");
    for _ in 0..JAIL_SECONDS + 1 {
        net.chain.driver.block(vec![]);
    }
    let result = net.chain.deliver_one(unjail_tx(&net.chain, &net.b));
    assert_eq!(
        (result.codespace.as_str(), result.code.value()),
        ("slashing", 4),
        "{}",
        result.log
    );
    assert!(result.log.contains("tombstoned"), "{}", result.log);

    // Evidence about an address no validator uses: ignored, nothing changes but the block.
    let stranger = TestValidator::new(99);
    let response = net.chain.driver.block_with(
        vec![],
        vec![duplicate_vote(&stranger, 5, net.chain.driver.height)],
    );
    let ignored = events_of(&response, "evidence_ignored");
    assert_eq!(attr(ignored[0], "reason"), "unknown_validator");
}

#[test]
fn evidence_older_than_both_max_ages_is_ignored() {
    let delegator = Key::secp(73);
    let (a, b) = (TestValidator::new(23), TestValidator::new(24));
    let mut request = init_chain_request(CHAIN_ID, 1, &app_state(&a, &b, &delegator));
    request.consensus_params.evidence.max_age_num_blocks = 3;
    request.consensus_params.evidence.max_age_duration =
        tendermint::evidence::Duration(std::time::Duration::from_secs(3));
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = Storage::open(dir.path(), StorageConfig::default()).expect("store");
    let (mut driver, _) =
        MockConsensus::init_from_request(storage.clone(), Arc::new(Modules::standard()), request)
            .expect("genesis");
    for _ in 0..6 {
        driver.block(vec![]);
    }
    // Height 2 is 5 blocks and 5 seconds old at height 7: beyond both limits.
    let response = driver.block_with(vec![], vec![duplicate_vote(&b, 30, 2)]);
    let ignored = events_of(&response, "evidence_ignored");
    assert_eq!(ignored.len(), 1, "{:?}", response.events);
    assert_eq!(attr(ignored[0], "reason"), "expired");
    assert!(
        !storage
            .snapshot()
            .validator(&b.operator().0)
            .expect("reads")
            .expect("exists")
            .jailed
    );
    // Height 5 is only 3 old: still within the block limit, so it lands.
    let response = driver.block_with(vec![], vec![duplicate_vote(&b, 30, 5)]);
    assert_eq!(events_of(&response, "slash").len(), 1);
}
