//! Messages: shares and exchange rate, commission edits, entry limits, redelegation rules and
//! every bad input of the issue (stable code and log, no write).
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use cosmos_sdk_proto::cosmos::staking::v1beta1::MsgUndelegateResponse;
use prost::Message;
use rampart_core::{Amount, Decimal, Events, Module, StateRead};
use rampart_staking::{Infraction, StakingRead};

fn chain_with_two_validators() -> Chain {
    let mut chain = Chain::with_validators(10, &[(1, 5_000_000), (2, 5_000_000)]);
    chain.fund(9, 10_000_000);
    chain.end_block(5);
    chain
}

fn shares(chain: &Chain, d: u8, v: u8) -> Decimal {
    rampart_staking::delegation::shares(&chain.state, &addr(d), &addr(v))
        .unwrap()
        .unwrap_or_default()
}

#[test]
fn delegation_after_a_slash_buys_more_shares_and_rounding_never_creates_tokens() {
    let mut chain = chain_with_two_validators();
    chain.deliver(&delegate(9, 1, 1_000_000));
    assert_eq!(
        shares(&chain, 9, 1),
        Decimal::from_ratio(1_000_000, 1).unwrap()
    );
    let height = chain.height;
    let out = slash_validator(
        &mut chain,
        1,
        Infraction {
            consumer: None,
            height,
            power: 6,
            fraction: Decimal::from_bps(1_000),
        },
    )
    .unwrap();
    assert_eq!(out.burned, Amount(600_000), "10 % of 6,000,000 tokens");
    chain.check_invariants();
    chain.deliver(&delegate(9, 1, 900_000));
    // 900,000 tokens at 5,400,000 tokens / 6,000,000 shares buy 1,000,000 shares.
    assert_eq!(
        shares(&chain, 9, 1),
        Decimal::from_ratio(2_000_000, 1).unwrap()
    );
    // Undelegating an awkward amount returns at most what was asked.
    let before = chain.state.validator(&addr(1)).unwrap().unwrap().tokens;
    let (resp, _) = chain.deliver(&undelegate(9, 1, 333_333));
    let resp = MsgUndelegateResponse::decode(resp.value.as_slice()).unwrap();
    let returned: u128 = resp.amount.unwrap().amount.parse().unwrap();
    assert!(returned <= 333_333, "{returned}");
    let after = chain.state.validator(&addr(1)).unwrap().unwrap().tokens;
    assert_eq!(
        before.0 - after.0,
        returned,
        "tokens leave the validator exactly"
    );
    chain.end_block(5);
}

#[test]
fn responses_and_events_follow_the_sdk() {
    let mut chain = chain_with_two_validators();
    let (resp, events) = chain.deliver(&delegate(9, 1, 2_000_000));
    assert_eq!(resp.type_url, "/cosmos.staking.v1beta1.MsgDelegateResponse");
    assert_eq!(events[0].kind, "delegate");
    assert!(events[0]
        .attributes
        .contains(&("amount".into(), "2000000uramp".into())));
    let (resp, events) = chain.deliver(&undelegate(9, 1, 1_000_000));
    assert_eq!(
        resp.type_url,
        "/cosmos.staking.v1beta1.MsgUndelegateResponse"
    );
    let resp = MsgUndelegateResponse::decode(resp.value.as_slice()).unwrap();
    assert_eq!(
        resp.completion_time.unwrap().seconds,
        chain.time.seconds + 100
    );
    assert_eq!(events[0].kind, "unbond");
    assert!(events[0]
        .attributes
        .iter()
        .any(|(k, v)| k == "completion_time" && v.ends_with('Z')));
    let (_, events) = chain.deliver(&redelegate(9, 1, 2, 500_000));
    assert_eq!(events[0].kind, "redelegate");
    assert_eq!(
        chain
            .staking
            .validate_msg(
                &rampart_core::ChainProfile::rampart(),
                &redelegate(9, 1, 2, 1)
            )
            .unwrap(),
        vec![addr(9)]
    );
    assert_eq!(
        chain
            .staking
            .validate_msg(
                &rampart_core::ChainProfile::rampart(),
                &create_validator(3, 1)
            )
            .unwrap(),
        vec![addr(3)]
    );
    chain.end_block(5);
}

