//! The node's CometBFT key files: the P2P node id (`config/node_key.json`) and the consensus
//! public key (`config/priv_validator_key.json`).

use anyhow::{anyhow, Context};
use serde::Deserialize;

use crate::home::Home;

#[derive(Deserialize)]
struct NodeKeyFile {
    priv_key: tendermint::PrivateKey,
}

#[derive(Deserialize)]
struct PrivValidatorKeyFile {
    pub_key: tendermint::PublicKey,
}

/// `config/node_key.json` of `home`.
pub fn node_key_path(home: &Home) -> std::path::PathBuf {
    home.config_dir().join("node_key.json")
}

/// The node's P2P id: lower-case hex of the first 20 bytes of sha256 of its ed25519 public key
/// (what `cometbft show-node-id` prints).
pub fn node_id(home: &Home) -> anyhow::Result<String> {
    let path = node_key_path(home);
    let file: NodeKeyFile = serde_json::from_str(&Home::read_file(&path)?)
        .with_context(|| format!("{} is not a CometBFT node key", path.display()))?;
    let key = file
        .priv_key
        .public_key()
        .ed25519()
        .ok_or_else(|| anyhow!("{}: the node key is not ed25519", path.display()))?;
    Ok(tendermint::node::Id::from(key).to_string())
}

/// The node's ed25519 consensus public key (32 bytes).
pub fn consensus_key(home: &Home) -> anyhow::Result<[u8; 32]> {
    let path = home.priv_validator_key();
    let file: PrivValidatorKeyFile = serde_json::from_str(&Home::read_file(&path)?)
        .with_context(|| format!("{} is not a CometBFT validator key", path.display()))?;
    let key = file.pub_key.ed25519().ok_or_else(|| {
        anyhow!(
            "{}: the validator key is not ed25519 (the only type validators may use)",
            path.display()
        )
    })?;
    key.as_bytes()
        .try_into()
        .map_err(|_| anyhow!("{}: the ed25519 key is not 32 bytes", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Key files written by `cometbft init` (v0.38.25) and the id `cometbft show-node-id` prints.
    const NODE_KEY: &str = r#"{"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"KqDuXfx5SE6Xk+YQ1SGKGZUNYoPog6JXxZAeMyG4shpNGIJ9XkZVqYZXBxWhVaxGpjdCGO6qA7F+AAwW7nYgUg=="}}"#;
    const PV_KEY: &str = r#"{"address": "85817B1D08D40E071823A48AC00BB2501E6E5BBA",
      "pub_key": {"type": "tendermint/PubKeyEd25519", "value": "hpeEB7nZW32TunyChNhA0pgAdVmFVA9GMFSClpXrcsA="},
      "priv_key": {"type": "tendermint/PrivKeyEd25519", "value": "roXffNYz8YQ1N00NFH1p/TmXdrE5WREWEtTeZM0AeYKGl4QHudlbfZO6fIKE2EDSmAB1WYVUD0YwVIKWletywA=="}}"#;

    #[test]
    fn reads_cometbft_key_files() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let home = Home::new(dir.path());
        std::fs::create_dir_all(home.config_dir())?;
        std::fs::write(node_key_path(&home), NODE_KEY)?;
        std::fs::write(home.priv_validator_key(), PV_KEY)?;
        assert_eq!(node_id(&home)?, "15e0ec562e2e10687f264dee0c42a03e9c4f20ed");
        assert_eq!(
            hex::encode(consensus_key(&home)?),
            "86978407b9d95b7d93ba7c8284d840d29800755985540f463054829695eb72c0"
        );
        std::fs::write(node_key_path(&home), "{}")?;
        let err = format!("{:#}", node_id(&home).expect_err("not a key"));
        assert!(err.contains("is not a CometBFT node key"), "{err}");
        Ok(())
    }
}
