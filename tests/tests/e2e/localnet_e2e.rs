//! End-to-end: real localnets (rampartd + CometBFT) built by the
//! `rampart-localnet` library, on free loopback ports.

use anyhow::{ensure, Context, Result};
use rampart_localnet::StopMode;
use rampart_tests::{height_timeout, TestNet};

/// A single validator produces blocks on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_node_reaches_height_10() -> Result<()> {
    let t = TestNet::start(1)?;
    let statuses = t.net.wait_for_height(10, height_timeout(10)).await?;
    ensure!(statuses[0].height.is_some_and(|h| h >= 10), "{statuses:?}");
    let block = t.assert_same_block(&[0], 10).await?;
    ensure!(block.height == 10);
    Ok(())
}

/// Issue 16: rampartd's `/metrics` (and CometBFT's) on a running localnet parse as the
/// Prometheus text format, and their values move as blocks commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_move_as_blocks_commit() -> Result<()> {
    use rampart_tests::metrics::{scrape, value};
    let t = TestNet::start(1)?;
    let node = &t.net.nodes()[0];
    let (Some(url), Some(cometbft_url)) = (node.metrics.clone(), node.cometbft_metrics.clone())
    else {
        anyhow::bail!("localnet.json lists no metrics for node0: {node:?}");
    };
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let before = scrape(&url)?;
    let height_before = value(&before, "rampart_block_height", &[]).unwrap_or(0.0);
    ensure!(
        height_before >= 2.0,
        "block height {height_before} at height 2"
    );
    let commits = |s| {
        value(
            s,
            "rampart_abci_duration_seconds_count",
            &[("method", "commit")],
        )
    };
    let commits_before = commits(&before).unwrap_or(0.0);

    t.net.wait_for_height(6, height_timeout(4)).await?;
    let after = scrape(&url)?;
    let height_after = value(&after, "rampart_block_height", &[]).unwrap_or(0.0);
    ensure!(
        height_after >= height_before + 3.0,
        "block height went from {height_before} to {height_after}"
    );
    ensure!(
        commits(&after).unwrap_or(0.0) >= commits_before + 3.0,
        "commit durations did not grow: {commits_before} -> {:?}",
        commits(&after)
    );
    let finalized = value(
        &after,
        "rampart_abci_duration_seconds_count",
        &[("method", "finalize_block")],
    );
    ensure!(finalized.is_some_and(|n| n >= 6.0), "{finalized:?}");
    for gauge in ["rampart_txs_total", "rampart_gas_used_total"] {
        ensure!(value(&after, gauge, &[]).is_some(), "{gauge} missing");
    }
    // The sampler reads the store within its period.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let size = value(&scrape(&url)?, "rampart_store_size_bytes", &[]).unwrap_or(0.0);
        if size > 0.0 {
            break;
        }
        ensure!(std::time::Instant::now() < deadline, "store size stays 0");
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    // CometBFT's own endpoint, as the localnet turns it on.
    let cometbft = scrape(&cometbft_url)?;
    let cometbft_height = value(&cometbft, "cometbft_consensus_height", &[]);
    ensure!(
        cometbft_height.is_some_and(|h| h >= 6.0),
        "cometbft_consensus_height {cometbft_height:?}"
    );
    Ok(())
}

/// Four validators agree on every block and on the app state — also when three of them
/// withhold their events from CometBFT (`--lean-validators`): the block hashes cover the results
/// hash, which covers code, data and gas, not events; node0 still serves the events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_validators_agree_on_blocks_and_app_hash() -> Result<()> {
    let t = TestNet::start_lean(4)?;
    let statuses = t.net.wait_for_height(10, height_timeout(10)).await?;
    ensure!(statuses.len() == 4, "{statuses:?}");
    for status in &statuses {
        ensure!(
            status.peers.is_some_and(|p| p >= 2),
            "{} has too few peers: {status:?}",
            status.name
        );
    }
    let all = [0, 1, 2, 3];
    t.assert_same_block(&all, 2).await?;
    t.assert_same_block(&all, 10).await?;
    // The latest height every node has: compares the most recent app state.
    let common = t.common_height().await.unwrap_or(10);
    t.assert_same_block(&all, common).await?;
    // Every block mints: node0's results carry its begin-block events, node1's none.
    ensure!(
        block_events(&t, 0, 10).await? > 0,
        "node0 serves the events"
    );
    ensure!(block_events(&t, 1, 10).await? == 0, "node1 withholds them");
    // The load report counts the nodes that withhold them.
    let target = rampart_localnet::load::LoadTarget::from_localnet(&t.net)?;
    ensure!(
        target.withholding_events == 3,
        "{}",
        target.withholding_events
    );
    Ok(())
}

