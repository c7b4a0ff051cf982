//! The provider side of consumer chains that really run (issue 11, items 1 and 3): the consumer
//! genesis written at launch carries a trust anchor a light client of the provider starts from
//! (chain id, launch height H, header time and hash, `next_validators_hash` and the set that
//! signs H+1, trusting period, clock drift), bad consumer parameters are refused with stable
//! codes, and a launched consumer unheard for its ccv timeout is stopped exactly when it is due.

mod restaking_support;

use rampart_app::testing::ValidatorSet;
use rampart_ccv::client;
use rampart_core::state::{EmptyState, Overlay};
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_testkit::events::*;
use rampart_testkit::msgs::delegate;
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;

fn set_of(set: &ValidatorSet) -> Vec<([u8; 32], u64)> {
    sorted(set.values().copied().collect())
}

#[test]
fn consumer_genesis_carries_a_trust_anchor_a_light_client_starts_from() {
    let (owner, delegator) = (Key::secp(80), Key::secp(81));
    let v: Vec<TestValidator> = (61..=63).map(TestValidator::new).collect();
    let mut net = Net::provider(
        &[
            (&v[0], 30_000_000),
            (&v[1], 20_000_000),
            (&v[2], 10_000_000),
        ],
        &[&owner, &delegator],
        restaking_params("1", 4),
    );
    // Spawn height H chosen so that neither H−1 nor H is an epoch height of the provider.
    let mut spawn = net.chain.driver.height + 8;
    while spawn.is_multiple_of(EPOCH) || (spawn - 1).is_multiple_of(EPOCH) {
        spawn += 1;
    }
    net.free_ok(
        &owner,
        vec![register(
            &owner,
            "anchored-1",
            Some(spawn),
            Some(consumer_params(1, 0, "0.05", 0)),
        )],
    );
    net.operator_ok(&v[0], vec![opt_in(&v[0], 0, 10_000, None)]);
    // A delegation at H−1 changes the set that signs H+1; one at H (the launch block) changes
    // only the set that signs H+2: the anchor must carry the former.
    net.until(spawn - 2);
    net.free_ok(&delegator, vec![delegate(&delegator, &v[2], 5_000_000)]);
    assert_eq!(net.chain.driver.height, spawn - 1);
    let expected_hash = net.chain.driver.next_validators_hash(spawn);
    let expected_block_hash = net.chain.driver.block_hash(spawn);
    let launch = net.free_ok(&delegator, vec![delegate(&delegator, &v[1], 7_000_000)]);
    assert_ok(&launch);
    assert_eq!(net.chain.driver.height, spawn);
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
    let signs_h1 = set_of(net.chain.driver.validators_at(spawn + 1).expect("set H+1"));
    let signs_h2 = set_of(net.chain.driver.validators_at(spawn + 2).expect("set H+2"));
    assert_ne!(
        signs_h1, signs_h2,
        "the launch block's delegation changes H+2 only"
    );
    assert!(signs_h1.contains(&(v[2].consensus_pubkey(), 15)));

    let g = net.consumer_genesis(0);
    assert_eq!(g.provider_chain_id, CHAIN_ID);
    assert_eq!(g.provider_height, spawn);
    assert_eq!(g.provider_time, Some(timestamp_of(spawn)));
    assert_eq!(g.provider_block_hash, expected_block_hash.as_bytes());
    assert_eq!(g.provider_next_validators_hash, expected_hash.as_bytes());
    let anchor_set = sorted(
        g.provider_next_validators
            .iter()
            .map(|v| (v.pub_key.as_slice().try_into().expect("32"), v.power))
            .collect(),
    );
    assert_eq!(anchor_set, signs_h1);
    assert_eq!(g.trusting_period_seconds, CONSUMER_UNBONDING * 2 / 3);
    assert_eq!(g.max_clock_drift_seconds, 10);
    let params = g.params.clone().expect("params");
    assert_eq!(params.ccv_timeout_seconds, 2_419_200);
    assert_eq!(params.signed_blocks_window, 10_000);
    assert_eq!(params.min_signed_per_window, "0.050000000000000000");
    assert_eq!(params.blocks_per_epoch, 0);
    assert_eq!(net.consumer(0).last_heard_from, Some(timestamp_of(spawn)));

    // A light client of the provider initialised from it trusts exactly header H.
    let section = rampart_ccv::genesis::from_consumer_genesis(&g).expect("ccv genesis");
    let mut state = Overlay::new(EmptyState);
    rampart_ccv::genesis::import(&mut state, 1, &section).expect("the client accepts the anchor");
    let c = client::client(&state).expect("client");
    assert_eq!(c.chain_id, CHAIN_ID);
    assert_eq!(c.latest_height, spawn);
    assert_eq!(c.trusting_period_seconds, CONSUMER_UNBONDING * 2 / 3);
    assert_eq!(c.max_clock_drift_seconds, 10);
    let cs = client::require_consensus_state(&state, spawn).expect("consensus state at H");
    assert_eq!(cs.next_validators_hash, expected_hash.as_bytes());
    assert_eq!(cs.header_hash, expected_block_hash.as_bytes());
    assert_eq!(cs.time, Some(timestamp_of(spawn)));
    // The set that signs H+2 does not match the anchor: the client refuses it.
    let mut wrong = g.clone();
    wrong.provider_next_validators = signs_h2
        .iter()
        .map(|(key, power)| cpb::ProviderValidator {
            pub_key: key.to_vec(),
            power: *power,
        })
        .collect();
    let section = rampart_ccv::genesis::from_consumer_genesis(&wrong).expect("ccv genesis");
    let e = rampart_ccv::genesis::import(&mut Overlay::new(EmptyState), 1, &section)
        .expect_err("wrong set refused");
    assert_eq!(e.codespace, "ccv");

    // The genesis survives export and import of the consumer section.
    let (consumer_section, _) = net.export_sections();
    let text = consumer_section.to_string();
    assert!(
        text.contains(&hex::encode(expected_hash.as_bytes())),
        "{text}"
    );
    assert!(text.contains("\"last_heard_from\""), "{text}");
}

