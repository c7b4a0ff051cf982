//! Auth state and the extension traits other modules use to read and write accounts.
//!
//! Keys: `auth/acc/<20-byte address>` → the account `Any`; `auth/next_num` → the next account
//! number (8 bytes, big endian); `auth/params` → `cosmos.auth.v1beta1.Params`.

use cosmos_sdk_proto::cosmos::auth::v1beta1::Params;
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::state::{StateRead, StateReadExt, StateWrite, StateWriteExt};
use tendermint_proto::google::protobuf::Any;

use crate::account::{Account, ModuleInfo};
use crate::params::AuthParams;
use rampart_core::Address;

/// Prefix of every account key.
pub const ACCOUNTS_PREFIX: &[u8] = b"auth/acc/";
const NEXT_NUMBER_KEY: &[u8] = b"auth/next_num";
const PARAMS_KEY: &[u8] = b"auth/params";

/// The state key of `address`'s account.
pub fn account_key(address: &Address) -> Vec<u8> {
    [ACCOUNTS_PREFIX, &address.0].concat()
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("corrupt {what} in state: {e}"))
}

/// Decodes an account's stored bytes (what [`AuthWrite::set_account`] writes); anything else is
/// corrupt state.
pub fn decode_account(bytes: &[u8]) -> AppResult<Account> {
    let any = Any::decode(bytes).map_err(|e| corrupt("account", e))?;
    Account::from_any(&any)
}

/// The bytes [`AuthWrite::set_account`] stores for `account`.
pub fn encode_account(account: &Account) -> Vec<u8> {
    account.to_any().encode_to_vec()
}

/// Reading accounts and auth parameters; implemented for every [`StateRead`].
pub trait AuthRead: StateRead {
    /// The account at `address`, if it exists.
    fn account(&self, address: &Address) -> AppResult<Option<Account>> {
        self.get(&account_key(address))
            .map(|bytes| decode_account(&bytes))
            .transpose()
    }

    /// The auth parameters (defaults before genesis wrote them).
    fn auth_params(&self) -> AppResult<AuthParams> {
        Ok(self
            .get_proto::<Params>(PARAMS_KEY)
            .map_err(|e| corrupt("auth params", e))?
            .map(|p| AuthParams::from_proto(&p))
            .unwrap_or_default())
    }

    /// The account number the next new account gets.
    fn next_account_number(&self) -> AppResult<u64> {
        match self.get(NEXT_NUMBER_KEY) {
            None => Ok(0),
            Some(bytes) => <[u8; 8]>::try_from(bytes.as_slice())
                .map(u64::from_be_bytes)
                .map_err(|e| corrupt("next account number", e)),
        }
    }
}

impl<T: StateRead + ?Sized> AuthRead for T {}

/// Creating and updating accounts; implemented for every [`StateWrite`].
pub trait AuthWrite: StateWrite + AuthRead {
    /// Stores `account` (its number and module role are the caller's to keep).
    fn set_account(&mut self, account: &Account) {
        self.put(account_key(&account.address), encode_account(account));
    }

    /// Stores the auth parameters.
    fn set_auth_params(&mut self, params: &AuthParams) {
        self.put_proto(PARAMS_KEY.to_vec(), &params.to_proto());
    }

    /// Creates a new account at `address` with the next account number; `Err` (`sdk/36`) if one
    /// exists.
    fn create_account(
        &mut self,
        address: &Address,
        module: Option<ModuleInfo>,
    ) -> AppResult<Account> {
        if self.account(address)?.is_some() {
            return Err(AppError::sdk(
                SdkCode::Conflict,
                format!("account {address} already exists"),
            ));
        }
        let number = self.next_account_number()?;
        let next = number
            .checked_add(1)
            .ok_or_else(|| AppError::sdk(SdkCode::Logic, "account numbers exhausted"))?;
        self.put(NEXT_NUMBER_KEY.to_vec(), next.to_be_bytes().to_vec());
        let account = Account {
            address: *address,
            pub_key: None,
            account_number: number,
            sequence: 0,
            module,
        };
        self.set_account(&account);
        Ok(account)
    }

