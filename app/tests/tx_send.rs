//! Signed `MsgSend` end to end through the ABCI app: funds move, sequences increase, fees reach
//! the fee collector, SDK events and `TxMsgData` come back; CheckTx accumulates and never touches
//! committed state; simulation estimates enough gas.

use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData;
use prost::Message;
use rampart_app::{App, AppConfig};
use rampart_auth::FEE_COLLECTOR;
use rampart_core::Address;
use rampart_testkit::events::assert_ok;
use rampart_testkit::*;

fn send_moves_funds(sender: Key) {
    let recipient = Key::secp(99).address();
    let mut chain = Chain::new(&[&sender]);
    let from = sender.address();
    let tx = TxBuilder::new(
        vec![msg_send(from, recipient, vec![coin("1500", DENOM)])],
        vec![chain.signer(&sender)],
    )
    .build();
    let result = chain.deliver_one(tx);
    assert_ok(&result);
    assert!(result.gas_used > 0 && result.gas_used <= result.gas_wanted);
    assert_eq!(result.gas_wanted, 200_000);
    assert_eq!(chain.balance(&from, DENOM), FUNDS - 1500 - 2000);
    assert_eq!(chain.balance(&recipient, DENOM), 1500);
    assert_eq!(chain.balance(&Address::module(FEE_COLLECTOR), DENOM), 2000);
    let (_, sequence, has_key) = chain.account(&from).expect("sender account");
    assert_eq!(sequence, 1);
    assert!(has_key, "the public key is stored on first use");
    assert!(
        chain.account(&recipient).is_some(),
        "recipient account created"
    );

    let data = TxMsgData::decode(result.data.as_ref()).expect("TxMsgData");
    assert_eq!(data.msg_responses.len(), 1);
    assert_eq!(
        data.msg_responses[0].type_url,
        "/cosmos.bank.v1beta1.MsgSendResponse"
    );

    let attrs = attributes(&result.events);
    let has = |kind: &str, key: &str, value: &str| {
        attrs
            .iter()
            .any(|(k, a, v)| k == kind && a == key && v == value)
    };
    let (from_s, to_s) = (from.to_string(), recipient.to_string());
    assert!(has("tx", "fee", "2000uramp"));
    assert!(has("tx", "fee_payer", &from_s));
    assert!(has("tx", "acc_seq", &format!("{from_s}/0")));
    assert!(attrs.iter().any(|(k, a, _)| k == "tx" && a == "signature"));
    assert!(has("message", "action", "/cosmos.bank.v1beta1.MsgSend"));
    assert!(has("message", "sender", &from_s));
    assert!(has("message", "module", "bank"));
    assert!(has("message", "msg_index", "0"));
    assert!(has("coin_spent", "spender", &from_s));
    assert!(has("coin_received", "receiver", &to_s));
    assert!(has("transfer", "recipient", &to_s));
    assert!(has("transfer", "sender", &from_s));
    assert!(has("transfer", "amount", "1500uramp"));
    assert!(
        result
            .events
            .iter()
            .all(|e| e.attributes.iter().all(|a| a.index())),
        "every attribute is indexed"
    );

    // The next transaction needs sequence 1 and passes.
    let again = TxBuilder::new(
        vec![msg_send(from, recipient, vec![coin("1", OTHER)])],
        vec![chain.signer(&sender)],
    )
    .build();
    assert_eq!(chain.deliver_one(again).code.value(), 0);
    assert_eq!(chain.balance(&recipient, OTHER), 1);
}

#[test]
fn secp256k1_sender_moves_funds_and_pays_fees() {
    send_moves_funds(Key::secp(1));
}

#[test]
fn ed25519_sender_moves_funds_and_pays_fees() {
    send_moves_funds(Key::ed(2));
}

