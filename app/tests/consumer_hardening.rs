//! Issue 13's consumer-registry findings, each pinned on the whole app:
//!
//! - finding 7: what is left of a reward pool at deletion goes to the community pool, never to
//!   the owner (others funded it); after launch the reward rate and the allow/deny lists change
//!   one provider unbonding period later, like the infraction parameters (genesis export →
//!   import keeps what waits);
//! - finding 1: a registered consumer that never launches expires after
//!   `registration_expiry_seconds`, forfeiting `expired_deposit_forfeit` of its deposit to the
//!   community pool; a spawn time moved by the owner lies at least `MIN_SPAWN_LEAD_SECONDS`
//!   ahead (one set selection per 10 minutes at most, not one per block);
//! - finding 9: genesis refuses a module account as a consumer owner, and the deletion refund
//!   goes through the bank's checked send (a module account never receives it).

mod restaking_support;

use rampart_bank::BankWrite;
use rampart_core::context::ExecMode;
use rampart_core::state::{EmptyState, Overlay};
use rampart_core::{
    Address, BlockContext, BlockTime, ChainProfile, Events, GenesisContext, MsgContext, StateWrite,
};
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_testkit::events::*;
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;

/// Registers consumer 0 of `owner` (no spawn time, `reward` per block) and has `funder` and the
/// owner fund its pool with 5,000 and 1,000.
fn registered_and_funded(net: &mut Net, owner: &Key, funder: &Key, spawn: Option<u64>) {
    net.free_ok(
        owner,
        vec![register(
            owner,
            "consumer-1",
            spawn,
            Some(consumer_params(1, 0, "0.05", 400)),
        )],
    );
    net.free_ok(funder, vec![fund_rewards(funder, 0, 5_000, DENOM)]);
    net.free_ok(owner, vec![fund_rewards(owner, 0, 1_000, DENOM)]);
}

#[test]
fn the_owner_gets_its_deposit_back_and_the_pool_goes_to_the_community() {
    let (owner, funder) = (Key::secp(131), Key::secp(132));
    let v = TestValidator::new(61);
    let mut net = Net::provider(
        &[(&v, 10_000_000)],
        &[&owner, &funder],
        restaking_params("1", 4),
    );
    registered_and_funded(&mut net, &owner, &funder, None);
    let before = net.chain.balance(&owner.address(), DENOM);
    let removed = net.free_ok(&owner, vec![remove_consumer(&owner, 0)]);
    let deleted = removed
        .events
        .iter()
        .find(|e| e.kind == "consumer_deleted")
        .expect("deleted");
    assert_eq!(attr(deleted, "refund"), format!("{DEPOSIT}{DENOM}"));
    assert_eq!(attr(deleted, "to_community_pool"), format!("6000{DENOM}"));
    assert_eq!(
        net.chain.balance(&owner.address(), DENOM),
        before + DEPOSIT,
        "the owner does not collect the pool others funded"
    );
}

#[test]
fn reward_rate_and_list_changes_after_launch_wait_one_unbonding_period() {
    let (owner, funder) = (Key::secp(133), Key::secp(134));
    let v: Vec<TestValidator> = (62..=63).map(TestValidator::new).collect();
    let mut net = Net::provider(
        &[(&v[0], 10_000_000), (&v[1], 10_000_000)],
        &[&owner, &funder],
        restaking_params("1", 4),
    );
    let spawn = net.chain.driver.height + 5;
    registered_and_funded(&mut net, &owner, &funder, Some(spawn));
    for validator in &v {
        net.operator_ok(validator, vec![opt_in(validator, 0, 10_000, None)]);
    }
    net.until(spawn);
    assert_eq!(net.consumer_validators(0).len(), 2);
    // The owner raises the rate and allows only v0: the pool would flow to its validator at once.
    let mut routed = consumer_params(1, 0, "0.05", 1_000);
    routed.allowlist = vec![valoper(&v[0])];
    let result = net.free_ok(
        &owner,
        vec![update_consumer(
            &owner,
            cpb::MsgUpdateConsumer {
                consumer_id: 0,
                params: Some(routed),
                ..Default::default()
            },
        )],
    );
    let updated_at = net.chain.driver.height;
    assert!(tx_attr(&result, "update_consumer", "infraction_params_effective").is_some());
    let consumer = net.consumer(0);
    let params = consumer.params.clone().expect("params");
    assert_eq!(
        params.reward_rate_per_block,
        vec![coin("400", DENOM)],
        "not yet"
    );
    assert!(params.allowlist.is_empty(), "not yet");
    let pending = consumer.pending_infraction_params.expect("pending");
    assert_eq!(
        pending.reward_rate.map(|r| r.reward_rate_per_block),
        Some(vec![coin("1000", DENOM)])
    );
    assert!(pending.lists);
    // Still both validators at the next epoch, still 400 a block.
    let epoch = net.next_epoch();
    assert_eq!(net.consumer_validators(0).len(), 2);
    let paid = events_of(&epoch, "consumer_rewards");
    assert_eq!(attr(paid[0], "amount"), format!("400{DENOM}"));

    // What waits survives a genesis export → import.
    let exported = net.chain.driver.app.export().expect("exports");
    let waiting = &exported["consumer"]["consumers"][0]["pending_infraction_params"];
    assert_eq!(waiting["allowlist"][0], valoper(&v[0]));
    assert_eq!(waiting["reward_rate_changed"], true);
    let again = Chain::from_genesis(&exported, true);
    let reexported = again.driver.app.export().expect("exports");
    // (The new chain's first block paid rewards: compare what does not move.)
    for field in ["params", "pending_infraction_params", "expire_time"] {
        assert_eq!(
            reexported["consumer"]["consumers"][0][field],
            exported["consumer"]["consumers"][0][field],
            "{field}"
        );
    }
    drop(again);

    let responses = net.until(updated_at + PROVIDER_UNBONDING);
    let applied = events_of(responses.last().expect("block"), "consumer_params_applied");
    assert_eq!(applied.len(), 1);
    assert_eq!(
        attr(applied[0], "reward_rate_per_block"),
        format!("1000{DENOM}")
    );
    let params = net.consumer(0).params.expect("params");
    assert_eq!(params.reward_rate_per_block, vec![coin("1000", DENOM)]);
    assert_eq!(params.allowlist, vec![valoper(&v[0])]);
    net.next_epoch();
    assert_eq!(
        net.consumer_validators(0),
        vec![(v[0].consensus_pubkey(), 10)]
    );
}

