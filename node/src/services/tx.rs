//! `cosmos.tx.v1beta1.Service`: BroadcastTx (forwarded to CometBFT) and GetTx (from CometBFT's
//! transaction index). Simulate reads committed state, so `rampart_app::Queries` answers it.

use std::str::FromStr;

use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxResponse;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    BroadcastMode, BroadcastTxRequest, BroadcastTxResponse, GetTxRequest, GetTxResponse, Tx,
};
use prost::Message;
use tendermint::Hash;
use tendermint_proto::google::protobuf::Any;
use tendermint_rpc::{Client, HttpClient};
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
    let block = rpc
        .block(found.height)
        .await
        .map_err(|e| unavailable("block", e))?;
    // A proposer may include bytes that are not a transaction; they still have a result.
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
        timestamp: sdk_timestamp(block.block.header.time),
        events: result.events.into_iter().map(Into::into).collect(),
    };
    Ok(GetTxResponse {
        tx,
        tx_response: Some(tx_response),
    })
}
