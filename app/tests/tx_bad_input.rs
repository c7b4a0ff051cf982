//! Every bad transaction from issue 3's list, through CheckTx and FinalizeBlock: the stable code,
//! the SDK's log, and state left unchanged — except the fee and the sequence increment, which
//! persist when only the messages fail, as in the Cosmos SDK.

use cosmos_sdk_proto::cosmos::tx::v1beta1::TxRaw;
use prost::Message;
use rampart_auth::FEE_COLLECTOR;
use rampart_core::Address;
use rampart_testkit::*;
use tendermint_proto::google::protobuf::Any;

/// Sender balance, recipient balance, sender (number, sequence, key known), app hash.
type Observed = (u128, u128, Option<(u64, u64, bool)>, Vec<u8>);

struct Fixture {
    chain: Chain,
    sender: Key,
    from: Address,
    to: Address,
}

fn fixture() -> Fixture {
    let sender = Key::secp(11);
    let chain = Chain::new(&[&sender, &Key::ed(12)]);
    Fixture {
        from: sender.address(),
        to: Key::secp(13).address(),
        chain,
        sender,
    }
}

impl Fixture {
    fn send(&self, amount: Vec<cosmos_sdk_proto::cosmos::base::v1beta1::Coin>) -> TxBuilder {
        TxBuilder::new(
            vec![msg_send(self.from, self.to, amount)],
            vec![self.chain.signer(&self.sender)],
        )
    }

    fn state(&self) -> Observed {
        (
            self.chain.balance(&self.from, DENOM),
            self.chain.balance(&self.to, DENOM),
            self.chain.account(&self.from),
            self.chain.app_hash(),
        )
    }

    /// Refused by CheckTx and by FinalizeBlock with `code` and `log`; nothing changes: the
    /// balances and the account stay, and the app hash is the one of an empty block (every
    /// block writes mint's clock and distribution's previous proposer).
    fn refused(&mut self, tx: Vec<u8>, code: u32, log: &str) {
        let mut before = self.state();
        let check = self.chain.driver.check_tx(&tx);
        assert_eq!(check.code.value(), code, "CheckTx: {}", check.log);
        before.3 = self
            .chain
            .driver
            .finalize(Vec::new())
            .app_hash
            .as_bytes()
            .to_vec();
        let result = self.chain.deliver_one(tx);
        assert_eq!(result.code.value(), code, "FinalizeBlock: {}", result.log);
        assert!(
            result.log.contains(log),
            "log {:?} lacks {log:?}",
            result.log
        );
        assert!(result.events.is_empty(), "a refused tx emits nothing");
        assert_eq!(self.state(), before, "state unchanged");
    }

    /// Passes CheckTx (ante only) but its message fails in the block with `code` and `log`: the
    /// fee and the sequence increment persist, nothing else.
    fn message_fails(&mut self, tx: TxBuilder, code: u32, log: &str) {
        let (from_before, to_before, account, _) = self.state();
        let (_, sequence, _) = account.expect("sender exists");
        let tx = tx.build();
        let check = self.chain.driver.check_tx(&tx);
        assert_eq!(
            check.code.value(),
            0,
            "CheckTx runs the ante handler only: {}",
            check.log
        );
        let result = self.chain.deliver_one(tx);
        assert_eq!(result.code.value(), code, "{}", result.log);
        assert_eq!(result.log, log);
        assert_eq!(
            self.chain.balance(&self.from, DENOM),
            from_before - 2000,
            "fee paid"
        );
        assert_eq!(
            self.chain.balance(&self.to, DENOM),
            to_before,
            "nothing sent"
        );
        assert_eq!(
            self.chain.balance(&Address::module(FEE_COLLECTOR), DENOM),
            2000,
            "the block's fees wait in the collector (distribution took the earlier ones)"
        );
        assert_eq!(
            self.chain.account(&self.from).map(|a| a.1),
            Some(sequence + 1),
            "sequence used"
        );
        let attrs = attributes(&result.events);
        assert!(
            attrs.iter().any(|(k, a, _)| k == "tx" && a == "fee"),
            "ante events kept"
        );
        assert!(
            !attrs
                .iter()
                .any(|(k, a, _)| k == "message" && a == "action"),
            "the failed message's events are dropped"
        );
    }
}

