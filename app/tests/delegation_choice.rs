//! Delegators choose the consumers their stake backs (issue 17): a delegation that opts out of
//! consumer 0 leaves its validator's pledge to 0 at the next epoch, earns none of 0's rewards
//! and loses nothing to 0's slash, while the rest of the validator's stake pays exactly the
//! slash; a delegation that stops backing 0 after an infraction still pays its share of it;
//! malformed or impossible choices are refused with stable codes and change nothing. Driven like
//! CometBFT, with real signatures and consumer headers.

mod restaking_support;

use cosmos_sdk_proto::cosmos::distribution::v1beta1::{
    QueryDelegationRewardsRequest, QueryDelegationRewardsResponse,
};
use cosmos_sdk_proto::cosmos::staking::v1beta1::{QueryDelegationRequest, QueryDelegationResponse};
use ed25519_consensus::SigningKey;
use rampart_ccv::testing::{keys, public};
use rampart_core::state::Overlay;
use rampart_core::{ChainProfile, Counting, Events};
use rampart_proto::rampart::restaking::v1 as rpb;
use rampart_testkit::events::*;
use rampart_testkit::msgs::{delegate, msg_send, undelegate, uramp, CreateValidator};
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;
use tendermint_proto::types::Vote;

/// Consumer 0's reward per block (uramp), shared by the stake backing it after commission.
const REWARD: u128 = 1_000;

/// A provider with validator `v` (10 M self-bond) and delegators `a`, `b` (10 M each), and two
/// consumers launched with `v`'s whole stake pledged and a 10 % double-sign fraction: 0 (paying
/// `reward` per block) and 1.
struct Scenario {
    net: Net,
    v: TestValidator,
    k: Vec<SigningKey>,
    a: Key,
    b: Key,
    reporter: Key,
}

impl Scenario {
    fn launch(reward: u128) -> Self {
        let (owner, a, b, reporter) = (Key::secp(81), Key::secp(82), Key::secp(83), Key::secp(84));
        let v = TestValidator::new(85);
        let mut net = Net::provider(
            &[(&v, 10_000_000)],
            &[&owner, &a, &b, &reporter],
            restaking_params("1", 4),
        );
        let k = keys(86, 2);
        let spawn = net.chain.driver.height + 4;
        net.free_ok(
            &owner,
            vec![
                register(
                    &owner,
                    "pay-1",
                    Some(spawn),
                    Some(consumer_params(1, 0, "0.1", reward)),
                ),
                fund_rewards(&owner, 0, 10_000_000, DENOM),
                register(
                    &owner,
                    "other-1",
                    Some(spawn),
                    Some(consumer_params(1, 0, "0.1", 0)),
                ),
            ],
        );
        net.operator_ok(
            &v,
            vec![
                opt_in(&v, 0, 10_000, Some(&k[0])),
                opt_in(&v, 1, 10_000, Some(&k[1])),
            ],
        );
        net.free_ok(&a, vec![delegate(&a, &v, 10_000_000)]);
        net.free_ok(&b, vec![delegate(&b, &v, 10_000_000)]);
        net.until(spawn);
        assert_eq!(net.consumer_validators(0), vec![(public(&k[0]), 30)]);
        Self {
            net,
            v,
            k,
            a,
            b,
            reporter,
        }
    }

    fn choice(&self, who: &Key) -> rpb::QueryDelegationConsumersResponse {
        self.net.chain.query(
            "/rampart.restaking.v1.Query/DelegationConsumers",
            &rpb::QueryDelegationConsumersRequest {
                delegator: who.address().to_string(),
                validator: valoper(&self.v),
            },
        )
    }

    fn backing(&self, id: u64) -> rpb::QueryConsumerBackingResponse {
        self.net.chain.query(
            "/rampart.restaking.v1.Query/ConsumerBacking",
            &rpb::QueryConsumerBackingRequest {
                validator: valoper(&self.v),
                consumer_id: id,
            },
        )
    }

