//! Pruning: advancing the earliest retained version by one, in one atomic sled batch.
//!
//! When the earliest retained version becomes `e`:
//! - every JMT node stale since a version `≤ e` was last part of a version `< e`, so it is
//!   removed together with its stale-index record;
//! - for every key written at a version `w ≤ e` (from the change log `C`), its history entries
//!   older than `w` are superseded at every retained version and are removed; if the entry at `w`
//!   is a tombstone it is removed too (absence needs no record), and if no newer entry exists the
//!   key's preimage goes as well (no retained tree contains the key);
//! - the processed change-log records and the earliest-height metadata are updated in the same
//!   batch, so a crash leaves either the old or the new earliest height, never a mixture.
//!
//! Pruning runs inside `Storage::commit`, after the height is durable, not on a thread of its
//! own: a deleted key's preimage goes when no newer entry exists, and a commit running meanwhile
//! may write the key again (re-inserting its preimage) between that read and this batch, which
//! would then remove a live key's preimage. A background pruner needs the commit's writes locked
//! out around each step's reads and batch, or a preimage rule that does not read.

use crate::keys;
use crate::StorageError;

/// Makes `height` (JMT `version`) the earliest retained height. The caller guarantees that
/// `height` is at most the latest committed height and is not pinned by a reader.
pub(crate) fn advance_earliest(
    tree: &sled::Tree,
    height: u64,
    version: u64,
) -> Result<(), StorageError> {
    let mut batch = sled::Batch::default();

    for entry in tree.scan_prefix([keys::STALE]) {
        let (raw, value) = entry?;
        let (stale_since, nodes) = keys::decode_stale(&raw, &value)
            .ok_or_else(|| StorageError::Corrupt(format!("malformed stale record {raw:02x?}")))?;
        if stale_since > version {
            break;
        }
        for node in nodes {
            batch.remove(node);
        }
        batch.remove(raw);
    }

    // Format-1 change logs (`C`) first: a store upgraded to format 2 holds them only for versions
    // older than its first `D` record.
    for prefix in [keys::CHANGED, keys::WRITES] {
        for entry in tree.scan_prefix([prefix]) {
            let (raw, value) = entry?;
            let (written_at, writes) = keys::decode_change_log(&raw, &value).ok_or_else(|| {
                StorageError::Corrupt(format!("malformed change-log record {raw:02x?}"))
            })?;
            if written_at > version {
                break;
            }
            for write in writes {
                prune_key_history(tree, &mut batch, write, written_at)?;
            }
            batch.remove(raw.to_vec());
        }
    }

    batch.insert(keys::META_EARLIEST_HEIGHT, &keys::be(height));
    tree.apply_batch(batch)?;
    Ok(())
}

