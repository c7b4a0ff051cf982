//! Transaction envelope: `cosmos.tx.v1beta1.TxRaw` decoded into body and auth info without
//! re-encoding, so the hash and the sign bytes are computed over the exact bytes received.
//!
//! Decoding also enforces every structural limit that needs no message decoded (size, message
//! count, signatures present and one per signer info), so that a hostile transaction is refused
//! before any message is routed, its signers decoded or its keys decompressed — work that no fee
//! pays for in CheckTx.

use cosmos_sdk_proto::cosmos::tx::v1beta1::{AuthInfo, TxBody, TxRaw};
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use sha2::{Digest, Sha256};

/// Largest transaction accepted, in bytes (CometBFT's default `mempool.max_tx_bytes`).
pub const MAX_TX_BYTES: usize = 1024 * 1024;

/// Most messages in one transaction.
pub const MAX_MSGS: usize = 64;

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

/// `TxBody` read only for its number of messages: each `Any` (field 1) is skipped without being
/// copied (a vector of zero-sized values does not allocate), as are the other fields.
#[derive(Clone, PartialEq, Message)]
struct MessageCount {
    #[prost(message, repeated, tag = "1")]
    messages: Vec<Skipped>,
}

/// A message whose fields are all skipped.
#[derive(Clone, PartialEq, Message)]
struct Skipped {}

impl DecodedTx {
    /// The gas the transaction asks for (`fee.gas_limit`; 0 without a fee).
    pub fn gas_limit(&self) -> u64 {
        self.auth_info.fee.as_ref().map_or(0, |f| f.gas_limit)
    }
}

/// sha256 of transaction bytes.
pub fn tx_hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Decodes `bytes` as a `TxRaw` and enforces the structural limits, cheapest first, before any
/// message is routed: at most [`MAX_TX_BYTES`] (`sdk/21`); a `TxRaw` (`sdk/2`); at least one
/// signature (`sdk/15`; simulation too, whose signatures may be empty but are present, as the
/// SDK's `Tx.ValidateBasic` requires); a `TxBody` and an `AuthInfo` (`sdk/2`); between 1 and
/// [`MAX_MSGS`] messages (`sdk/18`); one signature per signer info (`sdk/4`).
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
    if raw.signatures.is_empty() {
        return Err(AppError::sdk(
            SdkCode::NoSignatures,
            "no signatures supplied",
        ));
    }
    let count = MessageCount::decode(raw.body_bytes.as_slice())
        .map_err(|e| decode_err("TxBody", e))?
        .messages
        .len();
    if count > MAX_MSGS {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            format!("too many messages: {count} (at most {MAX_MSGS}): invalid request"),
        ));
    }
    let body = TxBody::decode(raw.body_bytes.as_slice()).map_err(|e| decode_err("TxBody", e))?;
    let auth_info =
        AuthInfo::decode(raw.auth_info_bytes.as_slice()).map_err(|e| decode_err("AuthInfo", e))?;
    if body.messages.is_empty() {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "must contain at least one message",
        ));
    }
    // The signer infos name the signers; the ante handler checks them against the messages'.
    if raw.signatures.len() != auth_info.signer_infos.len() {
        return Err(AppError::sdk(
            SdkCode::Unauthorized,
            format!(
                "wrong number of signers; expected {}, got {}: unauthorized",
                auth_info.signer_infos.len(),
                raw.signatures.len()
            ),
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
    use cosmos_sdk_proto::cosmos::tx::v1beta1::SignerInfo;
    use tendermint_proto::google::protobuf::Any;

    /// Encodes a TxRaw with `count` copies of a message and `signatures` empty signatures, each
    /// with its signer info.
    fn tx(count: usize, signatures: usize) -> Vec<u8> {
        let body = TxBody {
            messages: vec![
                Any {
                    type_url: "/x.Msg".into(),
                    value: vec![1],
                };
                count
            ],
            ..Default::default()
        };
        let auth_info = AuthInfo {
            signer_infos: vec![SignerInfo::default(); signatures],
            ..Default::default()
        };
        TxRaw {
            body_bytes: body.encode_to_vec(),
            auth_info_bytes: auth_info.encode_to_vec(),
            signatures: vec![Vec::new(); signatures],
        }
        .encode_to_vec()
    }

    #[test]
    fn garbage_and_empty_txs_are_refused_with_stable_codes() {
        assert!(decode(b"\xff\xff\xff")
            .expect_err("garbage")
            .is(SdkCode::TxDecode));
        assert!(decode(&tx(0, 1))
            .expect_err("no msgs")
            .is(SdkCode::InvalidRequest));
        let big = vec![0u8; MAX_TX_BYTES + 1];
        assert!(decode(&big).expect_err("too big").is(SdkCode::TxTooLarge));
    }

    /// Issue 13, finding 2: the limits that need no message decoded are enforced by decoding
    /// itself, so no message of such a transaction is ever routed (before the fix, `decode`
    /// accepted all three and the ante handler refused them after routing every message).
    #[test]
    fn structural_limits_are_enforced_before_any_message_is_routed() {
        assert_eq!(
            decode(&tx(MAX_MSGS, 1)).map(|t| t.body.messages.len()),
            Ok(MAX_MSGS)
        );
        let too_many = decode(&tx(MAX_MSGS + 1, 1)).expect_err("65 messages");
        assert!(too_many.is(SdkCode::InvalidRequest), "{too_many:?}");
        assert_eq!(
            too_many.log,
            "too many messages: 65 (at most 64): invalid request"
        );
        let unsigned = decode(&tx(1, 0)).expect_err("no signatures");
        assert!(unsigned.is(SdkCode::NoSignatures), "{unsigned:?}");
        let hostile = decode(&tx(5_000, 0)).expect_err("thousands of unsigned messages");
        assert!(hostile.is(SdkCode::NoSignatures), "{hostile:?}");
        let mut raw = TxRaw::decode(tx(1, 1).as_slice()).expect("TxRaw");
        raw.signatures.push(Vec::new());
        let extra = decode(&raw.encode_to_vec()).expect_err("two signatures, one signer info");
        assert!(extra.is(SdkCode::Unauthorized), "{extra:?}");
        assert_eq!(
            extra.log,
            "wrong number of signers; expected 1, got 2: unauthorized"
        );
    }

    #[test]
    fn hash_is_over_the_exact_bytes() {
        let tx = tx(1, 1);
        let decoded = decode(&tx).expect("decodes");
        assert_eq!(decoded.hash, tx_hash(&tx));
        assert_eq!(decoded.body.messages.len(), 1);
    }
}
