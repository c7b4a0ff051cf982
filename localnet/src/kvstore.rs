//! Localnets of CometBFT's built-in kvstore app (`cargo localnet up --app kvstore`): the same
//! layout, ports and CometBFT config as a Rampart localnet, with `proxy_app = "kvstore"`, so the
//! load generator can measure CometBFT's own ceiling on this machine next to Rampart's.
//!
//! The homes come from `cometbft testnet` (a shared genesis with every validator), then get the
//! very patches a Rampart node's `config.toml` gets ([`patch_node_config`]). No rampartd runs:
//! `localnet.json` records `"app": "kvstore"` and the process code starts CometBFT alone.

use std::fs;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;
use toml_edit::{value, DocumentMut};

use crate::config::{patch_node_config, NodeConfig};
use crate::keys::node_id;
use crate::manifest::{Manifest, NodeRecord};
use crate::network::{persistent_peers, CreateOptions, Localnet};

/// The manifest field naming the application (absent: Rampart).
const APP_FIELD: &str = "app";

/// Which application a localnet's nodes run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AppKind {
    /// rampartd (the default).
    #[default]
    Rampart,
    /// CometBFT's in-process kvstore (`proxy_app = "kvstore"`).
    Kvstore,
}

impl AppKind {
    /// `rampart` or `kvstore`.
    pub fn name(self) -> &'static str {
        match self {
            AppKind::Rampart => "rampart",
            AppKind::Kvstore => "kvstore",
        }
    }
}

impl Manifest {
    /// The application the localnet runs (`"app"` in `localnet.json`; absent: Rampart).
    pub fn app(&self) -> AppKind {
        match self.extra.get(APP_FIELD).and_then(Value::as_str) {
            Some("kvstore") => AppKind::Kvstore,
            _ => AppKind::Rampart,
        }
    }
}

/// Generates a kvstore localnet in `opts.home` (which must not hold one yet); nothing starts.
/// `opts.binaries.rampartd` is not used.
pub fn create(opts: &CreateOptions) -> Result<Localnet> {
    let home = opts.new_home()?;
    let ports = opts.ports.allocate(opts.validators)?;
    let output = Command::new(&opts.binaries.cometbft)
        .args(["testnet", "--v", &opts.validators.to_string(), "--o"])
        .arg(&home)
        .arg("--home")
        .arg(home.join(".cometbft-testnet"))
        .stdin(Stdio::null())
        .output()
        .context("failed to run `cometbft testnet`")?;
    if !output.status.success() {
        bail!(
            "`cometbft testnet` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let names: Vec<String> = (0..opts.validators).map(|i| format!("node{i}")).collect();
    let ids = names
        .iter()
        .map(|name| node_id(&home.join(name)))
        .collect::<Result<Vec<_>>>()?;
    let mut records = Vec::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        let node_home = home.join(name);
        set_chain_id(
            &node_home.join("config").join("genesis.json"),
            &opts.chain_id,
        )?;
        // `patch_node_config` also patches app.toml, which only rampartd reads.
        let app_toml = node_home.join("config").join("app.toml");
        fs::write(
            &app_toml,
            "# unused: this node runs CometBFT's kvstore app\n",
        )
        .with_context(|| format!("failed to write {}", app_toml.display()))?;
        let peers = persistent_peers(&ids, &ports, index);
        patch_node_config(
            &node_home,
            &NodeConfig {
                ports: ports[index],
                persistent_peers: &peers,
            },
        )?;
        set_kvstore(&node_home.join("config").join("config.toml"), name)?;
        records.push(NodeRecord::new(
            name.clone(),
            node_home,
            ids[index].clone(),
            &ports[index],
        ));
    }
    let mut extra = serde_json::Map::new();
    extra.insert(APP_FIELD.into(), Value::from(AppKind::Kvstore.name()));
    let manifest = Manifest {
        chain_id: opts.chain_id.clone(),
        nodes: records,
        faucet: None,
        denom: None,
        bech32_prefix: None,
        consumers: Vec::new(),
        extra,
    };
    manifest.write(&home)?;
    Localnet::load(&home)
}

/// Sets `chain_id` in a genesis file.
fn set_chain_id(path: &std::path::Path, chain_id: &str) -> Result<()> {
    let text =
        fs::read_to_string(path).with_context(|| format!("failed to read {}", path.display()))?;
    let mut genesis: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    genesis["chain_id"] = Value::from(chain_id);
    fs::write(path, serde_json::to_string_pretty(&genesis)?)
        .with_context(|| format!("failed to write {}", path.display()))
}

/// Points CometBFT at its built-in kvstore and names the node; the kv tx indexer is on, as for
/// rampartd (`rampartd init` sets the same).
fn set_kvstore(path: &std::path::Path, moniker: &str) -> Result<()> {
    let text =
        fs::read_to_string(path).with_context(|| format!("failed to read {}", path.display()))?;
    let mut doc: DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    doc["proxy_app"] = value("kvstore");
    doc["moniker"] = value(moniker);
    doc["tx_index"]["indexer"] = value("kv");
    fs::write(path, doc.to_string()).with_context(|| format!("failed to write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_names_the_app() -> Result<()> {
        let mut manifest: Manifest = serde_json::from_value(serde_json::json!({
            "chain_id": "c", "nodes": []
        }))?;
        assert_eq!(manifest.app(), AppKind::Rampart);
        manifest
            .extra
            .insert(APP_FIELD.into(), Value::from("kvstore"));
        assert_eq!(manifest.app(), AppKind::Kvstore);
        let text = serde_json::to_string(&manifest)?;
        assert!(text.contains("\"app\":\"kvstore\""), "{text}");
        Ok(())
    }
}
