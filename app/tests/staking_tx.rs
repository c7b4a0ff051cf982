//! Staking through the whole pipeline: signed transactions in blocks driven like CometBFT, the
//! validator-set diffs FinalizeBlock hands back, pools and supply checked after every block by
//! the driver's invariants.

use prost::Message;
use rampart_core::Address;
use rampart_staking::StakingRead;
use rampart_testkit::events::assert_ok;
use rampart_testkit::msgs::{delegate, rates_bps, undelegate, withdraw_reward, CreateValidator};
use rampart_testkit::*;

/// Funds of the delegator key.
const RICH: u128 = 100_000_000;
/// Genesis self-delegation of the genesis validator: power 10.
const GENESIS_STAKE: u128 = 10_000_000;
/// Unbonding time of these chains (the driver makes one-second blocks).
const UNBONDING_SECONDS: i64 = 5;

/// A chain with one genesis validator (seed 1), `delegator` funded with [`RICH`] and the
/// operator of `joiner` funded so it can create a validator later.
fn chain(delegator: &Key, genesis_validator: &TestValidator, joiner: &TestValidator) -> Chain {
    let mut app_state = serde_json::json!({
        "bank": {"balances": [
            {"address": delegator.address().to_string(), "coins": [{"denom": DENOM, "amount": RICH.to_string()}]},
            {"address": joiner.operator().to_string(), "coins": [{"denom": DENOM, "amount": RICH.to_string()}]},
        ]},
        "staking": staking_section(UNBONDING_SECONDS, 100),
    });
    add_genesis_validators(
        &mut app_state,
        CHAIN_ID,
        &[(genesis_validator, GENESIS_STAKE)],
    );
    Chain::from_genesis(&app_state, true)
}

/// The (consensus key, power) pairs of a FinalizeBlock response's validator updates.
fn updates(response: &tendermint::abci::response::FinalizeBlock) -> Vec<([u8; 32], u64)> {
    response
        .validator_updates
        .iter()
        .map(|u| {
            let key: [u8; 32] = u
                .pub_key
                .ed25519()
                .expect("ed25519")
                .as_bytes()
                .try_into()
                .expect("32 bytes");
            (key, u.power.value())
        })
        .collect()
}

fn create_validator_tx(chain: &Chain, joiner: &TestValidator, stake: u128) -> Vec<u8> {
    let msg = CreateValidator {
        with_delegator_address: true,
        commission: rates_bps(500, 2_000, 100),
        ..CreateValidator::new("joiner", joiner, joiner.consensus_pubkey(), stake)
    };
    chain.operator_tx(joiner, vec![msg.to_any()], 300_000)
}

#[test]
fn genesis_validators_come_from_gentxs_and_reach_cometbft() {
    let genesis_validator = TestValidator::new(1);
    let chain = chain(&Key::secp(60), &genesis_validator, &TestValidator::new(2));
    let set = chain
        .driver
        .validators_at(chain.driver.height)
        .expect("known set");
    assert_eq!(
        set.get(&genesis_validator.consensus_address()),
        Some(&(genesis_validator.consensus_pubkey(), 10)),
        "InitChain returned the gentx validator with power 10"
    );
    let snapshot = chain.storage.snapshot();
    let v = snapshot
        .validator(&genesis_validator.operator())
        .expect("reads")
        .expect("created by its gentx");
    assert_eq!(v.tokens.0, GENESIS_STAKE);
    assert_eq!(chain.balance(&genesis_validator.operator(), DENOM), 0);
}

#[test]
fn a_bad_gentx_is_refused_with_its_index() {
    let validator = TestValidator::new(3);
    let mut app_state = serde_json::json!({});
    add_genesis_validators(&mut app_state, CHAIN_ID, &[(&validator, GENESIS_STAKE)]);
    // Signed for another chain: the signature cannot verify.
    let wrong_chain = base64_tx(&validator.gentx("elsewhere", GENESIS_STAKE));
    app_state["genutil"]["gen_txs"][0] = wrong_chain.into();
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = rampart_store::Storage::open(dir.path(), rampart_store::StorageConfig::default())
        .expect("store");
    let err = rampart_app::testing::MockConsensus::init(storage, CHAIN_ID, 1, &app_state)
        .err()
        .expect("refused");
    assert!(err.log.contains("gen_txs[0]"), "{}", err.log);
    assert!(
        err.log.contains("signature verification failed"),
        "{}",
        err.log
    );

    let empty = serde_json::json!({});
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = rampart_store::Storage::open(dir.path(), rampart_store::StorageConfig::default())
        .expect("store");
    let err = rampart_app::testing::MockConsensus::init(storage, CHAIN_ID, 1, &empty)
        .err()
        .expect("no validator");
    assert!(err.log.contains("no bonded validator"), "{}", err.log);
}

