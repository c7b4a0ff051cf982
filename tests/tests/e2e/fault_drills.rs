//! Fault drills (issue 15) with real CometBFT and real rampartd: every crash point inside the app
//! replays to the same app hash, losing the quorum halts without forking and resumes, bad files
//! and a full disk stop rampartd with a clear error, and a short `cargo localnet drill` under
//! load finds nothing lost, twice or divergent.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use rampart_localnet::drill::fault::check_abci_info;
use rampart_localnet::drill::monitor::Monitor;
use rampart_localnet::drill::schedule::FaultMode;
use rampart_localnet::drill::{self, DrillOptions};
use rampart_localnet::process::log_tail;
use rampart_localnet::{Binaries, StopMode};
use rampart_tests::{height_timeout, TestNet};

/// `binaries` with rampartd behind a wrapper that arms the crash point written in the returned
/// file (`<point>[@<n>]`; empty: none) each time it starts.
fn crash_binaries(binaries: &Binaries, dir: &Path) -> Result<(Binaries, PathBuf)> {
    let plan = dir.join("crash-plan");
    std::fs::write(&plan, "")?;
    let wrapper = dir.join("rampartd-crash");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nRAMPART_CRASH_AT=\"$(cat '{}')\"\nexport RAMPART_CRASH_AT\nexec '{}' \"$@\"\n",
            plan.display(),
            binaries.rampartd.display()
        ),
    )?;
    Command::new("chmod").arg("+x").arg(&wrapper).status()?;
    Ok((
        Binaries {
            rampartd: wrapper,
            cometbft: binaries.cometbft.clone(),
        },
        plan,
    ))
}

/// The committed height node `index` reports, if it answers.
async fn height(t: &TestNet, index: usize) -> Option<u64> {
    t.heights()
        .await
        .into_iter()
        .find(|(i, _)| *i == index)
        .map(|(_, h)| h)
}

