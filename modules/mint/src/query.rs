//! `cosmos.mint.v1beta1.Query`: Params, Inflation and AnnualProvisions, with `LegacyDec` fields
//! in their protobuf form (the value in attos as an integer string; `bytes` fields carry that
//! string's bytes, as the SDK marshals a `LegacyDec`).

use cosmos_sdk_proto::cosmos::mint::v1beta1::{
    Params, QueryAnnualProvisionsRequest, QueryAnnualProvisionsResponse, QueryInflationRequest,
    QueryInflationResponse, QueryParamsRequest, QueryParamsResponse,
};
use prost::Message;
use rampart_bank::BankRead;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::decode_request;
use rampart_core::{Decimal, StateRead};

use crate::math::WideDec;
use crate::state::{self, MintParams};
pub use crate::urls::{PATHS, QUERY_ANNUAL_PROVISIONS, QUERY_INFLATION, QUERY_PARAMS};

/// `blocks_per_year` reported in `Params`: the SDK default (5-second blocks). Informational
/// only — Rampart mints by elapsed time, not per block.
pub const BLOCKS_PER_YEAR: u64 = 6_311_520;

/// `goal_bonded` reported in `Params`: the SDK default 0.67. Informational only.
pub const GOAL_BONDED: Decimal = Decimal(670_000_000_000_000_000);

/// The SDK `Params` view of Rampart's parameters (see the crate documentation).
pub fn params_proto(params: &MintParams) -> Params {
    let inflation = params.inflation.0.to_string();
    Params {
        mint_denom: params.mint_denom.clone(),
        inflation_rate_change: "0".into(),
        inflation_max: inflation.clone(),
        inflation_min: inflation,
        goal_bonded: GOAL_BONDED.0.to_string(),
        blocks_per_year: BLOCKS_PER_YEAR,
    }
}

/// `supply(mint_denom) × inflation` now, exactly.
pub fn annual_provisions(state: &dyn StateRead, params: &MintParams) -> AppResult<WideDec> {
    WideDec::product(state.supply_of(&params.mint_denom)?, params.inflation)
}

/// Answers one of [`PATHS`].
pub fn answer(state: &dyn StateRead, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
    let params = state::params(state)?;
    match path {
        QUERY_PARAMS => {
            decode_request::<QueryParamsRequest>("QueryParamsRequest", request)?;
            Ok(QueryParamsResponse {
                params: Some(params_proto(&params)),
            }
            .encode_to_vec())
        }
        QUERY_INFLATION => {
            decode_request::<QueryInflationRequest>("QueryInflationRequest", request)?;
            Ok(QueryInflationResponse {
                inflation: params.inflation.0.to_string().into_bytes(),
            }
            .encode_to_vec())
        }
        QUERY_ANNUAL_PROVISIONS => {
            decode_request::<QueryAnnualProvisionsRequest>(
                "QueryAnnualProvisionsRequest",
                request,
            )?;
            Ok(QueryAnnualProvisionsResponse {
                annual_provisions: annual_provisions(state, &params)?.to_wire().into_bytes(),
            }
            .encode_to_vec())
        }
        _ => Err(AppError::sdk(
            SdkCode::UnknownRequest,
            format!("unknown query path {path}"),
        )),
    }
}
