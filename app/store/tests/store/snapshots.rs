//! Snapshots see committed state only, and keep their height's view after later commits.
//! Also: pending commits are rejected once stale or when handed to another store.

use rampart_core::state::{Changes, StateRead};
use rampart_store::StorageError;

use crate::common::*;

#[test]
fn snapshots_never_see_prepared_writes_and_keep_old_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 0);

    let empty = store.snapshot();
    assert_eq!(empty.height(), None);
    let pending = store.prepare(1, &put(&[("k", "v1")])).expect("prepare");
    assert_eq!(
        store.snapshot().get(b"k"),
        None,
        "prepared-only write is invisible"
    );
    assert_eq!(store.latest(), None);
    store.commit(pending).expect("commit");
    assert_eq!(
        empty.get(b"k"),
        None,
        "the pre-genesis snapshot stays empty"
    );
    assert_eq!(all(&empty), vec![]);

    let at1 = store.snapshot();
    assert_eq!(at1.height(), Some(1));
    let pending = store
        .prepare(2, &changes(&[("k", Some("v2")), ("new", Some("n"))]))
        .expect("prepare");
    // Neither existing nor fresh snapshots see the prepared writes.
    for snapshot in [&at1, &store.snapshot()] {
        assert_eq!(snapshot.get(b"k"), Some(b"v1".to_vec()));
        assert_eq!(snapshot.get(b"new"), None);
        assert_eq!(all(snapshot), vec![(b"k".to_vec(), b"v1".to_vec())]);
    }
    store.commit(pending).expect("commit");
    commit(&store, 3, &changes(&[("k", None::<&str>)]));

    assert_eq!(
        at1.get(b"k"),
        Some(b"v1".to_vec()),
        "old snapshot keeps its height"
    );
    assert_eq!(at1.get(b"new"), None);
    let again = store.snapshot_at(1).expect("retained");
    assert_eq!(all(&again), vec![(b"k".to_vec(), b"v1".to_vec())]);
    let at2 = store.snapshot_at(2).expect("retained");
    assert_eq!(at2.get(b"k"), Some(b"v2".to_vec()));
    let latest = store.snapshot();
    assert_eq!(latest.height(), Some(3));
    assert_eq!(latest.get(b"k"), None);
    assert_eq!(all(&latest), vec![(b"new".to_vec(), b"n".to_vec())]);

    assert!(matches!(
        store.snapshot_at(4),
        Err(StorageError::NotCommitted {
            height: 4,
            latest: Some(3)
        })
    ));
}

#[test]
fn stale_foreign_and_out_of_order_pending_commits_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 0);
    assert!(matches!(
        store.prepare(0, &put(&[("a", "1")])),
        Err(StorageError::ZeroHeight)
    ));
    commit(&store, 1, &put(&[("a", "1")]));
    assert!(matches!(
        store.prepare(3, &put(&[("a", "2")])),
        Err(StorageError::HeightGap {
            expected: 2,
            got: 3
        })
    ));
    assert!(matches!(
        store.prepare(1, &put(&[("a", "2")])),
        Err(StorageError::HeightGap {
            expected: 2,
            got: 1
        })
    ));
    assert!(matches!(
        store.prepare(2, &put(&[("", "x")])),
        Err(StorageError::EmptyKey)
    ));

    let first = store.prepare(2, &put(&[("a", "2")])).expect("prepare");
    let second = store.prepare(2, &put(&[("a", "3")])).expect("prepare");
    let info = store.commit(second).expect("commit");
    let err = store
        .commit(first)
        .expect_err("stale pending must be rejected");
    assert!(matches!(
        err,
        StorageError::StalePending {
            height: 2,
            prepared_on: Some(1),
            latest: Some(2)
        }
    ));
    assert!(
        err.to_string().contains("prepared on top of height"),
        "{err}"
    );
    assert_eq!(store.latest(), Some(info));
    assert_eq!(store.snapshot().get(b"a"), Some(b"3".to_vec()));

    let other_dir = tempfile::tempdir().expect("tempdir");
    let other = open(other_dir.path(), 0);
    let foreign = other.prepare(1, &put(&[("z", "1")])).expect("prepare");
    assert!(matches!(
        store.commit(foreign),
        Err(StorageError::ForeignPending { height: 1 })
    ));
    assert_eq!(other.latest(), None);
}