/// Waits until node `index`'s rampartd has exited (a crash point aborted it).
async fn wait_for_exit(t: &mut TestNet, index: usize, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        t.net.refresh();
        if !t.net.running(index).rampartd {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("node{index} rampartd did not crash within {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Restarts node 0 armed with `plan`, waits for the abort, restarts it unarmed and checks that
/// CometBFT's handshake replays to the header's app hash and the chain goes on.
async fn crash_and_recover(t: &mut TestNet, plan_file: &Path, plan: &str) -> Result<()> {
    let before = height(t, 0).await.unwrap_or(0);
    std::fs::write(plan_file, plan)?;
    t.net.stop_node(0, StopMode::default())?;
    t.start_node(0)?;
    wait_for_exit(t, 0, Duration::from_secs(90)).await?;
    let log = t.net.node(0)?.log_path("rampartd");
    let point = plan.split('@').next().unwrap_or(plan);
    let tail = log_tail(&log, 30);
    ensure!(
        tail.contains(&format!("aborting at crash point {point}")),
        "{plan}: rampartd exited without reaching its crash point:\n{tail}"
    );
    std::fs::write(plan_file, "")?;
    t.net.stop_node(0, StopMode::default())?;
    t.start_node(0)?;
    let target = before + 3;
    t.net.wait_for_height(target, height_timeout(3)).await?;
    // Block `target` is stored before the app commits it (see the disk-full drill).
    let checked = check_abci_info(&t.net, 0).await?;
    ensure!(
        checked + 1 >= target,
        "{plan}: abci_info at {checked} < {target} − 1"
    );
    Ok(())
}

/// Every crash point, several times: after each abort CometBFT's handshake replays the missing
/// blocks and the app's hash equals the header's; InitChain crashes twice before a clean start;
/// an export aborted midway leaves the store untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_crash_point_replays_to_the_same_app_hash() -> Result<()> {
    let mut t = TestNet::start(1)?;
    let real = t.binaries.clone();
    let scratch = tempfile::tempdir()?;
    let (crashing, plan_file) = crash_binaries(&real, scratch.path())?;
    t.net.wait_for_height(3, height_timeout(3)).await?;
    t.binaries = crashing;
    for plan in [
        "finalize-block",
        "finalize-block@3",
        "commit-batch",
        "commit-batch@4",
        "after-commit",
        "after-commit@2",
    ] {
        crash_and_recover(&mut t, &plan_file, plan)
            .await
            .with_context(|| format!("crash point {plan}"))?;
    }

    // Mid-export: the export aborts and prints nothing; the store is unchanged.
    t.net.stop_node(0, StopMode::default())?;
    let home = t.net.node(0)?.home.clone();
    for plan in ["export", "export@4"] {
        let out = rampartd(&real, &["export", "--home"], &home, Some(plan))?;
        ensure!(
            !out.status.success() && out.stdout.is_empty(),
            "{plan}: export must abort without output"
        );
        ensure!(
            String::from_utf8_lossy(&out.stderr).contains("aborting at crash point export"),
            "{plan}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = rampartd(&real, &["export", "--home"], &home, None)?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    ensure!(doc["app_state"]["bank"].is_object(), "export without bank");
    let out = rampartd(&real, &["debug", "invariants", "--home"], &home, None)?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.start_node(0)?;
    let now = height(&t, 0).await.unwrap_or(0);
    t.net.wait_for_height(now + 2, height_timeout(2)).await?;
    check_abci_info(&t.net, 0).await?;

    // InitChain: a chain that never committed, whose app crashes inside InitChain twice.
    t.net.stop_node(0, StopMode::default())?;
    reset_node(&real, &home)?;
    for _ in 0..2 {
        std::fs::write(&plan_file, "init-chain")?;
        t.start_node(0)?;
        wait_for_exit(&mut t, 0, Duration::from_secs(90)).await?;
        let tail = log_tail(&t.net.node(0)?.log_path("rampartd"), 30);
        ensure!(
            tail.contains("aborting at crash point init-chain"),
            "{tail}"
        );
        t.net.stop_node(0, StopMode::default())?;
    }
    std::fs::write(&plan_file, "")?;
    t.start_node(0)?;
    t.net.wait_for_height(3, height_timeout(3)).await?;
    check_abci_info(&t.net, 0).await?;
    Ok(())
}

/// Runs `rampartd <args> <home>`, with `RAMPART_CRASH_AT` set to `crash` if given.
fn rampartd(
    binaries: &Binaries,
    args: &[&str],
    home: &Path,
    crash: Option<&str>,
) -> Result<std::process::Output> {
    let mut command = Command::new(&binaries.rampartd);
    command.args(args).arg(home).env_remove("RAMPART_CRASH_AT");
    if let Some(plan) = crash {
        command.env("RAMPART_CRASH_AT", plan);
    }
    Ok(command.output()?)
}

/// Wipes a stopped node's chain data (CometBFT's and the app's), keeping its keys and genesis.
fn reset_node(binaries: &Binaries, home: &Path) -> Result<()> {
    let out = Command::new(&binaries.cometbft)
        .args(["unsafe-reset-all", "--home"])
        .arg(home)
        .output()?;
    ensure!(
        out.status.success(),
        "cometbft unsafe-reset-all: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = home.join("data/application.db");
    if store.exists() {
        std::fs::remove_dir_all(&store)?;
    }
    Ok(())
}

/// Losing 2 of 4 validators halts the chain without forking; when they return it resumes within
/// 30 s and everything committed before the halt is still there, on every node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quorum_loss_halts_without_forking_and_resumes() -> Result<()> {
    let mut t = TestNet::start(4)?;
    t.net.wait_for_height(3, height_timeout(3)).await?;
    let addrs = t
        .net
        .nodes()
        .iter()
        .map(|n| n.rpc_addr())
        .collect::<Result<Vec<_>>>()?;
    let monitor = Monitor::new(addrs, 1);
    monitor.tick().await;

    t.net.stop_nodes(&[2, 3], StopMode::Kill)?;
    monitor.set_down(&[2, 3], true);
    // A block already voted on may still commit; after that nothing may.
    tokio::time::sleep(Duration::from_secs(4)).await;
    monitor.tick().await;
    let halted = monitor.height_of_others(&[]);
    tokio::time::sleep(Duration::from_secs(10)).await;
    monitor.tick().await;
    let still = monitor.height_of_others(&[]);
    ensure!(
        still == halted,
        "2 of 4 validators down, yet the chain went from {halted} to {still}"
    );

    let restarted = Instant::now();
    let binaries = t.binaries.clone();
    t.net.start_nodes(&[2, 3], &binaries)?;
    monitor.set_down(&[2, 3], false);
    loop {
        monitor.tick().await;
        if monitor.height_of_others(&[]) > halted {
            break;
        }
        ensure!(
            restarted.elapsed() < Duration::from_secs(30),
            "the chain did not resume within 30 s of the validators' return"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // Every node serves the same blocks and app hashes from 1 to the height after the halt.
    let target = halted + 2;
    t.net.wait_for_height(target, height_timeout(2)).await?;
    monitor.tick().await;
    let state = monitor.lock();
    ensure!(state.violations.is_empty(), "{:?}", state.violations);
    ensure!(
        (1..=target).all(|h| state.headers.contains_key(&h)),
        "some heights were never read"
    );
    ensure!(
        state.headers_compared >= 3 * halted,
        "only {} headers compared",
        state.headers_compared
    );
    Ok(())
}

/// A two-minute mixed drill (a fault every 15 s) under light load: no stall, no divergence,
/// every restarted node caught up, nothing lost or twice, invariants hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_mixed_drill_under_load_finds_no_violation() -> Result<()> {
    let mut t = TestNet::start(4)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let binaries = t.binaries.clone();
    let options = DrillOptions {
        duration: Duration::from_secs(120),
        every: Duration::from_secs(15),
        mode: FaultMode::Mixed,
        load: Some(10.0),
        seed: 15,
        max_down: None,
        invariants: true,
    };
    let report = drill::run(&mut t.net, &binaries, &options).await?;
    eprint!("{report}");
    ensure!(report.violations.is_empty(), "{report}");
    ensure!(report.faults.len() == 8, "{report}");
    let load = report.load.as_ref().context("no load figures")?;
    ensure!(
        load.committed > 100 && load.lost == 0 && load.duplicated == 0,
        "{report}"
    );
    ensure!(matches!(report.invariants, Some(Ok(_))), "{report}");
    Ok(())
}

/// Runs `rampartd start --home <home>` alone (no CometBFT) for up to `wait`; returns its exit
/// status (`None`: it was still running then, and is stopped) and everything it printed.
fn start_alone(
    binaries: &Binaries,
    home: &Path,
    wait: Duration,
) -> Result<(Option<std::process::ExitStatus>, String)> {
    let log = home.join("start-alone.log");
    let mut child = Command::new(&binaries.rampartd)
        .args(["start", "--home"])
        .arg(home)
        .env_remove("RUST_BACKTRACE")
        .stdout(std::fs::File::create(&log)?)
        .stderr(std::fs::File::create(home.join("start-alone.err"))?)
        .spawn()?;
    let deadline = Instant::now() + wait;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() > deadline {
            child.kill()?;
            child.wait()?;
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text =
        std::fs::read_to_string(&log)? + &std::fs::read_to_string(home.join("start-alone.err"))?;
    Ok((status, text))
}

/// Fails if `text` (a rampartd log or output) shows a panic or a backtrace.
fn ensure_no_panic(case: &str, text: &str) -> Result<()> {
    ensure!(
        !text.contains("panicked") && !text.contains("stack backtrace"),
        "{case}: rampartd panicked:\n{text}"
    );
    Ok(())
}

/// The largest file under `dir`.
fn largest_file(dir: &Path) -> Result<PathBuf> {
    let mut best: Option<(u64, PathBuf)> = None;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let meta = entry.metadata()?;
            if meta.is_dir() {
                stack.push(entry.path());
            } else if best.as_ref().is_none_or(|(size, _)| meta.len() > *size) {
                best = Some((meta.len(), entry.path()));
            }
        }
    }
    best.map(|(_, p)| p).context("empty store")
}

/// Copies directory `from` to `to` (replacing it).
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to)?;
    }
    let status = Command::new("cp").arg("-a").arg(from).arg(to).status()?;
    ensure!(
        status.success(),
        "cp -a {} {}",
        from.display(),
        to.display()
    );
    Ok(())
}

/// Starts node 0 on a damaged store: rampartd refuses to start (non-zero exit) with an error
/// naming the store, saying it is damaged and what to do — never a panic — unless sled lost
/// nothing (the damage hit only stale parts of its log): then the store holds exactly the
/// committed height `before`. Never an older height.
fn start_on_damaged_store(t: &mut TestNet, case: &str, before: u64) -> Result<()> {
    let home = t.net.node(0)?.home.clone();
    let (status, text) = start_alone(&t.binaries, &home, Duration::from_secs(15))?;
    ensure_no_panic(case, &text)?;
    let Some(status) = status else {
        let height = check_height(t, &home)?;
        ensure!(
            height == before,
            "{case}: rampartd started at height {height}, but {before} was committed"
        );
        eprintln!("{case} store: nothing lost, opened at the committed height {height}");
        return Ok(());
    };
    ensure!(!status.success(), "{case}: rampartd exited with {status}");
    ensure!(
        text.contains("data/application.db")
            && text.contains("is damaged")
            && text.contains("restore the data directory from a backup"),
        "{case}: the error does not name the store and what to do:\n{text}"
    );
    let last = text.trim().lines().last().unwrap_or_default();
    eprintln!("{case} store: refused: {last}");
    Ok(())
}

/// A truncated or corrupted store file and a full disk: rampartd refuses or stops with an error
/// naming the store and what to do (never a panic, never an older height); after the repair the
/// node goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_store_files_and_a_full_disk_stop_rampartd_with_a_clear_error() -> Result<()> {
    let mut t = TestNet::start(1)?;
    t.net.wait_for_height(4, height_timeout(4)).await?;
    t.net.stop_node(0, StopMode::default())?;
    let home = t.net.node(0)?.home.clone();
    let store = home.join("data/application.db");
    let scratch = tempfile::tempdir()?;
    let pristine = scratch.path().join("application.db");
    copy_dir(&store, &pristine)?;
    let before = check_height(&t, &home)?;

    // Truncated: the largest store file cut in half.
    let file = largest_file(&store)?;
    let len = std::fs::metadata(&file)?.len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)?
        .set_len(len / 2)?;
    start_on_damaged_store(&mut t, "truncated", before)?;

    // Corrupted: 4 KiB in the middle of the largest file overwritten.
    copy_dir(&pristine, &store)?;
    let file = largest_file(&store)?;
    let mut bytes = std::fs::read(&file)?;
    let mid = bytes.len() / 2;
    for b in bytes.iter_mut().skip(mid).take(4096) {
        *b ^= 0x5A;
    }
    std::fs::write(&file, bytes)?;
    start_on_damaged_store(&mut t, "corrupted", before)?;

    // Full disk: the store on a tmpfs with little room left.
    copy_dir(&pristine, &store)?;
    std::fs::remove_dir_all(&store)?;
    std::fs::create_dir(&store)?;
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&store)
        .output()?;
    if !mounted.status.success() {
        eprintln!(
            "SKIPPED the full-disk case: cannot mount a tmpfs ({}); run the test as root",
            String::from_utf8_lossy(&mounted.stderr).trim()
        );
        return Ok(());
    }
    let result = full_disk(&mut t, &pristine, &store).await;
    let _ = t.net.stop_node(0, StopMode::Kill);
    let _ = Command::new("umount").arg(&store).status();
    result
}

