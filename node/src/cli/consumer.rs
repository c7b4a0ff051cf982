//! `rampartd tx consumer …` and `rampartd query consumer …`: the consumer-chain registry of
//! Rampart's native shared security (`rampart.consumer.v1`) — registering, updating, removing
//! and funding consumer chains, per-consumer commissions, and the registry's queries.
//!
//! # Consumer parameters at registration
//!
//! `tx consumer register` builds the consumer's `ConsumerParams` in three layers, each
//! overriding the one before:
//!
//! 1. the defaults ([`default_params`]): 1 to 100 validators, no minimum pledge or stake, no
//!    power cap, no allow/deny list, the provider's unbonding period (asked from the node),
//!    double signing 5 % slashed and tombstoned (jail 600 s), downtime 0.01 % (jail 600 s, not
//!    tombstoned; recorded for the consumer, the provider does not slash for it), no rewards;
//! 2. `--params-file FILE`: a JSON object with any of the fields of `ConsumerParams` — the same
//!    shape `query consumer consumer <id> --output json` prints under `params`, so an existing
//!    consumer's rules can be copied; fields left out keep the defaults;
//! 3. the parameter flags (`--min-validators`, `--double-sign-slash-fraction`, `--reward-rate`,
//!    …).
//!
//! `tx consumer update` starts from the consumer's current parameters instead of the defaults,
//! so `--double-sign-slash-fraction 0.08` changes only that (after launch, infraction
//! parameters take effect one provider unbonding period later).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use base64::Engine as _;
use clap::{ArgAction, Args, Subcommand, ValueEnum};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::staking::v1beta1 as staking_pb;
use cosmos_sdk_proto::Timestamp;
use cosmrs::{AccountId, Any};
use rampart_core::Decimal;
use rampart_proto::rampart::consumer::v1 as pb;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::query::QueryOptions;
use super::staking::{any, ask, Doc, Render};
use super::tx::{FromOptions, Signer};
use super::Output;
use crate::client::coins::{format_coins, parse_coins};
use crate::client::{address, NodeClient};

/// Type URL of `MsgRegisterConsumer`.
pub const REGISTER_CONSUMER: &str = "/rampart.consumer.v1.MsgRegisterConsumer";
/// Type URL of `MsgUpdateConsumer`.
pub const UPDATE_CONSUMER: &str = "/rampart.consumer.v1.MsgUpdateConsumer";
/// Type URL of `MsgRemoveConsumer`.
pub const REMOVE_CONSUMER: &str = "/rampart.consumer.v1.MsgRemoveConsumer";
/// Type URL of `MsgFundConsumerRewards`.
pub const FUND_CONSUMER_REWARDS: &str = "/rampart.consumer.v1.MsgFundConsumerRewards";
/// Type URL of `MsgSetConsumerCommission`.
pub const SET_CONSUMER_COMMISSION: &str = "/rampart.consumer.v1.MsgSetConsumerCommission";

/// Bech32 prefix of consensus addresses (a consumer key's address on the consumer).
pub const VALCONS_PREFIX: &str = "rampartvalcons";

/// Default fewest validators a consumer launches with.
pub const DEFAULT_MIN_VALIDATORS: u32 = 1;
/// Default most validators in a consumer's set.
pub const DEFAULT_MAX_VALIDATORS: u32 = 100;
/// Default double-sign slash fraction (the provider's own).
pub const DEFAULT_DOUBLE_SIGN_SLASH_FRACTION: &str = "0.05";
/// Default downtime slash fraction (the provider's own).
pub const DEFAULT_DOWNTIME_SLASH_FRACTION: &str = "0.0001";
/// Default jail duration for both infractions, in seconds.
pub const DEFAULT_JAIL_SECONDS: u64 = 600;

const QUERY: &str = "/rampart.consumer.v1.Query/";

// ---------------------------------------------------------------------------------------------
// Parsing what people type
// ---------------------------------------------------------------------------------------------

/// Parses a duration in seconds: `600`, `600s`, `10m`, `2h` or `21d`.
pub fn parse_duration(text: &str) -> anyhow::Result<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => bail!("invalid duration {text:?}: expected e.g. 600, 600s, 10m, 2h or 21d"),
    };
    let value: u64 = number.parse().map_err(|_| {
        anyhow!("invalid duration {text:?}: expected e.g. 600, 600s, 10m, 2h or 21d")
    })?;
    value
        .checked_mul(scale)
        .ok_or_else(|| anyhow!("duration {text:?} is too long"))
}

/// Parses a spawn time: RFC 3339 (`2026-05-01T12:00:00Z`), `now`, or `+DURATION` from now on
/// this machine's clock (`+30s`, `+10m`; see [`parse_duration`]).
pub fn parse_spawn_time(text: &str, now: tendermint::Time) -> anyhow::Result<Timestamp> {
    let text = text.trim();
    let time = if text == "now" {
        now
    } else if let Some(relative) = text.strip_prefix('+') {
        let seconds = parse_duration(relative).context("--spawn-time")?;
        now.checked_add(std::time::Duration::from_secs(seconds))
            .ok_or_else(|| anyhow!("--spawn-time {text}: too far in the future"))?
    } else {
        tendermint::Time::parse_from_rfc3339(text).map_err(|e| {
            anyhow!("--spawn-time {text:?}: expected RFC 3339, `now` or +DURATION (e.g. +30s): {e}")
        })?
    };
    Ok(Timestamp::from(time))
}

