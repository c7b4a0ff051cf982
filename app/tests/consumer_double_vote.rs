//! Consumer double votes placed by verified data (issue 12): the consumer header at the votes'
//! height, signed by a set the provider sent, gives the infraction its time and the set whose
//! counted stake pays — never the votes' own timestamps. Driven like CometBFT with real ed25519
//! signatures: a backdated double vote is slashed by exactly its fraction of the pledge counted
//! in the set; stake that left before that set was counted is never cut, and what is cut from
//! later unbonding entries is capped at the slash amount; headers outside the consumer's
//! lifetime, older than its unbonding period, of another height, chain or set, with a forged
//! commit or from the future are refused with stable codes and change nothing; and each set's
//! counted stake pays once per validator.

mod restaking_support;

use cosmos_sdk_proto::cosmos::staking::v1beta1::UnbondingDelegationEntry;
use ed25519_consensus::SigningKey;
use prost::Message;
use rampart_ccv::testing::{key, keys, member, public};
use rampart_consumer::ConsumerValidator;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_proto::rampart::restaking::v1 as rpb;
use rampart_testkit::events::*;
use rampart_testkit::light_block::HeaderSpec;
use rampart_testkit::msgs::{delegate, undelegate};
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;
use tendermint::abci::types::ExecTxResult;
use tendermint_proto::google::protobuf::Timestamp;
use tendermint_proto::types::{SignedHeader, Vote};

/// The consumer's chain id.
const CHAIN: &str = "dv-1";

/// The consumer's double-sign slash fraction…
const FRACTION: &str = "0.1";
/// … as numerator and denominator.
const FRACTION_RATIO: (u128, u128) = (1, 10);

/// A provider with three validators (20 M, 30 M, 10 M) and consumer 0 ([`CHAIN`]) launched with
/// the first two: validator 0 pledges 50 % with consumer key `k[0]` (power 10), validator 1
/// 100 % with `k[1]` (power 30); validator 2 holds `k[2]` for later.
struct Scenario {
    net: Net,
    v: Vec<TestValidator>,
    k: Vec<SigningKey>,
    owner: Key,
    delegator: Key,
    reporter: Key,
    /// The launch height.
    spawn: u64,
}

impl Scenario {
    /// Launches consumer 0 with double-sign parameters `double_sign`.
    fn launch(double_sign: cpb::InfractionParams) -> Self {
        let (owner, delegator, reporter) = (Key::secp(61), Key::secp(62), Key::secp(63));
        let v: Vec<TestValidator> = (64..=66).map(TestValidator::new).collect();
        let mut net = Net::provider(
            &[
                (&v[0], 20_000_000),
                (&v[1], 30_000_000),
                (&v[2], 10_000_000),
            ],
            &[&owner, &delegator, &reporter],
            restaking_params("1", 4),
        );
        let k = keys(71, 3);
        let spawn = net.chain.driver.height + 4;
        let mut params = consumer_params(1, 0, FRACTION, 0);
        params.double_sign = Some(double_sign);
        net.free_ok(
            &owner,
            vec![register(&owner, CHAIN, Some(spawn), Some(params))],
        );
        net.operator_ok(&v[0], vec![opt_in(&v[0], 0, 5_000, Some(&k[0]))]);
        net.operator_ok(&v[1], vec![opt_in(&v[1], 0, 10_000, Some(&k[1]))]);
        net.until(spawn);
        assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
        assert_eq!(
            sorted(net.consumer_validators(0)),
            sorted(vec![(public(&k[0]), 10), (public(&k[1]), 30)])
        );
        Self {
            net,
            v,
            k,
            owner,
            delegator,
            reporter,
            spawn,
        }
    }

    /// The reporter's transaction submitting `votes` with the header of `spec`.
    fn evidence(&self, votes: [Vote; 2], spec: &HeaderSpec) -> Vec<u8> {
        let [a, b] = votes;
        let msg = double_vote(&self.reporter, 0, a, b, spec);
        self.net.chain.free_tx(&self.reporter, vec![msg], GAS)
    }

