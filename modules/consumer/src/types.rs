//! The consumer registry in checked types, with their protobuf forms (`rampart.consumer.v1`) and
//! the validation of everything a registrant or owner can send.

use rampart_core::coins::parse_coins;
use rampart_core::coins::Coin;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Address, ChainProfile};
use rampart_core::{Amount, Decimal};
use rampart_proto::rampart::consumer::v1 as pb;

use crate::errors::{err, ConsumerCode};
use crate::lists::ConsumerLists;

/// Longest consumer name, in bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Longest description, in bytes.
pub const MAX_DESCRIPTION_LEN: usize = 2_000;
/// Longest metadata URL, in bytes.
pub const MAX_METADATA_URL_LEN: usize = 256;
/// Most validators a consumer may ask for.
pub const MAX_VALIDATORS: u32 = 1_000;
/// Default liveness window of a consumer, in consumer blocks.
pub const DEFAULT_SIGNED_BLOCKS_WINDOW: u64 = 10_000;
/// Longest liveness window, in consumer blocks.
pub const MAX_SIGNED_BLOCKS_WINDOW: u64 = 1_000_000;
/// Default minimum signed fraction of the liveness window, in basis points (5 %).
pub const DEFAULT_MIN_SIGNED_PER_WINDOW_BPS: u32 = 500;
/// Longest per-consumer epoch, in provider blocks.
pub const MAX_BLOCKS_PER_EPOCH: u64 = 1_000_000;
/// Default ccv timeout: 4 weeks, as Interchain Security.
pub const DEFAULT_CCV_TIMEOUT_SECONDS: u64 = 4 * 7 * 24 * 3_600;
/// Longest ccv timeout: 10 years.
pub const MAX_CCV_TIMEOUT_SECONDS: u64 = 10 * 365 * 24 * 3_600;
/// Longest jail on a consumer: 100 years (for good is `tombstone`). Block time plus this never
/// overflows, so a jail's end can always be computed and no evidence reverts on it.
pub const MAX_JAIL_DURATION_SECONDS: u64 = 100 * 365 * 24 * 3_600;
/// Default maximum clock drift between a provider header and the consumer's clock.
pub const DEFAULT_MAX_CLOCK_DRIFT_SECONDS: u64 = 10;
/// Largest maximum clock drift: one hour.
pub const MAX_MAX_CLOCK_DRIFT_SECONDS: u64 = 3_600;

/// The trusting period of a consumer's light client of the provider for its unbonding period:
/// 2/3 of it, rounded down (Interchain Security's `CalculateTrustPeriod(unbonding, "0.66")`,
/// here exact). Equals `rampart_ccv::client::trusting_period_seconds`.
pub fn trusting_period_seconds(unbonding_period_seconds: u64) -> u64 {
    // u128 cannot overflow: u64::MAX × 2 < u128::MAX; the quotient fits u64 again.
    u64::try_from(u128::from(unbonding_period_seconds) * 2 / 3).unwrap_or(u64::MAX)
}

/// A consumer's lifecycle phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Registered, not launched.
    Registered,
    /// Running.
    Launched,
    /// Stopped, waiting for deletion.
    Stopped,
    /// Deleted (registry entry only).
    Deleted,
}

impl Phase {
    /// Every phase, in lifecycle order.
    pub const ALL: [Phase; 4] = [
        Phase::Registered,
        Phase::Launched,
        Phase::Stopped,
        Phase::Deleted,
    ];

    /// The protobuf enum.
    pub fn to_proto(self) -> pb::ConsumerPhase {
        match self {
            Phase::Registered => pb::ConsumerPhase::Registered,
            Phase::Launched => pb::ConsumerPhase::Launched,
            Phase::Stopped => pb::ConsumerPhase::Stopped,
            Phase::Deleted => pb::ConsumerPhase::Deleted,
        }
    }

    /// From the protobuf enum value (`None` for UNSPECIFIED or unknown values).
    pub fn from_proto(value: i32) -> Option<Phase> {
        match pb::ConsumerPhase::try_from(value).ok()? {
            pb::ConsumerPhase::Registered => Some(Phase::Registered),
            pb::ConsumerPhase::Launched => Some(Phase::Launched),
            pb::ConsumerPhase::Stopped => Some(Phase::Stopped),
            pb::ConsumerPhase::Deleted => Some(Phase::Deleted),
            pb::ConsumerPhase::Unspecified => None,
        }
    }

