//! End-to-end: `cargo localnet join` — through its library call [`join`] — adds a fifth
//! validator to a running 4-validator localnet: a new node syncs the chain, its operator is
//! funded by the faucet, its `MsgCreateValidator` is committed and CometBFT's validator set lists
//! it with the expected power; afterwards it keeps up and agrees with the genesis validators.
//!
//! Needs staking composed into the app (and a staking genesis from `Localnet::create`): without
//! them `MsgCreateValidator` is an unknown message and the join fails at step 6.

use std::process::{Command, Stdio};

use anyhow::{ensure, Context, Result};
use rampart_localnet::cli::join::{join, JoinOptions};
use rampart_localnet::Localnet;
use rampart_tests::{height_timeout, TestNet};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_node_joins_syncs_and_becomes_a_validator() -> Result<()> {
    let mut t = TestNet::start(4)?;
    t.net.wait_for_height(3, height_timeout(3)).await?;
    let binaries = t.binaries.clone();

    let joined = join(
        &mut t.net,
        &binaries,
        &JoinOptions {
            stake: "2000000uramp".into(),
            moniker: Some("joiner".into()),
        },
    )
    .await?;
    ensure!(
        joined.index == 4 && joined.name == "node4",
        "the fifth validator: {joined:?}"
    );
    // Voting power is tokens / 10^6.
    ensure!(joined.power == 2, "unexpected voting power: {joined:?}");
    ensure!(joined.valoper.starts_with("rampartvaloper1"), "{joined:?}");

    // Recorded in localnet.json, so `status` and `down` see it.
    let reloaded = Localnet::load(&t.home())?;
    ensure!(reloaded.nodes().len() == 5, "{:?}", reloaded.nodes());
    let running = reloaded.running(4);
    ensure!(running.cometbft && running.rampartd, "{running:?}");

    // It keeps up with the chain and agrees with the others on blocks and app state.
    let target = joined.height + 3;
    let statuses = t.net.wait_for_height(target, height_timeout(3)).await?;
    ensure!(statuses.len() == 5, "{statuses:?}");
    let common = t.common_height().await.context("no node answers")?;
    t.assert_same_block(&[0, 1, 2, 3, 4], common).await?;

    // The staking module has it bonded with its moniker and stake (asked through the CLI).
    let output = Command::new(&binaries.rampartd)
        .args(["query", "staking", "validator", &joined.valoper])
        .args(["--node", &joined.rpc, "--output", "json"])
        .stdin(Stdio::null())
        .output()?;
    ensure!(
        output.status.success(),
        "query staking validator failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let validator: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    ensure!(validator["status"] == "BOND_STATUS_BONDED", "{validator}");
    ensure!(validator["tokens"] == "2000000", "{validator}");
    ensure!(
        validator["description"]["moniker"] == "joiner",
        "{validator}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_needs_a_running_localnet() -> Result<()> {
    let mut t = TestNet::start(1)?;
    t.net.wait_for_height(1, height_timeout(1)).await?;
    t.net.stop(rampart_localnet::StopMode::default())?;
    let binaries = t.binaries.clone();
    let err = join(
        &mut t.net,
        &binaries,
        &JoinOptions {
            stake: "1000000uramp".into(),
            moniker: None,
        },
    )
    .await
    .err()
    .context("join succeeded without a running localnet")?;
    ensure!(format!("{err:#}").contains("is not running"), "{err:#}");
    ensure!(t.net.nodes().len() == 1, "nothing may be added");
    Ok(())
}
