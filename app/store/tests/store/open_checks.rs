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