/// How many block events node `index`'s CometBFT holds for `height` (`block_results`).
async fn block_events(t: &TestNet, index: usize, height: u64) -> Result<usize> {
    let addr = t.net.nodes()[index].rpc_addr()?;
    let results =
        rampart_localnet::rpc::get(addr, &format!("block_results?height={height}")).await?;
    Ok(results["finalize_block_events"]
        .as_array()
        .map_or(0, Vec::len))
}

/// A crashed validator does not stop the other three; after a restart it
/// catches up and agrees with them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_validator_recovers_and_catches_up() -> Result<()> {
    let mut t = TestNet::start(4)?;
    t.net.wait_for_height(3, height_timeout(3)).await?;

    // Crash node3: SIGKILL both of its processes.
    t.net.stop_node(3, StopMode::Kill)?;
    ensure!(!t.net.running(3).cometbft && !t.net.running(3).rampartd);

    // 3 of 4 validators (30/40 > 2/3 of the power) keep committing.
    let at_kill = t.heights().await;
    ensure!(
        at_kill.len() == 3,
        "only nodes 0..2 should answer: {at_kill:?}"
    );
    let top = at_kill.iter().map(|(_, h)| *h).max().unwrap_or(0);
    let statuses = t.net.wait_for_height(top + 3, height_timeout(3)).await?;
    ensure!(
        statuses[3].height.is_none(),
        "node3 must be down: {:?}",
        statuses[3]
    );

    // Restart node3; it must reach the height the others had at restart time.
    let at_restart = t.heights().await;
    let target = at_restart.iter().map(|(_, h)| *h).max().unwrap_or(0);
    t.start_node(3)?;
    let statuses = t
        .net
        .wait_for_height(target, height_timeout(target))
        .await?;
    ensure!(
        statuses[3].height.is_some_and(|h| h >= target),
        "node3 did not catch up to {target}: {:?}",
        statuses[3]
    );

    // Same chain and same app state: a block committed while node3 was down,
    // and the latest common height.
    let all = [0, 1, 2, 3];
    t.assert_same_block(&all, top + 1).await?;
    let common = t.common_height().await.unwrap_or(target);
    ensure!(common >= target, "heights regressed below {target}");
    t.assert_same_block(&all, common).await?;
    Ok(())
}

/// The packages cargo compiled (not fresh) for `command`, from its `--message-format json`
/// output; `program_args` go to the program `cargo run` runs.
fn compiled_by(mut command: std::process::Command, program_args: &[&str]) -> Result<Vec<String>> {
    command.args(["--message-format", "json"]);
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    if !program_args.is_empty() {
        command.arg("--").args(program_args);
    }
    let output = command.stdin(std::process::Stdio::null()).output()?;
    ensure!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["fresh"] == false)
        .map(|m| m["package_id"].as_str().unwrap_or_default().to_string())
        .collect())
}

/// `cargo localnet --help`, as the alias runs it.
fn cargo_localnet_help() -> Result<Vec<String>> {
    let mut command = rampart_localnet::workspace_cargo("run");
    command.args(["--package", "rampart-localnet", "--bin", "rampart-localnet"]);
    compiled_by(command, &["--help"])
}

/// `cargo build -p rampartd`, as `cargo localnet up` and these tests build it.
fn cargo_build_rampartd() -> Result<Vec<String>> {
    let mut command = rampart_localnet::workspace_cargo("build");
    command.args(["--package", "rampartd", "--bin", "rampartd"]);
    compiled_by(command, &[])
}

/// Issue 16: once built, a `cargo localnet` command right after `cargo build -p rampartd` (and
/// that build again after it) compiles nothing — the same features and the same environment for
/// build scripts — also when run from inside `cargo test`, whose environment names the test's
/// own package. (Before the fix, a variable cargo sets for the running package reached the
/// nested build and made ring's build script, and everything above it, rebuild.)
#[test]
fn localnet_command_after_a_rampartd_build_compiles_nothing() -> Result<()> {
    // Warm-up: whatever the test build left to do for these two commands.
    cargo_localnet_help()?;
    cargo_build_rampartd()?;
    let localnet = cargo_localnet_help()?;
    ensure!(
        localnet.is_empty(),
        "`cargo localnet` after `cargo build -p rampartd` recompiled {localnet:?}"
    );
    let rampartd = cargo_build_rampartd()?;
    ensure!(
        rampartd.is_empty(),
        "`cargo build -p rampartd` after `cargo localnet` recompiled {rampartd:?}"
    );
    Ok(())
}

