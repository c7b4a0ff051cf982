//! Accounts as stored and as queried: `cosmos.auth.v1beta1.BaseAccount`, or `ModuleAccount`
//! for accounts owned by a module, packed in an `Any` exactly as the SDK's query returns it.

use cosmos_sdk_proto::cosmos::auth::v1beta1::{BaseAccount, ModuleAccount};
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::ChainProfile;
use tendermint_proto::google::protobuf::Any;

use crate::pubkey::PubKey;
use rampart_core::Address;

/// Type URL of plain accounts.
pub const BASE_ACCOUNT_TYPE_URL: &str = "/cosmos.auth.v1beta1.BaseAccount";
/// Type URL of module accounts.
pub const MODULE_ACCOUNT_TYPE_URL: &str = "/cosmos.auth.v1beta1.ModuleAccount";

/// What makes an account a module account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleInfo {
    /// The owning module's account name, e.g. `fee_collector`.
    pub name: String,
    /// SDK permissions (`minter`, `burner`, `staking`).
    pub permissions: Vec<String>,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its address.
    pub address: Address,
    /// The public key, known from the account's first signed transaction.
    pub pub_key: Option<PubKey>,
    /// Unique number, part of every sign doc.
    pub account_number: u64,
    /// Number of transactions signed so far (replay protection).
    pub sequence: u64,
    /// Set for module accounts, which no key controls.
    pub module: Option<ModuleInfo>,
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("corrupt account in state: {e}"))
}

impl Account {
    /// The SDK `BaseAccount` view (`pub_key` omitted until known).
    pub fn base_account(&self) -> BaseAccount {
        BaseAccount {
            address: self.address.to_string(),
            pub_key: self.pub_key.as_ref().map(PubKey::to_any),
            account_number: self.account_number,
            sequence: self.sequence,
        }
    }

    /// The account packed as the SDK packs it (`BaseAccount` or `ModuleAccount`).
    pub fn to_any(&self) -> Any {
        match &self.module {
            None => Any {
                type_url: BASE_ACCOUNT_TYPE_URL.into(),
                value: self.base_account().encode_to_vec(),
            },
            Some(info) => Any {
                type_url: MODULE_ACCOUNT_TYPE_URL.into(),
                value: ModuleAccount {
                    base_account: Some(self.base_account()),
                    name: info.name.clone(),
                    permissions: info.permissions.clone(),
                }
                .encode_to_vec(),
            },
        }
    }

    /// Unpacks an account written by [`Account::to_any`]; anything else is corrupt state.
    pub fn from_any(any: &Any) -> AppResult<Self> {
        let (base, module) = match any.type_url.as_str() {
            BASE_ACCOUNT_TYPE_URL => (
                BaseAccount::decode(any.value.as_slice()).map_err(corrupt)?,
                None,
            ),
            MODULE_ACCOUNT_TYPE_URL => {
                let m = ModuleAccount::decode(any.value.as_slice()).map_err(corrupt)?;
                let info = ModuleInfo {
                    name: m.name,
                    permissions: m.permissions,
                };
                (m.base_account.unwrap_or_default(), Some(info))
            }
            other => return Err(corrupt(format!("unknown account type {other}"))),
        };
        Ok(Self {
            address: ChainProfile::rampart()
                .account_address(&base.address)
                .map_err(corrupt)?,
            pub_key: base
                .pub_key
                .as_ref()
                .map(PubKey::from_any)
                .transpose()
                .map_err(corrupt)?,
            account_number: base.account_number,
            sequence: base.sequence,
            module,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_round_trip_through_any() {
        let mut account = Account {
            address: Address([9; 20]),
            pub_key: None,
            account_number: 4,
            sequence: 2,
            module: None,
        };
        let any = account.to_any();
        assert_eq!(any.type_url, BASE_ACCOUNT_TYPE_URL);
        assert!(BaseAccount::decode(any.value.as_slice())
            .expect("decodes")
            .pub_key
            .is_none());
        assert_eq!(Account::from_any(&any).expect("round trip"), account);
        account.pub_key = Some(PubKey::Ed25519([5; 32]));
        account.module = Some(ModuleInfo {
            name: "fee_collector".into(),
            permissions: vec![],
        });
        assert_eq!(
            Account::from_any(&account.to_any()).expect("round trip"),
            account
        );
    }
}
