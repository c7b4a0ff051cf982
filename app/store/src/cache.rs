//! Bounded in-memory caches of committed data, kept between blocks: the JMT's decoded internal
//! nodes (a node never changes once written: its key names its version) and the values of the
//! latest committed height (refreshed by every commit with the keys it wrote).
//!
//! Both only save reads of data that is already durable; neither is ever written to disk nor
//! consulted for anything but the exact data it copies, so a crash, a restart or an eviction
//! changes no result, only the time it takes. Both evict the oldest entry first once over their
//! byte bound; the node cache also drops the nodes a commit replaces. Maps here are only looked
//! up, never iterated, so their order affects nothing.

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use jmt::storage::{Node, NodeKey};

/// Most bytes of decoded internal JMT nodes kept: ≈ 107,000 nodes. A tree of 300,000 hashed
/// keys has 104,333 internal nodes (measured), ≈ 0.35 per key.
const NODE_BYTES: usize = 112 * 1024 * 1024;
/// Bytes counted per cached internal node besides its nibble path: its 16 child slots (56 bytes
/// each, boxed: 896), the `Node` and `NodeKey` in the map, the key again in the eviction queue,
/// and the heap copies of its path.
const INTERNAL_NODE_OVERHEAD: usize = 1_088;
/// Most bytes of keys and values kept for the latest height.
const VALUE_BYTES: usize = 64 * 1024 * 1024;
/// Fixed cost counted per cached value besides its bytes (map and queue entries).
const VALUE_OVERHEAD: usize = 64;

/// A map that forgets its oldest entries past a total weight.
struct Fifo<K, V> {
    /// Entry, its weight and its insertion number.
    map: HashMap<K, (V, usize, u64)>,
    /// Keys in insertion order with their insertion number; an entry whose number no longer
    /// matches the map's (removed, or removed and inserted again) is skipped.
    order: VecDeque<(K, u64)>,
    weight: usize,
    max_weight: usize,
    next: u64,
}