    /// The reporter's transaction submitting `votes` with `header` carried as signed by the set
    /// of `spec`.
    fn evidence_with(&self, votes: [Vote; 2], header: SignedHeader, spec: &HeaderSpec) -> Vec<u8> {
        let msg = double_vote_with(
            &self.reporter,
            0,
            votes,
            Some(header),
            Some(spec.validator_set()),
        );
        self.net.chain.free_tx(&self.reporter, vec![msg], GAS)
    }

    /// The provider's books a double vote can change.
    fn books(&self) -> Books {
        Books {
            tokens: self.v.iter().map(|v| self.net.tokens(v)).collect(),
            entries: self
                .v
                .iter()
                .map(|v| self.net.unbonding_entries(v))
                .collect(),
            supply: self.net.chain.supply(DENOM).0,
        }
    }

    /// Asserts that `tx` is refused with `(codespace, code)` and changes nothing: neither the
    /// consumer and restaking state (no evidence recorded, nobody jailed on the consumer) nor
    /// the provider's books.
    fn refuse(&mut self, tx: Vec<u8>, codespace: &str, code: u32) {
        self.net.off_epoch();
        let before = self.books();
        refused(&mut self.net, tx, codespace, code);
        assert_eq!(self.books(), before, "the books are unchanged");
    }

    /// The provider time now, as the votes' (ignored) timestamps.
    fn now(&self) -> Timestamp {
        timestamp_of(self.net.chain.driver.height)
    }
}

/// What a double vote can change on the provider: every validator's tokens and unbonding
/// entries (delegator, entry), and the supply.
#[derive(Debug, PartialEq)]
struct Books {
    tokens: Vec<u128>,
    entries: Vec<Vec<(String, UnbondingDelegationEntry)>>,
    supply: u128,
}

/// Precommits of `key` for two different blocks at consumer `height` of [`CHAIN`], both
/// claiming the time `claimed`.
fn votes(key: &SigningKey, height: i64, claimed: Timestamp) -> [Vote; 2] {
    [
        signed_vote(key, CHAIN, height, 0xaa, claimed),
        signed_vote(key, CHAIN, height, 0xbb, claimed),
    ]
}

/// `spec` signed ([`sign_header`]) with the commit signature of `signer` made bad.
fn forge(spec: &HeaderSpec, signer: &SigningKey) -> SignedHeader {
    let mut header = sign_header(spec);
    let address = consensus_address(&public(signer));
    let commit = header.commit.as_mut().expect("commit");
    for signature in &mut commit.signatures {
        if signature.validator_address == address {
            signature.signature[0] ^= 1;
        }
    }
    header
}

/// What a double vote of `member` burns — its whole provider power counted in the set × 10^6 ×
/// [`FRACTION`] × its pledge, floored (in integers, independently of the handler's decimals) —
/// and the bound that stays within: [`FRACTION`] of its pledged tokens.
fn slash_amount(member: &ConsumerValidator) -> (u128, u128) {
    let (num, den) = FRACTION_RATIO;
    let amount =
        u128::from(member.validator_power) * 1_000_000 * num * u128::from(member.pledge_bps)
            / (den * 10_000);
    let bound = member.pledged_tokens.0 * num / den;
    assert!(amount <= bound, "{amount} above {bound}");
    (amount, bound)
}

/// The response of a successful submission.
fn response(result: &ExecTxResult) -> rpb::MsgSubmitConsumerDoubleVoteResponse {
    let data =
        cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData::decode(result.data.as_ref())
            .expect("tx data");
    rpb::MsgSubmitConsumerDoubleVoteResponse::decode(data.msg_responses[0].value.as_slice())
        .expect("response")
}

/// The `consumer_slash` attribute `key` of `result`.
fn slash_attr(result: &ExecTxResult, key: &str) -> String {
    tx_attr(result, "consumer_slash", key).expect("a consumer_slash event")
}