    /// The byte of the phase index.
    pub fn byte(self) -> u8 {
        self.to_proto() as u8
    }

    /// Lower-case name, for events and genesis JSON.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Registered => "registered",
            Phase::Launched => "launched",
            Phase::Stopped => "stopped",
            Phase::Deleted => "deleted",
        }
    }

    /// Parses [`Phase::name`].
    pub fn from_name(name: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// An `InvalidParams` error saying `why`.
pub(crate) fn invalid(why: impl Into<String>) -> AppError {
    err(ConsumerCode::InvalidParams, why.into())
}

/// Parses decimal text (`"0.05"`); `field` names it in the error.
pub fn parse_decimal(text: &str, field: &str) -> AppResult<Decimal> {
    text.parse::<Decimal>()
        .map_err(|_| invalid(format!("{field}: invalid decimal {text:?}")))
}

/// Parses an integer token amount; empty text is zero.
pub fn parse_amount(text: &str, field: &str) -> AppResult<Amount> {
    if text.is_empty() {
        return Ok(Amount::ZERO);
    }
    text.parse::<Amount>()
        .map_err(|_| invalid(format!("{field}: invalid amount {text:?}")))
}

/// What an infraction costs on one consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InfractionParams {
    /// Fraction of the pledge slashed.
    pub slash_fraction: Decimal,
    /// Seconds out of the consumer's set.
    pub jail_duration_seconds: u64,
    /// Excluded from the consumer for good.
    pub tombstone: bool,
}

impl InfractionParams {
    /// Parses and range-checks (`fraction ≤ 1`, a jail of at most
    /// [`MAX_JAIL_DURATION_SECONDS`]); `field` names it in errors.
    pub fn from_proto(p: Option<&pb::InfractionParams>, field: &str) -> AppResult<Self> {
        let p = p.ok_or_else(|| invalid(format!("{field}: missing")))?;
        let slash_fraction = parse_decimal(&p.slash_fraction, &format!("{field}.slash_fraction"))?;
        if slash_fraction > Decimal::ONE {
            return Err(invalid(format!("{field}.slash_fraction above 1")));
        }
        if p.jail_duration_seconds > MAX_JAIL_DURATION_SECONDS {
            return Err(invalid(format!(
                "{field}.jail_duration_seconds must be at most {MAX_JAIL_DURATION_SECONDS} (100 \
                 years; use tombstone to exclude for good)"
            )));
        }
        Ok(Self {
            slash_fraction,
            jail_duration_seconds: p.jail_duration_seconds,
            tombstone: p.tombstone,
        })
    }

    /// The protobuf form.
    pub fn to_proto(&self) -> pb::InfractionParams {
        pb::InfractionParams {
            slash_fraction: self.slash_fraction.to_string(),
            jail_duration_seconds: self.jail_duration_seconds,
            tombstone: self.tombstone,
        }
    }
}

/// The rules of one consumer, parsed and checked. Its allow and deny lists are not here: they
/// are kept outside the registry entry ([`crate::lists::ConsumerLists`]) and read only when a set
/// is computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerParams {
    /// Fewest validators to launch.
    pub min_validators: u32,
    /// Least total pledged tokens to launch.
    pub min_total_pledge: Amount,
    /// Most validators in the set.
    pub max_validators: u32,
    /// Largest share of power per validator (1 = no cap).
    pub validator_power_cap: Decimal,
    /// Least bonded tokens on the provider.
    pub min_validator_stake: Amount,
    /// The consumer's unbonding period in seconds.
    pub unbonding_period_seconds: u64,
    /// Double signing.
    pub double_sign: InfractionParams,
    /// Downtime.
    pub downtime: InfractionParams,
    /// Rewards per block.
    pub reward_rate_per_block: Vec<Coin>,
    /// The consumer's liveness window, in consumer blocks.
    pub signed_blocks_window: u64,
    /// The fraction of the window a consumer validator must sign.
    pub min_signed_per_window: Decimal,
    /// Provider blocks between two set computations (0: the provider's).
    pub blocks_per_epoch: u64,
    /// How long a launched consumer may go unheard before it is stopped.
    pub ccv_timeout_seconds: u64,
    /// Largest drift of a provider header's time ahead of the consumer's block time.
    pub max_clock_drift_seconds: u64,
}

