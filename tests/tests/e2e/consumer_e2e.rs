//! Issue 11 end to end: a consumer chain really runs on the pledged stake. Real CometBFT and
//! rampartd processes for both chains on loopback ports, driven by `cargo localnet consumer`'s
//! library calls and the real `rampartd` CLI (the localnet profile's 5-block epochs make a pledge
//! change reach the consumer within seconds):
//!
//! 1. a 4-validator provider; the faucet registers a consumer (spawn time 15 s ahead, at least 3
//!    validators); node0, node1 and node2 opt in with 50 %, 30 % and 20 % (powers 50, 30, 20);
//! 2. `consumer up` before the launch names the spawn time; `consumer up --wait` starts, at the
//!    launch, one consumer node per pledged validator and a relayer;
//!    the consumer's CometBFT `/validators` at height 1 equals `query consumer validators` (keys
//!    and powers), and its blocks are signed by those keys only;
//! 3. node3 opts in with 25 % and node1 lowers its pledge to 10 %: within one epoch plus the
//!    relay delay the consumer's `/validators` equals the provider's new set (the latency from
//!    the provider's new set to the consumer's is printed); `consumer up` again adds node3's
//!    consumer node, which syncs and signs;
//! 4. the relayer is killed (SIGKILL) and started again: it resumes (node2's next pledge change
//!    reaches the consumer) and nothing is applied twice — the consumer's `vsc_received` events
//!    carry vsc ids 1, 2, … in order, no transaction failed with `ccv/16` (replayed packet), and
//!    the consumer's applied vsc is the provider's latest;
//! 5. one consumer node is killed with SIGKILL and restarted: it catches up and agrees with the
//!    others;
//! 6. node2's consumer node stops for good (its provider node keeps running): the consumer
//!    (a 40-block liveness window, half to sign) stores a downtime record, the relayer carries
//!    it with its proof (provider event `consumer_downtime` naming node2), node2 leaves the
//!    consumer's CometBFT set, and stays a bonded, unjailed provider validator; then node1's
//!    consumer node stops: its record finds the provider's slash meter overdrawn by node2's, the
//!    relayer reports it throttled and waits (no stream of refused transactions), then carries
//!    it once the meter recovers, and node1 is jailed on the consumer likewise;
//! 7. `rampartd debug double-sign` submits a real double vote of node3's key to a consumer node:
//!    CometBFT commits the evidence, the relayer carries it with the consumer's header at the
//!    votes' height, and the provider burns exactly the consumer's double-sign fraction × the
//!    pledge counted in the set (validator_power × 10^6 × f × pledge_bps / 10,000).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use rampart_localnet::consumer::{self, cometbft_validators};
use rampart_localnet::process::{log_first_warnings, log_tail};
use rampart_localnet::{rpc, Chain, StopMode};
use rampart_tests::cli::{tx_outcome, Cli, Key};
use rampart_tests::json::{self, attos, ATTOS, POWER_REDUCTION};
use rampart_tests::{height_timeout, TestNet};
use serde_json::Value;

/// The consumer's chain id.
const CONSUMER_CHAIN: &str = "consumer-e2e";
/// How long a pledge change may take to reach the consumer: an epoch (5 blocks), the relay and
/// the two blocks CometBFT takes to apply an update, on a loaded CI machine.
const FOLLOW_TIMEOUT: Duration = Duration::from_secs(90);

/// How long a stopped consumer node may take to be jailed on the consumer (the liveness window's
/// 21 missed blocks, the relay, an epoch and CometBFT's two blocks), or a double vote to be
/// committed, carried and punished.
const INFRACTION_TIMEOUT: Duration = Duration::from_secs(150);

/// A validator set as `(base64 ed25519 key, power)`, sorted.
type Set = Vec<(String, u64)>;

/// Progress with the time since the test started.
fn progress(started: Instant, text: impl std::fmt::Display) {
    eprintln!("[consumer e2e {:>5.1?}] {text}", started.elapsed());
}

