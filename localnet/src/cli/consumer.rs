//! `consumer up|down|stop|status <id>`: a consumer chain of the provider localnet, with its
//! relayer.

use std::path::Path;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use super::up::{watch, Interrupt};
use super::{display, node_cmds, HomeArg};
use crate::consumer::{self, provider_rpc};
use crate::network::Chain;
use crate::process::StopMode;

/// The `consumer` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConsumerCommand {
    /// Start a launched consumer's nodes and relayer (creating them the first time; adding nodes
    /// for validators new in its set), wait for a block, then watch it until Ctrl-C (which stops
    /// it) or return with --detach.
    ///
    /// One consumer node (rampartd + CometBFT) runs for each localnet node whose validator is in
    /// the consumer's set, signing with that validator's consumer key: its assigned key, whose
    /// priv_validator_key.json must be in `<node home>/consumer-keys/`, else its provider key.
    /// The relayer's key (`relayer`, in `<home>/consumer<c>/relayer`) is funded on both chains.
    ///
    /// The consumer node of node i on consumer c listens on P2P 28056+1000·c+100·i, RPC
    /// 28057+1000·c+100·i, ABCI 28058+1000·c+100·i and gRPC 28090+1000·c+100·i (consumers 0 to
    /// 3 with up to 10 nodes; all below 32768 and clear of the provider's ports). Logs:
    /// `<home>/consumer<c>/node<i>/logs/{rampartd,cometbft}.log` and
    /// `<home>/consumer<c>/relayer/logs/relayer.log`.
    Up(ConsumerUpArgs),
    /// Stop a consumer's relayer and nodes.
    Down(ConsumerArgs),
    /// Stop one consumer node (its provider node keeps running): its validator stops signing the
    /// consumer, which proves the downtime to the provider. `consumer up` starts it again.
    Stop(ConsumerStopArgs),
    /// Show a consumer's nodes, its validator set against the provider's, and the relayer's
    /// progress.
    Status(ConsumerStatusArgs),
}

/// The consumer and the localnet home.
#[derive(Debug, Args)]
pub struct ConsumerArgs {
    /// The consumer's id on the provider.
    pub consumer_id: u64,
    /// Home dir.
    #[command(flatten)]
    pub home: HomeArg,
}

/// Options of `consumer up`.
#[derive(Debug, Args)]
pub struct ConsumerUpArgs {
    /// The consumer's id on the provider (it must have launched).
    pub consumer_id: u64,
    /// Return once the consumer has committed a block, leaving it running.
    #[arg(long)]
    pub detach: bool,
    /// Wait for a registered consumer's launch, then start it at once (a consumer must start
    /// within its light client's trusting period of the launch: 40 s on the localnet).
    #[arg(long)]
    pub wait: bool,
    /// Home dir.
    #[command(flatten)]
    pub home: HomeArg,
}

/// Options of `consumer stop`.
#[derive(Debug, Args)]
pub struct ConsumerStopArgs {
    /// The consumer's id on the provider.
    pub consumer_id: u64,
    /// Index of the provider node whose consumer node stops (0-based).
    #[arg(long, value_name = "I")]
    pub node: usize,
    /// Send SIGKILL instead of SIGTERM (simulates a crash).
    #[arg(long)]
    pub kill: bool,
    /// Home dir.
    #[command(flatten)]
    pub home: HomeArg,
}

/// Options of `consumer status`.
#[derive(Debug, Args)]
pub struct ConsumerStatusArgs {
    /// The consumer's id on the provider.
    pub consumer_id: u64,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Home dir.
    #[command(flatten)]
    pub home: HomeArg,
}

/// Runs a `consumer` subcommand.
pub async fn run(command: ConsumerCommand) -> Result<()> {
    match command {
        ConsumerCommand::Up(args) => up(args).await,
        ConsumerCommand::Down(args) => down(&args.home.resolve(), args.consumer_id),
        ConsumerCommand::Stop(args) => stop_node(&args),
        ConsumerCommand::Status(args) => {
            status(&args.home.resolve(), args.consumer_id, args.json).await
        }
    }
}

