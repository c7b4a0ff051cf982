//! The load report, computed from the blocks: committed tx/s over the blocks that hold the
//! generator's transactions, inclusion latency, block times and sizes, failures and refusals.
//!
//! A header's time is when the *previous* block was decided, so the transactions of blocks
//! F..L were committed between t(F+1) and t(L+2): the committed rate is their count over
//! t(L+2) − t(F+1), and a transaction of block h was committed at t(h+1).

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::book::BlockStat;
use super::cpu::CpuPerTx;

/// Committed throughput over a block window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// First block holding a generator transaction (F).
    pub first_height: u64,
    /// Last block holding one (L).
    pub last_height: u64,
    /// Transactions in blocks F..L (anyone's).
    pub txs: u64,
    /// t(L+2) − t(F+1), in seconds.
    pub seconds: f64,
    /// `txs / seconds`.
    pub tx_per_s: f64,
}

/// Whether the nodes pruned the run's own heights during the run: block `h` also prunes height
/// `h − keep_recent`, which costs more the more that height wrote (docs/BENCHMARKS.md, "Steady
/// state").
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pruning {
    /// The nodes' `[pruning] keep_recent` (0: they never prune).
    pub keep_recent: u64,
    /// How many of the run's blocks F..L also pruned a height of F..L.
    pub pruning_blocks: u64,
}

impl Pruning {
    /// The pruning of blocks `heights` on nodes keeping `keep_recent` heights.
    pub fn during(keep_recent: u64, heights: std::ops::RangeInclusive<u64>) -> Self {
        let pruning_blocks = match keep_recent {
            0 => 0,
            keep => heights
                .end()
                .saturating_add(1)
                .saturating_sub(heights.start().saturating_add(keep)),
        };
        Self {
            keep_recent,
            pruning_blocks,
        }
    }
}

/// p50, p99 and maximum of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Median (nearest rank).
    pub p50: f64,
    /// 99th percentile (nearest rank).
    pub p99: f64,
    /// Maximum.
    pub max: f64,
}

/// Mean and maximum per block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PerBlock {
    /// Mean.
    pub mean: f64,
    /// Maximum.
    pub max: u64,
}

/// What one load run measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadReport {
    /// `rampart` or `kvstore`.
    pub app: String,
    /// Which build of the application the nodes ran (`release`, `debug`, or its path).
    pub build: String,
    /// Nodes sent to.
    pub nodes: usize,
    /// How many of them withhold their events from CometBFT (`up --lean-validators`).
    #[serde(default)]
    pub withholding_events: usize,
    /// Accounts sending.
    pub accounts: usize,
    /// The rate asked for, in tx/s.
    pub target_rate: u32,
    /// From the first send to the last, in seconds.
    pub send_seconds: f64,
    /// Transactions acknowledged by a node (distinct).
    pub sent: u64,
    /// `sent / send_seconds`.
    pub offered_tx_per_s: f64,
    /// Mean size of a sent transaction, in bytes.
    pub tx_bytes: f64,
    /// The generator's transactions committed with code 0.
    pub committed: u64,
    /// The generator's transactions committed with a non-zero code, by `codespace/code`.
    pub failed: BTreeMap<String, u64>,
    /// Broadcasts refused by CheckTx (`codespace/code`) or by CometBFT (`rpc: …`).
    pub refused: BTreeMap<String, u64>,
    /// Acknowledged transactions not seen in a block by the end of the run.
    pub not_committed: u64,
    /// Accounts whose sequence was read again from the chain.
    pub resyncs: u64,
    /// Committed throughput from the blocks (`None` when nothing was committed).
    pub window: Option<Window>,
    /// Whether the nodes pruned during the run (`None`: kvstore, unknown, or nothing committed).
    #[serde(default)]
    pub pruning: Option<Pruning>,
    /// Broadcast → commit (t(h+1)) latency, in milliseconds.
    pub latency_ms: Option<Spread>,
    /// Block intervals before the run, in milliseconds.
    pub idle_block_ms: Option<Spread>,
    /// Block intervals of blocks F..L, in milliseconds.
    pub load_block_ms: Option<Spread>,
    /// Transactions per block in F..L.
    pub block_txs: PerBlock,
    /// Transaction bytes per block in F..L.
    pub block_bytes: PerBlock,
    /// The nodes' CPU time per transaction of the generator committed (`None` off Linux, or when
    /// nothing committed).
    #[serde(default)]
    pub cpu: Option<CpuPerTx>,
    /// Upper-case hex hashes of the generator's transactions committed with code 0.
    #[serde(skip)]
    pub committed_hashes: Vec<String>,
    /// Per funded account (address), its transactions committed with code 0 over the
    /// generator's life — with fresh accounts, its sequence.
    #[serde(skip)]
    pub committed_per_account: BTreeMap<String, u64>,
}

