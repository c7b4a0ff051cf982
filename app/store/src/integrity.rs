//! The commit record: a small file beside sled's own (`<store>/COMMITTED`) naming the last
//! height the store committed and its app hash, so that a store that lost committed heights
//! (a truncated or corrupted sled file, which sled "recovers" up to the damage) is refused at
//! open instead of silently opening at an older height.
//!
//! The record is written after sled's flush at every commit. It holds two slots, 512 bytes
//! apart; height `h` overwrites slot `h % 2` in place and syncs the data (`fdatasync`: no rename,
//! no directory sync, so a block pays one small synced write). A slot is valid when its magic and
//! SHA-256 checksum match; the record says the highest valid slot's height. A write torn by a
//! crash leaves that slot invalid and the other one at the previous height, which the table below
//! accepts (the store is then one height ahead). The file itself is created (or replaced, when a
//! store from before the record is upgraded) by writing a temporary file, fsync, rename, fsync of
//! the directory. At open, sled's latest commit is compared with the record:
//!
//! | sled's latest height          | outcome                                              |
//! |-------------------------------|------------------------------------------------------|
//! | = the record's, same app hash | opens                                                |
//! | = the record's + 1            | opens, record rewritten (a crash between the flush and the record) |
//! | no record, some height        | opens, record written (a store from before the record) |
//! | no record, empty store        | opens (a new store)                                  |
//! | below the record's, or none   | refused: committed heights were lost                 |
//! | same height, other app hash   | refused                                              |
//! | more than one above           | refused: the record belongs to another store         |
//! | record unreadable             | refused                                              |
//!
//! A slot: `RAMPCR01` ‖ height (u64 big-endian) ‖ app hash (32 bytes) ‖ SHA-256 of those 48
//! bytes; the rest of the 1,024-byte file is zero.

use std::cell::Cell;
use std::os::unix::fs::FileExt as _;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, PoisonError};

use sha2::{Digest, Sha256};

use crate::meta::hex;
use crate::{CommitInfo, StorageError};

/// The record's file name inside the store directory.
pub(crate) const RECORD_FILE: &str = "COMMITTED";

/// The first bytes of a valid slot (and the record's format version).
const MAGIC: &[u8; 8] = b"RAMPCR01";
/// Bytes of a slot: magic, height, app hash, checksum.
const SLOT_LEN: usize = 8 + 8 + 32 + 32;
/// Where slot 1 starts (slot 0 at 0): another disk sector.
const SLOT_STRIDE: usize = 512;
/// Bytes of the record file.
const FILE_LEN: usize = 2 * SLOT_STRIDE;

/// The commit record of one store directory.
#[derive(Debug)]
pub(crate) struct CommitRecord {
    /// `<store>/COMMITTED`.
    path: PathBuf,
    /// `<store>/COMMITTED.tmp`, written then renamed over `path`.
    temp: PathBuf,
    /// The store directory (fsync'd after the rename).
    dir: PathBuf,
    /// The record, open for the in-place slot writes; `None` until it exists.
    file: Mutex<Option<std::fs::File>>,
}

