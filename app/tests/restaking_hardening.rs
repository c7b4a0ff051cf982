//! Consumer seats and keys are not cheap state (issue 13, findings 4 and 10):
//!
//! - an unbonded validator may neither opt in nor assign a consumer key (`restaking/20`), a
//!   bonded one without an active pledge to the consumer may not assign a key there
//!   (`restaking/6`), and a consumer holds at most `max_validators ×
//!   max_pledges_per_consumer_factor` pledges (`restaking/21`) — each refused through a signed
//!   transaction with the state unchanged;
//! - an epoch reads what is due — the consumer's pledges and the retired keys whose window
//!   ended — never every retired key record, and forgetting a validator's keys reads only its
//!   own records;
//! - opting in without a key refuses a small-order provider key (`sdk/8`), as an assigned key
//!   is refused.
#![allow(clippy::unwrap_used)]

mod restaking_support;

use ed25519_consensus::SigningKey;
use rampart_consumer::ConsumerRead;
use rampart_core::context::ExecMode;
use rampart_core::{
    Address, BlockContext, BlockTime, ChainProfile, Counting, Events, ModuleMsg, MsgContext,
    Overlay, StateWrite,
};
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_restaking::consumer_keys::{self, KeyRecord};
use rampart_restaking::RestakingMsg;
use rampart_testkit::msgs::CreateValidator;
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;

fn three_validators() -> Vec<TestValidator> {
    (48..=50).map(TestValidator::new).collect()
}

#[test]
fn keys_and_pledges_need_bonded_stake_and_a_free_place() {
    let owner = Key::secp(95);
    let v = three_validators();
    let mut params = restaking_params("1", 16);
    params["max_pledges_per_consumer_factor"] = 1.into();
    let mut net = Net::provider(
        &[
            (&v[0], 20_000_000),
            (&v[1], 20_000_000),
            (&v[2], 20_000_000),
        ],
        &[&owner],
        params,
    );
    // Two seats × factor 1: two pledges.
    let mut two_seats = consumer_params(1, 0, "0.05", 0);
    two_seats.max_validators = 2;
    net.free_ok(&owner, vec![register(&owner, "c-1", None, Some(two_seats))]);

    // An unbonded validator: 1 uramp of self-bond, power 0, never in the provider's set.
    let cheap = TestValidator::new(51);
    net.free_ok(
        &owner,
        vec![msg_send(owner.address(), &cheap, vec![coin("1000", DENOM)])],
    );
    let create = CreateValidator::new("cheap", &cheap, cheap.consensus_pubkey(), 1);
    net.operator_ok(&cheap, vec![create.to_any()]);
    net.block(vec![]);
    let key = SigningKey::from([0xc1; 32]);
    for msg in [
        opt_in(&cheap, 0, 10_000, None),
        opt_in(&cheap, 0, 10_000, Some(&key)),
        assign_consumer_key(&cheap, 0, consumer_pubkey(&key)),
    ] {
        let tx = net.chain.operator_tx(&cheap, vec![msg], GAS);
        refused(&mut net, tx, "restaking", 20);
    }

    // Bonded, but no pledge to the consumer: no key there.
    let assign =
        |validator: &TestValidator| assign_consumer_key(validator, 0, consumer_pubkey(&key));
    let tx = net.chain.operator_tx(&v[0], vec![assign(&v[0])], GAS);
    refused(&mut net, tx, "restaking", 6);
    net.operator_ok(&v[0], vec![opt_in(&v[0], 0, 1_000, None)]);
    net.operator_ok(&v[0], vec![assign(&v[0])]);

    // The second place goes to validator 1; validator 2 finds the consumer full.
    net.operator_ok(&v[1], vec![opt_in(&v[1], 0, 1_000, None)]);
    let tx = net
        .chain
        .operator_tx(&v[2], vec![opt_in(&v[2], 0, 1_000, None)], GAS);
    refused(&mut net, tx, "restaking", 21);
    // Opting out of a registered consumer frees the place (and drops the keys: no key without
    // a pledge).
    net.operator_ok(&v[1], vec![opt_out(&v[1], 0)]);
    let tx = net.chain.operator_tx(&v[1], vec![assign(&v[1])], GAS);
    refused(&mut net, tx, "restaking", 6);
    net.operator_ok(&v[2], vec![opt_in(&v[2], 0, 1_000, None)]);
}

