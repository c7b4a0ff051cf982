//! `Storage::open` refuses inconsistent stores with a clear error instead of resetting them.
//! The raw keys used here are the layout documented in the crate docs (`M` metadata records).

use rampart_store::{Storage, StorageConfig, StorageError};

use crate::common::*;

fn committed_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 0);
    commit(&store, 1, &put(&[("a", "1")]));
    commit(&store, 2, &put(&[("b", "2")]));
    drop(store);
    dir
}

fn raw_write(dir: &std::path::Path, key: &[u8], value: Option<&[u8]>) {
    let db = rampart_store::open_raw(dir).expect("raw sled");
    match value {
        Some(value) => db.insert(key, value).map(drop).expect("insert"),
        None => db.remove(key).map(drop).expect("remove"),
    }
    db.flush().expect("flush");
}

fn open_err(dir: &std::path::Path) -> String {
    match Storage::open(dir, StorageConfig::default()) {
        Ok(_) => panic!("an inconsistent store must not open"),
        Err(err) => {
            assert!(matches!(err, StorageError::Corrupt(_)), "{err:?}");
            err.to_string()
        }
    }
}

#[test]
fn refuses_a_corrupted_app_hash() {
    let dir = committed_store();
    raw_write(dir.path(), b"Mapp_hash", Some(&[7u8; 32]));
    let msg = open_err(dir.path());
    assert!(msg.contains("does not match the Merkle root"), "{msg}");
    assert!(msg.contains(&"07".repeat(32)), "{msg}");
}

#[test]
fn refuses_a_latest_height_without_a_tree_root() {
    let dir = committed_store();
    raw_write(dir.path(), b"Mlatest_height", Some(&5u64.to_be_bytes()));
    let msg = open_err(dir.path());
    assert!(msg.contains("no Merkle root stored for height 5"), "{msg}");
}

#[test]
fn refuses_missing_or_malformed_metadata() {
    let dir = committed_store();
    raw_write(dir.path(), b"Mearliest_height", None);
    let msg = open_err(dir.path());
    assert!(msg.contains("Mearliest_height is missing"), "{msg}");

    let dir = committed_store();
    raw_write(dir.path(), b"Mapp_hash", Some(b"short"));
    assert!(open_err(dir.path()).contains("expected 32"));

    let dir = committed_store();
    raw_write(dir.path(), b"Mformat", Some(&9u64.to_be_bytes()));
    assert!(open_err(dir.path()).contains("unknown store format 9"));
}

#[test]
fn refuses_data_without_commit_metadata() {
    let dir = committed_store();
    raw_write(dir.path(), b"Mlatest_height", None);
    let msg = open_err(dir.path());
    assert!(msg.contains("no latest committed height"), "{msg}");
}

#[test]
fn an_untouched_store_still_opens() {
    let dir = committed_store();
    let store = open(dir.path(), 0);
    assert_eq!(store.latest().map(|c| c.height), Some(2));
}

// The commit record (`<store>/COMMITTED`, `integrity.rs`): a store that lost committed heights
// is refused; one height ahead of the record, or no record at all, opens.

fn record(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("COMMITTED")
}

fn damaged(dir: &std::path::Path) -> String {
    match Storage::open(dir, StorageConfig::default()) {
        Ok(store) => panic!("a damaged store opened at {:?}", store.latest()),
        Err(err) => {
            assert!(matches!(err, StorageError::Damaged { .. }), "{err:?}");
            let msg = err.to_string();
            eprintln!("refused: {msg}");
            assert!(msg.contains(&dir.display().to_string()), "{msg}");
            assert!(msg.contains("restore the data directory"), "{msg}");
            msg
        }
    }
}

/// Copies the files of store directory `from` into a new directory.
fn copy_store(from: &std::path::Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().expect("tempdir");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(to.path())
        .status()
        .expect("cp");
    assert!(status.success());
    to
}

/// The largest file of a store directory (sled's log).
fn largest_file(dir: &std::path::Path) -> std::path::PathBuf {
    let mut files: Vec<_> = walk(dir)
        .into_iter()
        .map(|path| (std::fs::metadata(&path).expect("metadata").len(), path))
        .collect();
    files.sort();
    files.pop().expect("a store file").1
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Five heights with enough data that sled's log spans many pages.
fn busy_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 0);
    for height in 1..=5u64 {
        let changes = (0..400u32)
            .map(|i| {
                let key = format!("key/{height}/{i}").into_bytes();
                (key, Some(vec![u8::try_from(i % 251).expect("< 251"); 200]))
            })
            .collect();
        commit(&store, height, &changes);
    }
    drop(store);
    dir
}