#[test]
fn bad_input_gets_a_stable_code_and_leaves_state_unchanged() {
    let mut chain = chain_with_two_validators();
    chain.deliver(&delegate(9, 1, 1_000_000));
    let expect = |chain: &mut Chain, msg, codespace: &str, code: u32, log: &str| {
        let e = chain.refuse(&msg);
        assert_eq!((e.codespace, e.code), (codespace, code), "{e}");
        assert!(e.log.contains(log), "{e}");
    };
    // Unknown validator.
    expect(
        &mut chain,
        delegate(9, 7, 10),
        "staking",
        3,
        "does not exist",
    );
    // Zero amounts; a malformed amount.
    expect(&mut chain, delegate(9, 1, 0), "sdk", 10, "must be positive");
    expect(
        &mut chain,
        undelegate(9, 1, 0),
        "sdk",
        10,
        "must be positive",
    );
    let raw = |amount: &str, denom: &str| tendermint_proto::google::protobuf::Any {
        type_url: rampart_staking::msgs::DELEGATE.into(),
        value: cosmos_sdk_proto::cosmos::staking::v1beta1::MsgDelegate {
            delegator_address: acc(9),
            validator_address: valoper(1),
            amount: Some(cosmos_sdk_proto::cosmos::base::v1beta1::Coin {
                denom: denom.into(),
                amount: amount.into(),
            }),
        }
        .encode_to_vec(),
    };
    expect(&mut chain, raw("-5", "uramp"), "sdk", 10, "invalid amount");
    // Wrong denom; insufficient funds.
    let wrong_denom = raw("5", "uatom");
    expect(
        &mut chain,
        wrong_denom,
        "sdk",
        18,
        "invalid coin denomination",
    );
    expect(
        &mut chain,
        delegate(9, 1, 1_000_000_000),
        "sdk",
        5,
        "insufficient funds",
    );
    // Undelegating more than delegated; no delegation at all.
    expect(
        &mut chain,
        undelegate(9, 1, 1_000_001),
        "staking",
        22,
        "insufficient delegation shares",
    );
    expect(
        &mut chain,
        undelegate(8, 1, 1),
        "staking",
        19,
        "no delegation",
    );
    // Redelegating to the same validator.
    expect(
        &mut chain,
        redelegate(9, 1, 1, 10),
        "staking",
        29,
        "same validator",
    );
    expect(
        &mut chain,
        redelegate(9, 1, 7, 10),
        "staking",
        31,
        "destination validator not found",
    );
    // A consensus key already in use; an invalid commission; a non-ed25519 key.
    chain.fund(3, 10_000_000);
    expect(
        &mut chain,
        create_validator_with(3, 1, 1_000_000, 1, rates(10, 20, 1)),
        "staking",
        5,
        "pubkey",
    );
    expect(
        &mut chain,
        create_validator_with(3, 3, 1_000_000, 1, rates(30, 20, 1)),
        "staking",
        11,
        "max rate",
    );
    expect(
        &mut chain,
        create_validator_with(3, 3, 1_000_000, 1, rates(10, 101, 1)),
        "staking",
        10,
        "100%",
    );
    expect(
        &mut chain,
        create_validator_with(3, 3, 1_000_000, 1, rates(10, 20, 30)),
        "staking",
        14,
        "change rate",
    );
    expect(
        &mut chain,
        create_validator_with(3, 3, 1_000_000, 2_000_000, rates(10, 20, 1)),
        "staking",
        16,
        "minimum self delegation",
    );
    expect(
        &mut chain,
        create_validator(1, 1_000_000),
        "staking",
        4,
        "already exist",
    );
    // Edits that break the commission rules (created at genesis time; 5 s later is too soon).
    expect(
        &mut chain,
        edit_validator(1, Some(Decimal::from_bps(1_050)), None),
        "staking",
        12,
        "24h",
    );
    chain.time.seconds += 86_400;
    expect(
        &mut chain,
        edit_validator(1, Some(Decimal::from_bps(1_200)), None),
        "staking",
        15,
        "max change rate",
    );
    expect(
        &mut chain,
        edit_validator(1, Some(Decimal::from_bps(2_100)), None),
        "staking",
        11,
        "max rate",
    );
    expect(
        &mut chain,
        edit_validator(1, None, Some(0)),
        "staking",
        17,
        "cannot be decrease",
    );
    chain.deliver(&edit_validator(1, Some(Decimal::from_bps(1_050)), None));
    // Malformed addresses are sdk/7 at signer extraction (the app refuses other signers).
    let mut bad_addr = delegate(9, 1, 1);
    bad_addr.value = cosmos_sdk_proto::cosmos::staking::v1beta1::MsgDelegate {
        delegator_address: valoper(9),
        validator_address: valoper(1),
        amount: Some(uramp(1)),
    }
    .encode_to_vec();
    let e = chain
        .staking
        .validate_msg(&rampart_core::ChainProfile::rampart(), &bad_addr)
        .unwrap_err();
    assert_eq!(e.code, 7, "{e}");
    chain.end_block(5);
}