impl LoadReport {
    /// Committed tx/s (0 when nothing was committed).
    pub fn committed_tx_per_s(&self) -> f64 {
        self.window.as_ref().map_or(0.0, |w| w.tx_per_s)
    }

    /// Failed transactions of the generator.
    pub fn failed_total(&self) -> u64 {
        self.failed.values().sum()
    }
}

/// Seconds from `a` to `b` (0 if `b` is earlier).
pub fn seconds(a: SystemTime, b: SystemTime) -> f64 {
    b.duration_since(a).unwrap_or(Duration::ZERO).as_secs_f64()
}

/// The committed-rate window over `blocks` from `from` on: F and L are the first and last
/// blocks with a generator transaction; `None` unless F+1 and L+2 are known.
pub fn committed_window(blocks: &BTreeMap<u64, BlockStat>, from: u64) -> Option<Window> {
    let ours = || blocks.range(from..).filter(|(_, b)| b.ours > 0);
    let first = *ours().next()?.0;
    let last = *ours().next_back()?.0;
    let start = blocks.get(&first.checked_add(1)?)?.time;
    let end = blocks.get(&last.checked_add(2)?)?.time;
    let txs = blocks.range(first..=last).map(|(_, b)| b.txs).sum();
    let seconds = seconds(start, end);
    Some(Window {
        first_height: first,
        last_height: last,
        txs,
        seconds,
        tx_per_s: if seconds > 0.0 {
            txs as f64 / seconds
        } else {
            0.0
        },
    })
}

/// p50, p99 and max of `values` (nearest rank); `None` when empty.
pub fn spread(mut values: Vec<f64>) -> Option<Spread> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        let n = values.len();
        let index = ((p / 100.0) * n as f64).ceil() as usize;
        values[index.clamp(1, n) - 1]
    };
    Some(Spread {
        p50: rank(50.0),
        p99: rank(99.0),
        max: values[values.len() - 1],
    })
}

/// Intervals t(h+1) − t(h), in ms, for h in `heights` where both are known.
pub fn block_intervals_ms(
    blocks: &BTreeMap<u64, BlockStat>,
    heights: std::ops::RangeInclusive<u64>,
) -> Vec<f64> {
    heights
        .filter_map(|h| {
            let this = blocks.get(&h)?;
            let next = blocks.get(&h.checked_add(1)?)?;
            Some(seconds(this.time, next.time) * 1000.0)
        })
        .collect()
}

/// Mean and max of `values`.
pub fn per_block(values: impl Iterator<Item = u64>) -> PerBlock {
    let (mut sum, mut count, mut max) = (0u64, 0u64, 0u64);
    for v in values {
        sum = sum.saturating_add(v);
        count += 1;
        max = max.max(v);
    }
    PerBlock {
        mean: if count == 0 {
            0.0
        } else {
            sum as f64 / count as f64
        },
        max,
    }
}

