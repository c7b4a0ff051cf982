//! The `cargo localnet` command line.

pub mod consumer;
mod display;
pub mod drill;
pub mod join;
pub mod load;
pub mod node_cmds;
mod up;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::network::{default_home, DEFAULT_CHAIN_ID};

/// Run a local multi-validator Rampart network (rampartd + CometBFT) on
/// 127.0.0.1.
///
/// Node i listens on P2P 26656+100·i, RPC 26657+100·i, ABCI 26658+100·i and
/// gRPC 9090+100·i; the consumer node of node i on consumer chain c on P2P
/// 28056+1000·c+100·i, RPC 28057+…, ABCI 28058+… and gRPC 28090+… (see
/// `cargo localnet consumer --help`). Everything lives under one home dir (default
/// `<workspace>/.localnet`); `localnet.json` there describes the network.
#[derive(Debug, Parser)]
#[command(
    name = "cargo localnet",
    bin_name = "cargo localnet",
    version,
    about,
    long_about
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `cargo localnet` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build rampartd, generate the network if needed, start every node and
    /// wait for blocks.
    Up(UpArgs),
    /// Stop every process recorded in localnet.json (consumer chains and relayers included).
    Down(HomeArg),
    /// Show height, app hash and peers of every node, and each consumer chain's heights and
    /// relayer lag.
    Status(StatusArgs),
    /// Stop one node (rampartd and cometbft).
    Stop(StopArgs),
    /// Start one stopped node (rampartd and cometbft) with the build the localnet runs, after
    /// re-indexing its last blocks' events (a node killed with -9 may have missed them).
    Start(StartArgs),
    /// Add a validator to the running localnet: a new node that syncs, gets a funded operator
    /// key and creates its validator.
    Join(join::JoinArgs),
    /// Run a launched consumer chain on the localnet's validators, with a relayer:
    /// `consumer up|down|status <id>`.
    ///
    /// Consumer node i of consumer c listens on P2P 28056+1000·c+100·i, RPC 28057+…, ABCI
    /// 28058+… and gRPC 28090+…; homes and logs are in `<home>/consumer<c>/` (see `cargo
    /// localnet consumer up --help`).
    Consumer {
        /// What to do with the consumer.
        #[command(subcommand)]
        command: consumer::ConsumerCommand,
    },
    /// Inject faults (kill, pause, app or CometBFT restarts) into the running localnet's
    /// validators under load, checking for stalls, divergence, slow catch-up and lost or
    /// duplicated transactions; non-zero exit on any violation. `--consumer ID` drills a
    /// consumer chain's nodes and relayer instead, and checks that it keeps following the
    /// provider.
    Drill(drill::DrillArgs),
    /// Send signed transfers (or kvstore transactions) to every node of the running localnet at
    /// --rate or --saturate, and report from the blocks: committed and offered tx/s, inclusion
    /// latency, failures and refusals by code, block time and size; and the nodes' CPU per
    /// transaction.
    Load(load::LoadArgs),
}

/// The localnet home option shared by all commands.
#[derive(Debug, Args)]
pub struct HomeArg {
    /// Localnet home dir [default: <workspace>/.localnet].
    #[arg(long, value_name = "DIR")]
    pub home: Option<PathBuf>,
}

impl HomeArg {
    /// The given home, or the default.
    pub fn resolve(&self) -> PathBuf {
        self.home.clone().unwrap_or_else(default_home)
    }
}

/// Options of `up`.
#[derive(Debug, Args)]
pub struct UpArgs {
    /// Number of validators (only used when generating a new network).
    #[arg(long, short = 'n', default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub validators: u16,
    /// Chain id (only used when generating a new network).
    #[arg(long, default_value = DEFAULT_CHAIN_ID)]
    pub chain_id: String,
    /// Return once every node has committed a block, leaving the network running.
    #[arg(long)]
    pub detach: bool,
    /// Wipe the home dir and generate a new network.
    #[arg(long)]
    pub fresh: bool,
    /// Run an optimised rampartd (`cargo build --release`), as validators do; the default is
    /// a debug build.
    #[arg(long)]
    pub release: bool,
    /// The application of a new network: rampartd, or CometBFT's built-in kvstore with the same
    /// layout, ports and CometBFT config (to measure CometBFT's own ceiling with `load`).
    #[arg(long, value_enum, default_value_t = crate::kvstore::AppKind::Rampart)]
    pub app: crate::kvstore::AppKind,
    /// Give a new network free loopback ports instead of the fixed scheme (to run it beside
    /// another localnet; `localnet.json` and `status` show them).
    #[arg(long)]
    pub free_ports: bool,
    /// Make a new network's validators other than node0 withhold their events from CometBFT
    /// (app.toml `[events] emit = false`), as validators that serve no queries can: node0 stays
    /// the node wallets and explorers read events from; consensus is unchanged.
    #[arg(long)]
    pub lean_validators: bool,
    /// Home dir.
    #[command(flatten)]
    pub home: HomeArg,
}

/// Options of `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Home dir.
    #[command(flatten)]
    pub home: HomeArg,
}

/// Options of `stop`.
#[derive(Debug, Args)]
pub struct StopArgs {
    /// Index of the node to stop (0-based).
    #[arg(long, value_name = "I")]
    pub node: usize,
    /// Send SIGKILL instead of SIGTERM (simulates a crash).
    #[arg(long)]
    pub kill: bool,
    /// Home dir.
    #[command(flatten)]
    pub home: HomeArg,
}

/// Options of `start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// Index of the node to start (0-based).
    #[arg(long, value_name = "I")]
    pub node: usize,
    /// Home dir.
    #[command(flatten)]
    pub home: HomeArg,
}

/// Entry point of the `rampart-localnet` binary: parses arguments, runs the
/// command and turns errors into a message and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start the tokio runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Up(args) => up::run(args).await,
            Command::Down(home) => node_cmds::down(&home.resolve()),
            Command::Status(args) => node_cmds::status(&args.home.resolve(), args.json).await,
            Command::Stop(args) => node_cmds::stop(&args.home.resolve(), args.node, args.kill),
            Command::Start(args) => node_cmds::start(&args.home.resolve(), args.node).await,
            Command::Join(args) => join::run(args).await,
            Command::Consumer { command } => consumer::run(command).await,
            Command::Drill(args) => drill::run(args).await,
            Command::Load(args) => load::run(args).await,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_up() -> Result<()> {
        let cli = Cli::try_parse_from(["cargo localnet", "up", "--validators", "2", "--detach"])?;
        match cli.command {
            Command::Up(args) => {
                assert_eq!(args.validators, 2);
                assert!(args.detach && !args.fresh);
                assert_eq!(args.chain_id, DEFAULT_CHAIN_ID);
            }
            other => panic!("parsed {other:?}"),
        }
        assert!(Cli::try_parse_from(["cargo localnet", "up", "--validators", "0"]).is_err());
        Ok(())
    }
}
