//! Key-value state as modules see it: read and write traits, and the in-memory [`Overlay`]
//! that buffers a block's (or a transaction's) writes over a committed snapshot.
//!
//! Reads are infallible for modules: a storage backend that cannot read its own committed data
//! halts the node deliberately (see `rampart-store`), because no deterministic answer exists.

use std::collections::BTreeMap;
use std::iter::Peekable;

use crate::error::AppResult;

/// A key and its value, as yielded by prefix iteration.
pub type KeyValue = (Vec<u8>, Vec<u8>);

/// Ordered iterator over key-value pairs.
pub type KvIter<'a> = Box<dyn Iterator<Item = KeyValue> + 'a>;

/// Buffered writes: `Some(value)` sets a key, `None` deletes it. Ordered, so iteration and
/// commitment are deterministic.
pub type Changes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Read access to state.
pub trait StateRead {
    /// The value at `key`, if any.
    fn get(&self, key: &[u8]) -> Option<Vec<u8>>;

    /// Every key starting with `prefix` that is `>= start` (when given), in ascending key order.
    fn scan_from<'a>(&'a self, prefix: &[u8], start: Option<&[u8]>) -> KvIter<'a>;

    /// Every key starting with `prefix`, in ascending key order.
    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> KvIter<'a> {
        self.scan_from(prefix, None)
    }

    /// Charges `amount` gas for work that is not a state access (a signature or proof a message
    /// verifies), at `location` (named in the out-of-gas log), *before* the work is done. State
    /// without a gas meter ignores it; a metered transaction state counts it like its reads and
    /// writes and answers `Err(sdk/11)` once past the limit, so the caller stops before the
    /// work it could not pay for.
    fn charge_gas(&self, _amount: u64, _location: &'static str) -> AppResult<()> {
        Ok(())
    }
}

/// Write access to state.
pub trait StateWrite: StateRead {
    /// Sets `key` to `value`.
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>);
    /// Removes `key`.
    fn delete(&mut self, key: Vec<u8>);
}

impl<T: StateRead + ?Sized> StateRead for &T {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        (**self).get(key)
    }
    fn scan_from<'a>(&'a self, prefix: &[u8], start: Option<&[u8]>) -> KvIter<'a> {
        (**self).scan_from(prefix, start)
    }
    fn charge_gas(&self, amount: u64, location: &'static str) -> AppResult<()> {
        (**self).charge_gas(amount, location)
    }
}

impl<T: StateRead + ?Sized> StateRead for &mut T {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        (**self).get(key)
    }
    fn scan_from<'a>(&'a self, prefix: &[u8], start: Option<&[u8]>) -> KvIter<'a> {
        (**self).scan_from(prefix, start)
    }
    fn charge_gas(&self, amount: u64, location: &'static str) -> AppResult<()> {
        (**self).charge_gas(amount, location)
    }
}

impl<T: StateWrite + ?Sized> StateWrite for &mut T {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        (**self).put(key, value)
    }
    fn delete(&mut self, key: Vec<u8>) {
        (**self).delete(key)
    }
}

/// Buffered writes over a base state. Overlays nest: a transaction's overlay sits on the block's
/// overlay, which sits on the committed snapshot. [`Overlay::apply_to`] folds the writes into the
/// layer below (on success); dropping the overlay discards them (on failure).
#[derive(Debug, Clone)]
pub struct Overlay<S> {
    base: S,
    changes: Changes,
}

impl<S: StateRead> Overlay<S> {
    /// An overlay with no writes yet.
    pub fn new(base: S) -> Self {
        Self {
            base,
            changes: Changes::new(),
        }
    }

    /// An overlay that starts with `changes` already buffered (e.g. genesis writes under the
    /// first block).
    pub fn with_changes(base: S, changes: Changes) -> Self {
        Self { base, changes }
    }

    /// The base this overlay reads through to.
    pub fn base(&self) -> &S {
        &self.base
    }

    /// The buffered writes.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    /// Splits the overlay into its base and its writes.
    pub fn into_parts(self) -> (S, Changes) {
        (self.base, self.changes)
    }

    /// Moves this overlay's writes into `target`, in key order.
    pub fn apply_to(self, target: &mut impl StateWrite) {
        apply_changes(target, self.changes);
    }
}

impl<S: StateRead> StateRead for Overlay<S> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.changes.get(key) {
            Some(buffered) => buffered.clone(),
            None => self.base.get(key),
        }
    }

    fn scan_from<'a>(&'a self, prefix: &[u8], start: Option<&[u8]>) -> KvIter<'a> {
        let lower = match start {
            Some(start) if start > prefix => start.to_vec(),
            _ => prefix.to_vec(),
        };
        let prefix_owned = prefix.to_vec();
        let upper = self
            .changes
            .range(lower..)
            .take_while(move |(key, _)| key.starts_with(&prefix_owned));
        Box::new(MergeIter {
            upper: upper.peekable(),
            lower: self.base.scan_from(prefix, start).peekable(),
        })
    }

    fn charge_gas(&self, amount: u64, location: &'static str) -> AppResult<()> {
        self.base.charge_gas(amount, location)
    }
}

impl<S: StateRead> StateWrite for Overlay<S> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.changes.insert(key, Some(value));
    }
    fn delete(&mut self, key: Vec<u8>) {
        self.changes.insert(key, None);
    }
}

