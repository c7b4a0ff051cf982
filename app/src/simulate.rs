//! `cosmos.tx.v1beta1.Service/Simulate` as a query: the request and response wire types around
//! [`Queries::simulate`](crate::query::Queries::simulate), answered identically over ABCI `Query`
//! (CosmJS's `gas: "auto"`) and gRPC (cosmpy, grpcurl).

use cosmos_sdk_proto::cosmos::base::abci::v1beta1::{GasInfo, Result as AbciResult};
use cosmos_sdk_proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::Events;
use tendermint_proto::google::protobuf::Any;

/// The outcome of a simulated transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulateResult {
    /// The transaction's gas limit (often 0 in simulation).
    pub gas_wanted: u64,
    /// Gas consumed by the ante handler (including the cost real signature verification would
    /// add) and the messages.
    pub gas_used: u64,
    /// `TxMsgData` bytes, as `ExecTxResult.data` would carry them.
    pub data: Vec<u8>,
    /// The message responses (the `msg_responses` of `data`).
    pub msg_responses: Vec<Any>,
    /// The events the transaction would emit.
    pub events: Events,
    /// The committed height the simulation ran on.
    pub height: u64,
}

/// The gRPC method path of simulation (defined in `rampart_proto` for the app and its clients).
pub use rampart_proto::SIMULATE_PATH;

/// The transaction bytes of a `SimulateRequest`: `tx_bytes`, or the deprecated `tx` re-encoded
/// (a `Tx` encodes to exactly the bytes of the `TxRaw` with its body and auth info encoded).
// `tx` is deprecated in the SDK, but cosmpy still sends it.
#[allow(deprecated)]
pub fn request_tx_bytes(request: &[u8]) -> AppResult<Vec<u8>> {
    let request = SimulateRequest::decode(request)
        .map_err(|e| AppError::sdk(SdkCode::TxDecode, format!("SimulateRequest: {e}")))?;
    if !request.tx_bytes.is_empty() {
        return Ok(request.tx_bytes);
    }
    match request.tx {
        Some(tx) => Ok(tx.encode_to_vec()),
        None => Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "empty txBytes is not allowed: invalid request",
        )),
    }
}

/// Encodes a simulation outcome as the SDK's `SimulateResponse`.
// `Result.data` is deprecated in the SDK, which still fills it with the `TxMsgData`.
#[allow(deprecated)]
pub fn response_bytes(outcome: SimulateResult) -> Vec<u8> {
    SimulateResponse {
        gas_info: Some(GasInfo {
            gas_wanted: outcome.gas_wanted,
            gas_used: outcome.gas_used,
        }),
        result: Some(AbciResult {
            data: outcome.data,
            log: String::new(),
            events: outcome
                .events
                .into_iter()
                .map(|event| tendermint_proto::abci::Event {
                    r#type: event.kind,
                    attributes: event
                        .attributes
                        .into_iter()
                        .map(|(key, value)| tendermint_proto::abci::EventAttribute {
                            key,
                            value,
                            index: true,
                        })
                        .collect(),
                })
                .collect(),
            msg_responses: outcome.msg_responses,
        }),
    }
    .encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmos_sdk_proto::cosmos::tx::v1beta1::{Tx, TxBody, TxRaw};

    #[test]
    #[allow(deprecated)] // cosmpy still sends the deprecated `tx` field.
    fn accepts_tx_bytes_and_the_deprecated_tx_field() {
        let body = TxBody {
            memo: "hello".into(),
            ..TxBody::default()
        };
        let tx = Tx {
            body: Some(body.clone()),
            auth_info: None,
            signatures: vec![vec![7; 64]],
        };
        let request = SimulateRequest {
            tx: Some(tx),
            tx_bytes: Vec::new(),
        };
        let from_tx = request_tx_bytes(&request.encode_to_vec()).expect("tx field");
        let raw = TxRaw::decode(from_tx.as_slice()).expect("a Tx encodes as a TxRaw");
        assert_eq!(raw.body_bytes, body.encode_to_vec());
        assert_eq!(raw.signatures, vec![vec![7; 64]]);

        let request = SimulateRequest {
            tx: None,
            tx_bytes: vec![1, 2, 3],
        };
        assert_eq!(
            request_tx_bytes(&request.encode_to_vec()).expect("bytes"),
            vec![1, 2, 3]
        );

        let empty = request_tx_bytes(&[]).expect_err("empty");
        assert!(empty.is(SdkCode::InvalidRequest));
        assert!(request_tx_bytes(&[0xff])
            .expect_err("garbage")
            .is(SdkCode::TxDecode));
    }
}
