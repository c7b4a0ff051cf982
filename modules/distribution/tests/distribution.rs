//! Distribution over the real auth, bank, staking and mint modules: proportional rewards,
//! settlement on share changes, slashing, multiple denoms, commission, withdraw addresses, the
//! public allocation entry point, queries, genesis round trips and refusals.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use cosmos_sdk_proto::cosmos::distribution::v1beta1 as pb;
use prost::Message;
use rampart_bank::{BankRead, Coin};
use rampart_core::Address;
use rampart_core::{Decimal, Events, Module, Overlay};
use rampart_distribution::{allocate_to_validator, module_address, DecCoins, Terms};
use rampart_staking::{Infraction, StakingRead};

/// Validator 1 (10 % commission, self-bond 1,000,000) with delegators 9 (1,000,000) and
/// 8 (2,000,000); validator 1 proposes; bonded from block 2 on. Returns at block 2.
fn one_validator(mut chain: Chain) -> Chain {
    for n in [1, 8, 9] {
        chain.fund_coins(n, &[(DENOM, 10_000_000)]);
    }
    chain.deliver(&create_validator(1, 1_000_000, 10));
    chain.deliver(&delegate(9, 1, 1_000_000));
    chain.deliver(&delegate(8, 1, 2_000_000));
    chain.propose(1);
    chain.next_block();
    assert_eq!(chain.state.active_set().len(), 1);
    chain
}

#[test]
fn delegators_earn_in_proportion_to_their_shares() {
    let mut chain = one_validator(Chain::untaxed());
    chain.pay_fees(&[(DENOM, 4_000_000)]);
    let events = chain.next_block();
    assert_eq!(
        attr(&events, "commission", "amount"),
        Some("400000.000000000000000000uramp")
    );
    assert_eq!(
        attr(&events, "rewards", "amount"),
        Some("4000000.000000000000000000uramp")
    );
    assert_eq!(
        attr(&events, "rewards", "validator"),
        Some(valoper(1).as_str())
    );
    // 3,600,000 over 4,000,000 shares: 0.9 per share.
    assert_eq!(chain.pending(9, 1, DENOM), units(900_000));
    assert_eq!(chain.pending(8, 1, DENOM), units(1_800_000));
    assert_eq!(chain.pending(1, 1, DENOM), units(900_000));
    assert!(chain
        .state
        .balances(&Address::module(rampart_auth::FEE_COLLECTOR))
        .unwrap()
        .is_empty());

    let (resp, events) = chain.deliver(&withdraw_reward(9, 1));
    let resp = pb::MsgWithdrawDelegatorRewardResponse::decode(resp.value.as_slice()).unwrap();
    assert_eq!(resp.amount[0].amount, "900000");
    assert_eq!(
        attr(&events, "withdraw_rewards", "amount"),
        Some("900000uramp")
    );
    assert_eq!(
        attr(&events, "withdraw_rewards", "delegator"),
        Some(acc(9).as_str())
    );
    assert_eq!(chain.balance_of(9, DENOM), 9_000_000 + 900_000);
    assert_eq!(chain.pending(9, 1, DENOM), Decimal::ZERO);
    // A second withdrawal in the same block pays nothing (and says "0uramp" like the SDK).
    let (_, events) = chain.deliver(&withdraw_reward(9, 1));
    assert_eq!(attr(&events, "withdraw_rewards", "amount"), Some("0uramp"));
    chain.deliver(&withdraw_reward(8, 1));
    assert_eq!(chain.balance_of(8, DENOM), 8_000_000 + 1_800_000);
    chain.next_block();
}

#[test]
fn delegating_again_first_withdraws_what_is_pending() {
    let mut chain = one_validator(Chain::untaxed());
    chain.pay_fees(&[(DENOM, 4_000_000)]);
    chain.next_block();
    let before = chain.balance_of(9, DENOM);
    let (_, events) = chain.deliver(&delegate(9, 1, 1_000_000));
    assert_eq!(
        attr(&events, "withdraw_rewards", "amount"),
        Some("900000uramp")
    );
    assert_eq!(chain.balance_of(9, DENOM), before + 900_000 - 1_000_000);
    assert_eq!(chain.pending(9, 1, DENOM), Decimal::ZERO);
    // Now 9 holds 2,000,000 of 5,000,000 shares: 0.4 of the delegators' part.
    chain.pay_fees(&[(DENOM, 5_000_000)]);
    chain.next_block();
    // 4,500,000 over 5,000,000 shares = 0.9 per share.
    assert_eq!(chain.pending(9, 1, DENOM), units(1_800_000));
    assert_eq!(chain.pending(8, 1, DENOM), units(1_800_000 + 1_800_000));
    // Undelegating everything pays out too, and then there is no delegation left to query.
    let before = chain.balance_of(9, DENOM);
    chain.deliver(&undelegate(9, 1, 2_000_000));
    assert_eq!(chain.balance_of(9, DENOM), before + 1_800_000);
    let err = chain
        .try_query_distribution(
            "DelegationRewards",
            pb::QueryDelegationRewardsRequest {
                delegator_address: acc(9),
                validator_address: valoper(1),
            },
        )
        .unwrap_err();
    assert_eq!((err.codespace, err.code), ("distribution", 13));
    chain.next_block();
}