#[test]
fn a_stop_drops_the_changes_that_wait() {
    let (owner, funder) = (Key::secp(138), Key::secp(139));
    let v = TestValidator::new(66);
    let mut net = Net::provider(
        &[(&v, 10_000_000)],
        &[&owner, &funder],
        restaking_params("1", 4),
    );
    let spawn = net.chain.driver.height + 5;
    registered_and_funded(&mut net, &owner, &funder, Some(spawn));
    net.operator_ok(&v, vec![opt_in(&v, 0, 10_000, None)]);
    net.until(spawn);
    let mut denied = consumer_params(1, 0, "0.05", 400);
    denied.denylist = vec![valoper(&v)];
    net.free_ok(
        &owner,
        vec![update_consumer(
            &owner,
            cpb::MsgUpdateConsumer {
                consumer_id: 0,
                params: Some(denied),
                ..Default::default()
            },
        )],
    );
    assert!(net
        .consumer(0)
        .pending_infraction_params
        .is_some_and(|p| p.lists));
    // Stopped: nothing waits any more (the invariants, checked after every block, hold that
    // pending lists exist only with pending parameters naming them), and no epoch comes.
    net.free_ok(&owner, vec![remove_consumer(&owner, 0)]);
    let consumer = net.consumer(0);
    assert_eq!(consumer.phase, cpb::ConsumerPhase::Stopped as i32);
    assert!(consumer.pending_infraction_params.is_none());
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), None);
}

#[test]
fn a_spawn_time_moves_at_least_ten_minutes_ahead() {
    let owner = Key::secp(135);
    let v = TestValidator::new(64);
    let mut net = Net::provider(&[(&v, 10_000_000)], &[&owner], restaking_params("1", 4));
    net.free_ok(
        &owner,
        vec![register(
            &owner,
            "consumer-1",
            None,
            Some(consumer_params(1, 0, "0.05", 0)),
        )],
    );
    let move_to = |height: u64| {
        update_consumer(
            &owner,
            cpb::MsgUpdateConsumer {
                consumer_id: 0,
                spawn_time: Some(timestamp_of(height)),
                ..Default::default()
            },
        )
    };
    // The transaction lands in the next block (1 s per block).
    let next = net.chain.driver.height + 1;
    let lead = rampart_consumer::msgs::MIN_SPAWN_LEAD_SECONDS;
    let tx = net.chain.free_tx(&owner, vec![move_to(next + 1)], GAS);
    refused(&mut net, tx, "consumer", 2);
    let next = net.chain.driver.height + 1;
    let tx = net
        .chain
        .free_tx(&owner, vec![move_to(next + lead - 1)], GAS);
    refused(&mut net, tx, "consumer", 2);
    let next = net.chain.driver.height + 1;
    net.free_ok(&owner, vec![move_to(next + lead)]);
    assert_eq!(net.consumer(0).spawn_time, Some(timestamp_of(next + lead)));
}

