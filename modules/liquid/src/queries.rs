//! `rampart.liquid.v1.Query`, answered from committed state.

use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::math::mul_div;
use rampart_core::module::decode_query as req;
use rampart_core::pagination::paginate_prefix_with;
use rampart_core::wire::{int_to_wire, rfc3339};
use rampart_core::{Amount, ChainProfile, QueryContext, StateRead};
use rampart_proto::rampart::liquid::v1 as pb;

use crate::backing::{self, ConsumerShare};
use crate::keys;
use crate::params;
use crate::rate::Backing;
use crate::records::{self, Record};
pub use crate::urls::{
    PATHS, QUERY_BACKING, QUERY_EXCHANGE_RATE, QUERY_PARAMS, QUERY_RISK, QUERY_UNBONDINGS,
};

fn consumer_proto(share: ConsumerShare) -> pb::ConsumerBacking {
    pb::ConsumerBacking {
        consumer_id: share.consumer_id,
        chain_id: share.chain_id,
        tokens: int_to_wire(share.tokens),
        worst_case_loss: int_to_wire(share.worst_case_loss),
    }
}

/// Answers `path` with `request`.
pub fn answer(ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
    let QueryContext { state, profile } = ctx;
    Ok(match path {
        QUERY_EXCHANGE_RATE => {
            let _: pb::QueryExchangeRateRequest = req(request)?;
            let b = Backing::load(state)?;
            pb::QueryExchangeRateResponse {
                rate: b.rate()?.to_string(),
                stake: int_to_wire(b.stake()?),
                supply: int_to_wire(b.supply),
                delegated: int_to_wire(b.delegated),
                undelegated: int_to_wire(b.undelegated),
            }
            .encode_to_vec()
        }
        QUERY_PARAMS => {
            let _: pb::QueryParamsRequest = req(request)?;
            pb::QueryParamsResponse {
                params: Some(params::load(state)?.to_proto()),
            }
            .encode_to_vec()
        }
        QUERY_BACKING => {
            let _: pb::QueryBackingRequest = req(request)?;
            let b = Backing::load(state)?;
            pb::QueryBackingResponse {
                validators: b
                    .per_validator
                    .iter()
                    .map(|(op, tokens)| pb::ValidatorBacking {
                        validator: profile.to_valoper(op),
                        tokens: int_to_wire(*tokens),
                    })
                    .collect(),
                consumers: backing::per_consumer(state, &b)?
                    .into_iter()
                    .map(consumer_proto)
                    .collect(),
            }
            .encode_to_vec()
        }
        QUERY_RISK => {
            let _: pb::QueryRiskRequest = req(request)?;
            let b = Backing::load(state)?;
            let (_, fraction) = backing::worst_case(state, &b)?;
            let rate = b.rate()?;
            let per_token = rampart_core::Decimal(mul_div(
                fraction.0,
                rate.0,
                rampart_core::Decimal::ONE_ATTOS,
                true,
            )?);
            pb::QueryRiskResponse {
                worst_case_fraction: fraction.to_string(),
                worst_case_loss_per_token: per_token.to_string(),
                rate: rate.to_string(),
                consumers: backing::per_consumer(state, &b)?
                    .into_iter()
                    .map(consumer_proto)
                    .collect(),
            }
            .encode_to_vec()
        }
        QUERY_UNBONDINGS => {
            let r: pb::QueryUnbondingsRequest = req(request)?;
            let owner = profile.account(&r.owner, "owner")?;
            let prefix = keys::join(keys::BY_OWNER, &[&owner]);
            let b = Backing::load(state)?;
            let (unbondings, pagination) =
                paginate_prefix_with(state, &prefix, r.pagination.as_ref(), |suffix, _| {
                    let Some(id) = keys::u64_at(suffix, 0) else {
                        return Ok(None);
                    };
                    match records::load_record(state, id)? {
                        Some(record) => Ok(Some(view(state, profile, &b, &record)?)),
                        None => Ok(None),
                    }
                })?;
            pb::QueryUnbondingsResponse {
                unbondings,
                pagination: Some(pagination),
            }
            .encode_to_vec()
        }
        other => {
            return Err(AppError::sdk(
                SdkCode::UnknownRequest,
                format!("liquid does not answer {other}"),
            ))
        }
    })
}

/// A record as queried: its status, completion and expected payout.
fn view(
    state: &dyn StateRead,
    profile: &ChainProfile,
    backing: &Backing,
    record: &Record,
) -> AppResult<pb::UnbondingView> {
    let batch = records::batch_or_new(state, record.batch_id)?;
    let (status, expected) = match batch.undelegated {
        Some(undelegated) if !batch.liquid_total.is_zero() => (
            "unbonding",
            Amount(mul_div(
                record.liquid_amount.0,
                batch.returned.unwrap_or(undelegated).0,
                batch.liquid_total.0,
                false,
            )?),
        ),
        Some(_) => ("unbonding", Amount::ZERO),
        None => ("pending", backing.redeem(record.liquid_amount)?),
    };
    Ok(pb::UnbondingView {
        record: Some(record.to_proto(profile)),
        status: status.to_owned(),
        completion_time: batch.completion.map(rfc3339).unwrap_or_default(),
        expected_amount: int_to_wire(expected),
    })
}