#[test]
fn rewards_stay_exact_per_share_across_a_slash() {
    let mut chain = one_validator(Chain::untaxed());
    chain.pay_fees(&[(DENOM, 4_000_000)]);
    chain.next_block();
    // Slash validator 1 by half: tokens 4,000,000 → 2,000,000, shares unchanged.
    let ports = chain.staking.ports();
    let height = chain.height;
    rampart_staking::slash(
        &mut chain.state,
        ports,
        &addr(1),
        Infraction {
            consumer: None,
            height,
            power: 4,
            fraction: Decimal::from_bps(5_000),
        },
        chain.time,
        &mut Events::new(),
    )
    .unwrap();
    let v = chain.state.validator(&addr(1)).unwrap().unwrap();
    assert_eq!(v.tokens.0, 2_000_000);
    // Rewards earned before the slash are untouched.
    assert_eq!(chain.pending(9, 1, DENOM), units(900_000));
    // A new delegator buys 2 shares per token after the slash.
    chain.fund_coins(7, &[(DENOM, 10_000_000)]);
    chain.deliver(&delegate(7, 1, 1_000_000));
    assert_eq!(
        chain.state.delegation_shares(&addr(7), &addr(1)).unwrap(),
        Some(units(2_000_000))
    );
    chain.pay_fees(&[(DENOM, 6_000_000)]);
    chain.next_block();
    // 5,400,000 over 6,000,000 shares = 0.9 per share, for everyone alike.
    assert_eq!(chain.pending(9, 1, DENOM), units(900_000 + 900_000));
    assert_eq!(chain.pending(8, 1, DENOM), units(1_800_000 + 1_800_000));
    assert_eq!(chain.pending(7, 1, DENOM), units(1_800_000));
    chain.next_block();
}

#[test]
fn several_denoms_are_shared_with_dust_left_outstanding() {
    let mut chain = one_validator(Chain::untaxed());
    chain.pay_fees(&[(DENOM, 1_000), ("ibc/ATOM", 7)]);
    chain.next_block();
    // ibc/ATOM: 0.7 commission, 6.3 over 4,000,000 shares.
    let per_share = Decimal(6_300_000_000_000_000_000 / 4_000_000);
    assert_eq!(
        chain.pending(8, 1, "ibc/ATOM"),
        per_share.checked_mul(units(2_000_000)).unwrap()
    );
    let (resp, _) = chain.deliver(&withdraw_reward(8, 1));
    let resp = pb::MsgWithdrawDelegatorRewardResponse::decode(resp.value.as_slice()).unwrap();
    // 3.15 ATOM and 450 uramp: the whole coins are paid, the fraction stays outstanding.
    let paid: Vec<_> = resp
        .amount
        .iter()
        .map(|c| (c.denom.as_str(), c.amount.as_str()))
        .collect();
    assert_eq!(paid, [("ibc/ATOM", "3"), (DENOM, "450")]);
    assert_eq!(chain.balance_of(8, "ibc/ATOM"), 3);
    let outstanding: pb::QueryValidatorOutstandingRewardsResponse = chain.query_distribution(
        "ValidatorOutstandingRewards",
        pb::QueryValidatorOutstandingRewardsRequest {
            validator_address: valoper(1),
        },
    );
    let rewards = outstanding.rewards.unwrap().rewards;
    assert_eq!(rewards[0].denom, "ibc/ATOM");
    assert_eq!(rewards[0].amount, "4000000000000000000", "7 − 3 = 4 ATOM");
    chain.next_block();
}

