//! What the store reads and writes, counted: a sled batch that counts its records and bytes, and
//! the running totals [`Storage::io_stats`](crate::Storage::io_stats) reports (for monitoring
//! and benchmarks; nothing here affects a result).

use std::sync::atomic::{AtomicU64, Ordering};

/// A sled write batch that counts the records it inserts and their bytes (keys and values).
#[derive(Debug, Default)]
pub(crate) struct CountedBatch {
    batch: sled::Batch,
    records: u64,
    bytes: u64,
}

impl CountedBatch {
    /// Adds an insert of `value` at `key`. A batch's keys are distinct (each table's key names
    /// its item), so every insert is one record written.
    pub(crate) fn insert(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        let (key, value) = (key.as_ref(), value.as_ref());
        self.records = self.records.saturating_add(1);
        let len = key.len().saturating_add(value.len());
        self.bytes = self
            .bytes
            .saturating_add(u64::try_from(len).unwrap_or(u64::MAX));
        self.batch.insert(key, value);
    }

    /// The sled batch, and the records and bytes it writes.
    pub(crate) fn into_parts(self) -> (sled::Batch, u64, u64) {
        (self.batch, self.records, self.bytes)
    }
}

/// Running totals of the store's reads and writes since it was opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoStats {
    /// Heights committed.
    pub commits: u64,
    /// Records inserted by the commit batches (JMT nodes, history, preimages, lists, metadata).
    pub commit_records: u64,
    /// Bytes (keys and values) of those records.
    pub commit_bytes: u64,
    /// JMT nodes read from sled by block updates and proofs (cache misses).
    pub node_reads: u64,
    /// JMT nodes served by the node cache.
    pub node_hits: u64,
    /// Internal JMT nodes in the cache now.
    pub cached_nodes: u64,
    /// JMT leaves in the cache now (the leaves commits wrote).
    pub cached_leaves: u64,
    /// Bytes the cached internal nodes and leaves are counted for (bounded).
    pub cached_node_bytes: u64,
}

/// The commit totals of [`IoStats`], updated by every commit.
#[derive(Debug, Default)]
pub(crate) struct CommitCounters {
    commits: AtomicU64,
    records: AtomicU64,
    bytes: AtomicU64,
}

impl CommitCounters {
    /// Counts a commit of `records` records and `bytes` bytes.
    pub(crate) fn add(&self, records: u64, bytes: u64) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.records.fetch_add(records, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// (commits, records, bytes) so far.
    pub(crate) fn totals(&self) -> (u64, u64, u64) {
        (
            self.commits.load(Ordering::Relaxed),
            self.records.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
        )
    }
}
