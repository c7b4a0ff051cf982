//! The sled keyspace: one-byte table prefixes, big-endian integers, and the order-preserving
//! escaping of application keys used by the history table.
//!
//! Every record lives in sled's default tree under a one-byte prefix (see the crate docs for the
//! table). Keeping everything in one tree makes a commit a single `apply_batch`, which sled
//! applies atomically, also across crashes.

use jmt::storage::NodeKey;
use jmt::KeyHash;

use borsh::BorshSerialize as _;

/// JMT nodes: `N` ‖ borsh(NodeKey) → borsh(Node).
pub(crate) const NODE: u8 = b'N';
/// Stale JMT nodes: `S` ‖ stale_since_version(be) ‖ borsh(NodeKey) → empty.
pub(crate) const STALE: u8 = b'S';
/// Versioned values: `H` ‖ escape(key) ‖ 0x00 0x00 ‖ version(be) → tag ‖ value.
pub(crate) const HISTORY: u8 = b'H';
/// Key preimages of JMT key hashes: `P` ‖ key_hash → key.
pub(crate) const PREIMAGE: u8 = b'P';
/// Keys written at a version, for pruning the history (format 1, still read): `C` ‖ version(be)
/// → list of keys.
pub(crate) const CHANGED: u8 = b'C';
/// Writes at a version with the history entry each superseded, for pruning the history without
/// searching it (format 2): `D` ‖ version(be) → list of [`Write`]s. `D` sorts beside `C`: at the
/// end of the keyspace these large records made Commit ≈ 18 % slower in the app bench
/// (docs/BENCHMARKS.md, "Pruning without searching").
pub(crate) const WRITES: u8 = b'D';

// Metadata records are `M` ‖ name:

/// Metadata: on-disk format version (u64 be).
pub(crate) const META_FORMAT: &[u8] = b"Mformat";
/// Metadata: height of the first commit (u64 be); version = height − first height.
pub(crate) const META_FIRST_HEIGHT: &[u8] = b"Mfirst_height";
/// Metadata: latest committed height (u64 be).
pub(crate) const META_LATEST_HEIGHT: &[u8] = b"Mlatest_height";
/// Metadata: app hash (JMT root) of the latest committed height (32 bytes).
pub(crate) const META_APP_HASH: &[u8] = b"Mapp_hash";
/// Metadata: earliest retained height (u64 be).
pub(crate) const META_EARLIEST_HEIGHT: &[u8] = b"Mearliest_height";

/// The on-disk format this code writes. Format 2 added the `D` change log; a format-1 store
/// (whose change log is `C`) is read, and becomes format 2 at its next commit.
pub(crate) const FORMAT_VERSION: u64 = 2;
/// The oldest on-disk format this code reads.
pub(crate) const OLDEST_FORMAT_READ: u64 = 1;

/// History value tag: the key was deleted at this version.
pub(crate) const TAG_TOMBSTONE: u8 = 0;
/// History value tag: the key was set at this version; the value follows.
pub(crate) const TAG_VALUE: u8 = 1;

/// Terminator after an escaped key: sorts below every escaped byte (`0x00 0xFF`, `0x01..`).
const TERMINATOR: [u8; 2] = [0x00, 0x00];
/// A bound just above every history entry of one key, and below every longer key.
const AFTER_TERMINATOR: [u8; 2] = [0x00, 0x01];

/// Encodes a u64 big-endian, so byte order equals numeric order.
pub(crate) fn be(value: u64) -> [u8; 8] {
    value.to_be_bytes()
}

/// Decodes a big-endian u64, or `None` if `bytes` is not exactly 8 bytes long.
pub(crate) fn decode_u64(bytes: &[u8]) -> Option<u64> {
    let array: [u8; 8] = bytes.try_into().ok()?;
    Some(u64::from_be_bytes(array))
}

/// Appends the order-preserving escape of `key` to `out`: `0x00` becomes `0x00 0xFF`, every
/// other byte is copied. For keys `a < b` (bytewise), `escape(a) ‖ TERMINATOR < escape(b) ‖ …`,
/// and `escape(p)` is a prefix of `escape(k)` exactly when `p` is a prefix of `k`.
pub(crate) fn escape_into(out: &mut Vec<u8>, key: &[u8]) {
    for &byte in key {
        out.push(byte);
        if byte == 0x00 {
            out.push(0xFF);
        }
    }
}

