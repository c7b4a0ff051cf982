//! Property test: over random opt-ins, pledges, delegations, undelegations and double votes on
//! three consumers, each double vote placed by a consumer header signed by one of the recorded
//! sets, no consumer slash burns more than its fraction of the pledge counted in that set, none
//! cuts stake that left before it was counted, the supply falls by exactly what was burned, and no
//! validator's worst case exceeds `max_slash_exposure`.

mod restaking_support;

use cosmos_sdk_proto::cosmos::staking::v1beta1::UnbondingDelegationEntry;
use std::collections::BTreeMap;

use ed25519_consensus::SigningKey;
use rampart_consumer::ConsumerValidator;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_proto::rampart::restaking::v1 as rpb;
use rampart_testkit::events::*;
use rampart_testkit::msgs::{delegate, undelegate};
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;

/// One step of the property test.
#[derive(Debug, Clone)]
enum Op {
    OptIn {
        v: usize,
        c: u64,
        bps: u32,
    },
    SetPledge {
        v: usize,
        c: u64,
        bps: u32,
    },
    OptOut {
        v: usize,
        c: u64,
    },
    Delegate {
        v: usize,
        amount: u128,
    },
    Undelegate {
        v: usize,
        amount: u128,
    },
    /// A double vote of validator `v` on consumer `c` in its recorded set number `set` (modulo
    /// how many are recorded), placed by a header that set signed.
    DoubleVote {
        v: usize,
        c: u64,
        set: usize,
    },
    Blocks(u64),
}

fn op_strategy() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![
        4 => (0usize..4, 0u64..3, 1u32..=10_000).prop_map(|(v, c, bps)| Op::OptIn { v, c, bps }),
        2 => (0usize..4, 0u64..3, 1u32..=10_000).prop_map(|(v, c, bps)| Op::SetPledge { v, c, bps }),
        1 => (0usize..4, 0u64..3).prop_map(|(v, c)| Op::OptOut { v, c }),
        3 => (0usize..4, 1u128..30_000_000).prop_map(|(v, amount)| Op::Delegate { v, amount }),
        3 => (0usize..4, 1u128..8_000_000).prop_map(|(v, amount)| Op::Undelegate { v, amount }),
        3 => (0usize..4, 0u64..3, 0usize..4).prop_map(|(v, c, set)| Op::DoubleVote { v, c, set }),
        2 => (1u64..8).prop_map(Op::Blocks),
    ]
}

fn consumer_key(v: usize, c: u64) -> SigningKey {
    SigningKey::from([0x10 + (v as u8) * 4 + c as u8; 32])
}

/// What a double vote is judged against, read before it lands: the vsc id of the set that signs
/// the header, every recorded set of the consumer (the handler charges the earliest accepted one
/// with the same validators), the offender's consumer key and its unbonding entries.
struct Before {
    signing: u64,
    sets: BTreeMap<u64, Vec<ConsumerValidator>>,
    key: [u8; 32],
    entries: Vec<(String, UnbondingDelegationEntry)>,
}

/// `set` as CometBFT sees it: (consumer key, power), sorted.
fn keys_and_powers(set: &[ConsumerValidator]) -> Vec<([u8; 32], u64)> {
    sorted(set.iter().map(|m| (m.consumer_pubkey, m.power)).collect())
}