fn codes(map: &BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return "none".into();
    }
    map.iter()
        .map(|(code, n)| format!("{n} × {code}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ms(spread: &Option<Spread>) -> String {
    spread.map_or("n/a".into(), |s| {
        format!(
            "p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            s.p50, s.p99, s.max
        )
    })
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({} build), {} nodes{}, {} accounts, target {} tx/s",
            self.app,
            self.build,
            self.nodes,
            match self.withholding_events {
                0 => String::new(),
                n => format!(" ({n} withhold events)"),
            },
            self.accounts,
            self.target_rate
        )?;
        writeln!(
            f,
            "offered:    {:.1} tx/s ({} txs of {:.0} bytes in {:.1} s)",
            self.offered_tx_per_s, self.sent, self.tx_bytes, self.send_seconds
        )?;
        match &self.window {
            Some(w) => writeln!(
                f,
                "committed:  {:.1} tx/s ({} txs in blocks {}..{} over {:.1} s); {} of ours with code 0",
                w.tx_per_s, w.txs, w.first_height, w.last_height, w.seconds, self.committed
            )?,
            None => writeln!(f, "committed:  nothing")?,
        }
        writeln!(f, "failed:     {}", codes(&self.failed))?;
        writeln!(
            f,
            "refused:    {} (resyncs {}, not committed {})",
            codes(&self.refused),
            self.resyncs,
            self.not_committed
        )?;
        writeln!(f, "latency:    {}", ms(&self.latency_ms))?;
        writeln!(
            f,
            "block time: idle {}; under load {}",
            ms(&self.idle_block_ms),
            ms(&self.load_block_ms)
        )?;
        write!(
            f,
            "block size: {:.1} txs (max {}), {:.0} bytes (max {})",
            self.block_txs.mean, self.block_txs.max, self.block_bytes.mean, self.block_bytes.max
        )?;
        if let Some(cpu) = &self.cpu {
            write!(
                f,
                "\ncpu:        {:.2} ms per committed tx: CometBFT {:.2}",
                cpu.total_ms(),
                cpu.cometbft_ms
            )?;
            if let Some(app) = cpu.app_ms {
                write!(f, ", rampartd {app:.2}")?;
            }
            write!(f, " ({} processes, user + system)", cpu.processes)?;
        }
        if let (Some(pruning), Some(window)) = (&self.pruning, &self.window) {
            let blocks = window
                .last_height
                .saturating_add(1)
                .saturating_sub(window.first_height);
            match pruning.keep_recent {
                0 => write!(f, "\npruning:    off (keep_recent 0)")?,
                keep => write!(
                    f,
                    "\npruning:    keep_recent {keep}: {} of the {blocks} blocks also pruned one of \
                     them (block h prunes height h − {keep})",
                    pruning.pruning_blocks
                )?,
            }
        }
        Ok(())
    }
}

