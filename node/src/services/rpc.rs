//! Turning CometBFT RPC failures into gRPC statuses, and small conversions of RPC values.

use tendermint_rpc::error::ErrorDetail;
use tonic::Status;

/// Longest error text put into a gRPC status (it travels in an HTTP/2 header).
const MAX_MESSAGE: usize = 1024;

/// A failed CometBFT RPC call: the node's CometBFT is down or refused the request.
pub fn unavailable(method: &str, e: tendermint_rpc::Error) -> Status {
    Status::unavailable(format!("CometBFT RPC {method} failed: {}", detail(&e)))
}

/// The error's own description (for an RPC error response: CometBFT's message and data), without
/// the trace `Display` appends, bounded in length.
pub fn detail(e: &tendermint_rpc::Error) -> String {
    let mut text = match e.detail() {
        ErrorDetail::Response(response) => response.source.to_string(),
        other => other.to_string(),
    };
    if text.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

/// Upper-case hex, as the Cosmos SDK prints hashes and result data.
pub fn upper_hex(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

/// The bytes of `ExecTxResult.data` from the `tx` RPC: tendermint-rpc 0.40 keeps the JSON text,
/// which CometBFT writes in base64, so it is decoded here (text that is not base64 is kept).
pub fn exec_tx_data(text: &[u8]) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap_or_else(|_| text.to_vec())
}

/// A CometBFT time as the Cosmos SDK prints it in `TxResponse.timestamp` (RFC 3339, seconds).
pub fn sdk_timestamp(time: tendermint::Time) -> String {
    let text = time.to_rfc3339();
    match text.split_once('.') {
        Some((seconds, _fraction)) => format!("{seconds}Z"),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_tx_data_is_decoded_from_base64() {
        // TxMsgData{msg_responses: [Any{"/cosmos.bank.v1beta1.MsgSendResponse"}]}
        let text = b"EiYKJC9jb3Ntb3MuYmFuay52MWJldGExLk1zZ1NlbmRSZXNwb25zZQ==";
        let data = exec_tx_data(text);
        assert_eq!(&data[..4], &[0x12, 0x26, 0x0a, 0x24]);
        assert!(data.ends_with(b"/cosmos.bank.v1beta1.MsgSendResponse"));
        assert_eq!(exec_tx_data(b""), Vec::<u8>::new());
    }

    #[test]
    fn timestamps_drop_fractions_like_the_sdk() {
        let time =
            tendermint::Time::from_unix_timestamp(1_700_000_000, 123_456_789).expect("valid time");
        assert_eq!(sdk_timestamp(time), "2023-11-14T22:13:20Z");
        let whole = tendermint::Time::from_unix_timestamp(1_700_000_000, 0).expect("valid time");
        assert_eq!(sdk_timestamp(whole), "2023-11-14T22:13:20Z");
    }
}
