//! The accounts a localnet funds at genesis: a faucet, whose mnemonic is recorded in
//! `localnet.json` for tools and tests, and one operator account per validator, kept in that
//! node's `test` keyring as [`OPERATOR_KEY`].

use std::path::Path;

use anyhow::{Context, Result};
use rampart_client::keys::hd::{AccountKey, KeyType};
use rampart_client::keys::keyring::{Backend, Keyring};
use rampart_client::keys::mnemonic;
use serde::{Deserialize, Serialize};

/// The account address prefix (the chain profile's).
pub use rampart_client::address::ACCOUNT_PREFIX as BECH32_PREFIX;
/// The bond and fee denom (the chain profile's).
pub use rampart_client::address::BOND_DENOM as DENOM;
/// The faucet's genesis balance: 10^9 RAMP.
pub const FAUCET_FUNDS: u128 = 1_000_000_000_000_000;
/// Each validator operator's genesis balance: 10^6 RAMP.
pub const OPERATOR_FUNDS: u128 = 1_000_000_000_000;
/// The name of a validator's operator key in its node's `test` keyring.
pub const OPERATOR_KEY: &str = "validator";

/// A funded secp256k1 account for handing out test tokens.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Faucet {
    /// Its BIP-39 mnemonic (HD path m/44'/118'/0'/0/0), generated per localnet.
    pub mnemonic: String,
    /// Its `rampart1…` address.
    pub address: String,
}

/// Generates a new faucet.
pub fn new_faucet() -> Result<Faucet> {
    let phrase = mnemonic::generate();
    let key = AccountKey::from_mnemonic(&phrase, KeyType::Secp256k1)?;
    Ok(Faucet {
        mnemonic: phrase.to_string(),
        address: key.address()?.to_string(),
    })
}

/// Generates the operator key of the node at `node_home`, stores it in the node's `test`
/// keyring as [`OPERATOR_KEY`] and returns its address.
pub fn new_operator(node_home: &Path) -> Result<String> {
    new_key(node_home, OPERATOR_KEY)
}

/// Generates a secp256k1 key, stores it as `name` in the `test` keyring of `home` and returns
/// its address.
pub fn new_key(home: &Path, name: &str) -> Result<String> {
    let key = AccountKey::from_mnemonic(&mnemonic::generate(), KeyType::Secp256k1)?;
    let record = Keyring::open(home, Backend::Test)
        .add(name, &key, None)
        .with_context(|| format!("storing key {name} in {}", home.display()))?;
    Ok(record.address)
}

/// The validator operator address (`rampartvaloper1…`) of the node at `node_home`: its
/// [`OPERATOR_KEY`] in the `test` keyring.
pub fn operator_of_node(node_home: &Path) -> Result<String> {
    let account = rampart_client::address::account(&operator_account(node_home)?, "operator")?;
    Ok(rampart_client::address::operator_of(&account)?.to_string())
}

/// The account address (`rampart1…`) of the node at `node_home`'s [`OPERATOR_KEY`].
pub fn operator_account(node_home: &Path) -> Result<String> {
    let record = Keyring::open(node_home, Backend::Test)
        .show(OPERATOR_KEY)
        .with_context(|| format!("the operator key of {}", node_home.display()))?;
    Ok(record.address)
}

/// `amount` of [`DENOM`] as a coin string (`100uramp`).
pub fn coins_text(amount: u128) -> String {
    format!("{amount}{DENOM}")
}