fn base64_tx(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn delegations_move_cometbft_power_and_unbonded_tokens_come_back() {
    let delegator = Key::secp(61);
    let genesis_validator = TestValidator::new(4);
    let joiner = TestValidator::new(5);
    let mut chain = chain(&delegator, &genesis_validator, &joiner);
    let op = genesis_validator.operator();

    // Delegate 5 units of power: the end block reports the new power.
    let tx = chain.free_tx(
        &delegator,
        vec![delegate(delegator.address(), op, 5_000_000)],
        200_000,
    );
    let response = chain.driver.block(vec![tx]);
    assert_ok(&response.tx_results[0]);
    assert_eq!(
        updates(&response),
        [(genesis_validator.consensus_pubkey(), 15)]
    );
    assert_eq!(chain.balance(&delegator.address(), DENOM), RICH - 5_000_000);
    // CometBFT applies it two heights later.
    let height = chain.driver.height;
    assert_eq!(
        chain.driver.validators_at(height + 2).expect("known")
            [&genesis_validator.consensus_address()]
            .1,
        15
    );

    // A new validator created by a signed transaction joins the set.
    let response = chain
        .driver
        .block(vec![create_validator_tx(&chain, &joiner, 20_000_000)]);
    assert_ok(&response.tx_results[0]);
    assert_eq!(updates(&response), [(joiner.consensus_pubkey(), 20)]);

    // Undelegate 2 units: power drops now, tokens return after the unbonding time.
    let tx = chain.free_tx(
        &delegator,
        vec![undelegate(delegator.address(), op, 2_000_000)],
        200_000,
    );
    let response = chain.driver.block(vec![tx]);
    assert_ok(&response.tx_results[0]);
    assert_eq!(
        updates(&response),
        [(genesis_validator.consensus_pubkey(), 13)]
    );
    let unbond = attributes(&response.tx_results[0].events);
    assert!(
        unbond
            .iter()
            .any(|(kind, key, _)| kind == "unbond" && key == "completion_time"),
        "{unbond:?}"
    );
    let before = chain.balance(&delegator.address(), DENOM);
    let mut completed = false;
    for _ in 0..UNBONDING_SECONDS + 1 {
        let response = chain.driver.block(vec![]);
        completed |= response
            .events
            .iter()
            .any(|e| e.kind == "complete_unbonding");
    }
    assert!(completed, "a complete_unbonding event was emitted");
    assert_eq!(
        chain.balance(&delegator.address(), DENOM),
        before + 2_000_000
    );
}

#[test]
fn bad_staking_messages_fail_with_staking_codes_and_change_nothing() {
    let delegator = Key::secp(62);
    let genesis_validator = TestValidator::new(6);
    let mut chain = chain(&delegator, &genesis_validator, &TestValidator::new(7));
    let op = genesis_validator.operator();
    let unknown = Address([9; 20]);
    let cases = [
        (delegate(delegator.address(), unknown, 1_000), "staking", 3),
        (undelegate(delegator.address(), op, 1_000), "staking", 19),
        (delegate(delegator.address(), op, RICH + 1), "sdk", 5),
    ];
    for (msg, codespace, code) in cases {
        let hash = chain.app_hash();
        let balance = chain.balance(&delegator.address(), DENOM);
        let tx = chain.free_tx(&delegator, vec![msg], 200_000);
        let result = chain.deliver_one(tx);
        assert_eq!(
            (result.codespace.as_str(), result.code.value()),
            (codespace, code),
            "{}",
            result.log
        );
        assert_eq!(chain.balance(&delegator.address(), DENOM), balance);
        assert_ne!(chain.app_hash(), hash, "only the sequence moved");
        let snapshot = chain.storage.snapshot();
        assert_eq!(
            rampart_staking::delegation::shares(&snapshot, &delegator.address(), &op)
                .expect("reads"),
            None
        );
    }
    // A delegation signed by someone else than the delegator is refused before it runs.
    let intruder = Key::secp(63);
    let tx = TxBuilder::new(
        vec![delegate(delegator.address(), op, 1_000)],
        vec![Signer::new(&intruder, 0, 0)],
    )
    .build();
    let result = chain.deliver_one(tx);
    assert_ne!(result.code.value(), 0);
}

#[test]
fn fees_reach_signers_and_delegators_withdraw_their_share_exactly() {
    use cosmos_sdk_proto::cosmos::distribution::v1beta1::{
        QueryDelegationRewardsRequest, QueryDelegationRewardsResponse,
    };
    let delegator = Key::secp(64);
    let genesis_validator = TestValidator::new(8);
    let op = genesis_validator.operator();
    let mut app_state = serde_json::json!({
        "bank": {"balances": [
            {"address": delegator.address().to_string(), "coins": [{"denom": DENOM, "amount": RICH.to_string()}]},
        ]},
        "mint": {"params": {"mint_denom": DENOM, "inflation": "0"}},
    });
    add_genesis_validators(
        &mut app_state,
        CHAIN_ID,
        &[(&genesis_validator, GENESIS_STAKE)],
    );
    let mut chain = Chain::from_genesis(&app_state, true);

    // Equal shares: the delegator holds half of the validator's 20 M shares.
    let tx = chain.free_tx(
        &delegator,
        vec![delegate(delegator.address(), op, GENESIS_STAKE)],
        200_000,
    );
    assert_eq!(chain.deliver_one(tx).code.value(), 0);
    // One transaction pays a 1,000,000 fee; the next block hands it to the previous block's
    // only signer: 2 % community tax, then 10 % commission, the rest per share.
    let mut paying = TxBuilder::new(
        vec![delegate(delegator.address(), op, 1)],
        vec![chain.signer(&delegator)],
    );
    paying.fee = vec![coin("1000000", DENOM)];
    let result = chain.deliver_one(paying.build());
    assert_ok(&result);
    let allocation = chain.driver.block(vec![]);
    let kinds: Vec<_> = allocation.events.iter().map(|e| e.kind.as_str()).collect();
    assert!(
        kinds.contains(&"commission") && kinds.contains(&"rewards"),
        "{kinds:?}"
    );

    let request = QueryDelegationRewardsRequest {
        delegator_address: delegator.address().to_string(),
        validator_address: valoper(op),
    };
    let answer = chain.driver.query(
        "/cosmos.distribution.v1beta1.Query/DelegationRewards",
        &request.encode_to_vec(),
        0,
        false,
    );
    assert_eq!(answer.code.value(), 0, "{}", answer.log);
    let rewards = QueryDelegationRewardsResponse::decode(answer.value.as_ref()).expect("decodes");
    // 1,000,000 × 0.98 × 0.9 = 882,000 for 20,000,001 shares; the delegator's 10,000,001 earn
    // 441,000.0… (18-decimal LegacyDec on the wire).
    let pending = &rewards.rewards[0];
    assert_eq!(pending.denom, DENOM);
    let whole: u128 = pending.amount[..pending.amount.len() - 18]
        .parse()
        .expect("integer part");
    assert_eq!(whole, 441_000);

    let before = chain.balance(&delegator.address(), DENOM);
    let withdraw = withdraw_reward(&delegator, op);
    let result = chain.deliver_one(chain.free_tx(&delegator, vec![withdraw], 200_000));
    assert_ok(&result);
    assert!(attributes(&result.events)
        .iter()
        .any(|(kind, key, value)| kind == "withdraw_rewards"
            && key == "amount"
            && value == "441000uramp"));
    assert_eq!(chain.balance(&delegator.address(), DENOM), before + 441_000);
}

#[test]
fn historical_info_keeps_the_last_entries_with_header_and_bonded_set() {
    use cosmos_sdk_proto::cosmos::staking::v1beta1::{
        QueryHistoricalInfoRequest, QueryHistoricalInfoResponse,
    };
    let genesis_validator = TestValidator::new(9);
    let mut staking = staking_section(UNBONDING_SECONDS, 100);
    staking["params"]["historical_entries"] = 3.into();
    let mut app_state = serde_json::json!({ "staking": staking });
    add_genesis_validators(
        &mut app_state,
        CHAIN_ID,
        &[(&genesis_validator, GENESIS_STAKE)],
    );
    let mut chain = Chain::from_genesis(&app_state, true);
    for _ in 0..5 {
        chain.driver.block(vec![]);
    }
    let top = chain.driver.height;
    let ask = |height: u64| {
        chain.driver.query(
            "/cosmos.staking.v1beta1.Query/HistoricalInfo",
            &QueryHistoricalInfoRequest {
                height: height as i64,
            }
            .encode_to_vec(),
            0,
            false,
        )
    };
    let answer = ask(top);
    assert_eq!(answer.code.value(), 0, "{}", answer.log);
    let info = QueryHistoricalInfoResponse::decode(answer.value.as_ref())
        .expect("decodes")
        .hist
        .expect("present");
    let header = info.header.expect("header");
    assert_eq!(
        (header.chain_id.as_str(), header.height),
        (CHAIN_ID, top as i64)
    );
    assert_eq!(info.valset.len(), 1);
    assert_eq!(
        info.valset[0].operator_address,
        valoper(genesis_validator.operator())
    );
    // Three entries are kept: top, top − 1, top − 2.
    assert_eq!(ask(top - 2).code.value(), 0);
    let pruned = ask(top - 3);
    assert_eq!(pruned.code.value(), 22, "{}", pruned.log);
    assert!(pruned.log.contains("key not found"), "{}", pruned.log);
}