/// Removes the history of a key made unreachable by its `write` at `written_at` (now `≤` the
/// earliest retained version).
///
/// The entry a write superseded is the key's only entry older than the write: every older one
/// was removed when the superseded entry's own write was pruned, which happened first (the change
/// log is processed in version order, and each write is in it). So a known superseded entry is
/// removed without reading anything; only an unknown one (a write the value cache did not know,
/// or a format-1 change log) makes pruning search the key's older entries.
fn prune_key_history(
    tree: &sled::Tree,
    batch: &mut sled::Batch,
    write: keys::Write<'_>,
    written_at: u64,
) -> Result<(), StorageError> {
    let key = write.key;
    let base = keys::history_base(key);
    let at = keys::history_key(key, written_at);
    match write.superseded {
        keys::Superseded::Nothing => {}
        keys::Superseded::At(version) => batch.remove(keys::history_key(key, version)),
        keys::Superseded::Unknown => {
            let mut oldest = base.clone();
            oldest.extend_from_slice(&keys::be(0));
            for entry in tree.range(oldest..at.clone()) {
                let (raw, _) = entry?;
                batch.remove(raw);
            }
        }
    }

    let deleted = match write.deleted {
        Some(deleted) => deleted,
        None => {
            let Some(value) = tree.get(&at)? else {
                return Err(StorageError::Corrupt(format!(
                    "change log lists key {key:02x?} at version {written_at} but history has no \
                     entry"
                )));
            };
            keys::decode_history_value(&value)
                .map_err(StorageError::Corrupt)?
                .is_none()
        }
    };
    if deleted {
        let has_newer = match written_at.checked_add(1) {
            None => false,
            Some(next) => match tree.range(keys::history_key(key, next)..).next() {
                None => false,
                // Entries of other keys never start with `base` (see `keys::escape_into`).
                Some(entry) => entry?.0.starts_with(&base),
            },
        };
        batch.remove(at);
        if !has_newer {
            let hash = jmt::KeyHash::with::<sha2::Sha256>(key);
            batch.remove(keys::preimage_key(hash));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Storage, StorageConfig};
    use proptest::prelude::Strategy as _;
    use rampart_core::state::StateRead as _;
    use rampart_core::Changes;
    use std::collections::BTreeMap;

    /// The form a store's stale index and change log are rewritten in before pruning.
    #[derive(Clone, Copy)]
    enum Form {
        /// As this code writes them (`S` lists, `D` lists).
        Current,
        /// Format 1 (`S` lists, `C` lists of keys).
        KeyLists,
        /// Before issue 14 (one `S` record per node, one `C` record per key).
        PerItem,
    }

    /// Rewrites every `D` record of `tree` as format-1 `C` records (`per_item`: one per key).
    fn rewrite_as_format_1(tree: &sled::Tree, per_item: bool) {
        for entry in tree.scan_prefix([keys::WRITES]) {
            let (raw, value) = entry.expect("read");
            tree.remove(&raw).expect("remove");
            let (at, writes) = keys::decode_change_log(&raw, &value).expect("list");
            let written: Vec<&[u8]> = writes.iter().map(|write| write.key).collect();
            if per_item {
                for key in written {
                    tree.insert(keys::changed_key(at, key), &[]).expect("write");
                }
            } else {
                let list = keys::encode_list(written).expect("small");
                tree.insert(keys::list_key(keys::CHANGED, at), list)
                    .expect("write");
            }
        }
    }

    /// Every raw record of a store after four heights, pruned up to the last one, with its stale
    /// index and change log first rewritten in `form`.
    fn pruned_records(form: Form) -> Vec<(Vec<u8>, Vec<u8>)> {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Storage::open(
            dir.path(),
            StorageConfig {
                keep_recent: 0,
                ..Default::default()
            },
        )
        .expect("open");
        for height in 1..=4u8 {
            let changes = Changes::from([
                (b"a".to_vec(), Some(vec![height])),
                (vec![b'b', height % 2], (height < 3).then_some(vec![1])),
            ]);
            let pending = store.prepare(u64::from(height), &changes).expect("prepare");
            store.commit(pending).expect("commit");
        }
        let tree = store.raw_tree();
        match form {
            Form::Current => {}
            Form::KeyLists => rewrite_as_format_1(tree, false),
            Form::PerItem => {
                rewrite_as_format_1(tree, true);
                for entry in tree.scan_prefix([keys::STALE]) {
                    let (raw, value) = entry.expect("read");
                    tree.remove(&raw).expect("remove");
                    let (since, nodes) = keys::decode_stale(&raw, &value).expect("list");
                    for node in nodes {
                        tree.insert(keys::stale_key(since, &node), &[])
                            .expect("write");
                    }
                }
            }
        }
        advance_earliest(tree, 4, 3).expect("prune");
        tree.iter()
            .map(|entry| {
                let (key, value) = entry.expect("read");
                (key.to_vec(), value.to_vec())
            })
            .collect()
    }

    #[test]
    fn format_1_change_logs_are_pruned_like_format_2_ones() {
        let current = pruned_records(Form::Current);
        assert!(!current
            .iter()
            .any(|(key, _)| key[0] == keys::WRITES || key[0] == keys::CHANGED));
        assert_eq!(pruned_records(Form::KeyLists), current);
        assert_eq!(pruned_records(Form::PerItem), current);
    }

    #[test]
    fn a_format_1_store_opens_prunes_and_is_format_2_after_its_next_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = StorageConfig {
            keep_recent: 2,
            ..Default::default()
        };
        let commit = |store: &Storage, height: u8| {
            let changes = Changes::from([(b"a".to_vec(), Some(vec![height]))]);
            let pending = store.prepare(u64::from(height), &changes).expect("prepare");
            store.commit(pending).expect("commit");
        };
        {
            let store = Storage::open(
                dir.path(),
                StorageConfig {
                    keep_recent: 0,
                    ..config
                },
            )
            .expect("open");
            for height in 1..=3 {
                commit(&store, height);
            }
            rewrite_as_format_1(store.raw_tree(), false);
            store
                .raw_tree()
                .insert(keys::META_FORMAT, &keys::be(1))
                .expect("write");
        }
        let store = Storage::open(dir.path(), config).expect("a format-1 store opens");
        commit(&store, 4);
        let tree = store.raw_tree();
        let format = tree
            .get(keys::META_FORMAT)
            .expect("read")
            .expect("recorded");
        assert_eq!(keys::decode_u64(&format), Some(keys::FORMAT_VERSION));
        let prefixes: Vec<(u8, u64)> = [keys::CHANGED, keys::WRITES]
            .into_iter()
            .flat_map(|prefix| tree.scan_prefix([prefix]))
            .map(|entry| {
                let (raw, value) = entry.expect("read");
                (
                    raw[0],
                    keys::decode_change_log(&raw, &value).expect("log").0,
                )
            })
            .collect();
        // Earliest retained height 3 (version 2): the `C` records up to version 2 are pruned
        // (searching), the `D` record of version 3 is not yet due.
        assert_eq!(prefixes, vec![(keys::WRITES, 3)]);
        let history: Vec<u64> = tree
            .scan_prefix([keys::HISTORY])
            .map(|entry| {
                keys::decode_history_key(&entry.expect("read").0)
                    .expect("key")
                    .version
            })
            .collect();
        assert_eq!(history, vec![2, 3]);
        assert_eq!(
            store.snapshot_at(3).expect("retained").get(b"a"),
            Some(vec![3])
        );
    }

    /// One write of a block in [`pruning_keeps_exactly_the_reachable_history`].
    #[derive(Clone, Debug)]
    struct Op {
        key: u8,
        /// `None` deletes.
        value: Option<u8>,
        /// Read the key before the block (as execution does), so the value cache knows it.
        read_first: bool,
    }

    /// A history entry's version, raw sled key and raw value.
    type HistoryRecord = (u64, Vec<u8>, Vec<u8>);

    /// The `H` and `P` records of `tree`.
    fn history_and_preimages(tree: &sled::Tree) -> BTreeMap<Vec<u8>, Vec<u8>> {
        [keys::HISTORY, keys::PREIMAGE]
            .into_iter()
            .flat_map(|prefix| tree.scan_prefix([prefix]))
            .map(|entry| {
                let (key, value) = entry.expect("read");
                (key.to_vec(), value.to_vec())
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Whatever the writes, deletes, reads, restarts and format-1 change logs, a pruned
        /// store holds exactly the history an unpruned one holds minus what no retained height
        /// can reach: per key, every entry newer than the earliest retained version and the
        /// newest one at or below it unless that is a tombstone; preimages of the keys with an
        /// entry left.
        #[test]
        fn pruning_keeps_exactly_the_reachable_history(
            blocks in proptest::collection::vec(
                proptest::collection::vec(
                    (0u8..6, proptest::option::of(0u8..3), proptest::bool::ANY)
                        .prop_map(|(key, value, read_first)| Op { key, value, read_first }),
                    0..5,
                ),
                1..24,
            ),
            keep_recent in 1u64..4,
            reopen_at in 0usize..24,
            format_1_until in 0usize..24,
        ) {
            let pruned_dir = tempfile::tempdir().expect("tempdir");
            let full_dir = tempfile::tempdir().expect("tempdir");
            let open = |dir: &tempfile::TempDir, keep_recent| {
                Storage::open(dir.path(), StorageConfig { keep_recent, ..Default::default() })
                    .expect("open")
            };
            let mut pruned = open(&pruned_dir, keep_recent);
            let mut full = open(&full_dir, 0);
            for (index, block) in blocks.iter().enumerate() {
                if index == reopen_at {
                    // Both, so that their value caches (which decide what is written) agree.
                    drop((pruned, full));
                    pruned = open(&pruned_dir, keep_recent);
                    full = open(&full_dir, 0);
                }
                let mut changes = Changes::new();
                for op in block {
                    let key = vec![b'k', op.key];
                    if op.read_first {
                        pruned.snapshot().get(&key);
                        full.snapshot().get(&key);
                    }
                    changes.insert(key, op.value.map(|value| vec![value]));
                }
                let height = u64::try_from(index).expect("small") + 1;
                if index < format_1_until {
                    // Pruning runs inside commit: prepare, rewrite, commit would race it, so
                    // the pruned store's earlier change logs are rewritten instead.
                    rewrite_as_format_1(pruned.raw_tree(), index % 2 == 0);
                }
                for store in [&pruned, &full] {
                    let pending = store.prepare(height, &changes).expect("prepare");
                    store.commit(pending).expect("commit");
                }
            }

            let earliest = pruned.earliest_retained().expect("committed") - 1;
            let mut expected = BTreeMap::new();
            // Per key: its entries' versions, raw keys and values, oldest first.
            let mut entries: BTreeMap<Vec<u8>, Vec<HistoryRecord>> = BTreeMap::new();
            for (raw, value) in history_and_preimages(full.raw_tree()) {
                if raw[0] == keys::HISTORY {
                    let entry = keys::decode_history_key(&raw).expect("history key");
                    entries.entry(entry.key).or_default().push((entry.version, raw, value));
                }
            }
            for (key, versions) in entries {
                let reachable_from = versions
                    .iter()
                    .rposition(|(version, _, _)| *version <= earliest);
                let mut any = false;
                for (index, (version, raw, value)) in versions.into_iter().enumerate() {
                    let newest_at_earliest = Some(index) == reachable_from;
                    let keep = version > earliest
                        || (newest_at_earliest && value != [keys::TAG_TOMBSTONE]);
                    if keep {
                        expected.insert(raw, value);
                        any = true;
                    }
                }
                if any {
                    let hash = jmt::KeyHash::with::<sha2::Sha256>(&key);
                    expected.insert(keys::preimage_key(hash), key);
                }
            }
            proptest::prop_assert_eq!(history_and_preimages(pruned.raw_tree()), expected);
        }
    }
}
