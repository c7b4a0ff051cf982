//! 20-byte account addresses and their bech32 forms (`rampart1…`, `rampartvaloper1…`,
//! `rampartvalcons1…`).

use std::fmt;

use rampart_core::error::{AppError, AppResult, SdkCode};
use sha2::{Digest, Sha256};

/// Bech32 prefix of account addresses.
pub const ACCOUNT_PREFIX: &str = "rampart";
/// Bech32 prefix of validator operator addresses.
pub const VALIDATOR_PREFIX: &str = "rampartvaloper";
/// Bech32 prefix of validator consensus addresses.
pub const CONSENSUS_PREFIX: &str = "rampartvalcons";

/// A 20-byte address, as the Cosmos SDK derives it from a public key or a module name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address(pub [u8; 20]);

impl Address {
    /// The address of the module account `name`: `SHA256(name)[..20]`, as the SDK's
    /// `authtypes.NewModuleAddress`.
    pub fn module(name: &str) -> Self {
        Self::from_hash_prefix(&Sha256::digest(name.as_bytes()).into())
    }

    /// The first 20 bytes of a SHA-256 digest.
    pub(crate) fn from_hash_prefix(digest: &[u8; 32]) -> Self {
        let mut bytes = [0u8; 20];
        bytes.copy_from_slice(&digest[..20]); // 20 < 32: in bounds
        Self(bytes)
    }

    /// Bech32 with `prefix`.
    pub fn to_bech32(&self, prefix: &str) -> String {
        subtle_encoding::bech32::encode(prefix, self.0)
    }

    /// Decodes a bech32 address that must carry `prefix` and 20 bytes; `Err` is `sdk/7`.
    pub fn from_bech32(text: &str, prefix: &str) -> AppResult<Self> {
        let invalid = |why: String| {
            AppError::sdk(
                SdkCode::InvalidAddress,
                format!("invalid address {text:?}: {why}: invalid address"),
            )
        };
        if text.is_empty() {
            return Err(AppError::sdk(
                SdkCode::InvalidAddress,
                "empty address string is not allowed: invalid address",
            ));
        }
        let (hrp, data) =
            subtle_encoding::bech32::decode(text).map_err(|e| invalid(e.to_string()))?;
        if hrp != prefix {
            return Err(invalid(format!("expected prefix {prefix}, got {hrp}")));
        }
        let bytes: [u8; 20] = data
            .try_into()
            .map_err(|d: Vec<u8>| invalid(format!("expected 20 bytes, got {}", d.len())))?;
        Ok(Self(bytes))
    }

    /// Decodes an account address (`rampart1…`).
    pub fn from_account(text: &str) -> AppResult<Self> {
        Self::from_bech32(text, ACCOUNT_PREFIX)
    }
}

impl fmt::Display for Address {
    /// The account bech32 form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_bech32(ACCOUNT_PREFIX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bech32_round_trips_and_checks_the_prefix() {
        let addr = Address([7; 20]);
        let text = addr.to_string();
        assert!(text.starts_with("rampart1"));
        assert_eq!(Address::from_account(&text).expect("valid"), addr);
        let valoper = addr.to_bech32(VALIDATOR_PREFIX);
        let err = Address::from_account(&valoper).expect_err("wrong prefix");
        assert!(err.is(SdkCode::InvalidAddress), "{err}");
        assert!(Address::from_account("rampart1qqqq").is_err());
        assert!(Address::from_account("").is_err());
    }

    #[test]
    fn module_address_matches_the_sdk() {
        // authtypes.NewModuleAddress("fee_collector") on any Cosmos SDK chain.
        let addr = Address::module("fee_collector");
        assert_eq!(
            addr.to_bech32("cosmos"),
            "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta"
        );
    }
}