/// `H` ‖ escape(key) ‖ terminator: the common prefix of every history entry of `key`.
pub(crate) fn history_base(key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len().saturating_add(12));
    out.push(HISTORY);
    escape_into(&mut out, key);
    out.extend_from_slice(&TERMINATOR);
    out
}

/// The history entry of `key` at `version`.
pub(crate) fn history_key(key: &[u8], version: u64) -> Vec<u8> {
    let mut out = history_base(key);
    out.extend_from_slice(&be(version));
    out
}

/// `H` ‖ escape(prefix): every history entry of a key starting with `prefix` starts with this.
pub(crate) fn history_scan_start(prefix: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(prefix.len().saturating_add(1));
    out.push(HISTORY);
    escape_into(&mut out, prefix);
    out
}

/// A sled key just above every history entry of `key` (given its `history_base`) and below
/// the entries of every other key that sorts after it.
pub(crate) fn history_after_key(base: &[u8]) -> Vec<u8> {
    let mut out = base.to_vec();
    // `base` ends with the two terminator bytes; replace them.
    out.truncate(base.len().saturating_sub(TERMINATOR.len()));
    out.extend_from_slice(&AFTER_TERMINATOR);
    out
}

/// A decoded history entry key.
pub(crate) struct HistoryEntryKey {
    /// The application key.
    pub key: Vec<u8>,
    /// Length of `H ‖ escape(key) ‖ terminator` within the sled key.
    pub base_len: usize,
    /// The version of the entry (validated when decoding; read by tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub version: u64,
}

/// Decodes `H ‖ escape(key) ‖ 0x00 0x00 ‖ version`, or `None` if malformed.
pub(crate) fn decode_history_key(raw: &[u8]) -> Option<HistoryEntryKey> {
    let (&first, mut rest) = raw.split_first()?;
    if first != HISTORY {
        return None;
    }
    let mut key = Vec::with_capacity(raw.len());
    let mut consumed = 1usize;
    loop {
        let (&byte, tail) = rest.split_first()?;
        if byte != 0x00 {
            key.push(byte);
            rest = tail;
            consumed = consumed.checked_add(1)?;
            continue;
        }
        let (&next, tail) = tail.split_first()?;
        rest = tail;
        consumed = consumed.checked_add(2)?;
        match next {
            0xFF => key.push(0x00),
            0x00 => break,
            _ => return None,
        }
    }
    let version = decode_u64(rest)?;
    Some(HistoryEntryKey {
        key,
        base_len: consumed,
        version,
    })
}

/// Encodes a stored history value.
pub(crate) fn encode_history_value(value: Option<&[u8]>) -> Vec<u8> {
    match value {
        None => vec![TAG_TOMBSTONE],
        Some(value) => {
            let mut out = Vec::with_capacity(value.len().saturating_add(1));
            out.push(TAG_VALUE);
            out.extend_from_slice(value);
            out
        }
    }
}

/// Decodes a stored history value: `Ok(None)` for a tombstone, `Err` if the tag is unknown.
pub(crate) fn decode_history_value(raw: &[u8]) -> Result<Option<Vec<u8>>, String> {
    match raw.split_first() {
        Some((&TAG_TOMBSTONE, [])) => Ok(None),
        Some((&TAG_VALUE, value)) => Ok(Some(value.to_vec())),
        _ => Err(format!("history value with bad tag: {raw:02x?}")),
    }
}

/// `N` ‖ borsh(node_key). Borsh only fails on writer errors, which a `Vec` never has; the
/// error is still propagated rather than assumed away.
pub(crate) fn node_key(node_key: &NodeKey) -> std::io::Result<Vec<u8>> {
    let mut out = vec![NODE];
    node_key.serialize(&mut out)?;
    Ok(out)
}

/// `S` ‖ stale_since(be) ‖ borsh(node_key): the one-record-per-node stale index of stores
/// written before issue 14 (still read, see [`decode_stale`]).
#[cfg(test)]
pub(crate) fn stale_key(stale_since: u64, node_key_bytes: &[u8]) -> Vec<u8> {
    let suffix = node_key_bytes.get(1..).unwrap_or_default();
    let mut out = Vec::with_capacity(suffix.len().saturating_add(9));
    out.push(STALE);
    out.extend_from_slice(&be(stale_since));
    out.extend_from_slice(suffix);
    out
}

