//! The client transaction builder: a signed tx decodes with the app's decoder and its signature
//! verifies, checked independently with k256 and ed25519-consensus.

use cosmos_sdk_proto::cosmos::bank::v1beta1::MsgSend;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::crypto::{ed25519, secp256k1};
use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{mode_info, SignDoc};
use k256::ecdsa::signature::Verifier;
use prost::Message;
use rampart_client::coins::parse_coins;
use rampart_client::keys::{mnemonic, AccountKey, KeyType};
use rampart_client::tx_builder::{msg_send, sign_tx, simulation_tx, TxParams, MSG_SEND_TYPE_URL};

const ABANDON_ABOUT: &str = "abandon abandon abandon abandon abandon abandon abandon abandon \
                             abandon abandon abandon about";

fn key(kind: KeyType) -> AccountKey {
    AccountKey::from_mnemonic(&mnemonic::parse(ABANDON_ABOUT).expect("valid"), kind)
        .expect("derives")
}

fn params() -> TxParams {
    TxParams {
        chain_id: "rampart-test-1".into(),
        account_number: 7,
        sequence: 3,
        fee: parse_coins("500uramp").expect("coins"),
        gas_limit: 150_000,
        memo: "hello".into(),
        timeout_height: 0,
    }
}

fn send_from(key: &AccountKey) -> cosmrs::Any {
    let from = key.address().expect("address").to_string();
    msg_send(
        &from,
        &from,
        vec![Coin {
            denom: "uramp".into(),
            amount: "100".into(),
        }],
    )
}

/// Decodes `tx` with the app and returns (decoded tx, recomputed sign bytes).
fn decode_and_sign_bytes(tx: &[u8], p: &TxParams) -> (rampart_app::tx::DecodedTx, Vec<u8>) {
    let decoded = rampart_app::tx::decode(tx).expect("the app decodes the tx");
    let sign_bytes = SignDoc {
        body_bytes: decoded.body_bytes.clone(),
        auth_info_bytes: decoded.auth_info_bytes.clone(),
        chain_id: p.chain_id.clone(),
        account_number: p.account_number,
    }
    .encode_to_vec();
    (decoded, sign_bytes)
}

fn assert_envelope(decoded: &rampart_app::tx::DecodedTx, type_url: &str) {
    assert_eq!(decoded.body.memo, "hello");
    assert_eq!(decoded.body.messages.len(), 1);
    assert_eq!(decoded.body.messages[0].type_url, MSG_SEND_TYPE_URL);
    let msg = MsgSend::decode(decoded.body.messages[0].value.as_slice()).expect("MsgSend");
    assert_eq!(msg.amount[0].amount, "100");
    let fee = decoded.auth_info.fee.as_ref().expect("fee");
    assert_eq!(fee.gas_limit, 150_000);
    assert_eq!(fee.amount[0].denom, "uramp");
    assert_eq!(decoded.auth_info.signer_infos.len(), 1);
    let signer = &decoded.auth_info.signer_infos[0];
    assert_eq!(signer.sequence, 3);
    assert_eq!(
        signer.public_key.as_ref().expect("pubkey").type_url,
        type_url
    );
    match signer.mode_info.as_ref().and_then(|m| m.sum.as_ref()) {
        Some(mode_info::Sum::Single(single)) => assert_eq!(single.mode, SignMode::Direct as i32),
        other => panic!("expected single direct, got {other:?}"),
    }
    assert_eq!(decoded.signatures.len(), 1);
    assert_eq!(decoded.signatures[0].len(), 64);
}