/// The committed height of the stopped node at `home` (`rampartd debug invariants`).
fn check_height(t: &TestNet, home: &Path) -> Result<u64> {
    let out = rampartd(&t.binaries, &["debug", "invariants", "--home"], home, None)?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .rsplit(' ')
        .next()
        .and_then(|h| h.parse().ok())
        .with_context(|| format!("{text}{}", String::from_utf8_lossy(&out.stderr)))
}

/// Fills the tmpfs holding the store, runs the node until rampartd stops, checks its error, then
/// frees the space and checks that the node goes on with the header's app hash.
async fn full_disk(t: &mut TestNet, pristine: &Path, store: &Path) -> Result<()> {
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "cp -a '{}'/. '{}'/ && dd if=/dev/zero of='{}/filler' bs=4k 2>/dev/null; \
             rm -f '{}/filler' && dd if=/dev/zero of='{}/filler' bs=4k count=$(( $(df -k --output=avail '{}' | tail -1) / 4 - 64 )) 2>/dev/null",
            pristine.display(),
            store.display(),
            store.display(),
            store.display(),
            store.display(),
            store.display()
        ))
        .status()?;
    ensure!(status.success(), "filling the tmpfs failed");
    let before = height(t, 0).await.unwrap_or(0);
    // rampartd refuses to open the store, or stops when a commit finds the disk full.
    let text = match t.start_node(0) {
        Err(e) => format!("{e:#}"),
        Ok(()) => {
            wait_for_exit(t, 0, Duration::from_secs(120)).await?;
            std::fs::read_to_string(t.net.node(0)?.log_path("rampartd"))?
        }
    };
    eprintln!("full disk: {}", text.lines().last().unwrap_or_default());
    ensure!(
        !text.contains("panicked"),
        "full disk: rampartd panicked:\n{text}"
    );
    ensure!(
        text.contains("application.db") && text.contains("disk is full"),
        "full disk: the error does not name the store and what to do:\n{text}"
    );
    t.net.stop_node(0, StopMode::default())?;
    std::fs::remove_file(store.join("filler"))?;
    t.start_node(0)?;
    t.net.wait_for_height(before + 3, height_timeout(3)).await?;
    check_abci_info(&t.net, 0).await?;
    Ok(())
}

