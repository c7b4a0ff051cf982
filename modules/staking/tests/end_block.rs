//! End block: the active set as a diff, status transitions, maturity by block time, slashing of
//! entries before vs at/after the infraction height.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use cosmos_sdk_proto::cosmos::staking::v1beta1::BondStatus;
use rampart_core::{Amount, Decimal, ValidatorUpdate};
use rampart_staking::{jail, unjail, Infraction, StakingRead};

fn update(key: u8, power: u64) -> ValidatorUpdate {
    ValidatorUpdate {
        ed25519_pubkey: consensus_key(key),
        power,
    }
}

fn status(chain: &Chain, n: u8) -> BondStatus {
    chain.state.validator(&addr(n)).unwrap().unwrap().status
}

#[test]
fn active_set_is_the_top_by_power_and_only_changes_are_sent() {
    let mut chain = Chain::with_validators(2, &[(1, 3_000_000), (2, 2_000_000), (3, 1_000_000)]);
    chain.fund(9, 10_000_000);
    assert_eq!(chain.end_block(5), vec![update(1, 3), update(2, 2)]);
    assert_eq!(status(&chain, 3), BondStatus::Unbonded);
    assert!(
        chain.end_block(5).is_empty(),
        "nothing changed, nothing sent"
    );
    // Delegating 3 M to validator 3 lifts it above 1 and 2: 3 enters, 2 leaves, 1 is unchanged
    // and not sent.
    chain.deliver(&delegate(9, 3, 3_000_000));
    assert_eq!(chain.end_block(5), vec![update(3, 4), update(2, 0)]);
    assert_eq!(status(&chain, 2), BondStatus::Unbonding);
    assert_eq!(status(&chain, 3), BondStatus::Bonded);
    assert_eq!(chain.state.active_set(), vec![(addr(1), 3), (addr(3), 4)]);
    // A tie in power is broken by operator bytes: 2 reaches 3 M and ties with 1, whose address
    // sorts first, so 1 stays.
    chain.deliver(&delegate(9, 2, 1_000_000));
    assert!(chain.end_block(5).is_empty());
    // Jailing removes; unjailing brings it back.
    jail(&mut chain.state, &addr(3)).unwrap();
    assert_eq!(chain.end_block(5), vec![update(2, 3), update(3, 0)]);
    unjail(&mut chain.state, &addr(3)).unwrap();
    assert_eq!(chain.end_block(5), vec![update(3, 4), update(2, 0)]);
    // The validator 2 went back to Unbonding, then matures into Unbonded after 100 s.
    assert_eq!(status(&chain, 2), BondStatus::Unbonding);
    chain.end_block(100);
    chain.end_block(5);
    assert_eq!(status(&chain, 2), BondStatus::Unbonded);
}

#[test]
fn zero_power_removes_and_an_empty_unbonded_validator_is_deleted() {
    let mut chain = Chain::with_validators(5, &[(1, 2_000_000), (2, 2_000_000)]);
    chain.end_block(5);
    // Below 10^6 tokens the power is 0: validator 1 leaves the CometBFT set.
    chain.deliver(&undelegate(1, 1, 1_500_000));
    assert_eq!(chain.end_block(5), vec![update(1, 0)]);
    assert_eq!(
        status(&chain, 1),
        BondStatus::Unbonding,
        "power 0 is not in the active set"
    );
    assert_eq!(chain.state.active_set(), vec![(addr(2), 2)]);
    chain.deliver(&undelegate(1, 1, 500_000));
    chain.end_block(100);
    chain.end_block(5);
    assert!(
        chain.state.validator(&addr(1)).unwrap().is_none(),
        "deleted once unbonded and empty"
    );
    assert_eq!(chain.balance(1), 10_000_000, "all tokens came back");
}

#[test]
fn unbonding_matures_by_block_time_not_height() {
    let mut chain = Chain::with_validators(5, &[(1, 2_000_000)]);
    chain.fund(9, 1_000_000);
    chain.end_block(5);
    chain.deliver(&delegate(9, 1, 1_000_000));
    chain.deliver(&undelegate(9, 1, 600_000));
    let start = chain.time.seconds;
    chain.end_block(50);
    for _ in 0..20 {
        chain.end_block(2); // 40 more seconds over many blocks: not yet 100.
    }
    assert_eq!(chain.balance(9), 0);
    assert!(chain.time.seconds - start < 100);
    chain.end_block(10); // now at start + 100 at the next end block
    chain.end_block(1);
    assert_eq!(chain.balance(9), 600_000);
}

