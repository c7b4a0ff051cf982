//! [`Localnet`]: generating, starting, stopping and watching a local network.

use std::collections::BTreeMap;
use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::accounts;
use crate::binaries::Binaries;
use crate::config::{patch_node_config, NodeConfig};
use crate::genesis::{write_shared_genesis, GenesisNode};
use crate::keys::node_id;
use crate::manifest::{Manifest, NodeRecord, Pids};
use crate::ports::{ensure_free, NodePorts, PortPlan};
use crate::process::{is_alive, is_ours, log_tail, spawn_logged, stop_all, StopMode, Target};
use crate::rpc;

/// Chain id used when none is given.
pub const DEFAULT_CHAIN_ID: &str = "rampart-localnet";

/// How long rampartd may take to open its ABCI port.
const ABCI_READY_TIMEOUT: Duration = Duration::from_secs(60);

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
}

impl Localnet {
    /// Generates a new localnet in `opts.home` (which must not hold one yet):
    /// runs `rampartd init` per node, builds the shared genesis from every
    /// node's gentx ([`write_shared_genesis`]), patches
    /// every config and writes `localnet.json`. Nothing is started.
    pub fn create(opts: &CreateOptions) -> Result<Self> {
        if opts.validators == 0 {
            bail!("a localnet needs at least one validator");
        }
        if Manifest::path(&opts.home).exists() {
            bail!(
                "{} already holds a localnet; load it or wipe it first (`cargo localnet up --fresh`)",
                opts.home.display()
            );
        }
        fs::create_dir_all(&opts.home)
            .with_context(|| format!("failed to create {}", opts.home.display()))?;
        let home = fs::canonicalize(&opts.home)
            .with_context(|| format!("failed to resolve {}", opts.home.display()))?;
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
            extra: Default::default(),
        };
        manifest.write(&home)?;
        Ok(Self {
            home,
            manifest,
            children: Vec::new(),
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

    /// All node records.
    pub fn nodes(&self) -> &[NodeRecord] {
        &self.manifest.nodes
    }

    /// The record of node `index`, or an error naming the valid range.
    pub fn node(&self, index: usize) -> Result<&NodeRecord> {
        self.manifest.nodes.get(index).with_context(|| {
            format!(
                "no node {index}: the localnet at {} has nodes 0..{}",
                self.home.display(),
                self.manifest.nodes.len().saturating_sub(1)
            )
        })
    }

    /// Which processes of node `index` are running.
    pub fn running(&self, index: usize) -> Running {
        let Some(node) = self.manifest.nodes.get(index) else {
            return Running::default();
        };
        let alive = |pid: Option<u32>| pid.is_some_and(|pid| self.pid_running(pid, &node.home));
        Running {
            cometbft: alive(node.pids.cometbft),
            rampartd: alive(node.pids.rampartd),
        }
    }

    /// Liveness of one recorded PID. For our own unreaped children the PID
    /// cannot have been reused, so existence is enough (their command line
    /// can be briefly empty while they `exec`); any other PID must still
    /// name the node home in its command line.
    fn pid_running(&self, pid: u32, node_home: &Path) -> bool {
        if self.children.iter().any(|child| child.id() == pid) {
            is_alive(pid)
        } else {
            is_ours(pid, node_home)
        }
    }

    /// True when any recorded process is running.
    pub fn any_running(&self) -> bool {
        (0..self.manifest.nodes.len()).any(|i| {
            let running = self.running(i);
            running.cometbft || running.rampartd
        })
    }

    /// Clears PIDs of processes that are gone and saves the manifest if
    /// anything changed.
    pub fn refresh(&mut self) {
        self.reap();
        let mut changed = false;
        for index in 0..self.manifest.nodes.len() {
            let running = self.running(index);
            let pids = &mut self.manifest.nodes[index].pids;
            if pids.cometbft.is_some() && !running.cometbft {
                pids.cometbft = None;
                changed = true;
            }
            if pids.rampartd.is_some() && !running.rampartd {
                pids.rampartd = None;
                changed = true;
            }
        }
        if changed {
            // Best effort: a stale PID on disk is re-checked on every load.
            let _ = self.manifest.write(&self.home);
        }
    }

    /// Starts every node that is not fully running.
    pub fn start(&mut self, binaries: &Binaries) -> Result<()> {
        let all: Vec<usize> = (0..self.manifest.nodes.len()).collect();
        self.start_nodes(&all, binaries)
    }

    /// Starts node `index` (both processes).
    pub fn start_node(&mut self, index: usize, binaries: &Binaries) -> Result<()> {
        self.node(index)?;
        self.start_nodes(&[index], binaries)
    }

    /// Starts the given nodes: checks all their ports first, then starts
    /// every rampartd, waits for their ABCI ports, then starts every
    /// cometbft. On failure, whatever this call started is stopped again.
    pub fn start_nodes(&mut self, indices: &[usize], binaries: &Binaries) -> Result<()> {
        self.refresh();
        let mut todo = Vec::new();
        for &index in indices {
            let running = self.running(index);
            if running.cometbft && running.rampartd {
                continue;
            }
            if running.cometbft || running.rampartd {
                // Half a node: restart it cleanly.
                self.stop_node(index, StopMode::default())?;
            }
            let node = self.node(index)?;
            ensure_free(&node.name, &node.ports()?)?;
            todo.push(index);
        }
        let result = self.spawn_nodes(&todo, binaries);
        if result.is_err() {
            let _ = self.stop_nodes(&todo, StopMode::Kill);
        }
        result
    }

    fn spawn_nodes(&mut self, indices: &[usize], binaries: &Binaries) -> Result<()> {
        for &index in indices {
            let node = self.node(index)?;
            let home_arg = node.home.to_string_lossy().into_owned();
            let child = spawn_logged(
                &binaries.rampartd,
                &["start", "--home", &home_arg],
                &node.log_path("rampartd"),
            )?;
            self.manifest.nodes[index].pids.rampartd = Some(child.id());
            self.children.push(child);
        }
        self.manifest.write(&self.home)?;
        for &index in indices {
            self.wait_abci_ready(index)?;
        }
        for &index in indices {
            let node = self.node(index)?;
            let home_arg = node.home.to_string_lossy().into_owned();
            let child = spawn_logged(
                &binaries.cometbft,
                &["start", "--home", &home_arg],
                &node.log_path("cometbft"),
            )?;
            self.manifest.nodes[index].pids.cometbft = Some(child.id());
            self.children.push(child);
        }
        self.manifest.write(&self.home)
    }

    /// Waits until node `index`'s rampartd accepts TCP connections on its
    /// ABCI address (CometBFT gives up quickly if the app is not there).
    fn wait_abci_ready(&mut self, index: usize) -> Result<()> {
        let node = self.node(index)?.clone();
        let abci: SocketAddr = node
            .abci
            .parse()
            .with_context(|| format!("{}: bad ABCI address {:?}", node.name, node.abci))?;
        let deadline = Instant::now() + ABCI_READY_TIMEOUT;
        loop {
            if TcpStream::connect_timeout(&abci, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            self.reap();
            if !self.running(index).rampartd {
                bail!(
                    "{} rampartd exited before listening on ABCI {abci}; last lines of {}:\n{}",
                    node.name,
                    node.log_path("rampartd").display(),
                    log_tail(&node.log_path("rampartd"), LOG_TAIL_LINES)
                );
            }
            if Instant::now() >= deadline {
                bail!(
                    "{} rampartd did not listen on ABCI {abci} within {ABCI_READY_TIMEOUT:?}; see {}",
                    node.name,
                    node.log_path("rampartd").display()
                );
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops every recorded process: all cometbft first, then all rampartd.
    pub fn stop(&mut self, mode: StopMode) -> Result<()> {
        let all: Vec<usize> = (0..self.manifest.nodes.len()).collect();
        self.stop_nodes(&all, mode)
    }

    /// Stops node `index` (both processes).
    pub fn stop_node(&mut self, index: usize, mode: StopMode) -> Result<()> {
        self.node(index)?;
        self.stop_nodes(&[index], mode)
    }

    /// Stops the given nodes' recorded processes (cometbft first) and clears
    /// their PIDs.
    pub fn stop_nodes(&mut self, indices: &[usize], mode: StopMode) -> Result<()> {
        let nodes = self.manifest.nodes.clone();
        let cometbft_targets = stop_targets(&nodes, indices, |p| p.cometbft, "cometbft");
        let rampartd_targets = stop_targets(&nodes, indices, |p| p.rampartd, "rampartd");
        let children = &mut self.children;
        let mut running = |target: &Target<'_>| {
            reap_children(children);
            if children.iter().any(|child| child.id() == target.pid) {
                is_alive(target.pid)
            } else {
                is_ours(target.pid, target.node_home)
            }
        };
        let cometbft = stop_all(&cometbft_targets, mode, &mut running);
        let rampartd = stop_all(&rampartd_targets, mode, &mut running);
        for &index in indices {
            if let Some(node) = self.manifest.nodes.get_mut(index) {
                node.pids = Pids::default();
            }
        }
        self.reap();
        self.manifest.write(&self.home)?;
        cometbft.and(rampartd)
    }

    /// Collects exit statuses of children that have exited.
    fn reap(&mut self) {
        reap_children(&mut self.children);
    }

    /// Queries every node's `/status` and `/net_info`; down nodes are
    /// reported, not errors.
    pub async fn status(&self) -> Vec<NodeStatus> {
        let mut tasks = tokio::task::JoinSet::new();
        for (index, node) in self.manifest.nodes.iter().enumerate() {
            let running = self.running(index);
            let name = node.name.clone();
            let addr = node.rpc_addr();
            tasks.spawn(async move {
                let mut status = NodeStatus {
                    index,
                    name,
                    running,
                    height: None,
                    app_hash: None,
                    catching_up: None,
                    peers: None,
                    error: None,
                };
                if !running.cometbft {
                    status.error = Some("cometbft is not running".into());
                    return status;
                }
                let addr = match addr {
                    Ok(addr) => addr,
                    Err(err) => {
                        status.error = Some(format!("{err:#}"));
                        return status;
                    }
                };
                match rpc::sync_info(addr).await {
                    Ok(info) => {
                        status.height = Some(info.height);
                        status.app_hash = Some(info.app_hash);
                        status.catching_up = Some(info.catching_up);
                    }
                    Err(err) => status.error = Some(format!("{err:#}")),
                }
                if let Ok(peers) = rpc::peer_count(addr).await {
                    status.peers = Some(peers);
                }
                status
            });
        }
        let mut by_index = BTreeMap::new();
        while let Some(joined) = tasks.join_next().await {
            if let Ok(status) = joined {
                by_index.insert(status.index, status);
            }
        }
        by_index.into_values().collect()
    }

    /// Waits until every node whose cometbft is running has committed
    /// `height`, printing progress to stderr. Fails on timeout or when a
    /// running process dies, with the end of its log.
    pub async fn wait_for_height(&self, height: u64, timeout: Duration) -> Result<Vec<NodeStatus>> {
        let started = Instant::now();
        let watched: Vec<usize> = (0..self.manifest.nodes.len())
            .filter(|&i| self.running(i).cometbft)
            .collect();
        if watched.is_empty() {
            bail!(
                "no node of the localnet at {} is running",
                self.home.display()
            );
        }
        let names = describe_nodes(
            &watched
                .iter()
                .map(|&i| self.manifest.nodes[i].name.as_str())
                .collect::<Vec<_>>(),
        );
        eprintln!("waiting for {names} to commit height {height}…");
        let mut last_report = String::new();
        loop {
            // Exited children are zombies until reaped; `running` treats
            // them as stopped, so no reaping is needed here.
            self.ensure_alive(&watched)?;
            let statuses = self.status().await;
            let watched_statuses: Vec<&NodeStatus> = statuses
                .iter()
                .filter(|s| watched.contains(&s.index))
                .collect();
            if watched_statuses
                .iter()
                .all(|s| s.height.is_some_and(|h| h >= height))
            {
                return Ok(statuses);
            }
            let report = watched_statuses
                .iter()
                .map(|s| {
                    format!(
                        "{}={}",
                        s.name,
                        s.height.map_or("?".into(), |h| h.to_string())
                    )
                })
                .collect::<Vec<_>>()
                .join(" ");
            if started.elapsed() >= timeout {
                bail!(
                    "timed out after {timeout:?} waiting for {names} to commit height {height} \
                     (heights: {report}); logs are in {}/node*/logs",
                    self.home.display()
                );
            }
            if report != last_report {
                eprintln!(
                    "  heights: {report} (target {height}, {:.0?} elapsed)",
                    started.elapsed()
                );
                last_report = report;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Fails if a process of a watched node has died since it was started.
    fn ensure_alive(&self, watched: &[usize]) -> Result<()> {
        for &index in watched {
            let node = &self.manifest.nodes[index];
            let running = self.running(index);
            for (process, pid, alive) in [
                ("cometbft", node.pids.cometbft, running.cometbft),
                ("rampartd", node.pids.rampartd, running.rampartd),
            ] {
                if let (Some(pid), false) = (pid, alive) {
                    let log = node.log_path(process);
                    bail!(
                        "{} {process} (pid {pid}) exited; last lines of {}:\n{}",
                        node.name,
                        log.display(),
                        log_tail(&log, LOG_TAIL_LINES)
                    );
                }
            }
        }
        Ok(())
    }

    /// The block at `height` as node `index` reports it.
    pub async fn block(&self, index: usize, height: u64) -> Result<rpc::BlockSummary> {
        let node = self.node(index)?;
        rpc::block(node.rpc_addr()?, height)
            .await
            .with_context(|| format!("{}: failed to fetch block {height}", node.name))
    }
}

/// How long [`Localnet::wait_for_sync`] waits between two looks at the nodes.
const SYNC_POLL: Duration = Duration::from_millis(500);
/// The shortest time between two progress lines of [`Localnet::wait_for_sync`].
const SYNC_REPORT_EVERY: Duration = Duration::from_secs(2);

/// Adding nodes to an existing localnet (`cargo localnet join`).
impl Localnet {
    /// How this localnet's ports were chosen: [`PortPlan::Fixed`] when node 0 has node 0's
    /// fixed ports, else [`PortPlan::Free`].
    pub fn port_plan(&self) -> PortPlan {
        let fixed = NodePorts::fixed(0).ok();
        match self.manifest.nodes.first().map(NodeRecord::ports) {
            Some(Ok(ports)) if Some(ports) == fixed => PortPlan::Fixed,
            _ => PortPlan::Free,
        }
    }

    /// Creates the next node (`node{n}` for a localnet of n nodes) as a full node of the
    /// existing chain: ports by [`Localnet::port_plan`], `rampartd init` with `moniker`
    /// (default: its name), node 0's `genesis.json`, every existing node as a persistent peer.
    /// It is recorded in `localnet.json`, stopped; start it with [`Localnet::start_node`].
    /// Returns its index. Nothing is left behind when this fails.
    pub fn add_node(&mut self, binaries: &Binaries, moniker: Option<&str>) -> Result<usize> {
        let index = self.manifest.nodes.len();
        let name = format!("node{index}");
        let first = self
            .manifest
            .nodes
            .first()
            .with_context(|| format!("the localnet at {} has no nodes", self.home.display()))?
            .clone();
        let node_home = self.home.join(&name);
        if node_home.exists() {
            bail!(
                "{} exists but localnet.json has no {name} (left by an interrupted join?); \
                 remove that directory and try again",
                node_home.display()
            );
        }
        let ports = match self.port_plan() {
            PortPlan::Fixed => NodePorts::fixed(index)?,
            PortPlan::Free => PortPlan::Free
                .allocate(1)?
                .pop()
                .context("no free ports were allocated")?,
        };
        ensure_free(&name, &ports)?;
        let chain_id = self.manifest.chain_id.clone();
        let created = (|| -> Result<String> {
            init_node(binaries, moniker.unwrap_or(&name), &chain_id, &node_home)?;
            let genesis = crate::genesis::genesis_path(&first.home);
            fs::copy(&genesis, crate::genesis::genesis_path(&node_home)).with_context(|| {
                format!(
                    "failed to copy {} to {}",
                    genesis.display(),
                    node_home.display()
                )
            })?;
            let mut ids = Vec::with_capacity(index + 1);
            let mut all_ports = Vec::with_capacity(index + 1);
            for node in &self.manifest.nodes {
                ids.push(match &node.node_id {
                    Some(id) => id.clone(),
                    None => node_id(&node.home)?,
                });
                all_ports.push(node.ports()?);
            }
            let id = node_id(&node_home)?;
            ids.push(id.clone());
            all_ports.push(ports);
            patch_node_config(
                &node_home,
                &NodeConfig {
                    ports,
                    persistent_peers: &persistent_peers(&ids, &all_ports, index),
                },
            )?;
            Ok(id)
        })();
        let id = match created {
            Ok(id) => id,
            Err(err) => {
                // Only what this call created: the directory did not exist before.
                let _ = fs::remove_dir_all(&node_home);
                return Err(err);
            }
        };
        self.manifest
            .nodes
            .push(NodeRecord::new(name, node_home, id, &ports));
        self.manifest.write(&self.home)?;
        Ok(index)
    }

    /// Waits until node `index` has caught up with the rest of the network: CometBFT no longer
    /// reports `catching_up` and its height is within one block of the highest other node's.
    /// Prints its height against the network's as it changes; fails on timeout or when one of
    /// its processes dies. Returns its height.
    pub async fn wait_for_sync(&self, index: usize, timeout: Duration) -> Result<u64> {
        let name = self.node(index)?.name.clone();
        let started = Instant::now();
        let mut last_report = String::new();
        let mut last_print = None;
        loop {
            self.ensure_alive(&[index])?;
            let statuses = self.status().await;
            let network = statuses
                .iter()
                .filter(|s| s.index != index)
                .filter_map(|s| s.height)
                .max();
            let me = statuses.iter().find(|s| s.index == index);
            let (height, catching_up) = match me {
                Some(s) => (s.height, s.catching_up),
                None => (None, None),
            };
            if let (Some(height), Some(false)) = (height, catching_up) {
                if height >= 1 && network.is_none_or(|top| height + 1 >= top) {
                    eprintln!(
                        "  {name} is in sync at height {height} ({:.0?})",
                        started.elapsed()
                    );
                    return Ok(height);
                }
            }
            let report = format!(
                "{name} at height {} of {}{}",
                height.map_or("?".into(), |h| h.to_string()),
                network.map_or("?".into(), |h| h.to_string()),
                match catching_up {
                    Some(true) => ", catching up",
                    Some(false) => "",
                    None => ", not answering yet",
                }
            );
            if started.elapsed() >= timeout {
                bail!(
                    "timed out after {timeout:?} waiting for {report} to sync; see {}",
                    self.node(index)?.home.join("logs").display()
                );
            }
            // A long catch-up changes the height on every poll: one line every few seconds.
            let due = last_print.is_none_or(|at: Instant| at.elapsed() >= SYNC_REPORT_EVERY);
            if report != last_report && due {
                eprintln!("  {report} ({:.0?} elapsed)", started.elapsed());
                last_report = report;
                last_print = Some(Instant::now());
            }
            tokio::time::sleep(SYNC_POLL).await;
        }
    }
}

/// Runs `rampartd init` for one node, pointing it at our cometbft.
fn init_node(binaries: &Binaries, name: &str, chain_id: &str, node_home: &Path) -> Result<()> {
    let output = Command::new(&binaries.rampartd)
        .arg("init")
        .arg(name)
        .args(["--chain-id", chain_id])
        .arg("--home")
        .arg(node_home)
        .env(rampartd::cometbft::COMETBFT_BIN_ENV, &binaries.cometbft)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("failed to run `{} init`", binaries.rampartd.display()))?;
    if !output.status.success() {
        bail!(
            "`rampartd init {name} --chain-id {chain_id} --home {}` failed ({}):\n{}{}",
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
fn persistent_peers(ids: &[String], ports: &[NodePorts], me: usize) -> Vec<String> {
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

/// The recorded processes (picked by `pick`) of the nodes at `indices`.
fn stop_targets<'a>(
    nodes: &'a [NodeRecord],
    indices: &[usize],
    pick: fn(&Pids) -> Option<u32>,
    what: &str,
) -> Vec<Target<'a>> {
    indices
        .iter()
        .filter_map(|&i| nodes.get(i))
        .filter_map(|node| {
            pick(&node.pids).map(|pid| Target {
                pid,
                node_home: &node.home,
                label: format!("{} {what}", node.name),
            })
        })
        .collect()
}

fn reap_children(children: &mut Vec<Child>) {
    children.retain_mut(|child| !matches!(child.try_wait(), Ok(Some(_))));
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
            },
            NodePorts {
                p2p: 2,
                rpc: 0,
                abci: 0,
                grpc: 0,
            },
            NodePorts {
                p2p: 3,
                rpc: 0,
                abci: 0,
                grpc: 0,
            },
        ];
        assert_eq!(
            persistent_peers(&ids, &ports, 1),
            vec!["a@127.0.0.1:1", "c@127.0.0.1:3"]
        );
    }
}
