//! Patching a node's `config.toml` (CometBFT) and `app.toml` (rampartd).
//!
//! Edits go through `toml_edit`, so comments and layout of the generated
//! files are kept.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use toml_edit::{value, DocumentMut};

use crate::manifest::NodeRecord;
use crate::ports::NodePorts;

/// The event attributes the localnet's nodes index for `tx_search` (app.toml `[events] index`):
/// what wallets search by (CosmJS's `searchTx` by sender or recipient, explorers by action).
/// Indexing every attribute (28 per transfer, 6 of them listed here) made CometBFT's indexer the largest single cost
/// of a busy localnet (docs/BENCHMARKS.md); `index = []` in a node's app.toml restores it.
pub const INDEXED_EVENTS: [&str; 3] = ["message.action", "message.sender", "transfer.recipient"];

/// What goes into one node's config files.
#[derive(Clone, Debug)]
pub struct NodeConfig<'a> {
    /// The node's ports.
    pub ports: NodePorts,
    /// `id@127.0.0.1:port` of every other node.
    pub persistent_peers: &'a [String],
}

/// Patches `<home>/config/config.toml` and `<home>/config/app.toml`.
pub fn patch_node_config(node_home: &Path, config: &NodeConfig<'_>) -> Result<()> {
    let ports = config.ports;
    edit_toml(&node_home.join("config").join("config.toml"), |doc| {
        doc["proxy_app"] = value(format!("tcp://127.0.0.1:{}", ports.abci));
        doc["p2p"]["laddr"] = value(format!("tcp://127.0.0.1:{}", ports.p2p));
        doc["p2p"]["persistent_peers"] = value(config.persistent_peers.join(","));
        doc["p2p"]["allow_duplicate_ip"] = value(true);
        doc["p2p"]["addr_book_strict"] = value(false);
        doc["rpc"]["laddr"] = value(format!("tcp://127.0.0.1:{}", ports.rpc));
        doc["rpc"]["pprof_laddr"] = value("");
        doc["consensus"]["timeout_commit"] = value("1s");
        doc["tx_index"]["indexer"] = value("kv");
        // CometBFT's own Prometheus endpoint, beside rampartd's `/metrics`.
        doc["instrumentation"]["prometheus"] = value(ports.cometbft_metrics != 0);
        if ports.cometbft_metrics != 0 {
            doc["instrumentation"]["prometheus_listen_addr"] =
                value(format!("127.0.0.1:{}", ports.cometbft_metrics));
        }
    })?;
    edit_toml(&node_home.join("config").join("app.toml"), |doc| {
        doc["abci"]["address"] = value(format!("127.0.0.1:{}", ports.abci));
        doc["grpc"]["address"] = value(format!("127.0.0.1:{}", ports.grpc));
        // The REST API, readable from any origin (browser wallets and explorers on a laptop).
        if ports.rest != 0 {
            doc["api"]["enable"] = value(true);
            doc["api"]["address"] = value(format!("127.0.0.1:{}", ports.rest));
            doc["api"]["enabled-unsafe-cors"] = value(true);
            // The live web view of shared security, at the REST address's `/`.
            doc["api"]["web"] = value(true);
        }
        doc["cometbft"]["rpc"] = value(format!("http://127.0.0.1:{}", ports.rpc));
        if ports.metrics != 0 {
            doc["metrics"]["address"] = value(format!("127.0.0.1:{}", ports.metrics));
        }
        // Any fee: the relayers' transactions pay none (a new node's default price refuses them).
        doc["mempool"]["minimum_gas_prices"] = value("");
        doc["events"]["index"] =
            value(INDEXED_EVENTS.iter().copied().collect::<toml_edit::Array>());
    })
}

/// Makes the node at `node_home` withhold its events from CometBFT (app.toml `[events] emit =
/// false`), as a validator that serves no queries can: its CometBFT then stores, indexes,
/// publishes and serves none, which is most of what a transaction costs CometBFT beyond
/// ordering it (docs/BENCHMARKS.md, "What the ratio is made of").
pub fn withhold_events(node_home: &Path) -> Result<()> {
    edit_toml(&node_home.join("config").join("app.toml"), |doc| {
        doc["events"]["emit"] = value(false);
    })
}