#[test]
fn commission_is_withdrawn_to_the_operator_and_fractions_stay() {
    let mut chain = one_validator(Chain::untaxed());
    chain.pay_fees(&[(DENOM, 1_001)]);
    chain.next_block();
    let before = chain.balance_of(1, DENOM);
    let (resp, events) = chain.deliver(&withdraw_commission(1));
    let resp = pb::MsgWithdrawValidatorCommissionResponse::decode(resp.value.as_slice()).unwrap();
    assert_eq!(resp.amount[0].amount, "100");
    assert_eq!(
        attr(&events, "withdraw_commission", "amount"),
        Some("100uramp")
    );
    assert_eq!(chain.balance_of(1, DENOM), before + 100);
    let commission: pb::QueryValidatorCommissionResponse = chain.query_distribution(
        "ValidatorCommission",
        pb::QueryValidatorCommissionRequest {
            validator_address: valoper(1),
        },
    );
    assert_eq!(
        commission.commission.unwrap().commission[0].amount,
        "100000000000000000",
        "0.1 uramp stays accumulated"
    );
    // The fraction alone withdraws nothing but is still commission (as in the SDK).
    let (resp, _) = chain.deliver(&withdraw_commission(1));
    assert!(
        pb::MsgWithdrawValidatorCommissionResponse::decode(resp.value.as_slice())
            .unwrap()
            .amount
            .is_empty()
    );
    // A validator that never earned commission.
    chain.fund_coins(2, &[(DENOM, 5_000_000)]);
    chain.deliver(&create_validator(2, 1_000_000, 0));
    let err = chain.refuse(&withdraw_commission(2));
    assert_eq!((err.codespace, err.code), ("distribution", 7));
    assert_eq!(err.log, "no validator commission to withdraw");
    chain.next_block();
}

#[test]
fn withdraw_addresses_receive_rewards_and_commission() {
    let mut chain = one_validator(Chain::untaxed());
    let (_, events) = chain.deliver(&set_withdraw_address(9, &acc(50)));
    assert_eq!(
        attr(&events, "set_withdraw_address", "withdraw_address"),
        Some(acc(50).as_str())
    );
    chain.deliver(&set_withdraw_address(1, &acc(51)));
    chain.pay_fees(&[(DENOM, 4_000_000)]);
    chain.next_block();
    chain.deliver(&withdraw_reward(9, 1));
    assert_eq!(chain.balance_of(50, DENOM), 900_000);
    chain.deliver(&withdraw_commission(1));
    assert_eq!(chain.balance_of(51, DENOM), 400_000);
    // The staking hook pays to the withdraw address as well.
    chain.deliver(&delegate(1, 1, 1_000));
    assert_eq!(chain.balance_of(51, DENOM), 400_000 + 900_000);
    let resp: pb::QueryDelegatorWithdrawAddressResponse = chain.query_distribution(
        "DelegatorWithdrawAddress",
        pb::QueryDelegatorWithdrawAddressRequest {
            delegator_address: acc(9),
        },
    );
    assert_eq!(resp.withdraw_address, acc(50));
    // Setting it back to the delegator removes the record.
    chain.deliver(&set_withdraw_address(9, &acc(9)));
    let resp: pb::QueryDelegatorWithdrawAddressResponse = chain.query_distribution(
        "DelegatorWithdrawAddress",
        pb::QueryDelegatorWithdrawAddressRequest {
            delegator_address: acc(9),
        },
    );
    assert_eq!(resp.withdraw_address, acc(9));
    // Module accounts cannot be withdraw addresses.
    let err = chain.refuse(&set_withdraw_address(9, &module_address().to_string()));
    assert_eq!((err.codespace, err.code), ("sdk", 4));
    chain.next_block();
}

#[test]
fn setting_a_withdraw_address_can_be_disabled() {
    let mut chain = Chain::with_genesis(serde_json::json!({"distribution": {"params": {
        "community_tax": "0.02", "base_proposer_reward": "0.01",
        "bonus_proposer_reward": "0.04", "withdraw_addr_enabled": false
    }}}));
    chain.fund_coins(9, &[(DENOM, 10)]);
    let err = chain.refuse(&set_withdraw_address(9, &acc(50)));
    assert_eq!((err.codespace, err.code), ("distribution", 8));
    assert_eq!(err.log, "set withdraw address disabled");
}

