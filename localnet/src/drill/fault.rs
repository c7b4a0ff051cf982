//! Injecting one fault into the nodes of a localnet's chain (the provider's validators or a
//! consumer chain's nodes, [`Chain`]) or into a consumer's relayer, and recovering from it:
//! signals to the recorded processes, restarts through [`Localnet`], then the catch-up and
//! `abci_info` checks.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use base64::Engine;

use super::monitor::Monitor;
use super::schedule::FaultKind;
use crate::binaries::Binaries;
use crate::network::{chain_label, Chain, Localnet};
use crate::process::{send_signal, StopMode};
use crate::rpc;

/// A restarted node must reach the network's height within this long.
pub const CATCH_UP_LIMIT: Duration = Duration::from_secs(30);
/// How long a node that has not caught up is waited for before the drill goes on.
const CATCH_UP_GIVE_UP: Duration = Duration::from_secs(120);
/// How long [`check_abci_info_in`] waits for the header after a node's last block: on a busy
/// machine (CI runs several four-node networks at once) consensus rounds time out and a height
/// can take tens of seconds.
const HEADER_WAIT: Duration = Duration::from_secs(90);
/// Blocks below a dead node's last one whose events are indexed again.
const REINDEX_MARGIN: u64 = 2;

/// The signals that inject `kind` into a node: `(process, signal)` (none for a relayer fault).
fn signals(kind: FaultKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        FaultKind::Kill => &[("cometbft", "KILL"), ("rampartd", "KILL")],
        FaultKind::Pause => &[("cometbft", "STOP"), ("rampartd", "STOP")],
        FaultKind::RestartApp => &[("rampartd", "KILL")],
        FaultKind::RestartCometbft => &[("cometbft", "KILL")],
        FaultKind::RelayerKill | FaultKind::RelayerRestart => &[],
    }
}

/// The consumer whose relayer a relayer fault hits.
fn relayer_of(chain: Chain, kind: FaultKind) -> Result<u64> {
    match chain {
        Chain::Consumer(id) => Ok(id),
        Chain::Provider => bail!("{kind} needs a consumer chain (`drill --consumer <id>`)"),
    }
}

/// Sends `kind`'s signals to the processes of `nodes` of `chain` and marks them down in the
/// monitor; a relayer fault kills (`relayer-kill`) or stops (`relayer-restart`) the relayer.
pub fn inject(
    net: &mut Localnet,
    monitor: &Monitor,
    chain: Chain,
    nodes: &[usize],
    kind: FaultKind,
) -> Result<()> {
    match kind {
        FaultKind::RelayerKill => {
            return net.stop_relayer(relayer_of(chain, kind)?, StopMode::Kill)
        }
        FaultKind::RelayerRestart => {
            return net.stop_relayer(relayer_of(chain, kind)?, StopMode::default())
        }
        _ => {}
    }
    monitor.set_down(nodes, true);
    for &index in nodes {
        let pids = net.chain_node(chain, index)?.pids;
        for (process, signal) in signals(kind) {
            let pid = match *process {
                "cometbft" => pids.cometbft,
                _ => pids.rampartd,
            };
            let pid = pid.with_context(|| {
                format!("{}node{index} {process} is not running", chain_label(chain))
            })?;
            send_signal(pid, signal)?;
        }
    }
    Ok(())
}

/// Undoes `kind` on `nodes` of `chain`: SIGCONT for a pause, else starts what was killed (a
/// CometBFT that exited because its app died is started again with it); a relayer fault starts
/// the relayer again. A CometBFT that died is first made to re-index its events
/// ([`reindex_events`], from `from_height` when given). Marks the nodes up again.
pub fn recover(
    net: &mut Localnet,
    binaries: &Binaries,
    monitor: &Monitor,
    chain: Chain,
    nodes: &[usize],
    kind: FaultKind,
    from_height: Option<u64>,
) -> Result<()> {
    if kind.is_relayer() {
        let provider = crate::consumer::provider_rpc(net)?;
        return net.start_relayer(relayer_of(chain, kind)?, binaries, &provider);
    }
    let result = nodes.iter().try_for_each(|&index| match kind {
        FaultKind::Pause => {
            let pids = net.chain_node(chain, index)?.pids;
            for pid in [pids.rampartd, pids.cometbft].into_iter().flatten() {
                send_signal(pid, "CONT")?;
            }
            Ok(())
        }
        FaultKind::RestartCometbft if net.running_in(chain, index).rampartd => {
            let reindexed = reindex_events(net, binaries, chain, index, from_height);
            net.start_cometbft(chain, index, binaries)?;
            reindexed
        }
        _ => {
            net.refresh();
            if net.running_in(chain, index).cometbft {
                // CometBFT still shutting down after its app died.
                net.stop_chain_nodes(chain, &[index], StopMode::default())?;
            }
            let reindexed = reindex_events(net, binaries, chain, index, from_height);
            net.start_chain_nodes(chain, &[index], binaries)?;
            reindexed
        }
    });
    monitor.set_down(nodes, false);
    result
}

