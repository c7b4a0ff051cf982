//! Consumer headers as proof (issue 12, items 1 and 3), through `MsgAcknowledgeVsc`, the first
//! message that verifies one: the provider accepts a consumer header only when its
//! `validators_hash` is a set it sent that is still within its period (the set last sent, or one
//! replaced less than the consumer's unbonding period after it was sent), more than 2/3 of that
//! set signed and every signature verifies, and its time is not ahead of the provider's by more
//! than the consumer's clock drift. Replaced sets are forgotten when their period ends, through a
//! time-ordered queue, and survive export → import until then. And chain ids are never reused: a
//! deleted consumer's chain id cannot be registered again, and a double vote is judged against
//! the consumer id it names only. Every bad input is refused with its stable code and leaves the
//! consumer and restaking state unchanged.

mod consumer_support;
mod restaking_support;

use consumer_support::*;
use rampart_ccv::testing::{key, keys, member, Member};
use rampart_consumer::keys as ckeys;
use rampart_core::StateRead;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_testkit::events::*;
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;

const CHAIN: &str = "headers-1";

/// Consumer 0's recorded sets (vsc ids) and set-expiry queue entries in the committed store.
fn recorded(net: &Net) -> (Vec<u64>, usize) {
    let snapshot = net.chain.storage.snapshot();
    let prefix = ckeys::with_id(ckeys::SET_HASH, 0);
    let sets = snapshot
        .scan_prefix(&prefix)
        .filter_map(|(key, _)| ckeys::u64_at(&key, prefix.len()))
        .collect();
    let queued = snapshot.scan_prefix(ckeys::SET_EXPIRY).count();
    (sets, queued)
}

/// An acknowledgement of `vsc_id` with a header at the next consumer height (which applied it),
/// at `time`, signed by `set`, the commit entries at the indices `forge` given a bad signature.
fn header_ack(
    store: &mut ConsumerStore,
    vsc_id: u64,
    set: &[Member],
    time: tendermint::Time,
    forge: &[usize],
) -> cpb::MsgAcknowledgeVsc {
    let (height, app_hash) = store.commit(vsc_id);
    let spec = rampart_ccv::testing::HeaderSpec {
        time,
        ..consumer_header(CHAIN, height + 1, app_hash, set)
    };
    let mut msg = ack_msg(0, &spec, vsc_id, store.proof(height), set);
    let commit = msg
        .signed_header
        .as_mut()
        .and_then(|h| h.commit.as_mut())
        .expect("commit");
    for index in forge {
        commit.signatures[*index].signature[0] ^= 1;
    }
    msg
}

/// The index in `set`'s CometBFT order (power descending) of the member with `power`.
fn index_of(set: &[Member], power: u64) -> usize {
    rampart_ccv::testing::set(set)
        .validators()
        .iter()
        .position(|v| v.power() == power)
        .expect("member")
}

