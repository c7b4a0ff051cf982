//! The keyring: one JSON file per key in `<home>/keyring-<backend>/<name>.json` (files 0600,
//! directory 0700).
//!
//! Every file carries the public part in clear (name, type, address, public key), so listing
//! needs no passphrase. The private key is stored
//! - `test` backend: in clear (hex) — for localnets and tests only;
//! - `file` backend: encrypted with a passphrase ([`super::sealed`]).
//!
//! Mnemonics are never stored: `keys add` prints a new key's mnemonic once.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::hd::{AccountKey, KeyType};
use super::sealed::{seal, Sealed};

/// Where and how private keys are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Backend {
    /// Encrypted with a passphrase.
    File,
    /// Unencrypted, for localnets and tests.
    Test,
}

impl Backend {
    /// The backend's name, as in `keyring-<name>`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::File => "file",
            Backend::Test => "test",
        }
    }
}

/// The public description of a stored key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRecord {
    /// The key's name in the keyring.
    pub name: String,
    /// Its signature scheme.
    pub key_type: KeyType,
    /// Its account address (bech32, prefix `rampart`).
    pub address: String,
    /// Its public key as Cosmos JSON (`{"@type":"/cosmos.crypto.secp256k1.PubKey","key":"…"}`).
    pub pubkey: String,
}

/// How the private key is kept in a key file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum StoredSecret {
    /// `test` backend: the 32 secret bytes in hex.
    Plain(String),
    /// `file` backend: the 32 secret bytes encrypted.
    Sealed(Sealed),
}

/// A key file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    record: KeyRecord,
    secret: StoredSecret,
}

/// A keyring directory of one backend.
#[derive(Debug, Clone)]
pub struct Keyring {
    dir: PathBuf,
    backend: Backend,
}

impl Keyring {
    /// The keyring of `backend` in node home `home` (`<home>/keyring-<backend>/`); nothing is
    /// created until a key is added.
    pub fn open(home: &Path, backend: Backend) -> Self {
        Self {
            dir: home.join(format!("keyring-{}", backend.name())),
            backend,
        }
    }

    /// The keyring directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores `key` as `name`. The `file` backend needs `passphrase`. Refuses a name already in
    /// use and a key already stored under another name.
    pub fn add(
        &self,
        name: &str,
        key: &AccountKey,
        passphrase: Option<&str>,
    ) -> anyhow::Result<KeyRecord> {
        validate_name(name)?;
        let address = key.address()?.to_string();
        if let Some(existing) = self.list()?.into_iter().find(|r| r.address == address) {
            bail!(
                "key {address} already exists in the keyring as {:?}",
                existing.name
            );
        }
        let record = KeyRecord {
            name: name.to_owned(),
            key_type: key.key_type(),
            address,
            pubkey: key.public_key().to_json(),
        };
        let secret = match self.backend {
            Backend::Test => StoredSecret::Plain(hex::encode(key.secret_bytes())),
            Backend::File => StoredSecret::Sealed(seal(
                key.secret_bytes(),
                self.require_passphrase(passphrase)?,
                name.as_bytes(),
            )?),
        };
        let file = KeyFile {
            record: record.clone(),
            secret,
        };
        let json = Zeroizing::new(serde_json::to_vec_pretty(&file)?);
        self.create_dir()?;
        write_new(&self.path(name), &json).map_err(|e| {
            if e.kind() == ErrorKind::AlreadyExists {
                anyhow!(
                    "a key named {name:?} already exists in {}",
                    self.dir.display()
                )
            } else {
                anyhow!("cannot write key {name:?}: {e}")
            }
        })?;
        Ok(record)
    }

    /// All keys, sorted by name.
    pub fn list(&self) -> anyhow::Result<Vec<KeyRecord>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(vec![]),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", self.dir.display())),
        };
        let mut records = vec![];
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|ext| ext == "json") {
                records.push(read_key_file(&path)?.record);
            }
        }
        records.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(records)
    }

    /// The key named `name`.
    pub fn show(&self, name: &str) -> anyhow::Result<KeyRecord> {
        Ok(self.read(name)?.record)
    }

    /// The private key named `name`; the `file` backend needs `passphrase`.
    pub fn private_key(&self, name: &str, passphrase: Option<&str>) -> anyhow::Result<AccountKey> {
        let file = self.read(name)?;
        let secret = match (&file.secret, self.backend) {
            (StoredSecret::Plain(hex_secret), Backend::Test) => Zeroizing::new(
                hex::decode(hex_secret)
                    .with_context(|| format!("corrupt key file for {name:?}"))?,
            ),
            (StoredSecret::Sealed(sealed), Backend::File) => sealed
                .open(self.require_passphrase(passphrase)?, name.as_bytes())
                .with_context(|| format!("cannot decrypt key {name:?}"))?,
            _ => bail!(
                "key file for {name:?} does not belong to the {} backend",
                self.backend.name()
            ),
        };
        let bytes: [u8; 32] = secret
            .as_slice()
            .try_into()
            .map_err(|_| anyhow!("corrupt key file for {name:?}: the secret is not 32 bytes"))?;
        let key = AccountKey::from_secret(file.record.key_type, bytes)?;
        if key.address()?.to_string() != file.record.address {
            bail!("corrupt key file for {name:?}: the private key does not match the address");
        }
        Ok(key)
    }

    /// Removes the key named `name`.
    pub fn delete(&self, name: &str) -> anyhow::Result<()> {
        self.read(name)?;
        fs::remove_file(self.path(name)).with_context(|| format!("cannot delete key {name:?}"))
    }

    fn read(&self, name: &str) -> anyhow::Result<KeyFile> {
        validate_name(name)?;
        let path = self.path(name);
        if !path.exists() {
            bail!(
                "key {name:?} not found in {} (see `rampartd keys list --keyring-backend {}`)",
                self.dir.display(),
                self.backend.name()
            );
        }
        read_key_file(&path)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    fn require_passphrase<'a>(&self, passphrase: Option<&'a str>) -> anyhow::Result<&'a str> {
        passphrase.ok_or_else(|| anyhow!("the file keyring backend needs a passphrase"))
    }

    fn create_dir(&self) -> anyhow::Result<()> {
        fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create {}", self.dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700))
                .with_context(|| format!("cannot restrict {}", self.dir.display()))?;
        }
        Ok(())
    }
}

/// Key names: 1–64 characters of `A-Z a-z 0-9 . _ -`, not starting with `.` (they are file
/// names).
fn validate_name(name: &str) -> anyhow::Result<()> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if name.is_empty() || name.len() > 64 || name.starts_with('.') || !ok_chars {
        bail!("invalid key name {name:?}: use 1-64 characters of A-Z a-z 0-9 . _ - (not starting with .)");
    }
    Ok(())
}

fn read_key_file(path: &Path) -> anyhow::Result<KeyFile> {
    let bytes =
        Zeroizing::new(fs::read(path).with_context(|| format!("cannot read {}", path.display()))?);
    serde_json::from_slice(&bytes).with_context(|| format!("corrupt key file {}", path.display()))
}

/// Creates `path` (failing if it exists) with mode 0600 and writes `bytes`.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