impl CommitRecord {
    /// Checks sled's latest commit `latest` in the store at `dir` against the record, and writes
    /// the record when it is missing or one height behind (see the module's table).
    pub(crate) fn check_at_open(
        dir: &Path,
        latest: Option<CommitInfo>,
    ) -> Result<CommitRecord, StorageError> {
        let record = CommitRecord {
            path: dir.join(RECORD_FILE),
            temp: dir.join(format!("{RECORD_FILE}.tmp")),
            dir: dir.to_path_buf(),
            file: Mutex::new(None),
        };
        let recorded = record.read()?;
        let damaged = |detail: String| StorageError::Damaged {
            path: dir.to_path_buf(),
            detail,
        };
        let file = record.path.display();
        match (recorded, latest) {
            (None, None) => {}
            (None, Some(latest)) => {
                tracing::warn!(
                    height = latest.height,
                    record = %file,
                    "the store has no commit record (written by an older rampartd); \
                     writing one at its latest height"
                );
                record.create(latest)?;
            }
            (Some(recorded), None) => {
                return Err(damaged(format!(
                    "it holds no height but height {} was committed (recorded in {file})",
                    recorded.height
                )))
            }
            (Some(recorded), Some(latest)) if latest.height < recorded.height => {
                return Err(damaged(format!(
                    "it holds height {} but height {} was committed (recorded in {file})",
                    latest.height, recorded.height
                )))
            }
            (Some(recorded), Some(latest)) if latest.height == recorded.height => {
                if latest.app_hash != recorded.app_hash {
                    return Err(damaged(format!(
                        "it holds height {} with app hash {} but app hash {} was committed at \
                         that height (recorded in {file})",
                        latest.height,
                        hex(&latest.app_hash),
                        hex(&recorded.app_hash)
                    )));
                }
            }
            (Some(recorded), Some(latest))
                if Some(latest.height) == recorded.height.checked_add(1) =>
            {
                tracing::info!(
                    height = latest.height,
                    record = %file,
                    "the store is one height ahead of its commit record (stopped between the \
                     flush and the record); updating the record"
                );
                record.write(latest)?;
            }
            (Some(recorded), Some(latest)) => {
                return Err(damaged(format!(
                    "it holds height {} but its commit record {file} says height {} (the record \
                     belongs to another copy of the store; if this store was restored or copied \
                     on purpose, delete {file})",
                    latest.height, recorded.height
                )))
            }
        }
        Ok(record)
    }

    /// Records `info` as committed (call after the height is durable in sled): overwrites slot
    /// `height % 2` and syncs it; the first time, creates the file.
    pub(crate) fn write(&self, info: CommitInfo) -> Result<(), StorageError> {
        // The guarded value is only replaced after a successful open; a panic elsewhere while
        // holding the lock leaves it meaningful.
        let file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(file) = file.as_ref() else {
            drop(file);
            return self.create(info);
        };
        let offset = slot_offset(info.height);
        // usize → u64 is lossless (0 or 512).
        file.write_all_at(&encode(info), offset as u64)
            .and_then(|()| file.sync_data())
            .map_err(|source| self.io_error(source))
    }

    /// Creates (or replaces) the record holding `info` only: a temporary file, fsync, rename,
    /// fsync of the directory; then keeps it open for [`CommitRecord::write`].
    fn create(&self, info: CommitInfo) -> Result<(), StorageError> {
        let mut bytes = vec![0u8; FILE_LEN];
        let offset = slot_offset(info.height);
        let slot = encode(info);
        for (byte, value) in bytes.iter_mut().skip(offset).zip(slot) {
            *byte = value;
        }
        std::fs::write(&self.temp, &bytes)
            .and_then(|()| std::fs::File::open(&self.temp)?.sync_all())
            .and_then(|()| std::fs::rename(&self.temp, &self.path))
            .and_then(|()| std::fs::File::open(&self.dir)?.sync_all())
            .map_err(|source| self.io_error(source))?;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&self.path)
            .map_err(|source| self.io_error(source))?;
        *self.file.lock().unwrap_or_else(PoisonError::into_inner) = Some(file);
        Ok(())
    }

    fn io_error(&self, source: std::io::Error) -> StorageError {
        StorageError::Record {
            path: self.path.clone(),
            source,
        }
    }

    /// The record, `None` if there is none; an unreadable one is [`StorageError::Damaged`]. An
    /// existing record is kept open for [`CommitRecord::write`].
    fn read(&self) -> Result<Option<CommitInfo>, StorageError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(self.io_error(source)),
        };
        let info = decode(&bytes).map_err(|why| StorageError::Damaged {
            path: self.dir.clone(),
            detail: format!(
                "its commit record {} is unreadable ({why})",
                self.path.display()
            ),
        })?;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&self.path)
            .map_err(|source| self.io_error(source))?;
        *self.file.lock().unwrap_or_else(PoisonError::into_inner) = Some(file);
        Ok(Some(info))
    }
}

