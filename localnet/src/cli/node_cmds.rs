//! `down`, `status`, `stop` and `start`: commands on an existing localnet.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};

use super::display;
use crate::drill::fault::reindex_events;
use crate::network::{Chain, Localnet};
use crate::process::StopMode;

/// How long a restarted node may take to catch up.
const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(180);

/// Loads the localnet at `home`, with a hint when there is none.
pub(super) fn load(home: &Path) -> Result<Localnet> {
    if !Localnet::exists(home) {
        anyhow::bail!(
            "no localnet at {} (no localnet.json); create one with `cargo localnet up`{}",
            home.display(),
            if home.exists() {
                ""
            } else {
                " — the directory does not exist"
            }
        );
    }
    Localnet::load(home)
}

/// `down`: stops every recorded process.
pub fn down(home: &Path) -> Result<()> {
    let mut net = load(home)?;
    if !net.any_running() {
        println!("nothing running in {}", net.home().display());
        return Ok(());
    }
    net.stop(StopMode::default())?;
    println!("stopped the localnet in {}", net.home().display());
    Ok(())
}

/// `status`: table or JSON of every node, then of every consumer chain.
pub async fn status(home: &Path, json: bool) -> Result<()> {
    let net = load(home)?;
    let statuses = net.status().await;
    let mut consumers = Vec::new();
    for consumer in &net.manifest().consumers {
        consumers.push(net.consumer_status(consumer.consumer_id).await?);
    }
    if json {
        let out = serde_json::json!({
            "home": net.home(),
            "chain_id": net.manifest().chain_id,
            "nodes": statuses,
            "consumers": consumers,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).context("failed to encode status")?
        );
    } else {
        println!(
            "chain {} in {}",
            net.manifest().chain_id,
            net.home().display()
        );
        print!("{}", display::status_table(&statuses));
        for consumer in &consumers {
            println!(
                "\nconsumer {} (chain {}): {}",
                consumer.consumer_id,
                consumer.chain_id,
                display::relayer_line(consumer)
            );
            print!("{}", display::status_table(&consumer.nodes));
        }
    }
    Ok(())
}

/// `stop --node I [--kill]`.
pub fn stop(home: &Path, index: usize, kill: bool) -> Result<()> {
    let mut net = load(home)?;
    let name = net.node(index)?.name.clone();
    let running = net.running(index);
    if !running.cometbft && !running.rampartd {
        println!("{name} is not running");
        return Ok(());
    }
    let mode = if kill {
        StopMode::Kill
    } else {
        StopMode::default()
    };
    net.stop_node(index, mode)?;
    println!("{} {name}", if kill { "killed" } else { "stopped" });
    Ok(())
}

/// `start --node I`: starts the node with the build the localnet runs
/// ([`Localnet::recorded_binaries`]) and waits until it has caught up with the height the other nodes
/// had when it was started. A node whose CometBFT is not running first re-indexes the events of
/// its last blocks ([`reindex_events`]): after a kill -9 its tx index may lack the last block.
pub async fn start(home: &Path, index: usize) -> Result<()> {
    let mut net = load(home)?;
    let name = net.node(index)?.name.clone();
    let running = net.running(index);
    if running.cometbft && running.rampartd {
        println!("{name} is already running");
        return Ok(());
    }
    let binaries = net.recorded_binaries()?;
    if !running.cometbft {
        reindex_events(&net, &binaries, Chain::Provider, index, None)?;
    }
    // The restarted node should catch up with the others' current height.
    let target = net
        .status()
        .await
        .iter()
        .filter_map(|s| s.height)
        .max()
        .unwrap_or(1)
        .max(1);
    net.start_node(index, &binaries)?;
    net.wait_for_height(target, CATCH_UP_TIMEOUT).await?;
    println!(
        "started {name} (caught up to height {target}); logs in {}/logs",
        net.node(index)?.home.display()
    );
    Ok(())
}
