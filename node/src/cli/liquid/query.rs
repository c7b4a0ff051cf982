//! `rampartd query liquid …`: the exchange rate, the module's backing per validator and per
//! consumer, the worst-case loss of a token, an owner's unbonding records and the parameters.

use clap::Subcommand;
use rampart_client::address;
use rampart_proto::rampart::liquid::v1 as pb;

use crate::cli::args::QueryOptions;
use crate::cli::output::{missing, params_doc, query_doc, Doc, Printer};

/// `rampartd query liquid`.
#[derive(Debug, Subcommand)]
pub enum LiquidQuery {
    /// The exchange rate (uramp per lsuramp) and the stake behind the tokens.
    Rate {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The module's stake per validator and per consumer (with the worst-case loss there).
    Backing {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The worst-case loss of one token across every consumer its stake backs.
    Risk {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// An owner's unbonding records: pending (waiting for the epoch) or unbonding.
    Unbondings {
        /// The owner (rampart1…).
        owner: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The module's parameters (epoch, per-validator cap, validator bound).
    Params {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
}

impl LiquidQuery {
    /// Checks the arguments, queries the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            LiquidQuery::Rate { options } => {
                query_doc(
                    &options,
                    |node| async move { node.liquid().exchange_rate().await },
                    rate,
                )
                .await
            }
            LiquidQuery::Backing { options } => {
                query_doc(
                    &options,
                    |node| async move { node.liquid().backing().await },
                    backing,
                )
                .await
            }
            LiquidQuery::Risk { options } => {
                query_doc(
                    &options,
                    |node| async move { node.liquid().risk().await },
                    risk,
                )
                .await
            }
            LiquidQuery::Unbondings { owner, options } => {
                let owner = address::account(&owner, "owner")?;
                query_doc(
                    &options,
                    |node| async move { node.liquid().unbondings(owner.as_ref()).await },
                    unbondings,
                )
                .await
            }
            LiquidQuery::Params { options } => {
                query_doc(
                    &options,
                    |node| async move {
                        let r = node.liquid().params().await?;
                        r.params.ok_or_else(|| missing("params"))
                    },
                    params,
                )
                .await
            }
        }
    }
}

fn rate(out: &Printer, r: pb::QueryExchangeRateResponse) -> Doc {
    Doc::Map(vec![
        ("rate", Doc::str(r.rate)),
        ("stake", out.tokens(&r.stake)),
        ("supply", Doc::Str(format!("{}lsuramp", r.supply))),
        ("delegated", out.tokens(&r.delegated)),
        ("undelegated", out.tokens(&r.undelegated)),
    ])
}

fn consumers(out: &Printer, list: &[pb::ConsumerBacking]) -> Doc {
    Doc::List(
        list.iter()
            .map(|c| {
                Doc::Map(vec![
                    ("consumer_id", out.int(c.consumer_id)),
                    ("chain_id", Doc::str(c.chain_id.clone())),
                    ("tokens", out.tokens(&c.tokens)),
                    ("worst_case_loss", out.tokens(&c.worst_case_loss)),
                ])
            })
            .collect(),
    )
}

fn backing(out: &Printer, r: pb::QueryBackingResponse) -> Doc {
    let validators = r
        .validators
        .iter()
        .map(|v| {
            Doc::Map(vec![
                ("validator", Doc::str(v.validator.clone())),
                ("tokens", out.tokens(&v.tokens)),
            ])
        })
        .collect();
    Doc::Map(vec![
        ("validators", Doc::List(validators)),
        ("consumers", consumers(out, &r.consumers)),
    ])
}

fn risk(out: &Printer, r: pb::QueryRiskResponse) -> Doc {
    Doc::Map(vec![
        ("worst_case_fraction", Doc::str(r.worst_case_fraction)),
        (
            "worst_case_loss_per_token",
            Doc::str(r.worst_case_loss_per_token),
        ),
        ("rate", Doc::str(r.rate)),
        ("consumers", consumers(out, &r.consumers)),
    ])
}

fn unbondings(out: &Printer, list: Vec<pb::UnbondingView>) -> Doc {
    let items = list
        .into_iter()
        .map(|u| {
            let record = u.record.unwrap_or_default();
            Doc::Map(vec![
                ("id", out.int(record.id)),
                (
                    "liquid_amount",
                    Doc::Str(format!("{}lsuramp", record.liquid_amount)),
                ),
                ("batch_id", out.int(record.batch_id)),
                ("status", Doc::str(u.status)),
                ("completion_time", Doc::str(u.completion_time)),
                ("expected_amount", out.tokens(&u.expected_amount)),
            ])
        })
        .collect();
    Doc::Map(vec![("unbondings", Doc::List(items))])
}

fn params(out: &Printer, p: pb::Params) -> Doc {
    params_doc(vec![
        ("epoch_blocks", out.int(p.epoch_blocks)),
        (
            "max_validator_share_bps",
            out.bps(p.max_validator_share_bps),
        ),
        ("max_validators", out.int(p.max_validators)),
    ])
}
