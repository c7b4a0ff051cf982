//! Bounded in-memory caches of committed data, kept between blocks: the JMT's decoded internal
//! nodes and the leaves commits wrote (a node never changes once written: its key names its
//! version), and the values of the latest committed height (refreshed by every commit with the
//! keys it wrote).
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

use jmt::storage::{LeafNode, Node, NodeKey};

/// Most bytes of decoded internal JMT nodes kept: ≈ 107,000 nodes. A tree of 300,000 hashed
/// keys has 104,333 internal nodes (measured), ≈ 0.35 per key.
const NODE_BYTES: usize = 112 * 1024 * 1024;
/// Bytes counted per cached internal node besides its nibble path: its 16 child slots (56 bytes
/// each, boxed: 896), the `Node` and `NodeKey` in the map, the key again in the eviction queue,
/// and the heap copies of its path.
const INTERNAL_NODE_OVERHEAD: usize = 1_088;
/// Most bytes of JMT leaves kept: ≈ 300,000 leaves, the leaves of a 300,000-key tree.
const LEAF_BYTES: usize = 64 * 1024 * 1024;
/// Bytes counted per cached leaf: its packed key ([`LeafKey`]) and `LeafNode` (two hashes) in the
/// map with its slack, and the key again in the eviction queue.
const LEAF_OVERHEAD: usize = 224;
/// Most bytes of keys and values kept for the latest height.
const VALUE_BYTES: usize = 64 * 1024 * 1024;
/// Fixed cost counted per cached value besides its bytes (map and queue entries, the version of
/// the key's newest history entry).
const VALUE_OVERHEAD: usize = 80;
/// The most the store's own caches hold together, in bytes: decoded internal JMT nodes, JMT
/// leaves and the latest values. sled's page cache is bounded separately
/// ([`crate::StorageConfig::cache_bytes`]).
pub const OWN_CACHES_BYTES: u64 = (NODE_BYTES + LEAF_BYTES + VALUE_BYTES) as u64;

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

/// Committed JMT nodes by node key, in two bounded maps, and counts of how reads were served.
///
/// **Internal nodes** are kept when read or committed: every block's update walks them. The
/// nodes a commit makes stale (replaced in the new version) are dropped at that commit, so the
/// map holds the internal nodes of the latest tree (plus whatever reads of older heights brought
/// in); past [`NODE_BYTES`] the longest-cached node goes first — the one whose subtree has gone
/// longest without a write.
///
/// **Leaves** are kept only when committed: a leaf is read when its key is next written (to
/// compare its key hash, then replaced), so a leaf read from sled is about to go stale and is not
/// kept, while the leaves a commit writes are the ones later blocks read — every repeat writer's
/// (an account that sends again, a balance that changes again). Past [`LEAF_BYTES`] the oldest
/// leaf goes first: the key that has gone longest without a write. The two maps are bounded
/// separately so that leaves never push out the internal nodes every block needs.
pub(crate) struct NodeCache {
    internal: Mutex<Fifo<NodeKey, Node>>,
    leaves: Mutex<Fifo<LeafKey, LeafNode>>,
    /// Nodes read from sled (not cached).
    reads: AtomicU64,
    /// Nodes served from the cache.
    hits: AtomicU64,
}

impl Default for NodeCache {
    fn default() -> Self {
        Self::with_bytes(NODE_BYTES, LEAF_BYTES)
    }
}

/// The bytes an internal node with `key` is counted for.
fn node_weight(key: &NodeKey) -> usize {
    INTERNAL_NODE_OVERHEAD.saturating_add(key.nibble_path().num_nibbles().div_ceil(2))
}

/// A leaf's node key packed into a fixed array — version (big-endian), nibble count, nibbles two
/// per byte — so that the map and its queue hold no heap copy of the path. Distinct node keys
/// pack to distinct arrays: a JMT path has at most 64 nibbles (a 32-byte key hash), and the count
/// tells a trailing zero nibble from padding.
type LeafKey = [u8; 41];

