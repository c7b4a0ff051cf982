//! Issue 13, finding 2: the structural limits of a transaction (message count, signatures
//! present and one per signer info) are enforced while decoding, before any message is routed —
//! so CheckTx spends no signer decoding or key decompression on a transaction that carries no
//! signature or too many messages. The probe is a message of an unknown type: routing it fails
//! with `sdk/2`, so a refusal with the limit's own code shows that nothing was routed (before the
//! fix, both transactions below were refused with `sdk/2` by routing).

use cosmos_sdk_proto::cosmos::tx::v1beta1::TxRaw;
use prost::Message;
use rampart_testkit::*;
use tendermint_proto::google::protobuf::Any;

/// A message no module routes.
fn unroutable() -> Any {
    Any {
        type_url: "/cosmos.foo.v1.MsgBar".into(),
        value: vec![],
    }
}

/// (codespace, code, log) of CheckTx and of the transaction in a block.
fn refusals(chain: &mut Chain, tx: Vec<u8>) -> [(String, u32, String); 2] {
    let check = chain.driver.check_tx(&tx);
    let deliver = chain.deliver_one(tx);
    [
        (check.codespace, check.code.value(), check.log),
        (deliver.codespace, deliver.code.value(), deliver.log),
    ]
}

#[test]
fn too_many_messages_are_refused_before_routing() {
    let key = Key::secp(21);
    let mut chain = Chain::new(&[&key]);
    let tx = TxBuilder::new(vec![unroutable(); 65], vec![chain.signer(&key)]).build();
    for (codespace, code, log) in refusals(&mut chain, tx) {
        assert_eq!((codespace.as_str(), code), ("sdk", 18), "{log}");
        assert_eq!(log, "too many messages: 65 (at most 64): invalid request");
    }
}

#[test]
fn unsigned_transactions_are_refused_before_routing() {
    let key = Key::secp(22);
    let mut chain = Chain::new(&[&key]);
    let tx = TxBuilder::new(vec![unroutable()], vec![chain.signer(&key)]).build();
    let mut unsigned = TxRaw::decode(tx.as_slice()).expect("TxRaw");
    unsigned.signatures.clear();
    for (codespace, code, log) in refusals(&mut chain, unsigned.encode_to_vec()) {
        assert_eq!((codespace.as_str(), code), ("sdk", 15), "{log}");
        assert_eq!(log, "no signatures supplied");
    }
}

#[test]
fn simulation_with_empty_signatures_still_runs() {
    let key = Key::secp(23);
    let chain = Chain::new(&[&key]);
    let send = msg_send(
        key.address(),
        Key::secp(24).address(),
        vec![coin("1", DENOM)],
    );
    let probe = TxBuilder::new(vec![send], vec![chain.signer(&key)]);
    let outcome = chain
        .driver
        .app
        .queries()
        .simulate(&probe.build_unsigned())
        .expect("simulates with one empty signature per signer");
    assert!(outcome.gas_used > 0);
}