impl ConsumerParams {
    /// Parses `p` and checks everything that needs no state: `1 ≤ min_validators ≤
    /// max_validators ≤ 1000`, a power cap in (0, 1], valid distinct operators, a positive
    /// unbonding period, both infraction parameters present with fractions ≤ 1, valid reward
    /// coins, `signed_blocks_window ≤ 1,000,000`, `min_signed_per_window` in [0, 1],
    /// `blocks_per_epoch ≤ 1,000,000`, `ccv_timeout_seconds` ≤ 10 years,
    /// `max_clock_drift_seconds` ≤ 1 hour and below the trusting period (2/3 of the unbonding
    /// period). Zero (empty) values take the defaults: window 10,000, fraction 0.05, the
    /// provider's epoch, timeout 4 weeks, drift 10 s. Every refusal is `consumer/2`.
    pub fn from_proto(p: Option<&pb::ConsumerParams>) -> AppResult<Self> {
        let p = p.ok_or_else(|| invalid("consumer params: missing"))?;
        if p.min_validators == 0 {
            return Err(invalid("min_validators must be at least 1"));
        }
        if p.max_validators < p.min_validators || p.max_validators > MAX_VALIDATORS {
            return Err(invalid(format!(
                "max_validators must be between min_validators ({}) and {MAX_VALIDATORS}",
                p.min_validators
            )));
        }
        let validator_power_cap = if p.validator_power_cap.is_empty() {
            Decimal::ONE
        } else {
            parse_decimal(&p.validator_power_cap, "validator_power_cap")?
        };
        if validator_power_cap == Decimal::ZERO || validator_power_cap > Decimal::ONE {
            return Err(invalid("validator_power_cap must be in (0, 1]"));
        }
        // Checked here, kept apart ([`ConsumerLists::from_proto`]).
        ConsumerLists::from_proto(p)?;
        if p.unbonding_period_seconds == 0 || p.unbonding_period_seconds > i64::MAX as u64 {
            return Err(invalid("unbonding_period_seconds must be positive"));
        }
        let reward_rate_per_block =
            parse_coins(&p.reward_rate_per_block).map_err(|e| invalid(e.log))?;
        let signed_blocks_window = match p.signed_blocks_window {
            0 => DEFAULT_SIGNED_BLOCKS_WINDOW,
            n if n > MAX_SIGNED_BLOCKS_WINDOW => {
                return Err(invalid(format!(
                    "signed_blocks_window must be at most {MAX_SIGNED_BLOCKS_WINDOW}"
                )))
            }
            n => n,
        };
        let min_signed_per_window = if p.min_signed_per_window.is_empty() {
            Decimal::from_bps(DEFAULT_MIN_SIGNED_PER_WINDOW_BPS)
        } else {
            parse_decimal(&p.min_signed_per_window, "min_signed_per_window")?
        };
        if min_signed_per_window > Decimal::ONE {
            return Err(invalid("min_signed_per_window must be in [0, 1]"));
        }
        if p.blocks_per_epoch > MAX_BLOCKS_PER_EPOCH {
            return Err(invalid(format!(
                "blocks_per_epoch must be at most {MAX_BLOCKS_PER_EPOCH}"
            )));
        }
        let ccv_timeout_seconds = match p.ccv_timeout_seconds {
            0 => DEFAULT_CCV_TIMEOUT_SECONDS,
            n if n > MAX_CCV_TIMEOUT_SECONDS => {
                return Err(invalid(format!(
                    "ccv_timeout_seconds must be at most {MAX_CCV_TIMEOUT_SECONDS}"
                )))
            }
            n => n,
        };
        let max_clock_drift_seconds = match p.max_clock_drift_seconds {
            0 => DEFAULT_MAX_CLOCK_DRIFT_SECONDS,
            n => n,
        };
        if max_clock_drift_seconds > MAX_MAX_CLOCK_DRIFT_SECONDS
            || max_clock_drift_seconds >= trusting_period_seconds(p.unbonding_period_seconds)
        {
            return Err(invalid(format!(
                "max_clock_drift_seconds must be at most {MAX_MAX_CLOCK_DRIFT_SECONDS} and below \
                 the trusting period (2/3 of unbonding_period_seconds)"
            )));
        }
        Ok(Self {
            min_validators: p.min_validators,
            min_total_pledge: parse_amount(&p.min_total_pledge, "min_total_pledge")?,
            max_validators: p.max_validators,
            validator_power_cap,
            min_validator_stake: parse_amount(&p.min_validator_stake, "min_validator_stake")?,
            unbonding_period_seconds: p.unbonding_period_seconds,
            double_sign: InfractionParams::from_proto(p.double_sign.as_ref(), "double_sign")?,
            downtime: InfractionParams::from_proto(p.downtime.as_ref(), "downtime")?,
            reward_rate_per_block,
            signed_blocks_window,
            min_signed_per_window,
            blocks_per_epoch: p.blocks_per_epoch,
            ccv_timeout_seconds,
            max_clock_drift_seconds,
        })
    }