#[test]
fn secp256k1_signed_tx_verifies_independently() {
    let key = key(KeyType::Secp256k1);
    let p = params();
    let signed = sign_tx(vec![send_from(&key)], &key, &p).expect("signs");
    let (decoded, sign_bytes) = decode_and_sign_bytes(&signed.tx_bytes, &p);
    assert_eq!(decoded.hash, signed.hash, "hash = sha256(tx bytes)");
    assert_eq!(signed.hash_hex().len(), 64);
    assert_envelope(&decoded, "/cosmos.crypto.secp256k1.PubKey");

    let any = decoded.auth_info.signer_infos[0]
        .public_key
        .clone()
        .expect("pk");
    let pk = secp256k1::PubKey::decode(any.value.as_slice()).expect("PubKey");
    assert_eq!(pk.key.len(), 33);
    let vk = k256::ecdsa::VerifyingKey::from_sec1_bytes(&pk.key).expect("valid point");
    let sig = k256::ecdsa::Signature::from_slice(&decoded.signatures[0]).expect("r||s");
    assert!(sig.normalize_s().is_none(), "signature is low-S");
    vk.verify(&sign_bytes, &sig)
        .expect("signature verifies over sha256(sign doc)");

    // Any change to what is signed breaks it: another chain id or account number.
    let mut other = p.clone();
    other.chain_id = "other-chain".into();
    let (_, other_bytes) = decode_and_sign_bytes(&signed.tx_bytes, &other);
    assert!(vk.verify(&other_bytes, &sig).is_err());
    other = p.clone();
    other.account_number = 8;
    let (_, other_bytes) = decode_and_sign_bytes(&signed.tx_bytes, &other);
    assert!(vk.verify(&other_bytes, &sig).is_err());
}

#[test]
fn ed25519_signed_tx_verifies_independently() {
    let key = key(KeyType::Ed25519);
    let p = params();
    let signed = sign_tx(vec![send_from(&key)], &key, &p).expect("signs");
    let (decoded, sign_bytes) = decode_and_sign_bytes(&signed.tx_bytes, &p);
    assert_envelope(&decoded, "/cosmos.crypto.ed25519.PubKey");

    let any = decoded.auth_info.signer_infos[0]
        .public_key
        .clone()
        .expect("pk");
    let pk = ed25519::PubKey::decode(any.value.as_slice()).expect("PubKey");
    let pk: [u8; 32] = pk.key.as_slice().try_into().expect("32 bytes");
    let vk = ed25519_consensus::VerificationKey::try_from(pk).expect("valid key");
    let sig: [u8; 64] = decoded.signatures[0]
        .as_slice()
        .try_into()
        .expect("64 bytes");
    let sig = ed25519_consensus::Signature::from(sig);
    vk.verify(&sig, &sign_bytes)
        .expect("signature verifies over the sign doc");
    assert!(vk.verify(&sig, b"something else").is_err());
}

#[test]
fn simulation_tx_has_unspecified_mode_empty_signature_and_no_fee() {
    let key = key(KeyType::Secp256k1);
    let tx = simulation_tx(vec![send_from(&key)], key.public_key(), 5, "m").expect("builds");
    let decoded = rampart_app::tx::decode(&tx).expect("decodes");
    assert_eq!(decoded.signatures, vec![Vec::<u8>::new()]);
    let fee = decoded.auth_info.fee.expect("fee");
    assert!(fee.amount.is_empty());
    assert_eq!(fee.gas_limit, 0);
    let signer = &decoded.auth_info.signer_infos[0];
    assert_eq!(signer.sequence, 5);
    match signer.mode_info.as_ref().and_then(|m| m.sum.as_ref()) {
        Some(mode_info::Sum::Single(s)) => assert_eq!(s.mode, SignMode::Unspecified as i32),
        other => panic!("expected single, got {other:?}"),
    }
}

#[test]
fn signing_is_deterministic_and_binds_the_sequence() {
    let key = key(KeyType::Secp256k1);
    let p = params();
    let a = sign_tx(vec![send_from(&key)], &key, &p).expect("signs");
    let b = sign_tx(vec![send_from(&key)], &key, &p).expect("signs");
    assert_eq!(a, b, "RFC 6979 signatures are deterministic");
    let mut next = p.clone();
    next.sequence += 1;
    let c = sign_tx(vec![send_from(&key)], &key, &next).expect("signs");
    assert_ne!(a.hash, c.hash);
}
