//! Account public keys: secp256k1 (33-byte compressed, low-S ECDSA over SHA-256) and ed25519
//! (ZIP-215 verification through `ed25519-consensus`), with their SDK type URLs and addresses.

use cosmos_sdk_proto::cosmos::crypto::ed25519;
use cosmos_sdk_proto::cosmos::crypto::secp256k1 as secp256k1_proto;
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};
use tendermint_proto::google::protobuf::Any;

use crate::keycache::SECP256K1_KEYS;
use rampart_core::Address;

/// Type URL of secp256k1 account keys.
pub const SECP256K1_TYPE_URL: &str = "/cosmos.crypto.secp256k1.PubKey";
/// Type URL of ed25519 account keys.
pub const ED25519_TYPE_URL: &str = "/cosmos.crypto.ed25519.PubKey";

/// An account public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PubKey {
    /// A 33-byte SEC1-compressed secp256k1 point.
    Secp256k1([u8; 33]),
    /// A 32-byte ed25519 point.
    Ed25519([u8; 32]),
}

fn bad_key(why: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::InvalidPubKey, format!("{why}: invalid pubkey"))
}

impl PubKey {
    /// Unpacks a key from its `Any`; unknown types and wrong lengths are `sdk/8`.
    pub fn from_any(any: &Any) -> AppResult<Self> {
        match any.type_url.as_str() {
            SECP256K1_TYPE_URL => {
                let key = secp256k1_proto::PubKey::decode(any.value.as_slice()).map_err(bad_key)?;
                let bytes: [u8; 33] = key.key.try_into().map_err(|k: Vec<u8>| {
                    bad_key(format!("secp256k1 key is {} bytes, expected 33", k.len()))
                })?;
                SECP256K1_KEYS
                    .secp256k1(&bytes)
                    .ok_or_else(|| bad_key("secp256k1 key is not a curve point"))?;
                Ok(Self::Secp256k1(bytes))
            }
            ED25519_TYPE_URL => {
                let key = ed25519::PubKey::decode(any.value.as_slice()).map_err(bad_key)?;
                let bytes: [u8; 32] = key.key.try_into().map_err(|k: Vec<u8>| {
                    bad_key(format!("ed25519 key is {} bytes, expected 32", k.len()))
                })?;
                Ok(Self::Ed25519(bytes))
            }
            other => Err(bad_key(format!("unsupported public key type {other:?}"))),
        }
    }

    /// The key as an `Any`, as wallets send it.
    pub fn to_any(&self) -> Any {
        match self {
            Self::Secp256k1(key) => Any {
                type_url: SECP256K1_TYPE_URL.into(),
                value: secp256k1_proto::PubKey { key: key.to_vec() }.encode_to_vec(),
            },
            Self::Ed25519(key) => Any {
                type_url: ED25519_TYPE_URL.into(),
                value: ed25519::PubKey { key: key.to_vec() }.encode_to_vec(),
            },
        }
    }

    /// The account address: RIPEMD160(SHA256(key)) for secp256k1, SHA256(key)[..20] for ed25519.
    pub fn address(&self) -> Address {
        match self {
            Self::Secp256k1(key) => {
                let digest = Ripemd160::digest(Sha256::digest(key));
                let mut bytes = [0u8; 20];
                bytes.copy_from_slice(&digest);
                Address(bytes)
            }
            Self::Ed25519(key) => Address::from_hash_prefix(&Sha256::digest(key).into()),
        }
    }

    /// Whether `signature` signs `message` under this key. secp256k1 signatures are 64-byte
    /// `r‖s` with low S (as the SDK requires), verified by libsecp256k1 with the key
    /// decompressed through [`crate::keycache`]; ed25519 follows ZIP-215.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Secp256k1(key) => {
                let Some(key) = SECP256K1_KEYS.secp256k1(key) else {
                    return false;
                };
                // 64 bytes `r‖s`, each below the group order.
                let Ok(sig) = secp256k1::ecdsa::Signature::from_compact(signature) else {
                    return false;
                };
                let Ok(digest) = secp256k1::Message::from_slice(&Sha256::digest(message)) else {
                    return false;
                };
                // libsecp256k1 refuses a high-S signature (malleable), as the SDK does.
                secp256k1::SECP256K1
                    .verify_ecdsa(&digest, &sig, &key)
                    .is_ok()
            }
            Self::Ed25519(key) => {
                let Ok(key) = ed25519_consensus::VerificationKey::try_from(*key) else {
                    return false;
                };
                let Ok(sig) = <[u8; 64]>::try_from(signature) else {
                    return false;
                };
                key.verify(&ed25519_consensus::Signature::from(sig), message)
                    .is_ok()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::ecdsa::signature::Signer;

    #[test]
    fn secp256k1_signatures_verify_and_high_s_is_refused() {
        let sk = k256::ecdsa::SigningKey::from_slice(&[3u8; 32]).expect("valid scalar");
        let pk: [u8; 33] = sk
            .verifying_key()
            .to_encoded_point(true)
            .as_bytes()
            .try_into()
            .expect("compressed point is 33 bytes");
        let key = PubKey::Secp256k1(pk);
        let sig: k256::ecdsa::Signature = sk.sign(b"msg");
        let sig = sig.normalize_s().unwrap_or(sig);
        assert!(key.verify(b"msg", &sig.to_bytes()));
        assert!(!key.verify(b"other", &sig.to_bytes()));
        // The same signature with S negated (high S) is valid ECDSA but refused.
        let (r, s) = sig.split_scalars();
        let high = k256::ecdsa::Signature::from_scalars(r, -*s).expect("non-zero scalars");
        assert!(!key.verify(b"msg", &high.to_bytes()));
        assert_eq!(PubKey::from_any(&key.to_any()).expect("round trip"), key);
    }

    #[test]
    fn unknown_key_types_and_lengths_are_code_8() {
        let any = Any {
            type_url: "/cosmos.crypto.multisig.LegacyAminoPubKey".into(),
            value: vec![],
        };
        assert!(PubKey::from_any(&any)
            .expect_err("unsupported")
            .is(SdkCode::InvalidPubKey));
        let short = Any {
            type_url: ED25519_TYPE_URL.into(),
            value: ed25519::PubKey { key: vec![1; 31] }.encode_to_vec(),
        };
        assert!(PubKey::from_any(&short).is_err());
    }
}