impl<K: Hash + Eq + Clone, V> Fifo<K, V> {
    fn new(max_weight: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            weight: 0,
            max_weight,
            next: 0,
        }
    }

    fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(key).map(|(value, _, _)| value)
    }

    /// Inserts or replaces `key` (a replaced entry keeps its place in the eviction order), then
    /// evicts the oldest entries while over the bound. An entry heavier than the bound is not
    /// kept.
    fn insert(&mut self, key: K, value: V, weight: usize) {
        match self.map.get_mut(&key) {
            Some(entry) => {
                self.weight = self.weight.saturating_sub(entry.1);
                entry.0 = value;
                entry.1 = weight;
            }
            None => {
                let number = self.next;
                self.next = self.next.wrapping_add(1);
                self.order.push_back((key.clone(), number));
                self.map.insert(key, (value, weight, number));
            }
        }
        self.weight = self.weight.saturating_add(weight);
        while self.weight > self.max_weight {
            let Some((oldest, number)) = self.order.pop_front() else {
                break;
            };
            if self.map.get(&oldest).is_some_and(|entry| entry.2 == number) {
                if let Some((_, old, _)) = self.map.remove(&oldest) {
                    self.weight = self.weight.saturating_sub(old);
                }
            }
        }
    }

    /// Forgets `key`. Its place in the order queue is skipped later; the queue is compacted
    /// when skipped places outnumber live ones, so it stays within twice the entries.
    fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
    {
        if let Some((_, weight, _)) = self.map.remove(key) {
            self.weight = self.weight.saturating_sub(weight);
        }
        if self.order.len() > self.map.len().saturating_mul(2).saturating_add(64) {
            let map = &self.map;
            self.order.retain(|(queued, number)| {
                map.get::<K>(queued).is_some_and(|entry| entry.2 == *number)
            });
        }
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
        self.weight = 0;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves the cache consistent (whole entries in or out).
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The JMT's decoded internal nodes by node key, and counts of how reads were served.
///
/// Only internal nodes are kept: a leaf is read once, when its key is next written, and is
/// replaced by that write, so caching leaves would only push internal nodes out. The nodes a
/// commit makes stale (replaced in the new version) are dropped at that commit, so the cache
/// holds the internal nodes of the latest tree (the nodes a block's update walks) plus whatever
/// reads of older heights brought in; past [`NODE_BYTES`] the longest-cached node goes first —
/// the one whose subtree has gone longest without a write.
pub(crate) struct NodeCache {
    nodes: Mutex<Fifo<NodeKey, Node>>,
    /// Nodes read from sled (not cached, or leaves).
    reads: AtomicU64,
    /// Nodes served from the cache.
    hits: AtomicU64,
}

impl Default for NodeCache {
    fn default() -> Self {
        Self::with_bytes(NODE_BYTES)
    }
}

/// The bytes an internal node with `key` is counted for.
fn node_weight(key: &NodeKey) -> usize {
    INTERNAL_NODE_OVERHEAD.saturating_add(key.nibble_path().num_nibbles().div_ceil(2))
}

impl NodeCache {
    /// An empty cache of at most `bytes` of internal nodes.
    pub(crate) fn with_bytes(bytes: usize) -> Self {
        Self {
            nodes: Mutex::new(Fifo::new(bytes)),
            reads: AtomicU64::new(0),
            hits: AtomicU64::new(0),
        }
    }

    /// The node stored under `key`, if cached (counted as a hit).
    pub(crate) fn get(&self, key: &NodeKey) -> Option<Node> {
        let node = lock(&self.nodes).get(key).cloned();
        if node.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        node
    }

    /// Whether the cache keeps `node` (internal nodes only).
    pub(crate) fn keeps(node: &Node) -> bool {
        matches!(node, Node::Internal(_))
    }

    /// Remembers a node read from, or just committed to, the store if it is one the cache
    /// [keeps](Self::keeps).
    pub(crate) fn insert(&self, key: NodeKey, node: Node) {
        if Self::keeps(&node) {
            let weight = node_weight(&key);
            lock(&self.nodes).insert(key, node, weight);
        }
    }

    /// Counts a node read from the store.
    pub(crate) fn count_read(&self) {
        self.reads.fetch_add(1, Ordering::Relaxed);
    }

    /// Forgets nodes that a commit replaced.
    pub(crate) fn remove_stale<'a>(&self, keys: impl IntoIterator<Item = &'a NodeKey>) {
        let mut nodes = lock(&self.nodes);
        for key in keys {
            nodes.remove(key);
        }
    }

    /// (nodes read from the store, nodes served from the cache, nodes cached, bytes counted).
    pub(crate) fn counts(&self) -> (u64, u64, usize, usize) {
        let nodes = lock(&self.nodes);
        (
            self.reads.load(Ordering::Relaxed),
            self.hits.load(Ordering::Relaxed),
            nodes.len(),
            nodes.weight,
        )
    }
}

/// What a key held at the latest committed version, against a new value for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Prior {
    /// The key held a value.
    pub(crate) held: bool,
    /// The new value is what the key held (a delete of an absent key included).
    pub(crate) same: bool,
}

/// Values (and absences) of keys at the latest committed version.
pub(crate) struct ValueCache {
    inner: Mutex<Values>,
}

struct Values {
    /// The version the entries hold; `None` before the first commit is known.
    version: Option<u64>,
    entries: Fifo<Vec<u8>, Option<Vec<u8>>>,
}

fn value_weight(key: &[u8], value: Option<&[u8]>) -> usize {
    key.len()
        .saturating_add(value.map_or(0, <[u8]>::len))
        .saturating_add(VALUE_OVERHEAD)
}

impl ValueCache {
    /// An empty cache for the latest committed `version` (`None` before the first commit).
    pub(crate) fn new(version: Option<u64>) -> Self {
        Self {
            inner: Mutex::new(Values {
                version,
                entries: Fifo::new(VALUE_BYTES),
            }),
        }
    }

