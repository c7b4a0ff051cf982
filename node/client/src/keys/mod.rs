//! Account keys for `rampartd keys` and client signing.
//!
//! - [`mnemonic`]: BIP-39 phrases (24 words for new keys);
//! - [`hd`]: HD derivation at [`hd::HD_PATH`], the key types and their addresses;
//! - [`sealed`]: passphrase encryption of private keys for the `file` backend;
//! - [`keyring`]: the keyring directory `<home>/keyring-<backend>/`.

pub mod hd;
pub mod keyring;
pub mod mnemonic;
pub mod sealed;

pub use hd::{AccountKey, KeyType};
pub use keyring::{Backend, KeyRecord, Keyring};
