//! A consumer's allow and deny lists. They are kept outside its registry entry, under
//! `consumer/lists/ ‖ id` (in force) and `consumer/pendinglists/ ‖ id` (waiting for the pending
//! parameters' effective time, [`crate::pending`]), as raw 20-byte operator addresses: decoding
//! a registry entry never touches them, and a set computation reads one value and parses no
//! bech32. The messages and queries carry them inside `ConsumerParams` as `rampartvaloper…`
//! text ([`ConsumerLists::from_proto`], [`ConsumerLists::fill`]).

use std::collections::BTreeSet;

use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Address, ChainProfile};
use rampart_proto::rampart::consumer::v1 as pb;

use crate::errors::{err, ConsumerCode};

/// Most entries in an allowlist or a denylist.
pub const MAX_LIST_LEN: usize = 500;

/// A consumer's allow and deny lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumerLists {
    /// Operators allowed (empty: everyone).
    pub allowlist: BTreeSet<Address>,
    /// Operators refused.
    pub denylist: BTreeSet<Address>,
}

fn operator_list(list: &[String], field: &str) -> AppResult<BTreeSet<Address>> {
    let invalid = |why: String| err(ConsumerCode::InvalidParams, why);
    if list.len() > MAX_LIST_LEN {
        return Err(invalid(format!(
            "{field}: at most {MAX_LIST_LEN} operators"
        )));
    }
    let mut set = BTreeSet::new();
    for text in list {
        let op = ChainProfile::rampart()
            .valoper(text, field)
            .map_err(|e| invalid(e.log))?;
        if !set.insert(op) {
            return Err(invalid(format!("{field}: duplicate operator {text}")));
        }
    }
    Ok(set)
}

fn raw_list(list: &[Vec<u8>]) -> AppResult<BTreeSet<Address>> {
    list.iter()
        .map(|bytes| {
            <[u8; 20]>::try_from(bytes.as_slice())
                .map(Address)
                .map_err(|_| {
                    AppError::sdk(
                        SdkCode::Logic,
                        "corrupt consumer lists: an address of 20 bytes",
                    )
                })
        })
        .collect()
}

impl ConsumerLists {
    /// Parses and checks the lists of `p` (at most [`MAX_LIST_LEN`] distinct valid operators
    /// each; `consumer/2` otherwise).
    pub fn from_proto(p: &pb::ConsumerParams) -> AppResult<Self> {
        Ok(Self {
            allowlist: operator_list(&p.allowlist, "allowlist")?,
            denylist: operator_list(&p.denylist, "denylist")?,
        })
    }

    /// Writes the lists into `p` as `rampartvaloper…` text, in address order.
    pub fn fill(&self, p: &mut pb::ConsumerParams) {
        let text = |set: &BTreeSet<Address>| {
            set.iter()
                .map(|op| ChainProfile::rampart().to_valoper(op))
                .collect()
        };
        p.allowlist = text(&self.allowlist);
        p.denylist = text(&self.denylist);
    }

    /// Whether `op` may validate the consumer by its lists.
    pub fn allows(&self, op: &Address) -> bool {
        (self.allowlist.is_empty() || self.allowlist.contains(op)) && !self.denylist.contains(op)
    }

    /// Whether both lists are empty (everyone allowed).
    pub fn is_empty(&self) -> bool {
        self.allowlist.is_empty() && self.denylist.is_empty()
    }

    /// The stored form (`rampart.consumer.v1.ConsumerLists`).
    pub fn encode(&self) -> Vec<u8> {
        let raw = |set: &BTreeSet<Address>| set.iter().map(|op| op.0.to_vec()).collect();
        pb::ConsumerLists {
            allowlist: raw(&self.allowlist),
            denylist: raw(&self.denylist),
        }
        .encode_to_vec()
    }

    /// From the stored form; failure is corrupt state.
    pub fn decode(bytes: &[u8]) -> AppResult<Self> {
        let p = pb::ConsumerLists::decode(bytes)
            .map_err(|e| AppError::sdk(SdkCode::Logic, format!("corrupt consumer lists: {e}")))?;
        Ok(Self {
            allowlist: raw_list(&p.allowlist)?,
            denylist: raw_list(&p.denylist)?,
        })
    }
}

#[cfg(feature = "component")]
mod store {
    use super::ConsumerLists;
    use crate::keys;
    use rampart_core::error::AppResult;
    use rampart_core::{StateRead, StateWrite};

    fn read(state: &dyn StateRead, key: &[u8]) -> AppResult<ConsumerLists> {
        state
            .get(key)
            .map_or(Ok(ConsumerLists::default()), |b| ConsumerLists::decode(&b))
    }

    fn write(state: &mut dyn StateWrite, key: Vec<u8>, lists: &ConsumerLists) {
        if lists.is_empty() {
            state.delete(key);
        } else {
            state.put(key, lists.encode());
        }
    }

    /// The lists in force for consumer `id` (empty when none are stored).
    pub fn load(state: &dyn StateRead, id: u64) -> AppResult<ConsumerLists> {
        read(state, &keys::lists(id))
    }

    /// Stores the lists in force for consumer `id` (nothing when both are empty).
    pub fn store(state: &mut dyn StateWrite, id: u64, lists: &ConsumerLists) {
        write(state, keys::lists(id), lists)
    }

    /// The lists waiting for consumer `id`'s pending parameters.
    pub fn load_pending(state: &dyn StateRead, id: u64) -> AppResult<ConsumerLists> {
        read(state, &keys::pending_lists(id))
    }

    /// Stores the lists waiting for consumer `id`'s pending parameters (`None`: none wait).
    pub fn store_pending(state: &mut dyn StateWrite, id: u64, lists: Option<&ConsumerLists>) {
        match lists {
            Some(lists) => state.put(keys::pending_lists(id), lists.encode()),
            None => state.delete(keys::pending_lists(id)),
        }
    }
}

#[cfg(feature = "component")]
pub use store::{load, load_pending, store, store_pending};
