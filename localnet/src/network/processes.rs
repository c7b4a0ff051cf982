//! Starting and stopping a localnet's processes and keeping their PIDs true.

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Child;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::{Localnet, Running, LOG_TAIL_LINES};
use crate::binaries::Binaries;
use crate::manifest::{NodeRecord, Pids};
use crate::ports::ensure_free;
use crate::process::{is_alive, is_ours, log_tail, spawn_logged, stop_all, StopMode, Target};

/// How long rampartd may take to open its ABCI port.
const ABCI_READY_TIMEOUT: Duration = Duration::from_secs(60);

/// Which processes run; starting and stopping them.
impl Localnet {
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
            self.spawn(index, &binaries.rampartd, "rampartd", |pids| {
                &mut pids.rampartd
            })?;
        }
        self.manifest.write(&self.home)?;
        for &index in indices {
            self.wait_abci_ready(index)?;
        }
        for &index in indices {
            self.spawn(index, &binaries.cometbft, "cometbft", |pids| {
                &mut pids.cometbft
            })?;
        }
        self.manifest.write(&self.home)
    }

    /// Runs `<program> start --home <node home>` for node `index`, logging to its
    /// `<process>.log`, and records the child's PID in the slot `pid` picks.
    fn spawn(
        &mut self,
        index: usize,
        program: &Path,
        process: &str,
        pid: fn(&mut Pids) -> &mut Option<u32>,
    ) -> Result<()> {
        let node = self.node(index)?;
        let home_arg = node.home.to_string_lossy().into_owned();
        let child = spawn_logged(
            program,
            &["start", "--home", &home_arg],
            &node.log_path(process),
        )?;
        *pid(&mut self.manifest.nodes[index].pids) = Some(child.id());
        self.children.push(child);
        Ok(())
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
