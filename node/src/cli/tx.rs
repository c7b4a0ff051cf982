//! `rampartd tx …`: sign and broadcast transactions.

use std::str::FromStr;
use std::time::Duration;

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};

use super::prompt::{confirm, KeyringArgs};
use super::{print_json, NodeArgs, Output, OutputArg};
use crate::client::coins::parse_coins;
use crate::client::send::{prepare, Gas, SendPlan, DEFAULT_GAS, DEFAULT_GAS_ADJUSTMENT};
use crate::client::BroadcastMode;
use crate::keys::{AccountKey, Keyring};

/// `rampartd tx`.
#[derive(Debug, Args)]
pub struct TxCommand {
    #[command(subcommand)]
    module: TxModule,
}

#[derive(Debug, Subcommand)]
enum TxModule {
    /// Bank transactions.
    Bank {
        #[command(subcommand)]
        command: BankTx,
    },
}

#[derive(Debug, Subcommand)]
enum BankTx {
    /// Send coins from a key in the keyring to an address.
    Send {
        /// The sending key: its name in the keyring, or its address.
        from: String,
        /// The recipient address (rampart1…).
        to: String,
        /// The coins to send, e.g. 100uramp or 5uatom,100uramp.
        coins: String,
        #[command(flatten)]
        options: TxOptions,
    },
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
struct TxOptions {
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

impl TxCommand {
    /// Runs the subcommand.
    pub async fn run(self) -> anyhow::Result<()> {
        match self.module {
            TxModule::Bank {
                command:
                    BankTx::Send {
                        from,
                        to,
                        coins,
                        options,
                    },
            } => bank_send(&from, &to, &coins, options).await,
        }
    }
}

async fn bank_send(from: &str, to: &str, coins: &str, options: TxOptions) -> anyhow::Result<()> {
    let plan = SendPlan {
        to: to.to_owned(),
        amount: parse_coins(coins)?,
        fees: parse_coins(&options.fees).map_err(|e| anyhow!("--fees: {e}"))?,
        gas: match options.gas {
            GasArg::Auto => Gas::Auto(options.gas_adjustment),
            GasArg::Limit(limit) => Gas::Fixed(limit),
        },
        memo: options.memo.clone(),
        chain_id: options.chain_id.clone(),
        sequence: options.sequence,
    };
    let keyring = options.keyring.keyring(options.node.home());
    let key = load_key(&keyring, &options.keyring, from)?;
    let node = options.node.client()?;
    let prepared = prepare(&node, &key, &plan).await?;
    if !options.yes {
        eprintln!("{prepared}");
        if !confirm("confirm transaction before signing and broadcasting")? {
            bail!("aborted: the transaction was not broadcast");
        }
    }
    let outcome = node
        .broadcast(
            prepared.tx_bytes,
            options.broadcast_mode,
            Duration::from_secs(options.timeout),
        )
        .await?;
    match options.output.output {
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

/// The key `from` names: a key name, or the address of a key in the keyring.
fn load_key(keyring: &Keyring, args: &KeyringArgs, from: &str) -> anyhow::Result<AccountKey> {
    let name = match keyring.list()?.into_iter().find(|r| r.address == from) {
        Some(record) => record.name,
        None => from.to_owned(),
    };
    let passphrase = args.passphrase(false)?;
    keyring.private_key(&name, passphrase.as_deref().map(String::as_str))
}
