//! `cargo localnet load`: a load generator for a running localnet (Rampart or CometBFT's
//! kvstore), reporting from the blocks themselves.
//!
//! It funds fresh accounts from the faucet (`MsgMultiSend`), pre-signs their transactions with
//! the client library's builder (`rampart_client::tx_builder`), sends them to every node with
//! `broadcast_tx_sync` in JSON-RPC batches of at most ten, bounds what each account (and the
//! whole run) has in flight, and resynchronises an account's sequence from the chain when a
//! transaction fails, is refused, or is acknowledged and then dropped by CometBFT.
//!
//! ```no_run
//! # async fn demo(net: &rampart_localnet::Localnet) -> anyhow::Result<()> {
//! use std::time::Duration;
//! use rampart_localnet::load::{Generator, LoadPlan, LoadTarget};
//! let target = LoadTarget::from_localnet(net)?;
//! let generator = Generator::prepare(target, LoadPlan::default()).await?;
//! let accounts = generator.addresses();
//! // Background load at 100 tx/s until stopped (e.g. while nodes are killed and restarted).
//! let running = generator.start(100, Duration::from_secs(60)).await?;
//! tokio::time::sleep(Duration::from_secs(30)).await;
//! let (_generator, report) = running.stop().await?;
//! println!("{report}");
//! assert_eq!(report.failed_total(), 0);
//! for hash in &report.committed_hashes { /* each is found by hash with code 0 */ }
//! for (address, count) in &report.committed_per_account { /* its sequence is `count` */ }
//! # let _ = accounts; Ok(()) }
//! ```

mod book;
mod cpu;
mod fund;
mod generator;
pub mod report;
mod rpc;
mod sender;
mod watcher;
mod workload;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Result};

pub use crate::kvstore::AppKind as LoadApp;
pub use cpu::{CpuPerTx, NodeProcesses};
pub use generator::{time_seed, Generator, RunningLoad};
pub use report::{compare, LoadReport};
/// The fee every load transaction pays, in `uramp` (fault drills check balances against it).
pub use workload::FEE;

use crate::accounts::Faucet;
use crate::network::{Chain, Localnet};

/// The network to load: its nodes' RPCs, the app they run and how to fund accounts.
#[derive(Clone, Debug)]
pub struct LoadTarget {
    /// The RPC addresses of the running nodes.
    pub nodes: Vec<SocketAddr>,
    /// The same as URLs (`http://127.0.0.1:26657`).
    pub rpc_urls: Vec<String>,
    /// The application the nodes run.
    pub app: LoadApp,
    /// The chain id signed.
    pub chain_id: String,
    /// The funded faucet (Rampart localnets).
    pub faucet: Option<Faucet>,
    /// Which build of the application runs (`release`, `debug`, `cometbft` for kvstore, or a
    /// path).
    pub build: String,
    /// The nodes' `[pruning] keep_recent` (the smallest, if they differ); `None` for kvstore or
    /// when a node's app.toml cannot be read.
    pub keep_recent: Option<u64>,
    /// How many running nodes withhold their events from CometBFT (app.toml `[events] emit =
    /// false`, `up --lean-validators`).
    pub withholding_events: usize,
    /// The running nodes' processes, whose CPU time the report counts.
    pub processes: NodeProcesses,
}

impl LoadTarget {
    /// The running nodes of `net`; an error when none runs.
    pub fn from_localnet(net: &Localnet) -> Result<Self> {
        Self::from_chain(net, Chain::Provider)
    }

