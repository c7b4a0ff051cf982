//! Reading CometBFT key files: the P2P node id and the validator public key, and finding the
//! key a validator signs a consumer chain's blocks with.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The amino type name of an ed25519 public key.
pub const ED25519_PUBKEY_TYPE: &str = "tendermint/PubKeyEd25519";

#[derive(Deserialize)]
struct TypedKey {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

#[derive(Deserialize)]
struct NodeKeyFile {
    priv_key: TypedKey,
}

#[derive(Deserialize)]
struct PrivValidatorKeyFile {
    address: String,
    pub_key: TypedKey,
}

/// A node's consensus key, as it appears in `genesis.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorKey {
    /// Upper-case hex address (first 20 bytes of sha256 of the public key).
    pub address: String,
    /// Base64 ed25519 public key.
    pub pub_key_base64: String,
}

/// Where a validator keeps the private keys it assigned to consumer chains
/// (`rampartd tx restaking assign-key`, `opt-in --consumer-pubkey`), relative to its node home:
/// any `*.json` file there in CometBFT's `priv_validator_key.json` format.
pub const CONSUMER_KEYS_DIR: &str = "consumer-keys";

/// `<home>/config/priv_validator_key.json`.
pub fn priv_validator_key_path(node_home: &Path) -> PathBuf {
    node_home.join("config").join("priv_validator_key.json")
}

/// The `priv_validator_key.json` of the key with public key `pubkey` that the validator of the
/// node at `node_home` signs consumer blocks with: its own consensus key (no key assigned), or
/// a file in `<node_home>/`[`CONSUMER_KEYS_DIR`]. Fails naming both places when neither holds it.
pub fn find_consumer_key(node_home: &Path, pubkey: &[u8]) -> Result<PathBuf> {
    let own = priv_validator_key_path(node_home);
    let dir = node_home.join(CONSUMER_KEYS_DIR);
    let mut candidates = vec![own.clone()];
    if let Ok(entries) = fs::read_dir(&dir) {
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        candidates.extend(files);
    }
    for path in candidates {
        if ValidatorKey::read_file(&path).is_ok_and(|key| key.pub_key_bytes() == pubkey) {
            return Ok(path);
        }
    }
    bail!(
        "the validator of {} signs the consumer with the key {} (an assigned consumer key), but \
         neither {} nor a *.json file in {} holds it; put that key's priv_validator_key.json there",
        node_home.display(),
        base64::engine::general_purpose::STANDARD.encode(pubkey),
        own.display(),
        dir.display()
    )
}

impl ValidatorKey {
    /// Reads `<home>/config/priv_validator_key.json`.
    pub fn read(node_home: &Path) -> Result<Self> {
        Self::read_file(&priv_validator_key_path(node_home))
    }

    /// The raw 32-byte public key.
    pub fn pub_key_bytes(&self) -> Vec<u8> {
        decode_base64(&self.pub_key_base64).unwrap_or_default()
    }

    /// Reads a `priv_validator_key.json` at `path`.
    pub fn read_file(path: &Path) -> Result<Self> {
        let text = fs::read_to_string(path)
            .with_context(|| format!("failed to read {}", path.display()))?;
        let file: PrivValidatorKeyFile = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a CometBFT validator key", path.display()))?;
        if file.pub_key.kind != ED25519_PUBKEY_TYPE {
            bail!(
                "{}: unsupported validator key type {:?} (expected {ED25519_PUBKEY_TYPE})",
                path.display(),
                file.pub_key.kind
            );
        }
        let pub_key = decode_base64(&file.pub_key.value)
            .with_context(|| format!("{}: bad pub_key value", path.display()))?;
        let address = address_hex(&pub_key).to_uppercase();
        if !file.address.eq_ignore_ascii_case(&address) {
            bail!(
                "{}: address {} does not match its public key (expected {address})",
                path.display(),
                file.address
            );
        }
        Ok(Self {
            address,
            pub_key_base64: file.pub_key.value,
        })
    }

    /// The `genesis.json` validator entry with voting power `power`.
    pub fn genesis_entry(&self, name: &str, power: u64) -> Value {
        json!({
            "address": self.address,
            "pub_key": {"type": ED25519_PUBKEY_TYPE, "value": self.pub_key_base64},
            "power": power.to_string(),
            "name": name,
        })
    }
}

