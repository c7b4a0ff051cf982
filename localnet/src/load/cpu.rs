//! The CPU time the nodes' processes spend on a run, from `/proc/<pid>/stat` (Linux).
//!
//! When the nodes of a localnet share the machine's cores, committed tx/s is bounded by CPU per
//! transaction, so the report says how much CometBFT and the application each spent: the
//! comparison with CometBFT's kvstore comes down to these figures (docs/BENCHMARKS.md, "The
//! out-of-process floor"). Only processes running for the whole run are counted: a node
//! restarted meanwhile has a new PID, and its old process's time is gone with it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Linux reports `utime` and `stime` in `USER_HZ` ticks, 100 per second on every architecture.
const TICKS_PER_SECOND: f64 = 100.0;

/// The processes whose CPU a run counts: each running node's CometBFT and, for Rampart, its
/// rampartd (a kvstore node's application runs inside CometBFT).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeProcesses {
    /// The nodes' `cometbft` PIDs.
    pub cometbft: Vec<u32>,
    /// The nodes' application PIDs (empty for kvstore).
    pub app: Vec<u32>,
}

/// CPU seconds each process had used when [`NodeProcesses::read`] ran.
#[derive(Clone, Debug, Default)]
pub(crate) struct CpuReading {
    seconds: BTreeMap<u32, f64>,
}

impl NodeProcesses {
    /// The CPU time used so far by every process that can be read.
    pub(crate) fn read(&self) -> CpuReading {
        let seconds = self
            .cometbft
            .iter()
            .chain(&self.app)
            .filter_map(|&pid| Some((pid, cpu_seconds(pid)?)))
            .collect();
        CpuReading { seconds }
    }

    /// CPU per transaction between `start` and `end` over `transactions` transactions;
    /// `None` when nothing committed or no CometBFT process could be read twice.
    pub(crate) fn per_tx(
        &self,
        start: &CpuReading,
        end: &CpuReading,
        transactions: u64,
    ) -> Option<CpuPerTx> {
        if transactions == 0 {
            return None;
        }
        let spent = |pids: &[u32]| -> Option<f64> {
            let deltas: Vec<f64> = pids
                .iter()
                .filter_map(|pid| Some(end.seconds.get(pid)? - start.seconds.get(pid)?))
                .collect();
            (!deltas.is_empty()).then(|| deltas.iter().map(|d| d.max(0.0)).sum())
        };
        let per_tx_ms = |seconds: f64| seconds * 1000.0 / transactions as f64;
        Some(CpuPerTx {
            cometbft_ms: per_tx_ms(spent(&self.cometbft)?),
            app_ms: spent(&self.app).map(per_tx_ms),
            processes: start
                .seconds
                .keys()
                .filter(|pid| end.seconds.contains_key(pid))
                .count(),
        })
    }
}

/// CPU time (user + system) per transaction the generator got committed, summed over the nodes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CpuPerTx {
    /// The CometBFT processes', in milliseconds.
    pub cometbft_ms: f64,
    /// The application processes' (`None` for kvstore, whose app runs inside CometBFT).
    pub app_ms: Option<f64>,
    /// How many processes were counted (running from the run's start to its end).
    pub processes: usize,
}

impl CpuPerTx {
    /// Both together, in milliseconds.
    pub fn total_ms(&self) -> f64 {
        self.cometbft_ms + self.app_ms.unwrap_or(0.0)
    }
}

/// CPU seconds process `pid` has used (all its threads, user + system), or `None` when it is
/// gone or this is not Linux.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(stat_ticks(&stat)? as f64 / TICKS_PER_SECOND)
}

/// `utime + stime` from the text of `/proc/<pid>/stat`: the 14th and 15th fields, counted after
/// the command name, which is in parentheses and may itself hold spaces and parentheses.
fn stat_ticks(stat: &str) -> Option<u64> {
    let after_command = stat.rsplit_once(')')?.1;
    let mut fields = after_command.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    user.checked_add(system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_and_system_ticks_after_the_command_name() {
        let stat = "4242 (cometbft (x) y) S 1 4242 4242 0 -1 4194560 912 0 0 0 1234 567 0 0 20 0 9";
        assert_eq!(stat_ticks(stat), Some(1234 + 567));
        assert_eq!(stat_ticks("4242 (short) S 1 2"), None, "truncated");
        assert_eq!(stat_ticks("no command name"), None);
    }

    #[test]
    fn reads_this_process_twice() {
        let pid = std::process::id();
        let processes = NodeProcesses {
            cometbft: vec![pid],
            app: vec![],
        };
        let end = processes.read();
        assert!(end.seconds.contains_key(&pid), "this process is readable");
        assert_eq!(
            processes.per_tx(&CpuReading::default(), &end, 10),
            None,
            "a process not read at the start is not counted"
        );
        let start = processes.read();
        let later = processes.read();
        let cpu = processes.per_tx(&start, &later, 10).expect("read twice");
        assert_eq!((cpu.app_ms, cpu.processes), (None, 1));
        assert!(cpu.cometbft_ms >= 0.0);
        assert_eq!(processes.per_tx(&start, &later, 0), None, "no transaction");
    }

    #[test]
    fn sums_each_groups_deltas_per_transaction() {
        let reading = |pairs: &[(u32, f64)]| CpuReading {
            seconds: pairs.iter().copied().collect(),
        };
        let processes = NodeProcesses {
            cometbft: vec![1, 2],
            app: vec![3, 4],
        };
        let start = reading(&[(1, 10.0), (2, 20.0), (3, 5.0), (4, 7.0)]);
        // Process 4 was restarted (gone at the end), so it is not counted.
        let end = reading(&[(1, 12.0), (2, 21.0), (3, 6.5)]);
        let cpu = processes.per_tx(&start, &end, 1_000).expect("counted");
        assert!((cpu.cometbft_ms - 3.0).abs() < 1e-9, "{cpu:?}");
        assert_eq!(cpu.app_ms.map(|ms| (ms * 1e6).round()), Some(1.5e6));
        assert_eq!(cpu.processes, 3);
        assert!((cpu.total_ms() - 4.5).abs() < 1e-9);
    }
}