fn raw(tx: &[u8]) -> TxRaw {
    TxRaw::decode(tx).expect("valid TxRaw")
}

#[test]
fn garbage_and_truncated_bytes_are_decode_errors() {
    let mut f = fixture();
    f.refused(vec![0xff, 0x01, 0x02, 0x03], 2, "tx parse error");
    let valid = f.send(vec![coin("1", DENOM)]).build();
    f.refused(valid[..valid.len() - 10].to_vec(), 2, "tx parse error");
}

#[test]
fn unknown_message_type_is_refused() {
    let mut f = fixture();
    let mut tx = f.send(vec![coin("1", DENOM)]);
    tx.body.messages = vec![Any {
        type_url: "/cosmos.foo.v1.MsgBar".into(),
        value: vec![],
    }];
    f.refused(
        tx.build(),
        2,
        "unable to resolve type URL /cosmos.foo.v1.MsgBar: tx parse error",
    );
}

#[test]
fn missing_or_extra_signatures_are_refused() {
    let mut f = fixture();
    let mut none = raw(&f.send(vec![coin("1", DENOM)]).build());
    none.signatures.clear();
    f.refused(none.encode_to_vec(), 15, "no signatures supplied");
    let mut two = raw(&f.send(vec![coin("1", DENOM)]).build());
    two.signatures.push(two.signatures[0].clone());
    f.refused(
        two.encode_to_vec(),
        4,
        "wrong number of signers; expected 1, got 2: unauthorized",
    );
}

#[test]
fn signature_by_another_key_is_unauthorized() {
    let mut f = fixture();
    let mut tx = f.send(vec![coin("1", DENOM)]);
    tx.signers[0].key = Key::secp(77); // signs, but the signer info names the sender's key
    let number = tx.signers[0].account_number;
    f.refused(
        tx.build(),
        4,
        &format!(
            "signature verification failed; please verify account number ({number}) and chain-id ({CHAIN_ID}): unauthorized"
        ),
    );
}

#[test]
fn pub_key_not_matching_the_signer_is_refused() {
    let mut f = fixture();
    let other = Key::ed(78);
    let mut tx = f.send(vec![coin("1", DENOM)]);
    tx.signers[0].key = other.clone();
    tx.signers[0].pub_key = Some(other.pub_key().to_any());
    let log = format!(
        "pubKey does not match signer address {} with signer index: 0: invalid pubkey",
        f.from
    );
    f.refused(tx.build(), 8, &log);
}

#[test]
fn wrong_chain_id_and_account_number_are_unauthorized() {
    let mut f = fixture();
    let mut tx = f.send(vec![coin("1", DENOM)]);
    tx.chain_id = "other-chain".into();
    f.refused(tx.build(), 4, "signature verification failed");
    let mut tx = f.send(vec![coin("1", DENOM)]);
    tx.signers[0].account_number += 1;
    f.refused(tx.build(), 4, "please verify account number");
}

#[test]
fn replayed_and_out_of_order_sequences_are_code_32() {
    let mut f = fixture();
    let tx = f.send(vec![coin("1", DENOM)]).build();
    assert_eq!(f.chain.deliver_one(tx.clone()).code.value(), 0);
    let mismatch = |got: u64| {
        format!("account sequence mismatch, expected 1, got {got}: incorrect account sequence")
    };
    f.refused(tx, 32, &mismatch(0));
    // Too low and too high.
    for sequence in [0, 5] {
        let mut other = f.send(vec![coin("2", DENOM)]);
        other.signers[0].sequence = sequence;
        f.refused(other.build(), 32, &mismatch(sequence));
    }
}

