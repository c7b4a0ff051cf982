//! What the client commands share on their command lines: the node and home (`--node`,
//! `--home`), query options, the transaction options and `--from` (with the flow that signs,
//! confirms, broadcasts and prints a transaction), and parsers of consensus public keys.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use base64::Engine as _;
use clap::Args;
use cosmrs::{AccountId, Any};
use rampart_auth::pubkey::ED25519_TYPE_URL as ED25519_PUBKEY_URL;
use rampart_client::address;
use rampart_client::coins::parse_coins;
use rampart_client::gas::{Gas, DEFAULT_GAS, DEFAULT_GAS_ADJUSTMENT};
use rampart_client::keys::{AccountKey, Keyring};
use rampart_client::rpc::DEFAULT_RPC;
use rampart_client::submit::{prepare_tx, TxSettings};
use rampart_client::{BroadcastMode, NodeClient};

use super::output::{print_json, Output, OutputArg};
use super::prompt::{confirm, KeyringArgs};
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
    fees: String,
    /// Gas limit, or `auto` to simulate and multiply by --gas-adjustment.
    #[arg(long, default_value_t = GasArg::Limit(DEFAULT_GAS), value_parser = clap::value_parser!(GasArg))]
    gas: GasArg,
    /// Factor applied to the simulated gas with --gas auto.
    #[arg(long, default_value_t = DEFAULT_GAS_ADJUSTMENT)]
    gas_adjustment: f64,
    /// Transaction memo.
    #[arg(long, default_value = "")]
    memo: String,
    /// Chain id to sign for; defaults to the node's (from /status).
    #[arg(long)]
    chain_id: Option<String>,
    /// Sequence to sign with, instead of the account's committed one (to queue several
    /// transactions in one block).
    #[arg(long, short = 's')]
    sequence: Option<u64>,
    /// Sign and broadcast without asking for confirmation.
    #[arg(long, short = 'y')]
    yes: bool,
    /// sync: wait for CheckTx; async: return at once; block: wait until committed.
    #[arg(long, value_enum, default_value_t = BroadcastMode::Sync)]
    broadcast_mode: BroadcastMode,
    /// Seconds to wait for the commit with --broadcast-mode block.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    #[command(flatten)]
    node: NodeArgs,
    #[command(flatten)]
    keyring: KeyringArgs,
    #[command(flatten)]
    output: OutputArg,
}

impl std::fmt::Display for GasArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GasArg::Auto => f.write_str("auto"),
            GasArg::Limit(limit) => write!(f, "{limit}"),
        }
    }
}

/// The key a transaction is signed with, and the node it goes to.
#[derive(Debug)]
pub struct Signer {
    /// The private key.
    pub key: AccountKey,
    /// Its account address (`rampart1…`).
    pub address: AccountId,
    /// The node the transaction is sent to (and account data read from).
    pub node: NodeClient,
}

impl Signer {
    /// The validator operator address (`rampartvaloper1…`) of the signer's account.
    pub fn operator(&self) -> anyhow::Result<AccountId> {
        address::operator_of(&self.address)
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

impl FromOptions {
    /// The `--from` key and the node.
    pub fn signer(&self) -> anyhow::Result<Signer> {
        self.tx.signer(&self.from)
    }

    /// Loads the `--from` key, lets `build` turn it into a one-line summary and the messages,
    /// and [submits](TxOptions::submit) them as one transaction.
    pub async fn send(
        &self,
        build: impl FnOnce(&Signer) -> anyhow::Result<(String, Vec<Any>)>,
    ) -> anyhow::Result<()> {
        let signer = self.signer()?;
        let (summary, messages) = build(&signer)?;
        self.tx.submit(&signer, messages, &summary).await
    }
}

impl TxOptions {
    /// The node home (`--home`): keyring, app.toml and the node's key files.
    pub fn home(&self) -> &std::path::Path {
        self.node.home()
    }

    /// Loads the key `from` names (a key name or a keyring address) and connects to the node.
    pub fn signer(&self, from: &str) -> anyhow::Result<Signer> {
        let keyring = self.keyring.keyring(self.node.home());
        let key = load_key(&keyring, &self.keyring, from)?;
        let address = key.address()?;
        Ok(Signer {
            key,
            address,
            node: self.node.client()?,
        })
    }

    /// Fee, gas, memo, chain id and sequence as the client library takes them.
    pub fn settings(&self) -> anyhow::Result<TxSettings> {
        Ok(TxSettings {
            fees: parse_coins(&self.fees).map_err(|e| anyhow!("--fees: {e}"))?,
            gas: match self.gas {
                GasArg::Auto => Gas::Auto(self.gas_adjustment),
                GasArg::Limit(limit) => Gas::Fixed(limit),
            },
            memo: self.memo.clone(),
            chain_id: self.chain_id.clone(),
            sequence: self.sequence,
        })
    }

    /// Signs `messages` with `signer`, shows `summary` and the transaction and asks for
    /// confirmation (unless `--yes`), broadcasts, prints the outcome (hash, height, gas; JSON
    /// with `--output json`) and fails with the chain's code and log on a non-zero code.
    pub async fn submit(
        &self,
        signer: &Signer,
        messages: Vec<Any>,
        summary: &str,
    ) -> anyhow::Result<()> {
        let prepared = prepare_tx(&signer.node, &signer.key, messages, &self.settings()?).await?;
        if !self.yes {
            eprintln!("{summary}\n{prepared}");
            if !confirm("confirm transaction before signing and broadcasting")? {
                bail!("aborted: the transaction was not broadcast");
            }
        }
        let outcome = signer
            .node
            .broadcast(
                prepared.tx_bytes,
                self.broadcast_mode,
                Duration::from_secs(self.timeout),
            )
            .await?;
        match self.output.output {
            Output::Json => print_json(&outcome)?,
            Output::Text => {
                println!("txhash: {}", outcome.hash);
                if let Some(height) = outcome.height {
                    println!("height: {height}");
                }
                if let (Some(wanted), Some(used)) = (outcome.gas_wanted, outcome.gas_used) {
                    println!("gas: {used} used of {wanted} wanted");
                }
            }
        }
        Ok(outcome.check()?)
    }
}

/// The key `from` names: a key name, or the address of a key in the keyring.
fn load_key(keyring: &Keyring, args: &KeyringArgs, from: &str) -> anyhow::Result<AccountKey> {
    let name = match keyring.list()?.into_iter().find(|r| r.address == from) {
        Some(record) => record.name,
        None => from.to_owned(),
    };
    let passphrase = args.passphrase(false)?;
    keyring.private_key(&name, passphrase.as_deref().map(String::as_str))
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
