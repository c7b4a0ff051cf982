//! State that counts what it reads on the way to the real state: how cost tests show that block
//! and query work grows with what is due, not with what exists.

use std::cell::Cell;
use std::rc::Rc;

use crate::error::AppResult;
use crate::state::{KvIter, StateRead, StateWrite};

/// What a [`Counting`] state has read so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCount {
    /// Values read with `get` (found or not).
    pub gets: usize,
    /// Entries yielded by scans (counted as the caller takes them, not when the scan starts).
    pub scanned: usize,
    /// Value bytes read, by gets and by scans.
    pub bytes: usize,
}

impl ReadCount {
    /// Values read and entries scanned together: every step that reached the state.
    pub fn reads(&self) -> usize {
        self.gets + self.scanned
    }
}

/// Wraps `inner` (owned, `&S` or `&mut S`: [`StateRead`] and [`StateWrite`] are implemented for
/// references) and counts its reads in a [`ReadCount`]. Writes and gas charges are forwarded
/// uncounted.
#[derive(Debug)]
pub struct Counting<S> {
    inner: S,
    count: Rc<Cell<ReadCount>>,
}

impl<S> Counting<S> {
    /// Counts the reads of `inner`, from zero.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            count: Rc::default(),
        }
    }

    /// What has been read since creation or the last [`Counting::reset`].
    pub fn count(&self) -> ReadCount {
        self.count.get()
    }

    /// Counts from zero again.
    pub fn reset(&self) {
        self.count.set(ReadCount::default());
    }

    /// The wrapped state.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

/// Adds one read of a `bytes`-long value to `count`, as a get or as a scanned entry.
fn add(count: &Cell<ReadCount>, scanned: bool, bytes: usize) {
    let mut c = count.get();
    if scanned {
        c.scanned += 1;
    } else {
        c.gets += 1;
    }
    c.bytes += bytes;
    count.set(c);
}

impl<S: StateRead> StateRead for Counting<S> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let value = self.inner.get(key);
        add(&self.count, false, value.as_ref().map_or(0, Vec::len));
        value
    }

    fn scan_from<'a>(&'a self, prefix: &[u8], start: Option<&[u8]>) -> KvIter<'a> {
        let count = Rc::clone(&self.count);
        Box::new(
            self.inner
                .scan_from(prefix, start)
                .inspect(move |(_, value)| add(&count, true, value.len())),
        )
    }

    fn charge_gas(&self, amount: u64, location: &'static str) -> AppResult<()> {
        self.inner.charge_gas(amount, location)
    }
}

impl<S: StateWrite> StateWrite for Counting<S> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.inner.put(key, value)
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.inner.delete(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{EmptyState, Overlay};

    #[test]
    fn counts_gets_yielded_entries_and_bytes_and_forwards_writes() {
        let mut base = Overlay::new(EmptyState);
        let mut counting = Counting::new(&mut base);
        counting.put(b"p1".to_vec(), b"abc".to_vec());
        counting.put(b"p2".to_vec(), b"de".to_vec());
        counting.put(b"q".to_vec(), b"f".to_vec());
        assert_eq!(
            counting.count(),
            ReadCount::default(),
            "writes are not reads"
        );
        assert_eq!(counting.get(b"p1"), Some(b"abc".to_vec()));
        assert_eq!(counting.get(b"none"), None);
        // Entries count as they are taken: one of the two under `p`.
        assert_eq!(
            counting.scan_prefix(b"p").next().map(|(k, _)| k),
            Some(b"p1".to_vec())
        );
        let count = counting.count();
        assert_eq!(
            count,
            ReadCount {
                gets: 2,
                scanned: 1,
                bytes: 3 + 3
            }
        );
        assert_eq!(count.reads(), 3);
        assert_eq!(counting.scan_prefix(b"p").count(), 2);
        assert_eq!(counting.count().scanned, 3);
        assert_eq!(counting.count().bytes, 6 + 5);
        assert!(counting.charge_gas(10, "work").is_ok());
        counting.reset();
        assert_eq!(counting.count(), ReadCount::default());
        counting.delete(b"q".to_vec());
        assert_eq!(
            counting.into_inner().get(b"q"),
            None,
            "the delete reached the state"
        );
    }
}
