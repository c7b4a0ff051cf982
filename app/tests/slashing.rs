//! Slashing through the whole app, driven like CometBFT: downtime from the commits the driver
//! sends (with a validator marked absent), double signing from misbehaviour in FinalizeBlock,
//! unjailing by signed transactions — window edges, jail periods, tombstones, entries before and
//! after the infraction, and evidence that must be ignored. The driver checks the invariants
//! (pools, shares, supply = Σ balances, so every slashed token is burned) after every block.

use std::sync::Arc;

use cosmos_sdk_proto::cosmos::slashing::v1beta1::{
    QuerySigningInfoRequest, QuerySigningInfoResponse,
};
use rampart_app::Modules;
use rampart_core::profile::RAMPART_CONSENSUS_PREFIX as CONSENSUS_PREFIX;
use rampart_core::Address;
use rampart_staking::StakingRead;
use rampart_store::{Storage, StorageConfig};
use rampart_testkit::chain::duplicate_vote;
use rampart_testkit::events::{assert_ok, attr, events_of};
use rampart_testkit::msgs::{delegate, undelegate, unjail};
use rampart_testkit::*;

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
        "staking": staking_section(1000, 100),
        "slashing": slashing_section(WINDOW, JAIL_SECONDS),
    });
    add_genesis_validators(&mut app_state, CHAIN_ID, &[(a, STAKE_A), (b, STAKE_B)]);
    app_state
}

fn net(delegator: &Key) -> Net {
    let (a, b) = (TestValidator::new(21), TestValidator::new(22));
    let chain = Chain::from_genesis(&app_state(&a, &b, delegator), true);
    Net { chain, a, b }
}

fn signing_info(
    chain: &Chain,
    v: &TestValidator,
) -> cosmos_sdk_proto::cosmos::slashing::v1beta1::ValidatorSigningInfo {
    chain
        .query::<QuerySigningInfoResponse>(
            "/cosmos.slashing.v1beta1.Query/SigningInfo",
            &QuerySigningInfoRequest {
                cons_address: Address(v.consensus_address()).to_bech32(CONSENSUS_PREFIX),
            },
        )
        .val_signing_info
        .expect("present")
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
    assert!(!net.chain.validator(&net.a).jailed);
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
    assert!(net.chain.validator(&net.a).jailed);
    assert_eq!(net.chain.validator(&net.a).tokens.0, STAKE_A - 100_000);
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
    let result =
        net.chain
            .deliver_one(net.chain.operator_tx(&net.a, vec![unjail(&net.a)], 200_000));
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
    let response = net.chain.driver.block(vec![net.chain.operator_tx(
        &net.a,
        vec![unjail(&net.a)],
        200_000,
    )]);
    assert_ok(&response.tx_results[0]);
    assert_eq!(
        power_update(&response, &net.a),
        Some(9),
        "back with 9.9 M tokens"
    );
    assert!(!net.chain.validator(&net.a).jailed);
    // Unjailing an unjailed validator: slashing/5.
    let result =
        net.chain
            .deliver_one(net.chain.operator_tx(&net.a, vec![unjail(&net.a)], 200_000));
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

#[test]
fn double_sign_evidence_slashes_entries_after_the_infraction_and_tombstones() {
    let delegator = Key::secp(72);
    let mut net = net(&delegator);
    // The delegator bonds 10 M to B, then unbonds 1 M before and 1 M after the infraction.
    let tx = net.chain.free_tx(
        &delegator,
        vec![delegate(&delegator, &net.b, 10_000_000)],
        200_000,
    );
    assert_eq!(net.chain.deliver_one(tx).code.value(), 0);
    let before = net.chain.free_tx(
        &delegator,
        vec![undelegate(&delegator, &net.b, 1_000_000)],
        200_000,
    );
    assert_eq!(net.chain.deliver_one(before).code.value(), 0);
    // Stake is counted one block before the infraction, so leave a gap of two blocks.
    net.chain.driver.block(vec![]);
    net.chain.driver.block(vec![]);
    // B double-signs at this height with power 39 (40 M − the 1 M unbonding).
    let infraction = net.chain.driver.height;
    net.chain.driver.block(vec![]);
    let after = net.chain.free_tx(
        &delegator,
        vec![undelegate(&delegator, &net.b, 1_000_000)],
        200_000,
    );
    assert_eq!(net.chain.deliver_one(after).code.value(), 0);
    assert_eq!(net.chain.validator(&net.b).tokens.0, 38_000_000);
    let supply = net.chain.supply(DENOM).0;

    let response = net.chain.driver.block_with(
        vec![],
        vec![duplicate_vote(
            net.b.consensus_address(),
            39,
            infraction,
            40,
        )],
    );
    let slash = events_of(&response, "slash");
    assert_eq!(slash.len(), 1, "{:?}", response.events);
    assert_eq!(attr(slash[0], "reason"), "double_sign");
    // 5 % of 39 M = 1,950,000: 50,000 from the entry created after the infraction, 1,900,000
    // from B's tokens; the entry from before the infraction keeps its 1 M.
    assert_eq!(attr(slash[0], "burned"), "1950000uramp");
    assert_eq!(net.chain.validator(&net.b).tokens.0, 38_000_000 - 1_900_000);
    assert_eq!(net.chain.supply(DENOM).0, supply - 1_950_000);
    let ubd = rampart_staking::unbonding::load(
        &net.chain.storage.snapshot(),
        &delegator.address(),
        &net.b.operator(),
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
    let response = net.chain.driver.block_with(
        vec![],
        vec![duplicate_vote(
            net.b.consensus_address(),
            36,
            infraction + 1,
            40,
        )],
    );
    assert!(events_of(&response, "slash").is_empty());
    let ignored = events_of(&response, "evidence_ignored");
    assert_eq!(attr(ignored[0], "reason"), "tombstoned");
    for _ in 0..JAIL_SECONDS + 1 {
        net.chain.driver.block(vec![]);
    }
    let result =
        net.chain
            .deliver_one(net.chain.operator_tx(&net.b, vec![unjail(&net.b)], 200_000));
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
        vec![duplicate_vote(
            stranger.consensus_address(),
            5,
            net.chain.driver.height,
            40,
        )],
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
        MockConsensus::init_from_request(storage.clone(), Arc::new(Modules::provider()), request)
            .expect("genesis");
    for _ in 0..6 {
        driver.block(vec![]);
    }
    // Height 2 is 5 blocks and 5 seconds old at height 7: beyond both limits.
    let response = driver.block_with(
        vec![],
        vec![duplicate_vote(b.consensus_address(), 30, 2, 40)],
    );
    let ignored = events_of(&response, "evidence_ignored");
    assert_eq!(ignored.len(), 1, "{:?}", response.events);
    assert_eq!(attr(ignored[0], "reason"), "expired");
    assert!(
        !storage
            .snapshot()
            .validator(&b.operator())
            .expect("reads")
            .expect("exists")
            .jailed
    );
    // Height 5 is only 3 old: still within the block limit, so it lands.
    let response = driver.block_with(
        vec![],
        vec![duplicate_vote(b.consensus_address(), 30, 5, 40)],
    );
    assert_eq!(events_of(&response, "slash").len(), 1);
}
