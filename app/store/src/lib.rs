//! Crash-safe, versioned Merkle store for Rampart: sled + Jellyfish Merkle Tree (JMT), ICS-23
//! proofs, and pruning of old heights.
//!
//! The app hash of a height is the root of a JMT (SHA-256) over every key-value pair. JMT
//! versions are contiguous and map to heights explicitly: `version = height − first_height`,
//! where `first_height` (the chain's initial height) is recorded at the first commit. Beside the
//! JMT, which hashes keys, a flat versioned index keeps keys in byte order so state can be
//! scanned by prefix at any retained height.
//!
//! # Keyspace
//!
//! Everything lives in sled's default tree, one table per one-byte prefix, so a commit is one
//! `apply_batch` (atomic, also across crashes):
//!
//! | prefix | key                                             | value                              |
//! |--------|-------------------------------------------------|------------------------------------|
//! | `M`    | `M` ‖ name (`format`, `first_height`, `latest_height`, `earliest_height`, `app_hash`) | u64 big-endian, or the 32-byte app hash |
//! | `N`    | `N` ‖ borsh(JMT `NodeKey`)                      | borsh(JMT `Node`)                  |
//! | `S`    | `S` ‖ stale_since_version(be)                   | list of the `N` keys stale since then (stale-node index) |
//! | `H`    | `H` ‖ escape(key) ‖ `00 00` ‖ version(be)       | `01` ‖ value, or `00` (tombstone)  |
//! | `P`    | `P` ‖ sha256(key)                               | key (preimage, for the JMT)        |
//! | `D`    | `D` ‖ version(be)                               | list of the writes at that version (change log): flags (delete; superseded entry nothing, known, unknown) ‖ superseded version(be) ‖ key |
//! | `C`    | `C` ‖ version(be)                               | list of the keys written at that version (format 1's change log, still read) |
//!
//! A list is `length(u32 be) ‖ bytes` per item. The store's format is 2 (`M format`): format 1
//! kept its change log in `C`, without what each write superseded; a format-1 store opens, prunes
//! its `C` records the old way (searching each key's older entries) and is format 2 from its next
//! commit (a build that reads only format 1 then refuses it rather than leaving `D` unpruned).
//! Stores written before issue 14 hold one `S` record per node (`S ‖ version ‖ borsh(NodeKey)`,
//! empty) and one `C` record per key (`C ‖ version ‖ key`, empty); both forms are read (a list
//! record's key is exactly 9 bytes, a per-item key is longer).
//!
//! A write's superseded entry is the key's newest history entry when the write was prepared, known
//! from the value cache when the block read the key first (execution reads an account or a balance
//! before changing it) or from the read a delete needs; pruning then removes that one record
//! without searching the history. Writes the cache did not know are marked unknown and searched.
//!
//! `escape` maps byte `00` to `00 FF` and copies every other byte, so history entries sort by key
//! exactly like the raw keys, each key's versions contiguous and ascending; a key's value at
//! version `v` is its newest entry `≤ v`. The JMT reads values through `P` and `H`, so every value
//! is stored once.
//!
//! # Commit protocol
//!
//! 1. [`Storage::prepare`] computes the new JMT root from the latest committed tree and the
//!    block's [`Changes`](rampart_core::Changes) and builds the complete sled batch (JMT nodes,
//!    stale-node index, history entries, preimages, change log, metadata `latest_height` and
//!    `app_hash`). Nothing is written. The latest tree's decoded internal JMT nodes, the leaves
//!    commits wrote and the values of the latest height are kept in bounded memory caches
//!    between blocks (`cache.rs`), so a block reads from sled only the old leaves of keys not
//!    written since the node started (or since their leaf left the cache), and the keys it
//!    already read come from memory; a key that held a value keeps its preimage record without
//!    rewriting it, and a write the value cache knows changes nothing (the value the key holds,
//!    a delete of an absent key) is left out of the batch and the tree. A block without deletes
//!    updates the JMT in one pass (each touched node rebuilt and hashed once).
//! 2. [`Storage::commit`] checks that nothing was committed since the prepare, applies the batch
//!    atomically and flushes (fsync). After a crash the store holds either all of the height or
//!    none of it, and [`Storage::open`] verifies that the recorded app hash equals the stored root.
//!    Then the height and app hash are recorded outside sled (`COMMITTED`, `integrity.rs`), so
//!    that a store whose files lost committed heights is refused at open, not opened older.
//! 3. Then heights older than [`StorageConfig::keep_recent`] are pruned, one height per atomic
//!    batch (see `prune.rs`), never past a height a live [`Snapshot`] is reading.
//!
//! Reads are infallible for modules ([`rampart_core::StateRead`]); if committed data cannot be
//! read, the process halts with a clear message and exit code 70 (the internal `fatal`
//! function documents why: no deterministic answer exists).

