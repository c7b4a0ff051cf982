//! Building and signing `cosmos.tx.v1beta1` transactions (SIGN_MODE_DIRECT).
//!
//! The body and auth info are encoded once; the sign doc and the `TxRaw` reuse those exact bytes,
//! so what is signed is what is sent.

use anyhow::anyhow;
use cosmos_sdk_proto::cosmos::bank::v1beta1::MsgSend;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::tx::v1beta1::TxRaw;
use cosmrs::crypto::PublicKey;
use cosmrs::tx::{AuthInfo, Body, Fee, ModeInfo, SignMode, SignerInfo};
use cosmrs::Any;
use prost::Message;
use sha2::{Digest, Sha256};

use crate::keys::AccountKey;

/// Type URL of `cosmos.bank.v1beta1.MsgSend` (the bank module's).
pub use rampart_bank::urls::MSG_SEND as MSG_SEND_TYPE_URL;

/// Everything a signature commits to besides the messages.
#[derive(Debug, Clone, PartialEq)]
pub struct TxParams {
    /// The chain id (signing for another chain fails with code 4).
    pub chain_id: String,
    /// The signer's account number.
    pub account_number: u64,
    /// The signer's current sequence.
    pub sequence: u64,
    /// The fee paid by the signer.
    pub fee: Vec<Coin>,
    /// The gas limit.
    pub gas_limit: u64,
    /// The memo.
    pub memo: String,
    /// Last height at which the tx may be included (0: none).
    pub timeout_height: u64,
}

/// A signed transaction ready to broadcast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTx {
    /// The `TxRaw` bytes.
    pub tx_bytes: Vec<u8>,
    /// sha256 of `tx_bytes` (the CometBFT tx hash).
    pub hash: [u8; 32],
}

impl SignedTx {
    /// The tx hash as upper-case hex, as CometBFT and the SDK print it.
    pub fn hash_hex(&self) -> String {
        hex::encode_upper(self.hash)
    }
}

/// A `MsgSend` of `amount` from `from` to `to` (bech32 addresses), packed in an `Any`.
pub fn msg_send(from: &str, to: &str, amount: Vec<Coin>) -> Any {
    Any {
        type_url: MSG_SEND_TYPE_URL.into(),
        value: MsgSend {
            from_address: from.into(),
            to_address: to.into(),
            amount,
        }
        .encode_to_vec(),
    }
}

/// Builds and signs a single-signer transaction with SIGN_MODE_DIRECT.
pub fn sign_tx(
    messages: Vec<Any>,
    key: &AccountKey,
    params: &TxParams,
) -> anyhow::Result<SignedTx> {
    let signer = SignerInfo::single_direct(Some(key.public_key()), params.sequence);
    let (body_bytes, auth_info_bytes) = encode(messages, signer, params)?;
    let sign_doc = sign_doc_bytes(
        &body_bytes,
        &auth_info_bytes,
        &params.chain_id,
        params.account_number,
    );
    let signature = key.sign(&sign_doc)?;
    Ok(raw(body_bytes, auth_info_bytes, signature))
}

/// A transaction for `Simulate`: the signer's public key and sequence, sign mode UNSPECIFIED, an
/// empty signature, no fee and zero gas (what CosmJS sends for `gas: "auto"`).
pub fn simulation_tx(
    messages: Vec<Any>,
    public_key: PublicKey,
    sequence: u64,
    memo: &str,
) -> anyhow::Result<Vec<u8>> {
    simulation_tx_with_fee(messages, public_key, sequence, memo, &[])
}

/// [`simulation_tx`] carrying the fee the real transaction will pay, so the simulated gas
/// includes deducting it (a few thousand gas that an estimate without a fee misses).
pub fn simulation_tx_with_fee(
    messages: Vec<Any>,
    public_key: PublicKey,
    sequence: u64,
    memo: &str,
    fee: &[Coin],
) -> anyhow::Result<Vec<u8>> {
    let signer = SignerInfo {
        public_key: Some(public_key.into()),
        mode_info: ModeInfo::single(SignMode::Unspecified),
        sequence,
    };
    let params = TxParams {
        chain_id: String::new(),
        account_number: 0,
        sequence,
        fee: fee.to_vec(),
        gas_limit: 0,
        memo: memo.into(),
        timeout_height: 0,
    };
    let (body_bytes, auth_info_bytes) = encode(messages, signer, &params)?;
    Ok(raw(body_bytes, auth_info_bytes, vec![]).tx_bytes)
}

/// The SIGN_MODE_DIRECT sign bytes: `SignDoc{body_bytes, auth_info_bytes, chain_id,
/// account_number}` with the byte fields copied verbatim.
pub fn sign_doc_bytes(
    body_bytes: &[u8],
    auth_info_bytes: &[u8],
    chain_id: &str,
    account_number: u64,
) -> Vec<u8> {
    cosmos_sdk_proto::cosmos::tx::v1beta1::SignDoc {
        body_bytes: body_bytes.to_vec(),
        auth_info_bytes: auth_info_bytes.to_vec(),
        chain_id: chain_id.to_owned(),
        account_number,
    }
    .encode_to_vec()
}

fn encode(
    messages: Vec<Any>,
    signer: SignerInfo,
    params: &TxParams,
) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let fee = Fee {
        amount: params
            .fee
            .iter()
            .map(cosmrs::Coin::try_from)
            .collect::<Result<_, _>>()
            .map_err(|e| anyhow!("invalid fee: {e}"))?,
        gas_limit: params.gas_limit,
        payer: None,
        granter: None,
    };
    let timeout = tendermint::block::Height::try_from(params.timeout_height)
        .map_err(|_| anyhow!("timeout height {} is too large", params.timeout_height))?;
    let body = Body::new(messages, params.memo.clone(), timeout);
    let auth_info: AuthInfo = signer.auth_info(fee);
    let body_bytes = body
        .into_bytes()
        .map_err(|e| anyhow!("cannot encode tx body: {e}"))?;
    let auth_info_bytes = auth_info
        .into_bytes()
        .map_err(|e| anyhow!("cannot encode auth info: {e}"))?;
    Ok((body_bytes, auth_info_bytes))
}

fn raw(body_bytes: Vec<u8>, auth_info_bytes: Vec<u8>, signature: Vec<u8>) -> SignedTx {
    let tx_bytes = TxRaw {
        body_bytes,
        auth_info_bytes,
        signatures: vec![signature],
    }
    .encode_to_vec();
    let hash = Sha256::digest(&tx_bytes).into();
    SignedTx { tx_bytes, hash }
}
