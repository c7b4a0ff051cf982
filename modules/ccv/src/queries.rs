//! `rampart.ccv.v1.Query`: the light client of the provider and its consensus states, the
//! consumer's set and parameters, its downtime records and liveness windows, from committed state.

use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::decode_query;
use rampart_core::pagination::paginate_prefix;
use rampart_core::wire::timestamp;
use rampart_core::QueryContext;
use rampart_proto::rampart::ccv::v1 as pb;

use crate::errors::{err, CcvCode};
pub use crate::urls::{
    PATHS, QUERY_APPLIED_VSC, QUERY_CONSENSUS_STATE, QUERY_DOWNTIME_RECORDS, QUERY_PARAMS,
    QUERY_PROVIDER_CLIENT, QUERY_SIGNING_INFO, QUERY_VALIDATORS,
};
use crate::{client, keys, liveness, vsc};

/// Answers `path` with `request`.
pub fn answer(ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
    let state = ctx.state;
    match path {
        QUERY_PROVIDER_CLIENT => {
            let _: pb::QueryProviderClientRequest = decode_query(request)?;
            let c = client::client(state)?;
            let latest = client::require_consensus_state(state, c.latest_height)?;
            Ok(pb::QueryProviderClientResponse {
                latest_time: latest.time,
                expires_at: Some(timestamp(client::expiry(&c, &latest)?)),
                frozen: c.frozen_height != 0,
                client: Some(c),
            }
            .encode_to_vec())
        }
        QUERY_CONSENSUS_STATE => {
            let r: pb::QueryConsensusStateRequest = decode_query(request)?;
            let height = match r.height {
                0 => client::client(state)?.latest_height,
                h => h,
            };
            let cs = client::consensus_state(state, height)?.ok_or_else(|| {
                err(
                    CcvCode::ConsensusStateNotFound,
                    format!("no trusted provider consensus state at height {height}"),
                )
            })?;
            Ok(pb::QueryConsensusStateResponse {
                consensus_state: Some(cs),
            }
            .encode_to_vec())
        }
        QUERY_APPLIED_VSC => {
            let _: pb::QueryAppliedVscRequest = decode_query(request)?;
            let (vsc_id, provider_height) = vsc::applied(state)?;
            Ok(pb::QueryAppliedVscResponse {
                vsc_id,
                provider_height,
            }
            .encode_to_vec())
        }
        QUERY_VALIDATORS => {
            let _: pb::QueryValidatorsRequest = decode_query(request)?;
            Ok(pb::QueryValidatorsResponse {
                validators: vsc::validators(state)?,
            }
            .encode_to_vec())
        }
        QUERY_PARAMS => {
            let _: pb::QueryParamsRequest = decode_query(request)?;
            Ok(pb::QueryParamsResponse {
                params: Some(vsc::params(state)?),
            }
            .encode_to_vec())
        }
        QUERY_DOWNTIME_RECORDS => {
            let r: pb::QueryDowntimeRecordsRequest = decode_query(request)?;
            let (page, pagination) =
                paginate_prefix(state, keys::DOWNTIME_PREFIX, r.pagination.as_ref())?;
            let records = page
                .iter()
                .map(|(_, value)| {
                    pb::DowntimeRecord::decode(value.as_slice()).map_err(|e| {
                        AppError::sdk(SdkCode::Logic, format!("corrupt downtime record: {e}"))
                    })
                })
                .collect::<AppResult<_>>()?;
            Ok(pb::QueryDowntimeRecordsResponse {
                records,
                pagination: Some(pagination),
            }
            .encode_to_vec())
        }
        QUERY_SIGNING_INFO => {
            let r: pb::QuerySigningInfoRequest = decode_query(request)?;
            let address = ctx.profile.valcons(&r.address, "address")?;
            let info = liveness::signing_info(state, &address)?;
            let outstanding_seq = liveness::outstanding_seq(state, &address)?;
            if info.is_none() && outstanding_seq == 0 {
                return Err(AppError::sdk(
                    SdkCode::KeyNotFound,
                    format!(
                        "{} is not a validator of this consumer's set and has no downtime record",
                        r.address
                    ),
                ));
            }
            Ok(pb::QuerySigningInfoResponse {
                info,
                outstanding_seq,
            }
            .encode_to_vec())
        }
        other => Err(AppError::sdk(
            SdkCode::UnknownRequest,
            format!("ccv does not answer {other}"),
        )),
    }
}