    /// What a wallet sees: the delegation's balance from `cosmos.staking` `Delegation`.
    fn balance(&self, who: &str) -> u128 {
        let r: QueryDelegationResponse = self.net.chain.query(
            "/cosmos.staking.v1beta1.Query/Delegation",
            &QueryDelegationRequest {
                delegator_addr: who.to_owned(),
                validator_addr: valoper(&self.v),
            },
        );
        let balance = r
            .delegation_response
            .and_then(|d| d.balance)
            .expect("balance");
        balance.amount.parse().expect("integer")
    }

    /// Whole uramp of `who`'s pending rewards from `v`.
    fn rewards(&self, who: &str) -> u128 {
        let r: QueryDelegationRewardsResponse = self.net.chain.query(
            "/cosmos.distribution.v1beta1.Query/DelegationRewards",
            &QueryDelegationRewardsRequest {
                delegator_address: who.to_owned(),
                validator_address: valoper(&self.v),
            },
        );
        r.rewards.iter().find(|c| c.denom == DENOM).map_or(0, |c| {
            c.amount[..c.amount.len() - 18].parse().expect("integer")
        })
    }

    /// `who` backs every consumer but 0, from the next epoch (applied here).
    fn opt_out_of_0(&mut self, who: &Key) {
        self.choose(&[(who, rpb::BackingMode::Except, &[0])]);
        let now = self.choice(who);
        assert_eq!((now.pending, now.backed_consumer_ids), (None, vec![1]));
    }

    /// Each `(delegator, mode, ids)` chooses another mode than its current one, in one block off
    /// an epoch; the choices are pending until the next epoch, which applies them (run here).
    fn choose(&mut self, choices: &[(&Key, rpb::BackingMode, &[u64])]) {
        self.net.off_epoch();
        let txs = choices
            .iter()
            .map(|(who, mode, ids)| {
                let msg = set_delegation_consumers(*who, &self.v, *mode, ids);
                self.net.chain.free_tx(who, vec![msg], GAS)
            })
            .collect();
        for result in self.net.block(txs).tx_results {
            assert_ok(&result);
        }
        for (who, mode, ids) in choices {
            let pending = self.choice(who);
            assert_ne!(pending.current.expect("current").mode, *mode as i32);
            let waiting = pending.pending.expect("pending");
            assert_eq!(
                (waiting.mode, waiting.consumer_ids),
                (*mode as i32, ids.to_vec())
            );
            assert_eq!(pending.pending_height % EPOCH, 0);
        }
        let applied = self.net.next_epoch();
        assert_eq!(
            events_of(&applied, "delegation_consumers_applied").len(),
            choices.len()
        );
        for (who, mode, _) in choices {
            assert_eq!(
                self.choice(who).current.expect("current").mode,
                *mode as i32
            );
        }
    }

    /// Evidence of `k[0]` double-signing at consumer height 60, in the header signed by the set
    /// sent after `vsc_id`.
    fn double_vote_in(&mut self, vsc_id: u64) -> Vec<u8> {
        let time = self.net.next_block_time(0);
        let spec = self.net.set_header(0, vsc_id, 60, time);
        let claimed = timestamp_of(self.net.chain.driver.height);
        let votes: [Vote; 2] = [
            signed_vote(&self.k[0], "pay-1", 60, 0xaa, claimed),
            signed_vote(&self.k[0], "pay-1", 60, 0xbb, claimed),
        ];
        let [x, y] = votes;
        let msg = double_vote(&self.reporter, 0, x, y, &spec);
        self.net.chain.free_tx(&self.reporter, vec![msg], GAS)
    }
}