    /// The trusting period of the consumer's light client of the provider.
    pub fn trusting_period_seconds(&self) -> u64 {
        trusting_period_seconds(self.unbonding_period_seconds)
    }

    /// Checks the provider-dependent bounds: both slash fractions at most
    /// `max_consumer_slash_fraction`, the unbonding period at most the provider's.
    pub fn check_provider_bounds(
        &self,
        max_slash_fraction: Decimal,
        provider_unbonding_seconds: i64,
    ) -> AppResult<()> {
        for (name, params) in [
            ("double_sign", &self.double_sign),
            ("downtime", &self.downtime),
        ] {
            if params.slash_fraction > max_slash_fraction {
                return Err(invalid(format!(
                    "{name}.slash_fraction {} is above the provider's max_consumer_slash_fraction {max_slash_fraction}",
                    params.slash_fraction
                )));
            }
        }
        let provider = u64::try_from(provider_unbonding_seconds).unwrap_or(0);
        if self.unbonding_period_seconds > provider {
            return Err(invalid(format!(
                "unbonding_period_seconds {} is longer than the provider's unbonding time {provider}",
                self.unbonding_period_seconds
            )));
        }
        Ok(())
    }

    /// The protobuf form (decimals printed with 18 places), without lists
    /// ([`ConsumerLists::fill`] adds them).
    pub fn to_proto(&self) -> pb::ConsumerParams {
        pb::ConsumerParams {
            min_validators: self.min_validators,
            min_total_pledge: self.min_total_pledge.to_string(),
            max_validators: self.max_validators,
            validator_power_cap: self.validator_power_cap.to_string(),
            allowlist: Vec::new(),
            denylist: Vec::new(),
            min_validator_stake: self.min_validator_stake.to_string(),
            unbonding_period_seconds: self.unbonding_period_seconds,
            double_sign: Some(self.double_sign.to_proto()),
            downtime: Some(self.downtime.to_proto()),
            reward_rate_per_block: self
                .reward_rate_per_block
                .iter()
                .map(Coin::to_proto)
                .collect(),
            signed_blocks_window: self.signed_blocks_window,
            min_signed_per_window: self.min_signed_per_window.to_string(),
            blocks_per_epoch: self.blocks_per_epoch,
            ccv_timeout_seconds: self.ccv_timeout_seconds,
            max_clock_drift_seconds: self.max_clock_drift_seconds,
        }
    }
}

/// A validator of a consumer's set, as last sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsumerValidator {
    /// Provider operator.
    pub operator: Address,
    /// ed25519 consumer key.
    pub consumer_pubkey: [u8; 32],
    /// Consumer voting power (after the cap).
    pub power: u64,
    /// Pledged tokens at `provider_height`.
    pub pledged_tokens: Amount,
    /// Pledge in basis points at `provider_height`.
    pub pledge_bps: u32,
    /// Provider power backing this consumer at `provider_height`: the validator's whole power
    /// unless some of its delegators chose not to back the consumer.
    pub validator_power: u64,
    /// Provider height at which the stake was counted.
    pub provider_height: u64,
}