#[test]
fn bad_amounts_and_denoms_are_invalid_coins() {
    let mut f = fixture();
    let overflow = "340282366920938463463374607431768211456"; // u128::MAX + 1
    for (amount, log) in [
        (
            vec![coin("0", DENOM)],
            "0uramp: amount must be positive: invalid coins",
        ),
        (
            vec![coin("-5", DENOM)],
            "-5uramp: invalid amount \"-5\": invalid coins",
        ),
        (vec![coin(overflow, DENOM)], "overflows: invalid coins"),
        (vec![], "empty amount: invalid coins"),
        (vec![coin("5", "u!")], "invalid denom: u!: invalid coins"),
    ] {
        let tx = f.send(amount).build();
        f.refused(tx, 10, log);
    }
}

#[test]
fn malformed_addresses_are_code_7() {
    let mut f = fixture();
    let mut tx = f.send(vec![coin("1", DENOM)]);
    tx.body.messages[0] = Any {
        type_url: "/cosmos.bank.v1beta1.MsgSend".into(),
        value: cosmos_sdk_proto::cosmos::bank::v1beta1::MsgSend {
            from_address: f.from.to_string(),
            to_address: "cosmos1notours".into(),
            amount: vec![coin("1", DENOM)],
        }
        .encode_to_vec(),
    };
    f.refused(tx.build(), 7, "invalid address");
}

#[test]
fn sending_more_than_the_balance_fails_after_the_fee() {
    let mut f = fixture();
    let spendable = FUNDS - 2000;
    let tx = f.send(vec![coin(&(spendable + 1).to_string(), DENOM)]);
    f.message_fails(
        tx,
        5,
        &format!(
            "spendable balance {spendable}uramp is smaller than {}uramp: insufficient funds",
            spendable + 1
        ),
    );
}

#[test]
fn sending_to_a_module_account_fails_after_the_fee() {
    let mut f = fixture();
    f.to = Address::module(FEE_COLLECTOR);
    let tx = f.send(vec![coin("1", DENOM)]);
    let (from_before, _, account, _) = f.state();
    let result = f.chain.deliver_one(tx.build());
    assert_eq!(result.code.value(), 4);
    assert!(result
        .log
        .ends_with("is not allowed to receive funds: unauthorized"));
    assert_eq!(f.chain.balance(&f.from, DENOM), from_before - 2000);
    assert_eq!(
        f.chain.account(&f.from).map(|a| a.1),
        account.map(|a| a.1 + 1)
    );
}

#[test]
fn fee_above_the_balance_is_refused() {
    let mut f = fixture();
    let mut tx = f.send(vec![coin("1", DENOM)]);
    tx.fee = vec![coin(&(FUNDS + 1).to_string(), DENOM)];
    f.refused(
        tx.build(),
        5,
        &format!(
            "spendable balance {FUNDS}uramp is smaller than {}uramp: insufficient funds",
            FUNDS + 1
        ),
    );
}

#[test]
fn gas_limit_too_low_is_out_of_gas() {
    let mut f = fixture();
    let mut tx = f.send(vec![coin("1", DENOM)]);
    tx.gas_limit = 100;
    // The first charge, reading the auth parameters, already exceeds the limit.
    f.refused(
        tx.build(),
        11,
        "out of gas in location: ReadFlat; gasWanted: 100, gasUsed: 1000: out of gas",
    );
    // Running out later in the ante handler (after the tx size charge) also leaves nothing.
    let mut tx = f.send(vec![coin("1", DENOM)]);
    tx.gas_limit = 5000;
    f.refused(tx.build(), 11, "gasWanted: 5000, gasUsed: ");
}