/// Turns a per-node stale-index key back into the node's `N` key and its stale-since version.
fn decode_stale_key(raw: &[u8]) -> Option<(u64, Vec<u8>)> {
    let (&first, rest) = raw.split_first()?;
    if first != STALE || rest.len() < 8 {
        return None;
    }
    let (version, node) = rest.split_at(8);
    let mut out = Vec::with_capacity(node.len().saturating_add(1));
    out.push(NODE);
    out.extend_from_slice(node);
    Some((decode_u64(version)?, out))
}

/// `P` ‖ key_hash.
pub(crate) fn preimage_key(key_hash: KeyHash) -> Vec<u8> {
    let mut out = Vec::with_capacity(33);
    out.push(PREIMAGE);
    out.extend_from_slice(&key_hash.0);
    out
}

/// `C` ‖ version(be) ‖ key: the one-record-per-key change log of stores written before issue
/// 14 (still read, see [`decode_changed`]).
#[cfg(test)]
pub(crate) fn changed_key(version: u64, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len().saturating_add(9));
    out.push(CHANGED);
    out.extend_from_slice(&be(version));
    out.extend_from_slice(key);
    out
}

/// Splits a per-key `C ‖ version ‖ key` into its version and key.
fn decode_changed_key(raw: &[u8]) -> Option<(u64, &[u8])> {
    let (&first, rest) = raw.split_first()?;
    if first != CHANGED || rest.len() < 8 {
        return None;
    }
    let (version, key) = rest.split_at(8);
    Some((decode_u64(version)?, key))
}

/// `prefix` ‖ version(be): a list record of one version (stale index or change log).
pub(crate) fn list_key(prefix: u8, version: u64) -> [u8; 9] {
    let mut out = [prefix; 9];
    out[1..].copy_from_slice(&be(version));
    out
}

/// The version of a list record's key, if `raw` is one (`prefix` and exactly 8 more bytes; a
/// per-item record is longer, since keys are never empty).
fn decode_list_key(prefix: u8, raw: &[u8]) -> Option<u64> {
    match raw.split_first() {
        Some((&first, version)) if first == prefix && version.len() == 8 => decode_u64(version),
        _ => None,
    }
}

/// Encodes items as `length(u32 be) ‖ bytes`, one after the other. An item longer than
/// `u32::MAX` bytes cannot exist here (keys and node keys are small; sled values are bounded
/// far below that), and is refused rather than truncated.
pub(crate) fn encode_list<'a>(
    items: impl IntoIterator<Item = &'a [u8]>,
) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for item in items {
        let len =
            u32::try_from(item.len()).map_err(|_| std::io::Error::other("list item over 4 GiB"))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(item);
    }
    Ok(out)
}

/// Decodes [`encode_list`], or `None` if malformed.
pub(crate) fn decode_list(mut raw: &[u8]) -> Option<Vec<&[u8]>> {
    let mut items = Vec::new();
    while !raw.is_empty() {
        let (len, rest) = raw.split_at_checked(4)?;
        let len = usize::try_from(u32::from_be_bytes(len.try_into().ok()?)).ok()?;
        let (item, rest) = rest.split_at_checked(len)?;
        items.push(item);
        raw = rest;
    }
    Some(items)
}

/// The history entry a write made unreachable once its own version is the earliest retained one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Superseded {
    /// The key had no history entry.
    Nothing,
    /// The key's newest entry was at this version (pruning may already have removed it, if it
    /// was a tombstone).
    At(u64),
    /// Not known when the write was prepared: pruning searches the key's older entries.
    Unknown,
}

impl From<Option<u64>> for Superseded {
    /// The entry superseded when the key's newest entry is known (`None`: it has none).
    fn from(newest: Option<u64>) -> Self {
        newest.map_or(Superseded::Nothing, Superseded::At)
    }
}

/// One write of a change log: the key, whether it was a delete, and what it superseded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Write<'a> {
    /// The application key.
    pub key: &'a [u8],
    /// Whether the write was a delete (a tombstone entry); `None` in the `C` change log, which
    /// does not record it.
    pub deleted: Option<bool>,
    /// The entry the write superseded.
    pub superseded: Superseded,
}

