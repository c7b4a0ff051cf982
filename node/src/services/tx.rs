//! `cosmos.tx.v1beta1.Service`: BroadcastTx (forwarded to CometBFT), GetTx and GetTxsEvent (from
//! CometBFT's transaction index). Simulate reads committed state, so `rampart_app::Queries` answers it.

use std::collections::BTreeMap;
use std::str::FromStr;

use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxResponse;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    BroadcastMode, BroadcastTxRequest, BroadcastTxResponse, GetTxRequest, GetTxResponse,
    GetTxsEventRequest, GetTxsEventResponse, OrderBy, Tx,
};
use prost::Message;
use tendermint::Hash;
use tendermint_proto::google::protobuf::Any;
use tendermint_rpc::query::Query;
use tendermint_rpc::{Client, HttpClient, Order};
use tonic::Status;

use super::rpc::{detail, exec_tx_data, sdk_timestamp, unavailable, upper_hex};

/// Type URL of a decoded transaction inside `TxResponse.tx`.
const TX_TYPE_URL: &str = "/cosmos.tx.v1beta1.Tx";

/// Submits `tx_bytes` to CometBFT's mempool; SYNC waits for CheckTx, ASYNC does not.
pub async fn broadcast(
    rpc: &HttpClient,
    request: BroadcastTxRequest,
) -> Result<BroadcastTxResponse, Status> {
    if request.tx_bytes.is_empty() {
        return Err(Status::invalid_argument("invalid empty tx"));
    }
    let mode = BroadcastMode::try_from(request.mode).unwrap_or(BroadcastMode::Unspecified);
    // The two RPCs answer the same fields in two distinct types.
    let (hash, code, codespace, data, log) = match mode {
        BroadcastMode::Sync => {
            let answer = rpc
                .broadcast_tx_sync(request.tx_bytes)
                .await
                .map_err(|e| unavailable("broadcast_tx_sync", e))?;
            (
                answer.hash,
                answer.code,
                answer.codespace,
                answer.data,
                answer.log,
            )
        }
        BroadcastMode::Async => {
            let answer = rpc
                .broadcast_tx_async(request.tx_bytes)
                .await
                .map_err(|e| unavailable("broadcast_tx_async", e))?;
            (
                answer.hash,
                answer.code,
                answer.codespace,
                answer.data,
                answer.log,
            )
        }
        BroadcastMode::Block | BroadcastMode::Unspecified => {
            return Err(Status::invalid_argument(format!(
                "unsupported return type {}; supported types: sync, async",
                mode.as_str_name()
            )))
        }
    };
    let tx_response = TxResponse {
        txhash: hash.to_string(),
        codespace,
        code: code.value(),
        data: upper_hex(&data),
        raw_log: log,
        ..TxResponse::default()
    };
    Ok(BroadcastTxResponse {
        tx_response: Some(tx_response),
    })
}

/// A committed transaction by hash (hex, any case), with its result and block time.
pub async fn get_tx(rpc: &HttpClient, request: GetTxRequest) -> Result<GetTxResponse, Status> {
    if request.hash.is_empty() {
        return Err(Status::invalid_argument("tx hash cannot be empty"));
    }
    let hash = Hash::from_str(&request.hash.to_uppercase()).map_err(|e| {
        Status::invalid_argument(format!("invalid tx hash {:?}: {e}", request.hash))
    })?;
    let found = match rpc.tx(hash, false).await {
        Ok(found) => found,
        Err(e) if detail(&e).contains("not found") => {
            return Err(Status::not_found(format!("tx not found: {}", request.hash)))
        }
        Err(e) => return Err(unavailable("tx", e)),
    };
    let (tx, tx_response) = committed(rpc, found, &mut BTreeMap::new()).await?;
    Ok(GetTxResponse {
        tx,
        tx_response: Some(tx_response),
    })
}

/// Most transactions one GetTxsEvent page returns (CometBFT's `tx_search` limit, the SDK's).
const MAX_TXS_PER_PAGE: u64 = 100;

