//! `rampartd tx consumer …`: registering, updating, removing and funding consumer chains, and
//! per-consumer commissions (messages built by `rampart_client::msgs::consumer`).

use anyhow::{anyhow, bail, Context};
use clap::{Args, Subcommand};
use cosmrs::Any;
use rampart_client::address;
use rampart_client::coins::{format_coins, parse_coins};
use rampart_client::decimal::{self, DecStyle};
use rampart_client::msgs::consumer::{
    fund_msg, register_msg, remove_msg, set_commission_msg, update_msg,
};
use rampart_client::NodeClient;
use rampart_proto::rampart::consumer::v1 as pb;

use super::params::{default_params, parse_fraction, parse_spawn_time, ParamsArgs};
use crate::cli::args::FromOptions;
use crate::cli::output::timestamp_text;
use crate::cli::sign::Signer;

/// The provider's unbonding time in seconds, from the node's staking parameters.
pub async fn provider_unbonding_seconds(node: &NodeClient) -> anyhow::Result<u64> {
    let r = node
        .staking()
        .params()
        .await
        .context("asking the node for the provider's unbonding time")?;
    let seconds = r
        .params
        .and_then(|p| p.unbonding_time)
        .map(|d| d.seconds)
        .ok_or_else(|| anyhow!("the node answered staking Params without an unbonding time"))?;
    u64::try_from(seconds).map_err(|_| anyhow!("the node's unbonding time {seconds}s is negative"))
}

