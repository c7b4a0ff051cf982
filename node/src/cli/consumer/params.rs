//! Consumer parameters as `tx consumer register|update` build them: the defaults, then
//! `--params-file`, then the flags (see the module documentation), the parsers of what people
//! type for them, and their JSON shape (the one `--params-file` reads).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use clap::{ArgAction, Args};
use cosmos_sdk_proto::Timestamp;
use rampart_client::address;
use rampart_client::coins::parse_coins;
use rampart_core::Decimal;
use rampart_proto::rampart::consumer::v1 as pb;
use serde::Deserialize;

use crate::cli::output::{Doc, Printer};

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
        ..Default::default()
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
    signed_blocks_window: Option<JsonInt>,
    min_signed_per_window: Option<String>,
    blocks_per_epoch: Option<JsonInt>,
    ccv_timeout_seconds: Option<JsonInt>,
    max_clock_drift_seconds: Option<JsonInt>,
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
        if let Some(v) = &self.signed_blocks_window {
            p.signed_blocks_window = v.value("signed_blocks_window")?;
        }
        if let Some(v) = &self.min_signed_per_window {
            // Empty: the chain's default.
            p.min_signed_per_window = if v.trim().is_empty() {
                String::new()
            } else {
                parse_fraction(v, "min_signed_per_window")?
            };
        }
        if let Some(v) = &self.blocks_per_epoch {
            p.blocks_per_epoch = v.value("blocks_per_epoch")?;
        }
        if let Some(v) = &self.ccv_timeout_seconds {
            p.ccv_timeout_seconds = v.value("ccv_timeout_seconds")?;
        }
        if let Some(v) = &self.max_clock_drift_seconds {
            p.max_clock_drift_seconds = v.value("max_clock_drift_seconds")?;
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

/// One infraction's parameters: slash fraction, jail duration, tombstone.
pub fn infraction(out: &Printer, p: Option<&pb::InfractionParams>) -> Doc {
    let p = p.cloned().unwrap_or_default();
    Doc::Map(vec![
        ("slash_fraction", out.dec(&p.slash_fraction)),
        ("jail_duration_seconds", out.int(p.jail_duration_seconds)),
        ("tombstone", Doc::Bool(p.tombstone)),
    ])
}

/// Consumer parameters, in the shape `--params-file` reads.
pub fn params(out: &Printer, p: &pb::ConsumerParams) -> Doc {
    let list = |l: &[String]| Doc::List(l.iter().map(Doc::str).collect());
    let cap = if p.validator_power_cap.is_empty() {
        Decimal::ONE.to_string()
    } else {
        p.validator_power_cap.clone()
    };
    Doc::Map(vec![
        ("min_validators", out.int(p.min_validators)),
        ("min_total_pledge", out.tokens(&p.min_total_pledge)),
        ("max_validators", out.int(p.max_validators)),
        ("validator_power_cap", out.dec(&cap)),
        ("allowlist", list(&p.allowlist)),
        ("denylist", list(&p.denylist)),
        ("min_validator_stake", out.tokens(&p.min_validator_stake)),
        (
            "unbonding_period_seconds",
            out.int(p.unbonding_period_seconds),
        ),
        ("double_sign", infraction(out, p.double_sign.as_ref())),
        ("downtime", infraction(out, p.downtime.as_ref())),
        ("reward_rate_per_block", out.coins(&p.reward_rate_per_block)),
        ("signed_blocks_window", out.int(p.signed_blocks_window)),
        (
            "min_signed_per_window",
            if p.min_signed_per_window.is_empty() {
                Doc::str("")
            } else {
                out.dec(&p.min_signed_per_window)
            },
        ),
        ("blocks_per_epoch", out.int(p.blocks_per_epoch)),
        ("ccv_timeout_seconds", out.int(p.ccv_timeout_seconds)),
        (
            "max_clock_drift_seconds",
            out.int(p.max_clock_drift_seconds),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::output::Output;

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
        let printed = serde_json::to_string(&params(&Printer::plain(Output::Json), &p))?;
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
}