/// `consumer up`.
async fn up(args: ConsumerUpArgs) -> Result<()> {
    let id = args.consumer_id;
    let mut net = node_cmds::load(&args.home.resolve())?;
    // Before building anything: the provider must run.
    provider_rpc(&net)?;
    let binaries = net.recorded_binaries()?;
    // On failure, stop only what this command started: a running consumer stays up.
    let was_running = net.manifest().consumer(id).is_some()
        && (net.chain_running(Chain::Consumer(id)) || net.relayer_running(id));
    let mut interrupt = Interrupt::new()?;
    let outcome = tokio::select! {
        result = consumer::up(&mut net, &binaries, id, args.wait) => Some(result),
        () = interrupt.recv() => None,
    };
    let started = match outcome {
        Some(Ok(started)) => started,
        Some(Err(err)) => {
            if net.manifest().consumer(id).is_some() && !was_running {
                eprintln!("consumer {id} did not start; stopping it…");
                let _ = net.stop_consumer(id, StopMode::default());
            }
            return Err(err);
        }
        None if net.manifest().consumer(id).is_some() && !was_running => {
            eprintln!("interrupted; stopping consumer {id}…");
            return net.stop_consumer(id, StopMode::default());
        }
        None => {
            eprintln!("interrupted");
            return Ok(());
        }
    };
    println!("{}", display::consumer_summary(&net, id));
    println!(
        "{} at height {} (started in {:.1?}); `cargo localnet consumer status {id}` compares \
         its set with the provider's",
        started.chain_id, started.height, started.elapsed
    );
    if args.detach {
        println!(
            "running in the background; `cargo localnet consumer down {id}` stops it (`cargo \
             localnet down` stops everything)"
        );
        return Ok(());
    }
    println!("press Ctrl-C to stop the consumer (the provider keeps running)");
    watch(&mut net, &mut interrupt, Chain::Consumer(id)).await;
    eprintln!("\nstopping consumer {id}…");
    net.stop_consumer(id, StopMode::default())?;
    eprintln!("stopped");
    Ok(())
}

/// `consumer stop <id> --node I`.
fn stop_node(args: &ConsumerStopArgs) -> Result<()> {
    let mut net = node_cmds::load(&args.home.resolve())?;
    let chain = Chain::Consumer(args.consumer_id);
    let name = format!("node{}", args.node);
    let index = net
        .chain_nodes(chain)?
        .iter()
        .position(|node| node.name == name)
        .with_context(|| {
            format!(
                "consumer {} has no node for provider {name} (is its validator in the set?)",
                args.consumer_id
            )
        })?;
    let mode = if args.kill {
        StopMode::Kill
    } else {
        StopMode::default()
    };
    net.stop_chain_nodes(chain, &[index], mode)?;
    println!(
        "{} consumer {}'s {name} (provider {name} keeps running)",
        if args.kill { "killed" } else { "stopped" },
        args.consumer_id
    );
    Ok(())
}

/// `consumer down`.
fn down(home: &Path, consumer_id: u64) -> Result<()> {
    let mut net = node_cmds::load(home)?;
    net.consumer(consumer_id)?;
    net.stop_consumer(consumer_id, StopMode::default())?;
    println!("stopped consumer {consumer_id} (its homes stay in {})", {
        net.consumer_home(consumer_id).display()
    });
    Ok(())
}

/// `consumer status`.
async fn status(home: &Path, consumer_id: u64, json: bool) -> Result<()> {
    let net = node_cmds::load(home)?;
    let status = net.consumer_status(consumer_id).await?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&status).context("failed to encode status")?
        );
    } else {
        print!("{}", display::consumer_status(&status));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::{Cli, Command};
    use super::*;

    #[test]
    fn parses_consumer_commands() -> Result<()> {
        let cli = Cli::try_parse_from(["cargo localnet", "consumer", "up", "2", "--detach"])?;
        match cli.command {
            Command::Consumer {
                command: ConsumerCommand::Up(args),
            } => assert!(args.consumer_id == 2 && args.detach && !args.wait),
            other => panic!("parsed {other:?}"),
        }
        let cli = Cli::try_parse_from(["cargo localnet", "consumer", "status", "0", "--json"])?;
        assert!(matches!(
            cli.command,
            Command::Consumer {
                command: ConsumerCommand::Status(ConsumerStatusArgs { json: true, .. })
            }
        ));
        assert!(Cli::try_parse_from(["cargo localnet", "consumer", "down"]).is_err());
        Ok(())
    }

    #[test]
    fn missing_localnet_is_a_clear_error() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let err = down(&dir.path().join("none"), 0)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("no localnet at"), "{err}");
        Ok(())
    }
}
