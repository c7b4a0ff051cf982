//! `rampart.restaking.v1.Query`, answered from committed state; the security metrics are
//! [`crate::report`]'s.

use prost::Message;
use rampart_consumer::ConsumerRead;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::decode_query as req;
use rampart_core::pagination::paginate_prefix_with;
use rampart_core::{Address, QueryContext};
use rampart_proto::rampart::restaking::v1 as pb;

use crate::choice;
use crate::consumer_keys::{self, KeyRecord};
use crate::errors::{err, RestakingCode};
use crate::keys;
use crate::params;
use crate::pledge;
use crate::report;
pub use crate::urls::{
    PATHS, QUERY_CONSUMER_BACKING, QUERY_CONSUMER_KEY, QUERY_CONSUMER_PLEDGES,
    QUERY_DELEGATION_CONSUMERS, QUERY_PARAMS, QUERY_SECURITY_REPORT,
    QUERY_VALIDATOR_BY_CONSUMER_KEY, QUERY_VALIDATOR_EXPOSURE, QUERY_VALIDATOR_PLEDGES,
};

/// Answers `path` with `request`; the security report shows `holders`' part of the stake.
pub fn answer(
    ctx: QueryContext<'_>,
    holders: &[std::sync::Arc<dyn report::StakeHolder>],
    path: &str,
    request: &[u8],
) -> AppResult<Vec<u8>> {
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
            let prefix = keys::with_id(keys::PLEDGE, r.consumer_id);
            let (pledges, pagination) =
                paginate_prefix_with(state, &prefix, r.pagination.as_ref(), |suffix, _| {
                    let Ok(op) = <[u8; 20]>::try_from(suffix).map(Address) else {
                        return Ok(None);
                    };
                    Ok(pledge::load(state, r.consumer_id, &op)?.map(|p| p.to_proto()))
                })?;
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
                report: Some(report::security_report(
                    state,
                    profile,
                    holders,
                    r.consumer_id,
                )?),
            }
            .encode_to_vec()
        }
        QUERY_VALIDATOR_EXPOSURE => {
            let r: pb::QueryValidatorExposureRequest = req(request)?;
            let op = profile.valoper(&r.validator, "validator")?;
            report::validator_exposure(state, &op)?.encode_to_vec()
        }
        QUERY_PARAMS => pb::QueryParamsResponse {
            params: Some(params::load(state)?.to_proto()),
        }
        .encode_to_vec(),
        QUERY_DELEGATION_CONSUMERS => {
            choice::query_delegation(state, profile, &req(request)?)?.encode_to_vec()
        }
        QUERY_CONSUMER_BACKING => {
            choice::query_backing(state, profile, &req(request)?)?.encode_to_vec()
        }
        other => {
            return Err(AppError::sdk(
                SdkCode::UnknownRequest,
                format!("restaking does not answer {other}"),
            ))
        }
    })
}
