//! Validator consensus keys on the wire: the `Any`-wrapped ed25519 key of `MsgCreateValidator`
//! and stored validators. Stateless, so also built without the `component` feature (the client
//! checks `create_validator` messages with it).

use cosmos_sdk_proto::cosmos::crypto::ed25519::PubKey;
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use tendermint_proto::google::protobuf::Any;

use crate::errors::{err, StakingCode};

/// Type URL of an ed25519 consensus key.
pub const ED25519_PUBKEY_URL: &str = "/cosmos.crypto.ed25519.PubKey";

/// Decodes an ed25519 consensus key from its `Any`.
pub fn pubkey_from_any(any: Option<&Any>) -> AppResult<[u8; 32]> {
    let any = any.ok_or_else(|| {
        err(
            StakingCode::EmptyValidatorPubKey,
            "empty validator public key",
        )
    })?;
    if any.type_url != ED25519_PUBKEY_URL {
        return Err(err(
            StakingCode::ValidatorPubKeyTypeNotSupported,
            format!(
                "got: {}, expected: [ed25519]: validator pubkey type is not supported",
                any.type_url
            ),
        ));
    }
    let key = PubKey::decode(any.value.as_slice())
        .map_err(|e| AppError::sdk(SdkCode::InvalidPubKey, format!("ed25519 pubkey: {e}")))?;
    key.key.as_slice().try_into().map_err(|_| {
        AppError::sdk(
            SdkCode::InvalidPubKey,
            format!("ed25519 pubkey must be 32 bytes, got {}", key.key.len()),
        )
    })
}

/// The consensus key of a new validator (`create_validator`): [`pubkey_from_any`]'s checks,
/// then [`rampart_core::ed25519::check_consensus_key`] (`sdk/8` for a key off the curve or of
/// small order, which would let anyone forge its votes). Stored validators are decoded with
/// [`pubkey_from_any`] alone: their keys were checked when they were created.
pub fn new_pubkey_from_any(any: Option<&Any>) -> AppResult<[u8; 32]> {
    let pubkey = pubkey_from_any(any)?;
    rampart_core::ed25519::check_consensus_key(&pubkey)?;
    Ok(pubkey)
}

/// The `Any` of an ed25519 consensus key.
pub fn pubkey_to_any(pubkey: &[u8; 32]) -> Any {
    Any {
        type_url: ED25519_PUBKEY_URL.into(),
        value: PubKey {
            key: pubkey.to_vec(),
        }
        .encode_to_vec(),
    }
}