/// Lean validators (`up --lean-validators`): every node but the first withholds its events, so
/// node0 is the one wallets and explorers read them from.
pub fn lean_validators(nodes: &[NodeRecord]) -> Result<()> {
    nodes
        .iter()
        .skip(1)
        .try_for_each(|node| withhold_events(&node.home))
}

/// Reads, edits and rewrites one TOML file.
fn edit_toml(path: &Path, edit: impl FnOnce(&mut DocumentMut)) -> Result<()> {
    let text =
        fs::read_to_string(path).with_context(|| format!("failed to read {}", path.display()))?;
    let mut doc: DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    edit(&mut doc);
    fs::write(path, doc.to_string()).with_context(|| format!("failed to write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_both_files() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let config_dir = dir.path().join("config");
        fs::create_dir_all(&config_dir)?;
        fs::write(
            config_dir.join("config.toml"),
            "# top comment\nproxy_app = \"tcp://127.0.0.1:26658\"\n\n[p2p]\n# keep me\nladdr = \"tcp://0.0.0.0:26656\"\n",
        )?;
        fs::write(
            config_dir.join("app.toml"),
            "[abci]\naddress = \"127.0.0.1:26658\"\n[log]\nlevel = \"info\"\n",
        )?;
        let peers = vec!["aa@127.0.0.1:1".to_string(), "bb@127.0.0.1:2".to_string()];
        let ports = NodePorts {
            p2p: 11,
            rpc: 12,
            abci: 13,
            grpc: 14,
            rest: 15,
            metrics: 16,
            cometbft_metrics: 17,
        };
        patch_node_config(
            dir.path(),
            &NodeConfig {
                ports,
                persistent_peers: &peers,
            },
        )?;
        let config: toml_edit::DocumentMut =
            fs::read_to_string(config_dir.join("config.toml"))?.parse()?;
        assert_eq!(config["proxy_app"].as_str(), Some("tcp://127.0.0.1:13"));
        assert_eq!(config["p2p"]["laddr"].as_str(), Some("tcp://127.0.0.1:11"));
        assert_eq!(
            config["p2p"]["persistent_peers"].as_str(),
            Some("aa@127.0.0.1:1,bb@127.0.0.1:2")
        );
        assert_eq!(config["rpc"]["laddr"].as_str(), Some("tcp://127.0.0.1:12"));
        assert_eq!(config["consensus"]["timeout_commit"].as_str(), Some("1s"));
        assert_eq!(
            config["instrumentation"]["prometheus"].as_bool(),
            Some(true)
        );
        assert_eq!(
            config["instrumentation"]["prometheus_listen_addr"].as_str(),
            Some("127.0.0.1:17")
        );
        assert!(config.to_string().contains("# keep me"));
        let app: toml_edit::DocumentMut =
            fs::read_to_string(config_dir.join("app.toml"))?.parse()?;
        assert_eq!(app["grpc"]["address"].as_str(), Some("127.0.0.1:14"));
        assert_eq!(app["api"]["address"].as_str(), Some("127.0.0.1:15"));
        assert_eq!(app["api"]["enable"].as_bool(), Some(true));
        assert_eq!(app["api"]["web"].as_bool(), Some(true));
        assert_eq!(app["metrics"]["address"].as_str(), Some("127.0.0.1:16"));
        assert_eq!(app["cometbft"]["rpc"].as_str(), Some("http://127.0.0.1:12"));
        assert_eq!(app["log"]["level"].as_str(), Some("info"));
        assert_eq!(app["mempool"]["minimum_gas_prices"].as_str(), Some(""));
        let indexed: Vec<_> = app["events"]["index"]
            .as_array()
            .map(|list| list.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(indexed, INDEXED_EVENTS);
        assert_eq!(app["events"].get("emit").and_then(|v| v.as_bool()), None);
        withhold_events(dir.path())?;
        let app: toml_edit::DocumentMut =
            fs::read_to_string(config_dir.join("app.toml"))?.parse()?;
        assert_eq!(app["events"]["emit"].as_bool(), Some(false));
        assert!(
            app.to_string().contains("message.action"),
            "the index list stays"
        );
        Ok(())
    }
}
