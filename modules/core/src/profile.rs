//! The chain profile: the vocabulary that differs between chains built from these modules
//! (bech32 prefixes, bond denom, power reduction), in one value.
//!
//! The app's composition chooses the profile and carries it to every module hook: in the
//! contexts ([`crate::GenesisContext::profile`], [`crate::BlockContext::profile`], and so
//! `MsgContext::block.profile`) and as an argument of `Module::validate_msg`, `Module::query`
//! and `Module::export_genesis`. [`ChainProfile::rampart`] is the provider's profile and the
//! default; the Rampart values are the `RAMPART_*` constants below, the single place they are
//! defined.

use std::fmt;

use crate::address::{self, Address, ConsensusAddress};
use crate::error::AppResult;

/// Rampart's bech32 prefix of account addresses.
pub const RAMPART_ACCOUNT_PREFIX: &str = "rampart";
/// Rampart's bech32 prefix of validator operator addresses.
pub const RAMPART_VALIDATOR_PREFIX: &str = "rampartvaloper";
/// Rampart's bech32 prefix of validator consensus addresses.
pub const RAMPART_CONSENSUS_PREFIX: &str = "rampartvalcons";
/// Rampart's staking denom.
pub const RAMPART_BOND_DENOM: &str = "uramp";
/// Rampart's tokens per unit of consensus power (10^6).
pub const RAMPART_POWER_REDUCTION: u128 = 1_000_000;

/// What a chain calls things: address prefixes, its bond denom and its power reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainProfile {
    /// Bech32 prefix of account addresses (`rampart`).
    pub account_prefix: &'static str,
    /// Bech32 prefix of validator operator addresses (`rampartvaloper`).
    pub validator_prefix: &'static str,
    /// Bech32 prefix of consensus addresses (`rampartvalcons`).
    pub consensus_prefix: &'static str,
    /// The staking denom (`uramp`).
    pub bond_denom: &'static str,
    /// Tokens per unit of consensus power (10^6).
    pub power_reduction: u128,
}

impl ChainProfile {
    /// The Rampart provider chain: `rampart` / `rampartvaloper` / `rampartvalcons`, `uramp`,
    /// 10^6 tokens per unit of power.
    pub const fn rampart() -> Self {
        Self {
            account_prefix: RAMPART_ACCOUNT_PREFIX,
            validator_prefix: RAMPART_VALIDATOR_PREFIX,
            consensus_prefix: RAMPART_CONSENSUS_PREFIX,
            bond_denom: RAMPART_BOND_DENOM,
            power_reduction: RAMPART_POWER_REDUCTION,
        }
    }

    /// Decodes an account address; `field` names it in the `sdk/7` error.
    pub fn account(&self, text: &str, field: &str) -> AppResult<Address> {
        Address::from_bech32_field(text, self.account_prefix, field)
    }

    /// Decodes an account address with the SDK's wording of errors (`invalid address "…"`,
    /// `empty address string is not allowed`), for fields the error need not name.
    pub fn account_address(&self, text: &str) -> AppResult<Address> {
        Address::from_bech32(text, self.account_prefix)
    }

    /// Decodes a validator operator address; `field` names it in the `sdk/7` error.
    pub fn valoper(&self, text: &str, field: &str) -> AppResult<Address> {
        Address::from_bech32_field(text, self.validator_prefix, field)
    }

    /// Decodes a consensus address; `field` names it in the `sdk/7` error.
    pub fn valcons(&self, text: &str, field: &str) -> AppResult<ConsensusAddress> {
        address::decode(text, self.consensus_prefix, Some(field))
    }

    /// The account bech32 form of `address`.
    pub fn to_account(&self, address: &Address) -> String {
        address.to_bech32(self.account_prefix)
    }

    /// The operator bech32 form of `address`.
    pub fn to_valoper(&self, address: &Address) -> String {
        address.to_bech32(self.validator_prefix)
    }

    /// The consensus bech32 form of `address`.
    pub fn to_valcons(&self, address: &ConsensusAddress) -> String {
        address::encode(self.consensus_prefix, address)
    }
}

impl Default for ChainProfile {
    /// [`ChainProfile::rampart`].
    fn default() -> Self {
        Self::rampart()
    }
}

impl fmt::Display for Address {
    /// The account bech32 form of the Rampart profile ([`RAMPART_ACCOUNT_PREFIX`], for logs and
    /// messages); code that knows its chain's profile uses [`ChainProfile::to_account`] instead.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&address::encode(RAMPART_ACCOUNT_PREFIX, &self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::SdkCode;

    #[test]
    fn bech32_round_trips_and_checks_the_prefix() {
        let profile = ChainProfile::rampart();
        let addr = Address([7; 20]);
        let text = addr.to_string();
        assert!(text.starts_with("rampart1"));
        assert_eq!(profile.account(&text, "delegator").expect("valid"), addr);
        let valoper = profile.to_valoper(&addr);
        assert_eq!(profile.valoper(&valoper, "validator").expect("valid"), addr);
        let err = Address::from_bech32(&valoper, profile.account_prefix).expect_err("prefix");
        assert!(err.is(SdkCode::InvalidAddress), "{err}");
        assert!(err.log.contains("expected prefix rampart,"), "{err}");
        let err = profile.account(&valoper, "delegator").expect_err("prefix");
        assert!(err.log.starts_with("invalid delegator "), "{err}");
        assert!(Address::from_bech32("rampart1qqqq", "rampart").is_err());
        assert!(Address::from_bech32("", "rampart").is_err());
        assert!(profile.account("", "delegator").is_err());
    }

    #[test]
    fn rampart_profile_and_consensus_addresses() {
        let profile = ChainProfile::default();
        assert_eq!(profile, ChainProfile::rampart());
        assert_eq!(
            (profile.bond_denom, profile.power_reduction),
            ("uramp", 1_000_000)
        );
        let cons = [3u8; 20];
        let text = profile.to_valcons(&cons);
        assert!(text.starts_with("rampartvalcons1"), "{text}");
        assert_eq!(profile.valcons(&text, "address").expect("valid"), cons);
        let err = profile.valcons(&profile.to_account(&Address(cons)), "address");
        assert!(err
            .expect_err("prefix")
            .log
            .contains("expected prefix rampartvalcons"));
        let err = profile.account_address("").expect_err("empty");
        assert!(
            err.log.contains("empty address string is not allowed"),
            "{err}"
        );
    }
}
