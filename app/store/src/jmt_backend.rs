//! The Jellyfish Merkle Tree over sled: a [`TreeReader`] (and [`HasPreimage`] for ICS-23
//! non-existence proofs) reading committed nodes, plus the conversion of a JMT
//! [`TreeUpdateBatch`] into sled batch operations.
//!
//! Values are not stored a second time for the JMT: `get_value_option(version, key_hash)` maps
//! the key hash to its key through the preimage table and reads the versioned history table,
//! which is the single copy of every value.

use jmt::storage::{HasPreimage, LeafNode, Node, NodeKey, TreeReader, TreeUpdateBatch};
use jmt::{KeyHash, OwnedValue, Version};

use crate::history;
use crate::keys;

/// Reads committed JMT data from the store's sled tree.
pub(crate) struct SledTreeReader<'a> {
    tree: &'a sled::Tree,
}

impl<'a> SledTreeReader<'a> {
    /// A reader over `tree`.
    pub(crate) fn new(tree: &'a sled::Tree) -> Self {
        Self { tree }
    }
}

impl TreeReader for SledTreeReader<'_> {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        let key = keys::node_key(node_key)?;
        match self.tree.get(&key)? {
            None => Ok(None),
            Some(bytes) => {
                let node = borsh::from_slice::<Node>(&bytes).map_err(|err| {
                    anyhow::anyhow!("undecodable JMT node at {node_key:?}: {err}")
                })?;
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

/// Adds the JMT nodes and stale-node index of `update` (computed for `version`) to `batch`.
///
/// The root of `version - 1` is always recorded as stale since `version`: a root is never
/// referenced by another node, and the JMT does not index it itself when a block leaves the tree
/// unchanged (it copies the old root to the new version), which would otherwise leak one node per
/// empty block.
pub(crate) fn add_tree_update(
    batch: &mut sled::Batch,
    update: &TreeUpdateBatch,
    version: Version,
) -> std::io::Result<()> {
    for (node_key, node) in update.node_batch.nodes() {
        batch.insert(keys::node_key(node_key)?, borsh::to_vec(node)?);
    }
    for stale in &update.stale_node_index_batch {
        let node = keys::node_key(&stale.node_key)?;
        batch.insert(keys::stale_key(stale.stale_since_version, &node), &[]);
    }
    if let Some(previous) = version.checked_sub(1) {
        let root = keys::node_key(&NodeKey::new(previous, std::iter::empty().collect()))?;
        batch.insert(keys::stale_key(version, &root), &[]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Storage, StorageConfig};

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
