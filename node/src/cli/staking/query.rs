//! `rampartd query staking …`: validators, delegations, unbonding, redelegations, the pool,
//! the parameters and historical info, asked through `rampart_client`'s staking queries and
//! printed in the SDK's shapes.

use anyhow::anyhow;
use base64::Engine as _;
use clap::{Args, Subcommand, ValueEnum};
use cosmos_sdk_proto::cosmos::crypto::ed25519::PubKey;
use cosmos_sdk_proto::cosmos::staking::v1beta1 as pb;
use cosmrs::AccountId;
use prost::Message;
use rampart_client::address;
use rampart_client::decimal::{self, DecStyle};

use crate::cli::args::QueryOptions;
use crate::cli::output::{cell, missing, table, Doc, Printer};

/// `rampartd query staking`.
#[derive(Debug, Subcommand)]
pub enum StakingQuery {
    /// All validators (text: a table), optionally only those with one status.
    Validators {
        /// Only validators with this status.
        #[arg(long, value_enum)]
        status: Option<StatusFilter>,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// One validator.
    Validator {
        /// The operator address (rampartvaloper1…).
        validator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// One delegation: shares and their current balance.
    Delegation(PairArgs),
    /// Every delegation of a delegator.
    Delegations {
        /// The delegator address (rampart1…).
        delegator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Every delegation to a validator.
    DelegationsTo {
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The unbonding entries of one delegator at one validator.
    UnbondingDelegation(PairArgs),
    /// Every unbonding delegation of a delegator.
    UnbondingDelegations {
        /// The delegator address (rampart1…).
        delegator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The redelegations of a delegator, optionally only from or to one validator.
    Redelegations {
        /// The delegator address (rampart1…).
        delegator: String,
        /// Only redelegations from this validator.
        #[arg(long)]
        src_validator: Option<String>,
        /// Only redelegations to this validator.
        #[arg(long)]
        dst_validator: Option<String>,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Bonded and not-bonded token totals.
    Pool {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Staking parameters.
    Params {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The header and validator set recorded at a height.
    HistoricalInfo {
        /// The height.
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        height: i64,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
}

/// A delegator and a validator to ask about.
#[derive(Debug, Args)]
pub struct PairArgs {
    /// The delegator address (rampart1…).
    pub delegator: String,
    /// The validator's operator address (rampartvaloper1…).
    pub validator: String,
    /// The node to ask and the output format.
    #[command(flatten)]
    pub options: QueryOptions,
}

impl PairArgs {
    fn delegator(&self) -> anyhow::Result<String> {
        account_arg(&self.delegator).map(|a| a.to_string())
    }

    fn validator(&self) -> anyhow::Result<String> {
        validator_arg(&self.validator).map(|a| a.to_string())
    }
}

fn account_arg(text: &str) -> anyhow::Result<AccountId> {
    address::account(text, "delegator address")
}

fn validator_arg(text: &str) -> anyhow::Result<AccountId> {
    address::validator(text, "validator address")
}

impl StakingQuery {
    /// Checks the addresses, queries the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            StakingQuery::Validators { status, options } => {
                let status = status.map(StatusFilter::proto_name).unwrap_or_default();
                let validators = options.node.client()?.staking().validators(status).await?;
                let out = Printer::with_denom(&options).await;
                if out.json() {
                    let list = validators.iter().map(|v| validator(&out, v)).collect();
                    out.print(&Doc::Map(vec![("validators", Doc::List(list))]))
                } else if validators.is_empty() {
                    println!("no validators");
                    Ok(())
                } else {
                    print!("{}", validator_table(&out, &validators));
                    Ok(())
                }
            }
            StakingQuery::Validator {
                validator: operator,
                options,
            } => {
                let operator = validator_arg(&operator)?.to_string();
                let r = options
                    .node
                    .client()?
                    .staking()
                    .validator(&operator)
                    .await?;
                let v = r.validator.ok_or_else(|| missing("a validator"))?;
                let out = Printer::with_denom(&options).await;
                out.print(&validator(&out, &v))
            }
            StakingQuery::Delegation(pair) => {
                let (delegator, validator) = (pair.delegator()?, pair.validator()?);
                let node = pair.options.node.client()?;
                let r = node.staking().delegation(&delegator, &validator).await?;
                let d = r
                    .delegation_response
                    .ok_or_else(|| missing("a delegation"))?;
                let out = Printer::plain(pair.options.output.output);
                out.print(&delegation(&out, &d))
            }
            StakingQuery::UnbondingDelegation(pair) => {
                let (delegator, validator) = (pair.delegator()?, pair.validator()?);
                let node = pair.options.node.client()?;
                let r = node
                    .staking()
                    .unbonding_delegation(&delegator, &validator)
                    .await?;
                let u = r.unbond.ok_or_else(|| missing("an unbonding delegation"))?;
                let out = Printer::with_denom(&pair.options).await;
                out.print(&Doc::Map(vec![("unbond", unbonding(&out, &u))]))
            }
            StakingQuery::Delegations { delegator, options } => {
                let delegator = account_arg(&delegator)?.to_string();
                let node = options.node.client()?;
                let list = node.staking().delegator_delegations(&delegator).await?;
                print_delegations(&options, &list)
            }
            StakingQuery::DelegationsTo { validator, options } => {
                let validator = validator_arg(&validator)?.to_string();
                let node = options.node.client()?;
                let list = node.staking().validator_delegations(&validator).await?;
                print_delegations(&options, &list)
            }
            StakingQuery::UnbondingDelegations { delegator, options } => {
                let delegator = account_arg(&delegator)?.to_string();
                let node = options.node.client()?;
                let list = node
                    .staking()
                    .delegator_unbonding_delegations(&delegator)
                    .await?;
                let out = Printer::with_denom(&options).await;
                let list = list.iter().map(|u| unbonding(&out, u)).collect();
                out.print(&Doc::Map(vec![("unbonding_responses", Doc::List(list))]))
            }
            StakingQuery::Redelegations {
                delegator,
                src_validator,
                dst_validator,
                options,
            } => {
                let delegator = account_arg(&delegator)?.to_string();
                let optional = |v: Option<String>, what: &str| {
                    v.map(|v| address::validator(&v, what).map(|a| a.to_string()))
                        .transpose()
                        .map(Option::unwrap_or_default)
                };
                let src = optional(src_validator, "source validator address")?;
                let dst = optional(dst_validator, "destination validator address")?;
                let node = options.node.client()?;
                let list = node.staking().redelegations(&delegator, &src, &dst).await?;
                let out = Printer::with_denom(&options).await;
                let list = list.iter().map(|r| redelegation(&out, r)).collect();
                out.print(&Doc::Map(vec![("redelegation_responses", Doc::List(list))]))
            }
            StakingQuery::Pool { options } => {
                let r = options.node.client()?.staking().pool().await?;
                let pool = r.pool.ok_or_else(|| missing("the pool"))?;
                let out = Printer::with_denom(&options).await;
                out.print(&Doc::Map(vec![(
                    "pool",
                    Doc::Map(vec![
                        ("not_bonded_tokens", out.tokens(&pool.not_bonded_tokens)),
                        ("bonded_tokens", out.tokens(&pool.bonded_tokens)),
                    ]),
                )]))
            }
            StakingQuery::Params { options } => {
                let r = options.node.client()?.staking().params().await?;
                let p = r.params.ok_or_else(|| missing("params"))?;
                let out = Printer::plain(options.output.output);
                out.print(&Doc::Map(vec![("params", params(&out, &p))]))
            }
            StakingQuery::HistoricalInfo { height, options } => {
                let node = options.node.client()?;
                let r = node.staking().historical_info(height).await?;
                let info = r
                    .hist
                    .ok_or_else(|| anyhow!("no historical info at height {height}"))?;
                let out = Printer::with_denom(&options).await;
                let header = info.header.unwrap_or_default();
                out.print(&Doc::Map(vec![(
                    "hist",
                    Doc::Map(vec![
                        (
                            "header",
                            Doc::Map(vec![
                                ("chain_id", Doc::Str(header.chain_id)),
                                ("height", out.int(header.height)),
                                ("time", out.time(header.time.as_ref())),
                                ("app_hash", Doc::Str(hex::encode_upper(header.app_hash))),
                            ]),
                        ),
                        (
                            "valset",
                            Doc::List(info.valset.iter().map(|v| validator(&out, v)).collect()),
                        ),
                    ]),
                )]))
            }
        }
    }
}

fn print_delegations(
    options: &QueryOptions,
    list: &[pb::DelegationResponse],
) -> anyhow::Result<()> {
    let out = Printer::plain(options.output.output);
    let list = list.iter().map(|d| delegation(&out, d)).collect();
    out.print(&Doc::Map(vec![("delegation_responses", Doc::List(list))]))
}

// ---------------------------------------------------------------------------------------------
// Answers in the SDK's shapes
// ---------------------------------------------------------------------------------------------

fn status(out: &Printer, status: i32) -> Doc {
    let status = pb::BondStatus::try_from(status).unwrap_or(pb::BondStatus::Unspecified);
    if out.json() {
        Doc::str(status.as_str_name())
    } else {
        Doc::str(status_word(status))
    }
}

/// A validator, shaped as the SDK's JSON.
pub fn validator(out: &Printer, v: &pb::Validator) -> Doc {
    let pubkey = v.consensus_pubkey.as_ref().map(|any| {
        let key = PubKey::decode(any.value.as_slice())
            .map(|k| base64::engine::general_purpose::STANDARD.encode(k.key))
            .unwrap_or_else(|_| hex::encode(&any.value));
        if out.json() {
            Doc::Map(vec![
                ("@type", Doc::str(&any.type_url)),
                ("key", Doc::Str(key)),
            ])
        } else {
            Doc::Str(key)
        }
    });
    let description = v.description.clone().unwrap_or_default();
    let description_fields = [
        ("moniker", description.moniker),
        ("identity", description.identity),
        ("website", description.website),
        ("security_contact", description.security_contact),
        ("details", description.details),
    ];
    let description = Doc::Map(
        description_fields
            .into_iter()
            .filter(|(_, value)| out.json() || !value.is_empty())
            .map(|(key, value)| (key, Doc::Str(value)))
            .collect(),
    );
    let commission = v.commission.clone().unwrap_or_default();
    let rates = commission.commission_rates.unwrap_or_default();
    Doc::Map(vec![
        ("operator_address", Doc::str(&v.operator_address)),
        ("consensus_pubkey", pubkey.unwrap_or(Doc::str(""))),
        ("jailed", Doc::Bool(v.jailed)),
        ("status", status(out, v.status)),
        ("tokens", out.tokens(&v.tokens)),
        ("delegator_shares", out.dec(&v.delegator_shares)),
        ("description", description),
        ("unbonding_height", out.int(v.unbonding_height)),
        ("unbonding_time", out.time(v.unbonding_time.as_ref())),
        (
            "commission",
            Doc::Map(vec![
                (
                    "commission_rates",
                    Doc::Map(vec![
                        ("rate", out.dec(&rates.rate)),
                        ("max_rate", out.dec(&rates.max_rate)),
                        ("max_change_rate", out.dec(&rates.max_change_rate)),
                    ]),
                ),
                ("update_time", out.time(commission.update_time.as_ref())),
            ]),
        ),
        ("min_self_delegation", out.tokens(&v.min_self_delegation)),
    ])
}

/// A delegation with its balance.
pub fn delegation(out: &Printer, d: &pb::DelegationResponse) -> Doc {
    let delegation = d.delegation.clone().unwrap_or_default();
    Doc::Map(vec![
        (
            "delegation",
            Doc::Map(vec![
                ("delegator_address", Doc::Str(delegation.delegator_address)),
                ("validator_address", Doc::Str(delegation.validator_address)),
                ("shares", out.dec(&delegation.shares)),
            ]),
        ),
        ("balance", out.coin(d.balance.as_ref())),
    ])
}

/// An unbonding delegation with its entries.
pub fn unbonding(out: &Printer, u: &pb::UnbondingDelegation) -> Doc {
    let entries = u
        .entries
        .iter()
        .map(|e| {
            Doc::Map(vec![
                ("creation_height", out.int(e.creation_height)),
                ("completion_time", out.time(e.completion_time.as_ref())),
                ("initial_balance", out.tokens(&e.initial_balance)),
                ("balance", out.tokens(&e.balance)),
                ("unbonding_id", out.int(e.unbonding_id)),
            ])
        })
        .collect();
    Doc::Map(vec![
        ("delegator_address", Doc::str(&u.delegator_address)),
        ("validator_address", Doc::str(&u.validator_address)),
        ("entries", Doc::List(entries)),
    ])
}

fn redelegation(out: &Printer, r: &pb::RedelegationResponse) -> Doc {
    let red = r.redelegation.clone().unwrap_or_default();
    let entries = r
        .entries
        .iter()
        .map(|e| {
            let entry = e.redelegation_entry.clone().unwrap_or_default();
            Doc::Map(vec![
                (
                    "redelegation_entry",
                    Doc::Map(vec![
                        ("creation_height", out.int(entry.creation_height)),
                        ("completion_time", out.time(entry.completion_time.as_ref())),
                        ("initial_balance", out.tokens(&entry.initial_balance)),
                        ("shares_dst", out.dec(&entry.shares_dst)),
                    ]),
                ),
                ("balance", out.tokens(&e.balance)),
            ])
        })
        .collect();
    Doc::Map(vec![
        (
            "redelegation",
            Doc::Map(vec![
                ("delegator_address", Doc::Str(red.delegator_address)),
                ("validator_src_address", Doc::Str(red.validator_src_address)),
                ("validator_dst_address", Doc::Str(red.validator_dst_address)),
            ]),
        ),
        ("entries", Doc::List(entries)),
    ])
}

fn params(out: &Printer, p: &pb::Params) -> Doc {
    let unbonding = p.unbonding_time.unwrap_or_default();
    let unbonding = if unbonding.nanos == 0 {
        format!("{}s", unbonding.seconds)
    } else {
        format!("{}.{:09}s", unbonding.seconds, unbonding.nanos)
    };
    Doc::Map(vec![
        ("unbonding_time", Doc::Str(unbonding)),
        ("max_validators", out.int(p.max_validators)),
        ("max_entries", out.int(p.max_entries)),
        ("historical_entries", out.int(p.historical_entries)),
        ("bond_denom", Doc::str(&p.bond_denom)),
        ("min_commission_rate", out.dec(&p.min_commission_rate)),
    ])
}

/// A text table of validators: operator, moniker, status, tokens, commission, jailed.
fn validator_table(out: &Printer, validators: &[pb::Validator]) -> String {
    let mut rows = vec![[
        "operator",
        "moniker",
        "status",
        "tokens",
        "commission",
        "jailed",
    ]
    .map(String::from)
    .to_vec()];
    for v in validators {
        let rate = v
            .commission
            .as_ref()
            .and_then(|c| c.commission_rates.as_ref())
            .map(|r| decimal::format(&r.rate, DecStyle::Short))
            .unwrap_or_default();
        let status = pb::BondStatus::try_from(v.status).unwrap_or(pb::BondStatus::Unspecified);
        rows.push(vec![
            v.operator_address.clone(),
            v.description
                .as_ref()
                .map(|d| d.moniker.clone())
                .unwrap_or_default(),
            status_word(status).into(),
            cell(out.tokens(&v.tokens)),
            rate,
            v.jailed.to_string(),
        ]);
    }
    table(&rows)
}

fn status_word(status: pb::BondStatus) -> &'static str {
    match status {
        pb::BondStatus::Bonded => "bonded",
        pb::BondStatus::Unbonding => "unbonding",
        pb::BondStatus::Unbonded => "unbonded",
        pb::BondStatus::Unspecified => "unspecified",
    }
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

/// A validator status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    /// In the active set.
    Bonded,
    /// Leaving the active set.
    Unbonding,
    /// Not in the active set.
    Unbonded,
}

impl StatusFilter {
    fn proto_name(self) -> &'static str {
        match self {
            StatusFilter::Bonded => pb::BondStatus::Bonded.as_str_name(),
            StatusFilter::Unbonding => pb::BondStatus::Unbonding.as_str_name(),
            StatusFilter::Unbonded => pb::BondStatus::Unbonded.as_str_name(),
        }
    }
}