#[test]
fn entry_limits_and_transitive_redelegation() {
    let mut chain = chain_with_two_validators();
    chain.fund(3, 10_000_000);
    chain.deliver(&create_validator(3, 5_000_000));
    chain.deliver(&delegate(9, 1, 5_000_000));
    for _ in 0..7 {
        chain.deliver(&undelegate(9, 1, 10));
    }
    let e = chain.refuse(&undelegate(9, 1, 10));
    assert_eq!((e.codespace, e.code), ("staking", 27), "{e}");
    for _ in 0..7 {
        chain.deliver(&redelegate(9, 1, 2, 10));
    }
    let e = chain.refuse(&redelegate(9, 1, 2, 10));
    assert_eq!((e.codespace, e.code), ("staking", 33), "{e}");
    // 2 is the destination of a maturing redelegation of delegator 9: 2 → 3 is transitive.
    let e = chain.refuse(&redelegate(9, 2, 3, 10));
    assert_eq!((e.codespace, e.code), ("staking", 32), "{e}");
    // Another delegator may, and after maturity delegator 9 may too.
    chain.deliver(&delegate(2, 2, 100));
    chain.deliver(&redelegate(2, 2, 3, 10));
    chain.end_block(101);
    chain.end_block(1);
    chain.deliver(&redelegate(9, 2, 3, 10));
    chain.end_block(1);
}

#[test]
fn cancel_unbonding_returns_tokens_to_the_delegation() {
    let mut chain = chain_with_two_validators();
    chain.deliver(&delegate(9, 1, 1_000_000));
    chain.deliver(&undelegate(9, 1, 400_000));
    let height = chain.height as i64;
    chain.end_block(5);
    let e = chain.refuse(&cancel_unbonding(9, 1, 400_001, height));
    assert_eq!(e.code, 18, "{e}");
    let e = chain.refuse(&cancel_unbonding(9, 1, 1, height + 1));
    assert_eq!((e.codespace, e.code), ("staking", 41), "{e}");
    chain.deliver(&cancel_unbonding(9, 1, 150_000, height));
    assert_eq!(
        shares(&chain, 9, 1),
        Decimal::from_ratio(750_000, 1).unwrap()
    );
    chain.end_block(5);
    chain.deliver(&cancel_unbonding(9, 1, 250_000, height));
    assert!(chain
        .state
        .get(&rampart_staking::keys::unbonding(&addr(9), &addr(1)))
        .is_none());
    chain.end_block(5);
}

#[test]
fn self_delegation_below_minimum_jails() {
    let mut chain = Chain::with_max(10);
    chain.fund(1, 10_000_000);
    chain.deliver(&create_validator_with(
        1,
        1,
        3_000_000,
        2_000_000,
        rates(10, 20, 1),
    ));
    assert_eq!(chain.end_block(5).len(), 1);
    chain.deliver(&undelegate(1, 1, 1_500_000));
    assert!(chain.state.validator(&addr(1)).unwrap().unwrap().jailed);
    let updates = chain.end_block(5);
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].power, 0, "jailed validator leaves the set");
}

/// Records, per (delegator, validator), how many times the hook fired and the validator's
/// shares it saw (which must be the shares before the change).
struct Recorder;

impl rampart_staking::StakingHooks for Recorder {
    fn before_delegation_shares_change(
        &self,
        state: &mut dyn rampart_core::StateWrite,
        delegator: &rampart_core::Address,
        validator: &rampart_staking::Validator,
        _events: &mut Events,
    ) -> rampart_core::AppResult<()> {
        let key = [b"hooktest/" as &[u8], delegator, &validator.operator].concat();
        let calls = state.get(&key).map_or(0, |v| v[0]) + 1;
        let mut value = vec![calls];
        value.extend_from_slice(&validator.delegator_shares.0.to_be_bytes());
        state.put(key, value);
        Ok(())
    }
}

fn recorded(chain: &Chain, d: u8, v: u8) -> (u8, u128) {
    let key = [b"hooktest/" as &[u8], &addr(d), &addr(v)].concat();
    chain.state.get(&key).map_or((0, 0), |v| {
        (v[0], u128::from_be_bytes(v[1..].try_into().unwrap()))
    })
}

#[test]
fn hooks_fire_before_every_share_change_with_the_old_validator() {
    let mut chain = chain_with_two_validators();
    chain.set_staking(rampart_testkit::module_chain::staking_module(Some(
        std::sync::Arc::new(Recorder),
    )));
    let one = Decimal::ONE.0;
    chain.deliver(&delegate(9, 1, 1_000_000));
    assert_eq!(recorded(&chain, 9, 1), (1, 5_000_000 * one));
    chain.deliver(&undelegate(9, 1, 100_000));
    assert_eq!(recorded(&chain, 9, 1), (2, 6_000_000 * one));
    chain.deliver(&redelegate(9, 1, 2, 100_000));
    assert_eq!(recorded(&chain, 9, 1), (3, 5_900_000 * one));
    assert_eq!(recorded(&chain, 9, 2), (1, 5_000_000 * one));
    // A refused message leaves no trace of the hook either.
    chain.refuse(&undelegate(9, 1, 10_000_000));
    assert_eq!(recorded(&chain, 9, 1).0, 3);
    chain.end_block(5);
}
