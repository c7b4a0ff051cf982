//! End-to-end: real localnets (rampartd + CometBFT) built by the
//! `rampart-localnet` library, on free loopback ports.

use anyhow::{ensure, Result};
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

/// Four validators agree on every block and on the app state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_validators_agree_on_blocks_and_app_hash() -> Result<()> {
    let t = TestNet::start(4)?;
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
    Ok(())
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
