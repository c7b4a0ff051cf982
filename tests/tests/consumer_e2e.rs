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
//!    others.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use rampart_localnet::consumer::{self, cometbft_validators};
use rampart_localnet::process::log_tail;
use rampart_localnet::{rpc, Chain, StopMode};
use rampart_tests::cli::{tx_outcome, Cli, Key};
use rampart_tests::{height_timeout, TestNet};
use serde_json::Value;

/// The consumer's chain id.
const CONSUMER_CHAIN: &str = "consumer-e2e";
/// How long a pledge change may take to reach the consumer: an epoch (5 blocks), the relay and
/// the two blocks CometBFT takes to apply an update, on a loaded CI machine.
const FOLLOW_TIMEOUT: Duration = Duration::from_secs(90);

/// A validator set as `(base64 ed25519 key, power)`, sorted.
type Set = Vec<(String, u64)>;

/// Progress with the time since the test started.
fn progress(started: Instant, text: impl std::fmt::Display) {
    eprintln!("[consumer e2e {:>5.1?}] {text}", started.elapsed());
}

/// A JSON integer, as a string (the SDK's form) or a number.
fn int(value: &Value) -> Result<u64> {
    match value {
        Value::String(s) => s.parse().with_context(|| format!("not an integer: {s}")),
        other => other
            .as_u64()
            .with_context(|| format!("not an integer: {other}")),
    }
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

    // 1. Register, and three validators opt in at once.
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
        format!("node1's consumer node caught up to {common}; done"),
    );
    Ok(())
}