#[test]
fn multi_send_pays_several_recipients() {
    use cosmos_sdk_proto::cosmos::bank::v1beta1::{Input, MsgMultiSend, Output};
    let sender = Key::secp(3);
    let (a, b) = (Key::ed(30).address(), Key::ed(31).address());
    let mut chain = Chain::new(&[&sender]);
    let msg = tendermint_proto::google::protobuf::Any {
        type_url: "/cosmos.bank.v1beta1.MsgMultiSend".into(),
        value: MsgMultiSend {
            inputs: vec![Input {
                address: sender.address().to_string(),
                coins: vec![coin("30", DENOM)],
            }],
            outputs: vec![
                Output {
                    address: a.to_string(),
                    coins: vec![coin("10", DENOM)],
                },
                Output {
                    address: b.to_string(),
                    coins: vec![coin("20", DENOM)],
                },
            ],
        }
        .encode_to_vec(),
    };
    let tx = TxBuilder::new(vec![msg], vec![chain.signer(&sender)]).build();
    let result = chain.deliver_one(tx);
    assert_ok(&result);
    assert_eq!(
        (chain.balance(&a, DENOM), chain.balance(&b, DENOM)),
        (10, 20)
    );
    assert_eq!(chain.balance(&sender.address(), DENOM), FUNDS - 30 - 2000);
}

#[test]
fn check_tx_accumulates_without_touching_committed_state() {
    let sender = Key::secp(4);
    let mut chain = Chain::new(&[&sender]);
    let from = sender.address();
    let to = Key::secp(5).address();
    let hash_before = chain.app_hash();
    let first = chain.signer(&sender);
    let mut second = first.clone();
    second.sequence += 1;
    let tx0 = TxBuilder::new(
        vec![msg_send(from, to, vec![coin("1", DENOM)])],
        vec![first],
    )
    .build();
    let tx1 = TxBuilder::new(
        vec![msg_send(from, to, vec![coin("2", DENOM)])],
        vec![second],
    )
    .build();
    let r0 = chain.driver.check_tx(&tx0);
    let r1 = chain.driver.check_tx(&tx1);
    assert_eq!(
        (r0.code.value(), r1.code.value()),
        (0, 0),
        "{} / {}",
        r0.log,
        r1.log
    );
    assert_eq!(r0.gas_wanted, 200_000);
    assert!(r0.gas_used > 0);
    // The replay of tx0 now fails in CheckTx: its sequence is used.
    let replay = chain.driver.check_tx(&tx0);
    assert_eq!(replay.code.value(), 32);
    assert_eq!(
        replay.log,
        "account sequence mismatch, expected 2, got 0: incorrect account sequence"
    );
    // Committed state is untouched by CheckTx.
    assert_eq!(chain.account(&from).map(|a| a.1), Some(0));
    assert_eq!(chain.balance(&from, DENOM), FUNDS);
    assert_eq!(chain.app_hash(), hash_before);
    // Both then execute in order in a block.
    let results = chain.deliver(vec![tx0, tx1]);
    assert!(results.iter().all(|r| r.code.value() == 0));
    assert_eq!(chain.balance(&to, DENOM), 3);
}

#[test]
fn min_gas_price_is_enforced_in_check_tx_only() {
    let sender = Key::secp(6);
    let mut chain = Chain::new(&[&sender]);
    let from = sender.address();
    let config = AppConfig {
        min_gas_prices: AppConfig::parse_min_gas_prices("0.001uramp").expect("parses"),
        ..AppConfig::default()
    };
    let mut strict = App::new(chain.storage.clone(), config);
    let mut cheap = TxBuilder::new(
        vec![msg_send(from, from, vec![coin("1", DENOM)])],
        vec![chain.signer(&sender)],
    );
    cheap.fee = vec![coin("10", DENOM)];
    let tx = cheap.build();
    let response = strict.check_tx(tendermint::abci::request::CheckTx {
        tx: tx.clone().into(),
        kind: tendermint::abci::request::CheckTxKind::New,
    });
    assert_eq!(response.code.value(), 13);
    assert_eq!(
        response.log,
        "insufficient fees; got: 10uramp required: 200uramp: insufficient fee"
    );
    // A block still includes it: the minimum is a node-local mempool policy.
    assert_eq!(chain.deliver_one(tx).code.value(), 0);
    assert!(AppConfig::parse_min_gas_prices("abc").is_err());
    assert!(AppConfig::parse_min_gas_prices("")
        .expect("empty")
        .is_empty());
}