#[test]
fn refuses_a_store_that_lost_committed_heights() {
    let dir = committed_store();
    let older = copy_store(dir.path());
    let store = open(dir.path(), 0);
    commit(&store, 3, &put(&[("c", "3")]));
    drop(store);
    // sled of height 2 with the record of height 3: what a damaged log recovers to.
    std::fs::copy(record(dir.path()), record(older.path())).expect("copy the record");
    let msg = damaged(older.path());
    assert!(
        msg.contains("it holds height 2 but height 3 was committed"),
        "{msg}"
    );
    assert!(
        msg.contains(&record(older.path()).display().to_string()),
        "{msg}"
    );

    // A store emptied (sled's files gone) but its record left is refused too.
    let empty = tempfile::tempdir().expect("tempdir");
    std::fs::copy(record(dir.path()), record(empty.path())).expect("copy the record");
    assert!(damaged(empty.path()).contains("it holds no height but height 3 was committed"));
}

#[test]
fn refuses_a_truncated_or_corrupted_store_file() {
    let dir = busy_store();
    let file = largest_file(dir.path());
    let len = std::fs::metadata(&file).expect("metadata").len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .expect("open")
        .set_len(len / 2)
        .expect("truncate");
    damaged(dir.path());

    let dir = busy_store();
    let file = largest_file(dir.path());
    let mut bytes = std::fs::read(&file).expect("read");
    let mid = bytes.len() / 2;
    for byte in bytes.iter_mut().skip(mid).take(4096) {
        *byte ^= 0x5A;
    }
    std::fs::write(&file, bytes).expect("write");
    damaged(dir.path());
}

#[test]
fn one_height_ahead_of_the_record_opens_and_updates_it() {
    let dir = committed_store();
    let at_two = std::fs::read(record(dir.path())).expect("the record");
    let older = copy_store(dir.path());
    let store = open(dir.path(), 0);
    commit(&store, 3, &put(&[("c", "3")]));
    drop(store);
    // A crash between sled's flush and the record's write.
    std::fs::write(record(dir.path()), at_two).expect("write the record");
    let store = open(dir.path(), 0);
    assert_eq!(store.latest().map(|c| c.height), Some(3));
    drop(store);
    // The record now says 3: sled of height 2 beside it is refused.
    std::fs::copy(record(dir.path()), record(older.path())).expect("copy the record");
    assert!(damaged(older.path()).contains("it holds height 2 but height 3 was committed"));
}

#[test]
fn a_store_without_a_record_opens_and_gets_one() {
    let dir = committed_store();
    let older = copy_store(dir.path());
    std::fs::remove_file(record(dir.path())).expect("remove the record");
    let store = open(dir.path(), 0);
    assert_eq!(store.latest().map(|c| c.height), Some(2));
    commit(&store, 3, &put(&[("c", "3")]));
    drop(store);
    std::fs::copy(record(dir.path()), record(older.path())).expect("the record is written");
    assert!(damaged(older.path()).contains("it holds height 2 but height 3 was committed"));
}

#[test]
fn refuses_an_unreadable_or_foreign_record() {
    let dir = committed_store();
    std::fs::write(record(dir.path()), [0x5Au8; 1024]).expect("write");
    assert!(damaged(dir.path()).contains("is unreadable (no slot has a valid checksum)"));

    // Another store's record: same height, other app hash.
    let other = tempfile::tempdir().expect("tempdir");
    let store = open(other.path(), 0);
    commit(&store, 1, &put(&[("x", "1")]));
    commit(&store, 2, &put(&[("y", "2")]));
    drop(store);
    std::fs::copy(record(other.path()), record(dir.path())).expect("copy the record");
    assert!(damaged(dir.path()).contains("was committed at that height"));

    // A record more than one height behind the store.
    let dir = committed_store();
    let at_two = std::fs::read(record(dir.path())).expect("the record");
    let store = open(dir.path(), 0);
    commit(&store, 3, &put(&[("c", "3")]));
    commit(&store, 4, &put(&[("d", "4")]));
    drop(store);
    std::fs::write(record(dir.path()), at_two).expect("write the record");
    let msg = damaged(dir.path());
    assert!(
        msg.contains("it holds height 4 but its commit record"),
        "{msg}"
    );
}