/// The long drills of docs/RELIABILITY.md on a fresh 4-validator localnet on free ports (so one
/// can run beside `cargo localnet up`). Ignored; `RAMPART_DRILL="<duration> <every> <fault>
/// <tx/s> <seed>"`, e.g. `RAMPART_DRILL="30m 60s kill 50 2026" cargo test --workspace
/// --locked --test e2e fault_drills::long_drill -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "30 minutes; run by hand for docs/RELIABILITY.md"]
async fn long_drill() -> Result<()> {
    let spec = std::env::var("RAMPART_DRILL").unwrap_or_else(|_| "30m 60s kill 50 2026".into());
    let parts: Vec<&str> = spec.split_whitespace().collect();
    let [duration, every, fault, rate, seed] = parts[..] else {
        bail!("RAMPART_DRILL={spec:?}: expected `<duration> <every> <fault> <tx/s> <seed>`");
    };
    let parse = rampart_localnet::cli::drill::parse_duration;
    let options = DrillOptions {
        duration: parse(duration).map_err(anyhow::Error::msg)?,
        every: parse(every).map_err(anyhow::Error::msg)?,
        mode: fault.parse().map_err(anyhow::Error::msg)?,
        load: Some(rate.parse()?),
        seed: seed.parse()?,
        max_down: None,
        invariants: true,
    };
    let mut t = TestNet::start(4)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let binaries = t.binaries.clone();
    let report = drill::run(&mut t.net, &binaries, &options).await?;
    println!("{report}");
    ensure!(report.violations.is_empty(), "{report}");
    Ok(())
}

