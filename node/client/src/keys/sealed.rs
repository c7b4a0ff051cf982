//! Passphrase encryption of private keys (the `file` keyring backend): scrypt derives a 256-bit
//! key from the passphrase and a random salt, XChaCha20-Poly1305 encrypts the secret with a
//! random nonce. The authentication tag makes a wrong passphrase (or a tampered file) fail
//! cleanly instead of yielding a wrong key.

use anyhow::{anyhow, bail};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// scrypt cost for new files: N = 2^15, r = 8, p = 1 (32 MiB; OWASP's recommended minimum).
const LOG_N: u8 = 15;
const R: u32 = 8;
const P: u32 = 1;
/// Highest costs accepted from a file, so a crafted file cannot make `open` run for hours or
/// exhaust memory.
const MAX_LOG_N: u8 = 20;
const MAX_R: u32 = 32;
const MAX_P: u32 = 16;

/// An encrypted secret with everything needed to decrypt it except the passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sealed {
    /// Key derivation function; always `scrypt`.
    pub kdf: String,
    /// scrypt log2(N).
    pub log_n: u8,
    /// scrypt r.
    pub r: u32,
    /// scrypt p.
    pub p: u32,
    /// The 16-byte salt (base64).
    pub salt: String,
    /// Cipher; always `xchacha20poly1305`.
    pub cipher: String,
    /// The 24-byte nonce (base64).
    pub nonce: String,
    /// Ciphertext and tag (base64).
    pub ciphertext: String,
}

/// Encrypts `secret` under `passphrase`; `context` (e.g. the key name) is authenticated too,
/// so a ciphertext moved to another record does not open.
pub fn seal(secret: &[u8], passphrase: &str, context: &[u8]) -> anyhow::Result<Sealed> {
    if passphrase.is_empty() {
        bail!("the passphrase must not be empty");
    }
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut nonce);
    let cipher = cipher(passphrase, &salt, LOG_N, R, P)?;
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: secret,
                aad: context,
            },
        )
        .map_err(|_| anyhow!("encryption failed"))?;
    Ok(Sealed {
        kdf: "scrypt".into(),
        log_n: LOG_N,
        r: R,
        p: P,
        salt: B64.encode(salt),
        cipher: "xchacha20poly1305".into(),
        nonce: B64.encode(nonce),
        ciphertext: B64.encode(ciphertext),
    })
}

impl Sealed {
    /// Decrypts with `passphrase` and the `context` given to [`seal`]; a wrong passphrase is
    /// reported as such.
    pub fn open(&self, passphrase: &str, context: &[u8]) -> anyhow::Result<Zeroizing<Vec<u8>>> {
        if self.kdf != "scrypt" || self.cipher != "xchacha20poly1305" {
            bail!(
                "unsupported key encryption {}/{} (expected scrypt/xchacha20poly1305)",
                self.kdf,
                self.cipher
            );
        }
        if self.log_n > MAX_LOG_N || self.r > MAX_R || self.p > MAX_P {
            bail!(
                "scrypt cost (log_n {}, r {}, p {}) exceeds the limits ({MAX_LOG_N}, {MAX_R}, {MAX_P})",
                self.log_n,
                self.r,
                self.p
            );
        }
        let field = |name: &str, value: &str| {
            B64.decode(value)
                .map_err(|e| anyhow!("corrupt key file: {name}: {e}"))
        };
        let salt = field("salt", &self.salt)?;
        let nonce = field("nonce", &self.nonce)?;
        if nonce.len() != 24 {
            bail!("corrupt key file: the nonce must be 24 bytes");
        }
        let ciphertext = field("ciphertext", &self.ciphertext)?;
        let cipher = cipher(passphrase, &salt, self.log_n, self.r, self.p)?;
        cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: context,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| anyhow!("wrong passphrase (or the key file was modified)"))
    }
}

fn cipher(
    passphrase: &str,
    salt: &[u8],
    log_n: u8,
    r: u32,
    p: u32,
) -> anyhow::Result<XChaCha20Poly1305> {
    let params =
        scrypt::Params::new(log_n, r, p, 32).map_err(|e| anyhow!("invalid scrypt cost: {e}"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(passphrase.as_bytes(), salt, &params, key.as_mut())
        .map_err(|e| anyhow!("scrypt failed: {e}"))?;
    XChaCha20Poly1305::new_from_slice(key.as_ref()).map_err(|_| anyhow!("invalid key length"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_wrong_passphrase_or_context() {
        let sealed = seal(b"secret bytes", "correct horse", b"alice").expect("seal");
        let opened = sealed.open("correct horse", b"alice").expect("open");
        assert_eq!(opened.as_slice(), b"secret bytes");
        let err = sealed
            .open("wrong", b"alice")
            .expect_err("wrong passphrase");
        assert!(err.to_string().contains("wrong passphrase"), "{err}");
        assert!(sealed.open("correct horse", b"bob").is_err());
        assert!(seal(b"x", "", b"").is_err(), "empty passphrase refused");
        let costly = Sealed {
            log_n: 30,
            ..sealed.clone()
        };
        let err = costly
            .open("correct horse", b"alice")
            .expect_err("cost cap");
        assert!(err.to_string().contains("exceeds the limits"), "{err}");
    }
}
