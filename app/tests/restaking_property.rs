//! Property test: over random opt-ins, pledges, delegations, undelegations, delegators' consumer
//! choices and double votes on three consumers, each double vote placed by a consumer header
//! signed by one of the recorded sets, no consumer slash burns more than its fraction of the
//! pledge counted in that set, none cuts stake that left before it was counted, a delegation
//! whose choice excludes the consumer (in force when the set counted the stake, and since) loses
//! nothing to it, the stake slashed loses exactly what was burned, the supply falls by exactly
//! what was burned, and no validator's worst case exceeds `max_slash_exposure`.

mod restaking_support;

use cosmos_sdk_proto::cosmos::staking::v1beta1::UnbondingDelegationEntry;
use std::collections::BTreeMap;

use ed25519_consensus::SigningKey;
use proptest::test_runner::TestCaseError;
use rampart_consumer::ConsumerValidator;
use rampart_core::{Address, BlockTime, Decimal};
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_proto::rampart::restaking::v1 as rpb;
use rampart_staking::backing::{Backing, Mode};
use rampart_staking::{MovedStake, StakingRead};
use rampart_testkit::events::*;
use rampart_testkit::msgs::{delegate, undelegate};
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;

/// Delegators of the property test (besides the validators' operators).
const DELEGATORS: usize = 3;

/// The choices delegators may make before the consumers launch, when validator `c` pledges to
/// consumer `c` only (a case makes those of the bits of its `initial`): (delegator, validator,
/// mode, consumers). They take effect before the launch sets count the stake.
const INITIAL_CHOICES: [(usize, usize, rpb::BackingMode, &[u64]); 4] = [
    (1, 0, rpb::BackingMode::Except, &[0]),
    (2, 1, rpb::BackingMode::Except, &[1]),
    (1, 2, rpb::BackingMode::Only, &[2]),
    (2, 0, rpb::BackingMode::Only, &[]),
];

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
        d: usize,
        v: usize,
        amount: u128,
    },
    Undelegate {
        d: usize,
        v: usize,
        amount: u128,
    },
    /// Delegator `d` chooses the consumers its delegation to validator `v` backs: `mode` 0–3
    /// (UNSPECIFIED, ALL, ONLY, EXCEPT; 0, and 1 with consumers, are refused) and the consumers
    /// of the bit mask `ids` — when `pledged`, only those `v` pledges to (any other is refused).
    Choose {
        d: usize,
        v: usize,
        mode: i32,
        ids: u8,
        pledged: bool,
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
        3 => (0..DELEGATORS, 0usize..4, 1u128..30_000_000)
            .prop_map(|(d, v, amount)| Op::Delegate { d, v, amount }),
        3 => (0..DELEGATORS, 0usize..4, 1u128..8_000_000)
            .prop_map(|(d, v, amount)| Op::Undelegate { d, v, amount }),
        5 => (
            0..DELEGATORS,
            0usize..4,
            // UNSPECIFIED, ALL, ONLY, EXCEPT.
            prop_oneof![1 => Just(0), 3 => Just(1), 5 => Just(2), 8 => Just(3)],
            0u8..8,
            proptest::bool::weighted(0.8),
        )
            .prop_map(|(d, v, mode, ids, pledged)| Op::Choose { d, v, mode, ids, pledged }),
        3 => (0usize..4, 0u64..3, 0usize..4).prop_map(|(v, c, set)| Op::DoubleVote { v, c, set }),
        2 => (1u64..8).prop_map(Op::Blocks),
    ]
}

fn consumer_key(v: usize, c: u64) -> SigningKey {
    SigningKey::from([0x10 + (v as u8) * 4 + c as u8; 32])
}

/// What a double vote is judged against, read before it lands: the vsc id of the set that signs
/// the header, every recorded set of the consumer (the handler charges the earliest accepted one
/// with the same validators), the offender's consumer key and its unbonding entries, the value
/// of every delegation to it, and the stake that stopped backing the consumer there.
struct Before {
    signing: u64,
    sets: BTreeMap<u64, Vec<ConsumerValidator>>,
    key: [u8; 32],
    entries: Vec<(String, UnbondingDelegationEntry)>,
    values: BTreeMap<Address, u128>,
    moved: Vec<MovedStake>,
}

