//! `rampart.restaking.v1.Query`, answered from committed state — including the on-chain
//! security metrics: what it takes to attack a consumer ([`security_report`]) and a validator's
//! worst case over its consumers (`ValidatorExposure`).
//!
//! Queries do not know the block time, so a departed stake counts as slashable until an epoch
//! forgets it, and for a registered consumer any jail record keeps its validator out.

use prost::Message;
use rampart_consumer::{ConsumerRead, ConsumerValidator, Phase};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::math::mul_div;
use rampart_core::module::decode_query as req;
use rampart_core::pagination::paginate_list;
use rampart_core::Address;
use rampart_core::QueryContext;
use rampart_core::{Amount, BlockTime, Decimal, StateRead};
use rampart_proto::rampart::restaking::v1 as pb;
use rampart_staking::StakingRead;

use crate::consumer_keys::{self, KeyRecord};
use crate::errors::{err, RestakingCode};
use crate::exposure;
use crate::params;
use crate::pledge;
use crate::power;
pub use crate::urls::{
    PATHS, QUERY_CONSUMER_KEY, QUERY_CONSUMER_PLEDGES, QUERY_PARAMS, QUERY_SECURITY_REPORT,
    QUERY_VALIDATOR_BY_CONSUMER_KEY, QUERY_VALIDATOR_EXPOSURE, QUERY_VALIDATOR_PLEDGES,
};

/// What an attacker holding more than `numerator / 3` of a consumer's power needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Threshold {
    /// Fewest validators (greedy by power); 0 when the set cannot reach it.
    pub min_validators: u32,
    /// A lower bound on the pledged stake that controls that share: the fractional relaxation
    /// (cheapest stake per unit of power first, the last validator's stake taken pro rata for
    /// the power still missing). No coalition does it for less; the cheapest real coalition may
    /// need more (finding it exactly is a knapsack problem), so the report never overstates
    /// the cost of an attack.
    pub min_pledged_tokens: Amount,
    /// What that stake would lose to double-sign slashing.
    pub slashable_tokens: Amount,
}

fn exceeds(sum: u128, total: u128, thirds: u128) -> bool {
    sum.saturating_mul(3) > total.saturating_mul(thirds)
}

fn threshold(set: &[ConsumerValidator], thirds: u128, fraction: Decimal) -> AppResult<Threshold> {
    let total: u128 = set.iter().map(|v| u128::from(v.power)).sum();
    if total == 0 {
        return Ok(Threshold::default());
    }
    let mut by_power: Vec<&ConsumerValidator> = set.iter().collect();
    by_power.sort_by(|a, b| b.power.cmp(&a.power).then(a.operator.cmp(&b.operator)));
    let mut sum = 0u128;
    let mut min_validators = 0u32;
    for v in &by_power {
        sum += u128::from(v.power);
        min_validators += 1;
        if exceeds(sum, total, thirds) {
            break;
        }
    }
    let cost = |v: &ConsumerValidator| {
        mul_div(
            v.pledged_tokens.0,
            1_000_000,
            u128::from(v.power.max(1)),
            false,
        )
        .unwrap_or(u128::MAX)
    };
    let mut by_cost: Vec<&ConsumerValidator> = set.iter().collect();
    by_cost.sort_by(|a, b| cost(a).cmp(&cost(b)).then(b.power.cmp(&a.power)));
    // The least power that exceeds the share: ⌊total × thirds / 3⌋ + 1.
    let needed = total.saturating_mul(thirds) / 3 + 1;
    let mut missing = needed;
    let mut tokens = Amount::ZERO;
    for v in by_cost {
        if missing == 0 {
            break;
        }
        let power = u128::from(v.power);
        let take = power.min(missing);
        let part = if take == power {
            v.pledged_tokens
        } else {
            Amount(mul_div(v.pledged_tokens.0, take, power.max(1), false)?)
        };
        tokens = tokens.checked_add(part)?;
        missing -= take;
    }
    Ok(Threshold {
        min_validators,
        min_pledged_tokens: tokens,
        slashable_tokens: tokens.mul_floor(fraction)?,
    })
}

/// The security report of consumer `id`: for a launched or stopped consumer its set as last
/// sent, for a registered one the set it would launch with.
pub fn security_report(state: &dyn StateRead, id: u64) -> AppResult<pb::SecurityReport> {
    let consumer = state.must_consumer(id)?;
    let set = match consumer.phase {
        Phase::Registered => power::select(state, &consumer, 0, BlockTime::default())?,
        _ => state.consumer_validators(id)?,
    };
    let fraction = consumer.params.double_sign.slash_fraction;
    let total_power: u64 = set.iter().fold(0u64, |acc, v| acc.saturating_add(v.power));
    let total_pledged = set
        .iter()
        .try_fold(Amount::ZERO, |acc, v| acc.checked_add(v.pledged_tokens))?;
    let largest = set.iter().map(|v| v.power).max().unwrap_or(0);
    let share = if total_power == 0 {
        Decimal::ZERO
    } else {
        Decimal::from_ratio(u128::from(largest), u128::from(total_power))?
    };
    let halt = threshold(&set, 1, fraction)?;
    let control = threshold(&set, 2, fraction)?;
    Ok(pb::SecurityReport {
        consumer_id: id,
        validator_count: u32::try_from(set.len()).unwrap_or(u32::MAX),
        total_power,
        total_pledged_tokens: total_pledged.to_string(),
        largest_validator_share: share.to_string(),
        halt_min_validators: halt.min_validators,
        halt_min_pledged_tokens: halt.min_pledged_tokens.to_string(),
        halt_slashable_tokens: halt.slashable_tokens.to_string(),
        control_min_validators: control.min_validators,
        control_min_pledged_tokens: control.min_pledged_tokens.to_string(),
        control_slashable_tokens: control.slashable_tokens.to_string(),
        double_sign_slash_fraction: fraction.to_string(),
    })
}

