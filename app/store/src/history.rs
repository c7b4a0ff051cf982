//! The flat, versioned key index: point reads and ordered prefix scans at any retained version.
//!
//! Entries are `H ‖ escape(key) ‖ 0x00 0x00 ‖ version(be) → tag ‖ value` (see [`crate::keys`]).
//! The value of a key at version `v` is its newest entry with version `≤ v`; a tombstone or no
//! entry means absent. Because the escaping preserves byte order, a range over
//! `H ‖ escape(prefix)` visits keys in ascending order, each key's versions contiguously.

use rampart_core::state::KeyValue;

use crate::keys;

/// A key's newest history entry at some version.
pub(crate) struct Entry {
    /// The version the entry was written at.
    pub version: u64,
    /// The value it set, `None` for a tombstone.
    pub value: Option<Vec<u8>>,
}

/// The value of `key` at `version`, or `Err` with a description if the stored data cannot be
/// read or decoded.
pub(crate) fn value_at(
    tree: &sled::Tree,
    key: &[u8],
    version: u64,
) -> Result<Option<Vec<u8>>, String> {
    Ok(entry_at(tree, key, version)?.and_then(|entry| entry.value))
}

/// The newest entry of `key` with version `≤ version`, if any.
pub(crate) fn entry_at(
    tree: &sled::Tree,
    key: &[u8],
    version: u64,
) -> Result<Option<Entry>, String> {
    entry_under(tree, &keys::history_base(key), version)
}

/// The newest entry `≤ version` under a key's `history_base`, decoded.
fn entry_under(tree: &sled::Tree, base: &[u8], version: u64) -> Result<Option<Entry>, String> {
    let mut low = base.to_vec();
    low.extend_from_slice(&keys::be(0));
    let mut high = base.to_vec();
    high.extend_from_slice(&keys::be(version));
    match tree.range(low..=high).next_back() {
        None => Ok(None),
        Some(Err(err)) => Err(format!("reading history: {err}")),
        Some(Ok((raw, value))) => {
            let version = raw
                .len()
                .checked_sub(8)
                .and_then(|start| keys::decode_u64(raw.get(start..)?))
                .ok_or_else(|| format!("history entry key too short: {raw:02x?}"))?;
            Ok(Some(Entry {
                version,
                value: keys::decode_history_value(&value)?,
            }))
        }
    }
}

/// Ordered iterator over the live keys under `prefix` (and `>= start`) at one version.
///
/// Each step seeks to the next key's first entry, then to that key's newest entry `≤ version`,
/// so the cost is two seeks per distinct key regardless of how many versions a key has.
pub(crate) struct Scan<'a> {
    tree: &'a sled::Tree,
    prefix: Vec<u8>,
    scan_start: Vec<u8>,
    cursor: Option<Vec<u8>>,
    version: u64,
}

impl<'a> Scan<'a> {
    /// Keys starting with `prefix` that are `>= start` (if given), as of `version`.
    pub(crate) fn new(
        tree: &'a sled::Tree,
        prefix: &[u8],
        start: Option<&[u8]>,
        version: u64,
    ) -> Self {
        let lower = match start {
            Some(start) if start > prefix => start,
            _ => prefix,
        };
        Self {
            tree,
            prefix: prefix.to_vec(),
            scan_start: keys::history_scan_start(prefix),
            cursor: Some(keys::history_scan_start(lower)),
            version,
        }
    }

    /// The next live key-value pair, `Ok(None)` at the end, or `Err` on unreadable data.
    pub(crate) fn try_next(&mut self) -> Result<Option<KeyValue>, String> {
        loop {
            let Some(cursor) = self.cursor.take() else {
                return Ok(None);
            };
            let (raw, _) = match self.tree.range(cursor..).next() {
                None => return Ok(None),
                Some(Err(err)) => return Err(format!("scanning history: {err}")),
                Some(Ok(entry)) => entry,
            };
            if !raw.starts_with(&self.scan_start) {
                return Ok(None);
            }
            let entry = keys::decode_history_key(&raw)
                .ok_or_else(|| format!("malformed history key {:02x?}", &raw[..]))?;
            let base = raw.get(..entry.base_len).ok_or_else(|| {
                format!(
                    "history key shorter than its decoded base: {:02x?}",
                    &raw[..]
                )
            })?;
            self.cursor = Some(keys::history_after_key(base));
            if !entry.key.starts_with(&self.prefix) {
                // Unreachable by the escaping's prefix property; checked rather than trusted.
                return Err(format!(
                    "history key {:02x?} escaped the scan prefix",
                    entry.key
                ));
            }
            if let Some(value) =
                entry_under(self.tree, base, self.version)?.and_then(|entry| entry.value)
            {
                return Ok(Some((entry.key, value)));
            }
        }
    }
}