/// A JSON integer that fits a u64 (powers, heights, ids).
fn int(value: &Value) -> Result<u64> {
    Ok(u64::try_from(json::int(value)?)?)
}

/// The set the provider last sent the consumer (`query consumer validators`).
fn provider_set(cli: &Cli, id: &str) -> Result<Set> {
    let answer = cli.query(&["consumer", "validators", id])?;
    let mut set = Vec::new();
    for v in answer["validators"].as_array().context("validators")? {
        let key = v["consumer_pubkey"].as_str().context("consumer_pubkey")?;
        set.push((key.to_owned(), int(&v["power"])?));
    }
    set.sort();
    Ok(set)
}

/// The consumer's CometBFT set at `height` (latest: `None`), asked from its first running node.
async fn consumer_set(t: &TestNet, id: u64, height: Option<u64>) -> Result<(u64, Set)> {
    let chain = Chain::Consumer(id);
    let nodes = t.net.chain_nodes(chain)?;
    let index = (0..nodes.len())
        .find(|&i| t.net.running_in(chain, i).cometbft)
        .context("no consumer node runs")?;
    cometbft_validators(nodes[index].rpc_addr()?, height).await
}

/// Polls every 250 ms until `probe` yields `Some`, failing after `timeout`.
async fn until<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    let mut last_error = String::new();
    loop {
        match probe().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            // Nodes restart in this test: an unanswered query is retried.
            Err(err) => last_error = format!(" (last error: {err:#})"),
        }
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {what}{last_error}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Waits until the provider's set is `expected`, then until the consumer's CometBFT set equals
/// it; returns the time between the two.
async fn follow(t: &TestNet, cli: &Cli, id: u64, expected: &Set) -> Result<Duration> {
    let id_text = id.to_string();
    until("the provider's new set", FOLLOW_TIMEOUT, || async {
        Ok((provider_set(cli, &id_text)? == *expected).then_some(()))
    })
    .await?;
    let changed = Instant::now();
    until("the consumer's set to follow", FOLLOW_TIMEOUT, || async {
        let (_, set) = consumer_set(t, id, None).await?;
        Ok((set == *expected).then_some(()))
    })
    .await?;
    Ok(changed.elapsed())
}

/// The `(base64 key, power)` a validator pledging `bps` of its 100 RAMP signs the consumer with.
fn member(home: &std::path::Path, bps: u64) -> Result<(String, u64)> {
    let key = rampart_localnet::keys::ValidatorKey::read(home)?;
    Ok((key.pub_key_base64, 100 * bps / 10_000))
}

/// Every CometBFT address that signed the consumer's block `height` (from `/commit`), and the
/// addresses of the set at that height (from `/validators`).
async fn signers(
    t: &TestNet,
    id: u64,
    height: u64,
) -> Result<(BTreeSet<String>, BTreeSet<String>)> {
    let node = &t.net.chain_nodes(Chain::Consumer(id))?[0];
    let addr = node.rpc_addr()?;
    let commit = rpc::get(addr, &format!("commit?height={height}")).await?;
    let signed = commit["signed_header"]["commit"]["signatures"]
        .as_array()
        .context("commit signatures")?
        .iter()
        .filter(|s| s["block_id_flag"] == 2)
        .filter_map(|s| s["validator_address"].as_str().map(str::to_owned))
        .collect();
    let set = rpc::get(addr, &format!("validators?height={height}&per_page=100")).await?;
    let members = set["validators"]
        .as_array()
        .context("validators")?
        .iter()
        .filter_map(|v| v["address"].as_str().map(str::to_owned))
        .collect();
    Ok((signed, members))
}