/// The P2P node id from `<home>/config/node_key.json`: lower-case hex of the
/// first 20 bytes of sha256 of the ed25519 public key.
pub fn node_id(node_home: &Path) -> Result<String> {
    let path = node_home.join("config").join("node_key.json");
    let text =
        fs::read_to_string(&path).with_context(|| format!("failed to read {}", path.display()))?;
    let file: NodeKeyFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a CometBFT node key", path.display()))?;
    let private = decode_base64(&file.priv_key.value)
        .with_context(|| format!("{}: bad priv_key value", path.display()))?;
    // An ed25519 private key in CometBFT is seed (32 bytes) ‖ public key (32 bytes).
    if file.priv_key.kind != "tendermint/PrivKeyEd25519" || private.len() != 64 {
        bail!(
            "{}: expected a 64-byte tendermint/PrivKeyEd25519 key, found {:?} of {} bytes",
            path.display(),
            file.priv_key.kind,
            private.len()
        );
    }
    Ok(address_hex(&private[32..]))
}

/// Lower-case hex of the first 20 bytes of sha256(`pub_key`).
fn address_hex(pub_key: &[u8]) -> String {
    let digest = Sha256::digest(pub_key);
    hex::encode(&digest[..20])
}

fn decode_base64(value: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(value)
        .context("invalid base64")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Key files produced by `cometbft init` (v0.38.25) and the id printed by
    // `cometbft show-node-id` for them.
    const NODE_KEY: &str = r#"{"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"KqDuXfx5SE6Xk+YQ1SGKGZUNYoPog6JXxZAeMyG4shpNGIJ9XkZVqYZXBxWhVaxGpjdCGO6qA7F+AAwW7nYgUg=="}}"#;
    const NODE_ID: &str = "15e0ec562e2e10687f264dee0c42a03e9c4f20ed";
    const PV_KEY: &str = r#"{"address": "85817B1D08D40E071823A48AC00BB2501E6E5BBA",
      "pub_key": {"type": "tendermint/PubKeyEd25519", "value": "hpeEB7nZW32TunyChNhA0pgAdVmFVA9GMFSClpXrcsA="},
      "priv_key": {"type": "tendermint/PrivKeyEd25519", "value": "roXffNYz8YQ1N00NFH1p/TmXdrE5WREWEtTeZM0AeYKGl4QHudlbfZO6fIKE2EDSmAB1WYVUD0YwVIKWletywA=="}}"#;

    #[test]
    fn reads_cometbft_keys() -> Result<()> {
        let dir = tempfile::tempdir()?;
        fs::create_dir_all(dir.path().join("config"))?;
        fs::write(dir.path().join("config/node_key.json"), NODE_KEY)?;
        fs::write(dir.path().join("config/priv_validator_key.json"), PV_KEY)?;
        assert_eq!(node_id(dir.path())?, NODE_ID);
        let key = ValidatorKey::read(dir.path())?;
        assert_eq!(key.address, "85817B1D08D40E071823A48AC00BB2501E6E5BBA");
        let entry = key.genesis_entry("node0", 10);
        assert_eq!(entry["power"], "10");
        assert_eq!(entry["pub_key"]["type"], ED25519_PUBKEY_TYPE);
        Ok(())
    }

    #[test]
    fn finds_the_consumer_key() -> Result<()> {
        let dir = tempfile::tempdir()?;
        fs::create_dir_all(dir.path().join("config"))?;
        fs::write(dir.path().join("config/priv_validator_key.json"), PV_KEY)?;
        let own = ValidatorKey::read(dir.path())?.pub_key_bytes();
        assert_eq!(own.len(), 32);
        assert_eq!(
            find_consumer_key(dir.path(), &own)?,
            priv_validator_key_path(dir.path())
        );
        let other = [7u8; 32];
        let err = find_consumer_key(dir.path(), &other)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains(CONSUMER_KEYS_DIR), "{err}");
        // An assigned key in consumer-keys/ (here: the same file under another name, moved).
        let keys = dir.path().join(CONSUMER_KEYS_DIR);
        fs::create_dir_all(&keys)?;
        fs::write(keys.join("consumer0.json"), PV_KEY)?;
        fs::write(keys.join("notes.txt"), "not a key")?;
        fs::remove_file(priv_validator_key_path(dir.path()))?;
        assert_eq!(
            find_consumer_key(dir.path(), &own)?,
            keys.join("consumer0.json")
        );
        Ok(())
    }
}