/// A provider whose consumer 0 launched with validators 0 and 1.
fn launched() -> (Net, Vec<TestValidator>) {
    let owner = Key::secp(95);
    let v = three_validators();
    let mut net = Net::provider(
        &[
            (&v[0], 20_000_000),
            (&v[1], 20_000_000),
            (&v[2], 20_000_000),
        ],
        &[&owner],
        restaking_params("1", 16),
    );
    let spawn = net.chain.driver.height + 4;
    net.free_ok(
        &owner,
        vec![register(
            &owner,
            "c-1",
            Some(spawn),
            Some(consumer_params(1, 0, "0.05", 0)),
        )],
    );
    for validator in &v[..2] {
        net.operator_ok(validator, vec![opt_in(validator, 0, 5_000, None)]);
    }
    net.until(spawn);
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
    (net, v)
}

/// `n` retired key records of a stranger on consumer 0, attributable until `until`.
fn retire_keys(state: &mut dyn StateWrite, n: u32, until: BlockTime) {
    for i in 0..n {
        let mut pubkey = [0x5a; 32];
        pubkey[..4].copy_from_slice(&i.to_be_bytes());
        let record = KeyRecord {
            operator: Address([0xee; 20]),
            pubkey,
            retired_until: Some(until),
        };
        consumer_keys::import(state, 0, &record).unwrap();
    }
}

#[test]
fn an_epoch_reads_the_due_retired_keys_not_all_of_them() {
    let (net, _) = launched();
    let snapshot = net.chain.storage.snapshot();
    let consumer = snapshot.must_consumer(0).unwrap();
    let height = net.chain.driver.height + 1;
    let now = BlockTime {
        seconds: MockConsensus::time_of(height).unix_timestamp(),
        nanos: 0,
    };
    let ctx = BlockContext::bare(CHAIN_ID.into(), ChainProfile::rampart(), height, now);
    let due = BlockTime {
        seconds: now.seconds - 1,
        nanos: 0,
    };
    let later = BlockTime {
        seconds: now.seconds + 1_000,
        nanos: 0,
    };
    let epoch_reads = |not_due: u32| {
        let mut state = Overlay::new(&snapshot);
        let mut due_key = [0xd0; 32];
        due_key[0] = 0xd1;
        consumer_keys::import(
            &mut state,
            0,
            &KeyRecord {
                operator: Address([0xef; 20]),
                pubkey: due_key,
                retired_until: Some(due),
            },
        )
        .unwrap();
        retire_keys(&mut state, not_due, later);
        let mut counting = Counting::new(&mut state);
        rampart_restaking::epoch::epoch(&mut counting, &consumer, &ctx, &mut Events::new())
            .unwrap();
        let count = counting.count();
        let reads = (count.gets, count.scanned);
        let address = rampart_core::address::consensus_address(&due_key);
        assert!(
            consumer_keys::by_address(&state, 0, &address)
                .unwrap()
                .is_none(),
            "the due key is forgotten"
        );
        assert_eq!(
            consumer_keys::all_of_consumer(&state, 0).unwrap().len(),
            2 + not_due as usize,
            "the two current keys and the retired keys not due stay"
        );
        reads
    };
    let one = epoch_reads(1);
    let many = epoch_reads(1_000);
    eprintln!("epoch: 1 retired key {one:?}, 1,000 retired keys {many:?} (reads, scanned)");
    assert_eq!(one, many, "1,000 retired keys not due cost what 1 costs");
}

