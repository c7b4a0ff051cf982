//! `cosmos.bank.v1beta1.Query`: Balance, AllBalances, TotalSupply, SupplyOf and Params.

use cosmos_sdk_proto::cosmos::bank::v1beta1::{
    QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest, QueryBalanceResponse,
    QueryParamsRequest, QueryParamsResponse, QuerySupplyOfRequest, QuerySupplyOfResponse,
    QueryTotalSupplyRequest, QueryTotalSupplyResponse,
};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::decode_request;
use rampart_core::pagination::paginate_prefix;
use rampart_core::state::KeyValue;
use rampart_core::QueryContext;

use crate::state::{balances_prefix, decode_amount, BankRead, SUPPLY_PREFIX};
pub use crate::urls::{
    PATHS, QUERY_ALL_BALANCES, QUERY_BALANCE, QUERY_PARAMS, QUERY_SUPPLY_OF, QUERY_TOTAL_SUPPLY,
};
use rampart_core::coins::validate_denom;

fn coins_page(page: Vec<KeyValue>) -> AppResult<Vec<ProtoCoin>> {
    page.into_iter()
        .map(|(denom, value)| {
            Ok(ProtoCoin {
                denom: String::from_utf8_lossy(&denom).into_owned(),
                amount: decode_amount(&value)?.to_string(),
            })
        })
        .collect()
}

/// Answers one of [`PATHS`].
pub fn answer(ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
    let QueryContext { state, profile } = ctx;
    match path {
        QUERY_BALANCE => {
            let req: QueryBalanceRequest = decode_request("QueryBalanceRequest", request)?;
            let address = profile.account_address(&req.address)?;
            validate_denom(&req.denom)?;
            let amount = state.balance(&address, &req.denom)?;
            Ok(QueryBalanceResponse {
                balance: Some(ProtoCoin {
                    denom: req.denom,
                    amount: amount.to_string(),
                }),
            }
            .encode_to_vec())
        }
        QUERY_ALL_BALANCES => {
            let req: QueryAllBalancesRequest = decode_request("QueryAllBalancesRequest", request)?;
            let address = profile.account_address(&req.address)?;
            let (page, pagination) =
                paginate_prefix(state, &balances_prefix(&address), req.pagination.as_ref())?;
            Ok(QueryAllBalancesResponse {
                balances: coins_page(page)?,
                pagination: Some(pagination),
            }
            .encode_to_vec())
        }
        QUERY_TOTAL_SUPPLY => {
            let req: QueryTotalSupplyRequest = decode_request("QueryTotalSupplyRequest", request)?;
            let (page, pagination) =
                paginate_prefix(state, SUPPLY_PREFIX, req.pagination.as_ref())?;
            Ok(QueryTotalSupplyResponse {
                supply: coins_page(page)?,
                pagination: Some(pagination),
            }
            .encode_to_vec())
        }
        QUERY_SUPPLY_OF => {
            let req: QuerySupplyOfRequest = decode_request("QuerySupplyOfRequest", request)?;
            validate_denom(&req.denom)?;
            let amount = state.supply_of(&req.denom)?;
            Ok(QuerySupplyOfResponse {
                amount: Some(ProtoCoin {
                    denom: req.denom,
                    amount: amount.to_string(),
                }),
            }
            .encode_to_vec())
        }
        QUERY_PARAMS => {
            decode_request::<QueryParamsRequest>("QueryParamsRequest", request)?;
            Ok(QueryParamsResponse {
                params: Some(state.bank_params()?),
            }
            .encode_to_vec())
        }
        _ => Err(AppError::sdk(
            SdkCode::UnknownRequest,
            format!("unknown query path {path}"),
        )),
    }
}
