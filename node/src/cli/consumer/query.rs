//! `rampartd query consumer …`: the registry's consumers, genesis, validators, packets, reward
//! pools, commissions and parameters.

use clap::{Subcommand, ValueEnum};
use rampart_client::address;
use rampart_client::decimal::{self, DecStyle};
use rampart_core::Decimal;
use rampart_proto::rampart::consumer::v1 as pb;

use super::params::{infraction, params};
use crate::cli::args::QueryOptions;
use crate::cli::output::{
    base64_key, consumer_validator, missing, params_doc, percent, query_doc, table, timestamp_text,
    Doc, Printer,
};

/// A consumer phase filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PhaseFilter {
    /// Registered, waiting for its spawn time and enough pledged stake.
    Registered,
    /// Running.
    Launched,
    /// Removed by its owner, waiting for deletion.
    Stopped,
    /// Deleted (registry entry only).
    Deleted,
}

impl PhaseFilter {
    fn proto(self) -> pb::ConsumerPhase {
        match self {
            PhaseFilter::Registered => pb::ConsumerPhase::Registered,
            PhaseFilter::Launched => pb::ConsumerPhase::Launched,
            PhaseFilter::Stopped => pb::ConsumerPhase::Stopped,
            PhaseFilter::Deleted => pb::ConsumerPhase::Deleted,
        }
    }
}

