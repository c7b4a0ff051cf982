//! `<home>/localnet.json`: the stable, tool-readable description of a localnet.
//!
//! ```json
//! {"chain_id": "rampart-localnet",
//!  "nodes": [{"name": "node0", "home": "/…/node0", "node_id": "…",
//!             "rpc": "http://127.0.0.1:26657", "p2p": "127.0.0.1:26656",
//!             "abci": "127.0.0.1:26658", "grpc": "127.0.0.1:9090",
//!             "rest": "http://127.0.0.1:1317",
//!             "metrics": "http://127.0.0.1:26661/metrics",
//!             "cometbft_metrics": "http://127.0.0.1:26660/metrics",
//!             "pids": {"cometbft": 1234, "rampartd": 1233}}],
//!  "consumers": [{"consumer_id": 0, "chain_id": "consumer-1", "home": "/…/consumer0",
//!                 "nodes": [{"name": "node0", "home": "/…/consumer0/node0", …}],
//!                 "relayer": {"pid": 1240, "log": "/…/consumer0/relayer/logs/relayer.log",
//!                             "home": "/…/consumer0/relayer", "address": "rampart1…",
//!                             "status_file": "/…/consumer0/relayer/status.json"}}]}
//! ```
//!
//! `pids` entries are `null` while a process is stopped. `consumers` (the consumer chains
//! `cargo localnet consumer up` runs) is absent in files written before it existed. Fields this
//! version does not know are kept in `extra` and written back unchanged.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::accounts::Faucet;
use serde_json::{Map, Value};

use crate::ports::NodePorts;

/// File name of the manifest inside the localnet home.
pub const MANIFEST_FILE: &str = "localnet.json";

/// The whole localnet.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Chain id shared by every node.
    pub chain_id: String,
    /// One entry per validator node, in index order.
    pub nodes: Vec<NodeRecord>,
    /// The funded faucet account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faucet: Option<Faucet>,
    /// The bond and fee denom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denom: Option<String>,
    /// The account address prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bech32_prefix: Option<String>,
    /// The consumer chains running on this localnet's stake, in the order they were created.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<ConsumerRecord>,
    /// Fields added by later versions.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One consumer chain: its nodes (one per localnet validator in its set) and its relayer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ConsumerRecord {
    /// The consumer's id on the provider.
    pub consumer_id: u64,
    /// The consumer's chain id.
    pub chain_id: String,
    /// The directory holding its node homes and the relayer's home.
    pub home: PathBuf,
    /// Its nodes, named after the provider nodes whose validators they sign for.
    pub nodes: Vec<NodeRecord>,
    /// The relayer between the provider and this consumer.
    pub relayer: RelayerRecord,
    /// Fields added by later versions.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `rampartd relay` process of one consumer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RelayerRecord {
    /// PID of the running relayer (`null` when stopped).
    pub pid: Option<u32>,
    /// Where it writes its output.
    pub log: PathBuf,
    /// Its home: the `test` keyring holding its key, its status file and its log.
    pub home: PathBuf,
    /// Its account, funded on both chains (key `relayer` in its keyring).
    pub address: String,
    /// The progress file it writes (`--status-file`).
    pub status_file: PathBuf,
    /// Fields added by later versions.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One validator node.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct NodeRecord {
    /// `node{i}`; also the CometBFT moniker.
    pub name: String,
    /// The node's home dir (shared by rampartd and cometbft).
    pub home: PathBuf,
    /// CometBFT P2P node id (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// CometBFT RPC URL, `http://127.0.0.1:PORT`.
    pub rpc: String,
    /// CometBFT P2P address, `127.0.0.1:PORT`.
    pub p2p: String,
    /// rampartd ABCI address, `127.0.0.1:PORT`.
    pub abci: String,
    /// rampartd gRPC address, `127.0.0.1:PORT`.
    pub grpc: String,
    /// rampartd REST API URL, `http://127.0.0.1:PORT` (absent in files written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest: Option<String>,
    /// rampartd's Prometheus metrics, `http://127.0.0.1:PORT/metrics` (absent in files written
    /// before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<String>,
    /// CometBFT's Prometheus metrics, `http://127.0.0.1:PORT/metrics`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cometbft_metrics: Option<String>,
    /// PIDs of the running processes (`null` when stopped).
    #[serde(default)]
    pub pids: Pids,
    /// Fields added by later versions.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// PIDs of one node's two processes.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pids {
    /// The `cometbft start` process.
    pub cometbft: Option<u32>,
    /// The `rampartd start` process.
    pub rampartd: Option<u32>,
}

impl NodeRecord {
    /// A stopped node record for `ports`.
    pub fn new(name: String, home: PathBuf, node_id: String, ports: &NodePorts) -> Self {
        Self {
            name,
            home,
            node_id: Some(node_id),
            rpc: format!("http://127.0.0.1:{}", ports.rpc),
            p2p: format!("127.0.0.1:{}", ports.p2p),
            abci: format!("127.0.0.1:{}", ports.abci),
            grpc: format!("127.0.0.1:{}", ports.grpc),
            rest: (ports.rest != 0).then(|| format!("http://127.0.0.1:{}", ports.rest)),
            metrics: metrics_url(ports.metrics),
            cometbft_metrics: metrics_url(ports.cometbft_metrics),
            pids: Pids::default(),
            extra: Map::new(),
        }
    }

    /// The RPC address without the `http://` scheme.
    pub fn rpc_addr(&self) -> Result<SocketAddr> {
        let host_port = self.rpc.trim_start_matches("http://").trim_end_matches('/');
        parse_addr(&self.name, "rpc", host_port)
    }