/// `rampartd tx consumer`.
#[derive(Debug, Subcommand)]
pub enum ConsumerTx {
    /// Register a consumer chain (permissionless): --from pays the registration deposit and
    /// becomes its owner. Parameters: defaults, then --params-file, then the flags.
    Register(Box<RegisterArgs>),
    /// Change a consumer (owner only): metadata, owner, spawn time (before launch) and
    /// parameters (starting from its current ones; infraction parameters of a launched consumer
    /// take effect one provider unbonding period later).
    Update(Box<UpdateArgs>),
    /// Remove a consumer (owner only): a registered one is deleted at once, a launched one stops
    /// and is deleted one provider unbonding period later.
    Remove {
        /// The consumer's id.
        consumer_id: u64,
        /// The signer (--from) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Add coins (any denom) to a consumer's reward pool; anyone may fund.
    FundRewards {
        /// The consumer's id.
        consumer_id: u64,
        /// The coins, e.g. 1000000000uramp.
        amount: String,
        /// The signer (--from) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Set the commission the --from key's validator keeps from one consumer's rewards (default:
    /// its provider commission rate).
    SetCommission {
        /// The consumer's id.
        consumer_id: u64,
        /// The rate, e.g. 0.05, between the provider's minimum commission rate and 1.
        rate: String,
        /// The signer (--from, the validator's operator key) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
}

/// Options of `tx consumer register`.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The consumer's CometBFT chain id.
    #[arg(value_name = "CONSUMER_CHAIN_ID")]
    pub consumer_chain_id: String,
    /// Human-readable name, 1–64 bytes [default: the chain id].
    #[arg(long)]
    pub name: Option<String>,
    /// Free-form description (at most 2,000 bytes).
    #[arg(long, default_value = "")]
    pub description: String,
    /// Where to find the consumer's binaries and documentation (at most 256 bytes).
    #[arg(long, default_value = "")]
    pub metadata_url: String,
    /// When to launch: RFC 3339, `now` or +DURATION from now (+30s, +10m); without it the
    /// consumer waits until `tx consumer update --spawn-time`.
    #[arg(long, value_name = "TIME")]
    pub spawn_time: Option<String>,
    /// The consumer's parameters.
    #[command(flatten)]
    pub params: ParamsArgs,
    /// The signer (--from, the owner) and the transaction options.
    #[command(flatten)]
    pub options: FromOptions,
}

/// Options of `tx consumer update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The consumer's id.
    pub consumer_id: u64,
    /// Hand the consumer to another owner (rampart1…).
    #[arg(long)]
    pub new_owner: Option<String>,
    /// A new name.
    #[arg(long)]
    pub name: Option<String>,
    /// A new description.
    #[arg(long)]
    pub description: Option<String>,
    /// A new metadata URL.
    #[arg(long)]
    pub metadata_url: Option<String>,
    /// A new spawn time (registered consumers only): RFC 3339, `now` or +DURATION.
    #[arg(long, value_name = "TIME")]
    pub spawn_time: Option<String>,
    /// New parameters, applied over the consumer's current ones.
    #[command(flatten)]
    pub params: ParamsArgs,
    /// The signer (--from, the owner) and the transaction options.
    #[command(flatten)]
    pub options: FromOptions,
}

/// A one-line description of consumer parameters for the confirmation prompt.
fn params_summary(p: &pb::ConsumerParams) -> String {
    let ds = p.double_sign.clone().unwrap_or_default();
    let rewards = if p.reward_rate_per_block.is_empty() {
        "none".to_owned()
    } else {
        format!("{} per block", format_coins(&p.reward_rate_per_block))
    };
    format!(
        "{}–{} validators, unbonding {}s, double sign slashes {} of the pledge{}, rewards {rewards}",
        p.min_validators,
        p.max_validators,
        p.unbonding_period_seconds,
        decimal::format(&ds.slash_fraction, DecStyle::Short),
        if ds.tombstone { " and tombstones" } else { "" },
    )
}

fn check_text_len(text: &str, max: usize, what: &str) -> anyhow::Result<()> {
    if text.len() > max {
        bail!(
            "{what} is {} bytes long; at most {max} are allowed",
            text.len()
        );
    }
    Ok(())
}

impl RegisterArgs {
    async fn run(self) -> anyhow::Result<()> {
        let chain_id = self.consumer_chain_id.trim().to_owned();
        tendermint::chain::Id::try_from(chain_id.clone())
            .map_err(|e| anyhow!("invalid consumer chain id {chain_id:?}: {e}"))?;
        let name = self.name.clone().unwrap_or_else(|| chain_id.clone());
        if name.trim().is_empty() {
            bail!("--name must not be empty");
        }
        check_text_len(&name, 64, "--name")?;
        check_text_len(&self.description, 2_000, "--description")?;
        check_text_len(&self.metadata_url, 256, "--metadata-url")?;
        let spawn_time = self
            .spawn_time
            .as_deref()
            .map(|t| parse_spawn_time(t, tendermint::Time::now()))
            .transpose()?;
        let signer = self.options.signer()?;
        let unbonding = provider_unbonding_seconds(&signer.node).await?;
        let params = self.params.apply(default_params(unbonding))?;
        let spawn_text = spawn_time
            .as_ref()
            .map(|t| format!("spawning at {}", timestamp_text(t)))
            .unwrap_or_else(|| "with no spawn time yet".into());
        let summary = format!(
            "register consumer chain {chain_id} ({name}) owned by {}, {spawn_text}; {}",
            signer.address,
            params_summary(&params)
        );
        let msg = register_msg(pb::MsgRegisterConsumer {
            owner: signer.address.to_string(),
            chain_id,
            name,
            description: self.description,
            metadata_url: self.metadata_url,
            spawn_time,
            params: Some(params),
        });
        self.options.tx.submit(&signer, vec![msg], &summary).await
    }
}

impl UpdateArgs {
    async fn run(self) -> anyhow::Result<()> {
        let anything = self.new_owner.is_some()
            || self.name.is_some()
            || self.description.is_some()
            || self.metadata_url.is_some()
            || self.spawn_time.is_some()
            || self.params.given();
        if !anything {
            bail!(
                "nothing to update: give --new-owner, --name, --description, --metadata-url, \
                 --spawn-time, --params-file or a parameter flag"
            );
        }
        let new_owner = self
            .new_owner
            .as_deref()
            .map(|o| address::account(o, "new owner").map(|a| a.to_string()))
            .transpose()?;
        let spawn_time = self
            .spawn_time
            .as_deref()
            .map(|t| parse_spawn_time(t, tendermint::Time::now()))
            .transpose()?;
        let signer = self.options.signer()?;
        let mut changes = Vec::new();
        let params = if self.params.given() {
            let current = signer.node.consumer().consumer(self.consumer_id).await?;
            let base = current.params.ok_or_else(|| {
                anyhow!(
                    "the node answered consumer {} without params",
                    self.consumer_id
                )
            })?;
            let params = self.params.apply(base)?;
            changes.push(format!("params: {}", params_summary(&params)));
            Some(params)
        } else {
            None
        };
        for (what, value) in [
            ("owner", &new_owner),
            ("name", &self.name),
            ("description", &self.description),
            ("metadata URL", &self.metadata_url),
        ] {
            if let Some(value) = value {
                changes.push(format!("{what}: {value}"));
            }
        }
        if let Some(t) = &spawn_time {
            changes.push(format!("spawn time: {}", timestamp_text(t)));
        }
        let summary = format!(
            "update consumer {} ({})",
            self.consumer_id,
            changes.join("; ")
        );
        let msg = update_msg(pb::MsgUpdateConsumer {
            owner: signer.address.to_string(),
            consumer_id: self.consumer_id,
            new_owner,
            name: self.name,
            description: self.description,
            metadata_url: self.metadata_url,
            spawn_time,
            params,
        });
        self.options.tx.submit(&signer, vec![msg], &summary).await
    }
}

/// Sends one message built from the signer: `build` returns the confirmation line and the
/// message.
async fn send_one(
    options: &FromOptions,
    build: impl FnOnce(&Signer) -> anyhow::Result<(String, Any)>,
) -> anyhow::Result<()> {
    options
        .send(|signer| {
            let (summary, msg) = build(signer)?;
            Ok((summary, vec![msg]))
        })
        .await
}

impl ConsumerTx {
    /// Checks the arguments, signs with --from and broadcasts.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            ConsumerTx::Register(args) => args.run().await,
            ConsumerTx::Update(args) => args.run().await,
            ConsumerTx::Remove {
                consumer_id,
                options,
            } => {
                send_one(&options, |signer| {
                    Ok((
                        format!("remove consumer {consumer_id} (owner {})", signer.address),
                        remove_msg(&signer.address, consumer_id),
                    ))
                })
                .await
            }
            ConsumerTx::FundRewards {
                consumer_id,
                amount,
                options,
            } => {
                let coins = parse_coins(&amount).context("amount")?;
                if coins.is_empty() {
                    bail!("nothing to fund: the amount is empty");
                }
                send_one(&options, |signer| {
                    Ok((
                        format!(
                            "fund the reward pool of consumer {consumer_id} with {} from {}",
                            format_coins(&coins),
                            signer.address
                        ),
                        fund_msg(&signer.address, consumer_id, coins),
                    ))
                })
                .await
            }
            ConsumerTx::SetCommission {
                consumer_id,
                rate,
                options,
            } => {
                let rate = parse_fraction(&rate, "rate")?;
                send_one(&options, |signer| {
                    let validator = signer.operator()?;
                    Ok((
                        format!(
                            "set the commission of {validator} on consumer {consumer_id} to {}",
                            decimal::format(&rate, DecStyle::Short)
                        ),
                        set_commission_msg(&validator, consumer_id, rate),
                    ))
                })
                .await
            }
        }
    }
}