#[test]
fn a_backdated_double_vote_is_slashed_by_the_time_and_stake_of_its_verified_header() {
    let mut s = Scenario::launch(infraction(FRACTION, 20, true));
    let counted = s.net.recorded_member(0, 0, &public(&s.k[0]));
    assert_eq!(
        (
            counted.validator_power,
            counted.pledge_bps,
            counted.provider_height
        ),
        (20, 5_000, s.spawn)
    );
    let (amount, bound) = slash_amount(&counted);
    // 20 M × 10 % × 50 %, exactly 10 % of the 10 M pledged.
    assert_eq!((amount, bound), (1_000_000, 1_000_000));

    // The votes claim to be three years old; the header of their height, signed by the set in
    // force, says they are from now. Only the header counts.
    let long_ago = Timestamp {
        seconds: GENESIS_UNIX - 3 * 365 * 86_400,
        nanos: 0,
    };
    let time = s.net.next_block_time(0);
    let header = s.net.consumer_header(0, 40, time);
    let before = s.books();
    let tx = s.evidence(votes(&s.k[0], 40, long_ago), &header);
    let result = s.net.deliver_ok(tx);
    assert_eq!(
        response(&result),
        rpb::MsgSubmitConsumerDoubleVoteResponse {
            validator: valoper(&s.v[0]),
            burned: amount.to_string(),
        }
    );
    assert_eq!(slash_attr(&result, "burned"), format!("{amount}uramp"));
    assert_eq!(slash_attr(&result, "vsc_id"), "0");
    assert_eq!(slash_attr(&result, "provider_height"), s.spawn.to_string());
    assert_eq!(slash_attr(&result, "infraction_time"), time.to_rfc3339());
    assert_eq!(slash_attr(&result, "infraction_height"), "40");
    assert_eq!(slash_attr(&result, "pledge_bps"), "5000");
    let after = s.books();
    assert_eq!(
        after.tokens,
        [
            before.tokens[0] - amount,
            before.tokens[1],
            before.tokens[2]
        ]
    );
    assert_eq!(after.supply, before.supply - amount, "burned");
    assert_eq!(after.entries, before.entries);
}

#[test]
fn stake_that_left_before_the_set_was_counted_is_never_cut_and_later_entries_are() {
    let mut s = Scenario::launch(infraction(FRACTION, 20, true));
    // 10 M arrives; 4 M of it leaves (entry A) in the epoch block itself, which counts validator
    // 0's stake at its end, after its transactions: 26 M (power 13 on the consumer, packet 1).
    s.net.off_epoch();
    s.net.free_ok(
        &s.delegator,
        vec![delegate(&s.delegator, &s.v[0], 10_000_000)],
    );
    let counted_at = (s.net.chain.driver.height / EPOCH + 1) * EPOCH;
    s.net.until(counted_at - 1);
    let leave = undelegate(&s.delegator, &s.v[0], 4_000_000);
    let tx = s.net.chain.free_tx(&s.delegator, vec![leave], GAS);
    let epoch = s.net.block(vec![tx]);
    assert_ok(&epoch.tx_results[0]);
    assert_eq!(Net::packet_event(&epoch, 0), Some(1));
    let counted = s.net.recorded_member(0, 1, &public(&s.k[0]));
    assert_eq!(
        (
            counted.validator_power,
            counted.power,
            counted.provider_height
        ),
        (26, 13, counted_at)
    );
    // 6 M more leaves after the counting (entry B).
    s.net.free_ok(
        &s.delegator,
        vec![undelegate(&s.delegator, &s.v[0], 6_000_000)],
    );
    let entries = s.net.unbonding_entries(&s.v[0]);
    let heights: Vec<i64> = entries.iter().map(|(_, e)| e.creation_height).collect();
    assert_eq!(heights.len(), 2);
    let counted_at = i64::try_from(counted_at).expect("fits");
    assert!(
        heights[0] == counted_at && heights[1] > counted_at,
        "{heights:?}"
    );

    // The double vote in set 1 pays 26 M × 5 % = 1.3 M: entry B loses 5 % of its 6 M, the
    // validator the rest; entry A, stake that had left when it was counted, nothing.
    let (amount, _) = slash_amount(&counted);
    assert_eq!(amount, 1_300_000);
    let time = s.net.next_block_time(0);
    let header = s.net.set_header(0, 1, 60, time);
    let before = s.books();
    let tx = s.evidence(votes(&s.k[0], 60, s.now()), &header);
    let result = s.net.deliver_ok(tx);
    assert_eq!(response(&result).burned, amount.to_string());
    assert_eq!(slash_attr(&result, "vsc_id"), "1");
    let after = s.books();
    let balances: Vec<&str> = after.entries[0]
        .iter()
        .map(|(_, e)| e.balance.as_str())
        .collect();
    assert_eq!(balances, ["4000000", "5700000"]);
    assert_eq!(after.tokens[0], before.tokens[0] - 1_000_000);
    assert_eq!(after.supply, before.supply - amount);
}

