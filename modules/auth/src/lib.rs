//! The auth module: bech32 [`address`]es, account [`pubkey`]s (secp256k1 keys decompressed once,
//! [`keycache`]), [`account::Account`]s with their numbers and sequences, module accounts, auth
//! [`params`], the [`AuthRead`]/[`AuthWrite`] extension traits other modules use, genesis and the
//! `cosmos.auth.v1beta1.Query` service.
//!
//! Domain/component split: without the default `component` feature only the domain part
//! builds (addresses, public keys, accounts, params, [`urls`]); the state machine needs `component`.

pub mod account;
pub mod address;
pub mod json;
pub mod keycache;
pub mod params;
pub mod pubkey;
pub mod urls;

// The state machine.
#[cfg(feature = "component")]
pub mod genesis;
#[cfg(feature = "component")]
pub mod module;
#[cfg(feature = "component")]
pub mod query;
#[cfg(feature = "component")]
pub mod state;

pub use account::{Account, ModuleInfo};
pub use address::{Address, ACCOUNT_PREFIX, CONSENSUS_PREFIX, VALIDATOR_PREFIX};
#[cfg(feature = "component")]
pub use module::{AuthModule, FEE_COLLECTOR};
pub use params::AuthParams;
pub use pubkey::PubKey;
#[cfg(feature = "component")]
pub use state::{AuthRead, AuthWrite};
