//! What the client commands share on their command lines: the node and home (`--node`,
//! `--home`), `--output`, query options, the transaction options and `--from`, and parsers of
//! consensus public keys. The flow that signs, confirms, broadcasts and prints a transaction
//! is in [`super::sign`].

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{anyhow, bail, Context};
use base64::Engine as _;
use clap::{Args, ValueEnum};
use cosmrs::AccountId;
use rampart_auth::pubkey::ED25519_TYPE_URL as ED25519_PUBKEY_URL;
use rampart_client::gas::{Gas, DEFAULT_GAS, DEFAULT_GAS_ADJUSTMENT};
use rampart_client::rpc::DEFAULT_RPC;
use rampart_client::{BroadcastMode, NodeClient};

use super::prompt::KeyringArgs;
use crate::config::AppToml;
use crate::genutil::node_keys::consensus_key;
use crate::home::Home;

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

/// Options every query takes.
#[derive(Debug, Clone, Args)]
pub struct QueryOptions {
    /// Which node to ask.
    #[command(flatten)]
    pub node: NodeArgs,
    /// The output format.
    #[command(flatten)]
    pub output: OutputArg,
}

/// The `--gas` value: `auto` or a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GasArg {
    /// Simulate and apply `--gas-adjustment`.
    Auto,
    /// A fixed gas limit.
    Limit(u64),
}

impl GasArg {
    /// The client's gas choice: `Auto` simulates and multiplies by `adjustment`.
    pub fn gas(self, adjustment: f64) -> Gas {
        match self {
            GasArg::Auto => Gas::Auto(adjustment),
            GasArg::Limit(limit) => Gas::Fixed(limit),
        }
    }
}

impl FromStr for GasArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "auto" {
            return Ok(GasArg::Auto);
        }
        s.parse()
            .map(GasArg::Limit)
            .map_err(|_| format!("expected `auto` or a gas limit, got {s:?}"))
    }
}

/// Options of every transaction command.
#[derive(Debug, Clone, Args)]
pub struct TxOptions {
    /// Fees to pay, e.g. 500uramp.
    #[arg(long, default_value = "")]
    pub(super) fees: String,
    /// Gas limit, or `auto` to simulate and multiply by --gas-adjustment.
    #[arg(long, default_value_t = GasArg::Limit(DEFAULT_GAS), value_parser = clap::value_parser!(GasArg))]
    pub(super) gas: GasArg,
    /// Factor applied to the simulated gas with --gas auto.
    #[arg(long, default_value_t = DEFAULT_GAS_ADJUSTMENT)]
    pub(super) gas_adjustment: f64,
    /// Transaction memo.
    #[arg(long, default_value = "")]
    pub(super) memo: String,
    /// Chain id to sign for; defaults to the node's (from /status).
    #[arg(long)]
    pub(super) chain_id: Option<String>,
    /// Sequence to sign with, instead of the account's committed one (to queue several
    /// transactions in one block).
    #[arg(long, short = 's')]
    pub(super) sequence: Option<u64>,
    /// Sign and broadcast without asking for confirmation.
    #[arg(long, short = 'y')]
    pub(super) yes: bool,
    /// sync: wait for CheckTx; async: return at once; block: wait until committed.
    #[arg(long, value_enum, default_value_t = BroadcastMode::Sync)]
    pub(super) broadcast_mode: BroadcastMode,
    /// Seconds to wait for the commit with --broadcast-mode block.
    #[arg(long, default_value_t = 60)]
    pub(super) timeout: u64,
    #[command(flatten)]
    pub(super) node: NodeArgs,
    #[command(flatten)]
    pub(super) keyring: KeyringArgs,
    #[command(flatten)]
    pub(super) output: OutputArg,
}

impl std::fmt::Display for GasArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GasArg::Auto => f.write_str("auto"),
            GasArg::Limit(limit) => write!(f, "{limit}"),
        }
    }
}

/// `--from` and the options of every transaction command, for commands whose signer is a flag
/// (as in the Cosmos SDK's staking and distribution commands).
#[derive(Debug, Clone, Args)]
pub struct FromOptions {
    /// The signing key: its name in the keyring, or its address.
    #[arg(long)]
    pub from: String,
    /// Fees, gas, node, keyring, broadcast mode and output.
    #[command(flatten)]
    pub tx: TxOptions,
}

/// Reads an ed25519 consensus public key from `arg`: a path to a `priv_validator_key.json` (or
/// any file holding one of the JSON forms below), the SDK's JSON
/// `{"@type":"/cosmos.crypto.ed25519.PubKey","key":"<base64>"}`, CometBFT's
/// `{"type":"tendermint/PubKeyEd25519","value":"<base64>"}`, or bare base64.
pub fn read_consensus_pubkey(arg: &str) -> anyhow::Result<[u8; 32]> {
    let path = Path::new(arg);
    if path.is_file() {
        return pubkey_file(path);
    }
    let trimmed = arg.trim();
    if trimmed.starts_with('{') {
        return pubkey_from_json(trimmed).context("--pubkey");
    }
    pubkey_from_base64(trimmed).map_err(|e| {
        anyhow!("--pubkey {arg:?} is neither a file nor a base64 ed25519 public key: {e}")
    })
}

/// The consensus public key in `<home>/config/priv_validator_key.json`.
pub fn home_consensus_pubkey(home: &Path) -> anyhow::Result<[u8; 32]> {
    consensus_key(&Home::new(home))
        .context("no consensus key: give --pubkey, or the --home of an initialised node")
}

fn pubkey_file(path: &Path) -> anyhow::Result<[u8; 32]> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    pubkey_from_json(&text)
        .with_context(|| format!("{} holds no ed25519 consensus key", path.display()))
}

fn pubkey_from_json(text: &str) -> anyhow::Result<[u8; 32]> {
    let value: serde_json::Value = serde_json::from_str(text).context("not valid JSON")?;
    let candidates = [
        // priv_validator_key.json
        (&value["pub_key"]["type"], &value["pub_key"]["value"]),
        // cometbft show-validator
        (&value["type"], &value["value"]),
        // the SDK's JSON of an Any
        (&value["@type"], &value["key"]),
    ];
    for (kind, key) in candidates {
        let (Some(kind), Some(key)) = (kind.as_str(), key.as_str()) else {
            continue;
        };
        if kind != "tendermint/PubKeyEd25519" && kind != ED25519_PUBKEY_URL {
            bail!("unsupported consensus key type {kind:?}: validators use ed25519");
        }
        return pubkey_from_base64(key);
    }
    bail!("expected pub_key.value, value or key holding a base64 ed25519 public key")
}

fn pubkey_from_base64(text: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| anyhow!("invalid base64: {e}"))?;
    let len = bytes.len();
    bytes
        .try_into()
        .map_err(|_| anyhow!("an ed25519 public key has 32 bytes, got {len}"))
}

/// Checks that `address` is a bech32 address (any prefix).
pub fn check_bech32(address: &str) -> anyhow::Result<()> {
    address
        .parse::<AccountId>()
        .map(drop)
        .map_err(|e| anyhow!("invalid address {address:?}: {e}"))
}
