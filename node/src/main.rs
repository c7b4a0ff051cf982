//! `rampartd`: the Rampart node binary. Run `rampartd --help`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rampartd::cli::genesis::GenesisCommand;
use rampartd::cli::keys::KeysCommand;
use rampartd::cli::query::QueryCommand;
use rampartd::cli::tx::TxCommand;
use rampartd::cli::{HomeArg, Output};
use rampartd::config::AppToml;
use rampartd::home::Home;

/// mimalloc instead of glibc's malloc: the state machine allocates and frees many small buffers
/// per transaction (sled nodes, JMT nodes, overlays), which glibc served at ~38 % of a block's
/// CPU time (issue 14, docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Rampart: a Cosmos-style appchain with native shared security, run under CometBFT v0.38.
#[derive(Parser)]
#[command(name = "rampartd", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a node home: CometBFT config, genesis and keys, plus rampartd's app.toml. With
    /// `--consumer`, a consumer chain's home whose genesis comes from the provider.
    Init {
        /// Human-readable node name.
        moniker: String,
        /// Chain id written to genesis (a provider chain; a consumer's comes from the provider).
        #[arg(
            long,
            required_unless_present = "consumer",
            conflicts_with = "consumer"
        )]
        chain_id: Option<String>,
        /// Initialise a node of launched consumer chain N: its genesis (chain id, launch time,
        /// trust anchor, initial validator set) is fetched from `--provider-node`.
        #[arg(long, value_name = "N", requires = "provider_node")]
        consumer: Option<u64>,
        /// The provider's CometBFT RPC URL (with `--consumer`).
        #[arg(long, value_name = "URL")]
        provider_node: Option<String>,
        #[command(flatten)]
        home: HomeArg,
        /// Regenerate genesis and app.toml in an initialised home (keys are kept).
        #[arg(long)]
        overwrite: bool,
    },
    /// Run the ABCI server (for CometBFT) and the gRPC query server until SIGINT/SIGTERM.
    Start {
        #[command(flatten)]
        home: HomeArg,
    },
    /// Show the node's height, app hash and sync state (from its CometBFT RPC).
    Status {
        #[command(flatten)]
        home: HomeArg,
        /// CometBFT RPC URL; defaults to `cometbft.rpc` in app.toml.
        #[arg(long)]
        node: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Print the committed state as a genesis file (stop the node first).
    Export {
        #[command(flatten)]
        home: HomeArg,
    },
    /// Print rampartd's version and the CometBFT version it is built for.
    Version,
    /// Manage account keys (BIP-39 mnemonics, m/44'/118'/0'/0/0) in the keyring.
    Keys(KeysCommand),
    /// Sign and broadcast transactions.
    Tx(TxCommand),
    /// Query chain state.
    #[command(alias = "q")]
    Query(QueryCommand),
    /// Build genesis: accounts, validators' genesis transactions (gentxs), validation.
    Genesis(GenesisCommand),
    /// Write the homes of a new network with one validator per host (keys, genesis from
    /// gentxs, persistent peers by host address, ports, app.toml): see docs/DEPLOY.md.
    Testnet(rampartd::testnet::TestnetCommand),
    /// Tools for tests and operators (double-sign evidence).
    Debug(rampartd::debug::DebugCommand),
    /// Relay validator-set changes from the provider to a consumer chain and their
    /// acknowledgements back (light-client verified; stateless, safe to restart or run twice).
    Relay(rampartd::relay::RelayCommand),
    /// Print the chain info a Keplr-style wallet needs to add this chain (`--registry DIR`
    /// also writes chain-registry `chain.json` and `assetlist.json`).
    ChainInfo(rampartd::chain_info::ChainInfoCommand),
}

fn init_tracing(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Init {
            moniker,
            chain_id,
            consumer,
            provider_node,
            home,
            overwrite,
        } => {
            let home = Home::new(home.home);
            let report = match (consumer, provider_node, chain_id) {
                (Some(id), Some(provider), _) => {
                    rampartd::init::init_consumer(&home, &moniker, id, &provider, overwrite).await?
                }
                (_, _, Some(chain_id)) => {
                    rampartd::init::init(&home, &moniker, &chain_id, overwrite)?
                }
                _ => anyhow::bail!("give --chain-id, or --consumer with --provider-node"),
            };
            println!(
                "initialised {} for chain {} (validator {})\nnext: rampartd start --home {0} and cometbft start --home {0}",
                home.root().display(),
                report.chain_id,
                report.validator_address
            );
        }
        Command::Start { home } => {
            let home = Home::new(home.home);
            let level = AppToml::load(&home.app_toml())
                .map(|c| c.log.level)
                .unwrap_or_else(|_| "info".into());
            init_tracing(&level);
            rampartd::start::start(&home).await?;
        }
        Command::Status { home, node, output } => {
            let rpc = match node {
                Some(rpc) => rpc,
                None => {
                    AppToml::load(&Home::new(home.home).app_toml())?
                        .cometbft
                        .rpc
                }
            };
            let status = rampartd::status::fetch(&rpc).await?;
            match output {
                Output::Text => println!("{status}"),
                Output::Json => println!("{}", serde_json::to_string_pretty(&status)?),
            }
        }
        Command::Export { home } => {
            let doc = rampartd::export::export(&Home::new(home.home))?;
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        Command::Version => {
            println!(
                "rampartd {}\ncometbft {} (ABCI 2.0, v0.38)",
                env!("CARGO_PKG_VERSION"),
                rampartd::cometbft::COMETBFT_VERSION
            );
        }
        Command::Keys(command) => command.run()?,
        Command::Tx(command) => command.run().await?,
        Command::Query(command) => command.run().await?,
        Command::Genesis(command) => command.run()?,
        Command::Testnet(command) => command.run()?,
        Command::Debug(command) => command.run().await?,
        Command::Relay(command) => {
            init_tracing("info");
            command.run().await?
        }
        Command::ChainInfo(command) => command.run()?,
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