// ---- Issue 14: the load generator (`rampart_localnet::load`) against real nodes. ----

/// A load run at a modest rate on one validator: every transaction it sent is committed with
/// code 0, none is refused, the report's figures are sane, and each funded account's sequence on
/// the chain is the number of its transactions the generator saw committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_commits_everything_it_sends() -> Result<()> {
    use rampart_localnet::load::{Generator, LoadApp, LoadPlan, LoadTarget};
    let t = TestNet::start(1)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let target = LoadTarget::from_localnet(&t.net)?;
    ensure!(target.app == LoadApp::Rampart && !target.build.is_empty());
    let plan = LoadPlan {
        accounts: 40,
        seed: 14,
        ..LoadPlan::default()
    };
    let mut generator = Generator::prepare(target, plan).await?;
    let accounts = generator.addresses();
    ensure!(accounts.len() == 40);
    let report = generator
        .run(20, std::time::Duration::from_secs(10))
        .await?;
    eprintln!("{report}");
    ensure!(report.sent >= 150, "sent only {}", report.sent);
    ensure!(report.committed == report.sent, "{report:?}");
    ensure!(
        report.failed.is_empty() && report.refused.is_empty(),
        "{report:?}"
    );
    ensure!(
        report.not_committed == 0 && report.resyncs == 0,
        "{report:?}"
    );
    let window = report.window.clone().context("no committed window")?;
    ensure!(
        window.tx_per_s > 5.0 && window.tx_per_s < 60.0,
        "{window:?}"
    );
    ensure!(report.offered_tx_per_s > 15.0 && report.offered_tx_per_s < 25.0);
    ensure!(report
        .latency_ms
        .is_some_and(|l| l.p50 > 0.0 && l.p50 <= l.p99));
    ensure!(report.load_block_ms.is_some() && report.idle_block_ms.is_some());
    ensure!(report.block_txs.max >= 1 && report.tx_bytes > 100.0);
    ensure!(report.committed_hashes.len() as u64 == report.committed);
    // CometBFT's and rampartd's CPU time over the run, from /proc.
    let cpu = report.cpu.context("the nodes' CPU per transaction")?;
    ensure!(
        cpu.processes == 2 && cpu.cometbft_ms > 0.0 && cpu.app_ms.is_some_and(|ms| ms > 0.0),
        "{cpu:?}"
    );
    let per_account: u64 = report.committed_per_account.values().sum();
    ensure!(per_account == report.committed);

    let client = rampart_client::NodeClient::new(&t.net.nodes()[0].rpc)?;
    for address in accounts.iter().take(5) {
        let account = client.auth().account(address).await?.context("funded")?;
        ensure!(account.sequence == report.committed_per_account[address]);
    }
    let tx = client
        .tx(&report.committed_hashes[0])
        .await?
        .context("a committed hash is found")?;
    ensure!(tx.tx_result.code.value() == 0);
    Ok(())
}

/// `cargo localnet up --app kvstore`'s network: CometBFT alone with its kvstore app, on the
/// localnet layout; the generator's `key=value` transactions of a signed transfer's size commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kvstore_localnet_commits_load() -> Result<()> {
    use rampart_localnet::load::{Generator, LoadApp, LoadPlan, LoadTarget};
    let binaries = rampart_tests::binaries()?;
    let home = tempfile::Builder::new().prefix("rampart-kv-").tempdir()?;
    let mut net = rampart_localnet::kvstore::create(&rampart_localnet::CreateOptions {
        home: home.path().to_path_buf(),
        validators: 2,
        chain_id: "kv-localnet".into(),
        ports: rampart_localnet::PortPlan::Free,
        binaries: binaries.clone(),
    })?;
    struct Stop<'a>(&'a mut rampart_localnet::Localnet);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            let _ = self.0.stop(StopMode::Kill);
        }
    }
    net.start(&binaries)?;
    let net = Stop(&mut net);
    ensure!(!net.0.running(0).rampartd && net.0.running(0).cometbft);
    net.0.wait_for_height(2, height_timeout(2)).await?;
    let target = LoadTarget::from_localnet(&*net.0)?;
    ensure!(target.app == LoadApp::Kvstore && target.nodes.len() == 2);
    let plan = LoadPlan {
        accounts: 20,
        ..LoadPlan::default()
    };
    let mut generator = Generator::prepare(target, plan).await?;
    let report = generator.run(50, std::time::Duration::from_secs(5)).await?;
    eprintln!("{report}");
    ensure!(report.app == "kvstore" && report.sent >= 150, "{report:?}");
    ensure!(
        report.committed == report.sent && report.failed.is_empty(),
        "{report:?}"
    );
    ensure!(
        report.tx_bytes > 100.0,
        "kvstore txs mimic a signed transfer's size"
    );
    let cpu = report.cpu.context("CometBFT's CPU per transaction")?;
    ensure!(
        cpu.processes == 2 && cpu.cometbft_ms > 0.0 && cpu.app_ms.is_none(),
        "the app runs inside CometBFT: {cpu:?}"
    );
    Ok(())
}

