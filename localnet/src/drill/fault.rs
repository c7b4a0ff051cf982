//! Injecting one fault into a localnet's validators and recovering from it: signals to the
//! recorded processes, restarts through [`Localnet`], then the catch-up and `abci_info` checks.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use base64::Engine;

use super::monitor::Monitor;
use super::schedule::FaultKind;
use crate::binaries::Binaries;
use crate::network::Localnet;
use crate::process::send_signal;
use crate::rpc;

/// A restarted node must reach the network's height within this long.
pub const CATCH_UP_LIMIT: Duration = Duration::from_secs(30);
/// How long a node that has not caught up is waited for before the drill goes on.
const CATCH_UP_GIVE_UP: Duration = Duration::from_secs(120);

/// The signals that inject `kind` into a node: `(process, signal)`.
fn signals(kind: FaultKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        FaultKind::Kill => &[("cometbft", "KILL"), ("rampartd", "KILL")],
        FaultKind::Pause => &[("cometbft", "STOP"), ("rampartd", "STOP")],
        FaultKind::RestartApp => &[("rampartd", "KILL")],
        FaultKind::RestartCometbft => &[("cometbft", "KILL")],
    }
}

/// Sends `kind`'s signals to the processes of `nodes` and marks them down in the monitor.
pub fn inject(
    net: &mut Localnet,
    monitor: &Monitor,
    nodes: &[usize],
    kind: FaultKind,
) -> Result<()> {
    monitor.set_down(nodes, true);
    for &index in nodes {
        let pids = net.node(index)?.pids;
        for (process, signal) in signals(kind) {
            let pid = match *process {
                "cometbft" => pids.cometbft,
                _ => pids.rampartd,
            };
            let pid = pid.with_context(|| format!("node{index} {process} is not running"))?;
            send_signal(pid, signal)?;
        }
    }
    Ok(())
}

/// Undoes `kind` on `nodes`: SIGCONT for a pause, else starts what was killed (a CometBFT that
/// exited because its app died is started again with it). A CometBFT that died is first made
/// to re-index its events from `from_height` ([`reindex_events`]). Marks the nodes up again.
pub fn recover(
    net: &mut Localnet,
    binaries: &Binaries,
    monitor: &Monitor,
    nodes: &[usize],
    kind: FaultKind,
    from_height: u64,
) -> Result<()> {
    let result = nodes.iter().try_for_each(|&index| match kind {
        FaultKind::Pause => {
            let pids = net.node(index)?.pids;
            for pid in [pids.rampartd, pids.cometbft].into_iter().flatten() {
                send_signal(pid, "CONT")?;
            }
            Ok(())
        }
        FaultKind::RestartCometbft if net.running(index).rampartd => {
            let reindexed = reindex_events(net, binaries, index, from_height);
            net.start_cometbft(index, binaries)?;
            reindexed
        }
        FaultKind::Kill | FaultKind::RestartApp | FaultKind::RestartCometbft => {
            net.refresh();
            if net.running(index).cometbft {
                // CometBFT still shutting down after its app died.
                net.stop_node(index, crate::process::StopMode::default())?;
            }
            let reindexed = reindex_events(net, binaries, index, from_height);
            net.start_node(index, binaries)?;
            reindexed
        }
    });
    monitor.set_down(nodes, false);
    result
}

/// Runs `cometbft reindex-event --start-height <from>` on stopped node `index`. CometBFT v0.38
/// indexes a block's transactions after committing it and does not catch up on restart, so a
/// kill -9 between the two leaves committed transactions unknown to that node's `tx` queries
/// (found by the drill: 56 of 83,667 in the first 30-minute kill drill). A block saved without
/// its ABCI responses (killed before CometBFT's state was saved) is replayed at start-up, so
/// the re-index stops before it.
pub fn reindex_events(net: &Localnet, binaries: &Binaries, index: usize, from: u64) -> Result<()> {
    let home = &net.node(index)?.home;
    let from = from.max(1);
    let mut end: Option<u64> = None;
    loop {
        let mut command = std::process::Command::new(&binaries.cometbft);
        command
            .args(["reindex-event", "--start-height", &from.to_string()])
            .arg("--home")
            .arg(home)
            .stdin(std::process::Stdio::null());
        if let Some(end) = end {
            command.args(["--end-height", &end.to_string()]);
        }
        let out = command.output().context("running cometbft reindex-event")?;
        if out.status.success() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&out.stderr);
        match unsaved_height(&text) {
            Some(height) if end.is_none_or(|e| height <= e) && height > from => {
                end = Some(height - 1);
            }
            Some(height) if height <= from => return Ok(()),
            _ => bail!(
                "node{index}: cometbft reindex-event --start-height {from} failed: {}",
                text.lines().next().unwrap_or_default()
            ),
        }
    }
}

/// The height in reindex-event's "not able to load ABCI Response at height N" failure.
fn unsaved_height(stderr: &str) -> Option<u64> {
    let (_, rest) = stderr.split_once("not able to load ABCI Response at height ")?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Waits until node `index` is within one block of the other nodes and no longer catching up;
/// returns how long that took, or an error after [`CATCH_UP_GIVE_UP`].
pub async fn catch_up(net: &Localnet, monitor: &Monitor, index: usize) -> Result<Duration> {
    let addr = net.node(index)?.rpc_addr()?;
    let started = Instant::now();
    loop {
        if let Ok(info) = rpc::sync_info(addr).await {
            let target = monitor.height_of_others(&[index]);
            if !info.catching_up && info.height + 1 >= target && info.height > 0 {
                return Ok(started.elapsed());
            }
        }
        if started.elapsed() > CATCH_UP_GIVE_UP {
            bail!(
                "node{index} did not catch up within {CATCH_UP_GIVE_UP:?} (network at {})",
                monitor.height_of_others(&[index])
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Checks that node `index`'s app answers `abci_info` with the app hash the header at the next
/// height carries (read from another node, or from its own CometBFT when it is alone);
/// returns the height checked.
pub async fn check_abci_info(net: &Localnet, index: usize) -> Result<u64> {
    let addr = net.node(index)?.rpc_addr()?;
    let others: Vec<_> = (0..net.nodes().len())
        .filter(|&i| i != index)
        .chain([index])
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let info = rpc::get(addr, "abci_info").await?;
        let response = &info["response"];
        let height: u64 = response["last_block_height"]
            .as_str()
            .and_then(|h| h.parse().ok())
            .context("abci_info without last_block_height")?;
        let app_hash = base64::engine::general_purpose::STANDARD
            .decode(response["last_block_app_hash"].as_str().unwrap_or_default())
            .context("abci_info app hash is not base64")?;
        for &other in &others {
            let Ok(other_addr) = net.node(other)?.rpc_addr() else {
                continue;
            };
            if let Ok(block) = rpc::block(other_addr, height + 1).await {
                if !block.app_hash.eq_ignore_ascii_case(&hex::encode(&app_hash)) {
                    bail!(
                        "node{index}'s app reports app hash {} at height {height}, but header \
                         {} on node{other} carries {}",
                        hex::encode_upper(&app_hash),
                        height + 1,
                        block.app_hash
                    );
                }
                return Ok(height);
            }
        }
        if Instant::now() > deadline {
            bail!(
                "no node served header {} to compare node{index}'s abci_info with",
                height + 1
            );
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_height_without_abci_responses() {
        let stderr = "panic: event re-index failed: : not able to load ABCI Response at height \
                      157 from the statestore\n\ngoroutine 1 [running]:";
        assert_eq!(unsaved_height(stderr), Some(157));
        assert_eq!(unsaved_height("panic: something else"), None);
    }
}