/// Scans every committed consumer block: the vsc ids of `vsc_received` events in order, and
/// every failed transaction's `codespace/code`.
async fn vsc_history(t: &TestNet, id: u64) -> Result<(Vec<u64>, Vec<String>)> {
    let node = &t.net.chain_nodes(Chain::Consumer(id))?[0];
    let addr = node.rpc_addr()?;
    let top = rpc::sync_info(addr).await?.height;
    let (mut received, mut failures) = (Vec::new(), Vec::new());
    for height in 1..=top {
        let results = rpc::get(addr, &format!("block_results?height={height}")).await?;
        for tx in results["txs_results"].as_array().into_iter().flatten() {
            if tx["code"].as_u64().unwrap_or(0) != 0 {
                failures.push(format!(
                    "{}/{} at height {height}: {}",
                    tx["codespace"].as_str().unwrap_or(""),
                    tx["code"],
                    tx["log"].as_str().unwrap_or("")
                ));
                continue;
            }
            for event in tx["events"].as_array().into_iter().flatten() {
                if event["type"] != "vsc_received" {
                    continue;
                }
                for attribute in event["attributes"].as_array().into_iter().flatten() {
                    if attribute["key"] == "vsc_id" {
                        received.push(int(&attribute["value"])?);
                    }
                }
            }
        }
    }
    Ok((received, failures))
}

/// The provider's operator addresses, indexed by node (moniker `node<i>`).
fn operators(cli: &Cli) -> Result<Vec<String>> {
    let validators = cli.query(&["staking", "validators"])?;
    let mut ops = vec![String::new(); 4];
    for v in validators["validators"].as_array().context("validators")? {
        let moniker = v["description"]["moniker"].as_str().context("moniker")?;
        let index: usize = moniker.trim_start_matches("node").parse()?;
        if let Some(slot) = ops.get_mut(index) {
            v["operator_address"]
                .as_str()
                .context("operator")?
                .clone_into(slot);
        }
    }
    ensure!(ops.iter().all(|o| !o.is_empty()), "{validators}");
    Ok(ops)
}

/// Every provider transaction result (`txs_results` entries) committed from provider height
/// `from` on.
async fn provider_txs(t: &TestNet, from: u64) -> Result<Vec<Value>> {
    let addr = t.net.node(0)?.rpc_addr()?;
    let top = rpc::sync_info(addr).await?.height;
    let mut txs = Vec::new();
    for height in from..=top {
        let results = rpc::get(addr, &format!("block_results?height={height}")).await?;
        txs.extend(
            results["txs_results"]
                .as_array()
                .into_iter()
                .flatten()
                .cloned(),
        );
    }
    Ok(txs)
}

/// The attributes (key → value) of every provider transaction event `kind` committed from
/// provider height `from` on.
async fn provider_events(t: &TestNet, from: u64, kind: &str) -> Result<Vec<Vec<(String, String)>>> {
    let mut found = Vec::new();
    for tx in provider_txs(t, from).await? {
        for event in tx["events"].as_array().into_iter().flatten() {
            if event["type"] != kind {
                continue;
            }
            let attributes = event["attributes"].as_array().into_iter().flatten();
            found.push(
                attributes
                    .map(|a| {
                        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                        (text(&a["key"]), text(&a["value"]))
                    })
                    .collect(),
            );
        }
    }
    Ok(found)
}

/// The value of attribute `key` in `event`.
fn attribute<'a>(event: &'a [(String, String)], key: &str) -> Option<&'a str> {
    event
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Waits until the relayer's status file counts at least `min` `counter` (it is written when the
/// round that committed the transaction ends).
async fn relayer_counted(t: &TestNet, id: u64, counter: &str, min: u64) -> Result<()> {
    until(
        &format!("the relayer's {counter}"),
        FOLLOW_TIMEOUT,
        || async {
            let count = t.net.relayer_status(id).and_then(|s| s[counter].as_u64());
            Ok(count.is_some_and(|c| c >= min).then_some(()))
        },
    )
    .await
}

