//! The `app_state.auth` genesis section: `{params, accounts}`. Listed accounts — plain and
//! module accounts — keep their numbers and sequences; module accounts not listed are created by
//! their module when first needed.
//!
//! The one genesis section still written with hand-made serde types rather than a pbjson
//! `GenesisState`: an account is an `Any` in its JSON form, flat (`"@type"` beside the account's
//! fields, `name` and `permissions` too for a module account, unlike the SDK's nested
//! `base_account`) with `"@type"` optional (a base account when absent) and `name`/`permissions`
//! left out of base accounts. No proto message has a `"@type"` field (pbjson writes an `Any` as
//! `type_url` and `value` bytes), and every field would be written, so a proto type would change
//! what users write.

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::state::{StateRead, StateWrite};
use rampart_core::ChainProfile;
use serde::{Deserialize, Serialize};

use crate::account::{Account, ModuleInfo, BASE_ACCOUNT_TYPE_URL, MODULE_ACCOUNT_TYPE_URL};
use crate::json::u64_text;
use crate::params::AuthParams;
use crate::state::{AuthRead, AuthWrite, ACCOUNTS_PREFIX};
use rampart_core::Address;

/// The genesis section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthGenesis {
    /// Parameters (SDK defaults when absent).
    #[serde(default)]
    pub params: AuthParams,
    /// Accounts to create.
    #[serde(default)]
    pub accounts: Vec<GenesisAccount>,
}

/// An account in genesis, in the SDK's `BaseAccount` JSON shape plus, for a module account, its
/// `name` and `permissions` (`pub_key` is learned again from the account's next signed
/// transaction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisAccount {
    /// `/cosmos.auth.v1beta1.BaseAccount` (the default) or `…ModuleAccount`.
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
    /// A module account's name (required for, and only allowed on, module accounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A module account's permissions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<String>,
}

impl GenesisAccount {
    /// The module part of the entry, checked against its type.
    fn module(&self) -> AppResult<Option<ModuleInfo>> {
        match (self.type_url.as_deref(), &self.name) {
            (None | Some(BASE_ACCOUNT_TYPE_URL), None) if self.permissions.is_empty() => Ok(None),
            (Some(MODULE_ACCOUNT_TYPE_URL), Some(name)) if !name.is_empty() => {
                if Address::module(name).to_string() != self.address {
                    return Err(invalid(format!(
                        "module account {name} must have address {}",
                        Address::module(name)
                    )));
                }
                Ok(Some(ModuleInfo {
                    name: name.clone(),
                    permissions: self.permissions.clone(),
                }))
            }
            (Some(MODULE_ACCOUNT_TYPE_URL), _) => Err(invalid(format!(
                "module account {} needs a name",
                self.address
            ))),
            (None | Some(BASE_ACCOUNT_TYPE_URL), _) => Err(invalid(format!(
                "account {} has a module name or permissions but is not a module account",
                self.address
            ))),
            (Some(other), _) => Err(invalid(format!(
                "account {} has unsupported type {other:?}",
                self.address
            ))),
        }
    }
}

fn invalid(why: String) -> AppError {
    AppError::sdk(SdkCode::JsonUnmarshal, format!("app_state.auth: {why}"))
}

/// Writes the section into `state`.
pub fn init(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    genesis: &AuthGenesis,
) -> AppResult<()> {
    genesis.params.validate()?;
    state.set_auth_params(&genesis.params);
    for entry in &genesis.accounts {
        let module = entry.module()?;
        let address = profile.account_address(&entry.address)?;
        if state.account(&address)?.is_some() {
            return Err(invalid(format!("duplicate account {}", entry.address)));
        }
        state.set_account(&Account {
            address,
            pub_key: None,
            account_number: entry.account_number,
            sequence: entry.sequence,
            module,
        });
        let next = entry
            .account_number
            .checked_add(1)
            .ok_or_else(|| invalid("account number overflows".into()))?;
        state.reserve_account_numbers(next)?;
    }
    Ok(())
}

/// Reads the section back from `state`.
pub fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<AuthGenesis> {
    let mut accounts = Vec::new();
    for (key, _) in state.scan_prefix(ACCOUNTS_PREFIX) {
        let bytes: [u8; 20] = key[ACCOUNTS_PREFIX.len()..]
            .try_into()
            .map_err(|_| AppError::sdk(SdkCode::Logic, "corrupt account key in state"))?;
        let Some(account) = state.account(&Address(bytes))? else {
            continue;
        };
        let (type_url, name, permissions) = match account.module {
            Some(module) => (
                MODULE_ACCOUNT_TYPE_URL,
                Some(module.name),
                module.permissions,
            ),
            None => (BASE_ACCOUNT_TYPE_URL, None, Vec::new()),
        };
        accounts.push(GenesisAccount {
            type_url: Some(type_url.into()),
            address: profile.to_account(&account.address),
            account_number: account.account_number,
            sequence: account.sequence,
            name,
            permissions,
        });
    }
    Ok(AuthGenesis {
        params: state.auth_params()?,
        accounts,
    })
}
