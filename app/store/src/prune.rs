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

    for entry in tree.scan_prefix([keys::CHANGED]) {
        let (raw, value) = entry?;
        let (written_at, written) = keys::decode_changed(&raw, &value).ok_or_else(|| {
            StorageError::Corrupt(format!("malformed change-log record {raw:02x?}"))
        })?;
        if written_at > version {
            break;
        }
        for key in written {
            prune_key_history(tree, &mut batch, key, written_at)?;
        }
        batch.remove(raw.to_vec());
    }

    batch.insert(keys::META_EARLIEST_HEIGHT, &keys::be(height));
    tree.apply_batch(batch)?;
    Ok(())
}

/// Removes the history of `key` made unreachable by its write at `written_at` (now `≤` the
/// earliest retained version).
fn prune_key_history(
    tree: &sled::Tree,
    batch: &mut sled::Batch,
    key: &[u8],
    written_at: u64,
) -> Result<(), StorageError> {
    let base = keys::history_base(key);
    let at = keys::history_key(key, written_at);
    let mut oldest = base.clone();
    oldest.extend_from_slice(&keys::be(0));
    for entry in tree.range(oldest..at.clone()) {
        let (raw, _) = entry?;
        batch.remove(raw);
    }

    let Some(value) = tree.get(&at)? else {
        return Err(StorageError::Corrupt(format!(
            "change log lists key {key:02x?} at version {written_at} but history has no entry"
        )));
    };
    let is_tombstone = keys::decode_history_value(&value)
        .map_err(StorageError::Corrupt)?
        .is_none();
    if is_tombstone {
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
    use rampart_core::Changes;

    /// Every raw record of a store after four heights, pruned up to the last one; with
    /// `per_item`, its stale-index and change-log lists are first rewritten in the
    /// one-record-per-item form that stores written before issue 14 hold.
    fn pruned_records(per_item: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
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
        if per_item {
            for prefix in [keys::STALE, keys::CHANGED] {
                for entry in tree.scan_prefix([prefix]) {
                    let (raw, value) = entry.expect("read");
                    tree.remove(&raw).expect("remove");
                    if prefix == keys::STALE {
                        let (since, nodes) = keys::decode_stale(&raw, &value).expect("list");
                        for node in nodes {
                            tree.insert(keys::stale_key(since, &node), &[])
                                .expect("write");
                        }
                    } else {
                        let (at, written) = keys::decode_changed(&raw, &value).expect("list");
                        for key in written {
                            tree.insert(keys::changed_key(at, key), &[]).expect("write");
                        }
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
    fn older_per_item_records_are_pruned_like_list_records() {
        let lists = pruned_records(false);
        assert!(!lists.iter().any(|(key, _)| key[0] == keys::CHANGED));
        assert_eq!(pruned_records(true), lists);
    }
}
