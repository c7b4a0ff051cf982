//! `rampartd tx …`: sign and broadcast transactions.

use std::str::FromStr;
use std::time::Duration;

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};

use cosmrs::{AccountId, Any};

use super::prompt::{confirm, KeyringArgs};
use super::{print_json, NodeArgs, Output, OutputArg};
use crate::client::coins::{format_coins, parse_coins};
use crate::client::send::{Gas, DEFAULT_GAS, DEFAULT_GAS_ADJUSTMENT};
use crate::client::submit::{prepare_tx, TxSettings};
use crate::client::tx_builder::msg_send;
use crate::client::{address, BroadcastMode, NodeClient};
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
    /// Staking transactions: validators, delegations, unbonding, redelegation.
    Staking {
        #[command(subcommand)]
        command: Box<super::staking::StakingTx>,
    },
    /// Distribution transactions: withdrawing rewards and commission.
    #[command(alias = "distr")]
    Distribution {
        #[command(subcommand)]
        command: super::distribution::DistributionTx,
    },
    /// Consumer-chain registry transactions: register, update, remove, fund rewards, commission.
    Consumer {
        #[command(subcommand)]
        command: super::consumer::ConsumerTx,
    },
    /// Restaking transactions: opt in, pledges, opt out, consumer keys, double-vote evidence.
    Restaking {
        #[command(subcommand)]
        command: super::restaking::RestakingTx,
    },
    /// Slashing transactions: unjailing a validator.
    Slashing {
        #[command(subcommand)]
        command: super::slashing::SlashingTx,
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
            TxModule::Staking { command } => command.run().await,
            TxModule::Distribution { command } => command.run().await,
            TxModule::Consumer { command } => command.run().await,
            TxModule::Restaking { command } => command.run().await,
            TxModule::Slashing { command } => command.run().await,
        }
    }
}

async fn bank_send(from: &str, to: &str, coins: &str, options: TxOptions) -> anyhow::Result<()> {
    let amount = parse_coins(coins)?;
    if amount.is_empty() {
        bail!("nothing to send: the amount is empty");
    }
    let to = address::account(to, "recipient address")?;
    let signer = options.signer(from)?;
    let summary = format!(
        "send {} from {} to {to}",
        format_coins(&amount),
        signer.address
    );
    let msg = msg_send(signer.address.as_ref(), to.as_ref(), amount);
    options.submit(&signer, vec![msg], &summary).await
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