#[test]
fn simulation_estimates_enough_gas_without_signatures() {
    use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
    for sender in [Key::secp(7), Key::ed(8)] {
        let mut chain = Chain::new(&[&sender]);
        let from = sender.address();
        let to = Key::secp(9).address();
        let msgs = vec![msg_send(from, to, vec![coin("5", DENOM)])];
        let mut sim_signer = chain.signer(&sender);
        sim_signer.mode = SignMode::Unspecified;
        let mut sim = TxBuilder::new(msgs.clone(), vec![sim_signer]);
        sim.fee = vec![];
        sim.gas_limit = 0;
        let queries = chain.driver.app.queries();
        let estimate = queries.simulate(&sim.build_unsigned()).expect("simulates");
        assert!(estimate.gas_used > 0);
        assert_eq!(
            estimate.msg_responses[0].type_url,
            "/cosmos.bank.v1beta1.MsgSendResponse"
        );
        assert!(!estimate.events.is_empty());
        assert_eq!(chain.balance(&to, DENOM), 0, "simulation changes nothing");

        let mut real = TxBuilder::new(msgs, vec![chain.signer(&sender)]);
        real.gas_limit = estimate.gas_used.saturating_mul(14) / 10;
        let result = chain.deliver_one(real.build());
        assert_ok(&result);
        assert!(result.gas_used <= result.gas_wanted);

        // A wrong sequence is still refused in simulation.
        let mut stale = sim.clone();
        stale.signers[0].sequence = 0;
        let err = queries
            .simulate(&stale.build_unsigned())
            .expect_err("stale");
        assert_eq!(err.code, 32);
    }
}

#[test]
fn abci_query_answers_simulate_like_queries_do() {
    use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
    use cosmos_sdk_proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
    use prost::Message;
    use rampart_app::simulate::SIMULATE_PATH;

    let sender = Key::secp(11);
    let chain = Chain::new(&[&sender]);
    let to = Key::secp(12).address();
    let mut signer = chain.signer(&sender);
    signer.mode = SignMode::Unspecified;
    let mut sim = TxBuilder::new(
        vec![msg_send(sender.address(), to, vec![coin("5", DENOM)])],
        vec![signer],
    );
    sim.fee = vec![];
    sim.gas_limit = 0;
    let tx_bytes = sim.build_unsigned();
    let direct = chain
        .driver
        .app
        .queries()
        .simulate(&tx_bytes)
        .expect("simulates");

    let request = SimulateRequest {
        tx_bytes,
        ..Default::default()
    };
    let answer = chain
        .driver
        .query(SIMULATE_PATH, &request.encode_to_vec(), 0, false);
    assert_eq!(answer.code.value(), 0, "{}", answer.log);
    assert_eq!(
        answer.height.value(),
        chain.driver.height,
        "answered at the committed height"
    );
    let response = SimulateResponse::decode(answer.value.as_ref()).expect("SimulateResponse");
    let gas = response.gas_info.expect("gas info");
    assert_eq!(gas.gas_used, direct.gas_used);
    let result = response.result.expect("result");
    assert_eq!(result.msg_responses, direct.msg_responses);
    assert!(result
        .events
        .iter()
        .all(|e| e.attributes.iter().all(|a| a.index)));

    let empty = chain.driver.query(SIMULATE_PATH, &[], 0, false);
    assert_eq!(
        (empty.codespace.as_str(), empty.code.value()),
        ("sdk", 18),
        "{}",
        empty.log
    );
}

/// `tx` with one bit of its first signature flipped: the same body and auth info, a signature
/// that does not verify.
fn forged(tx: &[u8]) -> Vec<u8> {
    let mut raw = cosmos_sdk_proto::cosmos::tx::v1beta1::TxRaw::decode(tx).expect("TxRaw");
    raw.signatures[0][7] ^= 1;
    raw.encode_to_vec()
}