    /// The ports, parsed back from the addresses (REST 0 when the record has none).
    pub fn ports(&self) -> Result<NodePorts> {
        Ok(NodePorts {
            p2p: parse_addr(&self.name, "p2p", &self.p2p)?.port(),
            rpc: self.rpc_addr()?.port(),
            abci: parse_addr(&self.name, "abci", &self.abci)?.port(),
            grpc: parse_addr(&self.name, "grpc", &self.grpc)?.port(),
            rest: match &self.rest {
                Some(url) => {
                    parse_addr(&self.name, "rest", url.trim_start_matches("http://"))?.port()
                }
                None => 0,
            },
            metrics: metrics_port(&self.name, "metrics", self.metrics.as_deref())?,
            cometbft_metrics: metrics_port(
                &self.name,
                "cometbft_metrics",
                self.cometbft_metrics.as_deref(),
            )?,
        })
    }

    /// Where `process` (`"rampartd"` or `"cometbft"`) writes its output.
    pub fn log_path(&self, process: &str) -> PathBuf {
        self.home.join("logs").join(format!("{process}.log"))
    }
}

/// The `/metrics` URL of `port` (`None` for 0: not served).
fn metrics_url(port: u16) -> Option<String> {
    (port != 0).then(|| format!("http://127.0.0.1:{port}/metrics"))
}

/// The port of a [`metrics_url`] (0 when absent).
fn metrics_port(node: &str, field: &str, url: Option<&str>) -> Result<u16> {
    let Some(url) = url else {
        return Ok(0);
    };
    let host_port = url
        .trim_start_matches("http://")
        .trim_end_matches("/metrics");
    Ok(parse_addr(node, field, host_port)?.port())
}

fn parse_addr(node: &str, field: &str, value: &str) -> Result<SocketAddr> {
    value
        .parse()
        .with_context(|| format!("{MANIFEST_FILE}: {node}.{field} = {value:?} is not an IP:port"))
}

impl Manifest {
    /// The manifest path inside `home`.
    pub fn path(home: &Path) -> PathBuf {
        home.join(MANIFEST_FILE)
    }

    /// Reads `<home>/localnet.json`.
    pub fn read(home: &Path) -> Result<Self> {
        let path = Self::path(home);
        let text = fs::read_to_string(&path).with_context(|| {
            format!(
                "no localnet at {} (missing {}); create one with `cargo localnet up`",
                home.display(),
                path.display()
            )
        })?;
        serde_json::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
    }

    /// The record of consumer `consumer_id`, if this localnet runs it.
    pub fn consumer(&self, consumer_id: u64) -> Option<&ConsumerRecord> {
        self.consumers.iter().find(|c| c.consumer_id == consumer_id)
    }

    /// Writes `<home>/localnet.json` atomically (temp file + rename).
    pub fn write(&self, home: &Path) -> Result<()> {
        let path = Self::path(home);
        let tmp = home.join(format!(".{MANIFEST_FILE}.tmp"));
        let mut text = serde_json::to_string_pretty(self).context("failed to encode manifest")?;
        text.push('\n');
        fs::write(&tmp, text).with_context(|| format!("failed to write {}", tmp.display()))?;
        fs::rename(&tmp, &path)
            .with_context(|| format!("failed to move {} to {}", tmp.display(), path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_unknown_fields() -> Result<()> {
        let json = r#"{
          "chain_id": "c", "denom": "uram",
          "nodes": [{"name": "node0", "home": "/h/node0", "rpc": "http://127.0.0.1:1",
                     "p2p": "127.0.0.1:2", "abci": "127.0.0.1:3", "grpc": "127.0.0.1:4",
                     "pids": {"cometbft": null, "rampartd": 5}, "faucet": {"x": 1}}]}"#;
        let manifest: Manifest = serde_json::from_str(json)?;
        assert_eq!(manifest.nodes[0].pids.rampartd, Some(5));
        assert_eq!(
            manifest.nodes[0].ports()?,
            NodePorts {
                p2p: 2,
                rpc: 1,
                abci: 3,
                grpc: 4,
                rest: 0,
                metrics: 0,
                cometbft_metrics: 0
            }
        );
        let back: Value = serde_json::to_value(&manifest)?;
        assert_eq!(back["denom"], "uram");
        assert_eq!(back["nodes"][0]["faucet"]["x"], 1);
        assert_eq!(back["nodes"][0]["pids"]["cometbft"], Value::Null);
        assert!(
            manifest.consumers.is_empty(),
            "old files load without consumers"
        );
        assert!(back.get("consumers").is_none());
        Ok(())
    }

    #[test]
    fn consumers_round_trip() -> Result<()> {
        let json = r#"{
          "chain_id": "c",
          "nodes": [],
          "consumers": [{"consumer_id": 2, "chain_id": "consumer-1", "home": "/h/consumer2",
            "nodes": [{"name": "node1", "home": "/h/consumer2/node1",
                       "rpc": "http://127.0.0.1:30157", "p2p": "127.0.0.1:30156",
                       "abci": "127.0.0.1:30158", "grpc": "127.0.0.1:30190",
                       "pids": {"cometbft": 7, "rampartd": 6}}],
            "relayer": {"pid": 9, "log": "/h/consumer2/relayer/logs/relayer.log",
                        "home": "/h/consumer2/relayer", "address": "rampart1x",
                        "status_file": "/h/consumer2/relayer/status.json"}}]}"#;
        let manifest: Manifest = serde_json::from_str(json)?;
        let consumer = manifest.consumer(2).context("consumer 2")?;
        assert_eq!(consumer.nodes[0].pids.cometbft, Some(7));
        assert_eq!(consumer.relayer.pid, Some(9));
        assert!(manifest.consumer(0).is_none());
        let back: Manifest = serde_json::from_value(serde_json::to_value(&manifest)?)?;
        assert_eq!(back, manifest);
        Ok(())
    }
}
