//! Bech32 addresses (`rampart1…`, `rampartvaloper1…`, `rampartvalcons1…`) and consensus
//! addresses derived from ed25519 keys.

use rampart_core::context::ConsensusAddress;
use rampart_core::error::{AppError, AppResult, SdkCode};
use sha2::{Digest, Sha256};

/// Bech32 prefix of account addresses.
pub const ACCOUNT_PREFIX: &str = "rampart";
/// Bech32 prefix of validator operator addresses.
pub const VALOPER_PREFIX: &str = "rampartvaloper";
/// Bech32 prefix of consensus addresses.
pub const VALCONS_PREFIX: &str = "rampartvalcons";

/// A 20-byte account or operator address.
pub type Addr = [u8; 20];

/// Bech32 text of `bytes` with `prefix`.
pub fn encode(prefix: &str, bytes: &Addr) -> String {
    subtle_encoding::bech32::encode(prefix, bytes)
}

/// Decodes `text`, which must carry `prefix` and 20 bytes; `field` names it in the error (`sdk/7`).
pub fn decode(text: &str, prefix: &str, field: &str) -> AppResult<Addr> {
    let invalid = |why: String| {
        AppError::sdk(
            SdkCode::InvalidAddress,
            format!("invalid {field} {text:?}: {why}: invalid address"),
        )
    };
    if text.is_empty() {
        return Err(invalid("empty address".into()));
    }
    let (hrp, data) = subtle_encoding::bech32::decode(text).map_err(|e| invalid(e.to_string()))?;
    if hrp != prefix {
        return Err(invalid(format!("expected prefix {prefix}, got {hrp}")));
    }
    data.try_into()
        .map_err(|d: Vec<u8>| invalid(format!("expected 20 bytes, got {}", d.len())))
}

/// Decodes an account address (`rampart1…`).
pub fn account(text: &str, field: &str) -> AppResult<Addr> {
    decode(text, ACCOUNT_PREFIX, field)
}

/// Decodes an operator address (`rampartvaloper1…`).
pub fn valoper(text: &str, field: &str) -> AppResult<Addr> {
    decode(text, VALOPER_PREFIX, field)
}

/// The CometBFT address of an ed25519 consensus key: the first 20 bytes of its sha256.
pub fn consensus_address(pubkey: &[u8; 32]) -> ConsensusAddress {
    let digest = Sha256::digest(pubkey);
    let mut out = [0u8; 20];
    out.copy_from_slice(&digest[..20]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_wrong_prefix() {
        let bytes = [7u8; 20];
        let text = encode(VALOPER_PREFIX, &bytes);
        assert_eq!(valoper(&text, "validator").expect("valid"), bytes);
        let err = account(&text, "delegator").expect_err("wrong prefix");
        assert_eq!(err.code, SdkCode::InvalidAddress as u32);
        assert!(account("", "delegator").is_err());
    }
}
