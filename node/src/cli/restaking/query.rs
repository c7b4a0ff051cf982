//! `rampartd query restaking …`: pledges, consumer keys, the security report, a validator's
//! exposure and the parameters.

use anyhow::{anyhow, bail};
use clap::Subcommand;
use cosmrs::AccountId;
use rampart_client::address::{self, CONSENSUS_PREFIX};
use rampart_proto::rampart::restaking::v1 as pb;

use crate::cli::args::QueryOptions;
use crate::cli::output::{
    base64_key, cell, missing, params_doc, percent, query_doc, table, Doc, Printer,
};

/// `rampartd query restaking`.
#[derive(Debug, Subcommand)]
pub enum RestakingQuery {
    /// Pledges: every pledge of one validator (--validator) or to one consumer (--consumer).
    #[command(group(clap::ArgGroup::new("whose").required(true).args(["validator", "consumer"])))]
    Pledges {
        /// The validator's operator address (rampartvaloper1…).
        #[arg(long)]
        validator: Option<String>,
        /// The consumer's id.
        #[arg(long)]
        consumer: Option<u64>,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The key a validator signs a consumer's blocks with.
    ConsumerKey {
        /// The consumer's id.
        consumer_id: u64,
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The validator behind a consumer consensus address (also a replaced key still
    /// attributable).
    ValidatorByConsumerKey {
        /// The consumer's id.
        consumer_id: u64,
        /// The consumer consensus address: rampartvalcons1… or 40 hex digits (CometBFT's form).
        consumer_address: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// What it takes to attack a consumer: the fewest validators and least pledged stake that
    /// can halt it (> 1/3 of its power) or control it (> 2/3), and what that stake would lose.
    SecurityReport {
        /// The consumer's id.
        consumer_id: u64,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// A validator's worst-case slashing over all its consumers, and the bound on it.
    Exposure {
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Which of a validator's consumers a delegation backs: the choice in force, a pending one
    /// and the height it takes effect at.
    DelegationConsumers {
        /// The delegator's address (rampart1…).
        delegator: String,
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// A validator's stake backing one consumer: its tokens less those of delegations whose
    /// delegators chose not to back the consumer, and what its pledge counts of them.
    Backing {
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// The consumer's id.
        consumer_id: u64,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Restaking parameters (exposure bound, consumers per validator, epoch length).
    Params {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
}

/// A consumer consensus address typed by a user: bech32 `rampartvalcons1…` or 40 hex digits.
fn consumer_address_arg(text: &str) -> anyhow::Result<String> {
    let text = text.trim();
    if text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        let bytes = hex::decode(text).map_err(|e| anyhow!("invalid hex address {text}: {e}"))?;
        return Ok(address::consensus_address(&bytes));
    }
    let id: AccountId = text.parse().map_err(|e| {
        anyhow!(
            "invalid consumer address {text:?}: {e} (expected {CONSENSUS_PREFIX}1… or 40 hex digits)"
        )
    })?;
    if id.prefix() != CONSENSUS_PREFIX {
        bail!(
            "invalid consumer address {text}: expected prefix {CONSENSUS_PREFIX}, got {}",
            id.prefix()
        );
    }
    Ok(id.to_string())
}

impl RestakingQuery {
    /// Checks the arguments, queries the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            RestakingQuery::Pledges {
                validator,
                consumer,
                options,
            } => match (validator, consumer) {
                (Some(validator), None) => {
                    let validator = address::validator(&validator, "validator address")?;
                    let node = options.node.client()?;
                    let r = node
                        .restaking()
                        .validator_pledges(validator.as_ref())
                        .await?;
                    print_pledges(&Printer::with_denom(&options).await, &r.pledges, false)
                }
                (None, Some(consumer_id)) => {
                    let node = options.node.client()?;
                    let pledges = node.restaking().consumer_pledges(consumer_id).await?;
                    print_pledges(&Printer::with_denom(&options).await, &pledges, true)
                }
                _ => bail!("give exactly one of --validator and --consumer"),
            },
            RestakingQuery::ConsumerKey {
                consumer_id,
                validator,
                options,
            } => {
                let validator = address::validator(&validator, "validator address")?;
                query_doc(
                    &options,
                    |node| async move {
                        let r = node
                            .restaking()
                            .consumer_key(validator.as_ref(), consumer_id)
                            .await?;
                        r.key.ok_or_else(|| missing("a key"))
                    },
                    key_doc,
                )
                .await
            }
            RestakingQuery::ValidatorByConsumerKey {
                consumer_id,
                consumer_address,
                options,
            } => {
                let consumer_address = consumer_address_arg(&consumer_address)?;
                query_doc(
                    &options,
                    |node| async move {
                        let r = node
                            .restaking()
                            .validator_by_consumer_key(consumer_id, &consumer_address)
                            .await?;
                        r.key.ok_or_else(|| missing("a key"))
                    },
                    key_doc,
                )
                .await
            }
            RestakingQuery::SecurityReport {
                consumer_id,
                options,
            } => {
                query_doc(
                    &options,
                    |node| async move {
                        let r = node.restaking().security_report(consumer_id).await?;
                        r.report.ok_or_else(|| missing("a report"))
                    },
                    |out, security| Doc::Map(vec![("report", report(out, &security))]),
                )
                .await
            }
            RestakingQuery::Exposure { validator, options } => {
                let validator = address::validator(&validator, "validator address")?;
                query_doc(
                    &options,
                    |node| async move {
                        node.restaking()
                            .validator_exposure(validator.as_ref())
                            .await
                    },
                    |out, r| exposure(out, &r),
                )
                .await
            }
            RestakingQuery::DelegationConsumers {
                delegator,
                validator,
                options,
            } => {
                let delegator = address::account(&delegator, "delegator address")?;
                let validator = address::validator(&validator, "validator address")?;
                query_doc(
                    &options,
                    |node| async move {
                        node.restaking()
                            .delegation_consumers(delegator.as_ref(), validator.as_ref())
                            .await
                    },
                    |out, r| delegation_choice(out, &r),
                )
                .await
            }
            RestakingQuery::Backing {
                validator,
                consumer_id,
                options,
            } => {
                let validator = address::validator(&validator, "validator address")?;
                query_doc(
                    &options,
                    |node| async move {
                        node.restaking()
                            .consumer_backing(validator.as_ref(), consumer_id)
                            .await
                    },
                    |out, r| backing(out, &r),
                )
                .await
            }
            RestakingQuery::Params { options } => {
                query_doc(
                    &options,
                    |node| async move {
                        let r = node.restaking().params().await?;
                        r.params.ok_or_else(|| missing("params"))
                    },
                    restaking_params,
                )
                .await
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

/// A choice as text: `all`, `only:1,3`, `except:2`.
fn choice_text(choice: Option<&pb::DelegationChoice>) -> String {
    let Some(choice) = choice else {
        return "none".to_owned();
    };
    let ids: Vec<String> = choice.consumer_ids.iter().map(u64::to_string).collect();
    match pb::BackingMode::try_from(choice.mode) {
        Ok(pb::BackingMode::Only) => format!("only:{}", ids.join(",")),
        Ok(pb::BackingMode::Except) => format!("except:{}", ids.join(",")),
        _ => "all".to_owned(),
    }
}

/// A delegation's choice of consumers.
fn delegation_choice(out: &Printer, r: &pb::QueryDelegationConsumersResponse) -> Doc {
    let ids: Vec<String> = r.backed_consumer_ids.iter().map(u64::to_string).collect();
    Doc::Map(vec![
        ("current", Doc::str(choice_text(r.current.as_ref()))),
        ("pending", Doc::str(choice_text(r.pending.as_ref()))),
        ("pending_height", Doc::str(r.pending_height.to_string())),
        ("tokens", out.tokens(&r.tokens)),
        ("backed_consumer_ids", Doc::str(ids.join(","))),
    ])
}

/// A validator's stake backing one consumer.
fn backing(out: &Printer, r: &pb::QueryConsumerBackingResponse) -> Doc {
    Doc::Map(vec![
        ("validator_tokens", out.tokens(&r.validator_tokens)),
        ("backing_tokens", out.tokens(&r.backing_tokens)),
        ("pledge", Doc::str(percent(r.pledge_bps))),
        ("pledged_tokens", out.tokens(&r.pledged_tokens)),
    ])
}

/// The module's parameters.
fn restaking_params(out: &Printer, p: pb::Params) -> Doc {
    params_doc(vec![
        ("max_slash_exposure", out.dec(&p.max_slash_exposure)),
        (
            "max_consumers_per_validator",
            out.int(p.max_consumers_per_validator),
        ),
        ("blocks_per_epoch", out.int(p.blocks_per_epoch)),
        (
            "max_pledges_per_consumer_factor",
            out.int(p.max_pledges_per_consumer_factor),
        ),
    ])
}

fn status(out: &Printer, value: i32) -> Doc {
    let status = pb::PledgeStatus::try_from(value).unwrap_or(pb::PledgeStatus::Unspecified);
    let word = match status {
        pb::PledgeStatus::Active => "active",
        pb::PledgeStatus::OptingOut => "opting_out",
        pb::PledgeStatus::Exiting => "exiting",
        pb::PledgeStatus::Unspecified => "unspecified",
    };
    out.enum_value(status.as_str_name(), word)
}

fn stake(out: &Printer, s: &pb::SlashableStake) -> Doc {
    let mut entries = vec![
        ("validator_power", out.int(s.validator_power)),
        ("pledge_bps", out.bps(s.pledge_bps)),
        ("pledged_tokens", out.tokens(&s.pledged_tokens)),
        ("consumer_power", out.int(s.consumer_power)),
        ("provider_height", out.int(s.provider_height)),
    ];
    out.opt_time(&mut entries, "slashable_until", s.slashable_until.as_ref());
    Doc::Map(entries)
}

/// A pledge (stakes left out when absent).
fn pledge(out: &Printer, p: &pb::Pledge) -> Doc {
    let mut entries = vec![
        ("validator", Doc::str(&p.validator)),
        ("consumer_id", out.int(p.consumer_id)),
        ("pledge_bps", out.bps(p.pledge_bps)),
        ("status", status(out, p.status)),
    ];
    if let Some(s) = &p.in_set {
        entries.push(("in_set", stake(out, s)));
    }
    if let Some(s) = &p.departed {
        entries.push(("departed", stake(out, s)));
    }
    entries.push(("opt_in_height", out.int(p.opt_in_height)));
    Doc::Map(entries)
}

fn consumer_key(out: &Printer, k: &pb::ConsumerKey) -> Doc {
    let mut entries = vec![
        ("validator", Doc::str(&k.validator)),
        ("consumer_id", out.int(k.consumer_id)),
        ("consumer_pubkey", base64_key(&k.consumer_pubkey)),
        (
            "consumer_address",
            Doc::Str(address::consensus_address(&k.consumer_address)),
        ),
    ];
    out.opt_time(&mut entries, "retired_until", k.retired_until.as_ref());
    Doc::Map(entries)
}

/// `key:` and the consumer key under it.
fn key_doc(out: &Printer, key: pb::ConsumerKey) -> Doc {
    Doc::Map(vec![("key", consumer_key(out, &key))])
}

fn report(out: &Printer, r: &pb::SecurityReport) -> Doc {
    Doc::Map(vec![
        ("consumer_id", out.int(r.consumer_id)),
        ("validator_count", out.int(r.validator_count)),
        ("total_power", out.int(r.total_power)),
        ("total_pledged_tokens", out.tokens(&r.total_pledged_tokens)),
        (
            "largest_validator_share",
            out.dec(&r.largest_validator_share),
        ),
        ("halt_min_validators", out.int(r.halt_min_validators)),
        (
            "halt_min_pledged_tokens",
            out.tokens(&r.halt_min_pledged_tokens),
        ),
        (
            "halt_slashable_tokens",
            out.tokens(&r.halt_slashable_tokens),
        ),
        ("control_min_validators", out.int(r.control_min_validators)),
        (
            "control_min_pledged_tokens",
            out.tokens(&r.control_min_pledged_tokens),
        ),
        (
            "control_slashable_tokens",
            out.tokens(&r.control_slashable_tokens),
        ),
        (
            "double_sign_slash_fraction",
            out.dec(&r.double_sign_slash_fraction),
        ),
        ("unslashable_power", out.int(r.unslashable_power)),
        (
            "jailed",
            Doc::List(
                r.jailed
                    .iter()
                    .map(|j| {
                        Doc::Map(vec![
                            ("validator", Doc::str(&j.validator)),
                            ("jailed_until", out.time(j.jailed_until.as_ref())),
                            ("tombstoned", Doc::Bool(j.tombstoned)),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("slash_meter", out.int(r.slash_meter)),
        ("slash_meter_allowance", out.int(r.slash_meter_allowance)),
        (
            "slash_meter_next_replenish",
            out.time(r.slash_meter_next_replenish.as_ref()),
        ),
        ("throttled", Doc::Bool(r.throttled)),
        (
            "holders",
            Doc::List(
                r.holders
                    .iter()
                    .map(|h| {
                        Doc::Map(vec![
                            ("name", Doc::str(&h.name)),
                            ("pledged_tokens", out.tokens(&h.pledged_tokens)),
                            ("share", out.dec(&h.share)),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

fn exposure(out: &Printer, e: &pb::QueryValidatorExposureResponse) -> Doc {
    let consumers = e
        .consumers
        .iter()
        .map(|c| {
            let mut entries = vec![
                ("consumer_id", out.int(c.consumer_id)),
                ("chain_id", Doc::str(&c.chain_id)),
                ("status", status(out, c.status)),
                ("pledge_bps", out.bps(c.pledge_bps)),
                ("slashable_bps", out.bps(c.slashable_bps)),
                ("slash_fraction", out.dec(&c.slash_fraction)),
                ("worst_case_fraction", out.dec(&c.worst_case_fraction)),
                ("worst_case_tokens", out.tokens(&c.worst_case_tokens)),
                ("tombstoned", Doc::Bool(c.tombstoned)),
            ];
            out.opt_time(&mut entries, "jailed_until", c.jailed_until.as_ref());
            Doc::Map(entries)
        })
        .collect();
    Doc::Map(vec![
        ("consumers", Doc::List(consumers)),
        (
            "total_worst_case_fraction",
            out.dec(&e.total_worst_case_fraction),
        ),
        (
            "total_worst_case_tokens",
            out.tokens(&e.total_worst_case_tokens),
        ),
        ("max_slash_exposure", out.dec(&e.max_slash_exposure)),
        ("bonded_tokens", out.tokens(&e.bonded_tokens)),
        ("consumer_count", out.int(e.consumer_count)),
        ("max_consumers", out.int(e.max_consumers)),
    ])
}

/// A pledge's stake in one table cell: `power 30, 30000000 tokens`, or `-`.
fn stake_cell(s: Option<&pb::SlashableStake>) -> String {
    s.map_or("-".into(), |s| {
        format!("power {}, {} tokens", s.consumer_power, s.pledged_tokens)
    })
}

fn print_pledges(out: &Printer, pledges: &[pb::Pledge], by_consumer: bool) -> anyhow::Result<()> {
    if out.json() {
        let list = pledges.iter().map(|p| pledge(out, p)).collect();
        return out.print(&Doc::Map(vec![("pledges", Doc::List(list))]));
    }
    if pledges.is_empty() {
        println!("no pledges");
        return Ok(());
    }
    let first = if by_consumer { "validator" } else { "consumer" };
    let mut rows = vec![
        [first, "pledge", "status", "in set", "departed (slashable)"]
            .map(String::from)
            .to_vec(),
    ];
    for p in pledges {
        let status = cell(status(out, p.status));
        rows.push(vec![
            if by_consumer {
                p.validator.clone()
            } else {
                p.consumer_id.to_string()
            },
            percent(p.pledge_bps),
            status,
            stake_cell(p.in_set.as_ref()),
            stake_cell(p.departed.as_ref()),
        ]);
    }
    print!("{}", table(&rows));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumer_addresses_parse_from_bech32_or_hex() -> anyhow::Result<()> {
        let hex_form = "85817B1D08D40E071823A48AC00BB2501E6E5BBA";
        let bech = consumer_address_arg(hex_form)?;
        assert!(bech.starts_with("rampartvalcons1"));
        assert_eq!(consumer_address_arg(&bech)?, bech);
        let account = AccountId::new("rampart", &[3; 20]).map_err(|e| anyhow!("{e}"))?;
        assert!(consumer_address_arg(account.as_ref()).is_err());
        Ok(())
    }
}
