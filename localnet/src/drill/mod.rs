//! `cargo localnet drill`: a fault driver against a running localnet, measured the way
//! CometBFT's e2e perturbations are. It draws a reproducible schedule from `--seed`
//! ([`schedule`]), injects each fault into a validator and recovers it ([`fault`]), while a
//! monitor ([`monitor`]) checks continuously that blocks keep coming (at least every 20 s while
//! the network keeps its quorum) and that every node serves the same block and app hash at
//! every height; optional signed load (the load generator, [`crate::load`]) runs throughout
//! and is checked at the end ([`verify`]): nothing lost, nothing twice, sequences and balances exact. Finally one node is
//! stopped, the chain's invariants are checked over its store and it is started again.
//!
//! ```no_run
//! # async fn demo(net: &mut rampart_localnet::Localnet, b: &rampart_localnet::Binaries) -> anyhow::Result<()> {
//! use rampart_localnet::drill::{self, DrillOptions};
//! let report = drill::run(net, b, &DrillOptions::default()).await?;
//! print!("{report}");
//! assert!(report.violations.is_empty());
//! # Ok(()) }
//! ```

pub mod fault;
pub mod monitor;
mod report;
pub mod schedule;
pub mod verify;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

use crate::binaries::Binaries;
use crate::load::{Generator, LoadPlan, LoadTarget, RunningLoad};
use crate::network::Localnet;
use crate::process::StopMode;
use monitor::Monitor;
pub use report::{DrillReport, FaultRecord};
use schedule::{FaultMode, PlannedFault, ScheduleSpec};
use verify::LoadFigures;

/// What to drill.
#[derive(Clone, Debug)]
pub struct DrillOptions {
    /// How long faults are injected.
    pub duration: Duration,
    /// One fault every this long.
    pub every: Duration,
    /// Which faults.
    pub mode: FaultMode,
    /// Load transactions per second (`None`: no load).
    pub load: Option<f64>,
    /// The schedule's seed.
    pub seed: u64,
    /// Validators one fault takes down (`None`: as many as the network tolerates, at least 1).
    pub max_down: Option<usize>,
    /// Check the invariants on a stopped node at the end.
    pub invariants: bool,
}

impl Default for DrillOptions {
    /// Two minutes, a kill every 30 s, no load, seed 1, invariants checked.
    fn default() -> Self {
        Self {
            duration: Duration::from_secs(120),
            every: Duration::from_secs(30),
            mode: FaultMode::Only(schedule::FaultKind::Kill),
            load: None,
            seed: 1,
            max_down: None,
            invariants: true,
        }
    }
}

/// Runs the drill against `net`, whose nodes must all be running; returns the report (the
/// violations are in it; an `Err` means the drill itself could not run).
pub async fn run(
    net: &mut Localnet,
    binaries: &Binaries,
    opts: &DrillOptions,
) -> Result<DrillReport> {
    net.refresh();
    let validators = net.nodes().len();
    for index in 0..validators {
        let running = net.running(index);
        if !(running.cometbft && running.rampartd) {
            bail!(
                "node{index} of the localnet at {} is not running; start it first (`cargo \
                 localnet up --detach`)",
                net.home().display()
            );
        }
    }
    let tolerance = schedule::tolerated_down(validators);
    let max_down = opts.max_down.unwrap_or(tolerance).max(1);
    if max_down > validators {
        bail!("--max-down {max_down} is more than the {validators} validators");
    }
    let plan = schedule::plan(&ScheduleSpec {
        seed: opts.seed,
        duration: opts.duration,
        every: opts.every,
        mode: opts.mode,
        validators,
        max_down,
    });
    let addrs = net
        .nodes()
        .iter()
        .map(|n| n.rpc_addr())
        .collect::<Result<Vec<_>>>()?;
    let monitor = Monitor::new(addrs, tolerance);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let monitor_task = tokio::spawn(monitor.clone().run(stop_rx.clone()));
    monitor.tick().await;

    let load = match opts.load {
        Some(rate) => Some(start_load(net, &monitor, rate, opts.seed).await?),
        None => None,
    };
    eprintln!(
        "drill: {} fault(s) over {:?} on {validators} validators (seed {}, {} down at a time, \
         the network tolerates {tolerance}){}",
        plan.len(),
        opts.duration,
        opts.seed,
        max_down,
        opts.load
            .map_or(String::new(), |r| format!(", load {r} tx/s"))
    );
    let started = Instant::now();
    let mut faults = Vec::with_capacity(plan.len());
    for (number, planned) in plan.iter().enumerate() {
        tokio::time::sleep_until((started + planned.at).into()).await;
        let record = drill_one(net, binaries, &monitor, planned, started).await;
        eprintln!("{}", record.line(number + 1, plan.len()));
        for problem in &record.problems {
            monitor.violation(format!("fault {} ({}): {problem}", number + 1, record.kind));
        }
        faults.push(record);
    }
    tokio::time::sleep_until((started + opts.duration).into()).await;

    let load_result = match load {
        Some(load) => Some(finish_load(&monitor, load).await?),
        None => None,
    };
    let invariants = if opts.invariants {
        let node = faults
            .last()
            .and_then(|f| f.nodes.first().copied())
            .unwrap_or(0);
        Some(check_invariants(net, binaries, &monitor, node).await)
    } else {
        None
    };
    let _ = stop_tx.send(true);
    let _ = monitor_task.await;
    let state = monitor.lock();
    let mut violations = state.violations.clone();
    let load = load_result.map(|(figures, problems)| {
        violations.extend(problems);
        figures
    });
    if let Some(Err(problem)) = &invariants {
        violations.push(problem.clone());
    }
    Ok(DrillReport {
        seed: opts.seed,
        elapsed: started.elapsed(),
        faults,
        longest_stall: state.longest_stall,
        heights: state.headers.len() as u64,
        headers_compared: state.headers_compared,
        final_height: state.network_height,
        load,
        invariants,
        violations,
    })
}

