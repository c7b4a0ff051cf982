//! Client subcommands of `rampartd`: `keys`, `tx`, `query` and `genesis` (clap definitions and
//! handlers).

pub mod consumer;
pub mod distribution;
pub mod genesis;
pub mod keys;
pub mod prompt;
pub mod query;
pub mod restaking;
pub mod slashing;
pub mod staking;
pub mod tx;

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::client::rpc::DEFAULT_RPC;
use crate::client::NodeClient;
use crate::config::AppToml;
use crate::home::Home;

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Human-readable text.
    Text,
    /// JSON.
    Json,
}

/// `--output`, shared by the client commands.
#[derive(Debug, Clone, Args)]
pub struct OutputArg {
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// The node home shared by rampartd and CometBFT (`--home`).
#[derive(Debug, Clone, Args)]
pub struct HomeArg {
    /// Node home directory.
    #[arg(long, env = "RAMPART_HOME", default_value_os_t = default_home())]
    pub home: PathBuf,
}

/// `$HOME/.rampart`, the default node home.
pub fn default_home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
        .join(".rampart")
}

/// Which node to talk to (`--node`, `--home`).
#[derive(Debug, Clone, Args)]
pub struct NodeArgs {
    /// CometBFT RPC URL; defaults to `cometbft.rpc` in `<home>/config/app.toml`, else
    /// http://127.0.0.1:26657.
    #[arg(long)]
    pub node: Option<String>,
    #[command(flatten)]
    home: HomeArg,
}

impl NodeArgs {
    /// The node home (`--home`), where app.toml and the keyrings are.
    pub fn home(&self) -> &std::path::Path {
        &self.home.home
    }

    /// The RPC URL chosen by `--node`, app.toml or the default.
    pub fn rpc_url(&self) -> String {
        if let Some(node) = &self.node {
            return node.clone();
        }
        AppToml::load(&Home::new(self.home()).app_toml())
            .map(|config| config.cometbft.rpc)
            .unwrap_or_else(|_| DEFAULT_RPC.to_owned())
    }

    /// A client for [`NodeArgs::rpc_url`].
    pub fn client(&self) -> anyhow::Result<NodeClient> {
        NodeClient::new(&self.rpc_url())
    }
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