#[test]
fn fees_and_inflation_flow_through_every_block_with_the_sdk_split() {
    let mut chain = Chain::with_genesis(serde_json::json!({
        "mint": {"params": {"mint_denom": DENOM, "inflation": "0.1"}}
    }));
    for (n, stake) in [(1u8, 3_000_000u128), (2, 1_000_000)] {
        chain.fund_coins(n, &[(DENOM, 1_000_000_000_000)]);
        chain.deliver(&create_validator(n, stake, 5));
    }
    chain.propose(2);
    chain.next_block();
    // Block 2: validator 2 proposes; block 3 pays it for block 2. Only validator 1 signs.
    chain.pay_fees(&[(DENOM, 100_000)]);
    let votes: Vec<_> = chain
        .all_sign()
        .into_iter()
        .map(|mut v| {
            v.signed = v.address == cons(1);
            v
        })
        .collect();
    let supply_before = chain.state.supply_of(DENOM).unwrap().0;
    // Block 2 had no signers for block 1: its mint went to the pool.
    let pool_before = rampart_distribution::state::community_pool(&chain.state)
        .unwrap()
        .amount_of(DENOM);
    assert!(pool_before > Decimal::ZERO);
    let events = chain.next_block_with(votes);
    let minted = supply_before.abs_diff(chain.state.supply_of(DENOM).unwrap().0);
    assert!(minted > 0, "5 s of 10 % inflation");
    let total = 100_000 + minted;
    // proposer: 0.01 + 0.04 × 3/4 = 0.04; signer 1: 1 − 0.04 − 0.02 = 0.94; pool: 0.02.
    let expect = |frac_bps: u128| Decimal::from_ratio(total * frac_bps, 10_000).unwrap();
    assert_eq!(
        attr(&events, "proposer_reward", "amount"),
        Some(format!("{}uramp", expect(400)).as_str())
    );
    assert_eq!(
        attr(&events, "proposer_reward", "validator"),
        Some(valoper(2).as_str())
    );
    let out = |n: u8| {
        rampart_distribution::state::validator_rewards(&chain.state, &addr(n))
            .unwrap()
            .outstanding
            .amount_of(DENOM)
    };
    assert_eq!(out(2), expect(400));
    assert_eq!(out(1), expect(9_400));
    let pool: pb::QueryCommunityPoolResponse =
        chain.query_distribution("CommunityPool", pb::QueryCommunityPoolRequest {});
    assert_eq!(
        pool.pool[0].amount,
        pool_before.checked_add(expect(200)).unwrap().0.to_string(),
        "the tax; rounding adds nothing here"
    );
    // More blocks with everyone signing keep the books exact (checked at every end block).
    for _ in 0..5 {
        chain.pay_fees(&[(DENOM, 12_345)]);
        chain.next_block();
    }
    chain.deliver(&withdraw_reward(1, 1));
    chain.deliver(&withdraw_commission(2));
    chain.next_block();
}

#[test]
fn redelegation_settles_both_sides() {
    let mut chain = Chain::untaxed();
    for n in [1, 2, 9] {
        chain.fund_coins(n, &[(DENOM, 10_000_000)]);
    }
    chain.deliver(&create_validator(1, 1_000_000, 0));
    chain.deliver(&create_validator(2, 1_000_000, 0));
    chain.deliver(&delegate(9, 1, 1_000_000));
    chain.propose(1);
    chain.next_block();
    chain.pay_fees(&[(DENOM, 3_000_000)]);
    chain.next_block();
    // Power 2 and 1: 2,000,000 to validator 1 over its 2,000,000 shares, 1 per share.
    assert_eq!(chain.pending(9, 1, DENOM), units(1_000_000));
    let before = chain.balance_of(9, DENOM);
    let (_, events) = chain.deliver(&redelegate(9, 1, 2, 1_000_000));
    assert_eq!(chain.balance_of(9, DENOM), before + 1_000_000);
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == "withdraw_rewards")
            .count(),
        1,
        "the new delegation at validator 2 only records the index"
    );
    assert_eq!(chain.pending(9, 2, DENOM), Decimal::ZERO);
    let validators: pb::QueryDelegatorValidatorsResponse = chain.query_distribution(
        "DelegatorValidators",
        pb::QueryDelegatorValidatorsRequest {
            delegator_address: acc(9),
        },
    );
    assert_eq!(validators.validators, vec![valoper(2)]);
    chain.next_block();
}