#[test]
fn what_later_entries_lose_is_capped_at_the_slash_amount() {
    let mut s = Scenario::launch(infraction(FRACTION, 20, true));
    let counted = s.net.recorded_member(0, 0, &public(&s.k[0]));
    let (amount, bound) = slash_amount(&counted);
    // 100 M arrives after the launch counted validator 0 and leaves at once (power unchanged,
    // no packet): 5 % of its entry would be 5 M, five times what the infraction may cost.
    s.net.off_epoch();
    s.net.free_ok(
        &s.delegator,
        vec![
            delegate(&s.delegator, &s.v[0], 100_000_000),
            undelegate(&s.delegator, &s.v[0], 100_000_000),
        ],
    );
    let time = s.net.next_block_time(0);
    let header = s.net.set_header(0, 0, 70, time);
    let before = s.books();
    let tx = s.evidence(votes(&s.k[0], 70, s.now()), &header);
    let result = s.net.deliver_ok(tx);
    // The entry pays the whole amount and no more; the validator's tokens are untouched.
    assert_eq!(response(&result).burned, amount.to_string());
    assert!(amount <= bound);
    let after = s.books();
    assert_eq!(after.entries[0].len(), 1);
    assert_eq!(
        after.entries[0][0].1.balance,
        (100_000_000 - amount).to_string()
    );
    assert_eq!(after.tokens, before.tokens);
    assert_eq!(after.supply, before.supply - amount);
}

#[test]
fn headers_from_before_the_launch_or_after_the_stop_are_refused() {
    let mut s = Scenario::launch(infraction(FRACTION, 20, true));
    let launch_time = MockConsensus::time_of(s.spawn);
    // Signed by the launch set, but one second before the launch: restaking/19.
    let early = s.net.consumer_header(0, 3, shifted(launch_time, -1));
    let tx = s.evidence(votes(&s.k[0], 3, s.now()), &early);
    s.refuse(tx, "restaking", 19);

    // The owner removes the consumer: stopped, its last set still accepted.
    s.net.off_epoch();
    s.net.free_ok(&s.owner, vec![remove_consumer(&s.owner, 0)]);
    assert_eq!(s.net.consumer(0).phase, cpb::ConsumerPhase::Stopped as i32);
    let stop_time = MockConsensus::time_of(s.net.chain.driver.height);
    // A header one second after the stop: restaking/19.
    let late = s.net.consumer_header(0, 9, shifted(stop_time, 1));
    let tx = s.evidence(votes(&s.k[1], 9, s.now()), &late);
    s.refuse(tx, "restaking", 19);

    // At the launch time and at the stop time the consumer was live: both double votes are
    // punished, after the stop too.
    for (k, height, time) in [(0, 3, launch_time), (1, 9, stop_time)] {
        let header = s.net.consumer_header(0, height, time);
        let counted = s.net.recorded_member(0, 0, &public(&s.k[k]));
        let before = s.books();
        let tx = s.evidence(votes(&s.k[k], height as i64, s.now()), &header);
        let result = s.net.deliver_ok(tx);
        let (amount, _) = slash_amount(&counted);
        assert_eq!(response(&result).burned, amount.to_string());
        assert_eq!(s.books().tokens[k], before.tokens[k] - amount);
    }
}

