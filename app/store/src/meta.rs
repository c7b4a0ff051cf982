//! Metadata records: loading them on open and checking that they agree with the tree.

use jmt::Sha256Jmt;

use crate::jmt_backend::SledTreeReader;
use crate::keys;
use crate::{CommitInfo, StorageError};

/// The committed state as recorded in the metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Committed {
    /// The store's on-disk format (rewritten as [`keys::FORMAT_VERSION`] at the next commit).
    pub format: u64,
    /// Height of the first commit; JMT version = height − first_height.
    pub first_height: u64,
    /// Earliest height still retained.
    pub earliest: u64,
    /// Latest committed height and its app hash.
    pub latest: CommitInfo,
}

impl Committed {
    /// The JMT version of `height`, which must be `>= first_height`.
    pub(crate) fn version_of(&self, height: u64) -> Result<u64, StorageError> {
        height.checked_sub(self.first_height).ok_or_else(|| {
            StorageError::Corrupt(format!(
                "height {height} is below the first committed height {}",
                self.first_height
            ))
        })
    }
}

fn read_u64(tree: &sled::Tree, key: &[u8]) -> Result<Option<u64>, StorageError> {
    match tree.get(key)? {
        None => Ok(None),
        Some(bytes) => keys::decode_u64(&bytes).map(Some).ok_or_else(|| {
            StorageError::Corrupt(format!(
                "metadata {} is not an 8-byte integer",
                String::from_utf8_lossy(key)
            ))
        }),
    }
}

fn require_u64(tree: &sled::Tree, key: &[u8]) -> Result<u64, StorageError> {
    read_u64(tree, key)?.ok_or_else(|| {
        StorageError::Corrupt(format!(
            "metadata {} is missing although a latest height is recorded",
            String::from_utf8_lossy(key)
        ))
    })
}

/// Loads and validates the metadata: `None` for a store that was never committed to (which must
/// then hold no records at all), otherwise the committed state after checking that the format is
/// known, `first ≤ earliest ≤ latest`, the JMT has roots at the earliest and latest versions, and
/// the latest root equals the recorded app hash.
pub(crate) fn load(tree: &sled::Tree) -> Result<Option<Committed>, StorageError> {
    let Some(latest_height) = read_u64(tree, keys::META_LATEST_HEIGHT)? else {
        if let Some(entry) = tree.iter().next() {
            let (key, _) = entry?;
            return Err(StorageError::Corrupt(format!(
                "store holds records (first key {key:02x?}) but no latest committed height; \
                 refusing to treat it as empty"
            )));
        }
        return Ok(None);
    };
    let format = require_u64(tree, keys::META_FORMAT)?;
    if !(keys::OLDEST_FORMAT_READ..=keys::FORMAT_VERSION).contains(&format) {
        return Err(StorageError::Corrupt(format!(
            "unknown store format {format} (this build reads formats {} to {})",
            keys::OLDEST_FORMAT_READ,
            keys::FORMAT_VERSION
        )));
    }
    let first_height = require_u64(tree, keys::META_FIRST_HEIGHT)?;
    let earliest = require_u64(tree, keys::META_EARLIEST_HEIGHT)?;
    let app_hash_bytes = tree.get(keys::META_APP_HASH)?.ok_or_else(|| {
        StorageError::Corrupt(
            "metadata app hash is missing although a latest height is recorded".into(),
        )
    })?;
    let app_hash: [u8; 32] = app_hash_bytes.as_ref().try_into().map_err(|_| {
        StorageError::Corrupt(format!(
            "metadata app hash has {} bytes, expected 32",
            app_hash_bytes.len()
        ))
    })?;
    if !(1 <= first_height && first_height <= earliest && earliest <= latest_height) {
        return Err(StorageError::Corrupt(format!(
            "height metadata out of order: first {first_height}, earliest retained {earliest}, \
             latest {latest_height}"
        )));
    }
    let committed = Committed {
        format,
        first_height,
        earliest,
        latest: CommitInfo {
            height: latest_height,
            app_hash,
        },
    };

    let reader = SledTreeReader::new(tree);
    let jmt = Sha256Jmt::new(&reader);
    let root_at = |height: u64| -> Result<[u8; 32], StorageError> {
        let version = committed.version_of(height)?;
        match jmt.get_root_hash_option(version) {
            Ok(Some(root)) => Ok(root.0),
            Ok(None) => Err(StorageError::Corrupt(format!(
                "no Merkle root stored for height {height} (version {version})"
            ))),
            Err(err) => Err(StorageError::Corrupt(format!(
                "cannot read the Merkle root of height {height}: {err:#}"
            ))),
        }
    };
    root_at(earliest)?;
    let root = root_at(latest_height)?;
    if root != app_hash {
        return Err(StorageError::Corrupt(format!(
            "recorded app hash {} of height {latest_height} does not match the Merkle root {} \
             stored for it",
            hex(&app_hash),
            hex(&root)
        )));
    }
    Ok(Some(committed))
}

/// Lower-case hex of `bytes`, for messages.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, byte| {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02x}");
        out
    })
}
