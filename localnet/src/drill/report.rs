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
            problems: Vec::new(),
        }
    }

    /// The live line printed when the fault is over.
    pub fn line(&self, number: usize, of: usize) -> String {
        let nodes: Vec<String> = self.nodes.iter().map(|n| format!("node{n}")).collect();
        format!(
            "[{:>5.0}s] fault {number}/{of}: {} {} for {:.1}s, heights {}→{}, caught up in {}, \
             abci_info {}{}",
            self.at.as_secs_f64(),
            self.kind,
            nodes.join("+"),
            self.down_for.as_secs_f64(),
            self.height_before,
            self.height_after,
            self.catch_up
                .map_or("—".into(), |d| format!("{:.1}s", d.as_secs_f64())),
            self.abci_checked
                .map_or("unchecked".into(), |h| format!("= header at {}", h + 1)),
            if self.problems.is_empty() {
                " ok"
            } else {
                " FAILED"
            }
        )
    }
}

/// The whole drill's outcome.
#[derive(Clone, Debug)]
pub struct DrillReport {
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
        let times = self.catch_ups();
        let median = times.get(times.len() / 2).copied();
        let mut kinds = std::collections::BTreeMap::new();
        for fault in &self.faults {
            *kinds.entry(fault.kind.name()).or_insert(0u32) += 1;
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(
            f,
            "drill summary (seed {}, {})",
            self.seed,
            secs(self.elapsed)
        )?;
        let mut row = |name: &str, value: String| writeln!(f, "  {name:<28} {value}");
        row(
            "faults injected",
            format!("{} ({})", self.faults.len(), kinds.join(", ")),
        )?;
        row("longest stall", secs(self.longest_stall))?;
        row(
            "catch-up median / max",
            format!(
                "{} / {}",
                median.map_or("—".into(), secs),
                times.last().copied().map_or("—".into(), secs)
            ),
        )?;
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