#[test]
fn a_delegator_that_opts_out_of_a_consumer_is_untouched_by_its_slash_and_earns_none_of_its_rewards()
{
    let mut s = Scenario::launch(REWARD);
    let (a, b, op) = (
        s.a.address().to_string(),
        s.b.address().to_string(),
        s.v.operator().to_string(),
    );
    // b leaves consumer 0; a backs only consumer 0 (its own class, with its own reward index).
    let (ka, kb) = (s.a.clone(), s.b.clone());
    s.choose(&[
        (&kb, rpb::BackingMode::Except, &[0]),
        (&ka, rpb::BackingMode::Only, &[0]),
    ]);
    assert_eq!(s.choice(&kb).backed_consumer_ids, vec![1]);
    assert_eq!(s.choice(&ka).backed_consumer_ids, vec![0]);

    // The pledge to 0 counts only the 20 M backing it; consumer 1 counts the 20 M of v and b.
    let backing = s.backing(0);
    assert_eq!(
        (
            backing.validator_tokens.as_str(),
            backing.backing_tokens.as_str()
        ),
        ("30000000", "20000000")
    );
    assert_eq!(s.backing(1).backing_tokens, "20000000");
    assert_eq!(s.net.consumer_validators(0), vec![(public(&s.k[0]), 20)]);
    assert_eq!(s.net.consumer_validators(1), vec![(public(&s.k[1]), 20)]);
    let report = s.net.security_report(0);
    assert_eq!(report.total_pledged_tokens, "20000000");

    // Rewards from 0 reach the backers only: 90 % of 1,000 a block over 20 M shares.
    let before = (s.rewards(&a), s.rewards(&b), s.rewards(&op));
    assert_eq!(before.1, 0, "the move settled b's earlier rewards");
    for _ in 0..4 {
        s.net.block(vec![]);
    }
    let after = (s.rewards(&a), s.rewards(&b), s.rewards(&op));
    assert_eq!(after.0 - before.0, 4 * 450);
    assert_eq!(after.2 - before.2, 4 * 450);
    assert_eq!(after.1, 0, "b earns none of consumer 0's rewards");

    // A double vote on 0 in the set that counted 20 M burns 10 % of it: 2 M, from the backers.
    let vsc = s.net.last_sent(0);
    assert_eq!(s.net.recorded_set(0, vsc)[0].validator_power, 20);
    let supply = s.net.chain.supply(DENOM).0;
    let tx = s.double_vote_in(vsc);
    let result = s.net.deliver_ok(tx);
    assert_eq!(
        tx_attr(&result, "consumer_slash", "burned").as_deref(),
        Some("2000000uramp")
    );
    assert_eq!(s.net.chain.supply(DENOM).0, supply - 2_000_000);
    assert_eq!(
        s.balance(&b),
        10_000_000,
        "b is untouched by consumer 0's slash"
    );
    // The backers pay 1 M each, the rebase's rounding (at most a uramp) on their side.
    for backer in [&a, &op] {
        assert!((8_999_999..=9_000_000).contains(&s.balance(backer)));
    }
    assert_eq!(s.net.tokens(&s.v), 28_000_000);
    // 28 M less b's 10 M, the excluded part rounded up (backing is never overstated).
    let backing: u128 = s.backing(0).backing_tokens.parse().expect("integer");
    assert!((17_999_999..=18_000_000).contains(&backing), "{backing}");

    // Back to all at the next epoch: b backs 0 again, at the value it kept.
    s.choose(&[(&kb, rpb::BackingMode::All, &[])]);
    assert_eq!(s.balance(&b), 10_000_000);
    let backing = s.backing(0);
    assert_eq!(
        backing.backing_tokens, backing.validator_tokens,
        "all of it backs 0 again"
    );
    // Genesis export → import keeps both classes (b's emptied, a's) and a's reward index; b's
    // class never had one: the only rewards came from consumer 0, which it did not back.
    let exported = s.net.chain.driver.app.export().expect("exports");
    assert_eq!(
        exported["staking"]["backing_classes"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let indexes = &exported["distribution"]["validators"][0]["class_indexes"];
    assert_eq!(indexes.as_array().map(Vec::len), Some(1), "{indexes}");
    let again = Chain::from_genesis(&exported, true);
    let reexported = again.driver.app.export().expect("exports");
    for section in ["staking", "distribution", "restaking"] {
        assert_eq!(reexported[section], exported[section], "{section}");
    }
}

#[test]
fn stake_that_stops_backing_a_consumer_after_an_infraction_still_pays_for_it() {
    let mut s = Scenario::launch(0);
    let a = s.a.address().to_string();
    let op = s.v.operator().to_string();
    // The launch set (vsc 0) counted all 30 M; b leaves consumer 0 afterwards.
    let launch = s.net.recorded_set(0, 0)[0];
    assert_eq!(launch.validator_power, 30);
    s.opt_out_of_0(&s.b.clone());
    let b = s.b.address().to_string();
    assert_eq!(s.net.consumer_validators(0), vec![(public(&s.k[0]), 20)]);

    // Genesis export → import keeps the classes, choices, class reward indexes, the moved stake
    // and a pending choice.
    s.net.off_epoch();
    let later = set_delegation_consumers(&s.a, &s.v, rpb::BackingMode::Only, &[1]);
    s.net.free_ok(&s.a.clone(), vec![later]);
    let exported = s.net.chain.driver.app.export().expect("exports");
    assert_eq!(
        exported["staking"]["backing_classes"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        exported["restaking"]["moved_stake"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        exported["restaking"]["pending_choices"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let again = Chain::from_genesis(&exported, true);
    let reexported = again.driver.app.export().expect("exports");
    for section in ["staking", "distribution", "restaking"] {
        assert_eq!(reexported[section], exported[section], "{section}");
    }

    // A double vote signed in the launch set: 10 % of the 30 M it counted, 3 M. b's 10 M moved
    // after the infraction and pays 10 % of it; the 2 M left come from the 20 M still backing.
    let tx = s.double_vote_in(0);
    let result = s.net.deliver_ok(tx);
    assert_eq!(
        tx_attr(&result, "consumer_slash", "burned").as_deref(),
        Some("3000000uramp")
    );
    assert_eq!(s.balance(&b), 9_000_000);
    assert_eq!(s.balance(&a), 9_000_000);
    assert_eq!(s.balance(&op), 9_000_000);
}

#[test]
fn unbonding_stake_of_a_delegator_that_stopped_backing_a_consumer_still_pays_for_it() {
    let mut s = Scenario::launch(0);
    let (a, b, op) = (
        s.a.address().to_string(),
        s.b.address().to_string(),
        s.v.operator().to_string(),
    );
    // After the launch set counted all 30 M, b unbonds 4 M, then leaves consumer 0.
    s.net.off_epoch();
    s.net
        .free_ok(&s.b.clone(), vec![undelegate(&s.b, &s.v, 4_000_000)]);
    s.opt_out_of_0(&s.b.clone());
    // A double vote in the launch set burns 3 M: b's entry loses 10 % of its 4 M, its moved
    // 6 M 10 % of that, the 20 M still backing the 2 M left.
    let tx = s.double_vote_in(0);
    let result = s.net.deliver_ok(tx);
    assert_eq!(
        tx_attr(&result, "consumer_slash", "burned").as_deref(),
        Some("3000000uramp")
    );
    let entries = s.net.unbonding_entries(&s.v);
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].0.as_str(), entries[0].1.balance.as_str()),
        (b.as_str(), "3600000")
    );
    assert_eq!(s.balance(&b), 5_400_000);
    for backer in [&a, &op] {
        assert!((8_999_999..=9_000_000).contains(&s.balance(backer)));
    }
}

#[test]
fn stake_that_leaves_a_consumer_and_comes_back_pays_once() {
    let mut s = Scenario::launch(0);
    let (b, op) = (s.b.address().to_string(), s.v.operator().to_string());
    let (ka, kb) = (s.a.clone(), s.b.clone());
    // After the launch set counted all 30 M, b leaves consumer 0 and comes back; a adds 1 M
    // meanwhile, so the set counted on b's return (31 M) is not the launch set.
    s.opt_out_of_0(&kb);
    s.net.free_ok(&ka, vec![delegate(&ka, &s.v, 1_000_000)]);
    s.choose(&[(&kb, rpb::BackingMode::All, &[])]);
    assert_eq!(s.net.consumer_validators(0), vec![(public(&s.k[0]), 31)]);
    // A double vote in the launch set burns 10 % of its 30 M; b, backing again, pays like the
    // self-bond (the same 10 M) and not once more for its move.
    let tx = s.double_vote_in(0);
    let result = s.net.deliver_ok(tx);
    assert_eq!(
        tx_attr(&result, "consumer_slash", "burned").as_deref(),
        Some("3000000uramp")
    );
    let (paid_b, paid_v) = (10_000_000 - s.balance(&b), 10_000_000 - s.balance(&op));
    assert!(
        paid_b.abs_diff(paid_v) <= 1,
        "b paid {paid_b}, the self-bond {paid_v}"
    );
    assert!(paid_b < 1_000_000, "{paid_b}: 3 M spread over 31 M");
}

#[test]
fn a_pending_choice_is_forgotten_with_its_validator() {
    let mut s = Scenario::launch(0);
    let w = TestValidator::new(95);
    let d = s.b.clone();
    let funds = msg_send(&s.a, w.operator(), vec![uramp(10_000_000)]);
    s.net.free_ok(&s.a.clone(), vec![funds]);
    let create = |w: &TestValidator| {
        CreateValidator::new("w", w.operator(), w.consensus_pubkey(), 500_000).to_any()
    };
    s.net.operator_ok(&w, vec![create(&w)]);
    s.net.free_ok(&d, vec![delegate(&d, w.operator(), 400_000)]);
    // d chooses at w right after an epoch; before the next one w is removed and re-created.
    let next = (s.net.chain.driver.height / EPOCH + 1) * EPOCH;
    s.net.until(next);
    let choose = set_delegation_consumers(&d, w.operator(), rpb::BackingMode::Only, &[]);
    s.net.free_ok(&d, vec![choose]);
    let leave = [
        s.net
            .chain
            .free_tx(&d, vec![undelegate(&d, w.operator(), 400_000)], GAS),
        s.net.chain.operator_tx(
            &w,
            vec![undelegate(w.operator(), w.operator(), 500_000)],
            GAS,
        ),
    ];
    for result in s.net.block(leave.to_vec()).tx_results {
        assert_ok(&result);
    }
    let gone: Option<cosmos_sdk_proto::cosmos::staking::v1beta1::Validator> =
        rampart_staking::StakingRead::validator(&s.net.chain.storage.snapshot(), &w.operator())
            .expect("reads")
            .map(|v| v.to_proto());
    assert_eq!(gone, None, "w was removed");
    let pending = |s: &Scenario| {
        s.net.chain.query::<rpb::QueryDelegationConsumersResponse>(
            "/rampart.restaking.v1.Query/DelegationConsumers",
            &rpb::QueryDelegationConsumersRequest {
                delegator: d.address().to_string(),
                validator: valoper(w.operator()),
            },
        )
    };
    assert_eq!(pending(&s).pending, None, "forgotten with w");
    s.net.operator_ok(&w, vec![create(&w)]);
    s.net.free_ok(&d, vec![delegate(&d, w.operator(), 400_000)]);
    let epoch = s.net.next_epoch();
    assert!(events_of(&epoch, "delegation_consumers_applied").is_empty());
    let now = pending(&s);
    assert_eq!(
        now.current.expect("current").mode,
        rpb::BackingMode::All as i32
    );
}

/// Reads of one block's consumer rewards (`pay_all`) over the committed state.
fn reward_reads(net: &Net) -> usize {
    let snapshot = net.chain.storage.snapshot();
    let counting = Counting::new(&snapshot);
    let mut overlay = Overlay::new(&counting);
    let profile = ChainProfile::rampart();
    rampart_consumer::rewards::pay_all(&mut overlay, &profile, &mut Events::new()).expect("pays");
    counting.count().reads()
}

#[test]
fn a_consumer_reward_reads_the_same_with_one_or_thirty_delegators_in_a_class() {
    let mut s = Scenario::launch(REWARD);
    s.opt_out_of_0(&s.b.clone());
    let one = reward_reads(&s.net);
    // Thirty more delegators make the same choice: one class, thirty-one members.
    let others: Vec<Key> = (0..30).map(|i| Key::secp(100 + i)).collect();
    let funding = others
        .iter()
        .map(|k| msg_send(&s.a, k, vec![uramp(2_000_000)]))
        .collect();
    s.net.free_ok(&s.a.clone(), funding);
    let delegations = others
        .iter()
        .map(|k| {
            s.net
                .chain
                .free_tx(k, vec![delegate(k, &s.v, 1_000_000)], GAS)
        })
        .collect();
    for result in s.net.block(delegations).tx_results {
        assert_ok(&result);
    }
    let choices: Vec<(&Key, rpb::BackingMode, &[u64])> = others
        .iter()
        .map(|k| (k, rpb::BackingMode::Except, &[0u64][..]))
        .collect();
    s.choose(&choices);
    let classes = s.net.chain.driver.app.export().expect("exports")["staking"]["backing_classes"]
        .as_array()
        .map(Vec::len);
    assert_eq!(classes, Some(1));
    assert_eq!(reward_reads(&s.net), one, "O(classes), not O(delegations)");
}

#[test]
fn impossible_choices_are_refused_with_stable_codes_and_change_nothing() {
    // No rewards: a paying consumer's pool changes every block.
    let mut s = Scenario::launch(0);
    let (v, b) = (s.v.operator(), s.b.clone());
    let stranger = Key::secp(90);
    s.net.free_ok(
        &s.a.clone(),
        vec![msg_send(&s.a, &stranger, vec![uramp(1_000_000)])],
    );
    let cases: Vec<(Key, rpb::BackingMode, Vec<u64>, &str, u32)> = vec![
        // No mode, consumers with ALL, a consumer named twice.
        (
            b.clone(),
            rpb::BackingMode::Unspecified,
            vec![],
            "restaking",
            22,
        ),
        (b.clone(), rpb::BackingMode::All, vec![0], "restaking", 22),
        (
            b.clone(),
            rpb::BackingMode::Only,
            vec![1, 1],
            "restaking",
            22,
        ),
        // A consumer that does not exist.
        (b.clone(), rpb::BackingMode::Except, vec![7], "consumer", 5),
        // The account has no delegation to the validator.
        (
            stranger.clone(),
            rpb::BackingMode::Except,
            vec![0],
            "staking",
            19,
        ),
    ];
    for (who, mode, ids, codespace, code) in cases {
        let tx = s.net.chain.free_tx(
            &who,
            vec![set_delegation_consumers(&who, v, mode, &ids)],
            GAS,
        );
        refused(&mut s.net, tx, codespace, code);
    }
    // A consumer the validator never pledged to.
    let owner = Key::secp(81);
    s.net.free_ok(
        &owner,
        vec![register(
            &owner,
            "third-1",
            None,
            Some(consumer_params(1, 0, "0.1", 0)),
        )],
    );
    let tx = s.net.chain.free_tx(
        &b,
        vec![set_delegation_consumers(
            &b,
            v,
            rpb::BackingMode::Only,
            &[2],
        )],
        GAS,
    );
    refused(&mut s.net, tx, "restaking", 23);
    // Signed by someone other than the delegator.
    let tx = s.net.chain.free_tx(
        &stranger,
        vec![set_delegation_consumers(
            &b,
            v,
            rpb::BackingMode::Except,
            &[0],
        )],
        GAS,
    );
    let result = s.net.deliver(tx);
    assert_ne!(result.code.value(), 0, "{}", result.log);
    assert_eq!(s.choice(&b).pending, None);
}