#[test]
fn a_header_older_than_the_consumer_unbonding_period_is_refused_even_from_the_set_in_force() {
    let mut s = Scenario::launch(infraction(FRACTION, 20, true));
    s.net.until(s.spawn + CONSUMER_UNBONDING + 5);
    assert_eq!(s.net.last_sent(0), 0, "the launch set is still in force");
    // Exactly the consumer's unbonding period before the delivering block: restaking/13.
    let next = s.net.next_block_time(0);
    let unbonding = i64::try_from(CONSUMER_UNBONDING).expect("fits");
    let expired = s.net.consumer_header(0, 12, shifted(next, -unbonding));
    let tx = s.evidence(votes(&s.k[0], 12, s.now()), &expired);
    s.refuse(tx, "restaking", 13);
    // One second younger, it is still evidence.
    let next = s.net.next_block_time(0);
    let young = s.net.consumer_header(0, 12, shifted(next, 1 - unbonding));
    let tx = s.evidence(votes(&s.k[0], 12, s.now()), &young);
    let result = s.net.deliver_ok(tx);
    let (amount, _) = slash_amount(&s.net.recorded_member(0, 0, &public(&s.k[0])));
    assert_eq!(response(&result).burned, amount.to_string());
}

#[test]
fn headers_of_another_height_chain_or_set_or_with_a_forged_or_future_commit_are_refused() {
    let mut s = Scenario::launch(infraction(FRACTION, 20, true));
    // Validator 2 joins with k[2] (power 10): packet 1.
    s.net
        .operator_ok(&s.v[2], vec![opt_in(&s.v[2], 0, 10_000, Some(&s.k[2]))]);
    let epoch = s.net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), Some(1));
    let offence = votes(&s.k[2], 9, s.now());
    let time = s.net.next_block_time(0);
    let by_set_1 = s.net.set_header(0, 1, 9, time);

    // Signed by the launch set (still within its period), which validator 2 is not in:
    // restaking/12.
    let tx = s.evidence(offence.clone(), &s.net.set_header(0, 0, 9, time));
    s.refuse(tx, "restaking", 12);
    // The header of another height: restaking/10.
    let tx = s.evidence(offence.clone(), &s.net.set_header(0, 1, 8, time));
    s.refuse(tx, "restaking", 10);
    // The header of another chain: consumer/16.
    let other_chain = HeaderSpec {
        chain_id: "dv-2".into(),
        ..by_set_1.clone()
    };
    let tx = s.evidence(offence.clone(), &other_chain);
    s.refuse(tx, "consumer", 16);
    // A set the provider never sent, really signing: consumer/17.
    let strangers = [member(&key(90), 30), member(&key(91), 20)];
    let unknown = consumer_header_at(CHAIN, 9, time, &strangers);
    let tx = s.evidence(offence.clone(), &unknown);
    s.refuse(tx, "consumer", 17);
    // A carried set that is not the header's, or none: ccv/8.
    let launch_set = s.net.set_header(0, 0, 9, time);
    let tx = s.evidence_with(offence.clone(), sign_header(&by_set_1), &launch_set);
    s.refuse(tx, "ccv", 8);
    let msg = double_vote_with(
        &s.reporter,
        0,
        offence.clone(),
        Some(sign_header(&by_set_1)),
        None,
    );
    let tx = s.net.chain.free_tx(&s.reporter, vec![msg], GAS);
    s.refuse(tx, "ccv", 8);
    // Set 1 is k[0] 10, k[1] 30, k[2] 10. With k[1]'s commit signature forged, 2/3 is reached
    // only with the bad one; with k[0]'s forged, 40 of 50 signed well beside a bad one: every
    // signature is checked, ccv/12 both times.
    for forged in [1, 0] {
        let tx = s.evidence_with(offence.clone(), forge(&by_set_1, &s.k[forged]), &by_set_1);
        s.refuse(tx, "ccv", 12);
    }
    // More than the consumer's clock drift (10 s) ahead of the provider: ccv/11.
    let ahead = s.net.next_block_time(11);
    let future = s.net.set_header(0, 1, 9, ahead);
    let tx = s.evidence(offence.clone(), &future);
    s.refuse(tx, "ccv", 11);

    // At the drift exactly, signed by set 1 (which counted validator 2's 10 M at 100 %), the
    // same votes are punished.
    let drift = s.net.next_block_time(10);
    let at_drift = s.net.set_header(0, 1, 9, drift);
    let counted = s.net.recorded_member(0, 1, &public(&s.k[2]));
    let (amount, _) = slash_amount(&counted);
    assert_eq!(amount, 1_000_000);
    let before = s.books();
    let tx = s.evidence(offence, &at_drift);
    let result = s.net.deliver_ok(tx);
    assert_eq!(response(&result).burned, amount.to_string());
    assert_eq!(slash_attr(&result, "vsc_id"), "1");
    assert_eq!(s.books().tokens[2], before.tokens[2] - amount);
}

