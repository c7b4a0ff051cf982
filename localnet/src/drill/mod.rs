//! `cargo localnet drill`: a fault driver against a running localnet, measured the way
//! CometBFT's e2e perturbations are. It draws a reproducible schedule from `--seed`
//! ([`schedule`]), injects each fault into a validator and recovers it ([`fault`]), while a
//! monitor ([`monitor`]) checks continuously that blocks keep coming (at least every 20 s while
//! the network keeps its quorum) and that every node serves the same block and app hash at
//! every height; optional signed load (the load generator, [`crate::load`]) runs throughout
//! and is checked at the end ([`verify`]): nothing lost, nothing twice, sequences and balances exact. Finally one node is
//! stopped, the chain's invariants are checked over its store and it is started again.
//!
//! [`run_on`] drills a consumer chain the same way ([`Chain::Consumer`]: its nodes, its load, its
//! invariants), adds the relayer's faults (`relayer-kill`, `relayer-restart`) and checks after
//! every fault that the consumer keeps following the provider ([`follow`]).
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
pub mod follow;
pub mod monitor;
mod report;
pub mod schedule;
pub mod verify;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

use crate::binaries::Binaries;
use crate::load::{Generator, LoadPlan, LoadTarget, RunningLoad};
use crate::network::{chain_label, Chain, Localnet};
use crate::process::StopMode;
use follow::Follower;
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

/// Runs the drill against the provider of `net`, whose nodes must all be running; returns the
/// report (the violations are in it; an `Err` means the drill itself could not run).
pub async fn run(
    net: &mut Localnet,
    binaries: &Binaries,
    opts: &DrillOptions,
) -> Result<DrillReport> {
    run_on(net, binaries, Chain::Provider, opts).await
}