/// A side-by-side table of two reports (e.g. Rampart and kvstore) with the ratio a / b.
pub fn compare(a: &LoadReport, b: &LoadReport) -> String {
    let ratio = |x: f64, y: f64| {
        if y > 0.0 {
            format!("{:.2}", x / y)
        } else {
            "n/a".into()
        }
    };
    let p50 = |s: &Option<Spread>| s.map_or(0.0, |s| s.p50);
    let cpu = |r: &LoadReport| r.cpu.map_or(0.0, |c| c.total_ms());
    let rows: [(&str, f64, f64); 6] = [
        ("offered tx/s", a.offered_tx_per_s, b.offered_tx_per_s),
        (
            "committed tx/s",
            a.committed_tx_per_s(),
            b.committed_tx_per_s(),
        ),
        ("latency p50 ms", p50(&a.latency_ms), p50(&b.latency_ms)),
        (
            "block time p50 ms",
            p50(&a.load_block_ms),
            p50(&b.load_block_ms),
        ),
        ("txs per block", a.block_txs.mean, b.block_txs.mean),
        ("node CPU ms per tx", cpu(a), cpu(b)),
    ];
    let label = |r: &LoadReport| match r.withholding_events {
        0 => format!("{} ({})", r.app, r.build),
        n => format!(
            "{} ({}, {n} of {} nodes withhold events)",
            r.app, r.build, r.nodes
        ),
    };
    let mut out = format!(
        "| | {} | {} | ratio |\n|---|---:|---:|---:|\n",
        label(a),
        label(b)
    );
    for (name, x, y) in rows {
        out.push_str(&format!("| {name} | {x:.1} | {y:.1} | {} |\n", ratio(x, y)));
    }
    out.push_str(&format!(
        "| failed | {} | {} | |\n",
        a.failed_total(),
        b.failed_total()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_blocks_that_also_pruned_one_of_the_runs_heights() {
        let blocks = |keep, heights| Pruning::during(keep, heights).pruning_blocks;
        assert_eq!(blocks(0, 500..=900), 0, "keep_recent 0 never prunes");
        assert_eq!(
            blocks(100, 96..=695),
            500,
            "blocks 196..=695 prune 96..=595"
        );
        assert_eq!(
            blocks(100, 96..=195),
            0,
            "the run is shorter than keep_recent"
        );
        assert_eq!(blocks(100, 96..=196), 1);
        assert_eq!(
            blocks(1, 5..=5),
            0,
            "a one-block run prunes an earlier height"
        );
        assert_eq!(
            blocks(u64::MAX, 1..=u64::MAX),
            0,
            "block h prunes h − keep_recent = 0"
        );
    }

    fn at(secs: f64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs_f64(secs)
    }

    fn chain(blocks: &[(u64, f64, u64, u64)]) -> BTreeMap<u64, BlockStat> {
        blocks
            .iter()
            .map(|&(h, t, txs, ours)| {
                (
                    h,
                    BlockStat {
                        time: at(t),
                        txs,
                        bytes: txs * 300,
                        ours,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn committed_rate_uses_the_next_headers_times() {
        // Blocks 11..13 hold our 30 + 40 + 20 txs and 5 foreign ones; they were decided
        // between t(12) = 2.0 (block 11) and t(15) = 6.0 (block 13).
        let blocks = chain(&[
            (10, 0.0, 0, 0),
            (11, 1.0, 35, 30),
            (12, 2.0, 40, 40),
            (13, 3.0, 20, 20),
            (14, 4.5, 0, 0),
            (15, 6.0, 0, 0),
        ]);
        let w = committed_window(&blocks, 10).expect("window");
        assert_eq!((w.first_height, w.last_height, w.txs), (11, 13, 95));
        assert!((w.seconds - 4.0).abs() < 1e-9, "t(15) − t(12) = 4 s");
        assert!((w.tx_per_s - 23.75).abs() < 1e-9);
        // Without L+2 the window is not closed yet.
        let open = chain(&[(11, 1.0, 5, 5), (12, 2.0, 0, 0), (13, 3.0, 0, 0)]);
        assert!(committed_window(&open, 0).map(|w| w.last_height) == Some(11));
        let unclosed = chain(&[(11, 1.0, 5, 5), (12, 2.0, 0, 0)]);
        assert_eq!(committed_window(&unclosed, 0), None);
        assert_eq!(
            committed_window(&blocks, 14),
            None,
            "nothing of ours from 14 on"
        );
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(spread(vec![]), None);
        let s = spread(vec![5.0]).expect("one value");
        assert_eq!((s.p50, s.p99, s.max), (5.0, 5.0, 5.0));
        let s = spread((1..=100).rev().map(f64::from).collect()).expect("values");
        assert_eq!((s.p50, s.p99, s.max), (50.0, 99.0, 100.0));
        let s = spread(vec![1.0, 2.0, 3.0, 4.0]).expect("values");
        assert_eq!((s.p50, s.p99), (2.0, 4.0));
    }

    #[test]
    fn block_intervals_and_sizes() {
        let blocks = chain(&[(1, 0.0, 2, 0), (2, 1.0, 4, 0), (3, 3.5, 0, 0)]);
        assert_eq!(block_intervals_ms(&blocks, 1..=3), vec![1000.0, 2500.0]);
        let sizes = per_block(blocks.values().map(|b| b.txs));
        assert_eq!(sizes, PerBlock { mean: 2.0, max: 4 });
        assert_eq!(per_block(std::iter::empty()), PerBlock::default());
    }
}