/// Injects one planned fault, waits, recovers, and measures the catch-up of every node hit.
async fn drill_one(
    net: &mut Localnet,
    binaries: &Binaries,
    monitor: &Monitor,
    planned: &PlannedFault,
    started: Instant,
) -> FaultRecord {
    let mut record = FaultRecord::new(planned, started.elapsed(), monitor.lock().network_height);
    if let Err(e) = fault::inject(net, monitor, &planned.nodes, planned.kind) {
        record.problems.push(format!("injecting: {e:#}"));
    }
    tokio::time::sleep(planned.down_for).await;
    // The lowest height any node hit had reached: its events are re-indexed from there.
    let from_height = {
        let state = monitor.lock();
        let lowest = planned.nodes.iter().filter_map(|&n| state.heights[n]).min();
        lowest.unwrap_or(record.height_before).saturating_sub(2)
    };
    if let Err(e) = fault::recover(
        net,
        binaries,
        monitor,
        &planned.nodes,
        planned.kind,
        from_height,
    ) {
        record.problems.push(format!("recovering: {e:#}"));
    }
    for &node in &planned.nodes {
        match fault::catch_up(net, monitor, node).await {
            Ok(took) => {
                record.catch_up = record.catch_up.max(Some(took));
                if took > fault::CATCH_UP_LIMIT {
                    record.problems.push(format!(
                        "node{node} caught up in {took:.1?}, over {:?}",
                        fault::CATCH_UP_LIMIT
                    ));
                }
            }
            Err(e) => record.problems.push(format!("{e:#}")),
        }
        match fault::check_abci_info(net, node).await {
            Ok(height) => record.abci_checked = Some(height),
            Err(e) => record.problems.push(format!("{e:#}")),
        }
    }
    record.height_after = monitor.lock().network_height;
    record
}

/// The load running during a drill.
struct DrillLoad {
    running: RunningLoad,
    fund: u128,
    from_height: u64,
}

/// Funds fresh load accounts (from the seed and the height now, so every drill on a chain has
/// new ones) and starts sending `rate` tx/s.
async fn start_load(net: &Localnet, monitor: &Monitor, rate: f64, seed: u64) -> Result<DrillLoad> {
    let from_height = monitor.lock().network_height;
    // Four transactions in flight per account: one account per transaction per second keeps
    // each account's transactions committing within about four seconds.
    let plan = LoadPlan {
        accounts: (rate.ceil() as usize).max(8),
        seed: seed.rotate_left(32) ^ from_height,
        ..LoadPlan::default()
    };
    eprintln!("drill: funding {} load accounts…", plan.accounts);
    let fund = plan.fund;
    let generator = Generator::prepare(LoadTarget::from_localnet(net)?, plan).await?;
    let running = generator
        .start(rate.round().max(1.0) as u32, Duration::from_secs(60))
        .await?;
    Ok(DrillLoad {
        running,
        fund,
        from_height,
    })
}

/// Stops the load (it waits for what is in flight) and runs the load checks.
async fn finish_load(monitor: &Monitor, load: DrillLoad) -> Result<(LoadFigures, Vec<String>)> {
    let (generator, report) = load.running.stop().await?;
    eprintln!("drill: checking every committed load transaction by hash…");
    let nodes: Vec<_> = {
        let state = monitor.lock();
        (0..state.heights.len()).map(|i| state.addr(i)).collect()
    };
    let run = verify::LoadRun {
        report: &report,
        addresses: &generator.addresses(),
        fund: load.fund,
        from_height: load.from_height,
    };
    verify::verify(&run, &nodes).await
}

/// Stops node `index` gracefully, runs `rampartd debug invariants` over its store and starts it
/// again (waiting for it to catch up).
async fn check_invariants(
    net: &mut Localnet,
    binaries: &Binaries,
    monitor: &Monitor,
    index: usize,
) -> Result<String, String> {
    let home = net.node(index).map_err(|e| e.to_string())?.home.clone();
    monitor.set_down(&[index], true);
    net.stop_node(index, StopMode::default())
        .map_err(|e| format!("stopping node{index} for the invariant check: {e:#}"))?;
    let output = Command::new(&binaries.rampartd)
        .args(["debug", "invariants", "--home"])
        .arg(&home)
        .stdin(Stdio::null())
        .output();
    let restarted = net.start_node(index, binaries);
    monitor.set_down(&[index], false);
    let caught_up = fault::catch_up(net, monitor, index).await;
    let text = match output {
        Ok(out) if out.status.success() => {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        }
        Ok(out) => Err(format!(
            "invariants on node{index}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!("running rampartd debug invariants: {e}")),
    };
    restarted.map_err(|e| format!("restarting node{index} after the invariant check: {e:#}"))?;
    caught_up.map_err(|e| format!("after the invariant check: {e:#}"))?;
    text
}