#[test]
fn forgetting_a_validators_keys_reads_only_its_own() {
    let (net, v) = launched();
    let snapshot = net.chain.storage.snapshot();
    let later = BlockTime {
        seconds: MockConsensus::time_of(net.chain.driver.height).unix_timestamp() + 1_000,
        nanos: 0,
    };
    let remove_reads = |others: u32| {
        let mut state = Overlay::new(&snapshot);
        retire_keys(&mut state, others, later);
        let mut counting = Counting::new(&mut state);
        consumer_keys::remove_validator(&mut counting, 0, &v[0].operator()).unwrap();
        let count = counting.count();
        let reads = (count.gets, count.scanned);
        assert_eq!(
            consumer_keys::current(&state, 0, &v[0].operator()).unwrap(),
            None
        );
        assert_eq!(
            consumer_keys::all_of_consumer(&state, 0).unwrap().len(),
            1 + others as usize,
            "validator 1's key and the stranger's stay"
        );
        reads
    };
    let one = remove_reads(1);
    let many = remove_reads(1_000);
    eprintln!("remove_validator: {one:?} vs {many:?} (reads, scanned)");
    assert_eq!(one, many, "other validators' records are not read");
}

#[test]
fn opting_in_without_a_key_refuses_a_small_order_provider_key() {
    let (net, v) = launched();
    let snapshot = net.chain.storage.snapshot();
    let mut state = Overlay::new(&snapshot);
    // A provider key from before staking checked keys: the all-zero encoding (order 4).
    let mut validator = rampart_staking::validator::must_load(&state, &v[2].operator()).unwrap();
    validator.pubkey = [0; 32];
    rampart_staking::validator::save(&mut state, &validator).unwrap();
    let staking = rampart_testkit::module_chain::staking_module(None);
    let height = net.chain.driver.height + 1;
    let block = BlockContext::bare(
        CHAIN_ID.into(),
        ChainProfile::rampart(),
        height,
        BlockTime {
            seconds: MockConsensus::time_of(height).unix_timestamp(),
            nanos: 0,
        },
    );
    let ctx = MsgContext {
        block: &block,
        tx_hash: [0; 32],
        msg_index: 0,
        mode: ExecMode::Deliver,
    };
    let msg =
        RestakingMsg::decode(&opt_in(&v[2], 0, 1_000, None), &ChainProfile::rampart()).unwrap();
    let err = rampart_restaking::msgs::execute(
        &mut state,
        staking.ports(),
        &ctx,
        &msg,
        &mut Events::new(),
    )
    .unwrap_err();
    assert_eq!((err.codespace, err.code), ("sdk", 8), "{}", err.log);
    assert!(err.log.contains("small-order"), "{}", err.log);
}

#[test]
fn a_key_assigned_again_is_no_longer_due_to_expire() {
    let (mut net, v) = launched();
    let provider_key = v[0].consensus_pubkey();
    let fresh = SigningKey::from([0xc2; 32]);
    // The provider key retires (attributable for the consumer's unbonding period), then comes
    // back: its expiry entry must go with its retirement.
    net.operator_ok(
        &v[0],
        vec![assign_consumer_key(&v[0], 0, consumer_pubkey(&fresh))],
    );
    net.operator_ok(
        &v[0],
        vec![assign_consumer_key(&v[0], 0, ed25519_any(&provider_key))],
    );
    let past_window = net.chain.driver.height + CONSUMER_UNBONDING + 2 * EPOCH;
    net.until(past_window);
    let snapshot = net.chain.storage.snapshot();
    let record = |key: &[u8; 32]| {
        consumer_keys::by_address(&snapshot, 0, &rampart_core::address::consensus_address(key))
            .unwrap()
    };
    assert_eq!(
        record(&provider_key).map(|r| r.retired_until),
        Some(None),
        "the current key keeps its record"
    );
    assert_eq!(
        record(&fresh.verification_key().to_bytes()),
        None,
        "the replaced key is forgotten after its window"
    );
    assert_eq!(
        consumer_keys::current(&snapshot, 0, &v[0].operator()).unwrap(),
        Some(provider_key)
    );
}
