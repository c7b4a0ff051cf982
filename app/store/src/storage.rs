//! The [`Storage`] handle: open, prepare, commit, snapshots, proofs, and pruning scheduling.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use jmt::{KeyHash, Sha256Jmt};
use rampart_core::state::Changes;

use crate::cache::{Held, NodeCache, ValueCache};
use crate::integrity::{self, CommitRecord};
use crate::io::{CommitCounters, CountedBatch, IoStats};
use crate::jmt_backend::{self, SledTreeReader};
use crate::meta::{self, Committed};
use crate::snapshot::{Pins, Snapshot};
use crate::{history, keys, prune, CommitInfo, StorageConfig, StorageError};

/// At most this many heights are pruned per commit, so that catching up after `keep_recent` is
/// lowered (or after long-lived snapshots are released) never stalls a single commit for long.
const MAX_PRUNE_STEPS_PER_COMMIT: u64 = 64;

/// Distinguishes `Storage` instances, so a `PendingCommit` cannot be committed to another one.
/// Not part of any state: only compared for equality.
static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

/// A crash-safe, versioned Merkle store. Cheap to clone (all clones share one database).
#[derive(Clone)]
pub struct Storage {
    inner: Arc<Inner>,
}

struct Inner {
    db: sled::Db,
    tree: sled::Tree,
    config: StorageConfig,
    id: u64,
    /// `None` until the first commit. Held across a whole commit (and its pruning), which
    /// serializes commits and makes retention checks race-free.
    state: Mutex<Option<Committed>>,
    pins: Arc<Pins>,
    /// Decoded JMT nodes, so that a block's update reads the upper levels from memory.
    nodes: NodeCache,
    /// Values at the latest committed height, shared with the snapshots of that height.
    values: Arc<ValueCache>,
    /// What the commits wrote.
    io: CommitCounters,
    /// The last committed height, recorded outside sled (`integrity.rs`).
    record: CommitRecord,
}

/// Everything a commit will write, computed by [`Storage::prepare`] without persisting anything.
#[derive(Debug)]
pub struct PendingCommit {
    store_id: u64,
    prepared_on: Option<u64>,
    height: u64,
    app_hash: [u8; 32],
    first_height: u64,
    batch: sled::Batch,
    /// Records and bytes in `batch`.
    batch_size: (u64, u64),
    /// The JMT version of `height`.
    version: u64,
    /// What the keys written (and the deletes of absent keys read from the store) hold now,
    /// for the value cache.
    written: Vec<(Vec<u8>, Held)>,
    /// The internal JMT nodes written, for the node cache.
    nodes: Vec<(jmt::storage::NodeKey, jmt::storage::Node)>,
    /// The JMT nodes this version replaces, dropped from the node cache.
    stale: Vec<jmt::storage::NodeKey>,
}

impl PendingCommit {
    /// The height this commit is for.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The app hash (JMT root) the state will have after this commit.
    pub fn app_hash(&self) -> [u8; 32] {
        self.app_hash
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("latest", &self.latest())
            .field("earliest_retained", &self.earliest_retained())
            .finish()
    }
}

/// Record counts per table, for monitoring and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// JMT nodes (all retained versions).
    pub nodes: u64,
    /// Stale-node index records (nodes waiting to be pruned).
    pub stale_nodes: u64,
    /// Versioned history entries.
    pub history_entries: u64,
    /// Key preimages.
    pub preimages: u64,
    /// Change-log records (keys written at versions not yet pruned past).
    pub change_log: u64,
}