#[test]
fn bad_consumer_params_are_refused_with_stable_codes() {
    let owner = Key::secp(82);
    let v: Vec<TestValidator> = (64..=65).map(TestValidator::new).collect();
    let mut net = Net::provider(
        &[(&v[0], 20_000_000), (&v[1], 20_000_000)],
        &[&owner],
        restaking_params("1", 4),
    );
    let good = consumer_params(1, 0, "0.05", 0);
    let spawn = net.chain.driver.height + 40;
    let mutations: Vec<fn(&mut cpb::ConsumerParams)> = vec![
        |p| p.signed_blocks_window = 1_000_001,
        |p| p.min_signed_per_window = "1.5".into(),
        |p| p.min_signed_per_window = "half".into(),
        |p| p.blocks_per_epoch = 1_000_001,
        |p| p.ccv_timeout_seconds = 10 * 365 * 24 * 3_600 + 1,
        |p| p.max_clock_drift_seconds = 3_601,
        // The consumer unbonding period is 50 s: the trusting period is 33 s.
        |p| p.max_clock_drift_seconds = 33,
    ];
    for mutate in mutations {
        let mut bad = good.clone();
        mutate(&mut bad);
        let tx = net.chain.free_tx(
            &owner,
            vec![register(&owner, "c-1", Some(spawn), Some(bad))],
            GAS,
        );
        refused(&mut net, tx, "consumer", 2);
    }
    net.free_ok(
        &owner,
        vec![register(&owner, "c-1", Some(spawn), Some(good.clone()))],
    );
    // Before launch an update is validated the same way.
    let mut bad = good.clone();
    bad.min_signed_per_window = "2".into();
    let tx = net.params_update(&owner, 0, bad);
    refused(&mut net, tx, "consumer", 2);
    net.operator_ok(&v[0], vec![opt_in(&v[0], 0, 10_000, None)]);
    net.until(spawn);
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
    // After launch what is in the consumer genesis is fixed (`consumer/9`); the ccv timeout and
    // the epoch length may still change.
    let mut fixed = good.clone();
    fixed.max_clock_drift_seconds = 20;
    let tx = net.params_update(&owner, 0, fixed);
    refused(&mut net, tx, "consumer", 9);
    let mut changed = good.clone();
    changed.ccv_timeout_seconds = 3_600;
    changed.blocks_per_epoch = 3;
    net.deliver_ok(net.params_update(&owner, 0, changed));
    let params = net.consumer(0).params.expect("params");
    assert_eq!(
        (params.ccv_timeout_seconds, params.blocks_per_epoch),
        (3_600, 3)
    );
    // The consumer's own epoch: a second validator joins at its next multiple of 3, not of the
    // provider's epoch.
    net.operator_ok(&v[1], vec![opt_in(&v[1], 0, 10_000, None)]);
    let mut packet_at = None;
    for _ in 0..3 {
        let r = net.block(vec![]);
        if Net::packet_event(&r, 0).is_some() {
            packet_at = Some(net.chain.driver.height);
            break;
        }
    }
    let at = packet_at.expect("a packet within the consumer's epoch");
    assert!(at.is_multiple_of(3), "packet at {at}");
    assert_eq!(net.consumer_validators(0).len(), 2);
}

#[test]
fn an_unheard_consumer_is_stopped_exactly_at_its_ccv_timeout() {
    let owner = Key::secp(83);
    let v: Vec<TestValidator> = (66..=67).map(TestValidator::new).collect();
    let mut net = Net::provider(
        &[(&v[0], 20_000_000), (&v[1], 20_000_000)],
        &[&owner],
        restaking_params("1", 4),
    );
    let spawn = net.chain.driver.height + 6;
    let timeout = 30;
    let mut short = consumer_params(1, 0, "0.05", 0);
    short.ccv_timeout_seconds = timeout;
    let long = consumer_params(1, 0, "0.05", 0);
    net.free_ok(
        &owner,
        vec![
            register(&owner, "short-1", Some(spawn), Some(short)),
            register(&owner, "long-1", Some(spawn), Some(long)),
        ],
    );
    net.operator_ok(
        &v[0],
        vec![opt_in(&v[0], 0, 5_000, None), opt_in(&v[0], 1, 5_000, None)],
    );
    net.until(spawn);
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
    // One block per second: the timeout is due at the block of time launch + 30 s.
    let due = spawn + timeout;
    let before = net.until(due - 1);
    assert!(before
        .iter()
        .all(|r| events_of(r, "consumer_stopped").is_empty()));
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
    let at_due = net.block(vec![]);
    let stopped = events_of(&at_due, "consumer_stopped");
    assert_eq!(stopped.len(), 1, "{:?}", at_due.events);
    assert_eq!(attr(stopped[0], "consumer_id"), "0");
    assert_eq!(attr(stopped[0], "reason"), "ccv_timeout");
    let c = net.consumer(0);
    assert_eq!(c.phase, cpb::ConsumerPhase::Stopped as i32);
    assert_eq!(c.stop_time, Some(timestamp_of(due)));
    assert_eq!(net.consumer(1).phase, cpb::ConsumerPhase::Launched as i32);
}