#[test]
fn unchanged_keys_and_deletes_of_absent_keys_are_fine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 0);
    // Deleting an absent key in the very first block.
    let h1 = commit(&store, 1, &changes(&[("a", Some("1")), ("ghost", None)]));
    let h2 = commit(&store, 2, &changes(&[("a", Some("1")), ("ghost2", None)]));
    assert_eq!(h1.app_hash, h2.app_hash);
    let mut model = Model::new();
    model.insert(b"a".to_vec(), b"1".to_vec());
    assert_eq!(h2.app_hash, reference_root(&model));
    assert_eq!(all(&store.snapshot()), model_vec(&model));
    let stats = store.stats().expect("stats");
    assert_eq!(
        stats.preimages, 1,
        "absent deletes leave no records: {stats:?}"
    );
}

/// A write that leaves a key as it was — the value the key holds, or a delete of an absent key —
/// writes nothing (the value cache knows what the latest height holds): a block of such writes
/// beside real changes commits exactly the records and root of the real changes alone, and every
/// retained height, pruning included, still reads like the model.
#[test]
fn writes_that_change_nothing_write_nothing() {
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let (a, b) = (open(dir_a.path(), 3), open(dir_b.path(), 3));
    let key = |i: u8| vec![b'k', i];
    let initial: Changes = (0..20u8).map(|i| (key(i), Some(vec![i]))).collect();
    let mut model = Model::new();
    assert_eq!(commit(&a, 1, &initial), commit(&b, 1, &initial));
    apply(&mut model, &initial);
    let mut history = vec![(1, model.clone())];
    for height in 2..=8u64 {
        let h = height as u8;
        // The real changes: a new value, and a delete of a key holding one.
        let real = changes(&[(key(h), Some(vec![h, h])), (key(h + 10), None)]);
        let mut noisy = real.clone();
        for i in 0..20u8 {
            let held = model.get(&key(i)).cloned();
            if i != h && i != h + 10 {
                noisy.insert(key(i), held);
            }
        }
        noisy.insert(key(100 + h), None);
        let (before_a, before_b) = (a.io_stats(), b.io_stats());
        assert_eq!(commit(&a, height, &noisy), commit(&b, height, &real));
        let records = |after: rampart_store::IoStats, before: rampart_store::IoStats| {
            (
                after.commit_records - before.commit_records,
                after.commit_bytes - before.commit_bytes,
            )
        };
        assert_eq!(
            records(a.io_stats(), before_a),
            records(b.io_stats(), before_b),
            "height {height}"
        );
        apply(&mut model, &real);
        history.push((height, model.clone()));
        assert_eq!(all(&a.snapshot()), model_vec(&model));
    }
    let earliest = a.earliest_retained().expect("committed");
    assert!(earliest > 1, "pruned up to {earliest}");
    for (height, model) in history.iter().filter(|(height, _)| *height >= earliest) {
        let snapshot = a.snapshot_at(*height).expect("retained");
        assert_eq!(all(&snapshot), model_vec(model), "height {height}");
        for i in 0..20u8 {
            assert_eq!(snapshot.get(&key(i)), model.get(&key(i)).cloned());
        }
    }
    assert_eq!(a.stats().expect("stats"), b.stats().expect("stats"));
}