/// A `D` list item: flags (bit 0: delete; bits 1–2: 0 nothing superseded, 1 superseded at the
/// version that follows, 2 unknown) ‖ version(be, 0 unless bit 1) ‖ key.
const WRITE_HEADER: usize = 9;

/// Encodes the writes of one version as a `D` list value.
pub(crate) fn encode_writes<'a>(
    writes: impl IntoIterator<Item = Write<'a>>,
) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for write in writes {
        let (kind, version) = match write.superseded {
            Superseded::Nothing => (0u8, 0),
            Superseded::At(version) => (1, version),
            Superseded::Unknown => (2, 0),
        };
        let len = u32::try_from(write.key.len().saturating_add(WRITE_HEADER))
            .map_err(|_| std::io::Error::other("list item over 4 GiB"))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.push(kind << 1 | u8::from(write.deleted == Some(true)));
        out.extend_from_slice(&be(version));
        out.extend_from_slice(write.key);
    }
    Ok(out)
}

/// Decodes one `D` list item, or `None` if malformed.
fn decode_write(item: &[u8]) -> Option<Write<'_>> {
    let (header, key) = item.split_at_checked(WRITE_HEADER)?;
    let (&flags, version) = header.split_first()?;
    let version = decode_u64(version)?;
    let superseded = match flags >> 1 {
        0 if version == 0 => Superseded::Nothing,
        1 => Superseded::At(version),
        2 if version == 0 => Superseded::Unknown,
        _ => return None,
    };
    Some(Write {
        key,
        deleted: Some(flags & 1 == 1),
        superseded,
    })
}

/// A change-log record of either format: `D ‖ version → list of writes` (format 2), or `C ‖
/// version → list of keys` / `C ‖ version ‖ key → empty` (format 1, whose writes are
/// [`Superseded::Unknown`] and not known to be deletes). Returns the version and its writes,
/// or `None` if malformed.
pub(crate) fn decode_change_log<'a>(
    raw: &'a [u8],
    value: &'a [u8],
) -> Option<(u64, Vec<Write<'a>>)> {
    if let Some(version) = decode_list_key(WRITES, raw) {
        let writes = decode_list(value)?
            .into_iter()
            .map(decode_write)
            .collect::<Option<Vec<_>>>()?;
        return Some((version, writes));
    }
    let (version, keys) = decode_changed(raw, value)?;
    let writes = keys
        .into_iter()
        .map(|key| Write {
            key,
            deleted: None,
            superseded: Superseded::Unknown,
        })
        .collect();
    Some((version, writes))
}

/// A stale-index record, either form: `S ‖ version → list of N keys` (one per version) or the
/// older `S ‖ version ‖ borsh(node_key) → empty` (one per node). Returns the stale-since
/// version and the `N` keys of the nodes, or `None` if malformed.
pub(crate) fn decode_stale(raw: &[u8], value: &[u8]) -> Option<(u64, Vec<Vec<u8>>)> {
    match decode_list_key(STALE, raw) {
        Some(version) => Some((
            version,
            decode_list(value)?
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect(),
        )),
        None => decode_stale_key(raw).map(|(version, node)| (version, vec![node])),
    }
}

