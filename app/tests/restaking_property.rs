//! Property test: over random opt-ins, pledges, delegations and double votes on three consumers,
//! no consumer slash burns more than its fraction of the pledge it was counted with and no
//! validator's worst case exceeds `max_slash_exposure`.

mod restaking_support;

use ed25519_consensus::SigningKey;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_proto::rampart::restaking::v1 as rpb;
use rampart_testkit::events::*;
use rampart_testkit::msgs::delegate;
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;

/// One step of the property test.
#[derive(Debug, Clone)]
enum Op {
    OptIn { v: usize, c: u64, bps: u32 },
    SetPledge { v: usize, c: u64, bps: u32 },
    OptOut { v: usize, c: u64 },
    Delegate { v: usize, amount: u128 },
    DoubleVote { v: usize, c: u64 },
    Blocks(u64),
}

fn op_strategy() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![
        4 => (0usize..4, 0u64..3, 1u32..=10_000).prop_map(|(v, c, bps)| Op::OptIn { v, c, bps }),
        2 => (0usize..4, 0u64..3, 1u32..=10_000).prop_map(|(v, c, bps)| Op::SetPledge { v, c, bps }),
        1 => (0usize..4, 0u64..3).prop_map(|(v, c)| Op::OptOut { v, c }),
        2 => (0usize..4, 1u128..30_000_000).prop_map(|(v, amount)| Op::Delegate { v, amount }),
        3 => (0usize..4, 0u64..3).prop_map(|(v, c)| Op::DoubleVote { v, c }),
        2 => (1u64..8).prop_map(Op::Blocks),
    ]
}

fn consumer_key(v: usize, c: u64) -> SigningKey {
    SigningKey::from([0x10 + (v as u8) * 4 + c as u8; 32])
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 16, ..Default::default() })]

    /// Over random opt-ins, pledges, delegations and double votes on three consumers: every
    /// consumer slash burns at most its fraction of the pledged tokens it was counted with, and
    /// every validator's worst case stays within `max_slash_exposure` after every block.
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
        // Jailed for 3 s and not tombstoned: slashed validators come back and can be slashed
        // again for new infractions.
        let msgs = (0..3)
            .map(|c| {
                let mut params = consumer_params(1, 0, fractions[c], 0);
                params.double_sign = Some(infraction(fractions[c], 3, false));
                register(&owner, &format!("prop-{c}"), Some(spawn), Some(params))
            })
            .collect();
        net.free_ok(&owner, msgs);
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
            let tx = match &op {
                Op::OptIn { v: i, c, bps } => Some(net.chain.operator_tx(&v[*i], vec![opt_in(&v[*i], *c, *bps, Some(&consumer_key(*i, *c)))], GAS)),
                Op::SetPledge { v: i, c, bps } => Some(net.chain.operator_tx(&v[*i], vec![set_pledge(&v[*i], *c, *bps)], GAS)),
                Op::OptOut { v: i, c } => Some(net.chain.operator_tx(&v[*i], vec![opt_out(&v[*i], *c)], GAS)),
                Op::Delegate { v: i, amount } => Some(net.chain.free_tx(&delegator, vec![delegate(&delegator, &v[*i], *amount)], GAS)),
                Op::DoubleVote { v: i, c } => {
                    let now = timestamp_of(net.chain.driver.height);
                    let key = consumer_key(*i, *c);
                    let chain_id = format!("prop-{c}");
                    let height = i64::try_from(net.chain.driver.height).unwrap_or(1);
                    Some(net.chain.free_tx(&reporter, vec![double_vote(
                        &reporter,
                        *c,
                        signed_vote(&key, &chain_id, height, 1, now),
                        signed_vote(&key, &chain_id, height, 2, now),
                    )], GAS))
                }
                Op::Blocks(n) => {
                    let target = net.chain.driver.height + n;
                    net.until(target);
                    None
                }
            };
            // The stake a double vote would be slashed against, read before it lands.
            let bound = if let Op::DoubleVote { v: i, c } = &op {
                net.pledges_of(&v[*i])
                    .into_iter()
                    .find(|p| p.consumer_id == *c)
                    .and_then(|p| {
                        let stakes = [p.in_set, p.departed];
                        stakes.into_iter().flatten()
                            .map(|s| s.pledged_tokens.parse::<u128>().expect("amount"))
                            .max()
                    })
            } else {
                None
            };
            if let Some(tx) = tx {
                let result = net.deliver(tx);
                if let Some(burned) = tx_attr(&result, "consumer_slash", "burned") {
                    let Op::DoubleVote { c, .. } = &op else { unreachable!("only evidence slashes") };
                    let fraction: rampart_core::Decimal = fractions[*c as usize].parse().expect("decimal");
                    let pledged = bound.expect("a slash needs counted stake");
                    let limit = rampart_core::Amount(pledged).mul_floor(fraction).expect("fits").0;
                    proptest::prop_assert!(leading_amount(&burned) <= limit, "burned {burned} > {limit} ({op:?})");
                }
            }
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