#[test]
fn running_out_of_gas_in_a_message_keeps_fee_and_sequence() {
    let mut f = fixture();
    let probe = f.send(vec![coin("1", DENOM)]);
    let estimate = f
        .chain
        .driver
        .app
        .queries()
        .simulate(&probe.build_unsigned())
        .expect("simulates");
    let mut tx = probe;
    // Enough for the ante handler (size, signature, fee, sequence), not for the transfer.
    tx.gas_limit = estimate.gas_used - 5000;
    let (from_before, _, _, _) = f.state();
    let result = f.chain.deliver_one(tx.build());
    assert_eq!(result.code.value(), 11, "{}", result.log);
    assert!(result.log.starts_with("out of gas in location: "));
    assert!(result
        .log
        .contains(&format!("gasWanted: {}", estimate.gas_used - 5000)));
    assert_eq!(f.chain.balance(&f.from, DENOM), from_before - 2000);
    assert_eq!(f.chain.balance(&f.to, DENOM), 0);
    assert_eq!(f.chain.account(&f.from).map(|a| a.1), Some(1));
}

#[test]
fn passed_timeout_height_is_refused() {
    let mut f = fixture();
    let mut tx = f.send(vec![coin("1", DENOM)]);
    tx.body.timeout_height = 1;
    // CheckTx runs against height 2 and the block is height 2.
    f.refused(
        tx.build(),
        30,
        "block height: 2, timeout height: 1: tx timeout height",
    );
}

#[test]
fn oversize_memo_and_tx_are_refused() {
    let mut f = fixture();
    let mut tx = f.send(vec![coin("1", DENOM)]);
    tx.body.memo = "m".repeat(257);
    f.refused(
        tx.build(),
        12,
        "maximum number of characters is 256 but received 257 characters: memo too large",
    );
    let mut big = f.send(vec![coin("1", DENOM)]);
    big.body.memo = "m".repeat(1024 * 1024);
    f.refused(big.build(), 21, "the limit is 1048576");
}

#[test]
fn extension_options_are_refused() {
    let mut f = fixture();
    let option = Any {
        type_url: "/cosmos.foo.Ext".into(),
        value: vec![],
    };
    let mut critical = f.send(vec![coin("1", DENOM)]);
    critical.body.extension_options = vec![option.clone()];
    f.refused(critical.build(), 31, "unknown extension options");
    let mut non_critical = f.send(vec![coin("1", DENOM)]);
    non_critical.body.non_critical_extension_options = vec![option];
    f.refused(non_critical.build(), 31, "unknown extension options");
}

#[test]
fn deeply_nested_any_and_protobuf_are_refused_without_recursion() {
    let mut f = fixture();
    let mut nested = Any {
        type_url: "/cosmos.authz.v1beta1.MsgExec".into(),
        value: vec![],
    };
    for _ in 0..500 {
        nested = Any {
            type_url: "/cosmos.authz.v1beta1.MsgExec".into(),
            value: nested.encode_to_vec(),
        };
    }
    let mut tx = f.send(vec![coin("1", DENOM)]);
    tx.body.messages = vec![nested];
    f.refused(
        tx.build(),
        2,
        "unable to resolve type URL /cosmos.authz.v1beta1.MsgExec",
    );
    // 500 nested groups in an unknown body field: prost's recursion limit refuses them.
    let mut deep = raw(&f.send(vec![coin("1", DENOM)]).build());
    let field = 1000u32;
    let start = prost::encoding::encode_key; // (tag, wire type, buf)
    let mut groups = Vec::new();
    for _ in 0..500 {
        start(field, prost::encoding::WireType::StartGroup, &mut groups);
    }
    for _ in 0..500 {
        start(field, prost::encoding::WireType::EndGroup, &mut groups);
    }
    deep.body_bytes.extend_from_slice(&groups);
    f.refused(deep.encode_to_vec(), 2, "tx parse error");
}

#[test]
fn unfunded_signer_is_unknown() {
    let mut f = fixture();
    let stranger = Key::secp(90);
    f.from = stranger.address();
    let tx = TxBuilder::new(
        vec![msg_send(f.from, f.to, vec![coin("1", DENOM)])],
        vec![Signer::new(&stranger, 0, 0)],
    );
    f.refused(tx.build(), 9, "does not exist: unknown address");
}