/// A change-log record, either form: `C ‖ version → list of keys` (one per version) or the
/// older `C ‖ version ‖ key → empty` (one per key). Returns the version and the keys written at
/// it, or `None` if malformed.
fn decode_changed<'a>(raw: &'a [u8], value: &'a [u8]) -> Option<(u64, Vec<&'a [u8]>)> {
    match decode_list_key(CHANGED, raw) {
        Some(version) => Some((version, decode_list(value)?)),
        None => decode_changed_key(raw).map(|(version, key)| (version, vec![key])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_records_and_the_older_per_item_records_both_decode() {
        let list = encode_list([b"ab".as_slice(), b"", b"c"]).expect("small");
        assert_eq!(decode_list(&list), Some(vec![b"ab".as_slice(), b"", b"c"]));
        assert_eq!(decode_list(&list[..list.len() - 1]), None);
        let keys = encode_list([b"k1".as_slice(), b"k2"]).expect("small");
        assert_eq!(
            decode_changed(&list_key(CHANGED, 7), &keys),
            Some((7, vec![b"k1".as_slice(), b"k2"]))
        );
        assert_eq!(
            decode_changed(&changed_key(7, b"k1"), &[]),
            Some((7, vec![b"k1".as_slice()]))
        );
        let node = b"Nnode".to_vec();
        let nodes = encode_list([node.as_slice()]).expect("small");
        assert_eq!(
            decode_stale(&list_key(STALE, 3), &nodes),
            Some((3, vec![node.clone()]))
        );
        assert_eq!(
            decode_stale(&stale_key(3, &node), &[]),
            Some((3, vec![node]))
        );
        assert_eq!(decode_stale(&list_key(STALE, 3), &[0, 0, 0, 9]), None);
    }

    #[test]
    fn change_logs_of_both_formats_decode_and_malformed_writes_are_refused() {
        let writes = [
            Write {
                key: b"a",
                deleted: Some(false),
                superseded: Superseded::At(7),
            },
            Write {
                key: b"b",
                deleted: Some(true),
                superseded: Superseded::Unknown,
            },
            Write {
                key: b"c",
                deleted: Some(false),
                superseded: Superseded::Nothing,
            },
        ];
        let value = encode_writes(writes).expect("small");
        assert_eq!(
            decode_change_log(&list_key(WRITES, 9), &value),
            Some((9, writes.to_vec()))
        );
        let keys = encode_list([b"a".as_slice()]).expect("small");
        let format_1 = Write {
            key: b"a",
            deleted: None,
            superseded: Superseded::Unknown,
        };
        assert_eq!(
            decode_change_log(&list_key(CHANGED, 9), &keys),
            Some((9, vec![format_1]))
        );
        // Kind 3, a version beside "nothing", a header cut short: refused, never guessed.
        for item in [
            [6u8, 0, 0, 0, 0, 0, 0, 0, 0, b'k'].as_slice(),
            &[0, 0, 0, 0, 0, 0, 0, 0, 1, b'k'],
            &[2, 0, 0],
        ] {
            let value = encode_list([item]).expect("small");
            assert_eq!(
                decode_change_log(&list_key(WRITES, 9), &value),
                None,
                "{item:?}"
            );
        }
    }

    proptest::proptest! {
        /// Escaped history keys sort exactly like the raw keys, for any versions.
        #[test]
        fn escaping_preserves_order(
            a in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(0u8), proptest::strategy::Just(0xFFu8), proptest::num::u8::ANY], 0..6),
            b in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(0u8), proptest::strategy::Just(0xFFu8), proptest::num::u8::ANY], 0..6),
            va in proptest::num::u64::ANY,
            vb in proptest::num::u64::ANY,
        ) {
            let ka = history_key(&a, va);
            let kb = history_key(&b, vb);
            if a != b {
                proptest::prop_assert_eq!(a.cmp(&b), ka.cmp(&kb));
            } else {
                proptest::prop_assert_eq!(va.cmp(&vb), ka.cmp(&kb));
            }
            // Round trip.
            let decoded = decode_history_key(&ka).expect("well-formed");
            proptest::prop_assert_eq!(&decoded.key, &a);
            proptest::prop_assert_eq!(decoded.version, va);
            let base = history_base(&a);
            proptest::prop_assert_eq!(&ka[..decoded.base_len], base.as_slice());
            // Prefix property: escape(a) is a prefix of history entries of b iff a is a prefix of b.
            proptest::prop_assert_eq!(kb.starts_with(&history_scan_start(&a)), b.starts_with(&a));
            // The "after" bound separates b's entries from every key greater than b.
            let after = history_after_key(&history_base(&b));
            proptest::prop_assert!(kb < after);
            if a > b {
                proptest::prop_assert!(ka > after);
            }
        }
    }

    #[test]
    fn malformed_history_keys_are_rejected() {
        assert!(decode_history_key(b"").is_none());
        assert!(decode_history_key(b"Xab\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01").is_none());
        assert!(decode_history_key(b"Hab\x00\x07\x00\x00\x00\x00\x00\x00\x00\x01").is_none());
        assert!(decode_history_key(b"Hab\x00\x00\x01").is_none());
        assert!(decode_history_value(&[7]).is_err());
        assert!(decode_history_value(&[TAG_TOMBSTONE, 1]).is_err());
        assert_eq!(decode_history_value(&[TAG_TOMBSTONE]), Ok(None));
        assert_eq!(decode_history_value(&[TAG_VALUE, 9]), Ok(Some(vec![9])));
    }
}