/// Registers a consumer chain (spawn time 15 s ahead, all 4 validators), opts every validator of
/// the 4-node `t` in with 25 % and runs it (`consumer up --wait`): 4 consumer nodes of equal
/// power and a relayer. Returns the consumer's id.
async fn launch_consumer(t: &mut TestNet) -> Result<u64> {
    use rampart_tests::cli::{tx_outcome, Cli, Key};
    let cli = Cli::new(t)?;
    let chain_id = "consumer-drill";
    let register = [
        "consumer",
        "register",
        chain_id,
        "--name",
        "drilled consumer",
        "--spawn-time",
        "+15s",
        "--min-validators",
        "4",
    ];
    cli.tx_ok(Key::Faucet, &register)?;
    let consumers = cli.query(&["consumer", "consumers"])?;
    let id: u64 = consumers["consumers"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["chain_id"] == chain_id))
        .and_then(|c| c["consumer_id"].as_str())
        .with_context(|| format!("registered consumer: {consumers}"))?
        .parse()?;
    let id_text = id.to_string();
    let mut children = Vec::new();
    for node in 0..4 {
        let home = t.net.node(node)?.home.clone();
        let args = ["restaking", "opt-in", id_text.as_str(), "25%"];
        children.push((
            args,
            cli.tx_command(Key::Operator(&home), &args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()?,
        ));
    }
    for (args, child) in children {
        tx_outcome(&args, child.wait_with_output()?)?;
    }
    let binaries = t.binaries.clone();
    let up = rampart_localnet::consumer::up(&mut t.net, &binaries, id, true).await?;
    ensure!(up.added.len() == 4, "{up:?}");
    Ok(id)
}