    /// The account at `address`, created as a plain account if it does not exist yet (an
    /// address receiving funds for the first time).
    fn ensure_account(&mut self, address: &Address) -> AppResult<Account> {
        match self.account(address)? {
            Some(account) => Ok(account),
            None => self.create_account(address, None),
        }
    }

    /// The module account `name`, created with `permissions` if it does not exist yet.
    fn ensure_module_account(&mut self, name: &str, permissions: &[&str]) -> AppResult<Account> {
        let address = Address::module(name);
        match self.account(&address)? {
            Some(account) if account.module.is_some() => Ok(account),
            Some(_) => Err(AppError::sdk(
                SdkCode::Conflict,
                format!("address {address} of module account {name} is a plain account"),
            )),
            None => self.create_account(
                &address,
                Some(ModuleInfo {
                    name: name.to_owned(),
                    permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
                }),
            ),
        }
    }

    /// Makes `name` a module account at genesis. Auth genesis normally restores it; a plain
    /// account already at that address (a genesis listing the module's balance in bank but not
    /// its auth entry: bank creates a plain account on credit) becomes the module account,
    /// keeping its number — nobody holds a key for an address derived as `SHA256(name)[..20]`.
    fn claim_module_account(&mut self, name: &str, permissions: &[&str]) -> AppResult<()> {
        let address = Address::module(name);
        match self.account(&address)? {
            Some(mut account) if account.module.is_none() => {
                account.module = Some(ModuleInfo {
                    name: name.to_owned(),
                    permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
                });
                self.set_account(&account);
            }
            _ => {
                self.ensure_module_account(name, permissions)?;
            }
        }
        Ok(())
    }

    /// Raises the next account number to at least `number` (genesis import).
    fn reserve_account_numbers(&mut self, number: u64) -> AppResult<()> {
        if number > self.next_account_number()? {
            self.put(NEXT_NUMBER_KEY.to_vec(), number.to_be_bytes().to_vec());
        }
        Ok(())
    }
}

impl<T: StateWrite + ?Sized> AuthWrite for T {}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::state::{EmptyState, Overlay};

    #[test]
    fn accounts_get_increasing_numbers_and_are_created_once() {
        let mut state = Overlay::new(EmptyState);
        let a = state.ensure_account(&Address([1; 20])).expect("created");
        let b = state.ensure_account(&Address([2; 20])).expect("created");
        let again = state.ensure_account(&Address([1; 20])).expect("exists");
        assert_eq!((a.account_number, b.account_number), (0, 1));
        assert_eq!(again, a);
        let fee = state
            .ensure_module_account("fee_collector", &[])
            .expect("module account");
        assert_eq!(fee.account_number, 2);
        assert!(state.create_account(&Address([2; 20]), None).is_err());
        assert_eq!(state.next_account_number().expect("reads"), 3);
    }

    #[test]
    fn claiming_turns_a_plain_account_into_the_module_account() {
        let mut state = Overlay::new(EmptyState);
        let plain = state
            .ensure_account(&Address::module("mint"))
            .expect("created");
        state
            .claim_module_account("mint", &["minter"])
            .expect("claims");
        let claimed = state
            .account(&Address::module("mint"))
            .expect("reads")
            .expect("exists");
        assert_eq!(claimed.account_number, plain.account_number);
        let info = claimed.module.expect("module account");
        assert_eq!(
            (info.name.as_str(), info.permissions),
            ("mint", vec!["minter".to_owned()])
        );
        state.claim_module_account("fresh", &[]).expect("creates");
        assert!(state
            .account(&Address::module("fresh"))
            .expect("reads")
            .is_some_and(|a| a.module.is_some()));
    }
}
