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
        let (raw, _) = entry?;
        let (stale_since, node) = keys::decode_stale_key(&raw)
            .ok_or_else(|| StorageError::Corrupt(format!("malformed stale key {raw:02x?}")))?;
        if stale_since > version {
            break;
        }
        batch.remove(node);
        batch.remove(raw);
    }

    for entry in tree.scan_prefix([keys::CHANGED]) {
        let (raw, _) = entry?;
        let (written_at, key) = keys::decode_changed_key(&raw)
            .ok_or_else(|| StorageError::Corrupt(format!("malformed change-log key {raw:02x?}")))?;
        if written_at > version {
            break;
        }
        prune_key_history(tree, &mut batch, key, written_at)?;
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