/// A short consumer drill: 4 provider validators run a consumer chain on 4 nodes with a relayer;
/// for 75 s a mixed fault every 15 s (a seed whose schedule kills the relayer with -9) hits the
/// consumer's nodes or its relayer under light load on the consumer. No stall, no divergence,
/// every restarted consumer node caught up with its abci_info equal to the header, the consumer
/// followed every pledge change made before a fault, nothing lost or twice, invariants hold.
/// Then the relayer's first consumer node stays down for 45 s (longer than the consumer's
/// trusting period of the provider, 40 s): the relayer fails over and the consumer follows two
/// more pledge changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_consumer_drill_with_relayer_faults_finds_no_violation() -> Result<()> {
    use rampart_localnet::drill::schedule::{self, FaultKind, ScheduleSpec};
    let mut t = TestNet::start(4)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let id = launch_consumer(&mut t).await?;
    let (duration, every) = (Duration::from_secs(75), Duration::from_secs(15));
    // The first seed whose 5 faults kill the relayer and hit nodes too.
    let seed = (1..1_000)
        .find(|&seed| {
            let plan = schedule::plan(&ScheduleSpec {
                seed,
                duration,
                every,
                mode: FaultMode::Mixed,
                validators: 4,
                max_down: 1,
                relayer: true,
            });
            plan.iter().any(|f| f.kind == FaultKind::RelayerKill)
                && plan.iter().filter(|f| !f.kind.is_relayer()).count() >= 3
        })
        .context("no seed")?;
    let options = DrillOptions {
        duration,
        every,
        mode: FaultMode::Mixed,
        load: Some(5.0),
        seed,
        max_down: None,
        invariants: true,
    };
    let binaries = t.binaries.clone();
    let chain = rampart_localnet::Chain::Consumer(id);
    let report = drill::run_on(&mut t.net, &binaries, chain, &options).await?;
    eprint!("{report}");
    ensure!(report.violations.is_empty(), "{report}");
    ensure!(report.faults.len() == 5, "{report}");
    ensure!(
        report.follow_times().len() == 5
            && report
                .faults
                .iter()
                .any(|f| f.kind == FaultKind::RelayerKill),
        "{report}"
    );
    ensure!(report.headers_compared > 0, "{report}");
    let load = report.load.as_ref().context("no load figures")?;
    ensure!(
        load.committed > 50 && load.lost == 0 && load.duplicated == 0,
        "{report}"
    );
    ensure!(matches!(report.invariants, Some(Ok(_))), "{report}");

    // The relayer's first consumer endpoint (node0) stays down for longer than the light client's
    // trusting period (40 s on the localnet): the relayer fails over to another node, and the
    // consumer still follows a pledge change.
    use rampart_localnet::drill::follow::{Follower, FOLLOW_LIMIT};
    t.net.stop_chain_nodes(chain, &[0], StopMode::Kill)?;
    let mut follower = Follower::new(&t.net, id).await?;
    let change = follower.change_pledge(&t.net).await?;
    let down = Instant::now();
    let followed = follower.wait_followed(&t.net, &change, down).await?;
    ensure!(followed <= FOLLOW_LIMIT, "followed in {followed:?}");
    tokio::time::sleep(Duration::from_secs(45).saturating_sub(down.elapsed())).await;
    let change = follower.change_pledge(&t.net).await?;
    let followed = follower
        .wait_followed(&t.net, &change, Instant::now())
        .await?;
    ensure!(followed <= FOLLOW_LIMIT, "followed in {followed:?}");
    Ok(())
}