impl Storage {
    /// Opens (or creates) the store at `path`, checking that its metadata is consistent with the
    /// Merkle tree. An inconsistent store is refused with [`StorageError::Corrupt`]; it is never
    /// reset silently.
    pub fn open(path: &Path, config: StorageConfig) -> Result<Storage, StorageError> {
        let (db, committed) = integrity::guarded_open(path, || {
            let db = open_sled(path, config.cache_bytes)?;
            let committed = meta::load(&db)?;
            Ok((db, committed))
        })?;
        let tree: sled::Tree = (*db).clone();
        let record = CommitRecord::check_at_open(path, committed.map(|c| c.latest))?;
        let latest_version = match committed {
            None => None,
            Some(committed) => Some(committed.version_of(committed.latest.height)?),
        };
        Ok(Storage {
            inner: Arc::new(Inner {
                db,
                tree,
                config,
                id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
                state: Mutex::new(committed),
                pins: Arc::default(),
                nodes: NodeCache::default(),
                values: Arc::new(ValueCache::new(latest_version)),
                io: CommitCounters::default(),
                record,
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, Option<Committed>> {
        // A panic while holding the lock would be a bug; the state it guards is only replaced
        // after durable writes, so it stays meaningful and we keep going.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The latest commit, or `None` before the first commit.
    pub fn latest(&self) -> Option<CommitInfo> {
        self.state().map(|committed| committed.latest)
    }

    /// The earliest height that can still be read and proven, or `None` before the first commit.
    pub fn earliest_retained(&self) -> Option<u64> {
        self.state().map(|committed| committed.earliest)
    }

    /// The latest committed state (empty before the first commit).
    pub fn snapshot(&self) -> Snapshot {
        let state = self.state();
        match *state {
            None => Snapshot::empty(),
            Some(committed) => {
                let height = committed.latest.height;
                match committed.version_of(height) {
                    Ok(version) => self.view(height, version),
                    // first_height <= latest is checked on open and kept by every commit.
                    Err(err) => crate::fatal("mapping the latest height to a tree version", err),
                }
            }
        }
    }

    /// The committed state at `height`, which must be retained.
    pub fn snapshot_at(&self, height: u64) -> Result<Snapshot, StorageError> {
        let state = self.state();
        let version = retained_version(&state, height)?;
        Ok(self.view(height, version))
    }

    /// A pinned view; call with the state lock held and `height` retained.
    fn view(&self, height: u64, version: u64) -> Snapshot {
        let pin = self.inner.pins.pin(height);
        Snapshot::at(
            self.inner.tree.clone(),
            height,
            version,
            pin,
            Arc::clone(&self.inner.values),
        )
    }

    /// Computes the root for `height` with `changes` applied on top of the latest committed
    /// state, without persisting anything. `height` must be latest + 1, or (first commit) any
    /// height `>= 1`. Unchanged keys and deletes of absent keys are fine; empty `changes` give the
    /// previous root (but still a new version).
    pub fn prepare(&self, height: u64, changes: &Changes) -> Result<PendingCommit, StorageError> {
        let committed = *self.state();
        let (version, first_height, prepared_on) = match committed {
            None if height == 0 => return Err(StorageError::ZeroHeight),
            None => (0, height, None),
            Some(committed) => {
                let expected = committed.latest.height.checked_add(1).ok_or_else(|| {
                    StorageError::Corrupt("latest height is u64::MAX".to_string())
                })?;
                if height != expected {
                    return Err(StorageError::HeightGap {
                        expected,
                        got: height,
                    });
                }
                (
                    committed.version_of(height)?,
                    committed.first_height,
                    Some(committed.latest.height),
                )
            }
        };
        if changes.keys().any(|key| key.is_empty()) {
            return Err(StorageError::EmptyKey);
        }

        let tree = &self.inner.tree;
        let reader = SledTreeReader::cached(tree, &self.inner.nodes);
        let previous_version = version.checked_sub(1);
        let mut batch = CountedBatch::default();
        // The JMT's writes, each key hashed once (for the tree and its preimage record).
        let mut tree_writes = Vec::with_capacity(changes.len());
        // The change log, and what the value cache learns.
        let mut writes = Vec::with_capacity(changes.len());
        let mut held_now = Vec::with_capacity(changes.len());
        for (key, value) in changes.iter() {
            // What the key held, when the value cache knows without a read.
            let prior = previous_version
                .and_then(|previous| self.inner.values.prior(key, previous, value.as_deref()));
            // A write that leaves the key as it was (the value it holds, a delete of an absent
            // key) is left out: the root is a function of the key-value set, so it does not
            // move, and the key's older history entry stays its value.
            if prior.is_some_and(|prior| prior.same) {
                continue;
            }
            let (held, superseded) = match (prior, previous_version) {
                (Some(prior), _) => (Some(prior.held), keys::Superseded::from(prior.newest)),
                (None, None) => (Some(false), keys::Superseded::Nothing),
                // A delete needs to know whether the key exists; a set is written blind.
                (None, Some(previous)) if value.is_none() => {
                    let entry =
                        history::entry_at(tree, key, previous).map_err(StorageError::Corrupt)?;
                    let newest = entry.as_ref().map(|entry| entry.version);
                    let existed = entry.is_some_and(|entry| entry.value.is_some());
                    if !existed {
                        held_now.push((
                            key.clone(),
                            Held {
                                value: None,
                                newest,
                            },
                        ));
                        continue;
                    }
                    (Some(true), keys::Superseded::from(newest))
                }
                (None, Some(_)) => (None, keys::Superseded::Unknown),
            };
            if value.is_none() && held != Some(true) {
                continue;
            }
            let hash = KeyHash::with::<sha2::Sha256>(key);
            batch.insert(
                keys::history_key(key, version),
                keys::encode_history_value(value.as_deref()),
            );
            // A key that held a value keeps its preimage (pruning drops a preimage only with
            // the key's last tombstone); any other key gets it (again).
            if held != Some(true) {
                batch.insert(keys::preimage_key(hash), key.as_slice());
            }
            writes.push(keys::Write {
                key,
                deleted: Some(value.is_none()),
                superseded,
            });
            held_now.push((
                key.clone(),
                Held {
                    value: value.clone(),
                    newest: Some(version),
                },
            ));
            tree_writes.push((hash, value.clone()));
        }
        let (root, update) = jmt_backend::update(&reader, tree_writes, version)
            .map_err(|err| StorageError::Tree(format!("computing height {height}: {err:#}")))?;
        jmt_backend::add_tree_update(&mut batch, &update, version)
            .map_err(|err| StorageError::Tree(format!("encoding JMT nodes: {err}")))?;
        if !writes.is_empty() {
            let list = keys::encode_writes(writes)
                .map_err(|err| StorageError::Tree(format!("encoding the change log: {err}")))?;
            batch.insert(keys::list_key(keys::WRITES, version), list);
        }
        if committed.is_none_or(|committed| committed.format < keys::FORMAT_VERSION) {
            batch.insert(keys::META_FORMAT, keys::be(keys::FORMAT_VERSION));
        }
        if committed.is_none() {
            batch.insert(keys::META_FIRST_HEIGHT, keys::be(height));
            batch.insert(keys::META_EARLIEST_HEIGHT, keys::be(height));
        }
        batch.insert(keys::META_LATEST_HEIGHT, keys::be(height));
        batch.insert(keys::META_APP_HASH, root.0);
        let (batch, records, bytes) = batch.into_parts();

        Ok(PendingCommit {
            store_id: self.inner.id,
            prepared_on,
            height,
            app_hash: root.0,
            first_height,
            batch,
            batch_size: (records, bytes),
            version,
            written: held_now,
            nodes: update
                .node_batch
                .nodes()
                .iter()
                .map(|(key, node)| (key.clone(), node.clone()))
                .collect(),
            // The previous root too, which the JMT does not list when the tree is unchanged.
            stale: update
                .stale_node_index_batch
                .into_iter()
                .map(|entry| entry.node_key)
                .chain(previous_version.map(|previous| {
                    jmt::storage::NodeKey::new(previous, std::iter::empty().collect())
                }))
                .collect(),
        })
    }

    /// Persists a prepared commit in one atomic sled batch, flushes it to disk, then prunes
    /// heights that fell out of the retention window. Fails with
    /// [`StorageError::StalePending`] if anything was committed since the commit was prepared
    /// (and [`StorageError::ForeignPending`] if another store prepared it); nothing is written
    /// then.
    ///
    /// Any other error (I/O while writing or flushing) leaves it unknown whether the height
    /// reached the disk: the caller must stop the node. Reopening the store yields either the
    /// previous or the new height, each internally consistent.
    ///
    /// Pruning runs after the commit is durable; if it fails, the failure is logged and the
    /// commit still succeeds (the next commit retries pruning).
    pub fn commit(&self, pending: PendingCommit) -> Result<CommitInfo, StorageError> {
        if pending.store_id != self.inner.id {
            return Err(StorageError::ForeignPending {
                height: pending.height,
            });
        }
        let mut state = self.state();
        let latest = state.map(|committed| committed.latest.height);
        if latest != pending.prepared_on {
            return Err(StorageError::StalePending {
                height: pending.height,
                prepared_on: pending.prepared_on,
                latest,
            });
        }
        self.inner.tree.apply_batch(pending.batch)?;
        crate::crash::reached(crate::crash::CrashPoint::CommitBatch);
        self.inner.db.flush()?;
        let info = CommitInfo {
            height: pending.height,
            app_hash: pending.app_hash,
        };
        self.inner.record.write(info)?;
        let committed = Committed {
            format: keys::FORMAT_VERSION,
            first_height: pending.first_height,
            earliest: state.map_or(pending.height, |committed| committed.earliest),
            latest: info,
        };
        *state = Some(committed);
        // The height is durable: the caches may now serve it.
        let previous = pending
            .prepared_on
            .map(|_| pending.version.saturating_sub(1));
        self.inner
            .values
            .advance(previous, pending.version, pending.written);
        self.inner
            .io
            .add(pending.batch_size.0, pending.batch_size.1);
        self.inner.nodes.remove_stale(&pending.stale);
        for (key, node) in pending.nodes {
            self.inner.nodes.insert(key, node);
        }
        if let Err(err) = self.prune(&mut state) {
            tracing::error!(height = info.height, error = %err, "pruning old heights failed; will retry at the next commit");
        }
        Ok(info)
    }

    /// Advances the earliest retained height towards the retention window, never past a pinned
    /// height, at most [`MAX_PRUNE_STEPS_PER_COMMIT`] heights per call.
    fn prune(&self, state: &mut Option<Committed>) -> Result<(), StorageError> {
        let Some(committed) = state.as_mut() else {
            return Ok(());
        };
        let keep = self.inner.config.keep_recent;
        if keep == 0 {
            return Ok(());
        }
        // The window is the `keep` heights ending at the latest one.
        let mut target = committed
            .latest
            .height
            .saturating_sub(keep.saturating_sub(1))
            .max(committed.first_height);
        if let Some(pinned) = self.inner.pins.lowest() {
            target = target.min(pinned);
        }
        let mut steps = 0;
        while committed.earliest < target && steps < MAX_PRUNE_STEPS_PER_COMMIT {
            let next = committed.earliest.saturating_add(1);
            prune::advance_earliest(&self.inner.tree, next, committed.version_of(next)?)?;
            committed.earliest = next;
            steps += 1;
        }
        Ok(())
    }

    /// The value at `key` as of the retained `height`, with an ICS-23 commitment proof of
    /// existence or non-existence, verifiable against that height's app hash with
    /// [`crate::proof_spec`].
    ///
    /// There is no ICS-23 non-existence proof in an empty tree (it needs a neighbouring leaf);
    /// that case returns [`StorageError::Tree`].
    pub fn get_with_proof(
        &self,
        key: &[u8],
        height: u64,
    ) -> Result<(Option<Vec<u8>>, ics23::CommitmentProof), StorageError> {
        if key.is_empty() {
            return Err(StorageError::EmptyKey);
        }
        let (version, _pin) = {
            let state = self.state();
            let version = retained_version(&state, height)?;
            (version, self.inner.pins.pin(height))
        };
        let reader = SledTreeReader::cached(&self.inner.tree, &self.inner.nodes);
        let jmt = Sha256Jmt::new(&reader);
        let root = jmt
            .get_root_hash(version)
            .map_err(|err| StorageError::Corrupt(format!("root of height {height}: {err:#}")))?;
        if root.0 == crate::EMPTY_ROOT {
            return Err(StorageError::Tree(format!(
                "the state at height {height} is empty; ICS-23 cannot prove absence in an empty tree"
            )));
        }
        jmt.get_with_ics23_proof(key.to_vec(), version)
            .map_err(|err| StorageError::Tree(format!("proof at height {height}: {err:#}")))
    }

    /// The raw sled tree (for white-box unit tests).
    #[cfg(test)]
    pub(crate) fn raw_tree(&self) -> &sled::Tree {
        &self.inner.tree
    }

    /// What this handle's commits wrote and where its JMT node reads were served from, since
    /// the store was opened (monitoring and benchmarks).
    pub fn io_stats(&self) -> IoStats {
        let (commits, commit_records, commit_bytes) = self.inner.io.totals();
        let nodes = self.inner.nodes.counts();
        let wide = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        IoStats {
            commits,
            commit_records,
            commit_bytes,
            node_reads: nodes.reads,
            node_hits: nodes.hits,
            cached_nodes: wide(nodes.internal),
            cached_leaves: wide(nodes.leaves),
            cached_node_bytes: wide(nodes.bytes),
        }
    }

    /// Record counts per table (walks the tables; meant for monitoring and tests).
    pub fn stats(&self) -> Result<StoreStats, StorageError> {
        let tree = &self.inner.tree;
        let count = |prefix: u8| -> Result<u64, StorageError> {
            let mut n: u64 = 0;
            for entry in tree.scan_prefix([prefix]) {
                entry?;
                n = n.saturating_add(1);
            }
            Ok(n)
        };
        // Stale nodes and changed keys are counted one per item of their list records.
        let items = |prefix: u8| -> Result<u64, StorageError> {
            let mut n: u64 = 0;
            for entry in tree.scan_prefix([prefix]) {
                let (raw, value) = entry?;
                let malformed = || StorageError::Corrupt(format!("malformed record {raw:02x?}"));
                let len = match prefix {
                    keys::STALE => keys::decode_stale(&raw, &value)
                        .ok_or_else(malformed)?
                        .1
                        .len(),
                    _ => keys::decode_change_log(&raw, &value)
                        .ok_or_else(malformed)?
                        .1
                        .len(),
                };
                n = n.saturating_add(u64::try_from(len).unwrap_or(u64::MAX));
            }
            Ok(n)
        };
        Ok(StoreStats {
            nodes: count(keys::NODE)?,
            stale_nodes: items(keys::STALE)?,
            history_entries: count(keys::HISTORY)?,
            preimages: count(keys::PREIMAGE)?,
            change_log: items(keys::CHANGED)?.saturating_add(items(keys::WRITES)?),
        })
    }
}

/// The version of `height` if it is committed and retained.
fn retained_version(state: &Option<Committed>, height: u64) -> Result<u64, StorageError> {
    let Some(committed) = state else {
        return Err(StorageError::NotCommitted {
            height,
            latest: None,
        });
    };
    if height > committed.latest.height || height < committed.first_height {
        return Err(StorageError::NotCommitted {
            height,
            latest: Some(committed.latest.height),
        });
    }
    if height < committed.earliest {
        return Err(StorageError::NotRetained {
            height,
            earliest: committed.earliest,
        });
    }
    committed.version_of(height)
}

/// How long [`open_sled`] waits for a previous handle's file lock to be released.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Opens the sled database at `path` for tools and tests that read or corrupt a store's raw keys,
/// with the default page-cache bound ([`crate::DEFAULT_CACHE_BYTES`]).
pub fn open_raw(path: &Path) -> Result<sled::Db, StorageError> {
    open_sled(path, crate::DEFAULT_CACHE_BYTES)
}

/// Opens the sled database at `path` with a page cache of at most `cache_bytes` (sled's own
/// default, 1 GiB, is never used). sled's background flusher releases the file lock shortly after
/// the last handle is dropped, so a reopen right after a drop (a restart in the same process,
/// tests) briefly retries while the lock is held; another process keeping it longer still gets
/// the lock error. This is start-up I/O, not state-machine logic.
fn open_sled(path: &Path, cache_bytes: u64) -> Result<sled::Db, StorageError> {
    let deadline = std::time::Instant::now() + LOCK_WAIT; // determinism-ok: start-up I/O only
    loop {
        match sled::Config::new()
            .path(path)
            .cache_capacity(cache_bytes)
            .open()
        {
            Err(sled::Error::Io(e))
                if e.to_string().contains("could not acquire lock")
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            result => return Ok(result?),
        }
    }
}