/// Runs the drill against `chain` of `net`: the provider ([`run`]) or a consumer chain, whose
/// nodes and relayer must be running (`cargo localnet consumer up <id>`).
pub async fn run_on(
    net: &mut Localnet,
    binaries: &Binaries,
    chain: Chain,
    opts: &DrillOptions,
) -> Result<DrillReport> {
    net.refresh();
    let validators = net.chain_nodes(chain)?.len();
    let start_it = match chain {
        Chain::Provider => "cargo localnet up --detach".to_string(),
        Chain::Consumer(id) => format!("cargo localnet consumer up {id}"),
    };
    for index in 0..validators {
        let running = net.running_in(chain, index);
        if !(running.cometbft && running.rampartd) {
            bail!(
                "{}node{index} of the localnet at {} is not running; start it first (`{start_it}`)",
                chain_label(chain),
                net.home().display()
            );
        }
    }
    let mut follower = match chain {
        Chain::Consumer(id) if !net.relayer_running(id) => {
            bail!("consumer {id}'s relayer is not running; start it first (`{start_it}`)")
        }
        Chain::Consumer(id) => Some(Follower::new(net, id).await?),
        Chain::Provider => {
            if matches!(opts.mode, schedule::FaultMode::Only(kind) if kind.is_relayer()) {
                bail!("relayer faults need a consumer chain (`--consumer <id>`)");
            }
            None
        }
    };
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
        relayer: chain != Chain::Provider,
    });
    let addrs = net
        .chain_nodes(chain)?
        .iter()
        .map(|n| n.rpc_addr())
        .collect::<Result<Vec<_>>>()?;
    let monitor = Monitor::new(addrs, tolerance);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let monitor_task = tokio::spawn(monitor.clone().run(stop_rx.clone()));
    monitor.tick().await;

    let load = match opts.load {
        Some(rate) => Some(start_load(net, chain, &monitor, rate, opts.seed).await?),
        None => None,
    };
    eprintln!(
        "drill: {} fault(s) over {:?} on {validators} {}nodes (seed {}, {} down at a time, \
         the network tolerates {tolerance}){}",
        plan.len(),
        opts.duration,
        chain_label(chain),
        opts.seed,
        max_down,
        opts.load
            .map_or(String::new(), |r| format!(", load {r} tx/s"))
    );
    let started = Instant::now();
    let mut faults = Vec::with_capacity(plan.len());
    for (number, planned) in plan.iter().enumerate() {
        tokio::time::sleep_until((started + planned.at).into()).await;
        let ctx = FaultContext {
            net: &mut *net,
            binaries,
            monitor: &monitor,
            chain,
            follower: follower.as_mut(),
        };
        let record = drill_one(ctx, planned, started).await;
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
        Some(check_invariants(net, binaries, &monitor, chain, node).await)
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
    let target = match chain {
        Chain::Provider => format!("provider {}", net.manifest().chain_id),
        Chain::Consumer(id) => format!("consumer {id} ({})", net.consumer(id)?.chain_id),
    };
    Ok(DrillReport {
        target,
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

/// What one fault works on.
struct FaultContext<'a> {
    net: &'a mut Localnet,
    binaries: &'a Binaries,
    monitor: &'a Monitor,
    chain: Chain,
    /// The consumer's pledge changes and follow check (consumer drills).
    follower: Option<&'a mut Follower>,
}

/// Injects one planned fault, waits, recovers, and measures the catch-up of every node hit; in
/// a consumer drill a pledge change is made first and the consumer must follow it afterwards.
async fn drill_one(ctx: FaultContext<'_>, planned: &PlannedFault, started: Instant) -> FaultRecord {
    let FaultContext {
        net,
        binaries,
        monitor,
        chain,
        mut follower,
    } = ctx;
    let mut record = FaultRecord::new(planned, started.elapsed(), monitor.lock().network_height);
    let mut change = None;
    if let Some(follower) = follower.as_deref_mut() {
        match follower.change_pledge(net).await {
            Ok(made) => change = Some(made),
            Err(e) => record.problems.push(format!("changing a pledge: {e:#}")),
        }
    }
    if let Err(e) = fault::inject(net, monitor, chain, &planned.nodes, planned.kind) {
        record.problems.push(format!("injecting: {e:#}"));
    }
    tokio::time::sleep(planned.down_for).await;
    // The lowest height any node hit had reached: its events are re-indexed from there.
    let from_height = {
        let state = monitor.lock();
        let lowest = planned.nodes.iter().filter_map(|&n| state.heights[n]).min();
        lowest.unwrap_or(record.height_before).saturating_sub(2)
    };
    let (nodes, kind) = (&planned.nodes, planned.kind);
    if let Err(e) = fault::recover(
        net,
        binaries,
        monitor,
        chain,
        nodes,
        kind,
        Some(from_height),
    ) {
        record.problems.push(format!("recovering: {e:#}"));
    }
    let recovered = Instant::now();
    for &node in &planned.nodes {
        match fault::catch_up(net, monitor, chain, node).await {
            Ok(took) => {
                record.catch_up = record.catch_up.max(Some(took));
                if took > fault::CATCH_UP_LIMIT {
                    record.problems.push(format!(
                        "{}node{node} caught up in {took:.1?}, over {:?}",
                        chain_label(chain),
                        fault::CATCH_UP_LIMIT
                    ));
                }
            }
            Err(e) => record.problems.push(format!("{e:#}")),
        }
        match fault::check_abci_info_in(net, chain, node).await {
            Ok(height) => record.abci_checked = Some(height),
            Err(e) => record.problems.push(format!("{e:#}")),
        }
    }
    if let (Some(follower), Some(change)) = (follower, change) {
        match follower.wait_followed(net, &change, recovered).await {
            Ok(took) => {
                record.followed = Some(took);
                if took > follow::FOLLOW_LIMIT {
                    record.problems.push(format!(
                        "the consumer followed the provider {took:.1?} after the recovery, over \
                         {:?}",
                        follow::FOLLOW_LIMIT
                    ));
                }
            }
            Err(e) => record.problems.push(format!("{e:#}")),
        }
        record.pledge_change = Some(change.text);
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

/// Funds fresh load accounts on `chain` (from the seed and the height now, so every drill on a
/// chain has new ones) and starts sending `rate` tx/s.
async fn start_load(
    net: &Localnet,
    chain: Chain,
    monitor: &Monitor,
    rate: f64,
    seed: u64,
) -> Result<DrillLoad> {
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
    let generator = Generator::prepare(LoadTarget::from_chain(net, chain)?, plan).await?;
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

/// Stops node `index` of `chain` gracefully, runs `rampartd debug invariants` over its store and
/// starts it again (waiting for it to catch up).
async fn check_invariants(
    net: &mut Localnet,
    binaries: &Binaries,
    monitor: &Monitor,
    chain: Chain,
    index: usize,
) -> Result<String, String> {
    let home = net
        .chain_node(chain, index)
        .map_err(|e| e.to_string())?
        .home
        .clone();
    monitor.set_down(&[index], true);
    net.stop_chain_nodes(chain, &[index], StopMode::default())
        .map_err(|e| format!("stopping node{index} for the invariant check: {e:#}"))?;
    let output = Command::new(&binaries.rampartd)
        .args(["debug", "invariants", "--home"])
        .arg(&home)
        .stdin(Stdio::null())
        .output();
    let restarted = net.start_chain_nodes(chain, &[index], binaries);
    monitor.set_down(&[index], false);
    let caught_up = fault::catch_up(net, monitor, chain, index).await;
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
