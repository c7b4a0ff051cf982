//! Messages as `Any`s, one module per chain module, each under the type URL its module crate
//! defines. A transaction is built from these with [`crate::submit::prepare_tx`].

pub mod bank;
pub mod ccv;
pub mod consumer;
pub mod distribution;
pub mod liquid;
pub mod restaking;
pub mod slashing;
pub mod staking;

use cosmrs::Any;
use prost::Message;

/// Packs `msg` as an `Any` with `type_url`.
pub fn to_any(type_url: &str, msg: &impl Message) -> Any {
    Any {
        type_url: type_url.into(),
        value: msg.encode_to_vec(),
    }
}
