//! The drill's continuous checks, in a background task: every node's height, the longest time
//! without a new block (a stall over [`STALL_LIMIT`] while no more validators are down than the
//! network tolerates is a violation), and every block header each node serves, compared at every
//! common height (a second block hash or app hash at one height is a violation).

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::Value;

use crate::rpc;

/// The longest time the network may go without a block while it keeps its quorum.
pub const STALL_LIMIT: Duration = Duration::from_secs(20);
/// How often the nodes are polled.
const POLL: Duration = Duration::from_millis(500);
/// Headers fetched per `/blockchain` request (CometBFT's maximum).
const HEADERS_PER_REQUEST: u64 = 20;

/// What one height looked like on the first node that served it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderRecord {
    /// The block hash (hex).
    pub block_hash: String,
    /// The header's app hash (hex): the state after the previous block.
    pub app_hash: String,
    /// The node it was first read from.
    pub node: usize,
}

/// Everything the monitor has seen so far.
#[derive(Debug)]
pub struct MonitorState {
    nodes: Vec<SocketAddr>,
    tolerance: usize,
    down: BTreeSet<usize>,
    /// Latest height per node (`None` while not answering; a node marked down keeps its last).
    pub heights: Vec<Option<u64>>,
    checked: Vec<u64>,
    /// The header of every height seen.
    pub headers: BTreeMap<u64, HeaderRecord>,
    /// The highest height any node reported.
    pub network_height: u64,
    last_progress: Instant,
    stalled_reported: bool,
    /// The longest time between two new heights while the quorum held.
    pub longest_stall: Duration,
    /// How many (node, height) headers were compared with the first one seen.
    pub headers_compared: u64,
    /// Every violation seen, as a sentence.
    pub violations: Vec<String>,
}

impl MonitorState {
    /// The RPC address of node `index`.
    pub fn addr(&self, index: usize) -> SocketAddr {
        self.nodes[index]
    }
}

/// A handle on the monitor task's state; clones share it.
#[derive(Clone, Debug)]
pub struct Monitor {
    state: Arc<Mutex<MonitorState>>,
}

impl Monitor {
    /// A monitor of the nodes at `nodes` (RPC addresses, by index) that tolerates `tolerance`
    /// validators down before a stall stops being a violation.
    pub fn new(nodes: Vec<SocketAddr>, tolerance: usize) -> Self {
        let count = nodes.len();
        Self {
            state: Arc::new(Mutex::new(MonitorState {
                nodes,
                tolerance,
                down: BTreeSet::new(),
                heights: vec![None; count],
                checked: vec![0; count],
                headers: BTreeMap::new(),
                network_height: 0,
                last_progress: Instant::now(),
                stalled_reported: false,
                longest_stall: Duration::ZERO,
                headers_compared: 0,
                violations: Vec::new(),
            })),
        }
    }

    /// The shared state (poisoning is ignored: the state stays readable).
    pub fn lock(&self) -> MutexGuard<'_, MonitorState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks `nodes` down (not polled, counted against the quorum) or up again.
    pub fn set_down(&self, nodes: &[usize], down: bool) {
        let mut state = self.lock();
        for &node in nodes {
            if down {
                state.down.insert(node);
            } else {
                state.down.remove(&node);
            }
        }
    }

    /// The nodes currently marked down.
    pub fn down(&self) -> BTreeSet<usize> {
        self.lock().down.clone()
    }

    /// Records a violation found elsewhere (the driver, the load checks).
    pub fn violation(&self, text: String) {
        eprintln!("VIOLATION: {text}");
        self.lock().violations.push(text);
    }

    /// The highest height reported by a node other than `except`.
    pub fn height_of_others(&self, except: &[usize]) -> u64 {
        let state = self.lock();
        state
            .heights
            .iter()
            .enumerate()
            .filter(|(i, _)| !except.contains(i))
            .filter_map(|(_, h)| *h)
            .max()
            .unwrap_or(0)
    }