#[test]
fn other_modules_allocate_through_the_entry_point() {
    let mut chain = one_validator(Chain::untaxed());
    let source = Address::module("restaking");
    chain.fund_coins(source, &[("ibc/CONSUMER", 1_000)]);
    let mut events = Events::new();
    allocate_to_validator(
        &mut chain.state,
        &rampart_core::ChainProfile::rampart(),
        &source,
        &addr(1),
        &[Coin::new("ibc/CONSUMER", 1_000)],
        Terms {
            commission_rate: Some(Decimal::from_bps(5_000)),
            backers: None,
        },
        &mut events,
    )
    .unwrap();
    assert_eq!(
        attr(&events, "commission", "amount"),
        Some("500.000000000000000000ibc/CONSUMER")
    );
    // 500 over 4,000,000 shares; delegator 8 holds half.
    assert_eq!(chain.pending(8, 1, "ibc/CONSUMER"), units(250));
    assert_eq!(chain.state.balance(&source, "ibc/CONSUMER").unwrap().0, 0);
    chain.check_invariants();
    let before = chain.dump();
    let refusals = [
        (
            addr(1),
            vec![Coin::new("ibc/CONSUMER", 1)],
            None,
            ("sdk", 5),
        ),
        (
            addr(42),
            vec![Coin::new("ibc/CONSUMER", 1)],
            None,
            ("distribution", 12),
        ),
        (
            addr(1),
            vec![Coin::new("ibc/CONSUMER", 0)],
            None,
            ("sdk", 10),
        ),
        (
            addr(1),
            vec![Coin::new("ibc/CONSUMER", 1)],
            Some(Decimal::from_bps(10_001)),
            ("sdk", 18),
        ),
    ];
    for (op, coins, rate, code) in refusals {
        let mut tx = Overlay::new(&chain.state);
        let err = allocate_to_validator(
            &mut tx,
            &rampart_core::ChainProfile::rampart(),
            &source,
            &op,
            &coins,
            Terms {
                commission_rate: rate,
                backers: None,
            },
            &mut Events::new(),
        )
        .unwrap_err();
        assert_eq!((err.codespace, err.code), code, "{err}");
        assert!(tx.changes().is_empty(), "{err}: no writes");
    }
    let mut tx = Overlay::new(&chain.state);
    assert!(allocate_to_validator(
        &mut tx,
        &rampart_core::ChainProfile::rampart(),
        &module_address(),
        &addr(1),
        &[Coin::new(DENOM, 1)],
        Terms::default(),
        &mut Events::new()
    )
    .is_err());
    assert_eq!(before, chain.dump());
    chain.next_block();
}

#[test]
fn bad_inputs_get_stable_codes_and_change_nothing() {
    let mut chain = one_validator(Chain::untaxed());
    chain.pay_fees(&[(DENOM, 4_000)]);
    chain.next_block();
    let code = |chain: &mut Chain, msg| {
        let e = chain.refuse(&msg);
        (e.codespace, e.code, e.log)
    };
    let (cs, c, log) = code(&mut chain, withdraw_reward(9, 42));
    assert_eq!((cs, c), ("distribution", 12));
    assert_eq!(log, format!("{}: validator does not exist", valoper(42)));
    let (cs, c, log) = code(&mut chain, withdraw_reward(7, 1));
    assert_eq!(
        (cs, c, log.as_str()),
        ("distribution", 13, "delegation does not exist")
    );
    let empty_delegator = any(
        rampart_distribution::msgs::WITHDRAW_DELEGATOR_REWARD,
        &pb::MsgWithdrawDelegatorReward {
            delegator_address: String::new(),
            validator_address: valoper(1),
        },
    );
    assert_eq!(code(&mut chain, empty_delegator).1, 2);
    let empty_validator = any(
        rampart_distribution::msgs::WITHDRAW_VALIDATOR_COMMISSION,
        &pb::MsgWithdrawValidatorCommission {
            validator_address: String::new(),
        },
    );
    assert_eq!(code(&mut chain, empty_validator).1, 4);
    assert_eq!(code(&mut chain, set_withdraw_address(9, "")).1, 3);
    let (cs, c, _) = code(&mut chain, set_withdraw_address(9, &valoper(50)));
    assert_eq!((cs, c), ("sdk", 7), "a valoper is not an account address");
    let wrong_prefix = any(
        rampart_distribution::msgs::WITHDRAW_DELEGATOR_REWARD,
        &pb::MsgWithdrawDelegatorReward {
            delegator_address: acc(9),
            validator_address: acc(1),
        },
    );
    assert_eq!(code(&mut chain, wrong_prefix).0, "sdk");
    assert_eq!(code(&mut chain, fund_community_pool(9, &[])).1, 10);
    assert_eq!(
        code(&mut chain, fund_community_pool(9, &[(DENOM, 0)])).1,
        10
    );
    assert_eq!(
        code(
            &mut chain,
            fund_community_pool(9, &[("zzz", 1), (DENOM, 1)])
        )
        .1,
        10,
        "unsorted"
    );
    // Short in the second denom: refused before the first is debited.
    chain.fund_coins(9, &[("aaa", 5)]);
    let (cs, c, _) = code(
        &mut chain,
        fund_community_pool(9, &[("aaa", 5), (DENOM, 100_000_000)]),
    );
    assert_eq!((cs, c), ("sdk", 5));
    let undecodable = rampart_core::module::genesis_section::<serde_json::Value>("x", None);
    assert!(undecodable.is_ok());
    let garbage = tendermint_proto::google::protobuf::Any {
        type_url: rampart_distribution::msgs::FUND_COMMUNITY_POOL.into(),
        value: vec![0xff, 0xff],
    };
    assert_eq!(code(&mut chain, garbage).1, 2);
}

