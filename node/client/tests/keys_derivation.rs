//! HD derivation: the Cosmos test vector, prefixes, and both key types.

use rampart_client::address::with_prefix;
use rampart_client::address::{ACCOUNT_PREFIX, VALIDATOR_PREFIX as VALOPER_PREFIX};
use rampart_client::keys::hd::{address_of, HD_PATH};
use rampart_client::keys::{mnemonic, AccountKey, KeyType};
use sha2::{Digest, Sha256};

const ABANDON_ABOUT: &str = "abandon abandon abandon abandon abandon abandon abandon abandon \
                             abandon abandon abandon about";

fn key(kind: KeyType) -> AccountKey {
    let phrase = mnemonic::parse(ABANDON_ABOUT).expect("test vector mnemonic is valid");
    AccountKey::from_mnemonic(&phrase, kind).expect("derivation")
}

#[test]
fn secp256k1_matches_the_cosmos_test_vector() {
    assert_eq!(HD_PATH, "m/44'/118'/0'/0/0");
    let key = key(KeyType::Secp256k1);
    let cosmos = address_of(&key.public_key(), "cosmos").expect("address");
    assert_eq!(
        cosmos.to_string(),
        "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4"
    );
    let rampart = key.address().expect("address");
    assert_eq!(rampart.prefix(), ACCOUNT_PREFIX);
    assert_eq!(rampart.to_bytes(), cosmos.to_bytes(), "same 20 bytes");
    let valoper = with_prefix(&rampart, VALOPER_PREFIX).expect("valoper");
    assert!(valoper.to_string().starts_with("rampartvaloper1"));
    assert_eq!(valoper.to_bytes(), cosmos.to_bytes());
    assert_eq!(
        key.public_key().to_bytes().len(),
        33,
        "compressed secp256k1"
    );
}

#[test]
fn ed25519_is_deterministic_and_addressed_by_sha256() {
    let a = key(KeyType::Ed25519);
    let b = key(KeyType::Ed25519);
    assert_eq!(
        a.secret_bytes(),
        b.secret_bytes(),
        "same mnemonic, same key"
    );
    // The documented choice: the ed25519 seed is the BIP-32 secp256k1 secret at HD_PATH.
    assert_eq!(a.secret_bytes(), key(KeyType::Secp256k1).secret_bytes());
    let pk = a.public_key();
    assert_eq!(pk.type_url(), "/cosmos.crypto.ed25519.PubKey");
    assert_eq!(pk.to_bytes().len(), 32);
    let address = a.address().expect("address");
    assert_eq!(
        address.to_bytes(),
        Sha256::digest(pk.to_bytes())[..20].to_vec()
    );
    assert_ne!(address, key(KeyType::Secp256k1).address().expect("address"));
}

#[test]
fn new_mnemonics_give_distinct_keys() {
    let a = AccountKey::from_mnemonic(&mnemonic::generate(), KeyType::Secp256k1).expect("a");
    let b = AccountKey::from_mnemonic(&mnemonic::generate(), KeyType::Secp256k1).expect("b");
    assert_ne!(a.address().expect("a"), b.address().expect("b"));
}

#[test]
fn invalid_mnemonics_are_refused() {
    let wrong_checksum = ABANDON_ABOUT.replace("about", "abandon");
    for bad in [
        wrong_checksum.as_str(),
        "abandon abandon",
        "hello world foo bar",
    ] {
        let err = mnemonic::parse(bad).expect_err(bad);
        assert!(err.to_string().contains("invalid mnemonic"), "{err}");
    }
}