/// Load against a localnet whose nodes are not running fails with what to do.
#[test]
fn load_needs_a_running_localnet() -> Result<()> {
    let binaries = rampart_tests::binaries()?;
    let home = tempfile::Builder::new()
        .prefix("rampart-stopped-")
        .tempdir()?;
    let net = rampart_localnet::Localnet::create(&rampart_localnet::CreateOptions {
        home: home.path().to_path_buf(),
        validators: 1,
        chain_id: "stopped".into(),
        ports: rampart_localnet::PortPlan::Free,
        binaries,
    })?;
    let err = rampart_localnet::load::LoadTarget::from_localnet(&net)
        .err()
        .context("a stopped localnet cannot be loaded")?;
    ensure!(format!("{err:#}").contains("is not running"), "{err:#}");
    Ok(())
}

/// Processes started by a test, killed when it ends (also when it fails).
struct Processes(Vec<std::process::Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Issue 16: `rampartd testnet --hosts` writes one home per host; started as separate hosts
/// would start them (loopback addresses 127.0.0.2 … 127.0.0.5 standing in for machines, real
/// rampartd and CometBFT processes), the four validators commit blocks together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn testnet_homes_on_four_hosts_commit_blocks() -> Result<()> {
    let binaries = rampart_tests::binaries()?;
    let dir = tempfile::Builder::new()
        .prefix("rampart-testnet-")
        .tempdir()?;
    let output = dir.path().join("testnet");
    let hosts = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];
    let written = std::process::Command::new(&binaries.rampartd)
        .args(["testnet", "--validators", "4", "--hosts", &hosts.join(",")])
        .arg("--output")
        .arg(&output)
        .env(rampartd::cometbft::COMETBFT_BIN_ENV, &binaries.cometbft)
        .output()?;
    ensure!(
        written.status.success(),
        "rampartd testnet failed: {}",
        String::from_utf8_lossy(&written.stderr)
    );
    let mut processes = Processes(Vec::new());
    for host in hosts {
        let home = output.join(host);
        for (program, args) in [
            (&binaries.rampartd, ["start", "--home"]),
            (&binaries.cometbft, ["start", "--home"]),
        ] {
            let name = program.file_name().unwrap_or_default().to_string_lossy();
            let log = std::fs::File::create(home.join(format!("{name}.log")))?;
            processes.0.push(
                std::process::Command::new(program)
                    .args(args)
                    .arg(&home)
                    .stdout(log.try_clone()?)
                    .stderr(log)
                    .spawn()?,
            );
            // CometBFT connects to rampartd's ABCI server: give it a moment to listen.
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }
    let deadline = std::time::Instant::now() + height_timeout(3);
    let target = 3;
    loop {
        let mut heights = Vec::new();
        for host in hosts {
            let rpc: std::net::SocketAddr = format!("{host}:26657").parse()?;
            heights.push(
                rampart_localnet::rpc::sync_info(rpc)
                    .await
                    .map(|s| s.height)
                    .ok(),
            );
        }
        if heights.iter().all(|h| h.is_some_and(|h| h >= target)) {
            break;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "the four hosts did not all reach height {target}: {heights:?}; logs in {}",
            output.display()
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    // Every validator signs: the network is all four hosts, not one.
    let block = rampart_localnet::rpc::block("127.0.0.3:26657".parse()?, target).await?;
    ensure!(block.height == target, "{block:?}");
    let peers = rampart_localnet::rpc::peer_count("127.0.0.2:26657".parse()?).await?;
    ensure!(peers >= 2, "127.0.0.2 has {peers} peers");
    drop(processes);
    if std::env::var_os(rampart_tests::KEEP_ENV).is_some() {
        eprintln!("kept {}", dir.keep().display());
    }
    Ok(())
}

/// The Chromium binary, installed with Debian's `apt-get install -y chromium` when missing;
/// `None` (after a loud message) when it cannot be installed.
fn chromium() -> Option<std::path::PathBuf> {
    let find = || {
        ["chromium", "chromium-browser"].iter().find_map(|name| {
            let out = std::process::Command::new("which")
                .arg(name)
                .output()
                .ok()?;
            let path = String::from_utf8(out.stdout).ok()?;
            (out.status.success() && !path.trim().is_empty())
                .then(|| std::path::PathBuf::from(path.trim()))
        })
    };
    if let Some(path) = find() {
        return Some(path);
    }
    let installed = std::process::Command::new("apt-get")
        .args(["install", "-y", "chromium"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .is_ok_and(|s| s.success());
    let found = find();
    if !installed || found.is_none() {
        eprintln!(
            "\n*** SKIPPING the web view browser test: `apt-get install -y chromium` failed ***\n"
        );
    }
    found
}

/// Issue 16: the web view of shared security (`[api] web`, on in the localnet) rendered by a
/// real headless Chromium shows a registered consumer with its security report numbers, and a
/// screenshot of it lands in `target/web-view.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_view_shows_a_consumer_and_its_security_in_chromium() -> Result<()> {
    use rampart_tests::cli::{Cli, Key};
    let Some(browser) = chromium() else {
        return Ok(());
    };
    let t = TestNet::start(1)?;
    let node = t.net.node(0)?;
    let rest = node
        .rest
        .clone()
        .context("localnet.json lists no rest address")?;
    let home = node.home.clone();
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let cli = Cli::new(&t)?;
    cli.tx_ok(
        Key::Faucet,
        &[
            "consumer",
            "register",
            "web-view-1",
            "--name",
            "Web view consumer",
        ],
    )?;
    let consumers = cli.query(&["consumer", "consumers"])?;
    let id = consumers["consumers"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["chain_id"] == "web-view-1"))
        .and_then(|c| c["consumer_id"].as_str())
        .with_context(|| format!("registered consumer: {consumers}"))?
        .to_owned();
    cli.tx_ok(Key::Operator(&home), &["restaking", "opt-in", &id, "25%"])?;
    let report = &cli.query(&["restaking", "security-report", &id])?["report"];
    let halt = report["halt_min_pledged_tokens"]
        .as_str()
        .with_context(|| format!("security report: {report}"))?
        .to_owned();
    ensure!(halt != "0", "opted-in stake must count: {report}");

    let url = format!("{rest}/");
    let run = |extra: &[&str]| -> Result<String> {
        let out = std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--virtual-time-budget=8000",
            ])
            .args(extra)
            .arg(&url)
            .output()?;
        ensure!(
            out.status.success(),
            "chromium {extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let dom = run(&["--dump-dom"])?;
    for expected in [
        "web-view-1",
        "Web view consumer",
        "registered",
        &format!("halt needs 1 validator(s) with {halt} stake"),
        "live — height",
    ] {
        ensure!(
            dom.contains(expected),
            "{expected:?} not in the rendered page:\n{dom}"
        );
    }
    let shot = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/web-view.png");
    run(&[
        &format!("--screenshot={}", shot.display()),
        "--window-size=1200,1400",
    ])?;
    ensure!(std::fs::metadata(&shot)?.len() > 0, "empty screenshot");
    println!("web view screenshot: {}", shot.display());

    // CometBFT gone, rampartd still serving: the page says so instead of going blank.
    let cometbft = node
        .pids
        .cometbft
        .context("node0's cometbft is not running")?;
    rampart_localnet::process::send_signal(cometbft, "KILL")?;
    let dom = run(&["--dump-dom"])?;
    for expected in [
        "Rampart — shared security",
        "node unreachable or failing",
        "retrying",
    ] {
        ensure!(
            dom.contains(expected),
            "{expected:?} not in the page of a node without CometBFT:\n{dom}"
        );
    }
    ensure!(
        !dom.contains("live — height"),
        "a node without CometBFT shown live:\n{dom}"
    );
    Ok(())
}
