//! HD derivation of account keys and their public keys and addresses.
//!
//! Both key types derive from the BIP-39 seed (empty BIP-39 passphrase) with BIP-32 over
//! secp256k1 at [`HD_PATH`], the Cosmos Hub path, so a mnemonic gives the same secp256k1 address
//! here as in Keplr or CosmJS with prefix `rampart`.
//!
//! ed25519 keys use the 32 bytes of that BIP-32 private key as their ed25519 seed (RFC 8032
//! secret key). No Cosmos wallet derives ed25519 account keys, so there is nothing to be
//! compatible with; this choice keeps one derivation for both types and is stable: the same
//! mnemonic always recovers the same ed25519 key.

use anyhow::anyhow;
use bip39::Mnemonic;
use cosmrs::bip32::{DerivationPath, XPrv};
use cosmrs::crypto::secp256k1;
use cosmrs::crypto::PublicKey;
use cosmrs::AccountId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The HD path of account keys: BIP-44, coin type 118 (ATOM), account 0, index 0.
pub const HD_PATH: &str = "m/44'/118'/0'/0/0";

/// The signature scheme of an account key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    /// secp256k1 ECDSA (`/cosmos.crypto.secp256k1.PubKey`), what Cosmos wallets use.
    Secp256k1,
    /// ed25519 (`/cosmos.crypto.ed25519.PubKey`).
    Ed25519,
}

impl std::fmt::Display for KeyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyType::Secp256k1 => "secp256k1",
            KeyType::Ed25519 => "ed25519",
        })
    }
}

/// A private account key: its type and 32 secret bytes (zeroed on drop).
#[derive(Clone)]
pub struct AccountKey {
    key_type: KeyType,
    secret: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountKey")
            .field("key_type", &self.key_type)
            .field("public_key", &self.public_key().to_json())
            .finish_non_exhaustive()
    }
}

impl AccountKey {
    /// Derives the key of `key_type` from `mnemonic` at [`HD_PATH`].
    pub fn from_mnemonic(mnemonic: &Mnemonic, key_type: KeyType) -> anyhow::Result<Self> {
        let seed = Zeroizing::new(mnemonic.to_seed(""));
        let path: DerivationPath = HD_PATH
            .parse()
            .map_err(|e| anyhow!("invalid HD path {HD_PATH}: {e}"))?;
        let xprv = XPrv::derive_from_path(seed.as_ref(), &path)
            .map_err(|e| anyhow!("HD derivation failed: {e}"))?;
        Self::from_secret(key_type, xprv.to_bytes())
    }

    /// A key from its 32 secret bytes; secp256k1 secrets must be valid scalars.
    pub fn from_secret(key_type: KeyType, secret: [u8; 32]) -> anyhow::Result<Self> {
        let secret = Zeroizing::new(secret);
        if key_type == KeyType::Secp256k1 {
            secp256k1::SigningKey::from_slice(secret.as_ref())
                .map_err(|e| anyhow!("invalid secp256k1 private key: {e}"))?;
        }
        Ok(Self { key_type, secret })
    }

    /// The key's signature scheme.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The 32 secret bytes (the secp256k1 scalar or the ed25519 seed).
    pub fn secret_bytes(&self) -> &[u8; 32] {
        &self.secret
    }

    /// The public key (33-byte compressed secp256k1 or 32-byte ed25519).
    pub fn public_key(&self) -> PublicKey {
        match self.key_type {
            KeyType::Secp256k1 => self.secp256k1().public_key(),
            KeyType::Ed25519 => {
                let vk = self.ed25519().verification_key();
                // `from_raw_ed25519` only refuses inputs that are not 32 bytes long, and a
                // verification key always is.
                let pk = tendermint::PublicKey::from_raw_ed25519(vk.as_bytes())
                    .expect("an ed25519 verification key is 32 bytes");
                PublicKey::from(pk)
            }
        }
    }

    /// The account address with prefix [`crate::address::ACCOUNT_PREFIX`].
    pub fn address(&self) -> anyhow::Result<AccountId> {
        address_of(&self.public_key(), crate::address::ACCOUNT_PREFIX)
    }

    /// Signs `msg` (the SIGN_MODE_DIRECT sign bytes): secp256k1 signs sha256(msg) with low-S
    /// ECDSA and returns the 64-byte r‖s; ed25519 signs `msg` itself (64 bytes).
    pub fn sign(&self, msg: &[u8]) -> anyhow::Result<Vec<u8>> {
        match self.key_type {
            KeyType::Secp256k1 => {
                let sig = self
                    .secp256k1()
                    .sign(msg)
                    .map_err(|e| anyhow!("secp256k1 signing failed: {e}"))?;
                // k256 already produces low-S signatures; normalising again is a cheap guarantee.
                let sig = sig.normalize_s().unwrap_or(sig);
                Ok(sig.to_bytes().to_vec())
            }
            KeyType::Ed25519 => Ok(self.ed25519().sign(msg).to_bytes().to_vec()),
        }
    }

    fn secp256k1(&self) -> secp256k1::SigningKey {
        // `from_secret` checked that the secret is a valid scalar, and it never changes.
        secp256k1::SigningKey::from_slice(self.secret.as_ref())
            .expect("secret validated in from_secret")
    }

    fn ed25519(&self) -> ed25519_consensus::SigningKey {
        ed25519_consensus::SigningKey::from(*self.secret)
    }
}

/// The account address of `public_key` with bech32 `prefix`: RIPEMD160(SHA256(pk)) for
/// secp256k1, `SHA256(pk)[:20]` for ed25519 (as the Cosmos SDK).
pub fn address_of(public_key: &PublicKey, prefix: &str) -> anyhow::Result<AccountId> {
    if public_key.type_url() == PublicKey::ED25519_TYPE_URL {
        let digest = Sha256::digest(public_key.to_bytes());
        AccountId::new(prefix, &digest[..20]).map_err(|e| anyhow!("cannot encode address: {e}"))
    } else {
        public_key
            .account_id(prefix)
            .map_err(|e| anyhow!("cannot derive an address: {e}"))
    }
}