/// `rampartd query consumer`.
#[derive(Debug, Subcommand)]
pub enum ConsumerQuery {
    /// Every consumer (text: a table), optionally only those in one phase.
    Consumers {
        /// Only consumers in this phase.
        #[arg(long, value_enum)]
        phase: Option<PhaseFilter>,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// One consumer's registry entry: owner, phase, parameters, deposit, launch.
    Consumer {
        /// The consumer's id.
        consumer_id: u64,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The genesis a launched consumer starts from (initial validators, provider info).
    Genesis {
        /// The consumer's id.
        consumer_id: u64,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The validator set last sent to a consumer, with consumer powers and pledged stake.
    Validators {
        /// The consumer's id.
        consumer_id: u64,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The stored validator-set-change packets of a consumer.
    Packets {
        /// The consumer's id.
        consumer_id: u64,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// One validator-set-change packet, with its state key (for `/store/key` proofs).
    Packet {
        /// The consumer's id.
        consumer_id: u64,
        /// The packet's vsc id (from 1).
        vsc_id: u64,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// A consumer's reward pool, its rate per block and whether payments are paused.
    RewardPool {
        /// The consumer's id.
        consumer_id: u64,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The commission a validator keeps from a consumer's rewards.
    Commission {
        /// The consumer's id.
        consumer_id: u64,
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// A launched consumer's slash meter: the consumer power that may still be jailed for
    /// downtime, its allowance per period, the next replenish time and whether downtime is
    /// throttled until then.
    SlashMeter {
        /// The consumer's id.
        consumer_id: u64,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The consumer module's parameters (registration deposit, largest slash fraction, slash
    /// meter).
    Params {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
}

impl ConsumerQuery {
    /// Queries the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            ConsumerQuery::Consumers { phase, options } => {
                let phase = phase.map_or(pb::ConsumerPhase::Unspecified, PhaseFilter::proto);
                let consumers = options.node.client()?.consumer().consumers(phase).await?;
                let out = Printer::with_denom(&options).await;
                if out.json() {
                    let list = consumers.iter().map(|c| consumer(&out, c)).collect();
                    return out.print(&Doc::Map(vec![("consumers", Doc::List(list))]));
                }
                if consumers.is_empty() {
                    println!("no consumers");
                    return Ok(());
                }
                let mut rows = vec![[
                    "id",
                    "chain id",
                    "phase",
                    "name",
                    "spawn time",
                    "launch height",
                ]
                .map(String::from)
                .to_vec()];
                for c in &consumers {
                    let phase = pb::ConsumerPhase::try_from(c.phase)
                        .unwrap_or(pb::ConsumerPhase::Unspecified);
                    rows.push(vec![
                        c.consumer_id.to_string(),
                        c.chain_id.clone(),
                        phase_word(phase).into(),
                        c.name.clone(),
                        c.spawn_time
                            .as_ref()
                            .map(timestamp_text)
                            .unwrap_or("-".into()),
                        if c.launch_height == 0 {
                            "-".into()
                        } else {
                            c.launch_height.to_string()
                        },
                    ]);
                }
                print!("{}", table(&rows));
                Ok(())
            }
            ConsumerQuery::Consumer {
                consumer_id,
                options,
            } => {
                query_doc(
                    &options,
                    |node| async move { node.consumer().consumer(consumer_id).await },
                    |out, c| Doc::Map(vec![("consumer", consumer(out, &c))]),
                )
                .await
            }
            ConsumerQuery::Genesis {
                consumer_id,
                options,
            } => {
                query_doc(
                    &options,
                    |node| async move {
                        let r = node.consumer().genesis(consumer_id).await?;
                        r.genesis.ok_or_else(|| missing("a genesis"))
                    },
                    |out, g| Doc::Map(vec![("genesis", genesis(out, &g))]),
                )
                .await
            }
            ConsumerQuery::Validators {
                consumer_id,
                options,
            } => {
                let r = options
                    .node
                    .client()?
                    .consumer()
                    .validators(consumer_id)
                    .await?;
                let out = Printer::with_denom(&options).await;
                if out.json() {
                    let list = r.validators.iter().map(|v| validator(&out, v)).collect();
                    return out.print(&Doc::Map(vec![
                        ("validators", Doc::List(list)),
                        ("total_power", out.int(r.total_power)),
                    ]));
                }
                if r.validators.is_empty() {
                    println!("consumer {consumer_id} has no validators (not launched yet?)");
                    return Ok(());
                }
                let mut rows = vec![[
                    "operator",
                    "power",
                    "share",
                    "pledge",
                    "pledged tokens",
                    "consumer address",
                ]
                .map(String::from)
                .to_vec()];
                for v in &r.validators {
                    let share =
                        Decimal::from_ratio(u128::from(v.power), u128::from(r.total_power.max(1)))
                            .map(|d| decimal::format(&d.to_string(), DecStyle::Short))
                            .unwrap_or_default();
                    rows.push(vec![
                        v.operator.clone(),
                        v.power.to_string(),
                        share,
                        percent(v.pledge_bps),
                        v.pledged_tokens.clone(),
                        address::consensus_address_of_key(&v.consumer_pubkey),
                    ]);
                }
                print!("{}", table(&rows));
                println!("total power: {}", r.total_power);
                Ok(())
            }
            ConsumerQuery::Packets {
                consumer_id,
                options,
            } => {
                query_doc(
                    &options,
                    |node| async move { node.consumer().pending_packets(consumer_id).await },
                    |out, packets| {
                        let list = packets.iter().map(|p| packet(out, p)).collect();
                        Doc::Map(vec![("packets", Doc::List(list))])
                    },
                )
                .await
            }
            ConsumerQuery::Packet {
                consumer_id,
                vsc_id,
                options,
            } => {
                query_doc(
                    &options,
                    |node| async move {
                        let r = node.consumer().packet(consumer_id, vsc_id).await?;
                        let p = r.packet.ok_or_else(|| missing("a packet"))?;
                        Ok((p, r.state_key))
                    },
                    |out, (p, state_key)| {
                        Doc::Map(vec![
                            ("packet", packet(out, &p)),
                            ("state_key", hex(&state_key)),
                        ])
                    },
                )
                .await
            }
            ConsumerQuery::RewardPool {
                consumer_id,
                options,
            } => {
                query_doc(
                    &options,
                    |node| async move { node.consumer().reward_pool(consumer_id).await },
                    |out, r| {
                        Doc::Map(vec![
                            ("pool", out.coins(&r.pool)),
                            ("rate_per_block", out.coins(&r.rate_per_block)),
                            ("paused", Doc::Bool(r.paused)),
                        ])
                    },
                )
                .await
            }
            ConsumerQuery::Commission {
                consumer_id,
                validator,
                options,
            } => {
                let validator = address::validator(&validator, "validator address")?;
                query_doc(
                    &options,
                    |node| async move {
                        node.consumer()
                            .commission(consumer_id, validator.as_ref())
                            .await
                    },
                    |out, r| {
                        Doc::Map(vec![
                            ("rate", out.dec(&r.rate)),
                            ("custom", Doc::Bool(r.custom)),
                        ])
                    },
                )
                .await
            }
            ConsumerQuery::SlashMeter {
                consumer_id,
                options,
            } => {
                query_doc(
                    &options,
                    |node| async move { node.consumer().slash_meter(consumer_id).await },
                    |out, r| {
                        Doc::Map(vec![
                            ("consumer_id", out.int(r.consumer_id)),
                            ("meter", out.int(r.meter)),
                            ("allowance", out.int(r.allowance)),
                            ("next_replenish", out.time(r.next_replenish.as_ref())),
                            ("throttled", Doc::Bool(r.throttled)),
                        ])
                    },
                )
                .await
            }
            ConsumerQuery::Params { options } => {
                query_doc(
                    &options,
                    |node| async move {
                        let r = node.consumer().params().await?;
                        r.params.ok_or_else(|| missing("params"))
                    },
                    consumer_params,
                )
                .await
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

/// The module's parameters.
fn consumer_params(out: &Printer, p: pb::Params) -> Doc {
    params_doc(vec![
        ("registration_deposit", out.coins(&p.registration_deposit)),
        (
            "max_consumer_slash_fraction",
            out.dec(&p.max_consumer_slash_fraction),
        ),
        ("slash_meter_fraction", out.dec(&p.slash_meter_fraction)),
        (
            "slash_meter_period_seconds",
            out.int(p.slash_meter_period_seconds),
        ),
        (
            "registration_expiry_seconds",
            out.int(p.registration_expiry_seconds),
        ),
        (
            "expired_deposit_forfeit",
            out.dec(&p.expired_deposit_forfeit),
        ),
    ])
}

fn phase(out: &Printer, value: i32) -> Doc {
    let phase = pb::ConsumerPhase::try_from(value).unwrap_or(pb::ConsumerPhase::Unspecified);
    out.enum_value(phase.as_str_name(), phase_word(phase))
}

/// A consumer's registry entry (absent timestamps are left out).
pub fn consumer(out: &Printer, c: &pb::Consumer) -> Doc {
    let mut entries = vec![
        ("consumer_id", out.int(c.consumer_id)),
        ("chain_id", Doc::str(&c.chain_id)),
        ("owner", Doc::str(&c.owner)),
        ("name", Doc::str(&c.name)),
        ("description", Doc::str(&c.description)),
        ("metadata_url", Doc::str(&c.metadata_url)),
    ];
    out.opt_time(&mut entries, "spawn_time", c.spawn_time.as_ref());
    entries.push(("phase", phase(out, c.phase)));
    entries.push(("params", params(out, &c.params.clone().unwrap_or_default())));
    if let Some(p) = &c.pending_infraction_params {
        let mut pending = vec![
            ("double_sign", infraction(out, p.double_sign.as_ref())),
            ("downtime", infraction(out, p.downtime.as_ref())),
        ];
        out.opt_time(&mut pending, "effective_time", p.effective_time.as_ref());
        entries.push(("pending_infraction_params", Doc::Map(pending)));
    }
    entries.push(("deposit", out.coins(&c.deposit)));
    entries.push(("registration_height", out.int(c.registration_height)));
    entries.push(("launch_height", out.int(c.launch_height)));
    out.opt_time(&mut entries, "launch_time", c.launch_time.as_ref());
    out.opt_time(&mut entries, "stop_time", c.stop_time.as_ref());
    out.opt_time(&mut entries, "delete_time", c.delete_time.as_ref());
    entries.push(("rewards_paused", Doc::Bool(c.rewards_paused)));
    out.opt_time(&mut entries, "last_heard_from", c.last_heard_from.as_ref());
    entries.push(("last_acknowledged_vsc", out.int(c.last_acknowledged_vsc)));
    Doc::Map(entries)
}

fn update(out: &Printer, u: &pb::ValidatorUpdate) -> Doc {
    consumer_validator(out, &u.consumer_pubkey, u.power, &u.provider_operator)
}

/// A consumer validator (with its consumer address, derived from the key).
pub fn validator(out: &Printer, v: &pb::ConsumerValidator) -> Doc {
    Doc::Map(vec![
        ("operator", Doc::str(&v.operator)),
        ("consumer_pubkey", base64_key(&v.consumer_pubkey)),
        (
            "consumer_address",
            Doc::Str(address::consensus_address_of_key(&v.consumer_pubkey)),
        ),
        ("power", out.int(v.power)),
        ("pledged_tokens", out.tokens(&v.pledged_tokens)),
        ("pledge_bps", out.bps(v.pledge_bps)),
        ("validator_power", out.int(v.validator_power)),
        ("provider_height", out.int(v.provider_height)),
    ])
}

/// A validator-set-change packet.
pub fn packet(out: &Printer, p: &pb::ValidatorSetChangePacket) -> Doc {
    let mut entries = vec![
        ("consumer_id", out.int(p.consumer_id)),
        ("vsc_id", out.int(p.vsc_id)),
        ("provider_height", out.int(p.provider_height)),
    ];
    out.opt_time(&mut entries, "provider_time", p.provider_time.as_ref());
    entries.push((
        "updates",
        Doc::List(p.updates.iter().map(|u| update(out, u)).collect()),
    ));
    entries.push((
        "slash_acks",
        Doc::List(
            p.slash_acks
                .iter()
                .map(|a| Doc::Str(address::consensus_address(a)))
                .collect(),
        ),
    ));
    Doc::Map(entries)
}

fn genesis(out: &Printer, g: &pb::ConsumerGenesis) -> Doc {
    let mut entries = vec![
        ("consumer_id", out.int(g.consumer_id)),
        ("chain_id", Doc::str(&g.chain_id)),
        ("params", params(out, &g.params.clone().unwrap_or_default())),
        (
            "initial_validators",
            Doc::List(
                g.initial_validators
                    .iter()
                    .map(|u| update(out, u))
                    .collect(),
            ),
        ),
        ("provider_chain_id", Doc::str(&g.provider_chain_id)),
        ("provider_height", out.int(g.provider_height)),
    ];
    out.opt_time(&mut entries, "provider_time", g.provider_time.as_ref());
    entries.extend([
        (
            "provider_validator_set_hash",
            hex(&g.provider_validator_set_hash),
        ),
        (
            "initial_validator_set_hash",
            hex(&g.initial_validator_set_hash),
        ),
        ("provider_block_hash", hex(&g.provider_block_hash)),
        (
            "provider_next_validators_hash",
            hex(&g.provider_next_validators_hash),
        ),
    ]);
    entries.push((
        "provider_next_validators",
        Doc::List(
            g.provider_next_validators
                .iter()
                .map(|v| {
                    Doc::Map(vec![
                        ("pub_key", hex(&v.pub_key)),
                        ("power", out.int(v.power)),
                    ])
                })
                .collect(),
        ),
    ));
    entries.push((
        "trusting_period_seconds",
        out.int(g.trusting_period_seconds),
    ));
    entries.push((
        "max_clock_drift_seconds",
        out.int(g.max_clock_drift_seconds),
    ));
    Doc::Map(entries)
}

/// Bytes (hashes, keys) as upper-case hex, as CometBFT writes them.
fn hex(bytes: &[u8]) -> Doc {
    Doc::Str(hex::encode_upper(bytes))
}

fn phase_word(phase: pb::ConsumerPhase) -> &'static str {
    match phase {
        pb::ConsumerPhase::Registered => "registered",
        pb::ConsumerPhase::Launched => "launched",
        pb::ConsumerPhase::Stopped => "stopped",
        pb::ConsumerPhase::Deleted => "deleted",
        pb::ConsumerPhase::Unspecified => "unspecified",
    }
}