#[test]
fn signers_are_the_sdk_ones() {
    let (_, modules) = modules();
    let distribution = modules.iter().find(|m| m.name() == "distribution").unwrap();
    let signers = |msg| {
        distribution
            .validate_msg(&rampart_core::ChainProfile::rampart(), &msg)
            .unwrap()
    };
    assert_eq!(signers(withdraw_reward(9, 1)), vec![addr(9)]);
    assert_eq!(signers(withdraw_commission(1)), vec![addr(1)]);
    assert_eq!(signers(set_withdraw_address(9, &acc(50))), vec![addr(9)]);
    assert_eq!(
        signers(fund_community_pool(7, &[(DENOM, 1)])),
        vec![addr(7)]
    );
}

#[test]
fn community_pool_is_funded_by_message() {
    let mut chain = Chain::untaxed();
    chain.fund_coins(9, &[("aaa", 5), (DENOM, 100)]);
    let (resp, _) = chain.deliver(&fund_community_pool(9, &[("aaa", 5), (DENOM, 40)]));
    assert_eq!(
        resp.type_url,
        "/cosmos.distribution.v1beta1.MsgFundCommunityPoolResponse"
    );
    let pool: pb::QueryCommunityPoolResponse =
        chain.query_distribution("CommunityPool", pb::QueryCommunityPoolRequest {});
    let pool: Vec<_> = pool
        .pool
        .iter()
        .map(|c| (c.denom.as_str(), c.amount.as_str()))
        .collect();
    assert_eq!(
        pool,
        [
            ("aaa", "5000000000000000000"),
            (DENOM, "40000000000000000000")
        ]
    );
    assert_eq!(chain.balance_of(9, DENOM), 60);
    chain.next_block();
}

#[test]
fn queries_answer_in_sdk_form() {
    let mut chain = one_validator(Chain::untaxed());
    chain.pay_fees(&[(DENOM, 4_000_000)]);
    chain.next_block();
    let params: pb::QueryParamsResponse =
        chain.query_distribution("Params", pb::QueryParamsRequest {});
    assert_eq!(params.params.unwrap().community_tax, "0");
    let rewards: pb::QueryDelegationRewardsResponse = chain.query_distribution(
        "DelegationRewards",
        pb::QueryDelegationRewardsRequest {
            delegator_address: acc(9),
            validator_address: valoper(1),
        },
    );
    assert_eq!(rewards.rewards[0].amount, "900000000000000000000000");
    let total: pb::QueryDelegationTotalRewardsResponse = chain.query_distribution(
        "DelegationTotalRewards",
        pb::QueryDelegationTotalRewardsRequest {
            delegator_address: acc(8),
        },
    );
    assert_eq!(total.rewards[0].validator_address, valoper(1));
    assert_eq!(total.total[0].amount, "1800000000000000000000000");
    let info: pb::QueryValidatorDistributionInfoResponse = chain.query_distribution(
        "ValidatorDistributionInfo",
        pb::QueryValidatorDistributionInfoRequest {
            validator_address: valoper(1),
        },
    );
    assert_eq!(
        info.operator_address,
        acc(1),
        "the account form, as the SDK"
    );
    assert_eq!(info.self_bond_rewards[0].amount, "900000000000000000000000");
    assert_eq!(info.commission[0].amount, "400000000000000000000000");
    let empty: pb::QueryDelegationTotalRewardsResponse = chain.query_distribution(
        "DelegationTotalRewards",
        pb::QueryDelegationTotalRewardsRequest {
            delegator_address: acc(77),
        },
    );
    assert!(empty.rewards.is_empty() && empty.total.is_empty());
    for (method, bytes, code) in [
        (
            "ValidatorCommission",
            pb::QueryValidatorCommissionRequest {
                validator_address: valoper(42),
            }
            .encode_to_vec(),
            ("distribution", 12),
        ),
        (
            "ValidatorOutstandingRewards",
            pb::QueryValidatorOutstandingRewardsRequest {
                validator_address: String::new(),
            }
            .encode_to_vec(),
            ("distribution", 4),
        ),
        (
            "DelegatorValidators",
            pb::QueryDelegatorValidatorsRequest {
                delegator_address: String::new(),
            }
            .encode_to_vec(),
            ("distribution", 2),
        ),
        (
            "DelegationRewards",
            pb::QueryDelegationRewardsRequest {
                delegator_address: acc(9),
                validator_address: "rampartvaloper1bad".into(),
            }
            .encode_to_vec(),
            ("sdk", 7),
        ),
        ("CommunityPool", vec![0xff], ("sdk", 2)),
        ("Nope", vec![], ("sdk", 6)),
    ] {
        let distribution = rampart_distribution::DistributionModule;
        let err = distribution
            .query(
                rampart_core::QueryContext {
                    state: &chain.state,
                    profile: &rampart_core::ChainProfile::rampart(),
                },
                &format!("/cosmos.distribution.v1beta1.Query/{method}"),
                &bytes,
            )
            .unwrap_err();
        assert_eq!((err.codespace, err.code), code, "{method}: {err}");
    }
}