/// The exposure of validator `op` (see [`crate::exposure`]).
pub fn validator_exposure(
    state: &dyn StateRead,
    op: &Address,
) -> AppResult<pb::QueryValidatorExposureResponse> {
    let params = params::load(state)?;
    let bonded = state.bonded_tokens(op)?;
    let terms = exposure::terms(state, op, None)?;
    let mut consumers = Vec::new();
    let mut total_tokens = Amount::ZERO;
    for term in &terms {
        let worst = term.worst_case();
        let tokens = bonded.mul_ceil(worst)?;
        total_tokens = total_tokens.checked_add(tokens)?;
        consumers.push(pb::ConsumerExposure {
            consumer_id: term.pledge.consumer_id,
            chain_id: term.chain_id.clone(),
            status: term.pledge.status.to_proto() as i32,
            pledge_bps: term.pledge.pledge_bps,
            slashable_bps: term.slashable_bps,
            slash_fraction: term.fraction.to_string(),
            worst_case_fraction: worst.to_string(),
            worst_case_tokens: tokens.to_string(),
        });
    }
    Ok(pb::QueryValidatorExposureResponse {
        consumers,
        total_worst_case_fraction: exposure::total(&terms).to_string(),
        total_worst_case_tokens: total_tokens.to_string(),
        max_slash_exposure: params.max_slash_exposure.to_string(),
        bonded_tokens: bonded.to_string(),
        consumer_count: u32::try_from(terms.len()).unwrap_or(u32::MAX),
        max_consumers: params.max_consumers_per_validator,
    })
}

/// Answers `path` with `request`.
pub fn answer(ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
    let QueryContext { state, profile } = ctx;
    Ok(match path {
        QUERY_VALIDATOR_PLEDGES => {
            let r: pb::QueryValidatorPledgesRequest = req(request)?;
            let op = profile.valoper(&r.validator, "validator")?;
            pb::QueryValidatorPledgesResponse {
                pledges: pledge::of_validator(state, &op)?
                    .iter()
                    .map(|p| p.to_proto())
                    .collect(),
            }
            .encode_to_vec()
        }
        QUERY_CONSUMER_PLEDGES => {
            let r: pb::QueryConsumerPledgesRequest = req(request)?;
            state.must_consumer(r.consumer_id)?;
            let items = pledge::of_consumer(state, r.consumer_id)?
                .iter()
                .map(|p| (p.validator.to_vec(), p.to_proto()))
                .collect();
            let (pledges, pagination) = paginate_list(items, r.pagination.as_ref())?;
            pb::QueryConsumerPledgesResponse {
                pledges,
                pagination: Some(pagination),
            }
            .encode_to_vec()
        }
        QUERY_CONSUMER_KEY => {
            let r: pb::QueryConsumerKeyRequest = req(request)?;
            let op = profile.valoper(&r.validator, "validator")?;
            state.must_consumer(r.consumer_id)?;
            let key = consumer_keys::current(state, r.consumer_id, &op)?.ok_or_else(|| {
                err(
                    RestakingCode::NotFound,
                    format!(
                        "validator {} has no key on consumer {}",
                        r.validator, r.consumer_id
                    ),
                )
            })?;
            pb::QueryConsumerKeyResponse {
                key: Some(
                    KeyRecord {
                        operator: op,
                        pubkey: key,
                        retired_until: None,
                    }
                    .to_proto(r.consumer_id),
                ),
            }
            .encode_to_vec()
        }
        QUERY_VALIDATOR_BY_CONSUMER_KEY => {
            let r: pb::QueryValidatorByConsumerKeyRequest = req(request)?;
            state.must_consumer(r.consumer_id)?;
            let address = profile.valcons(&r.consumer_address, "consumer_address")?;
            let record =
                consumer_keys::by_address(state, r.consumer_id, &address)?.ok_or_else(|| {
                    err(
                        RestakingCode::NotFound,
                        format!(
                            "{} is no validator's key on consumer {}",
                            r.consumer_address, r.consumer_id
                        ),
                    )
                })?;
            pb::QueryValidatorByConsumerKeyResponse {
                key: Some(record.to_proto(r.consumer_id)),
            }
            .encode_to_vec()
        }
        QUERY_SECURITY_REPORT => {
            let r: pb::QuerySecurityReportRequest = req(request)?;
            pb::QuerySecurityReportResponse {
                report: Some(security_report(state, r.consumer_id)?),
            }
            .encode_to_vec()
        }
        QUERY_VALIDATOR_EXPOSURE => {
            let r: pb::QueryValidatorExposureRequest = req(request)?;
            let op = profile.valoper(&r.validator, "validator")?;
            validator_exposure(state, &op)?.encode_to_vec()
        }
        QUERY_PARAMS => pb::QueryParamsResponse {
            params: Some(params::load(state)?.to_proto()),
        }
        .encode_to_vec(),
        other => {
            return Err(AppError::sdk(
                SdkCode::UnknownRequest,
                format!("restaking does not answer {other}"),
            ))
        }
    })
}
