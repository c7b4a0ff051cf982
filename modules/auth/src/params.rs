//! Auth parameters: memo and signature limits and the gas charged for transaction bytes and
//! signature verification (SDK defaults).

use cosmos_sdk_proto::cosmos::auth::v1beta1::Params;
use rampart_core::error::{AppError, AppResult, SdkCode};
use serde::{Deserialize, Serialize};

use crate::json::u64_text;

/// The `auth` parameters, in the SDK's JSON shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthParams {
    /// Longest memo accepted, in characters.
    #[serde(with = "u64_text")]
    pub max_memo_characters: u64,
    /// Most signatures in one transaction.
    #[serde(with = "u64_text")]
    pub tx_sig_limit: u64,
    /// Gas per transaction byte.
    #[serde(with = "u64_text")]
    pub tx_size_cost_per_byte: u64,
    /// Gas per ed25519 signature verification.
    #[serde(with = "u64_text")]
    pub sig_verify_cost_ed25519: u64,
    /// Gas per secp256k1 signature verification.
    #[serde(with = "u64_text")]
    pub sig_verify_cost_secp256k1: u64,
}

impl Default for AuthParams {
    fn default() -> Self {
        Self {
            max_memo_characters: 256,
            tx_sig_limit: 7,
            tx_size_cost_per_byte: 10,
            sig_verify_cost_ed25519: 590,
            sig_verify_cost_secp256k1: 1000,
        }
    }
}

impl AuthParams {
    /// Refuses zero values, as the SDK's `Params.Validate` does.
    pub fn validate(&self) -> AppResult<()> {
        let fields = [
            ("max_memo_characters", self.max_memo_characters),
            ("tx_sig_limit", self.tx_sig_limit),
            ("tx_size_cost_per_byte", self.tx_size_cost_per_byte),
            ("sig_verify_cost_ed25519", self.sig_verify_cost_ed25519),
            ("sig_verify_cost_secp256k1", self.sig_verify_cost_secp256k1),
        ];
        match fields.iter().find(|(_, value)| *value == 0) {
            Some((name, _)) => Err(AppError::sdk(
                SdkCode::InvalidRequest,
                format!("invalid auth parameter {name}: must be positive"),
            )),
            None => Ok(()),
        }
    }

    /// The protobuf form.
    pub fn to_proto(&self) -> Params {
        Params {
            max_memo_characters: self.max_memo_characters,
            tx_sig_limit: self.tx_sig_limit,
            tx_size_cost_per_byte: self.tx_size_cost_per_byte,
            sig_verify_cost_ed25519: self.sig_verify_cost_ed25519,
            sig_verify_cost_secp256k1: self.sig_verify_cost_secp256k1,
        }
    }

    /// From the protobuf form.
    pub fn from_proto(p: &Params) -> Self {
        Self {
            max_memo_characters: p.max_memo_characters,
            tx_sig_limit: p.tx_sig_limit,
            tx_size_cost_per_byte: p.tx_size_cost_per_byte,
            sig_verify_cost_ed25519: p.sig_verify_cost_ed25519,
            sig_verify_cost_secp256k1: p.sig_verify_cost_secp256k1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_uses_strings_and_accepts_numbers() {
        let json = serde_json::to_value(AuthParams::default()).expect("serializes");
        assert_eq!(json["max_memo_characters"], "256");
        let mut numeric = json.clone();
        numeric["tx_sig_limit"] = serde_json::json!(3);
        let parsed: AuthParams = serde_json::from_value(numeric).expect("numbers accepted");
        assert_eq!(parsed.tx_sig_limit, 3);
        let zero = AuthParams {
            tx_sig_limit: 0,
            ..AuthParams::default()
        };
        assert!(zero.validate().is_err());
    }
}