    /// Polls the nodes until `stop` resolves.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            self.tick().await;
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => { self.tick().await; return; }
            }
        }
    }

    /// One round: heights, stall, new headers.
    pub async fn tick(&self) {
        let (nodes, down) = {
            let state = self.lock();
            (state.nodes.clone(), state.down.clone())
        };
        let mut tasks = tokio::task::JoinSet::new();
        for (index, addr) in nodes.iter().copied().enumerate() {
            if down.contains(&index) {
                continue;
            }
            tasks.spawn(async move { (index, rpc::sync_info(addr).await.map(|s| s.height)) });
        }
        let mut heights = vec![None; nodes.len()];
        while let Some(Ok((index, height))) = tasks.join_next().await {
            heights[index] = height.ok();
        }
        self.record_heights(heights);
        for (index, addr) in nodes.iter().copied().enumerate() {
            if down.contains(&index) {
                continue;
            }
            // A node going down mid-request has its headers compared on a later tick.
            let _ = self.compare_headers(index, addr).await;
        }
    }

    fn record_heights(&self, heights: Vec<Option<u64>>) {
        let mut state = self.lock();
        let now = Instant::now();
        let highest = heights.iter().flatten().copied().max().unwrap_or(0);
        let quorum = state.down.len() <= state.tolerance;
        if highest > state.network_height {
            let gap = now.duration_since(state.last_progress);
            if quorum && state.network_height > 0 {
                state.longest_stall = state.longest_stall.max(gap);
            }
            state.network_height = highest;
            state.last_progress = now;
            state.stalled_reported = false;
        } else if !quorum {
            // Losing the quorum halts the chain by design: the clock restarts when it is back.
            state.last_progress = now;
        } else {
            let gap = now.duration_since(state.last_progress);
            if gap > STALL_LIMIT && !state.stalled_reported {
                state.stalled_reported = true;
                let text = format!(
                    "stall: no block for {gap:.0?} after height {} with {} validator(s) down",
                    state.network_height,
                    state.down.len()
                );
                eprintln!("VIOLATION: {text}");
                state.violations.push(text);
            }
        }
        // A node marked down keeps the last height it reported.
        for (index, height) in heights.into_iter().enumerate() {
            if !state.down.contains(&index) {
                state.heights[index] = height;
            }
        }
    }

    /// Fetches node `index`'s headers above what was compared and checks each against the
    /// first node's.
    async fn compare_headers(&self, index: usize, addr: SocketAddr) -> Result<()> {
        loop {
            let (from, latest) = {
                let state = self.lock();
                (state.checked[index] + 1, state.heights[index].unwrap_or(0))
            };
            if from > latest {
                return Ok(());
            }
            let to = latest.min(from + HEADERS_PER_REQUEST - 1);
            let metas =
                rpc::get(addr, &format!("blockchain?minHeight={from}&maxHeight={to}")).await?;
            let mut fetched = Vec::new();
            for meta in metas["block_metas"].as_array().context("no block_metas")? {
                fetched.push(parse_meta(meta)?);
            }
            let mut state = self.lock();
            for (height, block_hash, app_hash) in fetched {
                match state.headers.get(&height) {
                    Some(first) if first.block_hash != block_hash || first.app_hash != app_hash => {
                        let text = format!(
                            "divergence at height {height}: node{} has block {} app hash {}, \
                             node{index} has block {block_hash} app hash {app_hash}",
                            first.node, first.block_hash, first.app_hash
                        );
                        eprintln!("VIOLATION: {text}");
                        state.violations.push(text);
                    }
                    Some(_) => state.headers_compared += 1,
                    None => {
                        state.headers.insert(
                            height,
                            HeaderRecord {
                                block_hash,
                                app_hash,
                                node: index,
                            },
                        );
                    }
                }
            }
            state.checked[index] = to;
        }
    }
}

/// `(height, block hash, app hash)` of one `/blockchain` block meta.
fn parse_meta(meta: &Value) -> Result<(u64, String, String)> {
    let header = &meta["header"];
    let height = header["height"]
        .as_str()
        .and_then(|h| h.parse().ok())
        .context("block meta without a height")?;
    let block_hash = meta["block_id"]["hash"]
        .as_str()
        .context("block meta without a hash")?;
    let app_hash = header["app_hash"]
        .as_str()
        .context("block meta without an app hash")?;
    Ok((height, block_hash.to_string(), app_hash.to_string()))
}