#[test]
fn genesis_round_trips_exactly_and_refuses_inconsistent_sections() {
    let mut chain = one_validator(Chain::new());
    chain.deliver(&set_withdraw_address(8, &acc(50)));
    chain.fund_coins(3, &[(DENOM, 1_000)]);
    chain.deliver(&fund_community_pool(3, &[(DENOM, 7)]));
    chain.pay_fees(&[(DENOM, 4_000_001), ("ibc/ATOM", 3)]);
    chain.next_block();
    chain.deliver(&withdraw_reward(9, 1));
    chain.pay_fees(&[(DENOM, 999)]);
    chain.next_block();
    chain.end();
    let exported = chain.export();
    let section = &exported["distribution"];
    assert_eq!(section["previous_proposer"], cons_bech32(1));
    assert_eq!(
        section["withdraw_addresses"][0]["withdraw_address"],
        acc(50)
    );
    assert_eq!(section["delegations"].as_array().unwrap().len(), 3);

    let state = init_state(&exported).unwrap();
    let again = export_state(&state);
    assert_eq!(again["distribution"], exported["distribution"]);
    assert_eq!(again["bank"], exported["bank"]);
    let imported = Chain::with_genesis(exported.clone());
    imported.check_invariants();
    // Without its auth entry, bank genesis creates a plain account for the module's balance;
    // distribution genesis makes it the module account again.
    let mut without = exported.clone();
    let module = module_address().to_string();
    without["auth"]["accounts"]
        .as_array_mut()
        .unwrap()
        .retain(|a| a["address"] != module.as_str());
    let state = init_state(&without).unwrap();
    let account = rampart_auth::AuthRead::account(&state, &module_address())
        .unwrap()
        .unwrap();
    assert_eq!(account.module.unwrap().name, "distribution");
    // Pending rewards survive the round trip.
    assert_eq!(imported.pending(8, 1, DENOM), chain.pending(8, 1, DENOM));

    let refuse = |mutate: &dyn Fn(&mut serde_json::Value)| {
        let mut bad = exported.clone();
        mutate(&mut bad);
        let err = init_state(&bad).err().unwrap();
        assert_eq!((err.codespace, err.code), ("sdk", 17), "{err}");
        err.log
    };
    let log = refuse(&|g| {
        g["distribution"]["delegations"][0]["delegator_address"] = acc(77).into();
    });
    assert!(log.contains("staking does not have"), "{log}");
    let log = refuse(&|g| {
        g["distribution"]["validators"][0]["accumulated_commission"] =
            serde_json::json!([{"denom": DENOM, "amount": "999999999"}]);
    });
    assert!(log.contains("exceeds outstanding"), "{log}");
    let log = refuse(&|g| {
        g["distribution"]["community_pool"] =
            serde_json::json!([{"denom": DENOM, "amount": "999999999"}]);
    });
    assert!(log.contains("distribution module account holds"), "{log}");
    let log = refuse(&|g| {
        g["distribution"]["params"]["community_tax"] = "0.99".into();
    });
    assert!(log.contains("params"), "{log}");
    let log = refuse(&|g| {
        g["distribution"]["delegations"][0]["settled_index"] =
            serde_json::json!([{"denom": DENOM, "amount": "1000"}]);
    });
    assert!(log.contains("ahead"), "{log}");
    refuse(&|g| {
        g["distribution"]["previous_proposer"] = acc(1).into();
    });
}

fn cons_bech32(n: u8) -> String {
    rampart_core::ChainProfile::rampart().to_valcons(&cons(n))
}

