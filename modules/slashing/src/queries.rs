//! `cosmos.slashing.v1beta1.Query`: Params, SigningInfo, SigningInfos, from committed state.

use cosmos_sdk_proto::cosmos::slashing::v1beta1 as pb;
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::decode_query as req;
use rampart_core::pagination::paginate_prefix_with;
use rampart_core::QueryContext;

pub use crate::urls::{PATHS, QUERY_PARAMS, QUERY_SIGNING_INFO, QUERY_SIGNING_INFOS};
use crate::{keys, params, signing};

/// Answers `path` with `request`.
pub fn answer(ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
    let QueryContext { state, profile } = ctx;
    match path {
        QUERY_PARAMS => Ok(pb::QueryParamsResponse {
            params: Some(params::load(state)?.to_proto()),
        }
        .encode_to_vec()),
        QUERY_SIGNING_INFO => {
            let r: pb::QuerySigningInfoRequest = req(request)?;
            let address = profile.valcons(&r.cons_address, "cons_address")?;
            let info = signing::load(state, &address)?.ok_or_else(|| {
                AppError::sdk(
                    SdkCode::KeyNotFound,
                    format!(
                        "SigningInfo not found for validator {}: key not found",
                        r.cons_address
                    ),
                )
            })?;
            Ok(pb::QuerySigningInfoResponse {
                val_signing_info: Some(info.to_proto()),
            }
            .encode_to_vec())
        }
        QUERY_SIGNING_INFOS => {
            let r: pb::QuerySigningInfosRequest = req(request)?;
            let (info, pagination) = paginate_prefix_with(
                state,
                keys::SIGNING_INFO,
                r.pagination.as_ref(),
                |suffix, _| {
                    let Ok(address) = <[u8; 20]>::try_from(suffix) else {
                        return Ok(None);
                    };
                    Ok(signing::load(state, &address)?.map(|info| info.to_proto()))
                },
            )?;
            Ok(pb::QuerySigningInfosResponse {
                info,
                pagination: Some(pagination),
            }
            .encode_to_vec())
        }
        other => Err(AppError::sdk(
            SdkCode::UnknownRequest,
            format!("slashing does not answer {other}"),
        )),
    }
}