/// Committed transactions whose indexed events match `query` (CometBFT query syntax, e.g.
/// `message.sender='rampart1…' AND tx.height>5`) or, for older clients, all of `events`
/// (`type.attribute='value'` each); `page` counts from 1, `limit` is at most 100.
// `events` and `pagination` are deprecated in SDK v0.50, but v0.47-era clients still send them.
#[allow(deprecated)]
pub async fn get_txs_event(
    rpc: &HttpClient,
    request: GetTxsEventRequest,
) -> Result<GetTxsEventResponse, Status> {
    let text = if request.query.is_empty() {
        if let Some(event) = request.events.iter().find(|e| e.matches('=').count() != 1) {
            return Err(Status::invalid_argument(format!(
                "invalid event {event:?}: the format is {{eventType}}.{{eventAttribute}}={{value}}"
            )));
        }
        request.events.join(" AND ")
    } else {
        request.query.clone()
    };
    if text.is_empty() {
        return Err(Status::invalid_argument("query cannot be empty"));
    }
    let query = Query::from_str(&text)
        .map_err(|e| Status::invalid_argument(format!("invalid query {text:?}: {e}")))?;
    let legacy_limit = request.pagination.as_ref().map_or(0, |p| p.limit);
    let limit = [request.limit, legacy_limit]
        .into_iter()
        .find(|&l| l > 0)
        .unwrap_or(MAX_TXS_PER_PAGE)
        .min(MAX_TXS_PER_PAGE);
    let page = match (request.page, request.pagination.as_ref()) {
        (0, Some(p)) => p.offset / limit + 1,
        (0, None) => 1,
        (page, _) => page,
    };
    let page = u32::try_from(page).map_err(|_| Status::invalid_argument("page is too large"))?;
    // `limit` ≤ 100 always fits.
    let per_page = u8::try_from(limit).unwrap_or(u8::MAX);
    let order = if request.order_by == OrderBy::Desc as i32 {
        Order::Descending
    } else {
        Order::Ascending
    };
    let found = match rpc.tx_search(query, false, page, per_page, order).await {
        Ok(found) => found,
        Err(e) if detail(&e).contains("page should be within") => {
            return Err(Status::invalid_argument(detail(&e)))
        }
        Err(e) => return Err(unavailable("tx_search", e)),
    };
    let mut times = BTreeMap::new();
    let mut response = GetTxsEventResponse {
        total: u64::from(found.total_count),
        ..GetTxsEventResponse::default()
    };
    for one in found.txs {
        let (tx, tx_response) = committed(rpc, one, &mut times).await?;
        response.txs.push(tx.unwrap_or_default());
        response.tx_responses.push(tx_response);
    }
    Ok(response)
}

/// A committed transaction (`None` if its bytes are not one: a proposer may include any bytes,
/// which still get a result) and its `TxResponse` with its block's time, read once per height
/// into `times`.
async fn committed(
    rpc: &HttpClient,
    found: tendermint_rpc::endpoint::tx::Response,
    times: &mut BTreeMap<u64, String>,
) -> Result<(Option<Tx>, TxResponse), Status> {
    let timestamp = match times.get(&found.height.value()) {
        Some(time) => time.clone(),
        None => {
            let block = rpc
                .block(found.height)
                .await
                .map_err(|e| unavailable("block", e))?;
            let time = sdk_timestamp(block.block.header.time);
            times.insert(found.height.value(), time.clone());
            time
        }
    };
    let tx = Tx::decode(found.tx.as_slice()).ok();
    let result = found.tx_result;
    let tx_response = TxResponse {
        height: i64::try_from(found.height.value())
            .map_err(|_| Status::internal("block height does not fit an int64"))?,
        txhash: found.hash.to_string(),
        codespace: result.codespace,
        code: result.code.value(),
        data: upper_hex(&exec_tx_data(&result.data)),
        raw_log: result.log,
        logs: Vec::new(),
        info: result.info,
        gas_wanted: result.gas_wanted,
        gas_used: result.gas_used,
        tx: tx.as_ref().map(|tx| Any {
            type_url: TX_TYPE_URL.into(),
            value: tx.encode_to_vec(),
        }),
        timestamp,
        events: result.events.into_iter().map(Into::into).collect(),
    };
    Ok((tx, tx_response))
}
