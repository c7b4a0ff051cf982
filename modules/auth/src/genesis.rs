//! The `app_state.auth` genesis section: `{params, accounts}`. Listed accounts keep their
//! numbers and sequences; module accounts are created by the module itself.

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::state::{StateRead, StateWrite};
use serde::{Deserialize, Serialize};

use crate::account::{Account, BASE_ACCOUNT_TYPE_URL};
use crate::address::Address;
use crate::json::u64_text;
use crate::params::AuthParams;
use crate::state::{AuthRead, AuthWrite, ACCOUNTS_PREFIX};

/// The genesis section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthGenesis {
    /// Parameters (SDK defaults when absent).
    #[serde(default)]
    pub params: AuthParams,
    /// Plain accounts to create.
    #[serde(default)]
    pub accounts: Vec<GenesisAccount>,
}

/// A plain account in genesis, in the SDK's JSON shape (`pub_key` is learned again from the
/// account's next signed transaction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisAccount {
    /// Always `/cosmos.auth.v1beta1.BaseAccount` when present.
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub type_url: Option<String>,
    /// Bech32 address.
    pub address: String,
    /// Account number.
    #[serde(with = "u64_text", default)]
    pub account_number: u64,
    /// Sequence.
    #[serde(with = "u64_text", default)]
    pub sequence: u64,
}

fn invalid(why: String) -> AppError {
    AppError::sdk(SdkCode::JsonUnmarshal, format!("app_state.auth: {why}"))
}

/// Writes the section into `state`.
pub fn init(state: &mut dyn StateWrite, genesis: &AuthGenesis) -> AppResult<()> {
    genesis.params.validate()?;
    state.set_auth_params(&genesis.params);
    for entry in &genesis.accounts {
        if entry
            .type_url
            .as_deref()
            .is_some_and(|t| t != BASE_ACCOUNT_TYPE_URL)
        {
            return Err(invalid(format!(
                "account {} has unsupported type {:?}",
                entry.address, entry.type_url
            )));
        }
        let address = Address::from_account(&entry.address)?;
        if state.account(&address)?.is_some() {
            return Err(invalid(format!("duplicate account {}", entry.address)));
        }
        state.set_account(&Account {
            address,
            pub_key: None,
            account_number: entry.account_number,
            sequence: entry.sequence,
            module: None,
        });
        let next = entry
            .account_number
            .checked_add(1)
            .ok_or_else(|| invalid("account number overflows".into()))?;
        state.reserve_account_numbers(next)?;
    }
    Ok(())
}

/// Reads the section back from `state` (plain accounts only).
pub fn export(state: &dyn StateRead) -> AppResult<AuthGenesis> {
    let mut accounts = Vec::new();
    for (key, _) in state.scan_prefix(ACCOUNTS_PREFIX) {
        let bytes: [u8; 20] = key[ACCOUNTS_PREFIX.len()..]
            .try_into()
            .map_err(|_| AppError::sdk(SdkCode::Logic, "corrupt account key in state"))?;
        let Some(account) = state.account(&Address(bytes))? else {
            continue;
        };
        if account.module.is_none() {
            accounts.push(GenesisAccount {
                type_url: Some(BASE_ACCOUNT_TYPE_URL.into()),
                address: account.address.to_string(),
                account_number: account.account_number,
                sequence: account.sequence,
            });
        }
    }
    Ok(AuthGenesis {
        params: state.auth_params()?,
        accounts,
    })
}