/// Issue 14: the store caches decoded JMT nodes and the values of the latest height. A store
/// whose every key is read before each commit (warm caches) answers every read at every height
/// exactly like the model, a snapshot taken before a commit keeps its height's values, and its
/// roots equal those of a store that never reads and of the same store reopened (cold caches).
#[test]
fn caches_of_the_latest_height_change_no_read_and_no_root() {
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let (a, b) = (open(dir_a.path(), 0), open(dir_b.path(), 0));
    let keys: Vec<Vec<u8>> = (0..40u8).map(|i| vec![b'k', i % 7, i]).collect();
    let mut model = Model::new();
    let mut models = Vec::new();
    for height in 1..=12u64 {
        let changes: Changes = keys
            .iter()
            .enumerate()
            .filter(|(i, _)| (*i as u64 + height) % 3 == 0)
            .map(|(i, k)| {
                let value = ((i as u64 * height) % 4 != 0).then(|| vec![height as u8, i as u8]);
                (k.clone(), value)
            })
            .collect();
        let before = a.snapshot();
        for key in &keys {
            assert_eq!(before.get(key), model.get(key).cloned(), "height {height}");
        }
        assert_eq!(commit(&a, height, &changes), commit(&b, height, &changes));
        for key in &keys {
            assert_eq!(before.get(key), model.get(key).cloned(), "kept its height");
        }
        apply(&mut model, &changes);
        let after = a.snapshot();
        for key in &keys {
            assert_eq!(after.get(key), model.get(key).cloned(), "height {height}");
        }
        models.push((height, model.clone()));
    }
    for (height, model) in &models {
        for store in [&a, &b] {
            let snapshot = store.snapshot_at(*height).expect("retained");
            for key in &keys {
                assert_eq!(
                    snapshot.get(key),
                    model.get(key).cloned(),
                    "height {height}"
                );
            }
        }
    }
    let next = changes(&[(keys[3].clone(), Some(vec![1])), (keys[4].clone(), None)]);
    let warm = a.prepare(13, &next).expect("prepare").app_hash();
    drop(a);
    let cold = open(dir_a.path(), 0);
    assert_eq!(cold.prepare(13, &next).expect("prepare").app_hash(), warm);
    assert_eq!(b.prepare(13, &next).expect("prepare").app_hash(), warm);
}

/// Issue 14: the node cache holds the latest tree — its internal nodes and the leaves commits
/// wrote — and nothing stale. A store that committed its keys serves a block updating them
/// entirely from the cache (no node read from sled); a reopened store, whose cache starts empty,
/// reads each updated key's old leaf from sled exactly once and keeps the leaf it commits, so
/// the next update of the same keys reads nothing. Until the reopen, the cache holds after every
/// commit exactly the latest tree's internal nodes (the replaced ones are dropped), as counted on
/// an independent in-memory tree of the same keys.
#[test]
fn updates_read_each_old_leaf_once_and_the_cache_holds_the_latest_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(dir.path(), 0);
    let key = |i: u64| format!("acct/{i}").into_bytes();
    let initial: Changes = (0..3_000).map(|i| (key(i), Some(vec![0]))).collect();
    let mut model = Model::new();
    commit(&store, 1, &initial);
    apply(&mut model, &initial);
    let stats = store.io_stats();
    assert_eq!(stats.cached_nodes, reference_internal_nodes(&model));
    assert_eq!(stats.cached_leaves, 3_000);
    let mut rng = Lcg(7);
    let mut updates: Changes = Changes::new();
    for height in 2..=6u64 {
        // Heights 2–5 update random keys; 6 updates 5's keys again. The store reopens before 5.
        if height == 5 {
            drop(store);
            store = open(dir.path(), 0);
        }
        updates = if height == 6 {
            updates.keys().map(|k| (k.clone(), Some(vec![6]))).collect()
        } else {
            (0..200)
                .map(|_| (key(rng.next() % 3_000), Some(vec![height as u8])))
                .collect()
        };
        let before = store.io_stats();
        let pending = store.prepare(height, &updates).expect("prepare");
        let during = store.io_stats();
        let reads = during.node_reads - before.node_reads;
        if height == 5 {
            // Cold: each old leaf once, plus the internal nodes above them.
            assert!(
                reads > updates.len() as u64,
                "{reads} nodes read at the reopen"
            );
        } else {
            assert_eq!(reads, 0, "nodes read from sled at height {height}");
            assert!(during.node_hits >= before.node_hits + updates.len() as u64);
        }
        store.commit(pending).expect("commit");
        apply(&mut model, &updates);
        let after = store.io_stats();
        if height < 5 {
            assert_eq!(after.cached_nodes, reference_internal_nodes(&model));
        } else {
            // The reopened store holds the internal nodes its updates walked (and committed).
            assert!(
                after.cached_nodes > 0 && after.cached_nodes <= reference_internal_nodes(&model)
            );
        }
        let leaves = if height < 5 {
            3_000
        } else {
            updates.len() as u64
        };
        assert_eq!(
            after.cached_leaves, leaves,
            "leaves cached at height {height}"
        );
        assert!(after.commit_records > before.commit_records + 2 * updates.len() as u64);
    }
}
