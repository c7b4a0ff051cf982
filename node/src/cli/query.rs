//! `rampartd query …`: read chain state through the node's CometBFT RPC, one subcommand per
//! module, and `query tx` for a committed transaction.

use anyhow::anyhow;
use clap::{Args, Subcommand};
use serde::Serialize;

use super::args::QueryOptions;
use super::output::{print_json, Output};

/// `rampartd query`.
#[derive(Debug, Args)]
pub struct QueryCommand {
    #[command(subcommand)]
    module: QueryModule,
}

#[derive(Debug, Subcommand)]
enum QueryModule {
    /// Bank queries.
    Bank {
        #[command(subcommand)]
        command: super::bank::query::BankQuery,
    },
    /// Account queries.
    Auth {
        #[command(subcommand)]
        command: super::auth::query::AuthQuery,
    },
    /// Staking queries: validators, delegations, unbonding, redelegations, pool, params.
    Staking {
        #[command(subcommand)]
        command: super::staking::query::StakingQuery,
    },
    /// Distribution queries: rewards, commission, withdraw address, community pool, params.
    #[command(alias = "distr")]
    Distribution {
        #[command(subcommand)]
        command: super::distribution::query::DistributionQuery,
    },
    /// Consumer-chain registry queries: consumers, genesis, validators, packets, rewards, params.
    Consumer {
        #[command(subcommand)]
        command: super::consumer::query::ConsumerQuery,
    },
    /// Consumer-chain queries (ask a consumer's node): provider client, consensus states, applied
    /// validator-set changes, validators, params.
    Ccv {
        #[command(subcommand)]
        command: super::ccv::query::CcvQuery,
    },
    /// Restaking queries: pledges, consumer keys, security report, exposure, params.
    Restaking {
        #[command(subcommand)]
        command: super::restaking::query::RestakingQuery,
    },
    /// Liquid restaking token queries: rate, backing, risk, unbondings, params.
    Liquid {
        #[command(subcommand)]
        command: super::liquid::query::LiquidQuery,
    },
    /// Slashing queries: signing infos (liveness, jail, tombstone) and params.
    Slashing {
        #[command(subcommand)]
        command: super::slashing::query::SlashingQuery,
    },
    /// A committed transaction by hash, with its result and events.
    Tx {
        /// The tx hash (64 hex digits).
        hash: String,
        #[command(flatten)]
        options: QueryOptions,
    },
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
            QueryModule::Bank { command } => command.run().await,
            QueryModule::Auth { command } => command.run().await,
            QueryModule::Staking { command } => command.run().await,
            QueryModule::Distribution { command } => command.run().await,
            QueryModule::Consumer { command } => command.run().await,
            QueryModule::Ccv { command } => command.run().await,
            QueryModule::Restaking { command } => command.run().await,
            QueryModule::Liquid { command } => command.run().await,
            QueryModule::Slashing { command } => command.run().await,
            QueryModule::Tx { hash, options } => tx(&hash, &options).await,
        }
    }
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
