//! The auth module: bech32 [`address`]es, account [`pubkey`]s, [`account::Account`]s with their
//! numbers and sequences, module accounts, auth [`params`], the [`AuthRead`]/[`AuthWrite`]
//! extension traits other modules use, genesis and the `cosmos.auth.v1beta1.Query` service.

pub mod account;
pub mod address;
pub mod genesis;
pub mod json;
pub mod module;
pub mod params;
pub mod pubkey;
pub mod query;
pub mod state;

pub use account::{Account, ModuleInfo};
pub use address::{Address, ACCOUNT_PREFIX, CONSENSUS_PREFIX, VALIDATOR_PREFIX};
pub use module::{AuthModule, FEE_COLLECTOR};
pub use params::AuthParams;
pub use pubkey::PubKey;
pub use state::{AuthRead, AuthWrite};