#[test]
fn a_registration_that_never_launches_expires_and_forfeits_part_of_its_deposit() {
    let (owner, funder) = (Key::secp(136), Key::secp(137));
    let v = TestValidator::new(65);
    let mut app_state = provider_genesis(
        &[(&v, 10_000_000)],
        &[&owner, &funder],
        restaking_params("1", 4),
    );
    app_state["consumer"]["params"]["registration_expiry_seconds"] = "30".into();
    app_state["consumer"]["params"]["expired_deposit_forfeit"] = "0.25".into();
    let mut net = Net::new(Chain::from_genesis(&app_state, true));
    registered_and_funded(&mut net, &owner, &funder, None);
    let registered_at = net.chain.driver.height - 2;
    let expire = net.consumer(0).expire_time.expect("an expiry");
    assert_eq!(expire, timestamp_of(registered_at + 30));
    let before = net.chain.balance(&owner.address(), DENOM);
    let responses = net.until(registered_at + 30);
    let last = responses.last().expect("blocks");
    let expired = events_of(last, "consumer_expired");
    assert_eq!(expired.len(), 1);
    let deleted = events_of(last, "consumer_deleted");
    let forfeited = DEPOSIT / 4;
    assert_eq!(
        attr(deleted[0], "refund"),
        format!("{}{DENOM}", DEPOSIT - forfeited)
    );
    assert_eq!(
        attr(deleted[0], "to_community_pool"),
        format!("{}{DENOM}", forfeited + 6_000)
    );
    assert_eq!(
        net.chain.balance(&owner.address(), DENOM),
        before + DEPOSIT - forfeited
    );
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Deleted as i32);
}

/// A genesis consumer section with one registered consumer owned by `owner`, whose deposit
/// (1,000 uramp) the module account must hold.
fn one_owned_by(owner: &Address) -> cpb::GenesisState {
    let profile = ChainProfile::rampart();
    cpb::GenesisState {
        params: Some(cpb::GenesisParams {
            max_consumer_slash_fraction: "0.1".into(),
            ..Default::default()
        }),
        next_consumer_id: 1,
        consumers: vec![cpb::GenesisConsumer {
            consumer_id: 0,
            chain_id: "owned-1".into(),
            owner: profile.to_account(owner),
            name: "owned".into(),
            phase: "registered".into(),
            params: Some(cpb::GenesisConsumerParams {
                min_validators: 1,
                max_validators: 10,
                unbonding_period_seconds: 100,
                double_sign: Some(infraction("0", 10, false)),
                downtime: Some(infraction("0", 10, false)),
                ..Default::default()
            }),
            deposit: vec![rampart_proto::rampart::base::v1::Coin {
                denom: DENOM.into(),
                amount: "1000".into(),
            }],
            ..Default::default()
        }],
    }
}

fn genesis_context() -> GenesisContext {
    GenesisContext {
        chain_id: "rampart-test".into(),
        profile: ChainProfile::rampart(),
        initial_height: 1,
        genesis_time: BlockTime {
            seconds: 1_800_000_000,
            nanos: 0,
        },
        validators: Vec::new(),
    }
}

/// A state whose consumer module account holds 1,000 uramp.
fn funded_state() -> Overlay<EmptyState> {
    let mut state = Overlay::new(EmptyState);
    state
        .mint(
            &rampart_consumer::module_address(),
            &[rampart_bank::Coin {
                denom: DENOM.into(),
                amount: rampart_core::Amount(1_000),
            }],
            &mut Events::new(),
        )
        .expect("mints");
    state
}

#[test]
fn genesis_refuses_a_module_account_as_owner() {
    use rampart_auth::AuthWrite;
    let mut state = funded_state();
    state
        .claim_module_account("distribution", &[])
        .expect("claims");
    let owner = Address::module("distribution");
    let refused =
        rampart_consumer::genesis::import(&mut state, &genesis_context(), &one_owned_by(&owner))
            .expect_err("a module account owns no consumer");
    assert!(refused.log.contains("module account"), "{}", refused.log);
}

#[test]
fn the_deletion_refund_never_reaches_a_module_account() {
    use rampart_auth::{AuthRead, AuthWrite};
    use rampart_consumer::{msgs, ConsumerMsg, NoHooks};
    let mut state = funded_state();
    // An address that is no module account at genesis, and becomes one later.
    let owner = Address::module("later");
    rampart_consumer::genesis::import(&mut state, &genesis_context(), &one_owned_by(&owner))
        .expect("imports");
    state.claim_module_account("later", &[]).expect("claims");
    assert!(state
        .account(&owner)
        .expect("reads")
        .is_some_and(|a| a.module.is_some()));
    let block = BlockContext::bare(
        "rampart-test".into(),
        ChainProfile::rampart(),
        2,
        BlockTime {
            seconds: 1_800_000_001,
            nanos: 0,
        },
    );
    let ctx = MsgContext {
        block: &block,
        tx_hash: [0; 32],
        msg_index: 0,
        mode: ExecMode::Deliver,
    };
    let remove = ConsumerMsg::Remove(cpb::MsgRemoveConsumer {
        owner: ChainProfile::rampart().to_account(&owner),
        consumer_id: 0,
    });
    let mut events = Events::new();
    let state: &mut dyn StateWrite = &mut state;
    let removed = msgs::execute(state, &NoHooks, &ctx, &remove, &mut events);
    // Either refused, or the refund went elsewhere: never to the module account.
    let owner_balance = rampart_bank::BankRead::balance(&state, &owner, DENOM).expect("reads");
    assert_eq!(owner_balance, rampart_core::Amount::ZERO, "{removed:?}");
}