/// Checks a fraction (decimal text between 0 and 1) and returns it in its 18-place form.
pub fn parse_fraction(text: &str, what: &str) -> anyhow::Result<String> {
    let value: Decimal = text
        .trim()
        .parse()
        .map_err(|_| anyhow!("{what}: {text:?} is not a decimal such as 0.05"))?;
    if value > Decimal::ONE {
        bail!("{what}: {text} is more than 1 (100%)");
    }
    Ok(value.to_string())
}

/// Checks an integer token amount (empty is zero) and returns it.
fn parse_tokens(text: &str, what: &str) -> anyhow::Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok("0".into());
    }
    text.parse::<u128>().map(|v| v.to_string()).map_err(|_| {
        anyhow!("{what}: {text:?} is not an integer amount of the bond denom's base unit")
    })
}

/// Checks a list of operator addresses (empty entries are ignored).
fn parse_operators(list: &[String], what: &str) -> anyhow::Result<Vec<String>> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| address::validator(s, what).map(|a| a.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Consumer parameters: defaults, file, flags
// ---------------------------------------------------------------------------------------------

/// The default consumer parameters (see the module documentation), with the consumer's
/// unbonding period set to `unbonding_seconds` (the provider's, normally).
pub fn default_params(unbonding_seconds: u64) -> pb::ConsumerParams {
    let fraction = |text: &str| {
        text.parse::<Decimal>()
            .map(|d| d.to_string())
            .unwrap_or_else(|_| text.to_owned())
    };
    pb::ConsumerParams {
        min_validators: DEFAULT_MIN_VALIDATORS,
        min_total_pledge: "0".into(),
        max_validators: DEFAULT_MAX_VALIDATORS,
        validator_power_cap: Decimal::ONE.to_string(),
        allowlist: vec![],
        denylist: vec![],
        min_validator_stake: "0".into(),
        unbonding_period_seconds: unbonding_seconds,
        double_sign: Some(pb::InfractionParams {
            slash_fraction: fraction(DEFAULT_DOUBLE_SIGN_SLASH_FRACTION),
            jail_duration_seconds: DEFAULT_JAIL_SECONDS,
            tombstone: true,
        }),
        downtime: Some(pb::InfractionParams {
            slash_fraction: fraction(DEFAULT_DOWNTIME_SLASH_FRACTION),
            jail_duration_seconds: DEFAULT_JAIL_SECONDS,
            tombstone: false,
        }),
        reward_rate_per_block: vec![],
    }
}

/// A JSON integer written as a number or, as the Cosmos SDK writes 64-bit integers, a string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum JsonInt {
    Number(u64),
    Text(String),
}

impl JsonInt {
    fn value(&self, field: &str) -> anyhow::Result<u64> {
        match self {
            JsonInt::Number(n) => Ok(*n),
            JsonInt::Text(t) => t
                .trim()
                .parse()
                .map_err(|_| anyhow!("{field}: {t:?} is not a non-negative integer")),
        }
    }

    fn value_u32(&self, field: &str) -> anyhow::Result<u32> {
        u32::try_from(self.value(field)?).map_err(|_| anyhow!("{field} is too large"))
    }
}

/// A coin in a params file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonCoin {
    denom: String,
    amount: String,
}

/// Infraction parameters in a params file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct InfractionFile {
    slash_fraction: Option<String>,
    jail_duration_seconds: Option<JsonInt>,
    tombstone: Option<bool>,
}

/// `--params-file`: any subset of `ConsumerParams`' fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamsFile {
    min_validators: Option<JsonInt>,
    min_total_pledge: Option<String>,
    max_validators: Option<JsonInt>,
    validator_power_cap: Option<String>,
    allowlist: Option<Vec<String>>,
    denylist: Option<Vec<String>>,
    min_validator_stake: Option<String>,
    unbonding_period_seconds: Option<JsonInt>,
    double_sign: Option<InfractionFile>,
    downtime: Option<InfractionFile>,
    reward_rate_per_block: Option<Vec<JsonCoin>>,
}

impl InfractionFile {
    fn apply(&self, p: &mut pb::InfractionParams, field: &str) -> anyhow::Result<()> {
        if let Some(f) = &self.slash_fraction {
            p.slash_fraction = parse_fraction(f, &format!("{field}.slash_fraction"))?;
        }
        if let Some(j) = &self.jail_duration_seconds {
            p.jail_duration_seconds = j.value(&format!("{field}.jail_duration_seconds"))?;
        }
        if let Some(t) = self.tombstone {
            p.tombstone = t;
        }
        Ok(())
    }
}

