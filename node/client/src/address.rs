//! Bech32 addresses typed by users: accounts (`rampart1…`) and validator operators
//! (`rampartvaloper1…`), checked before anything is signed so a typo fails with a clear message.
//!
//! The prefixes are the chain profile's (`rampart_core::profile`), re-exported here as the
//! client's one place to read them from.

use anyhow::{anyhow, bail};
use cosmrs::AccountId;
use sha2::{Digest, Sha256};

pub use rampart_core::profile::{
    RAMPART_ACCOUNT_PREFIX as ACCOUNT_PREFIX, RAMPART_BOND_DENOM as BOND_DENOM,
    RAMPART_CONSENSUS_PREFIX as CONSENSUS_PREFIX, RAMPART_VALIDATOR_PREFIX as VALIDATOR_PREFIX,
};

/// Parses an account address (`rampart1…`); `what` names it in errors ("recipient address").
pub fn account(text: &str, what: &str) -> anyhow::Result<AccountId> {
    parse(text, ACCOUNT_PREFIX, what)
}

/// Parses a validator operator address (`rampartvaloper1…`); `what` names it in errors.
pub fn validator(text: &str, what: &str) -> anyhow::Result<AccountId> {
    parse(text, VALIDATOR_PREFIX, what)
}

/// The operator address (`rampartvaloper1…`) of an account: the same 20 bytes, another prefix.
pub fn operator_of(account: &AccountId) -> anyhow::Result<AccountId> {
    with_prefix(account, VALIDATOR_PREFIX)
}

/// The consensus address (`rampartvalcons1…`) of 20 raw bytes; upper-case hex when they are not
/// 20 bytes, so a surprising answer from a node is shown rather than hidden.
pub fn consensus_address(bytes: &[u8]) -> String {
    AccountId::new(CONSENSUS_PREFIX, bytes)
        .map(|a| a.to_string())
        .unwrap_or_else(|_| hex::encode_upper(bytes))
}

/// The consensus address of an ed25519 consensus public key: the first 20 bytes of its SHA-256.
pub fn consensus_address_of_key(pubkey: &[u8]) -> String {
    consensus_address(&Sha256::digest(pubkey)[..20])
}

fn parse(text: &str, prefix: &str, what: &str) -> anyhow::Result<AccountId> {
    let id: AccountId = text
        .parse()
        .map_err(|e| anyhow!("invalid {what} {text:?}: {e} (expected {prefix}1…)"))?;
    if id.prefix() != prefix {
        bail!(
            "invalid {what} {text}: expected prefix {prefix}, got {}",
            id.prefix()
        );
    }
    if id.to_bytes().len() != 20 {
        bail!(
            "invalid {what} {text}: expected 20 bytes, got {}",
            id.to_bytes().len()
        );
    }
    Ok(id)
}

/// Re-encodes a bech32 address with another prefix (e.g. account → validator operator).
pub fn with_prefix(address: &AccountId, prefix: &str) -> anyhow::Result<AccountId> {
    AccountId::new(prefix, &address.to_bytes())
        .map_err(|e| anyhow!("cannot encode {address} with prefix {prefix}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_and_operators_round_trip_and_wrong_prefixes_fail() {
        let account_id = AccountId::new(ACCOUNT_PREFIX, &[7; 20]).expect("valid");
        let op = operator_of(&account_id).expect("valid");
        assert!(op.to_string().starts_with("rampartvaloper1"));
        assert_eq!(validator(op.as_ref(), "validator").expect("valid"), op);
        assert_eq!(
            account(account_id.as_ref(), "delegator").expect("valid"),
            account_id
        );
        let err = account(op.as_ref(), "delegator address").expect_err("wrong prefix");
        assert!(
            err.to_string().contains("expected prefix rampart,"),
            "{err}"
        );
        let err = validator("nonsense", "validator address").expect_err("not bech32");
        assert!(
            err.to_string().contains("invalid validator address"),
            "{err}"
        );
    }
}