#[test]
fn slash_cuts_entries_created_at_or_after_the_infraction_height_only() {
    let mut chain = Chain::with_validators(5, &[(1, 4_000_000), (2, 4_000_000)]);
    chain.fund(9, 10_000_000);
    chain.deliver(&delegate(9, 1, 6_000_000));
    chain.end_block(5);
    // Height 2: an unbonding and a redelegation before the infraction.
    chain.deliver(&undelegate(9, 1, 1_000_000));
    chain.deliver(&redelegate(9, 1, 2, 1_000_000));
    chain.end_block(5);
    let infraction = chain.height; // 3
    chain.deliver(&undelegate(9, 1, 2_000_000));
    chain.deliver(&redelegate(9, 1, 2, 2_000_000));
    chain.end_block(5);
    let tokens_before = chain.state.validator(&addr(1)).unwrap().unwrap().tokens;
    assert_eq!(tokens_before, Amount(4_000_000));
    let dst_before = chain.state.validator(&addr(2)).unwrap().unwrap().tokens;
    let out = slash_validator(
        &mut chain,
        1,
        Infraction {
            consumer: None,
            height: infraction,
            // At height 3: 4 M self + 6 M delegated − 1 M unbonded − 1 M redelegated.
            power: 8,
            fraction: Decimal::from_bps(1_000),
        },
    )
    .unwrap();
    // 10 % of the 8 M at stake at height 3: 10 % of the 2 M unbonding and of the 2 M redelegated
    // after it, the remaining 400,000 from the validator's own tokens.
    assert_eq!(out.burned, Amount(400_000 + 200_000 + 200_000));
    assert_eq!(
        chain.state.validator(&addr(1)).unwrap().unwrap().tokens,
        Amount(3_600_000)
    );
    assert_eq!(
        chain.state.validator(&addr(2)).unwrap().unwrap().tokens,
        Amount(dst_before.0 - 200_000)
    );
    let ubd = rampart_staking::unbonding::load(&chain.state, &addr(9), &addr(1))
        .unwrap()
        .unwrap();
    let balances: Vec<&str> = ubd.entries.iter().map(|e| e.balance.as_str()).collect();
    assert_eq!(
        balances,
        ["1000000", "1800000"],
        "the earlier entry is untouched"
    );
    chain.check_invariants();
    chain.end_block(200);
    chain.end_block(1);
    assert_eq!(chain.balance(9), 10_000_000 - 6_000_000 + 2_800_000);
}

#[test]
fn slash_fraction_above_one_is_refused() {
    let mut chain = Chain::with_validators(5, &[(1, 4_000_000)]);
    let too_much = Decimal(Decimal::ONE.0 + 1);
    assert!(slash_validator(
        &mut chain,
        1,
        Infraction {
            consumer: None,
            height: 1,
            power: 4,
            fraction: too_much,
        }
    )
    .is_err());
    assert!(slash_validator(
        &mut chain,
        7,
        Infraction {
            consumer: None,
            height: 1,
            power: 4,
            fraction: Decimal::ONE,
        }
    )
    .is_err());
}

#[test]
fn stake_that_arrives_after_the_infraction_does_not_raise_the_slash() {
    let mut chain = Chain::with_validators(5, &[(1, 4_000_000)]);
    chain.fund(9, 10_000_000);
    chain.end_block(5);
    let infraction = chain.height;
    chain.deliver(&delegate(9, 1, 4_000_000));
    chain.end_block(5);
    let out = slash_validator(
        &mut chain,
        1,
        Infraction {
            consumer: None,
            height: infraction,
            power: 4,
            fraction: Decimal::from_bps(1_000),
        },
    )
    .unwrap();
    assert_eq!(out.burned, Amount(400_000), "10 % of the 4 M at stake then");
    assert_eq!(out.from_validator, Amount(400_000));
    assert_eq!(
        chain.state.validator(&addr(1)).unwrap().unwrap().tokens,
        Amount(7_600_000),
        "shared by every share holder through the exchange rate"
    );
    chain.check_invariants();
}

/// Validator 1 with 1 M at stake at the returned infraction height; afterwards a delegator
/// brings 8 M, unbonds `unbond` and redelegates `moved` to validator 2. Slashes 10 % of the
/// 1 M at stake (an amount of 100,000) and returns the outcome and the tokens validator 2 lost.
fn slash_after_entries(unbond: u128, moved: u128) -> (Chain, rampart_staking::SlashOutcome, u128) {
    let mut chain = Chain::with_validators(5, &[(1, 1_000_000), (2, 4_000_000)]);
    chain.fund(9, 10_000_000);
    chain.end_block(5);
    let infraction = chain.height;
    chain.deliver(&delegate(9, 1, 8_000_000));
    chain.end_block(5);
    chain.deliver(&undelegate(9, 1, unbond));
    chain.deliver(&redelegate(9, 1, 2, moved));
    chain.end_block(5);
    let dst_before = chain.state.validator(&addr(2)).unwrap().unwrap().tokens;
    let out = slash_validator(
        &mut chain,
        1,
        Infraction {
            consumer: None,
            height: infraction,
            power: 1,
            fraction: Decimal::from_bps(1_000),
        },
    )
    .unwrap();
    let dst_after = chain.state.validator(&addr(2)).unwrap().unwrap().tokens;
    chain.check_invariants();
    (chain, out, dst_before.0 - dst_after.0)
}

#[test]
fn entries_never_lose_more_in_total_than_the_slash_amount() {
    // 10 % of the 5 M unbonding (500,000) would exceed the 100,000 amount: the unbonding entry
    // pays the whole amount, the redelegation and the validator nothing.
    let (chain, out, redelegated_lost) = slash_after_entries(5_000_000, 3_000_000);
    assert_eq!(out.burned, Amount(100_000));
    assert_eq!(out.from_validator, Amount::ZERO);
    assert_eq!(redelegated_lost, 0);
    let ubd = rampart_staking::unbonding::load(&chain.state, &addr(9), &addr(1))
        .unwrap()
        .unwrap();
    assert_eq!(ubd.entries[0].balance, "4900000");
}

#[test]
fn a_redelegation_pays_only_what_the_unbondings_left_of_the_amount() {
    // The unbonding pays 50,000 of the 100,000; the redelegated stake the other 50,000 (not
    // the 750,000 its 10 % would be).
    let (_, out, redelegated_lost) = slash_after_entries(500_000, 7_500_000);
    assert_eq!(out.burned, Amount(100_000));
    assert_eq!(redelegated_lost, 50_000);
}
