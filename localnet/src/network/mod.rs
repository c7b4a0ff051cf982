//! [`Localnet`]: generating, starting, stopping and watching a local network.
//!
//! This file holds the types and generation ([`Localnet::create`], [`Localnet::load`]);
//! `processes` starts and stops nodes, `watch` asks them how they are doing and `join`
//! adds a node to an existing localnet. Both work on the provider's nodes and on a consumer
//! chain's ([`Chain`]); `crate::consumer` creates consumer chains and runs their relayers.

mod build;
mod join;
mod processes;
mod watch;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::accounts;
use crate::binaries::Binaries;
use crate::config::{patch_node_config, NodeConfig};
use crate::genesis::{write_shared_genesis, GenesisNode};
use crate::keys::node_id;
use crate::manifest::{ConsumerRecord, Manifest, NodeRecord};
use crate::ports::{NodePorts, PortPlan};

/// Chain id used when none is given.
pub const DEFAULT_CHAIN_ID: &str = "rampart-localnet";

/// Lines of log shown when a process fails.
const LOG_TAIL_LINES: usize = 15;

/// The default localnet home: `<workspace root>/.localnet` (git-ignored).
pub fn default_home() -> PathBuf {
    rampartd::cometbft::workspace_root().join(".localnet")
}

/// Parameters of a new localnet.
#[derive(Clone, Debug)]
pub struct CreateOptions {
    /// Directory holding `localnet.json` and one `node{i}` home per validator.
    pub home: PathBuf,
    /// Number of validators (≥ 1).
    pub validators: usize,
    /// Chain id.
    pub chain_id: String,
    /// How ports are chosen.
    pub ports: PortPlan,
    /// rampartd (runs `init`) and cometbft (used by `rampartd init`).
    pub binaries: Binaries,
}

/// One of the networks of a localnet: the provider's nodes, or the nodes of one consumer chain
/// (`cargo localnet consumer up <id>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Chain {
    /// The provider: `localnet.json`'s `nodes`.
    Provider,
    /// Consumer `id`: its entry in `localnet.json`'s `consumers`.
    Consumer(u64),
}

/// Which of a node's processes are running.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Running {
    /// `cometbft start` is running.
    pub cometbft: bool,
    /// `rampartd start` is running.
    pub rampartd: bool,
}

/// What one node reports; RPC fields are `None` when the node is down or
/// did not answer (then `error` says why).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeStatus {
    /// Node index.
    pub index: usize,
    /// Node name (`node{i}`).
    pub name: String,
    /// Which processes are running.
    pub running: Running,
    /// Latest committed height.
    pub height: Option<u64>,
    /// Latest app hash (hex).
    pub app_hash: Option<String>,
    /// Whether CometBFT reports it is still catching up.
    pub catching_up: Option<bool>,
    /// Connected peers.
    pub peers: Option<u64>,
    /// Why the RPC fields are missing.
    pub error: Option<String>,
}

/// A localnet on disk, plus handles of the processes this value started.
///
/// Dropping it does not stop anything (`cargo localnet up --detach` relies on
/// that); call [`Localnet::stop`].
#[derive(Debug)]
pub struct Localnet {
    home: PathBuf,
    manifest: Manifest,
    children: Vec<Child>,
    /// Consumers this value created, started or stopped: their records in memory are the
    /// truth; the others are re-read from disk before every write.
    touched: BTreeSet<u64>,
}

impl CreateOptions {
    /// Checks the options and creates `home` for a new localnet (refused when it already holds
    /// one); returns its canonical path.
    pub fn new_home(&self) -> Result<PathBuf> {
        if self.validators == 0 {
            bail!("a localnet needs at least one validator");
        }
        if Manifest::path(&self.home).exists() {
            bail!(
                "{} already holds a localnet; load it or wipe it first (`cargo localnet up --fresh`)",
                self.home.display()
            );
        }
        fs::create_dir_all(&self.home)
            .with_context(|| format!("failed to create {}", self.home.display()))?;
        fs::canonicalize(&self.home)
            .with_context(|| format!("failed to resolve {}", self.home.display()))
    }
}