/// Runs `cometbft reindex-event --start-height <from>` on stopped node `index` of `chain`
/// (`from`: [`REINDEX_MARGIN`] blocks below the last block in its block store when `None`).
/// CometBFT v0.38 indexes a block's transactions after committing it and does not catch up on
/// restart, so a kill -9 between the two leaves committed transactions unknown to that node's
/// `tx` queries (found by the drill: 56 of 83,667 in the first 30-minute kill drill). A block
/// saved without its ABCI responses (killed before CometBFT's state was saved) is replayed at
/// start-up, so the re-index stops before it. reindex-event exits 0 when it refuses a height
/// (`event re-index failed: …` on stdout): that is a failure too.
pub fn reindex_events(
    net: &Localnet,
    binaries: &Binaries,
    chain: Chain,
    index: usize,
    from: Option<u64>,
) -> Result<()> {
    let home = &net.chain_node(chain, index)?.home;
    let name = format!("{}node{index}", chain_label(chain));
    let run = |from: u64, end: Option<u64>| -> Result<(bool, String)> {
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
        let stdout = String::from_utf8_lossy(&out.stdout);
        let text = format!("{}{stdout}", String::from_utf8_lossy(&out.stderr));
        Ok((
            out.status.success() && !stdout.contains("re-index failed"),
            text,
        ))
    };
    let from = match from {
        Some(from) => from.max(1),
        None => {
            // Asking for a height past the store's end makes it name its height.
            let (_, text) = run(u64::MAX >> 1, None)?;
            if text.contains("no blockstore found") {
                return Ok(()); // never started: nothing was indexed or missed
            }
            let Some(height) = store_height(&text) else {
                bail!(
                    "{name}: cometbft reindex-event did not name the block store's height: {}",
                    text.lines().next().unwrap_or_default()
                );
            };
            if height == 0 {
                return Ok(());
            }
            height.saturating_sub(REINDEX_MARGIN).max(1)
        }
    };
    let mut end: Option<u64> = None;
    loop {
        let (ok, text) = run(from, end)?;
        if ok {
            return Ok(());
        }
        match unsaved_height(&text) {
            Some(height) if end.is_none_or(|e| height <= e) && height > from => {
                end = Some(height - 1);
            }
            Some(height) if height <= from => return Ok(()),
            _ => bail!(
                "{name}: cometbft reindex-event --start-height {from} failed: {}",
                text.lines()
                    .find(|l| l.contains("fail"))
                    .unwrap_or_default()
            ),
        }
    }
}

/// The height in reindex-event's "not able to load ABCI Response at height N" failure.
fn unsaved_height(stderr: &str) -> Option<u64> {
    number_after(stderr, "not able to load ABCI Response at height ")
}

/// The block store's height in reindex-event's "(requested start height: N, store height: H)".
fn store_height(output: &str) -> Option<u64> {
    number_after(output, "store height: ")
}

/// The decimal number right after `marker` in `text`.
fn number_after(text: &str, marker: &str) -> Option<u64> {
    let (_, rest) = text.split_once(marker)?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Waits until node `index` of `chain` is within one block of the other nodes and no longer
/// catching up; returns how long that took, or an error after [`CATCH_UP_GIVE_UP`].
pub async fn catch_up(
    net: &Localnet,
    monitor: &Monitor,
    chain: Chain,
    index: usize,
) -> Result<Duration> {
    let addr = net.chain_node(chain, index)?.rpc_addr()?;
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
                "{}node{index} did not catch up within {CATCH_UP_GIVE_UP:?} (network at {})",
                chain_label(chain),
                monitor.height_of_others(&[index])
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Checks that provider node `index`'s app answers `abci_info` with the app hash the header at
/// the next height carries ([`check_abci_info_in`]); returns the height checked.
pub async fn check_abci_info(net: &Localnet, index: usize) -> Result<u64> {
    check_abci_info_in(net, Chain::Provider, index).await
}

/// Checks that node `index` of `chain`'s app answers `abci_info` with the app hash the header at
/// the next height carries (read from another node of the chain, or from its own CometBFT when
/// it is alone); returns the height checked.
pub async fn check_abci_info_in(net: &Localnet, chain: Chain, index: usize) -> Result<u64> {
    let addr = net.chain_node(chain, index)?.rpc_addr()?;
    let others: Vec<_> = (0..net.chain_nodes(chain)?.len())
        .filter(|&i| i != index)
        .chain([index])
        .collect();
    let deadline = Instant::now() + HEADER_WAIT;
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
        let mut misses = Vec::new();
        for &other in &others {
            let other_addr = match net.chain_node(chain, other)?.rpc_addr() {
                Ok(other_addr) => other_addr,
                Err(e) => {
                    misses.push(format!("node{other}: {e:#}"));
                    continue;
                }
            };
            match rpc::block(other_addr, height + 1).await {
                Ok(block) => {
                    if !block.app_hash.eq_ignore_ascii_case(&hex::encode(&app_hash)) {
                        bail!(
                            "node{index}'s app reports app hash {} at height {height}, but \
                             header {} on node{other} carries {}",
                            hex::encode_upper(&app_hash),
                            height + 1,
                            block.app_hash
                        );
                    }
                    return Ok(height);
                }
                Err(e) => misses.push(format!("node{other}: {e:#}")),
            }
        }
        if Instant::now() > deadline {
            bail!(
                "no node served header {} to compare node{index}'s abci_info with within {:?} \
                 (the chain did not advance): {}",
                height + 1,
                HEADER_WAIT,
                misses.join("; ")
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

    #[test]
    fn finds_the_store_height_reindex_event_names() {
        let stdout = "event re-index failed:  height is not available (requested start height: \
                      4611686018427387903, store height: 5898)\n";
        assert_eq!(store_height(stdout), Some(5898));
        assert_eq!(store_height("set the end block height to 12"), None);
    }
}
