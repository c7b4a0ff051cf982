//! The one 20-byte address type of the chain and its bech32 forms.
//!
//! Accounts and validator operators are both an [`Address`]: the same bytes carry the account
//! prefix (`rampart1…`) or the operator prefix (`rampartvaloper1…`). Consensus addresses stay a
//! plain [`ConsensusAddress`] (CometBFT's form). Which prefixes a chain uses is its
//! `crate::profile::ChainProfile`; this file only knows how to encode and decode with one.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ops::Deref;

use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult, SdkCode};

/// A 20-byte CometBFT validator address (first 20 bytes of sha256 of the consensus key).
pub type ConsensusAddress = [u8; 20];
/// A 20-byte account or operator address, as the Cosmos SDK derives it from a public key or a
/// module name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address(pub [u8; 20]);

impl Address {
    /// The address of the module account `name`: `SHA256(name)[..20]`, as the SDK's
    /// `authtypes.NewModuleAddress`.
    pub fn module(name: &str) -> Self {
        Self::from_hash_prefix(&Sha256::digest(name.as_bytes()).into())
    }

    /// The first 20 bytes of a SHA-256 digest.
    pub fn from_hash_prefix(digest: &[u8; 32]) -> Self {
        let mut bytes = [0u8; 20];
        bytes.copy_from_slice(&digest[..20]); // 20 < 32: in bounds
        Self(bytes)
    }

    /// Bech32 with `prefix`.
    pub fn to_bech32(&self, prefix: &str) -> String {
        encode(prefix, &self.0)
    }

    /// Decodes a bech32 address that must carry `prefix` and 20 bytes; `Err` is `sdk/7`
    /// (`invalid address "…": …: invalid address`).
    pub fn from_bech32(text: &str, prefix: &str) -> AppResult<Self> {
        decode(text, prefix, None).map(Self)
    }

    /// Like [`Address::from_bech32`], naming `field` in the error
    /// (`invalid <field> "…": …: invalid address`).
    pub fn from_bech32_field(text: &str, prefix: &str, field: &str) -> AppResult<Self> {
        decode(text, prefix, Some(field)).map(Self)
    }
}

impl Deref for Address {
    type Target = [u8];

    /// The 20 bytes as a slice, so that an `&Address` is a key part wherever `&[u8]` is.
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl TryFrom<&[u8]> for Address {
    type Error = std::array::TryFromSliceError;

    /// Exactly 20 bytes (a key part read back from state).
    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        bytes.try_into().map(Self)
    }
}

impl From<[u8; 20]> for Address {
    fn from(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }
}

/// Bech32 text of 20 `bytes` with `prefix` (accounts, operators and consensus addresses alike).
pub fn encode(prefix: &str, bytes: &[u8; 20]) -> String {
    let known = |e: &Bech32| (e.bytes == *bytes && e.prefix == prefix).then(|| e.text.clone());
    if let Some(text) = recall(&ENCODED, known) {
        return text;
    }
    let text = subtle_encoding::bech32::encode(prefix, bytes);
    remember(&ENCODED, prefix, *bytes, &text);
    text
}

/// How many bech32 results each thread remembers, per direction.
const RECENT: usize = 8;

/// One bech32 result: `text` is `prefix` with `bytes`.
struct Bech32 {
    prefix: String,
    bytes: [u8; 20],
    text: String,
}

thread_local! {
    /// The latest [`encode`] results of this thread, newest first.
    static ENCODED: RefCell<VecDeque<Bech32>> = const { RefCell::new(VecDeque::new()) };
    /// The latest successful [`decode`] results of this thread, newest first.
    static DECODED: RefCell<VecDeque<Bech32>> = const { RefCell::new(VecDeque::new()) };
}

// A transaction names the same few addresses many times (its fee payer, signer and sender, the
// recipient, the fee collector): each is encoded for every event attribute and stored account
// that holds it, and decoded from every account read. Both directions are pure functions of
// their input, so replaying the last few results of a thread changes nothing but the time; a
// decoding is remembered only when it succeeded, and only for the exact text and prefix (what
// `encode` produced is never taken as a successful decoding).
fn recall<T>(
    memory: &'static std::thread::LocalKey<RefCell<VecDeque<Bech32>>>,
    pick: impl Fn(&Bech32) -> Option<T>,
) -> Option<T> {
    memory.with(|recent| recent.borrow().iter().find_map(pick))
}