fn leaf_key(key: &NodeKey) -> LeafKey {
    let mut packed = [0u8; 41];
    let (version, rest) = packed.split_at_mut(8);
    version.copy_from_slice(&key.version().to_be_bytes());
    let (count, nibbles) = rest.split_at_mut(1);
    let path = key.nibble_path();
    count[0] = u8::try_from(path.num_nibbles()).unwrap_or(u8::MAX);
    for (i, nibble) in path.nibbles().enumerate() {
        if let Some(byte) = nibbles.get_mut(i / 2) {
            let nibble = u8::from(nibble);
            *byte |= if i % 2 == 0 { nibble << 4 } else { nibble };
        }
    }
    packed
}

/// How many nodes a [`NodeCache`] holds and the bytes they are counted for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NodeCounts {
    /// Nodes read from sled since the store opened.
    pub(crate) reads: u64,
    /// Nodes served from the cache since the store opened.
    pub(crate) hits: u64,
    /// Internal nodes cached now.
    pub(crate) internal: usize,
    /// Leaves cached now.
    pub(crate) leaves: usize,
    /// Bytes both maps are counted for.
    pub(crate) bytes: usize,
}

impl NodeCache {
    /// An empty cache of at most `internal_bytes` of internal nodes and `leaf_bytes` of leaves.
    pub(crate) fn with_bytes(internal_bytes: usize, leaf_bytes: usize) -> Self {
        Self {
            internal: Mutex::new(Fifo::new(internal_bytes)),
            leaves: Mutex::new(Fifo::new(leaf_bytes)),
            reads: AtomicU64::new(0),
            hits: AtomicU64::new(0),
        }
    }

    /// The node stored under `key`, if cached (counted as a hit).
    pub(crate) fn get(&self, key: &NodeKey) -> Option<Node> {
        let node = lock(&self.internal).get(key).cloned().or_else(|| {
            lock(&self.leaves)
                .get(&leaf_key(key))
                .map(|leaf| Node::Leaf(leaf.clone()))
        });
        if node.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        node
    }

    /// Whether a node read from sled is worth keeping: internal nodes only (see [`NodeCache`]).
    pub(crate) fn keeps_read(node: &Node) -> bool {
        matches!(node, Node::Internal(_))
    }

    /// Remembers a committed node, or one read from sled that the cache
    /// [keeps](Self::keeps_read).
    pub(crate) fn insert(&self, key: NodeKey, node: Node) {
        match node {
            Node::Internal(_) => {
                let weight = node_weight(&key);
                lock(&self.internal).insert(key, node, weight);
            }
            Node::Leaf(leaf) => {
                lock(&self.leaves).insert(leaf_key(&key), leaf, LEAF_OVERHEAD);
            }
            Node::Null => {}
        }
    }

    /// Counts a node read from the store.
    pub(crate) fn count_read(&self) {
        self.reads.fetch_add(1, Ordering::Relaxed);
    }

    /// Forgets nodes that a commit replaced.
    pub(crate) fn remove_stale<'a>(&self, keys: impl IntoIterator<Item = &'a NodeKey>) {
        let mut internal = lock(&self.internal);
        let mut leaves = lock(&self.leaves);
        for key in keys {
            internal.remove(key);
            leaves.remove(&leaf_key(key));
        }
    }

    /// What the cache holds and has served.
    pub(crate) fn counts(&self) -> NodeCounts {
        let internal = lock(&self.internal);
        let leaves = lock(&self.leaves);
        NodeCounts {
            reads: self.reads.load(Ordering::Relaxed),
            hits: self.hits.load(Ordering::Relaxed),
            internal: internal.len(),
            leaves: leaves.len(),
            bytes: internal.weight.saturating_add(leaves.weight),
        }
    }
}

/// What a key held at the latest committed version, against a new value for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Prior {
    /// The key held a value.
    pub(crate) held: bool,
    /// The new value is what the key held (a delete of an absent key included).
    pub(crate) same: bool,
    /// The version of the key's newest history entry, `None` if it has none.
    pub(crate) newest: Option<u64>,
}