/// `cargo localnet start --node 0` after a kill -9: the node's tx index lacks the last blocks
/// (its index is removed, as a kill between CometBFT's commit and its indexing leaves it), and
/// `start` re-indexes them — a transaction committed just before the kill is found by hash on
/// the restarted node — and it starts the rampartd the localnet was started with (recorded in
/// `localnet.json`; here a wrapper that notes each start), not the build of `cargo localnet`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_after_a_kill_reindexes_and_runs_the_recorded_build() -> Result<()> {
    use rampart_client::keys::hd::{AccountKey, KeyType};
    use rampart_client::keys::mnemonic;
    use rampart_client::send::{self, SendPlan};
    use rampart_client::{coins::parse_coin, BroadcastMode, NodeClient};

    let mut t = TestNet::start(1)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    // Node 0 runs a wrapper of rampartd that notes each start: what localnet.json records.
    let scratch = tempfile::tempdir()?;
    let starts = scratch.path().join("starts");
    let wrapper = scratch.path().join("rampartd-noted");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho start >> '{}'\nexec '{}' \"$@\"\n",
            starts.display(),
            t.binaries.rampartd.display()
        ),
    )?;
    Command::new("chmod").arg("+x").arg(&wrapper).status()?;
    t.net.stop_node(0, StopMode::default())?;
    t.binaries.rampartd = wrapper.clone();
    t.start_node(0)?;
    t.net.wait_for_height(3, height_timeout(3)).await?;
    ensure!(t.net.manifest().recorded_rampartd() == Some(wrapper.clone()));
    let noted = || std::fs::read_to_string(&starts).map(|s| s.lines().count());
    ensure!(noted()? == 1);

    // A transfer committed just before node 0 is paused and killed.
    let funding = t.funding()?;
    let node = t.net.node(0)?.clone();
    let client = NodeClient::new(&node.rpc)?;
    let faucet = AccountKey::from_mnemonic(
        &mnemonic::parse(&funding.faucet.mnemonic)?,
        KeyType::Secp256k1,
    )?;
    let plan = SendPlan::new(
        &funding.faucet.address,
        vec![parse_coin(&format!("1{}", funding.denom))?],
    );
    let sent = send::execute(
        &client,
        &faucet,
        &plan,
        BroadcastMode::Block,
        Duration::from_secs(60),
    )
    .await?;
    for signal in ["STOP", "KILL"] {
        for pid in [node.pids.cometbft, node.pids.rampartd]
            .into_iter()
            .flatten()
        {
            rampart_localnet::process::send_signal(pid, signal)?;
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    t.net.refresh();
    ensure!(!t.net.running(0).cometbft && !t.net.running(0).rampartd);
    std::fs::remove_dir_all(node.home.join("data").join("tx_index.db"))?;

    // `cargo localnet start --node 0`, as a user runs it.
    rampart_localnet::cli::node_cmds::start(&t.home(), 0).await?;
    t.net = rampart_localnet::Localnet::load(&t.home())?;
    ensure!(
        noted()? == 2,
        "`start` did not run the recorded rampartd {}",
        wrapper.display()
    );
    let found = client.tx(&sent.hash).await?.with_context(|| {
        format!(
            "tx {} (height {:?}) is unknown to the restarted node",
            sent.hash, sent.height
        )
    })?;
    ensure!(found.tx_result.code.value() == 0);
    Ok(())
}

/// The disk holding a validator's store fills while the chain runs under load: its rampartd stops
/// with an error naming the store and what to do (no panic, no backtrace) while the other three
/// validators go on; after room is made the node restarts, its store opens at its last durable
/// height and CometBFT's handshake replays it to the same app hash as the others. Needs root for
/// the tmpfs (skipped otherwise).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_full_during_commit_stops_rampartd_and_the_node_replays() -> Result<()> {
    let mut t = TestNet::start(4)?;
    t.net.wait_for_height(3, height_timeout(3)).await?;
    let node = 3;
    t.net.stop_node(node, StopMode::default())?;
    let store = t.net.node(node)?.home.join("data/application.db");
    let scratch = tempfile::tempdir()?;
    let pristine = scratch.path().join("application.db");
    copy_dir(&store, &pristine)?;
    std::fs::remove_dir_all(&store)?;
    std::fs::create_dir(&store)?;
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
        .arg(&store)
        .output()?;
    if !mounted.status.success() {
        eprintln!(
            "SKIPPED: cannot mount a tmpfs ({}); run the test as root",
            String::from_utf8_lossy(&mounted.stderr).trim()
        );
        return Ok(());
    }
    let result = disk_full_under_load(&mut t, node, &pristine, &store).await;
    let _ = t.net.stop_node(node, StopMode::Kill);
    let _ = Command::new("umount").arg(&store).status();
    result
}