impl Localnet {
    /// Generates a new localnet in `opts.home` (which must not hold one yet):
    /// runs `rampartd init` per node, builds the shared genesis from every
    /// node's gentx ([`write_shared_genesis`]), patches
    /// every config and writes `localnet.json`. Nothing is started.
    pub fn create(opts: &CreateOptions) -> Result<Self> {
        let home = opts.new_home()?;
        let ports = opts.ports.allocate(opts.validators)?;

        let mut nodes = Vec::with_capacity(opts.validators);
        let mut funded = Vec::with_capacity(opts.validators + 1);
        for index in 0..opts.validators {
            let name = format!("node{index}");
            let node_home = home.join(&name);
            if node_home.exists() {
                bail!(
                    "{} exists but {} has no localnet.json (an interrupted generation?); wipe it \
                     with `cargo localnet up --fresh`",
                    node_home.display(),
                    home.display()
                );
            }
            init_node(&opts.binaries, &name, &opts.chain_id, &node_home)?;
            funded.push((
                accounts::new_operator(&node_home)?,
                accounts::OPERATOR_FUNDS,
            ));
            nodes.push((name, node_home));
        }
        let faucet = accounts::new_faucet()?;
        funded.push((faucet.address.clone(), accounts::FAUCET_FUNDS));
        let genesis_nodes: Vec<GenesisNode<'_>> = nodes
            .iter()
            .zip(&ports)
            .map(|((name, node_home), ports)| GenesisNode {
                name,
                home: node_home,
                ip: "127.0.0.1",
                p2p_port: ports.p2p,
            })
            .collect();
        write_shared_genesis(&genesis_nodes, &funded)?;

        let ids = nodes
            .iter()
            .map(|(_, node_home)| node_id(node_home))
            .collect::<Result<Vec<_>>>()?;
        let mut records = Vec::with_capacity(nodes.len());
        for (index, (name, node_home)) in nodes.into_iter().enumerate() {
            let peers = persistent_peers(&ids, &ports, index);
            patch_node_config(
                &node_home,
                &NodeConfig {
                    ports: ports[index],
                    persistent_peers: &peers,
                },
            )?;
            records.push(NodeRecord::new(
                name,
                node_home,
                ids[index].clone(),
                &ports[index],
            ));
        }
        let manifest = Manifest {
            chain_id: opts.chain_id.clone(),
            nodes: records,
            faucet: Some(faucet),
            denom: Some(accounts::DENOM.into()),
            bech32_prefix: Some(accounts::BECH32_PREFIX.into()),
            consumers: Vec::new(),
            extra: Default::default(),
        };
        manifest.write(&home)?;
        // Wallet and chain-registry metadata (node0's RPC and REST), beside the manifest.
        if let Some(node) = manifest.nodes.first() {
            let node_home = rampartd::home::Home::new(node.home.clone());
            rampartd::chain_info::ChainMeta::from_home(&node_home, None, None)?.write(&home)?;
        }
        Ok(Self {
            home,
            manifest,
            children: Vec::new(),
            touched: BTreeSet::new(),
        })
    }

    /// Loads the localnet described by `<home>/localnet.json`. PIDs of
    /// processes that are gone are cleared.
    pub fn load(home: &Path) -> Result<Self> {
        let manifest = Manifest::read(home)?;
        let home = fs::canonicalize(home)
            .with_context(|| format!("failed to resolve {}", home.display()))?;
        let mut net = Self {
            home,
            manifest,
            children: Vec::new(),
            touched: BTreeSet::new(),
        };
        net.refresh();
        Ok(net)
    }

    /// True when `home` holds a `localnet.json`.
    pub fn exists(home: &Path) -> bool {
        Manifest::path(home).is_file()
    }

    /// The localnet home dir.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The manifest (as last written).
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The manifest, to record a new consumer in (then [`Localnet::save`] it).
    pub(crate) fn manifest_mut(&mut self) -> &mut Manifest {
        &mut self.manifest
    }

    /// All node records.
    pub fn nodes(&self) -> &[NodeRecord] {
        &self.manifest.nodes
    }

    /// The record of node `index`, or an error naming the valid range.
    pub fn node(&self, index: usize) -> Result<&NodeRecord> {
        self.chain_node(Chain::Provider, index)
    }

    /// The record of consumer `consumer_id`, or an error saying how to create it.
    pub fn consumer(&self, consumer_id: u64) -> Result<&ConsumerRecord> {
        self.manifest.consumer(consumer_id).with_context(|| {
            format!(
                "the localnet at {} runs no consumer {consumer_id}; start it with `cargo \
                 localnet consumer up {consumer_id}`",
                self.home.display()
            )
        })
    }

    /// The mutable record of consumer `consumer_id`.
    pub(crate) fn consumer_mut(&mut self, consumer_id: u64) -> Result<&mut ConsumerRecord> {
        let home = self.home.display().to_string();
        self.manifest
            .consumers
            .iter_mut()
            .find(|c| c.consumer_id == consumer_id)
            .with_context(|| format!("the localnet at {home} runs no consumer {consumer_id}"))
    }

    /// The nodes of `chain`.
    pub fn chain_nodes(&self, chain: Chain) -> Result<&[NodeRecord]> {
        match chain {
            Chain::Provider => Ok(&self.manifest.nodes),
            Chain::Consumer(id) => Ok(&self.consumer(id)?.nodes),
        }
    }

