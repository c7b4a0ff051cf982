//! Watching a running localnet: status, heights, sync and blocks.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::{chain_label, describe_nodes, Chain, Localnet, NodeStatus, LOG_TAIL_LINES};
use crate::process::log_tail;
use crate::progress::Progress;
use crate::rpc;

/// How long [`Localnet::wait_for_sync`] waits between two looks at the nodes.
const SYNC_POLL: Duration = Duration::from_millis(500);

/// Asking the nodes how they are doing.
impl Localnet {
    /// Queries every provider node's `/status` and `/net_info`; down nodes are
    /// reported, not errors.
    pub async fn status(&self) -> Vec<NodeStatus> {
        self.chain_status(Chain::Provider).await
    }

    /// [`Localnet::status`] of `chain`'s nodes (none for a consumer this localnet does not run).
    pub async fn chain_status(&self, chain: Chain) -> Vec<NodeStatus> {
        let mut tasks = tokio::task::JoinSet::new();
        let nodes = self.chain_nodes(chain).unwrap_or_default();
        for (index, node) in nodes.iter().enumerate() {
            let running = self.running_in(chain, index);
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

    /// Waits until every provider node whose cometbft is running has committed
    /// `height`, printing progress to stderr. Fails on timeout or when a
    /// running process dies, with the end of its log.
    pub async fn wait_for_height(&self, height: u64, timeout: Duration) -> Result<Vec<NodeStatus>> {
        self.wait_for_chain_height(Chain::Provider, height, timeout)
            .await
    }

    /// [`Localnet::wait_for_height`] for `chain`'s nodes.
    pub async fn wait_for_chain_height(
        &self,
        chain: Chain,
        height: u64,
        timeout: Duration,
    ) -> Result<Vec<NodeStatus>> {
        let started = Instant::now();
        let nodes = self.chain_nodes(chain)?;
        let watched: Vec<usize> = (0..nodes.len())
            .filter(|&i| self.running_in(chain, i).cometbft)
            .collect();
        let label = chain_label(chain);
        if watched.is_empty() {
            bail!(
                "no {label}node of the localnet at {} is running",
                self.home.display()
            );
        }
        let names = describe_nodes(
            &watched
                .iter()
                .map(|&i| nodes[i].name.as_str())
                .collect::<Vec<_>>(),
        );
        eprintln!("waiting for {label}{names} to commit height {height}…");
        let mut progress = Progress::new();
        loop {
            // Exited children are zombies until reaped; `running` treats
            // them as stopped, so no reaping is needed here.
            self.ensure_alive(chain, &watched)?;
            let statuses = self.chain_status(chain).await;
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
                let logs = nodes
                    .first()
                    .and_then(|n| n.home.parent())
                    .unwrap_or(&self.home);
                bail!(
                    "timed out after {timeout:?} waiting for {label}{names} to commit height \
                     {height} (heights: {report}); logs are in {}/node*/logs",
                    logs.display()
                );
            }
            progress.update(&format!(
                "  heights: {report} (target {height}, {}s elapsed)",
                started.elapsed().as_secs()
            ));
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Fails if a process of a watched node of `chain` has died since it was started.
    fn ensure_alive(&self, chain: Chain, watched: &[usize]) -> Result<()> {
        for &index in watched {
            let node = self.chain_node(chain, index)?;
            let running = self.running_in(chain, index);
            for (process, pid, alive) in [
                ("cometbft", node.pids.cometbft, running.cometbft),
                ("rampartd", node.pids.rampartd, running.rampartd),
            ] {
                if let (Some(pid), false) = (pid, alive) {
                    let log = node.log_path(process);
                    bail!(
                        "{}{} {process} (pid {pid}) exited; last lines of {}:\n{}",
                        chain_label(chain),
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

    /// Waits until node `index` has caught up with the rest of the network: CometBFT no longer
    /// reports `catching_up` and its height is within one block of the highest other node's.
    /// Prints its height against the network's as it changes; fails on timeout or when one of
    /// its processes dies. Returns its height.
    pub async fn wait_for_sync(&self, index: usize, timeout: Duration) -> Result<u64> {
        self.wait_for_chain_sync(Chain::Provider, index, timeout)
            .await
    }

    /// [`Localnet::wait_for_sync`] for node `index` of `chain`.
    pub async fn wait_for_chain_sync(
        &self,
        chain: Chain,
        index: usize,
        timeout: Duration,
    ) -> Result<u64> {
        let name = format!(
            "{}{}",
            chain_label(chain),
            self.chain_node(chain, index)?.name
        );
        let started = Instant::now();
        let mut progress = Progress::new();
        loop {
            self.ensure_alive(chain, &[index])?;
            let statuses = self.chain_status(chain).await;
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
                    progress.finish(&format!(
                        "  {name} is in sync at height {height} ({:.0?})",
                        started.elapsed()
                    ));
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
                    self.chain_node(chain, index)?.home.join("logs").display()
                );
            }
            // A live line on a terminal; elsewhere a long catch-up (the height changes on every
            // poll) prints one line every few seconds.
            progress.update(&format!(
                "  {report} ({}s elapsed)",
                started.elapsed().as_secs()
            ));
            tokio::time::sleep(SYNC_POLL).await;
        }
    }
}