fn remember(
    memory: &'static std::thread::LocalKey<RefCell<VecDeque<Bech32>>>,
    prefix: &str,
    bytes: [u8; 20],
    text: &str,
) {
    memory.with(|recent| {
        let mut recent = recent.borrow_mut();
        recent.truncate(RECENT - 1);
        recent.push_front(Bech32 {
            prefix: prefix.to_owned(),
            bytes,
            text: text.to_owned(),
        });
    });
}

/// Decodes `text`, which must carry `prefix` and 20 bytes; `Err` is `sdk/7`. With a `field` the
/// error reads `invalid <field> "<text>": <why>: invalid address`, without one
/// `invalid address "<text>": <why>: invalid address` (empty text: `empty address string is not
/// allowed`, the SDK's words).
pub fn decode(text: &str, prefix: &str, field: Option<&str>) -> AppResult<[u8; 20]> {
    let invalid = |why: String| {
        let what = field.unwrap_or("address");
        AppError::sdk(
            SdkCode::InvalidAddress,
            format!("invalid {what} {text:?}: {why}: invalid address"),
        )
    };
    let known = |e: &Bech32| (e.text == text && e.prefix == prefix).then_some(e.bytes);
    if let Some(bytes) = recall(&DECODED, known) {
        return Ok(bytes);
    }
    if text.is_empty() {
        return Err(match field {
            Some(_) => invalid("empty address".into()),
            None => AppError::sdk(
                SdkCode::InvalidAddress,
                "empty address string is not allowed: invalid address",
            ),
        });
    }
    let (hrp, data) = subtle_encoding::bech32::decode(text).map_err(|e| invalid(e.to_string()))?;
    if hrp != prefix {
        return Err(invalid(format!("expected prefix {prefix}, got {hrp}")));
    }
    let bytes: [u8; 20] = data
        .try_into()
        .map_err(|d: Vec<u8>| invalid(format!("expected 20 bytes, got {}", d.len())))?;
    remember(&DECODED, prefix, bytes, text);
    Ok(bytes)
}

/// The CometBFT address of an ed25519 consensus key: the first 20 bytes of its sha256.
pub fn consensus_address(pubkey: &[u8; 32]) -> ConsensusAddress {
    Address::from_hash_prefix(&Sha256::digest(pubkey).into()).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_address_matches_the_sdk() {
        // authtypes.NewModuleAddress("fee_collector") on any Cosmos SDK chain.
        let addr = Address::module("fee_collector");
        assert_eq!(
            addr.to_bech32("cosmos"),
            "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta"
        );
    }

    /// The per-thread memory of recent results answers exactly what bech32 computes, stays
    /// bounded, and never remembers a failure nor takes an encoding for a valid decoding.
    #[test]
    fn remembered_bech32_results_equal_computed_ones() {
        for round in 0..3 {
            for i in 0..(3 * RECENT as u8) {
                let bytes = [i; 20];
                let text = encode("rampart", &bytes);
                assert_eq!(text, subtle_encoding::bech32::encode("rampart", bytes));
                assert_eq!(
                    decode(&text, "rampart", None).expect("valid"),
                    bytes,
                    "{round}"
                );
                let other = decode(&text, "cosmos", Some("sender")).expect_err("prefix");
                assert!(other.log.contains("expected prefix cosmos, got rampart"));
            }
        }
        assert!(ENCODED.with(|r| r.borrow().len()) == RECENT);
        assert!(DECODED.with(|r| r.borrow().len()) == RECENT);
        let text = encode("rampart", &[1; 20]);
        let mut bad = text.clone();
        bad.pop();
        bad.push(if text.ends_with('q') { 'p' } else { 'q' });
        for _ in 0..2 {
            assert!(
                decode(&bad, "rampart", None).is_err(),
                "a bad checksum stays bad"
            );
        }
        // An upper-case prefix: bech32 refuses the mixed-case text its encoder produces, and
        // keeps refusing it after the encoding was remembered.
        let mixed = encode("Rampart", &[2; 20]);
        assert_eq!(
            decode(&mixed, "Rampart", None).is_ok(),
            subtle_encoding::bech32::decode(&mixed).is_ok()
        );
    }
}