impl ConsumerValidator {
    /// The protobuf form.
    pub fn to_proto(&self) -> pb::ConsumerValidator {
        pb::ConsumerValidator {
            operator: ChainProfile::rampart().to_valoper(&self.operator),
            consumer_pubkey: self.consumer_pubkey.to_vec(),
            power: self.power,
            pledged_tokens: self.pledged_tokens.to_string(),
            pledge_bps: self.pledge_bps,
            validator_power: self.validator_power,
            provider_height: self.provider_height,
        }
    }

    /// From the protobuf form.
    pub fn from_proto(p: &pb::ConsumerValidator) -> AppResult<Self> {
        Ok(Self {
            operator: ChainProfile::rampart().valoper(&p.operator, "operator")?,
            consumer_pubkey: pubkey32(&p.consumer_pubkey)?,
            power: p.power,
            pledged_tokens: parse_amount(&p.pledged_tokens, "pledged_tokens")?,
            pledge_bps: p.pledge_bps,
            validator_power: p.validator_power,
            provider_height: p.provider_height,
        })
    }
}

/// A 32-byte ed25519 key from bytes (`sdk/8` otherwise).
pub fn pubkey32(bytes: &[u8]) -> AppResult<[u8; 32]> {
    bytes.try_into().map_err(|_| {
        AppError::sdk(
            SdkCode::InvalidPubKey,
            format!("ed25519 key must be 32 bytes, got {}", bytes.len()),
        )
    })
}

/// Checks a consumer chain id: a valid CometBFT chain id that is not the provider's own.
pub fn check_chain_id(chain_id: &str, provider_chain_id: &str) -> AppResult<()> {
    tendermint::chain::Id::try_from(chain_id.to_owned()).map_err(|e| {
        err(
            ConsumerCode::InvalidChainId,
            format!("invalid chain id {chain_id:?}: {e}"),
        )
    })?;
    if chain_id == provider_chain_id {
        return Err(err(
            ConsumerCode::InvalidChainId,
            format!("chain id {chain_id} is the provider's own"),
        ));
    }
    Ok(())
}

