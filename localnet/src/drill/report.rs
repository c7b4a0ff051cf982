//! The drill's record of each fault and its summary table.

use std::fmt;
use std::time::Duration;

use super::schedule::{FaultKind, PlannedFault};
use super::verify::LoadFigures;

/// What happened to one fault.
#[derive(Clone, Debug)]
pub struct FaultRecord {
    /// Seconds from the drill's start when it was injected.
    pub at: Duration,
    /// The kind.
    pub kind: FaultKind,
    /// The validators hit.
    pub nodes: Vec<usize>,
    /// How long they were down (or paused).
    pub down_for: Duration,
    /// The network's height when it was injected.
    pub height_before: u64,
    /// The network's height once the nodes had caught up.
    pub height_after: u64,
    /// The slowest catch-up of the nodes hit (`None` if one never caught up).
    pub catch_up: Option<Duration>,
    /// The height whose app hash a restarted node's `abci_info` matched.
    pub abci_checked: Option<u64>,
    /// Consumer drills: the pledge change made before the fault (`node2 2500→2000 bps`).
    pub pledge_change: Option<String>,
    /// Consumer drills: how long after the recovery the consumer had applied and acknowledged
    /// everything the provider sent (`None` if it did not).
    pub followed: Option<Duration>,
    /// What went wrong.
    pub problems: Vec<String>,
}

impl FaultRecord {
    /// A record of `planned`, injected `at` with the network at `height`.
    pub fn new(planned: &PlannedFault, at: Duration, height: u64) -> Self {
        Self {
            at,
            kind: planned.kind,
            nodes: planned.nodes.clone(),
            down_for: planned.down_for,
            height_before: height,
            height_after: height,
            catch_up: None,
            abci_checked: None,
            pledge_change: None,
            followed: None,
            problems: Vec::new(),
        }
    }

    /// The live line printed when the fault is over.
    pub fn line(&self, number: usize, of: usize) -> String {
        let secs = |d: Duration| format!("{:.1}s", d.as_secs_f64());
        let hit = if self.kind.is_relayer() {
            "the relayer".to_string()
        } else {
            let nodes: Vec<String> = self.nodes.iter().map(|n| format!("node{n}")).collect();
            nodes.join("+")
        };
        let mut line = format!(
            "[{:>5.0}s] fault {number}/{of}: {} {hit} for {}, heights {}→{}",
            self.at.as_secs_f64(),
            self.kind,
            secs(self.down_for),
            self.height_before,
            self.height_after,
        );
        if !self.kind.is_relayer() {
            line.push_str(&format!(
                ", caught up in {}, abci_info {}",
                self.catch_up.map_or("—".into(), secs),
                self.abci_checked
                    .map_or("unchecked".into(), |h| format!("= header at {}", h + 1)),
            ));
        }
        if let Some(change) = &self.pledge_change {
            line.push_str(&format!(
                ", consumer followed ({change}) in {}",
                self.followed.map_or("—".into(), secs)
            ));
        }
        line.push_str(if self.problems.is_empty() {
            " ok"
        } else {
            " FAILED"
        });
        line
    }
}

/// The whole drill's outcome.
#[derive(Clone, Debug)]
pub struct DrillReport {
    /// The chain drilled: `provider <chain id>` or `consumer <id> (<chain id>)`.
    pub target: String,
    /// The seed.
    pub seed: u64,
    /// How long it ran.
    pub elapsed: Duration,
    /// Every fault.
    pub faults: Vec<FaultRecord>,
    /// The longest time between two blocks while the quorum held.
    pub longest_stall: Duration,
    /// Heights whose header was seen.
    pub heights: u64,
    /// Headers compared with the first node's at the same height.
    pub headers_compared: u64,
    /// The network's height at the end.
    pub final_height: u64,
    /// The load's figures (`None` without load).
    pub load: Option<LoadFigures>,
    /// The invariant check (`None` when skipped).
    pub invariants: Option<Result<String, String>>,
    /// Every violation.
    pub violations: Vec<String>,
}

impl DrillReport {
    /// Catch-up times of every fault that caught up, sorted.
    pub fn catch_ups(&self) -> Vec<Duration> {
        let mut times: Vec<Duration> = self.faults.iter().filter_map(|f| f.catch_up).collect();
        times.sort();
        times
    }

    /// Consumer drills: how long after each recovery the consumer followed the provider, sorted.
    pub fn follow_times(&self) -> Vec<Duration> {
        let mut times: Vec<Duration> = self.faults.iter().filter_map(|f| f.followed).collect();
        times.sort();
        times
    }

    /// Divergences found (block or app hash) among the violations.
    pub fn divergences(&self) -> usize {
        self.violations
            .iter()
            .filter(|v| v.starts_with("divergence"))
            .count()
    }
}

impl fmt::Display for DrillReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = |d: Duration| format!("{:.1}s", d.as_secs_f64());
        let median_max = |times: Vec<Duration>| {
            format!(
                "{} / {}",
                times.get(times.len() / 2).copied().map_or("—".into(), secs),
                times.last().copied().map_or("—".into(), secs)
            )
        };
        let mut kinds = std::collections::BTreeMap::new();
        for fault in &self.faults {
            *kinds.entry(fault.kind.name()).or_insert(0u32) += 1;
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(
            f,
            "drill summary: {} (seed {}, {})",
            self.target,
            self.seed,
            secs(self.elapsed)
        )?;
        let mut row = |name: &str, value: String| writeln!(f, "  {name:<28} {value}");
        row(
            "faults injected",
            format!("{} ({})", self.faults.len(), kinds.join(", ")),
        )?;
        row("longest stall", secs(self.longest_stall))?;
        row("catch-up median / max", median_max(self.catch_ups()))?;
        if self.faults.iter().any(|f| f.pledge_change.is_some()) {
            let followed = self.follow_times();
            row(
                "consumer followed",
                format!("after {} of {} faults", followed.len(), self.faults.len()),
            )?;
            row("follow time median / max", median_max(followed))?;
        }
        row(
            "heights / final height",
            format!("{} / {}", self.heights, self.final_height),
        )?;
        row("headers compared", self.headers_compared.to_string())?;
        row("app-hash divergences", self.divergences().to_string())?;
        if let Some(load) = &self.load {
            row(
                "txs sent / load accounts",
                format!("{} / {}", load.sent, load.accounts),
            )?;
            row("txs committed (code 0)", load.committed.to_string())?;
            row("txs refused in a block", load.failed_in_block.to_string())?;
            row("lost", load.lost.to_string())?;
            row("duplicated", load.duplicated.to_string())?;
            row(
                "committed rate",
                format!(
                    "{:.1} tx/s over {}",
                    load.committed as f64 / load.window.as_secs_f64().max(1.0),
                    secs(load.window)
                ),
            )?;
        }
        match &self.invariants {
            Some(Ok(text)) => row("invariants", text.clone())?,
            Some(Err(_)) => row("invariants", "BROKEN (see violations)".into())?,
            None => row("invariants", "not checked".into())?,
        }
        row("violations", self.violations.len().to_string())?;
        for violation in &self.violations {
            writeln!(f, "  - {violation}")?;
        }
        Ok(())
    }
}