    /// The running nodes of `chain` of `net` (a consumer chain's genesis funds the localnet's
    /// faucet too); an error when none runs.
    pub fn from_chain(net: &Localnet, chain: Chain) -> Result<Self> {
        let nodes_of_chain = net.chain_nodes(chain)?;
        let running: Vec<usize> = (0..nodes_of_chain.len())
            .filter(|&i| net.running_in(chain, i).cometbft)
            .collect();
        if running.is_empty() {
            bail!(
                "the {}localnet at {} is not running; start it with `cargo localnet {}`",
                crate::network::chain_label(chain),
                net.home().display(),
                match chain {
                    Chain::Provider => "up --detach".to_string(),
                    Chain::Consumer(id) => format!("consumer up {id}"),
                }
            );
        }
        let app = match chain {
            Chain::Provider => net.manifest().app(),
            Chain::Consumer(_) => LoadApp::Rampart,
        };
        let mut nodes = Vec::new();
        let mut rpc_urls = Vec::new();
        for &i in &running {
            let node = &nodes_of_chain[i];
            nodes.push(node.rpc_addr()?);
            rpc_urls.push(node.rpc.clone());
        }
        let build = match app {
            LoadApp::Kvstore => "cometbft".to_string(),
            LoadApp::Rampart => running
                .iter()
                .find_map(|&i| nodes_of_chain[i].pids.rampartd)
                .map_or_else(|| "unknown".into(), build_of_pid),
        };
        // Each running node's app.toml, read once (none for kvstore; `None` where unreadable).
        let app_tomls: Vec<Option<rampartd::config::AppToml>> = match app {
            LoadApp::Kvstore => Vec::new(),
            LoadApp::Rampart => running
                .iter()
                .map(|&i| {
                    let path = nodes_of_chain[i].home.join("config").join("app.toml");
                    rampartd::config::AppToml::load(&path).ok()
                })
                .collect(),
        };
        let keep_recent = match app {
            LoadApp::Kvstore => None,
            LoadApp::Rampart => app_tomls
                .iter()
                .map(|toml| toml.as_ref().map(|toml| toml.pruning.keep_recent))
                .collect::<Option<Vec<u64>>>()
                .and_then(|keeps| keeps.into_iter().min()),
        };
        let withholding_events = app_tomls
            .iter()
            .flatten()
            .filter(|toml| !toml.events.emit)
            .count();
        let processes = NodeProcesses {
            cometbft: running
                .iter()
                .filter_map(|&i| nodes_of_chain[i].pids.cometbft)
                .collect(),
            app: running
                .iter()
                .filter_map(|&i| nodes_of_chain[i].pids.rampartd)
                .collect(),
        };
        let chain_id = match chain {
            Chain::Provider => net.manifest().chain_id.clone(),
            Chain::Consumer(id) => net.consumer(id)?.chain_id.clone(),
        };
        Ok(Self {
            nodes,
            rpc_urls,
            app,
            chain_id,
            faucet: net.manifest().faucet.clone(),
            build,
            keep_recent,
            withholding_events,
            processes,
        })
    }
}

/// `release` or `debug` from the executable of process `pid` (`target/<profile>/rampartd`),
/// else its path.
fn build_of_pid(pid: u32) -> String {
    let Ok(exe) = std::fs::read_link(format!("/proc/{pid}/exe")) else {
        return "unknown".into();
    };
    build_of_path(&exe)
}

fn build_of_path(exe: &Path) -> String {
    crate::binaries::cargo_profile(exe).map_or_else(|| exe.display().to_string(), str::to_string)
}

/// How to load: accounts, bounds and the transaction mix. The rate and duration are given to
/// [`Generator::run`], [`Generator::start`] or [`Generator::saturate`].
#[derive(Clone, Debug)]
pub struct LoadPlan {
    /// Accounts funded and sending.
    pub accounts: usize,
    /// The most transactions in flight per account.
    pub per_account: usize,
    /// The most transactions in flight over all accounts (keep it below CometBFT's
    /// `mempool.size`, 5,000 by default: a full mempool drops acknowledged transactions).
    pub max_in_flight: usize,
    /// Connections (senders) per node.
    pub connections: usize,
    /// Mix delegations in with the transfers.
    pub mix: bool,
    /// Size of a kvstore transaction (default: that of a signed Rampart transfer).
    pub tx_size: Option<usize>,
    /// An acknowledged transaction not committed after this long is given up on and its
    /// account resynchronised.
    pub lost_after: Duration,
    /// What each account is funded with, in `uramp`.
    pub fund: u128,
    /// Seed of the accounts' keys (fresh accounts per seed).
    pub seed: u64,
}

impl Default for LoadPlan {
    /// 1,000 accounts, 4 in flight each and 4,000 in all, 2 connections per node, transfers
    /// only, lost after 30 s, 10^10 uramp each, a seed from the clock.
    fn default() -> Self {
        Self {
            accounts: 1_000,
            per_account: 4,
            max_in_flight: 4_000,
            connections: 2,
            mix: false,
            tx_size: None,
            lost_after: Duration::from_secs(30),
            fund: 10_000_000_000,
            seed: time_seed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_build_from_the_executable() {
        assert_eq!(
            build_of_path(Path::new("/w/target/release/rampartd")),
            "release"
        );
        assert_eq!(
            build_of_path(Path::new("/w/target/debug/rampartd")),
            "debug"
        );
        assert_eq!(
            build_of_path(Path::new("/usr/bin/rampartd")),
            "/usr/bin/rampartd"
        );
    }
}