    /// The value of `key` at `version`, if `version` is the cached one and the key is cached:
    /// `Some(None)` for a key known to be absent.
    pub(crate) fn get(&self, key: &[u8], version: u64) -> Option<Option<Vec<u8>>> {
        let inner = lock(&self.inner);
        if inner.version != Some(version) {
            return None;
        }
        inner.entries.get(key).cloned()
    }

    /// What `key` holds at `version` against a new `value` for it, if the cache knows (see
    /// [`ValueCache::get`]).
    pub(crate) fn prior(&self, key: &[u8], version: u64, value: Option<&[u8]>) -> Option<Prior> {
        let inner = lock(&self.inner);
        if inner.version != Some(version) {
            return None;
        }
        inner.entries.get(key).map(|held| Prior {
            held: held.is_some(),
            same: held.as_deref() == value,
        })
    }

    /// Remembers what `key` holds at `version`, read from the store, unless a commit has moved
    /// the cache past `version` meanwhile.
    pub(crate) fn fill(&self, key: &[u8], version: u64, value: Option<&[u8]>) {
        let mut inner = lock(&self.inner);
        if inner.version == Some(version) {
            let weight = value_weight(key, value);
            inner
                .entries
                .insert(key.to_vec(), value.map(<[u8]>::to_vec), weight);
        }
    }

