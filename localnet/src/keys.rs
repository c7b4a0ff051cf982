//! Reading CometBFT key files: the P2P node id and the validator public key.

use std::fs;
use std::path::Path;

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

impl ValidatorKey {
    /// Reads `<home>/config/priv_validator_key.json`.
    pub fn read(node_home: &Path) -> Result<Self> {
        let path = node_home.join("config").join("priv_validator_key.json");
        let text = fs::read_to_string(&path)
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
}