/// A delegation's choice as this test models it: the one in force and the height it took
/// effect at (0: never chosen), and the pending one with its height.
#[derive(Debug, Clone)]
struct Choice {
    current: Backing,
    since: u64,
    pending: Option<(Backing, u64)>,
}

impl Default for Choice {
    fn default() -> Self {
        Self {
            current: Backing::all(),
            since: 0,
            pending: None,
        }
    }
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

/// The value in tokens of every delegation to `v`, by delegator.
fn delegation_values(net: &Net, v: &TestValidator) -> BTreeMap<Address, u128> {
    let snapshot = net.chain.storage.snapshot();
    let validator = net.chain.validator(v);
    snapshot
        .validator_delegations(&v.operator())
        .expect("reads")
        .into_iter()
        .map(|(delegator, shares)| {
            let tokens = validator.tokens_for_shares(shares).expect("fits").0;
            (delegator, tokens)
        })
        .collect()
}

/// The wire form of a choice.
fn wire(backing: &Backing) -> rpb::DelegationChoice {
    let mode = match backing.mode {
        Mode::All => rpb::BackingMode::All,
        Mode::Only => rpb::BackingMode::Only,
        Mode::Except => rpb::BackingMode::Except,
    };
    rpb::DelegationChoice {
        mode: mode as i32,
        consumer_ids: backing.consumers.clone(),
    }
}

/// The first epoch height after `height`: when a choice made at `height` takes effect.
fn next_epoch(height: u64) -> u64 {
    (height / EPOCH + 1) * EPOCH
}

/// Books into the model the choices due by `height`: they took effect at their epoch height.
fn apply_due(choices: &mut BTreeMap<(usize, usize), Choice>, height: u64) {
    for model in choices.values_mut() {
        if let Some((backing, due)) = model.pending.clone().filter(|(_, due)| *due <= height) {
            model.current = backing;
            model.since = due;
            model.pending = None;
        }
    }
}

/// What a choice of `mode` and `ids` by `delegator` at validator `v` must end in, by the rules
/// of `MsgSetDelegationConsumers` in their order: the choice, or the refusal.
fn predicted(
    net: &Net,
    delegator: &Key,
    v: &TestValidator,
    mode: i32,
    ids: &[u64],
) -> Result<Backing, (&'static str, u32)> {
    let backing = match rpb::BackingMode::try_from(mode) {
        Ok(rpb::BackingMode::All) if ids.is_empty() => Backing::all(),
        Ok(rpb::BackingMode::Only) => Backing::new(Mode::Only, ids.to_vec()),
        Ok(rpb::BackingMode::Except) => Backing::new(Mode::Except, ids.to_vec()),
        _ => return Err(("restaking", 22)),
    };
    let snapshot = net.chain.storage.snapshot();
    let op = v.operator();
    if snapshot
        .delegation_shares(&delegator.address(), &op)
        .expect("reads")
        .is_none()
    {
        return Err(("staking", 19));
    }
    for &id in &backing.consumers {
        let phase = net.consumer(id).phase;
        let open = [cpb::ConsumerPhase::Registered, cpb::ConsumerPhase::Launched]
            .iter()
            .any(|p| *p as i32 == phase);
        if !open {
            return Err(("restaking", 4));
        }
        if rampart_restaking::pledge::load(&snapshot, id, &op)
            .expect("reads")
            .is_none()
        {
            return Err(("restaking", 23));
        }
    }
    Ok(backing)
}

/// The setup and the steps of one case (see the property's documentation).
fn run(initial: u8, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let (owner, reporter) = (Key::secp(98), Key::secp(100));
    let delegators = [Key::secp(99), Key::secp(101), Key::secp(102)];
    let v: Vec<TestValidator> = (51..=54).map(TestValidator::new).collect();
    let mut funded = vec![&owner, &reporter];
    funded.extend(delegators.iter());
    let mut net = Net::provider(
        &[
            (&v[0], 30_000_000),
            (&v[1], 20_000_000),
            (&v[2], 10_000_000),
            (&v[3], 5_000_000),
        ],
        &funded,
        restaking_params("0.1", 3),
    );
    // Registration, delegations, opt-ins and the initial choices take a block each; the
    // consumers launch once the choices took effect.
    let choice_height = net.chain.driver.height + 4;
    let spawn = next_epoch(choice_height) + 1;
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
    // Every delegator holds stake with every validator, so that undelegations and choices
    // act from the start.
    let delegations: Vec<Vec<u8>> = delegators
        .iter()
        .map(|delegator| {
            let msgs = v
                .iter()
                .map(|validator| delegate(delegator, validator, 10_000_000))
                .collect();
            net.chain.free_tx(delegator, msgs, GAS)
        })
        .collect();
    for result in net.block(delegations).tx_results {
        assert_ok(&result);
    }
    // Validator c opts in to consumer c with 10 %, so that every consumer launches.
    let first: Vec<Vec<u8>> = (0..3usize)
        .map(|c| {
            let msg = opt_in(&v[c], c as u64, 1_000, Some(&consumer_key(c, c as u64)));
            net.chain.operator_tx(&v[c], vec![msg], GAS)
        })
        .collect();
    for result in net.block(first).tx_results {
        assert_ok(&result);
    }
    let mut choices: BTreeMap<(usize, usize), Choice> = BTreeMap::new();
    let picked: Vec<_> = INITIAL_CHOICES
        .iter()
        .enumerate()
        .filter(|(bit, _)| initial & (1 << bit) != 0)
        .map(|(_, choice)| *choice)
        .collect();
    // One transaction per delegator.
    let txs = (0..DELEGATORS)
        .filter_map(|d| {
            let msgs: Vec<_> = picked
                .iter()
                .filter(|choice| choice.0 == d)
                .map(|(_, i, mode, ids)| {
                    set_delegation_consumers(&delegators[d], &v[*i], *mode, ids)
                })
                .collect();
            (!msgs.is_empty()).then(|| net.chain.free_tx(&delegators[d], msgs, GAS))
        })
        .collect();
    for result in net.block(txs).tx_results {
        assert_ok(&result);
    }
    proptest::prop_assert_eq!(net.chain.driver.height, choice_height);
    for (d, i, mode, ids) in &picked {
        let backing = match mode {
            rpb::BackingMode::Only => Backing::new(Mode::Only, ids.to_vec()),
            _ => Backing::new(Mode::Except, ids.to_vec()),
        };
        choices.entry((*d, *i)).or_default().pending = Some((backing, next_epoch(choice_height)));
    }
    net.until(spawn);
    apply_due(&mut choices, spawn);
    for c in 0..3 {
        proptest::prop_assert_eq!(net.consumer(c).phase, cpb::ConsumerPhase::Launched as i32);
    }
    let max = Decimal::from_bps(1_000);
    for op in ops {
        let mut before = None;
        let mut choice = None;
        let supply = net.chain.supply(DENOM).0;
        let tx = match &op {
            Op::OptIn { v: i, c, bps } => {
                let msg = opt_in(&v[*i], *c, *bps, Some(&consumer_key(*i, *c)));
                Some(net.chain.operator_tx(&v[*i], vec![msg], GAS))
            }
            Op::SetPledge { v: i, c, bps } => {
                let msg = set_pledge(&v[*i], *c, *bps);
                Some(net.chain.operator_tx(&v[*i], vec![msg], GAS))
            }
            Op::OptOut { v: i, c } => Some(net.chain.operator_tx(
                &v[*i],
                vec![opt_out(&v[*i], *c)],
                GAS,
            )),
            Op::Delegate { d, v: i, amount } => {
                let msg = delegate(&delegators[*d], &v[*i], *amount);
                Some(net.chain.free_tx(&delegators[*d], vec![msg], GAS))
            }
            Op::Undelegate { d, v: i, amount } => {
                let msg = undelegate(&delegators[*d], &v[*i], *amount);
                Some(net.chain.free_tx(&delegators[*d], vec![msg], GAS))
            }
            Op::Choose {
                d,
                v: i,
                mode,
                ids,
                pledged,
            } => {
                let snapshot = net.chain.storage.snapshot();
                let ids: Vec<u64> = (0..3u64)
                    .filter(|c| ids & (1 << c) != 0)
                    .filter(|c| {
                        !pledged
                            || rampart_restaking::pledge::load(&snapshot, *c, &v[*i].operator())
                                .expect("reads")
                                .is_some()
                    })
                    .collect();
                let delegator = &delegators[*d];
                choice = Some(predicted(&net, delegator, &v[*i], *mode, &ids));
                let mode = rpb::BackingMode::try_from(*mode).expect("a mode");
                let msg = set_delegation_consumers(delegator, &v[*i], mode, &ids);
                Some(net.chain.free_tx(delegator, vec![msg], GAS))
            }
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
                    let next_time = BlockTime {
                        seconds: MockConsensus::time_of(height + 1).unix_timestamp(),
                        nanos: 0,
                    };
                    let snapshot = net.chain.storage.snapshot();
                    before = Some(Before {
                        signing: vsc_id,
                        sets: recorded
                            .iter()
                            .map(|id| (*id, net.recorded_set(*c, *id)))
                            .collect(),
                        key: key.verification_key().to_bytes(),
                        entries: net.unbonding_entries(&v[*i]),
                        values: delegation_values(&net, &v[*i]),
                        moved: rampart_restaking::choice::moved(
                            &snapshot,
                            *c,
                            &v[*i].operator(),
                            next_time,
                        )
                        .expect("reads"),
                    });
                    let votes =
                        [1, 2].map(|block| signed_vote(&key, &chain_id, vote_height, block, now));
                    let [a, b] = votes;
                    let msg = double_vote(&reporter, *c, a, b, &header);
                    net.chain.free_tx(&reporter, vec![msg], GAS)
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
            let height = net.chain.driver.height;
            if let (Op::Choose { d, v: i, .. }, Some(expected)) = (&op, &choice) {
                match expected {
                    Ok(backing) => {
                        assert_ok(&result);
                        let model = choices.entry((*d, *i)).or_default();
                        // The choice in force takes effect at once (dropping a pending one);
                        // another waits for the next epoch height (replacing a pending one).
                        model.pending = (*backing != model.current)
                            .then(|| (backing.clone(), next_epoch(height)));
                        let effective = model.pending.as_ref().map_or(height, |(_, h)| *h);
                        proptest::prop_assert_eq!(
                            tx_attr(&result, "set_delegation_consumers", "effective_height"),
                            Some(effective.to_string())
                        );
                    }
                    Err((codespace, code)) => proptest::prop_assert_eq!(
                        events::code(&result),
                        ((*codespace).to_owned(), *code),
                        "{:?}: {}",
                        op,
                        result.log
                    ),
                }
            }
            if let Some(text) = tx_attr(&result, "consumer_slash", "burned") {
                let (Op::DoubleVote { v: i, c, .. }, Some(before)) = (&op, &before) else {
                    unreachable!("only evidence slashes")
                };
                burned = leading_amount(&text);
                check_slash(
                    &net,
                    &result,
                    &op,
                    before,
                    &choices,
                    &v[*i],
                    *c,
                    denominators[*c as usize],
                    burned,
                    &delegators,
                )?;
            }
        }
        // The choices due by now took effect at their epoch height; every delegation's choice
        // is the modelled one.
        apply_due(&mut choices, net.chain.driver.height);
        for (d, delegator) in delegators.iter().enumerate() {
            for (i, validator) in v.iter().enumerate() {
                let model = choices.get(&(d, i)).cloned().unwrap_or_default();
                let answer: rpb::QueryDelegationConsumersResponse = net.chain.query(
                    "/rampart.restaking.v1.Query/DelegationConsumers",
                    &rpb::QueryDelegationConsumersRequest {
                        delegator: delegator.address().to_string(),
                        validator: valoper(validator),
                    },
                );
                proptest::prop_assert_eq!(
                    (answer.current, answer.pending, answer.pending_height),
                    (
                        Some(wire(&model.current)),
                        model.pending.as_ref().map(|(b, _)| wire(b)),
                        model.pending.as_ref().map_or(0, |(_, h)| *h)
                    ),
                    "delegator {}'s choice at validator {} after {:?}",
                    d,
                    i,
                    op
                );
            }
        }
        // Nothing but slashes changes the supply (no inflation, no fees, no rewards).
        proptest::prop_assert_eq!(
            net.chain.supply(DENOM).0,
            supply - burned,
            "supply after {:?}",
            op
        );
        // Every validator's exposure stays within the bound.
        for validator in &v {
            let exposure = net.exposure(validator);
            let total: Decimal = exposure.total_worst_case_fraction.parse().expect("decimal");
            proptest::prop_assert!(total <= max, "exposure {total} above {max} after {op:?}");
            proptest::prop_assert!(exposure.consumer_count <= 3);
        }
    }
    Ok(())
}

/// Checks a consumer slash of `validator` on consumer `c` (fraction 1 / `den`) that burned
/// `burned`, against what was read `before` it and the delegators' `choices`.
#[allow(clippy::too_many_arguments)]
fn check_slash(
    net: &Net,
    result: &tendermint::abci::types::ExecTxResult,
    op: &Op,
    before: &Before,
    choices: &BTreeMap<(usize, usize), Choice>,
    validator: &TestValidator,
    c: u64,
    den: u128,
    burned: u128,
    delegators: &[Key],
) -> Result<(), TestCaseError> {
    let Op::DoubleVote { v: i, .. } = op else {
        unreachable!("only evidence slashes")
    };
    // The set charged: a recorded sending of the signing set (the same validators and powers,
    // the same CometBFT hash) — the one in force at the header's time
    // (`rampart_consumer::sets::accepted_set`).
    let charged: u64 = tx_attr(result, "consumer_slash", "vsc_id")
        .expect("vsc id")
        .parse()
        .expect("vsc id");
    proptest::prop_assert!(before.sets.contains_key(&charged));
    proptest::prop_assert_eq!(
        keys_and_powers(&before.sets[&charged]),
        keys_and_powers(&before.sets[&before.signing])
    );
    let member = before.sets[&charged]
        .iter()
        .find(|m| m.consumer_pubkey == before.key)
        .expect("only a member of the signing set is slashed");
    // The amount the counted stake pays (in integers, independently of the handler's
    // decimals), and the bound it is within: `validator_power` is the power that backed the
    // consumer then.
    let bps = u128::from(member.pledge_bps);
    let expected = u128::from(member.validator_power) * 1_000_000 * bps / (den * 10_000);
    let limit = member.pledged_tokens.0 / den;
    proptest::prop_assert!(
        burned <= expected && expected <= limit,
        "burned {burned}, amount {expected}, limit {limit} ({op:?})"
    );
    // The whole amount is paid unless the validator ran out of tokens, or the stake backing the
    // consumer did (it keeps one token when some stake does not back the consumer).
    let backing_left = net
        .chain
        .storage
        .snapshot()
        .backing_tokens(&validator.operator(), c)
        .expect("reads")
        .0;
    if net.tokens(validator) > 0 && backing_left > 1 {
        proptest::prop_assert_eq!(burned, expected, "the whole amount is paid ({:?})", op);
    }
    proptest::prop_assert_eq!(
        tx_attr(result, "consumer_slash", "provider_height"),
        Some(member.provider_height.to_string())
    );
    // Stake that stopped backing the consumer at or after the infraction height (the counting
    // height + 1): its delegator's entries pay, and the delegation owes f × pledge of it.
    let infraction_height = member.provider_height + 1;
    let moved_owes = |who: &Address| -> Option<u128> {
        let owed: Vec<u128> = before
            .moved
            .iter()
            .filter(|m| m.delegator == *who && m.height >= infraction_height)
            .map(|m| m.tokens.0 * bps / (den * 10_000))
            .collect();
        (!owed.is_empty()).then(|| owed.iter().sum())
    };
    // Whose entries and delegations a slash for `c` may cut: the delegations backing it (and
    // the validator's own), and those that stopped backing it after the infraction.
    let excluded: BTreeMap<String, (Address, Choice)> = delegators
        .iter()
        .enumerate()
        .filter_map(|(d, key)| {
            let model = choices.get(&(d, *i)).cloned().unwrap_or_default();
            (!model.current.backs(c)).then(|| (key.address().to_string(), (key.address(), model)))
        })
        .collect();
    // Entries created at or before the counting height are untouched; later ones lose at most
    // the effective fraction of their initial balance, and those of a delegator whose choice
    // excludes the consumer nothing, unless it stopped backing it after the infraction.
    let after = net.unbonding_entries(validator);
    let mut entries_cut = 0i128;
    for old in &before.entries {
        let Some(new) = after.iter().find(|e| entry_id(e) == entry_id(old)) else {
            continue; // matured in this block
        };
        let (balance, was) = (
            new.1.balance.parse::<u128>().expect("amount"),
            old.1.balance.parse::<u128>().expect("amount"),
        );
        let initial: u128 = old.1.initial_balance.parse().expect("amount");
        entries_cut += i128::try_from(was).expect("fits") - i128::try_from(balance).expect("fits");
        if old.1.creation_height <= i64::try_from(member.provider_height).expect("fits") {
            proptest::prop_assert_eq!(
                balance,
                was,
                "an entry older than the counting was cut ({:?})",
                op
            );
        } else {
            proptest::prop_assert!(was - balance <= initial * bps / (den * 10_000));
        }
        if let Some((who, model)) = excluded.get(&old.0) {
            if moved_owes(who).is_none() {
                proptest::prop_assert_eq!(
                    balance,
                    was,
                    "an entry of {} (choice {:?}) was cut for consumer {} ({:?})",
                    old.0,
                    model.current,
                    c,
                    op
                );
            }
        }
    }
    // Conservation: a delegation whose choice excludes the consumer loses nothing to its slash
    // (to within a uramp of rounding) when that choice was in force when the stake was counted
    // and since; one whose stake stopped backing it after the infraction, at most what that
    // stake owes.
    let values = delegation_values(net, validator);
    for (text, (who, model)) in &excluded {
        let was = before.values.get(who).copied().unwrap_or(0);
        let now = values.get(who).copied().unwrap_or(0);
        let lost = was.saturating_sub(now);
        if model.since <= member.provider_height {
            proptest::prop_assert_eq!(
                moved_owes(who),
                None,
                "{}'s choice {:?} is in force since {}, before the set counted at {}, yet \
                 stake of it moved after ({:?})",
                text,
                model.current,
                model.since,
                member.provider_height,
                op
            );
            proptest::prop_assert!(
                lost <= 1,
                "{text} excludes consumer {c} since height {} (set counted at {}) and lost \
                 {lost} of {was} to its slash ({op:?})",
                model.since,
                member.provider_height
            );
        } else {
            let owes = moved_owes(who).unwrap_or(0);
            proptest::prop_assert!(
                lost <= owes + 1,
                "{text} stopped backing consumer {c} at {} and lost {lost} of {was}, more than \
                 its moved stake owes ({owes}) ({op:?})",
                model.since
            );
        }
    }
    // Whatever the slash burned came out of the validator's delegations and unbonding entries,
    // no more and no less (each delegation's value rounds down: a uramp each).
    let delegations_lost: i128 = before
        .values
        .iter()
        .map(|(who, was)| {
            let now = values.get(who).copied().unwrap_or(0);
            i128::try_from(*was).expect("fits") - i128::try_from(now).expect("fits")
        })
        .sum();
    let tolerance = i128::try_from(before.values.len().max(values.len())).expect("small") + 1;
    let taken = delegations_lost + entries_cut;
    proptest::prop_assert!(
        (taken - i128::try_from(burned).expect("fits")).abs() <= tolerance,
        "burned {burned}, but the delegations lost {delegations_lost} and the entries \
         {entries_cut} ({op:?})"
    );
    Ok(())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 16, ..Default::default() })]

    /// Over random opt-ins, pledges, delegations, undelegations, choices of consumers by three
    /// delegators and double votes on three consumers, with blocks (and so epochs counting the
    /// sets and applying the choices) between them: every choice is accepted or refused as its
    /// rules say and takes effect at its epoch height (or at once, when it is the one in force);
    /// every consumer slash burns exactly its fraction of the pledge counted for the offender in
    /// the set charged (the one that signed the infraction's header, or the earliest recorded
    /// one with the same validators; the stake backing the consumer then; at most that fraction
    /// of the pledged tokens), never cuts an unbonding entry created at or before the height
    /// that stake was counted at, and cuts the later ones by at most the slash fraction; a
    /// delegation whose choice excludes the consumer — in force when the set counted the stake,
    /// and since — loses nothing to it (to within a uramp), nor do its unbonding entries; stake
    /// that stopped backing the consumer after the infraction pays at most the fraction of what
    /// moved; the offender's delegations and entries lose exactly what was burned; the supply
    /// falls by exactly what was burned and by nothing else; every validator's worst case stays
    /// within `max_slash_exposure`.
    #[test]
    fn no_slash_exceeds_its_bound_and_no_exposure_its_limit(
        initial in 0u8..16,
        ops in proptest::collection::vec(op_strategy(), 15..40),
    ) {
        run(initial, ops)?;
    }
}
