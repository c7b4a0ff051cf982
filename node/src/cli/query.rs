//! `rampartd query …`: read chain state through the node's CometBFT RPC.

use anyhow::anyhow;
use clap::{Args, Subcommand};
use cosmos_sdk_proto::cosmos::auth::v1beta1::BaseAccount;
use serde::Serialize;

use super::{print_json, NodeArgs, Output, OutputArg};
use crate::client::rpc::BASE_ACCOUNT_TYPE_URL;

/// `rampartd query`.
#[derive(Debug, Args)]
pub struct QueryCommand {
    #[command(subcommand)]
    module: QueryModule,
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

#[derive(Debug, Subcommand)]
enum QueryModule {
    /// Bank queries.
    Bank {
        #[command(subcommand)]
        command: BankQuery,
    },
    /// Account queries.
    Auth {
        #[command(subcommand)]
        command: AuthQuery,
    },
    /// Staking queries: validators, delegations, unbonding, redelegations, pool, params.
    Staking {
        #[command(subcommand)]
        command: super::staking::StakingQuery,
    },
    /// Distribution queries: rewards, commission, withdraw address, community pool, params.
    #[command(alias = "distr")]
    Distribution {
        #[command(subcommand)]
        command: super::distribution::DistributionQuery,
    },
    /// Consumer-chain registry queries: consumers, genesis, validators, packets, rewards, params.
    Consumer {
        #[command(subcommand)]
        command: super::consumer::ConsumerQuery,
    },
    /// Restaking queries: pledges, consumer keys, security report, exposure, params.
    Restaking {
        #[command(subcommand)]
        command: super::restaking::RestakingQuery,
    },
    /// Slashing queries: signing infos (liveness, jail, tombstone) and params.
    Slashing {
        #[command(subcommand)]
        command: super::slashing::SlashingQuery,
    },
    /// A committed transaction by hash, with its result and events.
    Tx {
        /// The tx hash (64 hex digits).
        hash: String,
        #[command(flatten)]
        options: QueryOptions,
    },
}

#[derive(Debug, Subcommand)]
enum BankQuery {
    /// All balances of an address.
    Balances {
        /// The account address (rampart1…).
        address: String,
        #[command(flatten)]
        options: QueryOptions,
    },
}

#[derive(Debug, Subcommand)]
enum AuthQuery {
    /// An account's number, sequence and public key.
    Account {
        /// The account address (rampart1…).
        address: String,
        #[command(flatten)]
        options: QueryOptions,
    },
}

/// A coin in JSON output.
#[derive(Serialize)]
struct CoinJson {
    denom: String,
    amount: String,
}

/// `query bank balances` output.
#[derive(Serialize)]
struct Balances {
    balances: Vec<CoinJson>,
}

/// `query auth account` output, shaped as the SDK's JSON for a `BaseAccount`.
#[derive(Serialize)]
struct AccountJson {
    #[serde(rename = "@type")]
    type_url: &'static str,
    address: String,
    pub_key: Option<serde_json::Value>,
    account_number: String,
    sequence: String,
}

/// An event attribute in JSON output.
#[derive(Serialize)]
struct AttributeJson {
    key: String,
    value: String,
    index: bool,
}

/// An event in JSON output.
#[derive(Serialize)]
struct EventJson {
    #[serde(rename = "type")]
    kind: String,
    attributes: Vec<AttributeJson>,
}

/// `query tx` output.
#[derive(Serialize)]
struct TxJson {
    txhash: String,
    height: u64,
    code: u32,
    codespace: String,
    log: String,
    gas_wanted: i64,
    gas_used: i64,
    memo: Option<String>,
    messages: Vec<String>,
    events: Vec<EventJson>,
}

impl QueryCommand {
    /// Runs the subcommand.
    pub async fn run(self) -> anyhow::Result<()> {
        match self.module {
            QueryModule::Bank {
                command: BankQuery::Balances { address, options },
            } => balances(&address, &options).await,
            QueryModule::Auth {
                command: AuthQuery::Account { address, options },
            } => account(&address, &options).await,
            QueryModule::Staking { command } => command.run().await,
            QueryModule::Distribution { command } => command.run().await,
            QueryModule::Consumer { command } => command.run().await,
            QueryModule::Restaking { command } => command.run().await,
            QueryModule::Slashing { command } => command.run().await,
            QueryModule::Tx { hash, options } => tx(&hash, &options).await,
        }
    }
}

fn check_address(address: &str) -> anyhow::Result<()> {
    address
        .parse::<cosmrs::AccountId>()
        .map(drop)
        .map_err(|e| anyhow!("invalid address {address:?}: {e}"))
}

async fn balances(address: &str, options: &QueryOptions) -> anyhow::Result<()> {
    check_address(address)?;
    let coins = options.node.client()?.all_balances(address).await?;
    let out = Balances {
        balances: coins
            .into_iter()
            .map(|c| CoinJson {
                denom: c.denom,
                amount: c.amount,
            })
            .collect(),
    };
    match options.output.output {
        Output::Json => print_json(&out),
        Output::Text => {
            if out.balances.is_empty() {
                println!("balances: []");
            } else {
                println!("balances:");
            }
            for coin in &out.balances {
                println!("- amount: \"{}\"\n  denom: {}", coin.amount, coin.denom);
            }
            Ok(())
        }
    }
}

async fn account(address: &str, options: &QueryOptions) -> anyhow::Result<()> {
    check_address(address)?;
    let account = options
        .node
        .client()?
        .account(address)
        .await?
        .ok_or_else(|| anyhow!("account {address} not found: key not found"))?;
    let out = account_json(account)?;
    match options.output.output {
        Output::Json => print_json(&out),
        Output::Text => {
            println!("'@type': {}", out.type_url);
            println!("address: {}", out.address);
            println!("account_number: \"{}\"", out.account_number);
            println!("sequence: \"{}\"", out.sequence);
            match &out.pub_key {
                Some(pk) => println!("pub_key: '{pk}'"),
                None => println!("pub_key: null"),
            }
            Ok(())
        }
    }
}

fn account_json(account: BaseAccount) -> anyhow::Result<AccountJson> {
    let pub_key = account
        .pub_key
        .map(|any| {
            let key = cosmrs::crypto::PublicKey::try_from(any)
                .map_err(|e| anyhow!("the account's public key cannot be decoded: {e}"))?;
            Ok::<_, anyhow::Error>(serde_json::from_str(&key.to_json())?)
        })
        .transpose()?;
    Ok(AccountJson {
        type_url: BASE_ACCOUNT_TYPE_URL,
        address: account.address,
        pub_key,
        account_number: account.account_number.to_string(),
        sequence: account.sequence.to_string(),
    })
}

async fn tx(hash: &str, options: &QueryOptions) -> anyhow::Result<()> {
    let found = options
        .node
        .client()?
        .tx(hash)
        .await?
        .ok_or_else(|| anyhow!("tx {hash} not found"))?;
    let decoded = rampart_app::tx::decode(&found.tx).ok();
    let result = found.tx_result;
    let out = TxJson {
        txhash: found.hash.to_string(),
        height: found.height.value(),
        code: result.code.value(),
        codespace: result.codespace,
        log: result.log,
        gas_wanted: result.gas_wanted,
        gas_used: result.gas_used,
        memo: decoded.as_ref().map(|tx| tx.body.memo.clone()),
        messages: decoded
            .map(|tx| tx.body.messages.into_iter().map(|m| m.type_url).collect())
            .unwrap_or_default(),
        events: result
            .events
            .into_iter()
            .map(|event| EventJson {
                kind: event.kind,
                attributes: event
                    .attributes
                    .iter()
                    .map(|a| AttributeJson {
                        key: String::from_utf8_lossy(a.key_bytes()).into_owned(),
                        value: String::from_utf8_lossy(a.value_bytes()).into_owned(),
                        index: a.index(),
                    })
                    .collect(),
            })
            .collect(),
    };
    match options.output.output {
        Output::Json => print_json(&out),
        Output::Text => {
            println!("txhash: {}\nheight: {}", out.txhash, out.height);
            println!("code: {} (codespace {:?})", out.code, out.codespace);
            println!("gas: {} used of {} wanted", out.gas_used, out.gas_wanted);
            println!("messages: {}", out.messages.join(", "));
            if let Some(memo) = out.memo.filter(|m| !m.is_empty()) {
                println!("memo: {memo}");
            }
            println!("log: {}", out.log);
            for event in &out.events {
                let attrs: Vec<String> = event
                    .attributes
                    .iter()
                    .map(|a| format!("{}={}", a.key, a.value))
                    .collect();
                println!("event {}: {}", event.kind, attrs.join(" "));
            }
            Ok(())
        }
    }
}