impl ParamsFile {
    fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read --params-file {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| {
            format!(
                "--params-file {}: expected a JSON object with ConsumerParams fields \
                 (as `query consumer consumer <id> --output json` prints under params)",
                path.display()
            )
        })
    }

    fn apply(&self, p: &mut pb::ConsumerParams) -> anyhow::Result<()> {
        if let Some(v) = &self.min_validators {
            p.min_validators = v.value_u32("min_validators")?;
        }
        if let Some(v) = &self.max_validators {
            p.max_validators = v.value_u32("max_validators")?;
        }
        if let Some(v) = &self.min_total_pledge {
            p.min_total_pledge = parse_tokens(v, "min_total_pledge")?;
        }
        if let Some(v) = &self.validator_power_cap {
            p.validator_power_cap = parse_fraction(v, "validator_power_cap")?;
        }
        if let Some(v) = &self.allowlist {
            p.allowlist = parse_operators(v, "allowlist entry")?;
        }
        if let Some(v) = &self.denylist {
            p.denylist = parse_operators(v, "denylist entry")?;
        }
        if let Some(v) = &self.min_validator_stake {
            p.min_validator_stake = parse_tokens(v, "min_validator_stake")?;
        }
        if let Some(v) = &self.unbonding_period_seconds {
            p.unbonding_period_seconds = v.value("unbonding_period_seconds")?;
        }
        if let Some(v) = &self.double_sign {
            v.apply(
                p.double_sign.get_or_insert_with(Default::default),
                "double_sign",
            )?;
        }
        if let Some(v) = &self.downtime {
            v.apply(p.downtime.get_or_insert_with(Default::default), "downtime")?;
        }
        if let Some(coins) = &self.reward_rate_per_block {
            let text: Vec<String> = coins
                .iter()
                .map(|c| format!("{}{}", c.amount.trim(), c.denom.trim()))
                .collect();
            p.reward_rate_per_block =
                parse_coins(&text.join(",")).context("reward_rate_per_block")?;
        }
        Ok(())
    }
}

/// The consumer parameters a registration or an update sets: a JSON file and flags (flags win).
#[derive(Debug, Clone, Default, Args)]
pub struct ParamsArgs {
    /// JSON file with consumer parameters: any fields of ConsumerParams, as `query consumer
    /// consumer <id> --output json` prints them under `params`; the flags below override it.
    #[arg(long, value_name = "FILE")]
    pub params_file: Option<PathBuf>,
    /// Fewest validators the consumer launches with [default: 1].
    #[arg(long)]
    pub min_validators: Option<u32>,
    /// Most validators in the consumer's set [default: 100].
    #[arg(long)]
    pub max_validators: Option<u32>,
    /// Least total pledged stake to launch, in the bond denom's base unit [default: 0].
    #[arg(long, value_name = "TOKENS")]
    pub min_total_pledge: Option<String>,
    /// Largest share of the consumer's power one validator may hold, in (0, 1] [default: 1,
    /// no cap].
    #[arg(long, value_name = "FRACTION")]
    pub validator_power_cap: Option<String>,
    /// Only these operators may validate (comma-separated rampartvaloper1…; empty: anyone).
    #[arg(long, value_delimiter = ',', value_name = "OPERATORS")]
    pub allowlist: Option<Vec<String>>,
    /// These operators may never validate (comma-separated rampartvaloper1…).
    #[arg(long, value_delimiter = ',', value_name = "OPERATORS")]
    pub denylist: Option<Vec<String>>,
    /// Least bonded stake a validator needs on the provider, in base units [default: 0].
    #[arg(long, value_name = "TOKENS")]
    pub min_validator_stake: Option<String>,
    /// The consumer's unbonding period (600, 10m, 21d), at most the provider's [default: the
    /// provider's].
    #[arg(long, value_name = "DURATION")]
    pub unbonding_period: Option<String>,
    /// Fraction of the pledge slashed for double signing on the consumer [default: 0.05].
    #[arg(long, value_name = "FRACTION")]
    pub double_sign_slash_fraction: Option<String>,
    /// How long a double signer stays out of the consumer's set [default: 600s].
    #[arg(long, value_name = "DURATION")]
    pub double_sign_jail: Option<String>,
    /// Whether a double signer is excluded from the consumer for good [default: true].
    #[arg(long, action = ArgAction::Set, value_name = "BOOL")]
    pub double_sign_tombstone: Option<bool>,
    /// Downtime slash fraction (recorded for the consumer; the provider does not slash for
    /// consumer downtime) [default: 0.0001].
    #[arg(long, value_name = "FRACTION")]
    pub downtime_slash_fraction: Option<String>,
    /// How long a validator down on the consumer stays out of its set [default: 600s].
    #[arg(long, value_name = "DURATION")]
    pub downtime_jail: Option<String>,
    /// Whether downtime excludes a validator for good [default: false].
    #[arg(long, action = ArgAction::Set, value_name = "BOOL")]
    pub downtime_tombstone: Option<bool>,
    /// Rewards paid every block from the reward pool to the consumer's validators, e.g.
    /// 1000000uramp [default: none].
    #[arg(long, value_name = "COINS")]
    pub reward_rate: Option<String>,
}