/// Runs `open` (sled's open and the metadata check of the store at `dir`), turning sled's own
/// corruption reports — and a panic inside sled, which sled 0.34 raises on some truncated logs
/// while recovering — into [`StorageError::Damaged`]. Such a panic is not printed as a crash:
/// the error names the store and what to do.
pub(crate) fn guarded_open<T>(
    dir: &Path,
    open: impl FnOnce() -> Result<T, StorageError>,
) -> Result<T, StorageError> {
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !OPENING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    OPENING.with(|opening| opening.set(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(open));
    OPENING.with(|opening| opening.set(false));
    let damaged = |detail: String| StorageError::Damaged {
        path: dir.to_path_buf(),
        detail,
    };
    match result {
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(damaged(format!("sled cannot recover its log ({what})")))
        }
        Ok(Err(err @ StorageError::Io(sled::Error::Corruption { .. }))) => {
            Err(damaged(format!("sled cannot read it ({err})")))
        }
        Ok(Err(StorageError::Io(sled::Error::Io(io))))
            if matches!(
                io.kind(),
                std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::InvalidData
            ) =>
        {
            Err(damaged(format!("sled cannot read it ({io})")))
        }
        Ok(result) => result,
    }
}

thread_local! {
    /// Set while this thread runs [`guarded_open`]: its panics are returned, not printed.
    static OPENING: Cell<bool> = const { Cell::new(false) };
}

/// Installs (once) the panic hook that keeps quiet about panics inside [`guarded_open`] and
/// hands every other panic to the previous hook.
static QUIET_HOOK: Once = Once::new();

/// Where the slot of `height` starts: slot `height % 2`.
fn slot_offset(height: u64) -> usize {
    if height % 2 == 0 {
        0
    } else {
        SLOT_STRIDE
    }
}

/// One slot holding `info`.
fn encode(info: CommitInfo) -> [u8; SLOT_LEN] {
    let mut slot = [0u8; SLOT_LEN];
    let body = [MAGIC.as_slice(), &info.height.to_be_bytes(), &info.app_hash].concat();
    let sum = Sha256::digest(&body);
    for (byte, value) in slot.iter_mut().zip(body.iter().chain(sum.iter())) {
        *byte = *value;
    }
    slot
}

/// A valid slot's commit, `None` for an invalid (torn, never written) one.
fn decode_slot(slot: &[u8]) -> Option<CommitInfo> {
    let (body, sum) = slot.get(..SLOT_LEN)?.split_at(SLOT_LEN - 32);
    let (magic, rest) = body.split_at(MAGIC.len());
    let (height, app_hash) = rest.split_at(8);
    if magic != MAGIC || Sha256::digest(body).as_slice() != sum {
        return None;
    }
    Some(CommitInfo {
        height: u64::from_be_bytes(height.try_into().ok()?),
        app_hash: app_hash.try_into().ok()?,
    })
}

/// The record's commit: its highest valid slot.
fn decode(bytes: &[u8]) -> Result<CommitInfo, String> {
    if bytes.len() != FILE_LEN {
        return Err(format!("{} bytes, expected {FILE_LEN}", bytes.len()));
    }
    bytes
        .chunks(SLOT_STRIDE)
        .filter_map(decode_slot)
        .max_by_key(|info| info.height)
        .ok_or_else(|| "no slot has a valid checksum".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(height: u64) -> CommitInfo {
        CommitInfo {
            height,
            app_hash: [u8::try_from(height % 256).expect("< 256"); 32],
        }
    }

    fn file(slots: &[CommitInfo]) -> Vec<u8> {
        let mut bytes = vec![0u8; FILE_LEN];
        for info in slots {
            let offset = slot_offset(info.height);
            bytes[offset..offset + SLOT_LEN].copy_from_slice(&encode(*info));
        }
        bytes
    }

    #[test]
    fn the_highest_valid_slot_is_the_record_and_a_torn_slot_falls_back() {
        assert_eq!(decode(&file(&[info(7)])), Ok(info(7)));
        let both = file(&[info(7), info(8)]);
        assert_eq!(decode(&both), Ok(info(8)));
        // Any changed byte of the newer slot: the older one is the record.
        for i in 0..SLOT_LEN {
            let mut bytes = both.clone();
            bytes[i] ^= 0x01;
            assert_eq!(decode(&bytes), Ok(info(7)), "byte {i} flipped");
        }
        // Height 7 is in slot 1; slot 0 was never written.
        let mut bytes = file(&[info(7)]);
        bytes[20] ^= 0x01;
        assert_eq!(decode(&bytes), Ok(info(7)));
        bytes[SLOT_STRIDE + 20] ^= 0x01;
        assert!(decode(&bytes).is_err());
        assert!(decode(&both[..FILE_LEN / 2]).is_err());
        assert!(decode(b"").is_err());
    }
}
