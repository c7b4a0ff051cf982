//! `cosmos.slashing.v1beta1` messages: unjailing.

use cosmos_sdk_proto::cosmos::slashing::v1beta1 as pb;
use cosmrs::{AccountId, Any};
pub use rampart_slashing::urls::MSG_UNJAIL;

use super::to_any;

/// A `MsgUnjail` of the validator operated at `validator` (`rampartvaloper1…`).
pub fn unjail_msg(validator: &AccountId) -> Any {
    to_any(
        MSG_UNJAIL,
        &pb::MsgUnjail {
            validator_addr: validator.to_string(),
        },
    )
}
