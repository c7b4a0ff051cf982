//! Transaction envelope: `cosmos.tx.v1beta1.TxRaw` decoded into body and auth info without
//! re-encoding, so the hash and the sign bytes are computed over the exact bytes received.

use cosmos_sdk_proto::cosmos::tx::v1beta1::{AuthInfo, TxBody, TxRaw};
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use sha2::{Digest, Sha256};

/// Largest transaction accepted, in bytes (CometBFT's default `mempool.max_tx_bytes`).
pub const MAX_TX_BYTES: usize = 1024 * 1024;

/// A structurally valid transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedTx {
    /// sha256 of the exact transaction bytes (the CometBFT tx hash).
    pub hash: [u8; 32],
    /// The decoded body (messages, memo, timeout height, extension options).
    pub body: TxBody,
    /// The decoded auth info (signer infos, fee).
    pub auth_info: AuthInfo,
    /// The body bytes exactly as signed.
    pub body_bytes: Vec<u8>,
    /// The auth info bytes exactly as signed.
    pub auth_info_bytes: Vec<u8>,
    /// One signature per signer.
    pub signatures: Vec<Vec<u8>>,
}

/// sha256 of transaction bytes.
pub fn tx_hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Decodes `bytes` as a `TxRaw`; `Err` with `sdk/2` (or `sdk/21` when too large).
pub fn decode(bytes: &[u8]) -> AppResult<DecodedTx> {
    if bytes.len() > MAX_TX_BYTES {
        return Err(AppError::sdk(
            SdkCode::TxTooLarge,
            format!("tx is {} bytes, the limit is {MAX_TX_BYTES}", bytes.len()),
        ));
    }
    let decode_err = |what: &str, e: prost::DecodeError| {
        AppError::sdk(SdkCode::TxDecode, format!("tx parse error: {what}: {e}"))
    };
    let raw = TxRaw::decode(bytes).map_err(|e| decode_err("TxRaw", e))?;
    let body = TxBody::decode(raw.body_bytes.as_slice()).map_err(|e| decode_err("TxBody", e))?;
    let auth_info =
        AuthInfo::decode(raw.auth_info_bytes.as_slice()).map_err(|e| decode_err("AuthInfo", e))?;
    if body.messages.is_empty() {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "must contain at least one message",
        ));
    }
    Ok(DecodedTx {
        hash: tx_hash(bytes),
        body,
        auth_info,
        body_bytes: raw.body_bytes,
        auth_info_bytes: raw.auth_info_bytes,
        signatures: raw.signatures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tendermint_proto::google::protobuf::Any;

    /// Encodes a TxRaw with the given messages and no signatures.
    pub fn unsigned_tx(messages: Vec<Any>) -> Vec<u8> {
        let body = TxBody {
            messages,
            ..Default::default()
        };
        TxRaw {
            body_bytes: body.encode_to_vec(),
            auth_info_bytes: AuthInfo::default().encode_to_vec(),
            signatures: vec![],
        }
        .encode_to_vec()
    }

    #[test]
    fn garbage_and_empty_txs_are_refused_with_stable_codes() {
        assert!(decode(b"\xff\xff\xff")
            .expect_err("garbage")
            .is(SdkCode::TxDecode));
        let empty = unsigned_tx(vec![]);
        assert!(decode(&empty)
            .expect_err("no msgs")
            .is(SdkCode::InvalidRequest));
        let big = vec![0u8; MAX_TX_BYTES + 1];
        assert!(decode(&big).expect_err("too big").is(SdkCode::TxTooLarge));
    }

    #[test]
    fn hash_is_over_the_exact_bytes() {
        let tx = unsigned_tx(vec![Any {
            type_url: "/x.Msg".into(),
            value: vec![1],
        }]);
        let decoded = decode(&tx).expect("decodes");
        assert_eq!(decoded.hash, tx_hash(&tx));
        assert_eq!(decoded.body.messages.len(), 1);
    }
}