/// Issue 14: CheckTx remembers the signatures it verified (`rampart_app::sigcache`), keyed by
/// key, sign bytes and signature, so a transaction whose body equals a remembered one but whose
/// signature is forged is still refused, in CheckTx and in a block.
#[test]
fn a_forged_signature_over_a_remembered_body_is_still_refused() {
    for sender in [Key::secp(6), Key::ed(6)] {
        let mut chain = Chain::new(&[&sender]);
        let to = Key::secp(7).address();
        let tx = TxBuilder::new(
            vec![msg_send(sender.address(), to, vec![coin("5", DENOM)])],
            vec![chain.signer(&sender)],
        )
        .build();
        let checked = chain.driver.check_tx(&tx);
        assert_eq!(checked.code.value(), 0, "{}", checked.log);
        // An empty block resets CheckTx's state (the sequence is 0 again), not the cache.
        chain.deliver(Vec::new());
        let forged = forged(&tx);
        let refused = chain.driver.check_tx(&forged);
        assert_eq!(
            (refused.codespace.as_str(), refused.code.value()),
            ("sdk", 4),
            "{}",
            refused.log
        );
        assert!(refused.log.starts_with("signature verification failed"));
        let again = chain.driver.check_tx(&tx);
        assert_eq!(again.code.value(), 0, "{}", again.log);
        let results = chain.deliver(vec![forged, tx]);
        assert_eq!(results[0].code.value(), 4, "{}", results[0].log);
        assert_eq!(results[1].code.value(), 0, "{}", results[1].log);
        assert_eq!(chain.balance(&to, DENOM), 5);
    }
}

/// Issue 14: a block gives the same results and app hash whether its signatures were remembered
/// by CheckTx or are verified by the block's parallel pass, with a forged signature, a sender
/// that sends twice and an unsigned-for account among them.
#[test]
fn blocks_give_the_same_results_whether_checked_before_or_not() {
    let keys: Vec<Key> = (20..24)
        .map(Key::secp)
        .chain((20..23).map(Key::ed))
        .collect();
    let refs: Vec<&Key> = keys.iter().collect();
    let run = |check_first: bool| {
        let mut chain = Chain::new(&refs);
        let mut txs = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            let to = keys[(i + 1) % keys.len()].address();
            let signer = chain.signer(key);
            let mut next = signer.clone();
            next.sequence += 1;
            txs.push(
                TxBuilder::new(
                    vec![msg_send(key.address(), to, vec![coin("3", DENOM)])],
                    vec![signer],
                )
                .build(),
            );
            if i == 0 {
                txs.push(
                    TxBuilder::new(
                        vec![msg_send(key.address(), to, vec![coin("4", DENOM)])],
                        vec![next],
                    )
                    .build(),
                );
            }
        }
        txs.insert(2, forged(&txs[3]));
        if check_first {
            for tx in &txs {
                chain.driver.check_tx(tx);
            }
        }
        let results = chain.deliver(txs);
        (results, chain.app_hash())
    };
    let (checked, checked_hash) = run(true);
    let (unseen, unseen_hash) = run(false);
    assert_eq!(checked, unseen);
    assert_eq!(checked_hash, unseen_hash);
    let codes: Vec<u32> = checked.iter().map(|r| r.code.value()).collect();
    assert_eq!(codes, vec![0, 0, 4, 0, 0, 0, 0, 0, 0]);
}