/// What a key holds at the cached version, and the version of its newest history entry there
/// (`None`: the key has no entry; pruning may since have removed a tombstone entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Held {
    /// The value, `None` if the key is absent.
    pub(crate) value: Option<Vec<u8>>,
    /// The version of the key's newest history entry.
    pub(crate) newest: Option<u64>,
}

/// Values (and absences) of keys at the latest committed version.
pub(crate) struct ValueCache {
    inner: Mutex<Values>,
}

struct Values {
    /// The version the entries hold; `None` before the first commit is known.
    version: Option<u64>,
    entries: Fifo<Vec<u8>, Held>,
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
        inner.entries.get(key).map(|held| held.value.clone())
    }

    /// What `key` holds at `version` against a new `value` for it, if the cache knows (see
    /// [`ValueCache::get`]).
    pub(crate) fn prior(&self, key: &[u8], version: u64, value: Option<&[u8]>) -> Option<Prior> {
        let inner = lock(&self.inner);
        if inner.version != Some(version) {
            return None;
        }
        inner.entries.get(key).map(|held| Prior {
            held: held.value.is_some(),
            same: held.value.as_deref() == value,
            newest: held.newest,
        })
    }

    /// Remembers what `key` holds at `version`, read from the store, unless a commit has moved
    /// the cache past `version` meanwhile.
    pub(crate) fn fill(&self, key: &[u8], version: u64, held: Held) {
        let mut inner = lock(&self.inner);
        if inner.version == Some(version) {
            let weight = value_weight(key, held.value.as_deref());
            inner.entries.insert(key.to_vec(), held, weight);
        }
    }

    /// Moves the cache to `version`, just committed with `written` on top of `previous` (the
    /// version the entries held before, if any): the written keys take their new values. If
    /// the cache held another version, it starts over with only the written keys.
    pub(crate) fn advance(
        &self,
        previous: Option<u64>,
        version: u64,
        written: Vec<(Vec<u8>, Held)>,
    ) {
        let mut inner = lock(&self.inner);
        if inner.version != previous {
            inner.entries.clear();
        }
        inner.version = Some(version);
        for (key, held) in written {
            let weight = value_weight(&key, held.value.as_deref());
            inner.entries.insert(key, held, weight);
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
    fn node_cache_keeps_committed_nodes_within_its_bytes_and_drops_stale_ones() {
        let nodes = tree_nodes(600);
        let is_internal = |node: &Node| matches!(node, Node::Internal(_));
        let internal: Vec<_> = nodes.iter().filter(|(_, node)| is_internal(node)).collect();
        let leaves: Vec<_> = nodes
            .iter()
            .filter(|(_, node)| matches!(node, Node::Leaf(_)))
            .collect();
        assert!(internal.len() > 16 && internal.len() < nodes.len() / 2);
        assert_eq!(leaves.len(), 600);

        // Of the nodes read from sled, internal ones only (a leaf read is about to be replaced).
        for (_, node) in &nodes {
            assert_eq!(NodeCache::keeps_read(node), is_internal(node));
        }

        // Committed nodes: internal ones and leaves, each served exactly as stored.
        let cache = NodeCache::default();
        for (key, node) in &nodes {
            cache.insert(key.clone(), node.clone());
        }
        let counts = cache.counts();
        assert_eq!((counts.internal, counts.leaves), (internal.len(), 600));
        assert!(counts.bytes >= internal.len() * INTERNAL_NODE_OVERHEAD + 600 * LEAF_OVERHEAD);
        for (key, node) in &nodes {
            assert_eq!(cache.get(key).as_ref(), Some(node));
        }
        let (root, _) = internal
            .iter()
            .find(|(key, _)| key.nibble_path().num_nibbles() == 0)
            .expect("a root");
        let (leaf, _) = leaves[0];
        cache.remove_stale([root, leaf]);
        assert_eq!(cache.get(root), None, "a replaced node is dropped");
        assert_eq!(cache.get(leaf), None, "a replaced leaf is dropped");
        let counts = cache.counts();
        assert_eq!((counts.internal, counts.leaves), (internal.len() - 1, 599));

        // Bounded by bytes, each map on its own: room for ten of each keeps the last ten of each.
        let small = NodeCache::with_bytes(10 * (INTERNAL_NODE_OVERHEAD + 8), 10 * LEAF_OVERHEAD);
        for (key, node) in &nodes {
            small.insert(key.clone(), node.clone());
        }
        let counts = small.counts();
        assert_eq!((counts.internal, counts.leaves), (10, 10));
        assert!(counts.bytes <= 10 * (INTERNAL_NODE_OVERHEAD + 8) + 10 * LEAF_OVERHEAD);
        assert!(small.get(&internal[internal.len() - 1].0).is_some());
        assert!(small.get(&internal[0].0).is_none());
        assert!(small.get(&leaves[leaves.len() - 1].0).is_some());
        assert!(small.get(&leaves[0].0).is_none());
    }

    #[test]
    fn leaf_keys_differ_wherever_node_keys_do() {
        // Every node key of a 600-key tree (paths of every length up to the leaves', `0` beside
        // `00` and the empty root path among them), at three versions.
        let mut keys = Vec::new();
        for (key, _) in tree_nodes(600) {
            for version in [0, 1, 256] {
                keys.push(NodeKey::new(version, key.nibble_path().clone()));
            }
        }
        let packed: std::collections::BTreeSet<_> = keys.iter().map(leaf_key).collect();
        assert_eq!(packed.len(), keys.len());
    }

    /// What a key holds, with its newest history entry.
    fn held(value: Option<&[u8]>, newest: Option<u64>) -> Held {
        Held {
            value: value.map(<[u8]>::to_vec),
            newest,
        }
    }

    #[test]
    fn values_serve_only_their_version() {
        let cache = ValueCache::new(None);
        cache.fill(b"k", 0, held(Some(b"v"), Some(0)));
        assert_eq!(cache.get(b"k", 0), None, "no version known yet");
        cache.advance(None, 0, vec![(b"a".to_vec(), held(Some(b"1"), Some(0)))]);
        cache.fill(b"k", 0, held(Some(b"v"), Some(0)));
        assert_eq!(cache.get(b"k", 0), Some(Some(b"v".to_vec())));
        assert_eq!(cache.get(b"a", 0), Some(Some(b"1".to_vec())));
        cache.advance(Some(0), 1, vec![(b"k".to_vec(), held(None, Some(1)))]);
        assert_eq!(cache.get(b"k", 0), None, "an older version reads the store");
        assert_eq!(cache.get(b"k", 1), Some(None));
        assert_eq!(cache.get(b"a", 1), Some(Some(b"1".to_vec())));
        cache.fill(b"z", 0, held(Some(b"stale"), Some(0)));
        assert_eq!(
            cache.get(b"z", 1),
            None,
            "a read of an older version is not kept"
        );
        cache.advance(Some(5), 7, Vec::new());
        assert_eq!(cache.get(b"a", 7), None, "a gap starts over");
    }

    #[test]
    fn a_prior_says_where_the_key_was_last_written() {
        let cache = ValueCache::new(Some(3));
        cache.fill(b"new", 3, held(None, None));
        cache.fill(b"old", 3, held(Some(b"v"), Some(1)));
        let prior = |key: &[u8], value: Option<&[u8]>| cache.prior(key, 3, value);
        assert_eq!(
            prior(b"new", Some(b"v")),
            Some(Prior {
                held: false,
                same: false,
                newest: None
            })
        );
        assert_eq!(
            prior(b"old", Some(b"v")),
            Some(Prior {
                held: true,
                same: true,
                newest: Some(1)
            })
        );
        assert_eq!(
            prior(b"old", None),
            Some(Prior {
                held: true,
                same: false,
                newest: Some(1)
            })
        );
        assert_eq!(prior(b"unread", None), None);
        assert_eq!(
            cache.prior(b"old", 2, None),
            None,
            "only the cached version"
        );
    }
}