impl ParamsArgs {
    /// Whether any parameter (file or flag) was given.
    pub fn given(&self) -> bool {
        self.params_file.is_some()
            || self.min_validators.is_some()
            || self.max_validators.is_some()
            || self.min_total_pledge.is_some()
            || self.validator_power_cap.is_some()
            || self.allowlist.is_some()
            || self.denylist.is_some()
            || self.min_validator_stake.is_some()
            || self.unbonding_period.is_some()
            || self.double_sign_slash_fraction.is_some()
            || self.double_sign_jail.is_some()
            || self.double_sign_tombstone.is_some()
            || self.downtime_slash_fraction.is_some()
            || self.downtime_jail.is_some()
            || self.downtime_tombstone.is_some()
            || self.reward_rate.is_some()
    }

    /// `base` with the params file, then the flags, applied.
    pub fn apply(&self, base: pb::ConsumerParams) -> anyhow::Result<pb::ConsumerParams> {
        let mut p = base;
        if let Some(path) = &self.params_file {
            ParamsFile::read(path)?.apply(&mut p)?;
        }
        if let Some(v) = self.min_validators {
            p.min_validators = v;
        }
        if let Some(v) = self.max_validators {
            p.max_validators = v;
        }
        if let Some(v) = &self.min_total_pledge {
            p.min_total_pledge = parse_tokens(v, "--min-total-pledge")?;
        }
        if let Some(v) = &self.validator_power_cap {
            p.validator_power_cap = parse_fraction(v, "--validator-power-cap")?;
        }
        if let Some(v) = &self.allowlist {
            p.allowlist = parse_operators(v, "--allowlist entry")?;
        }
        if let Some(v) = &self.denylist {
            p.denylist = parse_operators(v, "--denylist entry")?;
        }
        if let Some(v) = &self.min_validator_stake {
            p.min_validator_stake = parse_tokens(v, "--min-validator-stake")?;
        }
        if let Some(v) = &self.unbonding_period {
            p.unbonding_period_seconds = parse_duration(v).context("--unbonding-period")?;
        }
        let infraction = |slot: &mut Option<pb::InfractionParams>,
                          fraction: &Option<String>,
                          jail: &Option<String>,
                          tombstone: Option<bool>,
                          flag: &str|
         -> anyhow::Result<()> {
            let p = slot.get_or_insert_with(Default::default);
            if let Some(f) = fraction {
                p.slash_fraction = parse_fraction(f, &format!("--{flag}-slash-fraction"))?;
            }
            if let Some(j) = jail {
                p.jail_duration_seconds =
                    parse_duration(j).with_context(|| format!("--{flag}-jail"))?;
            }
            if let Some(t) = tombstone {
                p.tombstone = t;
            }
            Ok(())
        };
        infraction(
            &mut p.double_sign,
            &self.double_sign_slash_fraction,
            &self.double_sign_jail,
            self.double_sign_tombstone,
            "double-sign",
        )?;
        infraction(
            &mut p.downtime,
            &self.downtime_slash_fraction,
            &self.downtime_jail,
            self.downtime_tombstone,
            "downtime",
        )?;
        if let Some(v) = &self.reward_rate {
            p.reward_rate_per_block = parse_coins(v).context("--reward-rate")?;
        }
        if p.min_validators == 0 {
            bail!("min_validators must be at least 1");
        }
        if p.max_validators < p.min_validators {
            bail!(
                "max_validators ({}) must be at least min_validators ({})",
                p.max_validators,
                p.min_validators
            );
        }
        if p.unbonding_period_seconds == 0 {
            bail!("the consumer's unbonding period must be positive");
        }
        Ok(p)
    }
}

/// The provider's unbonding time in seconds, from the node's staking parameters.
pub async fn provider_unbonding_seconds(node: &NodeClient) -> anyhow::Result<u64> {
    let r: staking_pb::QueryParamsResponse = node
        .grpc_query(
            "/cosmos.staking.v1beta1.Query/Params",
            &staking_pb::QueryParamsRequest {},
        )
        .await
        .context("asking the node for the provider's unbonding time")?;
    let seconds = r
        .params
        .and_then(|p| p.unbonding_time)
        .map(|d| d.seconds)
        .ok_or_else(|| anyhow!("the node answered staking Params without an unbonding time"))?;
    u64::try_from(seconds).map_err(|_| anyhow!("the node's unbonding time {seconds}s is negative"))
}

/// One consumer's registry entry, from the node.
pub async fn fetch_consumer(node: &NodeClient, consumer_id: u64) -> anyhow::Result<pb::Consumer> {
    let r: pb::QueryConsumerResponse = node
        .grpc_query(
            &format!("{QUERY}Consumer"),
            &pb::QueryConsumerRequest { consumer_id },
        )
        .await?;
    r.consumer
        .ok_or_else(|| anyhow!("the node answered without consumer {consumer_id}"))
}