#[test]
fn headers_are_accepted_from_sets_within_their_period_the_clock_drift_and_valid_signatures() {
    let owner = Key::secp(93);
    let v: Vec<TestValidator> = (81..=83).map(TestValidator::new).collect();
    let k = keys(21, 3);
    let mut net = Net::provider(
        &[
            (&v[0], 30_000_000),
            (&v[1], 20_000_000),
            (&v[2], 10_000_000),
        ],
        &[&owner, &relayer()],
        restaking_params("1", 4),
    );
    launch_consumer_0(&mut net, &owner, CHAIN, Vec::new(), &v, &k);
    let set_0 = vec![member(&k[0], 30), member(&k[1], 20)];
    // The launch set is in force: recorded, not queued.
    assert_eq!(recorded(&net), (vec![0], 0));

    // Packet 1 replaces it: its period (the consumer's unbonding period from now) runs.
    net.operator_ok(&v[2], vec![opt_in(&v[2], 0, 10_000, Some(&k[2]))]);
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), Some(1));
    let packet_1_at = net.chain.driver.height;
    let set_1 = vec![member(&k[0], 30), member(&k[1], 20), member(&k[2], 10)];
    assert_eq!(recorded(&net), (vec![0, 1], 1));
    // The queue survives export → import (rebuilt from the recorded sets, invariants checked).
    let exported = net.chain.driver.app.export().expect("exports");
    let again = Chain::from_genesis(&exported, true);
    assert_eq!(
        again.driver.app.export().expect("exports")["consumer"],
        exported["consumer"]
    );
    drop(again);

    let mut store = ConsumerStore::new();
    store.commit(0);
    let on_time = MockConsensus::time_of(3);

    // A header more than the consumer's clock drift (10 s) ahead of the provider's block time:
    // ccv/11. At exactly the drift it passes the time check (and every header check: it fails
    // later, on a proof of another consumer height).
    let time = net.next_block_time(11);
    let future = header_ack(&mut store, 1, &set_0, time, &[]);
    refused_ack(&mut net, &future, "ccv", 11);
    let time = net.next_block_time(10);
    let mut at_drift = header_ack(&mut store, 1, &set_0, time, &[]);
    at_drift.proof = store.proof(1);
    refused_ack(&mut net, &at_drift, "ccv", 13);

    // A set the provider never sent, really signing: consumer/17.
    let strangers = vec![member(&key(29), 30), member(&key(28), 20)];
    let unknown = header_ack(&mut store, 1, &strangers, on_time, &[]);
    refused_ack(&mut net, &unknown, "consumer", 17);

    // Forged commit signatures: 2/3 of the launch set (more than 33 of 50) only with a bad one.
    let forged = header_ack(&mut store, 1, &set_0, on_time, &[index_of(&set_0, 20)]);
    refused_ack(&mut net, &forged, "ccv", 12);
    // A bad signature beside enough good ones (30 + 20 of 60 signed well, the 10 forged): every
    // signature is checked, not only those up to 2/3.
    let late = header_ack(&mut store, 1, &set_1, on_time, &[index_of(&set_1, 10)]);
    refused_ack(&mut net, &late, "ccv", 12);

    // Within its period the launch set still signs: this acknowledgement passes every header
    // check and fails only on its proof.
    let signed_by_0 = header_ack(&mut store, 1, &set_0, on_time, &[]);
    let mut bad_proof = signed_by_0.clone();
    bad_proof.proof = store.proof(1);
    refused_ack(&mut net, &bad_proof, "ccv", 13);

    // Its period ends at packet 1 + the consumer's unbonding period: the queue forgets it in
    // that block, and a header it signed is no longer proof (consumer/17), whatever else is
    // right.
    net.until(packet_1_at + CONSUMER_UNBONDING - 1);
    assert_eq!(recorded(&net), (vec![0, 1], 1));
    net.block(vec![]);
    assert_eq!(recorded(&net), (vec![1], 0));
    refused_ack(&mut net, &signed_by_0, "consumer", 17);

    // The set last sent is in force: still accepted after its own period.
    net.until(packet_1_at + CONSUMER_UNBONDING + 1);
    let by_1 = applied_ack(&mut store, CHAIN, 0, 1, &set_1);
    net.off_epoch();
    let result = net.deliver_ok(ack_tx(&net, &by_1));
    assert_eq!(
        tx_attr(&result, "vsc_acknowledged", "signed_by_vsc").as_deref(),
        Some("1")
    );
    assert_eq!(net.consumer(0).last_acknowledged_vsc, 1);

    // Packet 2 replaces set 1, in force for longer than a period: its period starts now, so
    // the consumer, which signs with set 1 until it applies packet 2 (and two blocks more), is
    // still believed.
    net.operator_ok(&v[2], vec![set_pledge(&v[2], 0, 5_000)]);
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), Some(2));
    let packet_2_at = net.chain.driver.height;
    assert_eq!(recorded(&net), (vec![1, 2], 1));
    let applied_by_1 = applied_ack(&mut store, CHAIN, 0, 2, &set_1);
    net.off_epoch();
    let result = net.deliver_ok(ack_tx(&net, &applied_by_1));
    assert_eq!(
        tx_attr(&result, "vsc_acknowledged", "signed_by_vsc").as_deref(),
        Some("1")
    );
    assert_eq!(net.consumer(0).last_acknowledged_vsc, 2);
    // One period after packet 2, set 1 is forgotten.
    net.until(packet_2_at + CONSUMER_UNBONDING - 1);
    assert_eq!(recorded(&net), (vec![1, 2], 1));
    net.block(vec![]);
    assert_eq!(recorded(&net), (vec![2], 0));
}