#[test]
fn each_sets_counted_stake_pays_once_per_validator() {
    // Jailed on the consumer for 5 s, never tombstoned: only the one-slash-per-set rule refuses.
    let mut s = Scenario::launch(infraction(FRACTION, 5, false));
    let counted = s.net.recorded_member(0, 0, &public(&s.k[0]));
    let (amount, _) = slash_amount(&counted);
    let time = s.net.next_block_time(0);
    let first = s.net.consumer_header(0, 20, time);
    let tx = s.evidence(votes(&s.k[0], 20, s.now()), &first);
    let result = s.net.deliver_ok(tx);
    assert_eq!(response(&result).burned, amount.to_string());

    // Another double vote (height 21) in the same set, and the same evidence again:
    // restaking/14, nothing burned twice.
    let second = s.net.set_header(0, 0, 21, time);
    let tx = s.evidence(votes(&s.k[0], 21, s.now()), &second);
    s.refuse(tx, "restaking", 14);
    let tx = s.evidence(votes(&s.k[0], 20, s.now()), &first);
    s.refuse(tx, "restaking", 14);

    // Validator 0 leaves the set with the next packet and comes back after its jail, counted
    // with its slashed stake (19 M, power 9): a double vote in that set pays again, from it.
    let epoch = s.net.next_epoch();
    assert!(Net::packet_event(&epoch, 0).is_some());
    let k0 = public(&s.k[0]);
    assert!(s.net.consumer_validators(0).iter().all(|(k, _)| *k != k0));
    let mut epochs = 0;
    while s.net.consumer_validators(0).iter().all(|(k, _)| *k != k0) {
        s.net.next_epoch();
        epochs += 1;
        assert!(epochs < 4, "validator 0 never came back");
    }
    let vsc_id = s.net.last_sent(0);
    let recounted = s.net.recorded_member(0, vsc_id, &k0);
    assert_eq!((recounted.validator_power, recounted.power), (19, 9));
    let (again, _) = slash_amount(&recounted);
    assert_eq!(again, 950_000);
    let time = s.net.next_block_time(0);
    let header = s.net.consumer_header(0, 30, time);
    let tx = s.evidence(votes(&s.k[0], 30, s.now()), &header);
    let result = s.net.deliver_ok(tx);
    assert_eq!(response(&result).burned, again.to_string());
    assert_eq!(slash_attr(&result, "vsc_id"), vsc_id.to_string());
}
