//! The Jellyfish Merkle Tree over sled: a [`TreeReader`] (and [`HasPreimage`] for ICS-23
//! non-existence proofs) reading committed nodes, plus the conversion of a JMT
//! [`TreeUpdateBatch`] into sled batch operations.
//!
//! Values are not stored a second time for the JMT: `get_value_option(version, key_hash)` maps
//! the key hash to its key through the preimage table and reads the versioned history table,
//! which is the single copy of every value.

use std::collections::{BTreeMap, BTreeSet};

use jmt::storage::{HasPreimage, LeafNode, Node, NodeKey, TreeReader, TreeUpdateBatch};
use jmt::{KeyHash, OwnedValue, RootHash, Sha256Jmt, Version};

use crate::cache::NodeCache;
use crate::history;
use crate::io::CountedBatch;
use crate::keys;

/// Reads committed JMT data from the store's sled tree, through a node cache if it has one.
pub(crate) struct SledTreeReader<'a> {
    tree: &'a sled::Tree,
    nodes: Option<&'a NodeCache>,
}

impl<'a> SledTreeReader<'a> {
    /// A reader over `tree`.
    pub(crate) fn new(tree: &'a sled::Tree) -> Self {
        Self { tree, nodes: None }
    }

    /// A reader over `tree` that keeps the nodes it decodes in `nodes` and looks there first.
    pub(crate) fn cached(tree: &'a sled::Tree, nodes: &'a NodeCache) -> Self {
        Self {
            tree,
            nodes: Some(nodes),
        }
    }
}

impl TreeReader for SledTreeReader<'_> {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        if let Some(node) = self.nodes.and_then(|nodes| nodes.get(node_key)) {
            return Ok(Some(node));
        }
        let key = keys::node_key(node_key)?;
        if let Some(nodes) = self.nodes {
            nodes.count_read();
        }
        match self.tree.get(&key)? {
            None => Ok(None),
            Some(bytes) => {
                let node = borsh::from_slice::<Node>(&bytes).map_err(|err| {
                    anyhow::anyhow!("undecodable JMT node at {node_key:?}: {err}")
                })?;
                if let Some(nodes) = self.nodes.filter(|_| NodeCache::keeps_read(&node)) {
                    nodes.insert(node_key.clone(), node.clone());
                }
                Ok(Some(node))
            }
        }
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<OwnedValue>> {
        match self.preimage(key_hash)? {
            None => Ok(None),
            Some(key) => history::value_at(self.tree, &key, max_version)
                .map_err(|err| anyhow::anyhow!("{err}")),
        }
    }

    /// The leaf with the largest key hash in the latest committed version (walks the rightmost
    /// path from the latest root). Only JMT restore uses this.
    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        let Some(version) = latest_version(self.tree)? else {
            return Ok(None);
        };
        let mut node_key = NodeKey::new(version, std::iter::empty().collect());
        loop {
            match self.get_node(&node_key)? {
                Node::Null => return Ok(None),
                Node::Leaf(leaf) => return Ok(Some((node_key, leaf))),
                Node::Internal(internal) => {
                    let Some((nibble, child)) = internal.children_sorted().last() else {
                        anyhow::bail!("internal JMT node {node_key:?} has no children");
                    };
                    let path = node_key
                        .nibble_path()
                        .nibbles()
                        .chain(std::iter::once(nibble))
                        .collect();
                    node_key = NodeKey::new(child.version, path);
                }
            }
        }
    }
}

impl HasPreimage for SledTreeReader<'_> {
    fn preimage(&self, key_hash: KeyHash) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self
            .tree
            .get(keys::preimage_key(key_hash))?
            .map(|key| key.to_vec()))
    }
}

/// The JMT version of the latest commit, from the metadata records (`None` before the first).
fn latest_version(tree: &sled::Tree) -> anyhow::Result<Option<Version>> {
    let (Some(latest), Some(first)) = (
        tree.get(keys::META_LATEST_HEIGHT)?,
        tree.get(keys::META_FIRST_HEIGHT)?,
    ) else {
        return Ok(None);
    };
    let (Some(latest), Some(first)) = (keys::decode_u64(&latest), keys::decode_u64(&first)) else {
        anyhow::bail!("undecodable height metadata");
    };
    match latest.checked_sub(first) {
        Some(version) => Ok(Some(version)),
        None => anyhow::bail!("latest height {latest} is below first height {first}"),
    }
}

/// The root of `version` and its tree update: the latest committed tree (`version - 1`) with
/// `writes` applied (distinct key hashes, `None` deletes).
///
/// Without deletes (a block's usual write set) the JMT's batch insertion runs: it walks each
/// touched node once, rebuilding and hashing it once for the whole set, where the key-by-key
/// update rebuilds and rehashes the path from the root for every key. The batch insertion has no
/// deletes, so a set with one runs key by key. Both give the same nodes, stale nodes and root:
/// a JMT's shape is a function of its key set and every touched node takes the new version
/// (test `batch_and_key_by_key_updates_write_the_same_tree`).
pub(crate) fn update(
    reader: &SledTreeReader<'_>,
    writes: Vec<(KeyHash, Option<OwnedValue>)>,
    version: Version,
) -> anyhow::Result<(RootHash, TreeUpdateBatch)> {
    let jmt = Sha256Jmt::new(reader);
    // The batch insertion refuses an empty set, which the key-by-key update turns into a copy
    // of the previous root.
    if writes.is_empty() || writes.iter().any(|(_, value)| value.is_none()) {
        return jmt.put_value_set(writes, version);
    }
    let sets: Vec<(KeyHash, OwnedValue)> = writes
        .into_iter()
        .filter_map(|(hash, value)| value.map(|value| (hash, value)))
        .collect();
    let (roots, update) = jmt.batch_put_value_sets(vec![sets], None, version)?;
    match roots.as_slice() {
        [root] => Ok((*root, update)),
        _ => anyhow::bail!("the JMT returned {} roots for one version", roots.len()),
    }
}