    /// Moves the cache to `version`, just committed with `written` on top of `previous` (the
    /// version the entries held before, if any): the written keys take their new values. If
    /// the cache held another version, it starts over with only the written keys.
    pub(crate) fn advance(
        &self,
        previous: Option<u64>,
        version: u64,
        written: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    ) {
        let mut inner = lock(&self.inner);
        if inner.version != previous {
            inner.entries.clear();
        }
        inner.version = Some(version);
        for (key, value) in written {
            let weight = value_weight(&key, value.as_deref());
            inner.entries.insert(key, value, weight);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_forgets_the_oldest_past_its_weight() {
        let mut fifo = Fifo::new(3);
        for i in 0..5u8 {
            fifo.insert(i, i, 1);
        }
        assert_eq!(fifo.map.len(), 3);
        assert_eq!(fifo.get(&0), None);
        assert_eq!(fifo.get(&4), Some(&4));
        fifo.insert(4, 40, 3);
        assert_eq!(fifo.weight, 3);
        assert_eq!(fifo.get(&4), Some(&40));
        assert_eq!(fifo.map.len(), 1);
    }

    #[test]
    fn a_removed_entry_is_not_evicted_in_place_of_its_reinsertion() {
        let mut fifo = Fifo::new(2);
        fifo.insert(1u8, 1u8, 1);
        fifo.insert(2, 2, 1);
        fifo.remove(&1);
        assert_eq!((fifo.len(), fifo.weight), (1, 1));
        fifo.insert(1, 10, 1);
        // The queue still holds 1's first place; evicting must skip it and take 2, the oldest.
        fifo.insert(3, 3, 1);
        assert_eq!(fifo.get(&2), None);
        assert_eq!(fifo.get(&1), Some(&10));
        assert_eq!(fifo.get(&3), Some(&3));
        // Removals never let the queue grow past twice the entries (plus slack).
        for i in 0..1_000u32 {
            fifo.insert(200 + (i % 50) as u8, 0, 0);
            fifo.remove(&(200 + (i % 50) as u8));
        }
        assert!(
            fifo.order.len() <= 2 * fifo.len() + 65,
            "{}",
            fifo.order.len()
        );
    }

    /// The nodes of a JMT holding `keys` keys, computed in memory.
    fn tree_nodes(keys: u16) -> Vec<(NodeKey, Node)> {
        struct Nothing;
        impl jmt::storage::TreeReader for Nothing {
            fn get_node_option(&self, _: &NodeKey) -> anyhow::Result<Option<Node>> {
                Ok(None)
            }
            fn get_value_option(
                &self,
                _: jmt::Version,
                _: jmt::KeyHash,
            ) -> anyhow::Result<Option<jmt::OwnedValue>> {
                Ok(None)
            }
            fn get_rightmost_leaf(
                &self,
            ) -> anyhow::Result<Option<(NodeKey, jmt::storage::LeafNode)>> {
                Ok(None)
            }
        }
        let values = (0..keys).map(|i| {
            (
                jmt::KeyHash::with::<sha2::Sha256>(i.to_be_bytes()),
                Some(vec![1]),
            )
        });
        let (_, update) = jmt::Sha256Jmt::new(&Nothing)
            .put_value_set(values, 0)
            .expect("in-memory JMT");
        update.node_batch.nodes().clone().into_iter().collect()
    }

    #[test]
    fn node_cache_keeps_internal_nodes_within_its_bytes_and_drops_stale_ones() {
        let nodes = tree_nodes(600);
        let internal: Vec<_> = nodes
            .iter()
            .filter(|(_, node)| matches!(node, Node::Internal(_)))
            .collect();
        assert!(internal.len() > 16 && internal.len() < nodes.len() / 2);

        let cache = NodeCache::default();
        for (key, node) in &nodes {
            cache.insert(key.clone(), node.clone());
        }
        let (_, _, cached, bytes) = cache.counts();
        assert_eq!(cached, internal.len(), "leaves are not kept");
        assert!(bytes >= cached * INTERNAL_NODE_OVERHEAD);
        for (key, node) in &nodes {
            assert_eq!(cache.get(key).is_some(), matches!(node, Node::Internal(_)));
        }
        let (root, _) = internal
            .iter()
            .find(|(key, _)| key.nibble_path().num_nibbles() == 0)
            .expect("a root");
        cache.remove_stale([root, &nodes[0].0]);
        assert_eq!(cache.get(root), None, "a replaced node is dropped");
        assert_eq!(cache.counts().2, internal.len() - 1);

        // Bounded by bytes: room for ten nodes keeps the last ten inserted.
        let small = NodeCache::with_bytes(10 * (INTERNAL_NODE_OVERHEAD + 8));
        for (key, node) in &internal {
            small.insert((*key).clone(), (*node).clone());
        }
        let (_, _, cached, bytes) = small.counts();
        assert_eq!(cached, 10);
        assert!(bytes <= 10 * (INTERNAL_NODE_OVERHEAD + 8));
        let last = &internal[internal.len() - 1].0;
        assert!(small.get(last).is_some());
        assert!(small.get(&internal[0].0).is_none());
    }

    #[test]
    fn values_serve_only_their_version() {
        let cache = ValueCache::new(None);
        cache.fill(b"k", 0, Some(b"v"));
        assert_eq!(cache.get(b"k", 0), None, "no version known yet");
        cache.advance(None, 0, vec![(b"a".to_vec(), Some(b"1".to_vec()))]);
        cache.fill(b"k", 0, Some(b"v"));
        assert_eq!(cache.get(b"k", 0), Some(Some(b"v".to_vec())));
        assert_eq!(cache.get(b"a", 0), Some(Some(b"1".to_vec())));
        cache.advance(Some(0), 1, vec![(b"k".to_vec(), None)]);
        assert_eq!(cache.get(b"k", 0), None, "an older version reads the store");
        assert_eq!(cache.get(b"k", 1), Some(None));
        assert_eq!(cache.get(b"a", 1), Some(Some(b"1".to_vec())));
        cache.fill(b"z", 0, Some(b"stale"));
        assert_eq!(
            cache.get(b"z", 1),
            None,
            "a read of an older version is not kept"
        );
        cache.advance(Some(5), 7, Vec::new());
        assert_eq!(cache.get(b"a", 7), None, "a gap starts over");
    }
}