/// Every consumer (all phases), from the node.
pub async fn fetch_consumers(
    node: &NodeClient,
    phase: pb::ConsumerPhase,
) -> anyhow::Result<Vec<pb::Consumer>> {
    node.grpc_query_pages(
        &format!("{QUERY}Consumers"),
        |pagination| pb::QueryConsumersRequest {
            phase: phase as i32,
            pagination: Some(pagination),
        },
        |r: pb::QueryConsumersResponse| (r.consumers, r.pagination),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------------

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

/// A `MsgRegisterConsumer`.
pub fn register_msg(msg: pb::MsgRegisterConsumer) -> Any {
    any(REGISTER_CONSUMER, &msg)
}

/// A `MsgUpdateConsumer`.
pub fn update_msg(msg: pb::MsgUpdateConsumer) -> Any {
    any(UPDATE_CONSUMER, &msg)
}

/// A `MsgRemoveConsumer` of `consumer_id` by `owner`.
pub fn remove_msg(owner: &AccountId, consumer_id: u64) -> Any {
    any(
        REMOVE_CONSUMER,
        &pb::MsgRemoveConsumer {
            owner: owner.to_string(),
            consumer_id,
        },
    )
}

/// A `MsgFundConsumerRewards` of `amount` from `funder`.
pub fn fund_msg(funder: &AccountId, consumer_id: u64, amount: Vec<Coin>) -> Any {
    any(
        FUND_CONSUMER_REWARDS,
        &pb::MsgFundConsumerRewards {
            funder: funder.to_string(),
            consumer_id,
            amount,
        },
    )
}

/// A `MsgSetConsumerCommission` of `validator` (an operator address) on `consumer_id`.
pub fn set_commission_msg(validator: &AccountId, consumer_id: u64, rate: String) -> Any {
    any(
        SET_CONSUMER_COMMISSION,
        &pb::MsgSetConsumerCommission {
            validator: validator.to_string(),
            consumer_id,
            rate,
        },
    )
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
        crate::client::decimal::format(&ds.slash_fraction, crate::client::decimal::DecStyle::Short),
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
            let current = fetch_consumer(&signer.node, self.consumer_id).await?;
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
                            crate::client::decimal::format(
                                &rate,
                                crate::client::decimal::DecStyle::Short
                            )
                        ),
                        set_commission_msg(&validator, consumer_id, rate),
                    ))
                })
                .await
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Query output, shared with `restaking`
// ---------------------------------------------------------------------------------------------

/// RFC 3339 text of a protobuf timestamp.
pub(crate) fn timestamp_text(ts: &Timestamp) -> String {
    match Render::plain(Output::Text).time(Some(ts)) {
        Doc::Str(s) => s,
        _ => format!("{}s", ts.seconds),
    }
}

/// The `rampartvalcons1…` address of a 20-byte consensus address (hex when it is not 20 bytes).
pub(crate) fn valcons(address: &[u8]) -> String {
    AccountId::new(VALCONS_PREFIX, address)
        .map(|a| a.to_string())
        .unwrap_or_else(|_| hex::encode_upper(address))
}

/// The `rampartvalcons1…` address of an ed25519 consensus key (first 20 bytes of its SHA-256).
pub(crate) fn valcons_of_key(pubkey: &[u8]) -> String {
    valcons(&Sha256::digest(pubkey)[..20])
}

/// A key as base64.
pub(crate) fn base64_key(key: &[u8]) -> Doc {
    Doc::Str(base64::engine::general_purpose::STANDARD.encode(key))
}

/// A query answer renderer that knows whether it writes JSON.
pub(crate) struct View {
    /// The shared renderer.
    pub r: Render,
    /// `--output json`.
    pub json: bool,
}

impl View {
    /// A view for `options`, asking the node for the bond denom in text output.
    pub async fn new(options: &QueryOptions) -> Self {
        Self {
            r: Render::with_denom(options).await,
            json: options.output.output == Output::Json,
        }
    }

    /// Prints `doc`.
    pub fn print(&self, doc: &Doc) -> anyhow::Result<()> {
        self.r.print(doc)
    }