/// The body of [`a_disk_full_during_commit_stops_rampartd_and_the_node_replays`], with the
/// store of node `node` on a tmpfs mounted at `store`.
async fn disk_full_under_load(
    t: &mut TestNet,
    node: usize,
    pristine: &Path,
    store: &Path,
) -> Result<()> {
    use rampart_localnet::load::{Generator, LoadPlan, LoadTarget};

    // The store, and a filler leaving about 2 MiB: a few dozen loaded blocks.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "cp -a '{p}'/. '{s}'/ && dd if=/dev/zero of='{s}/filler' bs=64k \
             count=$(( $(df -k --output=avail '{s}' | tail -1) / 64 - 32 )) 2>/dev/null",
            p = pristine.display(),
            s = store.display()
        ))
        .status()?;
    ensure!(status.success(), "filling the tmpfs failed");
    // The load goes to the other three nodes (funded while the node is down); the node executes
    // their blocks.
    let plan = LoadPlan {
        accounts: 40,
        seed: 15_015,
        ..LoadPlan::default()
    };
    let generator = Generator::prepare(LoadTarget::from_localnet(&t.net)?, plan).await?;
    t.start_node(node)?;
    let running = generator.start(40, Duration::from_secs(30)).await?;
    let exited = wait_for_exit(t, node, Duration::from_secs(300)).await;
    let died_at = t.common_height().await.unwrap_or(0);
    let (_, report) = running.stop().await?;
    exited?;
    let log = std::fs::read_to_string(t.net.node(node)?.log_path("rampartd"))?;
    let last = log.trim().lines().last().unwrap_or_default();
    eprintln!("disk full at about height {died_at}: {last}");
    ensure_no_panic("disk full during Commit", &log)?;
    ensure!(
        last.contains("data/application.db")
            && last.contains("free space and start rampartd again"),
        "disk full: the last line does not name the store and what to do:\n{log}"
    );
    ensure!(report.committed > 0, "no load committed:\n{report}");

    // The others went on without it.
    t.net.stop_node(node, StopMode::default())?;
    let others = died_at + 3;
    t.net.wait_for_height(others, height_timeout(3)).await?;

    // Room again: the node restarts, replays and agrees with the others.
    std::fs::remove_file(store.join("filler"))?;
    t.start_node(node)?;
    let target = others + 2;
    let deadline = Instant::now() + height_timeout(20);
    while height(t, node).await.unwrap_or(0) < target {
        ensure!(
            Instant::now() < deadline,
            "node{node} did not catch up to {target}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // CometBFT stores block `target` before the app commits it: the app is at `target − 1` at
    // least (CI once read 19 for a node at block 20).
    let checked = check_abci_info(&t.net, node).await?;
    ensure!(
        checked + 1 >= target,
        "abci_info at {checked} < {target} − 1"
    );
    for h in [died_at.saturating_sub(1).max(1), died_at, others, target] {
        t.assert_same_block(&[0, 1, 2, node], h).await?;
    }
    Ok(())
}