mod cache;
pub mod crash;
mod error;
mod history;
mod integrity;
mod io;
mod jmt_backend;
mod keys;
mod meta;
mod prune;
mod snapshot;
mod storage;

pub use cache::OWN_CACHES_BYTES;
pub use error::StorageError;
pub use io::IoStats;
pub use snapshot::Snapshot;
pub use storage::{open_raw, PendingCommit, Storage, StoreStats};

/// The root of an empty JMT (the JMT's placeholder hash for an empty subtree).
pub(crate) const EMPTY_ROOT: [u8; 32] = *b"SPARSE_MERKLE_PLACEHOLDER_HASH__";

/// The default bound of sled's page cache ([`StorageConfig::cache_bytes`]): 64 MiB. sled counts
/// a page by its size on disk, and its decoded pages take about twice that in memory: on a
/// localnet at ≈ 250 tx/s each rampartd held ≈ 190 MB more with 128 MiB than with 32 MiB, and
/// 128 MiB ended a 30-minute run above 500 MB. On the app bench's 100,000-account store, 32 MiB
/// made Commit ≈ 30–40 µs/tx slower than 128 MiB (the history pages a block writes to no longer stay
/// cached) and 64 MiB did not, measurably (docs/BENCHMARKS.md, "Memory at today's throughput").
/// sled 0.34's own default, 1 GiB, grew a validator's memory ≈ 12 MB a minute under load.
pub const DEFAULT_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// Storage tuning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageConfig {
    /// How many recent heights stay readable and provable; `0` keeps every height.
    pub keep_recent: u64,
    /// The most memory sled's page cache may hold, in bytes (sled's `cache_capacity`, its
    /// estimate of the pages' in-memory size). Not state: any value reads and writes the same.
    pub cache_bytes: u64,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            keep_recent: 10_000,
            cache_bytes: DEFAULT_CACHE_BYTES,
        }
    }
}

/// A committed height and its app hash (the JMT root).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    /// The committed height.
    pub height: u64,
    /// The app hash after that height.
    pub app_hash: [u8; 32],
}

/// The ICS-23 proof spec of this store's commitments (the JMT's SHA-256 spec), for verifying
/// proofs from [`Storage::get_with_proof`].
pub fn proof_spec() -> ics23::ProofSpec {
    jmt::ics23_spec()
}

/// Halts the node because committed state could not be read (I/O error, corrupt record).
///
/// Modules read state infallibly, and there is no deterministic answer to give them: returning
/// "absent" or a default would let this node execute the block differently from its peers and
/// commit a diverging app hash. Stopping with a clear message (exit code 70, `EX_SOFTWARE`) is
/// the only safe outcome; the operator repairs the disk or restores the data directory, and the
/// node replays from its last durable commit.
///
/// sled reports a failed background write (a full disk) on every later operation, so a full disk
/// often surfaces here, on a read; the message says what to do in either case.
pub(crate) fn fatal(context: &str, err: impl std::fmt::Display) -> ! {
    let message = format!(
        "FATAL: storage failed while {context}: {err}; halting to avoid a non-deterministic \
         result. The application store (data/application.db) cannot be used: if its disk is \
         full, free space and start rampartd again (the store keeps its last durable height and \
         CometBFT replays the rest); if it is damaged, restore the data directory from a backup, \
         or remove the store and CometBFT's data (keep data/priv_validator_state.json) to sync \
         the node again"
    );
    tracing::error!("{message}");
    eprintln!("{message}");
    std::process::exit(70)
}