#[test]
fn genesis_delegations_without_records_earn_from_genesis_on() {
    // Staking genesis with a validator and a delegation; distribution says nothing about them.
    let mut seed = one_validator(Chain::untaxed());
    seed.end();
    let mut exported = seed.export();
    exported["distribution"]["delegations"] = serde_json::json!([]);
    exported["distribution"]["validators"] = serde_json::json!([{
        "validator_address": valoper(1),
        "reward_index": [{"denom": DENOM, "amount": "5"}],
        "accumulated_commission": [],
        "outstanding_rewards": []
    }]);
    let mut chain = Chain::with_genesis(exported);
    assert_eq!(
        chain.pending(9, 1, DENOM),
        Decimal::ZERO,
        "no claim on the past"
    );
    chain.next_block(); // staking's first end block forms the active set
    chain.pay_fees(&[(DENOM, 4_000_000)]);
    chain.next_block();
    assert_eq!(chain.pending(9, 1, DENOM), units(900_000));
}

#[test]
fn a_long_mixed_run_keeps_the_books() {
    let mut chain = Chain::with_genesis(serde_json::json!({
        "mint": {"params": {"mint_denom": DENOM, "inflation": "0.2"}}
    }));
    for n in 1..=3u8 {
        chain.fund_coins(n, &[(DENOM, 100_000_000)]);
        chain.deliver(&create_validator(
            n,
            1_000_000 * u128::from(n),
            5 * u32::from(n),
        ));
    }
    for d in 10..=14u8 {
        chain.fund_coins(d, &[(DENOM, 100_000_000), ("ibc/X", 1_000)]);
    }
    chain.propose(1);
    chain.next_block();
    // A fixed pseudo-random walk (a linear congruential sequence, reproducible).
    let mut seed = 7u64;
    let mut next = |m: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) % m
    };
    let mut accepted = 0;
    for round in 0..40u64 {
        let d = 10 + next(5) as u8;
        let v = 1 + next(3) as u8;
        let amount = u128::from(1 + next(500_000));
        let msg = match next(7) {
            0 | 1 => delegate(d, v, amount),
            2 => undelegate(d, v, amount),
            3 => redelegate(d, v, 1 + (v % 3), amount),
            4 => withdraw_reward(d, v),
            5 => withdraw_commission(v),
            _ => fund_community_pool(d, &[("ibc/X", 1)]),
        };
        if chain.try_deliver(&msg).is_ok() {
            accepted += 1;
        }
        if round % 9 == 4 {
            let ports = chain.staking.ports();
            let height = chain.height;
            let power = chain
                .state
                .validator(&addr(v))
                .unwrap()
                .unwrap()
                .power()
                .unwrap();
            rampart_staking::slash(
                &mut chain.state,
                ports,
                &addr(v),
                Infraction {
                    consumer: None,
                    height: height.saturating_sub(3),
                    power,
                    fraction: Decimal::from_bps(100),
                },
                chain.time,
                &mut Events::new(),
            )
            .unwrap();
        }
        chain.pay_fees(&[
            (DENOM, u128::from(next(10_000))),
            ("ibc/X", u128::from(next(3))),
        ]);
        chain.propose(1 + next(3) as u8);
        chain.next_block();
    }
    assert!(
        accepted >= 20,
        "only {accepted} of 40 messages went through"
    );
    // Everyone withdraws everything: the module keeps only the community pool and dust.
    for d in 10..=14u8 {
        for v in 1..=3u8 {
            let _ = chain.try_deliver(&withdraw_reward(d, v));
        }
    }
    for v in 1..=3u8 {
        let _ = chain.try_deliver(&withdraw_reward(v, v));
        let _ = chain.try_deliver(&withdraw_commission(v));
    }
    chain.check_invariants();
    // Nothing whole is left unpaid: every delegation and every commission is below one unit
    // per denom (the fractions, and the index's rounding dust, stay outstanding).
    for (delegator, op, _) in chain.state.all_delegations().unwrap() {
        let owed = rampart_distribution::delegation_rewards(&chain.state, &delegator, &op).unwrap();
        assert!(owed.iter().all(|(_, a)| a < units(1)), "{owed}");
    }
    let records = rampart_distribution::state::all_validator_rewards(&chain.state).unwrap();
    assert_eq!(records.len(), 3);
    for (_, record) in &records {
        assert!(record.commission.iter().all(|(_, a)| a < units(1)));
        assert!(record.outstanding.covers(&record.commission));
    }
    let pool = rampart_distribution::state::community_pool(&chain.state).unwrap();
    assert!(pool.amount_of("ibc/X") > Decimal::ZERO && pool.amount_of(DENOM) > Decimal::ZERO);
    assert_ne!(DecCoins::new(), pool);
}