/// Checks name (1–64 bytes), description (≤ 2,000) and metadata URL (≤ 256).
pub fn check_metadata(name: &str, description: &str, metadata_url: &str) -> AppResult<()> {
    let too_long = |field: &str, max: usize| {
        err(
            ConsumerCode::InvalidMetadata,
            format!("{field} longer than {max} bytes"),
        )
    };
    if name.is_empty() {
        return Err(err(ConsumerCode::InvalidMetadata, "name must not be empty"));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(too_long("name", MAX_NAME_LEN));
    }
    if description.len() > MAX_DESCRIPTION_LEN {
        return Err(too_long("description", MAX_DESCRIPTION_LEN));
    }
    if metadata_url.len() > MAX_METADATA_URL_LEN {
        return Err(too_long("metadata_url", MAX_METADATA_URL_LEN));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rampart_core::BlockTime;

    /// Valid consumer parameters in protobuf form, for tests.
    pub(crate) fn proto_params() -> pb::ConsumerParams {
        pb::ConsumerParams {
            min_validators: 1,
            min_total_pledge: "0".into(),
            max_validators: 10,
            validator_power_cap: String::new(),
            allowlist: vec![],
            denylist: vec![],
            min_validator_stake: String::new(),
            unbonding_period_seconds: 100,
            double_sign: Some(pb::InfractionParams {
                slash_fraction: "0.05".into(),
                jail_duration_seconds: 10,
                tombstone: true,
            }),
            downtime: Some(pb::InfractionParams {
                slash_fraction: "0".into(),
                jail_duration_seconds: 10,
                tombstone: false,
            }),
            reward_rate_per_block: vec![],
            ..Default::default()
        }
    }

    #[test]
    fn params_parse_normalise_and_refuse_bad_ranges() {
        let parsed = ConsumerParams::from_proto(Some(&proto_params())).expect("valid");
        assert_eq!(parsed.validator_power_cap, Decimal::ONE);
        assert_eq!(parsed.signed_blocks_window, DEFAULT_SIGNED_BLOCKS_WINDOW);
        assert_eq!(parsed.min_signed_per_window, Decimal::from_bps(500));
        assert_eq!(parsed.blocks_per_epoch, 0);
        assert_eq!(parsed.ccv_timeout_seconds, 2_419_200);
        assert_eq!(parsed.max_clock_drift_seconds, 10);
        assert_eq!(parsed.trusting_period_seconds(), 66);
        // The longest jail still has an end, even from a block time centuries ahead.
        let mut longest = proto_params();
        if let Some(d) = longest.double_sign.as_mut() {
            d.jail_duration_seconds = MAX_JAIL_DURATION_SECONDS;
        }
        let longest = ConsumerParams::from_proto(Some(&longest)).expect("valid");
        let far = BlockTime {
            seconds: 7_000_000_000,
            nanos: 0,
        };
        rampart_core::wire::add_seconds(far, longest.double_sign.jail_duration_seconds)
            .expect("no overflow");
        let again = ConsumerParams::from_proto(Some(&parsed.to_proto())).expect("round trip");
        assert_eq!(again, parsed);
        let mutations: Vec<fn(&mut pb::ConsumerParams)> = vec![
            |p| p.min_validators = 0,
            |p| p.max_validators = 0,
            |p| p.validator_power_cap = "0".into(),
            |p| p.validator_power_cap = "1.5".into(),
            |p| p.unbonding_period_seconds = 0,
            |p| p.double_sign = None,
            |p| p.allowlist = vec!["nope".into()],
            |p| p.min_total_pledge = "-1".into(),
            |p| p.signed_blocks_window = MAX_SIGNED_BLOCKS_WINDOW + 1,
            |p| p.min_signed_per_window = "1.01".into(),
            |p| p.min_signed_per_window = "x".into(),
            |p| p.blocks_per_epoch = MAX_BLOCKS_PER_EPOCH + 1,
            |p| p.ccv_timeout_seconds = MAX_CCV_TIMEOUT_SECONDS + 1,
            |p| p.max_clock_drift_seconds = MAX_MAX_CLOCK_DRIFT_SECONDS + 1,
            // A jail whose end overflows the block time would revert every double vote.
            |p| {
                if let Some(d) = p.double_sign.as_mut() {
                    d.jail_duration_seconds = MAX_JAIL_DURATION_SECONDS + 1;
                }
            },
            |p| {
                if let Some(d) = p.downtime.as_mut() {
                    d.jail_duration_seconds = i64::MAX as u64;
                }
            },
            // The unbonding period is 100 s: the trusting period is 66 s.
            |p| p.max_clock_drift_seconds = 66,
            |p| {
                if let Some(d) = p.downtime.as_mut() {
                    d.slash_fraction = "2".into();
                }
            },
        ];
        for mutate in mutations {
            let mut p = proto_params();
            mutate(&mut p);
            let e = ConsumerParams::from_proto(Some(&p)).expect_err("refused");
            assert_eq!((e.codespace, e.code), ("consumer", 2), "{}", e.log);
        }
        assert!(ConsumerParams::from_proto(None).is_err());
        assert!(parsed
            .check_provider_bounds(Decimal::from_bps(400), 1_000)
            .is_err());
        assert!(parsed.check_provider_bounds(Decimal::ONE, 99).is_err());
        assert!(parsed.check_provider_bounds(Decimal::ONE, 100).is_ok());
    }

    #[test]
    fn chain_ids_and_metadata() {
        assert!(check_chain_id("consumer-1", "rampart").is_ok());
        for bad in ["", "has space", "rampart", &"x".repeat(51)] {
            assert!(check_chain_id(bad, "rampart").is_err(), "{bad}");
        }
        assert!(check_metadata("n", "", "").is_ok());
        assert!(check_metadata("", "", "").is_err());
        assert!(check_metadata(&"n".repeat(65), "", "").is_err());
    }
}