/// Stops node `n`'s consumer node (its provider node keeps running).
fn stop_consumer_node(t: &mut TestNet, id: u64, n: usize) -> Result<()> {
    let chain = Chain::Consumer(id);
    let name = format!("node{n}");
    let index = t
        .net
        .chain_nodes(chain)?
        .iter()
        .position(|node| node.name == name)
        .with_context(|| format!("{name}'s consumer node"))?;
    t.net.stop_chain_nodes(chain, &[index], StopMode::Kill)
}

/// Waits until the relayer carried `operator`'s downtime record to the provider (a
/// `consumer_downtime` event committed from provider height `from` names it); returns its seq
/// and whether the relayer reported downtime throttled meanwhile.
async fn downtime_carried(t: &TestNet, id: u64, operator: &str, from: u64) -> Result<(u64, bool)> {
    let throttled = AtomicBool::new(false);
    let event = until(
        &format!("{operator}'s downtime on the provider"),
        INFRACTION_TIMEOUT,
        || async {
            let status = t.net.relayer_status(id);
            if status.is_some_and(|s| s["downtime_throttled"] == true) {
                throttled.store(true, Ordering::Relaxed);
            }
            let events = provider_events(t, from, "consumer_downtime").await?;
            Ok(events
                .into_iter()
                .find(|e| attribute(e, "validator") == Some(operator)))
        },
    )
    .await?;
    ensure!(
        attribute(&event, "consumer_id") == Some(id.to_string().as_str()),
        "{event:?}"
    );
    let seq: u64 = attribute(&event, "seq").context("seq")?.parse()?;
    Ok((seq, throttled.load(Ordering::Relaxed)))
}