    /// The nodes of `chain`, to record PIDs in.
    fn chain_nodes_mut(&mut self, chain: Chain) -> Result<&mut Vec<NodeRecord>> {
        match chain {
            Chain::Provider => Ok(&mut self.manifest.nodes),
            Chain::Consumer(id) => Ok(&mut self.consumer_mut(id)?.nodes),
        }
    }

    /// Node `index` of `chain`, or an error naming the valid range.
    pub fn chain_node(&self, chain: Chain, index: usize) -> Result<&NodeRecord> {
        let nodes = self.chain_nodes(chain)?;
        nodes.get(index).with_context(|| {
            format!(
                "no node {index}: {}the localnet at {} has nodes 0..{}",
                chain_label(chain),
                self.home.display(),
                nodes.len().saturating_sub(1)
            )
        })
    }

    /// Every chain of this localnet: the provider, then its consumers.
    pub fn chains(&self) -> Vec<Chain> {
        std::iter::once(Chain::Provider)
            .chain(
                self.manifest
                    .consumers
                    .iter()
                    .map(|c| Chain::Consumer(c.consumer_id)),
            )
            .collect()
    }
}

/// `"consumer 2 "` for a consumer chain, nothing for the provider: the prefix of messages
/// about a chain's nodes.
pub fn chain_label(chain: Chain) -> String {
    match chain {
        Chain::Provider => String::new(),
        Chain::Consumer(id) => format!("consumer {id} "),
    }
}

/// Runs `rampartd init` for one node, pointing it at our cometbft.
fn init_node(binaries: &Binaries, name: &str, chain_id: &str, node_home: &Path) -> Result<()> {
    run_init(binaries, name, &["--chain-id", chain_id], node_home)
}

/// Runs `rampartd init <name> <args…> --home <node_home>` with our cometbft and checks that it
/// wrote a complete home.
pub(crate) fn run_init(
    binaries: &Binaries,
    name: &str,
    args: &[&str],
    node_home: &Path,
) -> Result<()> {
    let output = Command::new(&binaries.rampartd)
        .arg("init")
        .arg(name)
        .args(args)
        .arg("--home")
        .arg(node_home)
        .env(rampartd::cometbft::COMETBFT_BIN_ENV, &binaries.cometbft)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("failed to run `{} init`", binaries.rampartd.display()))?;
    if !output.status.success() {
        bail!(
            "`rampartd init {name} {} --home {}` failed ({}):\n{}{}",
            args.join(" "),
            node_home.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for file in [
        "config/config.toml",
        "config/genesis.json",
        "config/node_key.json",
        "config/priv_validator_key.json",
        "config/app.toml",
        "data/priv_validator_state.json",
    ] {
        let path = node_home.join(file);
        if !path.is_file() {
            bail!("`rampartd init` did not create {}", path.display());
        }
    }
    Ok(())
}

/// `id@127.0.0.1:p2p` of every node except `me`.
pub(crate) fn persistent_peers(ids: &[String], ports: &[NodePorts], me: usize) -> Vec<String> {
    ids.iter()
        .zip(ports)
        .enumerate()
        .filter(|(index, _)| *index != me)
        .map(|(_, (id, ports))| format!("{id}@127.0.0.1:{}", ports.p2p))
        .collect()
}

/// `node0..3` for a contiguous run of `node{i}` names, else a comma list.
pub fn describe_nodes(names: &[&str]) -> String {
    let indices: Option<Vec<usize>> = names
        .iter()
        .map(|n| n.strip_prefix("node").and_then(|i| i.parse().ok()))
        .collect();
    match (indices.as_deref(), names) {
        (_, [single]) => (*single).to_string(),
        (Some([first, .., last]), _) if last - first + 1 == names.len() => {
            format!("node{first}..{last}")
        }
        _ => names.join(","),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_node_ranges() {
        assert_eq!(
            describe_nodes(&["node0", "node1", "node2", "node3"]),
            "node0..3"
        );
        assert_eq!(
            describe_nodes(&["node0", "node1", "node3"]),
            "node0,node1,node3"
        );
        assert_eq!(describe_nodes(&["node2"]), "node2");
    }

    #[test]
    fn peers_exclude_self() {
        let ids = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let ports = [
            NodePorts {
                p2p: 1,
                rpc: 0,
                abci: 0,
                grpc: 0,
                rest: 0,
                metrics: 0,
                cometbft_metrics: 0,
            },
            NodePorts {
                p2p: 2,
                rpc: 0,
                abci: 0,
                grpc: 0,
                rest: 0,
                metrics: 0,
                cometbft_metrics: 0,
            },
            NodePorts {
                p2p: 3,
                rpc: 0,
                abci: 0,
                grpc: 0,
                rest: 0,
                metrics: 0,
                cometbft_metrics: 0,
            },
        ];
        assert_eq!(
            persistent_peers(&ids, &ports, 1),
            vec!["a@127.0.0.1:1", "c@127.0.0.1:3"]
        );
    }
}
