//! Starting and stopping a localnet's processes and keeping their PIDs true.

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Child;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::{chain_label, Chain, Localnet, Running, LOG_TAIL_LINES};
use crate::binaries::Binaries;
use crate::manifest::{Manifest, NodeRecord, Pids};
use crate::ports::ensure_free;
use crate::process::{is_alive, is_ours, log_tail, spawn_logged, stop_all, StopMode, Target};

/// How long rampartd may take to open its ABCI port.
const ABCI_READY_TIMEOUT: Duration = Duration::from_secs(60);

/// Which processes run; starting and stopping them.
impl Localnet {
    /// Which processes of provider node `index` are running.
    pub fn running(&self, index: usize) -> Running {
        self.running_in(Chain::Provider, index)
    }

    /// Which processes of node `index` of `chain` are running.
    pub fn running_in(&self, chain: Chain, index: usize) -> Running {
        let Some(node) = self.chain_nodes(chain).ok().and_then(|n| n.get(index)) else {
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
    /// name `home` (the node's or the relayer's) in its command line.
    pub(crate) fn pid_running(&self, pid: u32, home: &Path) -> bool {
        if self.children.iter().any(|child| child.id() == pid) {
            is_alive(pid)
        } else {
            is_ours(pid, home)
        }
    }

    /// The RPC URL of the first provider node whose CometBFT is running.
    pub fn running_rpc(&self) -> Option<String> {
        (0..self.manifest.nodes.len())
            .find(|&i| self.running(i).cometbft)
            .map(|i| self.manifest.nodes[i].rpc.clone())
    }

    /// True when any process of `chain`'s nodes is running.
    pub fn chain_running(&self, chain: Chain) -> bool {
        let count = self.chain_nodes(chain).map_or(0, <[NodeRecord]>::len);
        (0..count).any(|i| {
            let running = self.running_in(chain, i);
            running.cometbft || running.rampartd
        })
    }

    /// True when any recorded process is running: a node of the provider or of a consumer, or
    /// a relayer.
    pub fn any_running(&self) -> bool {
        self.chains().into_iter().any(|chain| {
            self.chain_running(chain)
                || matches!(chain, Chain::Consumer(id) if self.relayer_running(id))
        })
    }

    /// Clears PIDs of processes that are gone and saves the manifest if
    /// anything changed.
    pub fn refresh(&mut self) {
        self.reap();
        let mut changed = false;
        for chain in self.chains() {
            let count = self.chain_nodes(chain).map_or(0, <[NodeRecord]>::len);
            for index in 0..count {
                let running = self.running_in(chain, index);
                let Some(node) = self
                    .chain_nodes_mut(chain)
                    .ok()
                    .and_then(|n| n.get_mut(index))
                else {
                    continue;
                };
                if node.pids.cometbft.is_some() && !running.cometbft {
                    node.pids.cometbft = None;
                    changed = true;
                }
                if node.pids.rampartd.is_some() && !running.rampartd {
                    node.pids.rampartd = None;
                    changed = true;
                }
            }
            if let Chain::Consumer(id) = chain {
                changed |= self.refresh_relayer(id);
            }
        }
        if changed {
            // Best effort: a stale PID on disk is re-checked on every load.
            let _ = self.save();
        }
    }

    /// Writes `localnet.json`. Consumers this value has not started or stopped are taken from
    /// the file first, so a command running in the background (a watching `cargo localnet up`)
    /// never overwrites what `cargo localnet consumer up` recorded meanwhile.
    pub(crate) fn save(&mut self) -> Result<()> {
        self.merge_consumers_from_disk();
        self.manifest.write(&self.home)
    }

    /// Replaces the consumer records this value has not changed by those on disk.
    pub(crate) fn merge_consumers_from_disk(&mut self) {
        let Ok(disk) = Manifest::read(&self.home) else {
            return;
        };
        let touched = &self.touched;
        self.manifest
            .consumers
            .retain(|c| touched.contains(&c.consumer_id));
        for consumer in disk.consumers {
            if !touched.contains(&consumer.consumer_id) {
                self.manifest.consumers.push(consumer);
            }
        }
        self.manifest.consumers.sort_by_key(|c| c.consumer_id);
    }

    /// Starts every provider node that is not fully running.
    pub fn start(&mut self, binaries: &Binaries) -> Result<()> {
        let all: Vec<usize> = (0..self.manifest.nodes.len()).collect();
        self.start_nodes(&all, binaries)
    }

    /// Starts provider node `index` (both processes).
    pub fn start_node(&mut self, index: usize, binaries: &Binaries) -> Result<()> {
        self.node(index)?;
        self.start_nodes(&[index], binaries)
    }

    /// Starts the given provider nodes ([`Localnet::start_chain_nodes`]).
    pub fn start_nodes(&mut self, indices: &[usize], binaries: &Binaries) -> Result<()> {
        self.start_chain_nodes(Chain::Provider, indices, binaries)
    }

    /// Starts node `index` of `chain`'s cometbft alone, against its running rampartd (the fault
    /// drill restarts CometBFT without its app).
    pub fn start_cometbft(
        &mut self,
        chain: Chain,
        index: usize,
        binaries: &Binaries,
    ) -> Result<()> {
        self.refresh();
        self.touch(chain);
        self.spawn(chain, index, &binaries.cometbft, "cometbft", |pids| {
            &mut pids.cometbft
        })?;
        self.save()
    }

    /// Starts the given nodes of `chain`: checks all their ports first, then starts every
    /// rampartd, waits for their ABCI ports, then starts every cometbft. On failure, whatever
    /// this call started is stopped again.
    pub fn start_chain_nodes(
        &mut self,
        chain: Chain,
        indices: &[usize],
        binaries: &Binaries,
    ) -> Result<()> {
        self.refresh();
        self.touch(chain);
        let mut todo = Vec::new();
        for &index in indices {
            let running = self.running_in(chain, index);
            if running.cometbft && (running.rampartd || !self.runs_rampartd(chain)) {
                continue;
            }
            if running.cometbft || running.rampartd {
                // Half a node: restart it cleanly.
                self.stop_chain_nodes(chain, &[index], StopMode::default())?;
            }
            let node = self.chain_node(chain, index)?;
            let label = format!("{}{}", chain_label(chain), node.name);
            ensure_free(&label, &node.ports()?)?;
            todo.push(index);
        }
        let result = self.spawn_nodes(chain, &todo, binaries);
        if result.is_err() {
            let _ = self.stop_chain_nodes(chain, &todo, StopMode::Kill);
        }
        result
    }

    fn spawn_nodes(&mut self, chain: Chain, indices: &[usize], binaries: &Binaries) -> Result<()> {
        if self.runs_rampartd(chain) {
            for &index in indices {
                self.spawn(chain, index, &binaries.rampartd, "rampartd", |pids| {
                    &mut pids.rampartd
                })?;
            }
            if chain == Chain::Provider && !indices.is_empty() {
                // What `Localnet::recorded_binaries` restarts nodes with.
                self.manifest.record_rampartd(&binaries.rampartd);
            }
            self.save()?;
            for &index in indices {
                self.wait_abci_ready(chain, index)?;
            }
        }
        for &index in indices {
            self.spawn(chain, index, &binaries.cometbft, "cometbft", |pids| {
                &mut pids.cometbft
            })?;
        }
        self.save()
    }

    /// Whether `chain`'s nodes run rampartd (a kvstore localnet runs CometBFT alone).
    fn runs_rampartd(&self, chain: Chain) -> bool {
        chain != Chain::Provider || self.manifest.app() == crate::kvstore::AppKind::Rampart
    }

    /// Runs `<program> start --home <node home>` for node `index` of `chain`, logging to its
    /// `<process>.log`, and records the child's PID in the slot `pid` picks.
    fn spawn(
        &mut self,
        chain: Chain,
        index: usize,
        program: &Path,
        process: &str,
        pid: fn(&mut Pids) -> &mut Option<u32>,
    ) -> Result<()> {
        let node = self.chain_node(chain, index)?;
        let home_arg = node.home.to_string_lossy().into_owned();
        let child = spawn_logged(
            program,
            &["start", "--home", &home_arg],
            &node.log_path(process),
        )?;
        let id = child.id();
        self.children.push(child);
        let node = self
            .chain_nodes_mut(chain)?
            .get_mut(index)
            .context("the node was just looked up")?;
        *pid(&mut node.pids) = Some(id);
        Ok(())
    }

    /// Records a child process this value started (a relayer), so its liveness is known
    /// without reading `/proc/<pid>/cmdline` and it is reaped.
    pub(crate) fn adopt(&mut self, child: Child) {
        self.children.push(child);
    }

    /// Waits until node `index` of `chain`'s rampartd accepts TCP connections on its ABCI
    /// address (CometBFT gives up quickly if the app is not there).
    fn wait_abci_ready(&mut self, chain: Chain, index: usize) -> Result<()> {
        let node = self.chain_node(chain, index)?.clone();
        let name = format!("{}{}", chain_label(chain), node.name);
        let abci: SocketAddr = node
            .abci
            .parse()
            .with_context(|| format!("{name}: bad ABCI address {:?}", node.abci))?;
        let deadline = Instant::now() + ABCI_READY_TIMEOUT;
        loop {
            if TcpStream::connect_timeout(&abci, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            self.reap();
            if !self.running_in(chain, index).rampartd {
                bail!(
                    "{name} rampartd exited before listening on ABCI {abci}; last lines of {}:\n{}",
                    node.log_path("rampartd").display(),
                    log_tail(&node.log_path("rampartd"), LOG_TAIL_LINES)
                );
            }
            if Instant::now() >= deadline {
                bail!(
                    "{name} rampartd did not listen on ABCI {abci} within {ABCI_READY_TIMEOUT:?}; see {}",
                    node.log_path("rampartd").display()
                );
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops every recorded process: each consumer's relayer and nodes, then the provider's
    /// nodes (cometbft first, then rampartd). Consumers started by another command meanwhile
    /// are included.
    pub fn stop(&mut self, mode: StopMode) -> Result<()> {
        self.merge_consumers_from_disk();
        let mut results = Vec::new();
        for chain in self.chains() {
            if let Chain::Consumer(id) = chain {
                results.push(self.stop_consumer(id, mode));
            }
        }
        let all: Vec<usize> = (0..self.manifest.nodes.len()).collect();
        results.push(self.stop_nodes(&all, mode));
        results.into_iter().collect()
    }

    /// Stops provider node `index` (both processes).
    pub fn stop_node(&mut self, index: usize, mode: StopMode) -> Result<()> {
        self.node(index)?;
        self.stop_nodes(&[index], mode)
    }

    /// Stops the given provider nodes ([`Localnet::stop_chain_nodes`]).
    pub fn stop_nodes(&mut self, indices: &[usize], mode: StopMode) -> Result<()> {
        self.stop_chain_nodes(Chain::Provider, indices, mode)
    }

    /// Stops the given nodes of `chain`'s recorded processes (cometbft first) and clears their
    /// PIDs.
    pub fn stop_chain_nodes(
        &mut self,
        chain: Chain,
        indices: &[usize],
        mode: StopMode,
    ) -> Result<()> {
        self.touch(chain);
        let nodes = self.chain_nodes(chain)?.to_vec();
        let label = chain_label(chain);
        let cometbft_targets = stop_targets(&nodes, indices, |p| p.cometbft, &label, "cometbft");
        let rampartd_targets = stop_targets(&nodes, indices, |p| p.rampartd, &label, "rampartd");
        let cometbft = self.stop_targets(&cometbft_targets, mode);
        let rampartd = self.stop_targets(&rampartd_targets, mode);
        let records = self.chain_nodes_mut(chain)?;
        for &index in indices {
            if let Some(node) = records.get_mut(index) {
                node.pids = Pids::default();
            }
        }
        self.reap();
        self.save()?;
        cometbft.and(rampartd)
    }

    /// Stops `targets` ([`stop_all`]), answering liveness from our children where we have them.
    pub(crate) fn stop_targets(&mut self, targets: &[Target<'_>], mode: StopMode) -> Result<()> {
        let children = &mut self.children;
        stop_all(targets, mode, |target: &Target<'_>| {
            reap_children(children);
            if children.iter().any(|child| child.id() == target.pid) {
                is_alive(target.pid)
            } else {
                is_ours(target.pid, target.node_home)
            }
        })
    }

    /// Marks a consumer chain as changed by this value, so [`Localnet::save`] writes its record
    /// instead of taking the one on disk.
    pub(crate) fn touch(&mut self, chain: Chain) {
        if let Chain::Consumer(id) = chain {
            self.touched.insert(id);
        }
    }

    /// Collects exit statuses of children that have exited.
    pub(crate) fn reap(&mut self) {
        reap_children(&mut self.children);
    }
}

/// The recorded processes (picked by `pick`) of the nodes at `indices`, labelled
/// `<chain label><node name> <what>`.
fn stop_targets<'a>(
    nodes: &'a [NodeRecord],
    indices: &[usize],
    pick: fn(&Pids) -> Option<u32>,
    chain_label: &str,
    what: &str,
) -> Vec<Target<'a>> {
    indices
        .iter()
        .filter_map(|&i| nodes.get(i))
        .filter_map(|node| {
            pick(&node.pids).map(|pid| Target {
                pid,
                node_home: &node.home,
                label: format!("{chain_label}{} {what}", node.name),
            })
        })
        .collect()
}

fn reap_children(children: &mut Vec<Child>) {
    children.retain_mut(|child| !matches!(child.try_wait(), Ok(Some(_))));
}