/// Adds the JMT nodes and stale-node index of `update` (computed for `version`) to `batch`: one
/// record per node, and one stale-index list record per stale-since version.
///
/// The root of `version - 1` is always recorded as stale since `version`: a root is never
/// referenced by another node, and the JMT does not index it itself when a block leaves the tree
/// unchanged (it copies the old root to the new version), which would otherwise leak one node per
/// empty block.
pub(crate) fn add_tree_update(
    batch: &mut CountedBatch,
    update: &TreeUpdateBatch,
    version: Version,
) -> std::io::Result<()> {
    for (node_key, node) in update.node_batch.nodes() {
        batch.insert(keys::node_key(node_key)?, borsh::to_vec(node)?);
    }
    let mut stale: BTreeMap<Version, BTreeSet<Vec<u8>>> = BTreeMap::new();
    for entry in &update.stale_node_index_batch {
        let node = keys::node_key(&entry.node_key)?;
        stale
            .entry(entry.stale_since_version)
            .or_default()
            .insert(node);
    }
    if let Some(previous) = version.checked_sub(1) {
        let root = keys::node_key(&NodeKey::new(previous, std::iter::empty().collect()))?;
        stale.entry(version).or_default().insert(root);
    }
    for (since, nodes) in &stale {
        let list = keys::encode_list(nodes.iter().map(Vec::as_slice))?;
        batch.insert(keys::list_key(keys::STALE, *since), list);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Storage, StorageConfig};

    /// The batch insertion that `update` runs for sets without deletes writes exactly what the
    /// JMT's key-by-key update writes (root, nodes, stale nodes), on trees of every shape: empty,
    /// a single leaf, emptied again by deletes, and over a hundred keys with collapsed leaves.
    #[test]
    fn batch_and_key_by_key_updates_write_the_same_tree() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Storage::open(dir.path(), StorageConfig::default()).expect("open");
        let reader = SledTreeReader::new(store.raw_tree());
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut random = move |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        let mut present: BTreeSet<Vec<u8>> = BTreeSet::new();
        let mut compared = 0;
        for height in 1..=80u64 {
            let version = height - 1;
            // A handful of keys first (single leaves, deep splits), then a few hundred.
            let universe = if height < 20 { 4 } else { 400 };
            let mut sets = BTreeMap::new();
            for _ in 0..=random(if height < 20 { 3 } else { 60 }) {
                let key = random(universe).to_be_bytes().to_vec();
                sets.insert(key, random(5).to_be_bytes().to_vec());
            }
            let writes: Vec<_> = sets
                .iter()
                .map(|(key, value)| (KeyHash::with::<sha2::Sha256>(key), Some(value.clone())))
                .collect();
            let key_by_key = Sha256Jmt::new(&reader)
                .put_value_set(writes.clone(), version)
                .expect("key by key");
            let batch = update(&reader, writes, version).expect("batch");
            assert_eq!(batch, key_by_key, "height {height}");
            compared += 1;

            // What is committed: the sets, plus deletes now and then (every key at times).
            let mut changes: rampart_core::Changes = sets
                .into_iter()
                .map(|(key, value)| (key, Some(value)))
                .collect();
            if height % 7 == 0 && height < 40 {
                for key in &present {
                    changes.insert(key.clone(), None);
                }
            } else if height % 3 == 0 {
                for key in present.iter().filter(|_| random(3) == 0) {
                    changes.insert(key.clone(), None);
                }
            }
            for (key, value) in &changes {
                if value.is_some() {
                    present.insert(key.clone());
                } else {
                    present.remove(key);
                }
            }
            let pending = store.prepare(height, &changes).expect("prepare");
            store.commit(pending).expect("commit");
        }
        assert_eq!(compared, 80);
        assert!(
            present.len() > 100,
            "the tree grew to {} keys",
            present.len()
        );
    }

    #[test]
    fn rightmost_leaf_is_the_largest_key_hash_of_the_latest_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Storage::open(dir.path(), StorageConfig::default()).expect("open");
        let reader = SledTreeReader::new(store.raw_tree());
        assert!(reader.get_rightmost_leaf().expect("read").is_none());
        let mut changes = rampart_core::Changes::new();
        for i in 0..50u8 {
            changes.insert(vec![b'k', i], Some(vec![i]));
        }
        let pending = store.prepare(3, &changes).expect("prepare");
        store.commit(pending).expect("commit");
        let deleted = rampart_core::Changes::from([(vec![b'k', 0], None)]);
        let pending = store.prepare(4, &deleted).expect("prepare");
        store.commit(pending).expect("commit");

        let max = (1..50u8)
            .map(|i| KeyHash::with::<sha2::Sha256>([b'k', i]))
            .max()
            .expect("non-empty");
        let (node_key, leaf) = reader
            .get_rightmost_leaf()
            .expect("read")
            .expect("a leaf exists");
        assert_eq!(leaf.key_hash(), max);
        assert!(node_key.version() <= 1, "version of height 4 at most");
        // Values resolve through the preimage and history tables.
        let preimage = reader.preimage(max).expect("read").expect("present");
        let value = reader.get_value_option(1, max).expect("read");
        assert_eq!(value, Some(vec![preimage[1]]));
        let gone = KeyHash::with::<sha2::Sha256>([b'k', 0]);
        assert_eq!(reader.get_value_option(1, gone).expect("read"), None);
        assert_eq!(
            reader.get_value_option(0, gone).expect("read"),
            Some(vec![0])
        );
    }
}