/// Waits until the validator of `home` left the consumer's CometBFT set, and checks that its
/// provider validator `operator` is still bonded and unjailed.
async fn jailed_on_consumer_only(
    t: &TestNet,
    cli: &Cli,
    id: u64,
    operator: &str,
    home: &std::path::Path,
) -> Result<()> {
    let (key, _) = member(home, 0)?;
    until(
        &format!("{operator} to leave the consumer's set"),
        INFRACTION_TIMEOUT,
        || async {
            let (_, set) = consumer_set(t, id, None).await?;
            Ok((!set.iter().any(|(k, _)| *k == key)).then_some(()))
        },
    )
    .await?;
    let validator = cli.query(&["staking", "validator", operator])?;
    ensure!(
        validator["jailed"] == false && validator["status"] == "BOND_STATUS_BONDED",
        "consumer downtime must not touch the provider: {validator}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_chain_runs_on_the_pledged_stake_and_follows_pledge_changes() -> Result<()> {
    let started = Instant::now();
    let mut t = TestNet::start(4)?;
    let result = scenario(&mut t, started).await;
    if result.is_err() {
        // The provider's logs are printed by TestNet on panics only: show the consumer's here.
        for record in &t.net.manifest().consumers {
            for node in &record.nodes {
                for process in ["rampartd", "cometbft"] {
                    let log = node.log_path(process);
                    eprintln!("--- {} ---\n{}", log.display(), log_tail(&log, 20));
                }
            }
            let log = &record.relayer.log;
            eprintln!(
                "--- {} (first warnings) ---\n{}",
                log.display(),
                log_first_warnings(log, 15)
            );
            eprintln!("--- {} ---\n{}", log.display(), log_tail(log, 30));
        }
    }
    result
}

async fn scenario(t: &mut TestNet, started: Instant) -> Result<()> {
    t.net.wait_for_height(2, height_timeout(2)).await?;
    progress(started, "provider localnet running");
    let cli = Cli::new(t)?;
    let binaries = t.binaries.clone();
    let homes: Vec<PathBuf> = (0..4)
        .map(|i| Ok(t.net.node(i)?.home.clone()))
        .collect::<Result<_>>()?;

    // 1. Register (a short liveness window for step 6), and three validators opt in at once.
    let params_file = cli.home.path().join("consumer-params.json");
    std::fs::write(
        &params_file,
        r#"{"signed_blocks_window": 40, "min_signed_per_window": "0.5"}"#,
    )?;
    cli.tx_ok(
        Key::Faucet,
        &[
            "consumer",
            "register",
            CONSUMER_CHAIN,
            "--name",
            "E2E consumer chain",
            "--spawn-time",
            "+15s",
            "--min-validators",
            "3",
            "--params-file",
            params_file.to_str().context("utf-8 path")?,
        ],
    )?;
    let consumers = cli.query(&["consumer", "consumers"])?;
    let id_text = consumers["consumers"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["chain_id"] == CONSUMER_CHAIN))
        .and_then(|c| c["consumer_id"].as_str())
        .with_context(|| format!("registered consumer: {consumers}"))?
        .to_owned();
    let id: u64 = id_text.parse()?;
    // Before the launch (15 s away), `consumer up` refuses with the spawn time.
    let early = consumer::up(&mut t.net, &binaries, id, false).await;
    let message = early.err().map(|e| format!("{e:#}")).unwrap_or_default();
    ensure!(
        message.contains(&format!("consumer {id} is registered, launches at")),
        "{message}"
    );
    let mut children = Vec::new();
    for (node, pledge) in [(0, "50%"), (1, "30%"), (2, "20%")] {
        let args = ["restaking", "opt-in", id_text.as_str(), pledge];
        children.push(
            cli.tx_command(Key::Operator(&homes[node]), &args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()?,
        );
    }
    for child in children {
        tx_outcome(&["restaking", "opt-in"], child.wait_with_output()?)?;
    }
    progress(
        started,
        format!("consumer {id} registered, three validators opted in"),
    );

    // 2. At the launch, the consumer chain starts (`consumer up --wait`).
    let up = consumer::up(&mut t.net, &binaries, id, true).await?;
    progress(
        started,
        format!(
            "launched; consumer start-up took {:.1?} ({} nodes, height {})",
            up.elapsed,
            up.added.len(),
            up.height
        ),
    );
    ensure!(up.created && up.chain_id == CONSUMER_CHAIN, "{up:?}");
    ensure!(up.added == ["node0", "node1", "node2"], "{up:?}");

    let mut expected = vec![
        member(&homes[0], 5_000)?,
        member(&homes[1], 3_000)?,
        member(&homes[2], 2_000)?,
    ];
    expected.sort();
    let launch_set = provider_set(&cli, &id_text)?;
    ensure!(launch_set == expected, "{launch_set:?} != {expected:?}");
    let (_, first) = consumer_set(t, id, Some(1)).await?;
    ensure!(
        first == launch_set,
        "the consumer's set at height 1 {first:?} is not the provider's {launch_set:?}"
    );
    let height = up.height + 2;
    t.net
        .wait_for_chain_height(Chain::Consumer(id), height, height_timeout(2))
        .await?;
    let (signed, members) = signers(t, id, height).await?;
    ensure!(
        !signed.is_empty() && signed.is_subset(&members) && members.len() == 3,
        "block {height} signed by {signed:?}, set {members:?}"
    );
    progress(
        started,
        "the consumer runs on exactly the pledged validators",
    );

    // 3. node3 opts in, node1 lowers its pledge: the consumer follows.
    let changes = [
        (3, vec!["restaking", "opt-in", id_text.as_str(), "25%"]),
        (1, vec!["restaking", "set-pledge", id_text.as_str(), "10%"]),
    ];
    let mut children = Vec::new();
    for (node, args) in &changes {
        children.push(
            cli.tx_command(Key::Operator(&homes[*node]), args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()?,
        );
    }
    for child in children {
        tx_outcome(&["restaking", "pledge change"], child.wait_with_output()?)?;
    }
    let mut expected = vec![
        member(&homes[0], 5_000)?,
        member(&homes[1], 1_000)?,
        member(&homes[2], 2_000)?,
        member(&homes[3], 2_500)?,
    ];
    expected.sort();
    let latency = follow(t, &cli, id, &expected).await?;
    progress(
        started,
        format!("the consumer's set followed the provider's new set {latency:.1?} later"),
    );
    let up = consumer::up(&mut t.net, &binaries, id, false).await?;
    ensure!(!up.created && up.added == ["node3"], "{up:?}");
    // Every validator of the set signs (a commit needs only 2/3: look at a few blocks).
    let first = up.height + 1;
    t.net
        .wait_for_chain_height(Chain::Consumer(id), first + 3, height_timeout(4))
        .await?;
    let mut signed = BTreeSet::new();
    let mut members = BTreeSet::new();
    for height in first..=first + 3 {
        let (by, set) = signers(t, id, height).await?;
        ensure!(
            by.is_subset(&set),
            "block {height} signed by {by:?}, set {set:?}"
        );
        signed.extend(by);
        members = set;
    }
    ensure!(
        members.len() == 4 && signed == members,
        "blocks {first}..={} signed by {signed:?}, set {members:?}",
        first + 3
    );
    progress(started, "node3's consumer node synced and signs");

    // 4. The relayer is killed while idle and started again; it resumes.
    let status = until("the relayer to catch up", FOLLOW_TIMEOUT, || async {
        let status = t.net.consumer_status(id).await?;
        Ok((status.lag == Some(0)).then_some(status))
    })
    .await?;
    let before_restart = status.applied_vsc.context("applied vsc")?;
    t.net.stop_relayer(id, StopMode::Kill)?;
    ensure!(!t.net.relayer_running(id));
    let provider_url = consumer::provider_rpc(&t.net)?;
    t.net.start_relayer(id, &binaries, &provider_url)?;
    cli.tx_ok(
        Key::Operator(&homes[2]),
        &["restaking", "set-pledge", &id_text, "30%"],
    )?;
    let node2 = member(&homes[2], 3_000)?;
    expected.retain(|(key, _)| *key != node2.0);
    expected.push(node2);
    expected.sort();
    let latency = follow(t, &cli, id, &expected).await?;
    progress(
        started,
        format!("after the relayer's restart the consumer followed {latency:.1?} later"),
    );
    let status = until("the relayer to catch up", FOLLOW_TIMEOUT, || async {
        let status = t.net.consumer_status(id).await?;
        Ok((status.lag == Some(0)).then_some(status))
    })
    .await?;
    let applied = status.applied_vsc.context("applied vsc")?;
    ensure!(applied > before_restart, "{status:?}");
    let (received, failures) = vsc_history(t, id).await?;
    let in_order: Vec<u64> = (1..=applied).collect();
    ensure!(
        received == in_order,
        "vsc ids received by the consumer: {received:?}, expected {in_order:?}"
    );
    ensure!(
        !failures.iter().any(|f| f.starts_with("ccv/16")),
        "a packet was relayed twice: {failures:?}"
    );
    progress(
        started,
        format!("vsc 1..{applied} applied once each, in order (failed txs: {failures:?})"),
    );

    // 5. A consumer node crashes and comes back.
    let chain = Chain::Consumer(id);
    let victim = t
        .net
        .chain_nodes(chain)?
        .iter()
        .position(|n| n.name == "node1")
        .context("node1's consumer node")?;
    t.net.stop_chain_nodes(chain, &[victim], StopMode::Kill)?;
    let top = t
        .net
        .chain_status(chain)
        .await
        .iter()
        .filter_map(|s| s.height)
        .max()
        .unwrap_or(1);
    t.net
        .wait_for_chain_height(chain, top + 3, height_timeout(3))
        .await?;
    t.net.start_chain_nodes(chain, &[victim], &binaries)?;
    t.net
        .wait_for_chain_sync(chain, victim, Duration::from_secs(120))
        .await?;
    let common = t
        .net
        .chain_status(chain)
        .await
        .iter()
        .filter_map(|s| s.height)
        .min()
        .context("no consumer node answers")?;
    let mut blocks = BTreeSet::new();
    for index in 0..t.net.chain_nodes(chain)?.len() {
        let node = &t.net.chain_nodes(chain)?[index];
        let block = rpc::block(node.rpc_addr()?, common).await?;
        blocks.insert((block.block_hash, block.app_hash));
    }
    ensure!(
        blocks.len() == 1,
        "consumer nodes disagree at {common}: {blocks:?}"
    );
    progress(
        started,
        format!("node1's consumer node caught up to {common}"),
    );

    infractions(t, &cli, id, &homes, started).await?;
    progress(started, "done");
    Ok(())
}

/// Prints why a double vote may have gone unpunished: the relayer's log lines about double
/// votes and the evidence of the consumer's blocks from height `from` on.
async fn explain_unpunished(t: &TestNet, consumer: std::net::SocketAddr, from: u64) {
    for record in &t.net.manifest().consumers {
        let log = std::fs::read_to_string(&record.relayer.log).unwrap_or_default();
        for line in log.lines().filter(|l| l.contains("double vote")) {
            eprintln!("relayer: {line}");
        }
    }
    let top = rpc::sync_info(consumer).await.map_or(from, |s| s.height);
    for height in from..=top {
        if let Ok(block) = rpc::get(consumer, &format!("block?height={height}")).await {
            let evidence = &block["block"]["evidence"]["evidence"];
            if evidence.as_array().is_some_and(|e| !e.is_empty()) {
                eprintln!("consumer block {height} evidence: {evidence}");
            }
        }
    }
}

/// Steps 6 and 7: node2's and node1's consumer nodes go down for good and are jailed on the
/// consumer by their proven downtime records (node1's throttled first); node3 double-votes on
/// the consumer and is slashed on the provider by exactly its pledged share; the relayer carries
/// all three.
async fn infractions(
    t: &mut TestNet,
    cli: &Cli,
    id: u64,
    homes: &[PathBuf],
    started: Instant,
) -> Result<()> {
    let chain = Chain::Consumer(id);
    let id_text = id.to_string();
    let ops = operators(cli)?;
    let provider_addr = t.net.node(0)?.rpc_addr()?;

    // 6. Downtime: node2's consumer node stops (its provider node keeps running; node0, node1
    // and node3 keep the consumer going); once node2 is out of the set, node1's stops too.
    // node2's record overdraws the slash meter (30 power against an allowance of 5 % of the
    // consumer's power, regained every 10 s), so node1's record is throttled, then carried once
    // the meter has recovered.
    let from = rpc::sync_info(provider_addr).await?.height;
    let stopped = Instant::now();
    stop_consumer_node(t, id, 2)?;
    let (seq2, _) = downtime_carried(t, id, &ops[2], from).await?;
    progress(
        started,
        format!(
            "node2's downtime record {seq2} carried {:.1?} after its node stopped",
            stopped.elapsed()
        ),
    );
    jailed_on_consumer_only(t, cli, id, &ops[2], &homes[2]).await?;
    progress(
        started,
        format!(
            "node2 left the consumer's set {:.1?} after its node stopped; still bonded on the \
             provider",
            stopped.elapsed()
        ),
    );
    let stopped = Instant::now();
    stop_consumer_node(t, id, 1)?;
    let (seq1, throttled) = downtime_carried(t, id, &ops[1], from).await?;
    ensure!(
        throttled && seq1 > seq2,
        "node1's record {seq1} (after node2's {seq2}) was never reported throttled"
    );
    // Throttled, the relayer waited: at most a race's worth of refused submissions.
    let refused = provider_txs(t, from)
        .await?
        .into_iter()
        .filter(|tx| tx["codespace"] == "consumer" && tx["code"] == 22)
        .count();
    ensure!(
        refused <= 2,
        "{refused} downtime submissions refused as throttled"
    );
    jailed_on_consumer_only(t, cli, id, &ops[1], &homes[1]).await?;
    relayer_counted(t, id, "downtime_forwarded", 2).await?;
    progress(
        started,
        format!(
            "node1's downtime record {seq1}, throttled then carried ({refused} refused \
             submissions): node1 left the consumer's set {:.1?} after its node stopped",
            stopped.elapsed()
        ),
    );

    // 7. A real double vote by node3's key (its provider key, its default consumer key).
    let set = cli.query(&["consumer", "validators", &id_text])?;
    let record = set["validators"]
        .as_array()
        .and_then(|l| l.iter().find(|v| v["operator"] == ops[3].as_str()))
        .with_context(|| format!("node3 in the consumer's set: {set}"))?;
    let (validator_power, pledge_bps) = (
        u128::from(int(&record["validator_power"])?),
        u128::from(int(&record["pledge_bps"])?),
    );
    let consumer = cli.query(&["consumer", "consumer", &id_text])?;
    let fraction = attos(&consumer["consumer"]["params"]["double_sign"]["slash_fraction"])?;
    // As restaking computes it: fraction f × b / 10,000, then staking burns power × 10^6 × that.
    let scaled = fraction * (pledge_bps * (ATTOS / 10_000)) / ATTOS;
    let expected = validator_power * POWER_REDUCTION * scaled / ATTOS;
    ensure!(expected > 0, "{record}");
    // The votes' height must be signed by the set now in force (node1 left it at the latest
    // height; the height below may still be signed by the set before, which the provider sent
    // more than the consumer's unbonding period ago and no longer accepts once replaced).
    let consumer_addr = t.net.chain_nodes(chain)?[0].rpc_addr()?;
    let top = rpc::sync_info(consumer_addr).await?.height;
    t.net
        .wait_for_chain_height(chain, top + 2, height_timeout(2))
        .await?;
    let from = rpc::sync_info(provider_addr).await?.height;
    let before = cli.validator_tokens(&ops[3])?;
    let target = &t.net.chain_nodes(chain)?[0].rpc;
    let key_file = homes[3].join("config").join("priv_validator_key.json");
    let output = std::process::Command::new(&t.binaries.rampartd)
        .args(["debug", "double-sign", "--key-file"])
        .arg(&key_file)
        .args(["--node", target])
        .output()?;
    ensure!(
        output.status.success(),
        "debug double-sign: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let signed = Instant::now();
    progress(started, String::from_utf8_lossy(&output.stdout).trim());
    let slash = until(
        "node3's double vote punished",
        INFRACTION_TIMEOUT,
        || async {
            let events = provider_events(t, from, "consumer_slash").await?;
            Ok(events
                .into_iter()
                .find(|e| attribute(e, "validator") == Some(ops[3].as_str())))
        },
    )
    .await
    .with_context(|| {
        format!(
            "relayer status {:?}",
            t.net.relayer_status(id).map(|s| s.to_string())
        )
    });
    if slash.is_err() {
        explain_unpunished(t, consumer_addr, top).await;
    }
    let slash = slash?;
    let after = cli.validator_tokens(&ops[3])?;
    ensure!(
        before.checked_sub(after) == Some(expected),
        "node3: {before} → {after}, expected −{expected} ({validator_power} power, \
         {pledge_bps} bps)"
    );
    ensure!(
        attribute(&slash, "burned") == Some(format!("{expected}uramp").as_str()),
        "{slash:?}"
    );
    relayer_counted(t, id, "double_votes_forwarded", 1).await?;
    progress(
        started,
        format!(
            "node3's double vote carried and punished {:.1?} after it was signed: −{expected} \
             uramp",
            signed.elapsed()
        ),
    );
    Ok(())
}
