//! `cosmos.auth.v1beta1.Query`: Account, Accounts and Params over committed state.

use crate::state::{AuthRead, ACCOUNTS_PREFIX};
pub use crate::urls::{QUERY_ACCOUNT, QUERY_ACCOUNTS, QUERY_PARAMS};
use cosmos_sdk_proto::cosmos::auth::v1beta1::{
    QueryAccountRequest, QueryAccountResponse, QueryAccountsRequest, QueryAccountsResponse,
    QueryParamsRequest, QueryParamsResponse,
};
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::decode_request;
use rampart_core::pagination::paginate_prefix;
use rampart_core::QueryContext;
use tendermint_proto::google::protobuf::Any;

/// Answers one of the paths above.
pub fn answer(ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
    let QueryContext { state, profile } = ctx;
    match path {
        QUERY_ACCOUNT => {
            let req: QueryAccountRequest = decode_request("QueryAccountRequest", request)?;
            let address = profile.account_address(&req.address)?;
            let account = state.account(&address)?.ok_or_else(|| {
                // CosmJS and cosmpy recognise an unknown account by these words.
                AppError::sdk(
                    SdkCode::KeyNotFound,
                    format!(
                        "rpc error: code = NotFound desc = account {} not found: key not found",
                        req.address
                    ),
                )
            })?;
            Ok(QueryAccountResponse {
                account: Some(account.to_any()),
            }
            .encode_to_vec())
        }
        QUERY_ACCOUNTS => {
            let req: QueryAccountsRequest = decode_request("QueryAccountsRequest", request)?;
            let (page, pagination) =
                paginate_prefix(state, ACCOUNTS_PREFIX, req.pagination.as_ref())?;
            let accounts = page
                .into_iter()
                .map(|(_, value)| {
                    Any::decode(value.as_slice()).map_err(|e| {
                        AppError::sdk(SdkCode::Logic, format!("corrupt account in state: {e}"))
                    })
                })
                .collect::<AppResult<Vec<_>>>()?;
            Ok(QueryAccountsResponse {
                accounts,
                pagination: Some(pagination),
            }
            .encode_to_vec())
        }
        QUERY_PARAMS => {
            decode_request::<QueryParamsRequest>("QueryParamsRequest", request)?;
            Ok(QueryParamsResponse {
                params: Some(state.auth_params()?.to_proto()),
            }
            .encode_to_vec())
        }
        _ => Err(AppError::sdk(
            SdkCode::UnknownRequest,
            format!("unknown query path {path}"),
        )),
    }
}