/// Writes `changes` into `target`, in key order.
pub fn apply_changes(target: &mut (impl StateWrite + ?Sized), changes: Changes) {
    for (key, value) in changes {
        match value {
            Some(value) => target.put(key, value),
            None => target.delete(key),
        }
    }
}

/// Merges buffered writes (`upper`, which win on equal keys and may delete) with an ordered base.
struct MergeIter<'a, U>
where
    U: Iterator<Item = (&'a Vec<u8>, &'a Option<Vec<u8>>)>,
{
    upper: Peekable<U>,
    lower: Peekable<KvIter<'a>>,
}

impl<'a, U> Iterator for MergeIter<'a, U>
where
    U: Iterator<Item = (&'a Vec<u8>, &'a Option<Vec<u8>>)>,
{
    type Item = KeyValue;

    fn next(&mut self) -> Option<KeyValue> {
        loop {
            let take_upper = match (self.upper.peek(), self.lower.peek()) {
                (None, None) => return None,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some((upper_key, _)), Some((lower_key, _))) => {
                    if upper_key.as_slice() == lower_key.as_slice() {
                        // The buffered write shadows the base entry.
                        self.lower.next();
                        true
                    } else {
                        upper_key.as_slice() < lower_key.as_slice()
                    }
                }
            };
            if !take_upper {
                return self.lower.next();
            }
            match self.upper.next() {
                Some((key, Some(value))) => return Some((key.clone(), value.clone())),
                Some((_, None)) => continue,
                None => return None,
            }
        }
    }
}

/// A state with nothing in it (the base below genesis, and a handy test fixture).
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyState;

impl StateRead for EmptyState {
    fn get(&self, _key: &[u8]) -> Option<Vec<u8>> {
        None
    }
    fn scan_from<'a>(&'a self, _prefix: &[u8], _start: Option<&[u8]>) -> KvIter<'a> {
        Box::new(std::iter::empty())
    }
}

/// Typed helpers over any state: protobuf values under byte keys.
pub trait StateReadExt: StateRead {
    /// Decodes the protobuf message at `key`. A value that does not decode is corrupt state, which
    /// no input can cause; it reads as `Err` so callers can halt with a clear message.
    fn get_proto<M: prost::Message + Default>(
        &self,
        key: &[u8],
    ) -> Result<Option<M>, prost::DecodeError> {
        self.get(key)
            .map(|bytes| M::decode(bytes.as_slice()))
            .transpose()
    }
}

impl<T: StateRead + ?Sized> StateReadExt for T {}

/// Typed writes of protobuf values.
pub trait StateWriteExt: StateWrite {
    /// Encodes `message` and stores it at `key`.
    fn put_proto<M: prost::Message>(&mut self, key: Vec<u8>, message: &M) {
        self.put(key, message.encode_to_vec());
    }
}

impl<T: StateWrite + ?Sized> StateWriteExt for T {}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Overlay<EmptyState> {
        let mut base = Overlay::new(EmptyState);
        for key in ["a/1", "a/3", "a/5", "b/1"] {
            base.put(key.as_bytes().to_vec(), key.as_bytes().to_vec());
        }
        base
    }

    fn keys(iter: KvIter<'_>) -> Vec<String> {
        iter.map(|(k, _)| String::from_utf8(k).expect("test keys are utf-8"))
            .collect()
    }

    #[test]
    fn overlay_merges_writes_and_deletes_in_key_order() {
        let base = base();
        let mut top = Overlay::new(&base);
        top.put(b"a/2".to_vec(), b"x".to_vec());
        top.delete(b"a/3".to_vec());
        top.put(b"a/5".to_vec(), b"new".to_vec());
        assert_eq!(keys(top.scan_prefix(b"a/")), ["a/1", "a/2", "a/5"]);
        assert_eq!(top.get(b"a/5"), Some(b"new".to_vec()));
        assert_eq!(top.get(b"a/3"), None);
        assert_eq!(keys(top.scan_from(b"a/", Some(b"a/2"))), ["a/2", "a/5"]);
        assert_eq!(base.get(b"a/3"), Some(b"a/3".to_vec()), "base untouched");
    }

    #[test]
    fn applying_an_overlay_moves_its_writes_down() {
        let mut base = base();
        let mut top = Overlay::new(EmptyState);
        top.put(b"c".to_vec(), b"1".to_vec());
        top.delete(b"a/1".to_vec());
        top.apply_to(&mut base);
        assert_eq!(keys(base.scan_prefix(b"")), ["a/3", "a/5", "b/1", "c"]);
    }

    proptest::proptest! {
        /// The merged view equals a model map with the writes applied.
        #[test]
        fn merged_scan_matches_model(
            base_keys in proptest::collection::btree_set(0u8..32, 0..16),
            writes in proptest::collection::vec((0u8..32, proptest::option::of(0u8..4)), 0..24),
        ) {
            let mut model = BTreeMap::new();
            let mut lower = Overlay::new(EmptyState);
            for k in &base_keys {
                lower.put(vec![*k], vec![0]);
                model.insert(vec![*k], vec![0]);
            }
            let mut upper = Overlay::new(&lower);
            for (k, v) in &writes {
                match v {
                    Some(v) => { upper.put(vec![*k], vec![*v]); model.insert(vec![*k], vec![*v]); }
                    None => { upper.delete(vec![*k]); model.remove(&vec![*k]); }
                }
            }
            let merged: Vec<_> = upper.scan_prefix(b"").collect();
            let expected: Vec<_> = model.into_iter().collect();
            proptest::prop_assert_eq!(merged, expected);
        }
    }
}