    /// A timestamp, or nothing when absent (pushed only when present).
    pub fn opt_time(
        &self,
        entries: &mut Vec<(&'static str, Doc)>,
        key: &'static str,
        ts: Option<&Timestamp>,
    ) {
        if let Some(ts) = ts {
            entries.push((key, self.r.time(Some(ts))));
        }
    }

    /// A protobuf enum: its name in JSON, `word` in text.
    pub fn enum_value(&self, proto_name: &str, word: &str) -> Doc {
        if self.json {
            Doc::str(proto_name)
        } else {
            Doc::str(word)
        }
    }

    /// A pledge in basis points: a string in JSON, `25% (2500 bps)` in text.
    pub fn bps(&self, bps: u32) -> Doc {
        if self.json {
            self.r.int(bps)
        } else {
            Doc::Str(format!("{} ({bps} bps)", percent(bps)))
        }
    }

    fn phase(&self, value: i32) -> Doc {
        let phase = pb::ConsumerPhase::try_from(value).unwrap_or(pb::ConsumerPhase::Unspecified);
        self.enum_value(phase.as_str_name(), phase_word(phase))
    }

    fn infraction(&self, p: Option<&pb::InfractionParams>) -> Doc {
        let p = p.cloned().unwrap_or_default();
        Doc::Map(vec![
            ("slash_fraction", self.r.dec(&p.slash_fraction)),
            ("jail_duration_seconds", self.r.int(p.jail_duration_seconds)),
            ("tombstone", Doc::Bool(p.tombstone)),
        ])
    }

    /// Consumer parameters, in the shape `--params-file` reads.
    pub fn params(&self, p: &pb::ConsumerParams) -> Doc {
        let list = |l: &[String]| Doc::List(l.iter().map(Doc::str).collect());
        let cap = if p.validator_power_cap.is_empty() {
            Decimal::ONE.to_string()
        } else {
            p.validator_power_cap.clone()
        };
        Doc::Map(vec![
            ("min_validators", self.r.int(p.min_validators)),
            ("min_total_pledge", self.r.tokens(&p.min_total_pledge)),
            ("max_validators", self.r.int(p.max_validators)),
            ("validator_power_cap", self.r.dec(&cap)),
            ("allowlist", list(&p.allowlist)),
            ("denylist", list(&p.denylist)),
            ("min_validator_stake", self.r.tokens(&p.min_validator_stake)),
            (
                "unbonding_period_seconds",
                self.r.int(p.unbonding_period_seconds),
            ),
            ("double_sign", self.infraction(p.double_sign.as_ref())),
            ("downtime", self.infraction(p.downtime.as_ref())),
            (
                "reward_rate_per_block",
                self.r.coins(&p.reward_rate_per_block),
            ),
        ])
    }

    /// A consumer's registry entry (absent timestamps are left out).
    pub fn consumer(&self, c: &pb::Consumer) -> Doc {
        let mut entries = vec![
            ("consumer_id", self.r.int(c.consumer_id)),
            ("chain_id", Doc::str(&c.chain_id)),
            ("owner", Doc::str(&c.owner)),
            ("name", Doc::str(&c.name)),
            ("description", Doc::str(&c.description)),
            ("metadata_url", Doc::str(&c.metadata_url)),
        ];
        self.opt_time(&mut entries, "spawn_time", c.spawn_time.as_ref());
        entries.push(("phase", self.phase(c.phase)));
        entries.push(("params", self.params(&c.params.clone().unwrap_or_default())));
        if let Some(p) = &c.pending_infraction_params {
            let mut pending = vec![
                ("double_sign", self.infraction(p.double_sign.as_ref())),
                ("downtime", self.infraction(p.downtime.as_ref())),
            ];
            self.opt_time(&mut pending, "effective_time", p.effective_time.as_ref());
            entries.push(("pending_infraction_params", Doc::Map(pending)));
        }
        entries.push(("deposit", self.r.coins(&c.deposit)));
        entries.push(("registration_height", self.r.int(c.registration_height)));
        entries.push(("launch_height", self.r.int(c.launch_height)));
        self.opt_time(&mut entries, "launch_time", c.launch_time.as_ref());
        self.opt_time(&mut entries, "stop_time", c.stop_time.as_ref());
        self.opt_time(&mut entries, "delete_time", c.delete_time.as_ref());
        entries.push(("rewards_paused", Doc::Bool(c.rewards_paused)));
        Doc::Map(entries)
    }

    fn update(&self, u: &pb::ValidatorUpdate) -> Doc {
        Doc::Map(vec![
            ("consumer_pubkey", base64_key(&u.consumer_pubkey)),
            (
                "consumer_address",
                Doc::Str(valcons_of_key(&u.consumer_pubkey)),
            ),
            ("power", self.r.int(u.power)),
        ])
    }

    /// A consumer validator (with its consumer address, derived from the key).
    pub fn validator(&self, v: &pb::ConsumerValidator) -> Doc {
        Doc::Map(vec![
            ("operator", Doc::str(&v.operator)),
            ("consumer_pubkey", base64_key(&v.consumer_pubkey)),
            (
                "consumer_address",
                Doc::Str(valcons_of_key(&v.consumer_pubkey)),
            ),
            ("power", self.r.int(v.power)),
            ("pledged_tokens", self.r.tokens(&v.pledged_tokens)),
            ("pledge_bps", self.bps(v.pledge_bps)),
            ("validator_power", self.r.int(v.validator_power)),
            ("provider_height", self.r.int(v.provider_height)),
        ])
    }

    /// A validator-set-change packet.
    pub fn packet(&self, p: &pb::ValidatorSetChangePacket) -> Doc {
        let mut entries = vec![
            ("consumer_id", self.r.int(p.consumer_id)),
            ("vsc_id", self.r.int(p.vsc_id)),
            ("provider_height", self.r.int(p.provider_height)),
        ];
        self.opt_time(&mut entries, "provider_time", p.provider_time.as_ref());
        entries.push((
            "updates",
            Doc::List(p.updates.iter().map(|u| self.update(u)).collect()),
        ));
        entries.push((
            "slash_acks",
            Doc::List(p.slash_acks.iter().map(|a| Doc::Str(valcons(a))).collect()),
        ));
        Doc::Map(entries)
    }

    fn genesis(&self, g: &pb::ConsumerGenesis) -> Doc {
        let mut entries = vec![
            ("consumer_id", self.r.int(g.consumer_id)),
            ("chain_id", Doc::str(&g.chain_id)),
            ("params", self.params(&g.params.clone().unwrap_or_default())),
            (
                "initial_validators",
                Doc::List(
                    g.initial_validators
                        .iter()
                        .map(|u| self.update(u))
                        .collect(),
                ),
            ),
            ("provider_chain_id", Doc::str(&g.provider_chain_id)),
            ("provider_height", self.r.int(g.provider_height)),
        ];
        self.opt_time(&mut entries, "provider_time", g.provider_time.as_ref());
        entries.push((
            "provider_validator_set_hash",
            Doc::Str(hex::encode_upper(&g.provider_validator_set_hash)),
        ));
        entries.push((
            "initial_validator_set_hash",
            Doc::Str(hex::encode_upper(&g.initial_validator_set_hash)),
        ));
        Doc::Map(entries)
    }
}

/// Basis points as a percentage: `25%`, `12.5%`, `0.01%`.
pub(crate) fn percent(bps: u32) -> String {
    let whole = bps / 100;
    let frac = bps % 100;
    if frac == 0 {
        format!("{whole}%")
    } else {
        let text = format!("{whole}.{frac:02}");
        format!("{}%", text.trim_end_matches('0'))
    }
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

/// Left-aligned columns separated by two spaces, the first row a header.
pub(crate) fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

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
    /// The consumer module's parameters (registration deposit, largest slash fraction).
    Params {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
}

fn missing(what: &str) -> anyhow::Error {
    anyhow!("the node answered without {what}")
}

impl ConsumerQuery {
    /// Queries the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        let path = |method: &str| format!("{QUERY}{method}");
        match self {
            ConsumerQuery::Consumers { phase, options } => {
                let phase = phase.map_or(pb::ConsumerPhase::Unspecified, PhaseFilter::proto);
                let consumers = fetch_consumers(&options.node.client()?, phase).await?;
                let view = View::new(&options).await;
                if view.json {
                    let list = consumers.iter().map(|c| view.consumer(c)).collect();
                    return view.print(&Doc::Map(vec![("consumers", Doc::List(list))]));
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
                let c = fetch_consumer(&options.node.client()?, consumer_id).await?;
                let view = View::new(&options).await;
                view.print(&Doc::Map(vec![("consumer", view.consumer(&c))]))
            }
            ConsumerQuery::Genesis {
                consumer_id,
                options,
            } => {
                let r: pb::QueryConsumerGenesisResponse = ask(
                    &options,
                    &path("ConsumerGenesis"),
                    &pb::QueryConsumerGenesisRequest { consumer_id },
                )
                .await?;
                let g = r.genesis.ok_or_else(|| missing("a genesis"))?;
                let view = View::new(&options).await;
                view.print(&Doc::Map(vec![("genesis", view.genesis(&g))]))
            }
            ConsumerQuery::Validators {
                consumer_id,
                options,
            } => {
                let r: pb::QueryConsumerValidatorsResponse = ask(
                    &options,
                    &path("ConsumerValidators"),
                    &pb::QueryConsumerValidatorsRequest { consumer_id },
                )
                .await?;
                let view = View::new(&options).await;
                if view.json {
                    let list = r.validators.iter().map(|v| view.validator(v)).collect();
                    return view.print(&Doc::Map(vec![
                        ("validators", Doc::List(list)),
                        ("total_power", view.r.int(r.total_power)),
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
                            .map(|d| {
                                crate::client::decimal::format(
                                    &d.to_string(),
                                    crate::client::decimal::DecStyle::Short,
                                )
                            })
                            .unwrap_or_default();
                    rows.push(vec![
                        v.operator.clone(),
                        v.power.to_string(),
                        share,
                        percent(v.pledge_bps),
                        v.pledged_tokens.clone(),
                        valcons_of_key(&v.consumer_pubkey),
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
                let packets = options
                    .node
                    .client()?
                    .grpc_query_pages(
                        &path("PendingPackets"),
                        |pagination| pb::QueryPendingPacketsRequest {
                            consumer_id,
                            pagination: Some(pagination),
                        },
                        |r: pb::QueryPendingPacketsResponse| (r.packets, r.pagination),
                    )
                    .await?;
                let view = View::new(&options).await;
                let list = packets.iter().map(|p| view.packet(p)).collect();
                view.print(&Doc::Map(vec![("packets", Doc::List(list))]))
            }
            ConsumerQuery::Packet {
                consumer_id,
                vsc_id,
                options,
            } => {
                let r: pb::QueryPacketResponse = ask(
                    &options,
                    &path("Packet"),
                    &pb::QueryPacketRequest {
                        consumer_id,
                        vsc_id,
                    },
                )
                .await?;
                let p = r.packet.ok_or_else(|| missing("a packet"))?;
                let view = View::new(&options).await;
                view.print(&Doc::Map(vec![
                    ("packet", view.packet(&p)),
                    ("state_key", Doc::Str(hex::encode_upper(&r.state_key))),
                ]))
            }
            ConsumerQuery::RewardPool {
                consumer_id,
                options,
            } => {
                let r: pb::QueryRewardPoolResponse = ask(
                    &options,
                    &path("RewardPool"),
                    &pb::QueryRewardPoolRequest { consumer_id },
                )
                .await?;
                let view = View::new(&options).await;
                view.print(&Doc::Map(vec![
                    ("pool", view.r.coins(&r.pool)),
                    ("rate_per_block", view.r.coins(&r.rate_per_block)),
                    ("paused", Doc::Bool(r.paused)),
                ]))
            }
            ConsumerQuery::Commission {
                consumer_id,
                validator,
                options,
            } => {
                let validator = address::validator(&validator, "validator address")?;
                let r: pb::QueryConsumerCommissionResponse = ask(
                    &options,
                    &path("ConsumerCommission"),
                    &pb::QueryConsumerCommissionRequest {
                        consumer_id,
                        validator: validator.to_string(),
                    },
                )
                .await?;
                let view = View::new(&options).await;
                view.print(&Doc::Map(vec![
                    ("rate", view.r.dec(&r.rate)),
                    ("custom", Doc::Bool(r.custom)),
                ]))
            }
            ConsumerQuery::Params { options } => {
                let r: pb::QueryParamsResponse =
                    ask(&options, &path("Params"), &pb::QueryParamsRequest {}).await?;
                let p = r.params.ok_or_else(|| missing("params"))?;
                let view = View::new(&options).await;
                view.print(&Doc::Map(vec![(
                    "params",
                    Doc::Map(vec![
                        (
                            "registration_deposit",
                            view.r.coins(&p.registration_deposit),
                        ),
                        (
                            "max_consumer_slash_fraction",
                            view.r.dec(&p.max_consumer_slash_fraction),
                        ),
                    ]),
                )]))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_spawn_times_parse() -> anyhow::Result<()> {
        assert_eq!(parse_duration("600")?, 600);
        assert_eq!(parse_duration("45s")?, 45);
        assert_eq!(parse_duration("10m")?, 600);
        assert_eq!(parse_duration("2h")?, 7_200);
        assert_eq!(parse_duration("21d")?, 1_814_400);
        assert!(parse_duration("10 minutes").is_err());
        assert!(parse_duration("-5s").is_err());
        let now = tendermint::Time::parse_from_rfc3339("2026-01-01T00:00:00Z")?;
        assert_eq!(
            parse_spawn_time("+30s", now)?.seconds,
            now.unix_timestamp() + 30
        );
        assert_eq!(parse_spawn_time("now", now)?.seconds, now.unix_timestamp());
        assert_eq!(
            parse_spawn_time("2026-01-01T00:01:00Z", now)?.seconds,
            now.unix_timestamp() + 60
        );
        let err = parse_spawn_time("tomorrow", now).expect_err("not a time");
        assert!(err.to_string().contains("RFC 3339"), "{err}");
        Ok(())
    }

    #[test]
    fn params_come_from_defaults_then_file_then_flags() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("params.json");
        std::fs::write(
            &file,
            r#"{"min_validators": "2", "max_validators": 7,
                "double_sign": {"slash_fraction": "0.08"},
                "reward_rate_per_block": [{"denom": "uramp", "amount": "500"}]}"#,
        )?;
        let args = ParamsArgs {
            params_file: Some(file.clone()),
            max_validators: Some(9),
            double_sign_tombstone: Some(false),
            unbonding_period: Some("1h".into()),
            ..Default::default()
        };
        assert!(args.given());
        let p = args.apply(default_params(60))?;
        assert_eq!((p.min_validators, p.max_validators), (2, 9));
        assert_eq!(p.unbonding_period_seconds, 3_600);
        let ds = p.double_sign.clone().expect("double sign");
        assert_eq!(ds.slash_fraction, "0.080000000000000000");
        assert!(!ds.tombstone);
        assert_eq!(ds.jail_duration_seconds, DEFAULT_JAIL_SECONDS);
        assert_eq!(p.reward_rate_per_block[0].amount, "500");
        assert_eq!(
            p.downtime.clone().expect("downtime").slash_fraction,
            "0.000100000000000000"
        );

        // What `query consumer consumer -o json` prints under params reads back unchanged.
        let view = View {
            r: Render::plain(Output::Json),
            json: true,
        };
        let printed = serde_json::to_string(&view.params(&p))?;
        std::fs::write(&file, printed)?;
        let again = ParamsArgs {
            params_file: Some(file.clone()),
            ..Default::default()
        }
        .apply(default_params(1))?;
        assert_eq!(again, p);

        std::fs::write(&file, r#"{"min_validator": 2}"#)?;
        let err = ParamsArgs {
            params_file: Some(file),
            ..Default::default()
        }
        .apply(default_params(60))
        .expect_err("unknown field");
        assert!(format!("{err:#}").contains("min_validator"), "{err:#}");

        let err = ParamsArgs {
            min_validators: Some(5),
            max_validators: Some(3),
            ..Default::default()
        }
        .apply(default_params(60))
        .expect_err("min above max");
        assert!(err.to_string().contains("max_validators"), "{err}");
        assert!(ParamsArgs {
            double_sign_slash_fraction: Some("1.5".into()),
            ..Default::default()
        }
        .apply(default_params(60))
        .is_err());
        Ok(())
    }

    #[test]
    fn percentages_and_addresses_print() {
        assert_eq!(percent(2_500), "25%");
        assert_eq!(percent(1_250), "12.5%");
        assert_eq!(percent(1), "0.01%");
        assert!(valcons(&[1; 20]).starts_with("rampartvalcons1"));
        assert_eq!(
            table(&[
                vec!["a".into(), "bb".into()],
                vec!["ccc".into(), "d".into()]
            ]),
            "a    bb\nccc  d\n"
        );
    }
}