/// An unbonding entry's identity (delegator, creation height, initial balance, completion time)
/// and its balance.
fn entry_id(entry: &(String, UnbondingDelegationEntry)) -> (String, i64, String, String) {
    let (delegator, e) = entry;
    (
        delegator.clone(),
        e.creation_height,
        e.initial_balance.clone(),
        format!("{:?}", e.completion_time),
    )
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 16, ..Default::default() })]

    /// Over random opt-ins, pledges, delegations, undelegations and double votes on three
    /// consumers, with blocks (and so epochs counting the sets) between them: every consumer
    /// slash burns exactly its fraction of the pledge counted for the offender in the set charged
    /// (the one that signed the infraction's header, or the earliest recorded one with the same
    /// validators; at most that fraction of the pledged tokens), never cuts an
    /// unbonding entry created at or before the height that stake was counted at, and cuts the
    /// later ones by at most the slash fraction; the supply falls by exactly what was burned and
    /// by nothing else; every validator's worst case stays within `max_slash_exposure`.
    #[test]
    fn no_slash_exceeds_its_bound_and_no_exposure_its_limit(
        ops in proptest::collection::vec(op_strategy(), 15..40),
    ) {
        let (owner, delegator, reporter) = (Key::secp(98), Key::secp(99), Key::secp(100));
        let v: Vec<TestValidator> = (51..=54).map(TestValidator::new).collect();
        let mut net = Net::provider(
            &[(&v[0], 30_000_000), (&v[1], 20_000_000), (&v[2], 10_000_000), (&v[3], 5_000_000)],
            &[&owner, &delegator, &reporter],
            restaking_params("0.1", 3),
        );
        let spawn = net.chain.driver.height + 3;
        let fractions = ["0.1", "0.05", "0.02"];
        let denominators: [u128; 3] = [10, 20, 50];
        // Jailed for 3 s and not tombstoned: slashed validators come back and can be slashed
        // again for new infractions (in other sets).
        let msgs = (0..3)
            .map(|c| {
                let mut params = consumer_params(1, 0, fractions[c], 0);
                params.double_sign = Some(infraction(fractions[c], 3, false));
                register(&owner, &format!("prop-{c}"), Some(spawn), Some(params))
            })
            .collect();
        net.free_ok(&owner, msgs);
        // The delegator holds stake with every validator, so that undelegations leave from the
        // start.
        let delegations = v.iter().map(|validator| delegate(&delegator, validator, 10_000_000)).collect();
        net.free_ok(&delegator, delegations);
        // Validator c opts in to consumer c with 10 %, so that every consumer launches.
        let first: Vec<Vec<u8>> = (0..3usize)
            .map(|c| net.chain.operator_tx(&v[c], vec![opt_in(&v[c], c as u64, 1_000, Some(&consumer_key(c, c as u64)))], GAS))
            .collect();
        for result in net.block(first).tx_results {
            assert_ok(&result);
        }
        net.until(spawn);
        for c in 0..3 {
            proptest::prop_assert_eq!(net.consumer(c).phase, cpb::ConsumerPhase::Launched as i32);
        }
        let max = rampart_core::Decimal::from_bps(1_000);
        for op in ops {
            let mut before = None;
            let supply = net.chain.supply(DENOM).0;
            let tx = match &op {
                Op::OptIn { v: i, c, bps } => Some(net.chain.operator_tx(&v[*i], vec![opt_in(&v[*i], *c, *bps, Some(&consumer_key(*i, *c)))], GAS)),
                Op::SetPledge { v: i, c, bps } => Some(net.chain.operator_tx(&v[*i], vec![set_pledge(&v[*i], *c, *bps)], GAS)),
                Op::OptOut { v: i, c } => Some(net.chain.operator_tx(&v[*i], vec![opt_out(&v[*i], *c)], GAS)),
                Op::Delegate { v: i, amount } => Some(net.chain.free_tx(&delegator, vec![delegate(&delegator, &v[*i], *amount)], GAS)),
                Op::Undelegate { v: i, amount } => Some(net.chain.free_tx(&delegator, vec![undelegate(&delegator, &v[*i], *amount)], GAS)),
                Op::DoubleVote { v: i, c, set } => {
                    let recorded = net.recorded_vsc_ids(*c);
                    // A deleted consumer has no set left to sign a header: nothing to submit.
                    recorded.get(set % recorded.len().max(1)).map(|&vsc_id| {
                        let now = timestamp_of(net.chain.driver.height);
                        let key = consumer_key(*i, *c);
                        let chain_id = format!("prop-{c}");
                        let height = net.chain.driver.height;
                        let header = net.set_header(*c, vsc_id, height, MockConsensus::time_of(height));
                        let vote_height = i64::try_from(height).unwrap_or(1);
                        before = Some(Before {
                            signing: vsc_id,
                            sets: recorded.iter().map(|id| (*id, net.recorded_set(*c, *id))).collect(),
                            key: key.verification_key().to_bytes(),
                            entries: net.unbonding_entries(&v[*i]),
                        });
                        net.chain.free_tx(&reporter, vec![double_vote(
                            &reporter,
                            *c,
                            signed_vote(&key, &chain_id, vote_height, 1, now),
                            signed_vote(&key, &chain_id, vote_height, 2, now),
                            &header,
                        )], GAS)
                    })
                }
                Op::Blocks(n) => {
                    let target = net.chain.driver.height + n;
                    net.until(target);
                    None
                }
            };
            let mut burned = 0;
            if let Some(tx) = tx {
                let result = net.deliver(tx);
                if let Some(text) = tx_attr(&result, "consumer_slash", "burned") {
                    let (Op::DoubleVote { v: i, c, .. }, Some(before)) = (&op, &before) else {
                        unreachable!("only evidence slashes")
                    };
                    burned = leading_amount(&text);
                    // The set charged: a recorded sending of the signing set (the same validators
                    // and powers, the same CometBFT hash) — the one in force at the header's time
                    // (`rampart_consumer::sets::accepted_set`).
                    let charged: u64 = tx_attr(&result, "consumer_slash", "vsc_id").expect("vsc id").parse().expect("vsc id");
                    proptest::prop_assert!(before.sets.contains_key(&charged));
                    proptest::prop_assert_eq!(keys_and_powers(&before.sets[&charged]), keys_and_powers(&before.sets[&before.signing]));
                    let member = before.sets[&charged].iter().find(|m| m.consumer_pubkey == before.key).expect("only a member of the signing set is slashed");
                    // The amount the counted stake pays (in integers, independently of the
                    // handler's decimals), and the bound it is within.
                    let den = denominators[*c as usize];
                    let bps = u128::from(member.pledge_bps);
                    let expected = u128::from(member.validator_power) * 1_000_000 * bps / (den * 10_000);
                    let limit = member.pledged_tokens.0 / den;
                    proptest::prop_assert!(burned <= expected && expected <= limit, "burned {burned}, amount {expected}, limit {limit} ({op:?})");
                    if net.tokens(&v[*i]) > 0 {
                        proptest::prop_assert_eq!(burned, expected, "the whole amount is paid ({:?})", op);
                    }
                    proptest::prop_assert_eq!(
                        tx_attr(&result, "consumer_slash", "provider_height"),
                        Some(member.provider_height.to_string())
                    );
                    // Entries created at or before the counting height are untouched; later
                    // ones lose at most the effective fraction of their initial balance.
                    let after = net.unbonding_entries(&v[*i]);
                    for old in &before.entries {
                        let Some(new) = after.iter().find(|e| entry_id(e) == entry_id(old)) else {
                            continue; // matured in this block
                        };
                        let (balance, was) = (
                            new.1.balance.parse::<u128>().expect("amount"),
                            old.1.balance.parse::<u128>().expect("amount"),
                        );
                        let initial: u128 = old.1.initial_balance.parse().expect("amount");
                        if old.1.creation_height <= i64::try_from(member.provider_height).expect("fits") {
                            proptest::prop_assert_eq!(balance, was, "an entry older than the counting was cut ({:?})", op);
                        } else {
                            proptest::prop_assert!(was - balance <= initial * bps / (den * 10_000));
                        }
                    }
                }
            }
            // Nothing but slashes changes the supply (no inflation, no fees, no rewards).
            proptest::prop_assert_eq!(net.chain.supply(DENOM).0, supply - burned, "supply after {:?}", op);
            // Every validator's exposure stays within the bound.
            for validator in &v {
                let exposure = net.chain.query::<rpb::QueryValidatorExposureResponse>("/rampart.restaking.v1.Query/ValidatorExposure",
                    &rpb::QueryValidatorExposureRequest { validator: valoper(validator) },
                );
                let total: rampart_core::Decimal = exposure.total_worst_case_fraction.parse().expect("decimal");
                proptest::prop_assert!(total <= max, "exposure {total} above {max} after {op:?}");
                proptest::prop_assert!(exposure.consumer_count <= 3);
            }
        }
    }
}