/// Issue 14: the ante handler reads and decodes each signer's account once per transaction, and
/// still charges every read it used to make, so `gas_used` is unchanged (pinned below, measured
/// before the change), in CheckTx and in a block, for a first transaction (the key is stored)
/// and a second one (the key is read back), and an out-of-gas limit inside the ante handler
/// fails at the same place with the same reading. Before the change the ante handler fetched the
/// account from the state it runs on three times.
#[test]
fn the_ante_handler_reads_each_account_once_and_charges_the_same_gas() {
    use rampart_app::exec::{apply_tx, TxEnv};
    use rampart_core::context::ExecMode;
    use rampart_core::state::Overlay;
    use rampart_core::{BlockContext, BlockTime, ChainProfile, Counting};

    let sender = Key::secp(31);
    let mut chain = Chain::new(&[&sender]);
    let to = Key::secp(32).address();
    let send = |chain: &Chain, gas: u64| {
        let mut tx = TxBuilder::new(
            vec![msg_send(sender.address(), to, vec![coin("7", DENOM)])],
            vec![chain.signer(&sender)],
        );
        tx.gas_limit = gas;
        tx.build()
    };
    let modules = rampart_app::Modules::provider();
    // (mode, gas_used, store reads through the counting state, log) of one run of `tx`.
    let run = |chain: &Chain, tx: &[u8], mode: ExecMode| {
        let height = chain.driver.height + 1;
        let time = BlockTime {
            seconds: MockConsensus::time_of(height).unix_timestamp(),
            nanos: 0,
        };
        let block = BlockContext::bare(CHAIN_ID.into(), ChainProfile::rampart(), height, time);
        let snapshot = chain.storage.snapshot();
        let mut state = Counting::new(Overlay::new(&snapshot));
        let env = TxEnv {
            block: &block,
            mode,
            min_gas_prices: &[],
            signatures: None,
        };
        let applied = apply_tx(&modules, &mut state, &env, tx);
        let log = applied.result.err().map(|e| e.log).unwrap_or_default();
        (applied.gas_used, state.count().gets, log)
    };
    let mut seen = Vec::new();
    let mut out_of_gas = Vec::new();
    for round in 0..2 {
        for mode in [ExecMode::Check, ExecMode::Deliver] {
            seen.push(run(&chain, &send(&chain, 200_000), mode));
        }
        // Every charge of the ante handler crossed by some limit, 100 gas apart: where the
        // transaction runs out of gas, and the reading there.
        let ante = seen[seen.len() - 2].0;
        for limit in (100..ante).step_by(100) {
            let (_, _, log) = run(&chain, &send(&chain, limit), ExecMode::Check);
            let short = log
                .strip_prefix("out of gas in location: ")
                .and_then(|rest| rest.strip_suffix(": out of gas"))
                .map(|rest| rest.replace(&format!("; gasWanted: {limit}, gasUsed:"), ""))
                .unwrap_or(log);
            if out_of_gas.last() != Some(&short) {
                out_of_gas.push(short);
            }
        }
        if round == 0 {
            let result = chain.deliver_one(send(&chain, 200_000));
            assert_eq!(result.code.value(), 0, "{}", result.log);
        }
    }
    let figures: Vec<(u64, usize)> = seen.iter().map(|(gas, gets, _)| (*gas, *gets)).collect();
    assert!(seen.iter().all(|(_, _, log)| log.is_empty()), "{seen:?}");
    // Gas as before the change; store reads were (6, 13, 7, 12): each signer's account was
    // fetched again by the public-key and the sequence steps.
    assert_eq!(
        figures,
        vec![(35_401, 5), (58_096, 12), (28_309, 5), (41_338, 10)],
        "(gas used, store reads): CheckTx and block, first and second transaction"
    );
    let first = "ReadFlat 1000, ReadPerByte 1072, txSize 4212, ReadFlat 5212, ReadPerByte 5557, \
        ReadFlat 6557, ReadPerByte 6707, WriteFlat 8707, WritePerByte 10207, ReadFlat 11207, \
        ReadPerByte 11603, ReadFlat 12603, ReadPerByte 12705, WriteFlat 14705, \
        WritePerByte 16205, ReadFlat 17205, ReadFlat 17215, ReadPerByte 17560, WriteFlat 19560, \
        WritePerByte 25170, ante verify: secp256k1 26170, ReadFlat 27170, ReadPerByte 27731, \
        WriteFlat 29731, WritePerByte 35401";
    let second = "ReadFlat 1000, ReadPerByte 1072, txSize 4232, ReadFlat 5232, ReadPerByte 5799, \
        ReadFlat 6799, ReadPerByte 6949, WriteFlat 8949, WritePerByte 10449, ReadFlat 11449, \
        ReadPerByte 11845, ReadFlat 12845, ReadPerByte 12995, WriteFlat 14995, \
        WritePerByte 16495, WritePerByte 16505, ReadFlat 17505, ReadPerByte 18072, \
        ante verify: secp256k1 19072, ReadFlat 20072, ReadPerByte 20639, WriteFlat 22639, \
        WritePerByte 28309";
    assert_eq!(out_of_gas.join(", "), format!("{first}, {second}"));
}
