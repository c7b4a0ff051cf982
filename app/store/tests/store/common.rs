//! Shared helpers: opening stores, building changes, an independent reference root.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, OwnedValue, Sha256Jmt, Version};
use rampart_core::state::{Changes, KeyValue, StateRead};
use rampart_store::{CommitInfo, Storage, StorageConfig};

/// A model of state: key → value.
pub type Model = BTreeMap<Vec<u8>, Vec<u8>>;

pub fn open(dir: &Path, keep_recent: u64) -> Storage {
    Storage::open(
        dir,
        StorageConfig {
            keep_recent,
            ..Default::default()
        },
    )
    .expect("open store")
}

pub fn commit(store: &Storage, height: u64, changes: &Changes) -> CommitInfo {
    let pending = store.prepare(height, changes).expect("prepare");
    let expected = pending.app_hash();
    let info = store.commit(pending).expect("commit");
    assert_eq!(info.height, height);
    assert_eq!(info.app_hash, expected, "commit returns the prepared root");
    assert_eq!(store.latest(), Some(info));
    info
}

/// Changes from `(key, Some(value) | None)` pairs.
pub fn changes<K: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &[(K, Option<V>)]) -> Changes {
    pairs
        .iter()
        .map(|(k, v)| (k.as_ref().to_vec(), v.as_ref().map(|v| v.as_ref().to_vec())))
        .collect()
}

pub fn put(pairs: &[(&str, &str)]) -> Changes {
    pairs
        .iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), Some(v.as_bytes().to_vec())))
        .collect()
}

pub fn apply(model: &mut Model, changes: &Changes) {
    for (k, v) in changes {
        match v {
            Some(v) => model.insert(k.clone(), v.clone()),
            None => model.remove(k),
        };
    }
}

pub fn all(state: &impl StateRead) -> Vec<KeyValue> {
    state.scan_prefix(b"").collect()
}

pub fn model_vec(model: &Model) -> Vec<KeyValue> {
    model.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// A tree reader over nothing: a JMT built on it at version 0 starts empty.
struct Nothing;

impl TreeReader for Nothing {
    fn get_node_option(&self, _: &NodeKey) -> anyhow::Result<Option<Node>> {
        Ok(None)
    }
    fn get_value_option(&self, _: Version, _: KeyHash) -> anyhow::Result<Option<OwnedValue>> {
        Ok(None)
    }
    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        Ok(None)
    }
}

/// The JMT root of exactly `model`, computed in memory from scratch (independent of the store).
pub fn reference_root(model: &Model) -> [u8; 32] {
    let (root, _) = Sha256Jmt::new(&Nothing)
        .put_value_set(
            model
                .iter()
                .map(|(k, v)| (KeyHash::with::<sha2::Sha256>(k), Some(v.clone()))),
            0,
        )
        .expect("in-memory JMT");
    root.0
}

/// How many internal nodes the JMT of exactly `model` has (its shape depends only on the keys).
pub fn reference_internal_nodes(model: &Model) -> u64 {
    let (_, update) = Sha256Jmt::new(&Nothing)
        .put_value_set(
            model
                .iter()
                .map(|(k, v)| (KeyHash::with::<sha2::Sha256>(k), Some(v.clone()))),
            0,
        )
        .expect("in-memory JMT");
    update
        .node_batch
        .nodes()
        .values()
        .filter(|node| matches!(node, Node::Internal(_)))
        .count() as u64
}

/// A small deterministic pseudo-random generator (test-only; never used by the store).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}
