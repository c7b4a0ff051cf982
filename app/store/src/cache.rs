//! Bounded in-memory caches of committed data, kept between blocks: decoded JMT nodes (a node
//! never changes once written: its key names its version) and the values of the latest
//! committed height (refreshed by every commit with the keys it wrote).
//!
//! Both only save reads of data that is already durable; neither is ever written to disk nor
//! consulted for anything but the exact data it copies, so a crash, a restart or an eviction
//! changes no result, only the time it takes. Both evict the oldest entry first once over their
//! bound. Maps here are only looked up, never iterated, so their order affects nothing.

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

use jmt::storage::{Node, NodeKey};

/// Most decoded JMT nodes kept (an internal node is about 1 KB: ≤ 70 MB).
const NODE_CAPACITY: usize = 65_536;
/// Most bytes of keys and values kept for the latest height.
const VALUE_BYTES: usize = 64 * 1024 * 1024;
/// Fixed cost counted per cached value besides its bytes (map and queue entries).
const VALUE_OVERHEAD: usize = 64;

/// A map that forgets its oldest entries past a total weight.
struct Fifo<K, V> {
    map: HashMap<K, (V, usize)>,
    order: VecDeque<K>,
    weight: usize,
    max_weight: usize,
}

impl<K: Hash + Eq + Clone, V> Fifo<K, V> {
    fn new(max_weight: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            weight: 0,
            max_weight,
        }
    }

    fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(key).map(|(value, _)| value)
    }

    /// Inserts or replaces `key` (a replaced entry keeps its place in the eviction order).
    fn insert(&mut self, key: K, value: V, weight: usize) {
        match self.map.insert(key.clone(), (value, weight)) {
            Some((_, old)) => self.weight = self.weight.saturating_sub(old),
            None => self.order.push_back(key),
        }
        self.weight = self.weight.saturating_add(weight);
        while self.weight > self.max_weight {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some((_, old)) = self.map.remove(&oldest) {
                self.weight = self.weight.saturating_sub(old);
            }
        }
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

/// Decoded JMT nodes by node key.
pub(crate) struct NodeCache {
    nodes: Mutex<Fifo<NodeKey, Node>>,
}

impl Default for NodeCache {
    fn default() -> Self {
        Self {
            nodes: Mutex::new(Fifo::new(NODE_CAPACITY)),
        }
    }
}

impl NodeCache {
    /// The node stored under `key`, if cached.
    pub(crate) fn get(&self, key: &NodeKey) -> Option<Node> {
        lock(&self.nodes).get(key).cloned()
    }

    /// Remembers a node read from, or just committed to, the store.
    pub(crate) fn insert(&self, key: NodeKey, node: Node) {
        lock(&self.nodes).insert(key, node, 1);
    }
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

    /// Whether `key` holds a value at `version`, if the cache knows (see [`ValueCache::get`]).
    pub(crate) fn holds(&self, key: &[u8], version: u64) -> Option<bool> {
        let inner = lock(&self.inner);
        if inner.version != Some(version) {
            return None;
        }
        inner.entries.get(key).map(Option::is_some)
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