#[test]
fn chain_ids_are_never_reused_and_a_double_vote_is_judged_by_the_consumer_it_names() {
    let (owner, stranger) = (Key::secp(94), Key::secp(95));
    let v = TestValidator::new(84);
    let k = key(31);
    let mut net = Net::provider(
        &[(&v, 20_000_000)],
        &[&owner, &stranger],
        restaking_params("1", 4),
    );
    let spawn = net.chain.driver.height + 4;
    net.free_ok(
        &owner,
        vec![
            register(
                &owner,
                "x-1",
                Some(spawn),
                Some(consumer_params(1, 0, "0.05", 0)),
            ),
            register(
                &owner,
                "y-1",
                Some(spawn),
                Some(consumer_params(1, 0, "0.05", 0)),
            ),
        ],
    );
    // One validator, one consumer key on both consumers.
    net.operator_ok(
        &v,
        vec![
            opt_in(&v, 0, 1_000, Some(&k)),
            opt_in(&v, 1, 1_000, Some(&k)),
        ],
    );
    net.until(spawn);
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
    assert_eq!(net.consumer(1).phase, cpb::ConsumerPhase::Launched as i32);

    // x-1 is removed: stopped, then deleted one provider unbonding period later.
    net.free_ok(&owner, vec![remove_consumer(&owner, 0)]);
    let stopped_at = net.chain.driver.height;
    net.until(stopped_at + PROVIDER_UNBONDING);
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Deleted as i32);

    // Its chain id stays reserved (consumer/18); a live consumer's is taken (consumer/3).
    let registration = |chain_id: &str| {
        vec![register(
            &owner,
            chain_id,
            None,
            Some(consumer_params(1, 0, "0.05", 0)),
        )]
    };
    let tx = net.chain.free_tx(&owner, registration("x-1"), GAS);
    refused(&mut net, tx, "consumer", 18);
    let tx = net.chain.free_tx(&owner, registration("y-1"), GAS);
    refused(&mut net, tx, "consumer", 3);
    // Across export → import too.
    let exported = net.chain.driver.app.export().expect("exports");
    let mut again = Chain::from_genesis(&exported, true);
    let result = again.deliver_one(again.free_tx(&owner, registration("x-1"), GAS));
    assert_eq!(code(&result), ("consumer".into(), 18), "{}", result.log);
    drop(again);

    // Votes on chain x-1 (the deleted consumer's, signed by a key the validator also uses on
    // y-1) are judged against the consumer they name: under y-1's id, with y-1's header of their
    // height, they do not verify (restaking/11), and x-1's header (signed by the same set) is not
    // y-1's (consumer/16); under x-1's deleted id no evidence is accepted (restaking/4).
    let now = timestamp_of(net.chain.driver.height);
    let votes = |chain_id: &str| {
        [
            signed_vote(&k, chain_id, 7, 0xaa, now),
            signed_vote(&k, chain_id, 7, 0xbb, now),
        ]
    };
    let y_header = net.consumer_header(1, 7, MockConsensus::time_of(net.chain.driver.height));
    let x_header = rampart_ccv::testing::HeaderSpec {
        chain_id: "x-1".into(),
        ..y_header.clone()
    };
    for (consumer_id, header, codespace, expected) in [
        (1, &y_header, "restaking", 11),
        (1, &x_header, "consumer", 16),
        (0, &x_header, "restaking", 4),
    ] {
        let [a, b] = votes("x-1");
        let tx = net.chain.free_tx(
            &stranger,
            vec![double_vote(&stranger, consumer_id, a, b, header)],
            GAS,
        );
        refused(&mut net, tx, codespace, expected);
    }
    // The same validator's double vote on y-1 is punished under y-1's id: the refusal above was
    // the chain id's.
    let [a, b] = votes("y-1");
    let result = net.free_ok(&stranger, vec![double_vote(&stranger, 1, a, b, &y_header)]);
    assert_eq!(
        tx_attr(&result, "consumer_slash", "consumer_id").as_deref(),
        Some("1")
    );
}
