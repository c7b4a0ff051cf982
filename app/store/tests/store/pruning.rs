//! Pruning keeps exactly the retention window readable and provable, bounds the tables, and
//! never prunes a height a live snapshot is reading.

use rampart_core::state::StateRead;
use rampart_store::{proof_spec, StorageError};

use crate::common::*;

fn block(height: u64) -> rampart_core::state::Changes {
    let mut changes = rampart_core::state::Changes::new();
    for i in 0..10u64 {
        changes.insert(
            format!("k{i}").into_bytes(),
            Some(format!("{height}-{i}").into_bytes()),
        );
    }
    changes
}

#[test]
fn keeps_the_window_and_bounds_table_sizes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 5);
    let mut infos = vec![];
    let mut models = vec![Model::new()];
    for height in 1..=20u64 {
        let mut changes = block(height);
        if height == 1 {
            changes.insert(b"gone".to_vec(), Some(b"soon".to_vec()));
        }
        if height == 2 {
            changes.insert(b"gone".to_vec(), None);
        }
        let mut model = models[models.len() - 1].clone();
        apply(&mut model, &changes);
        models.push(model);
        infos.push(commit(&store, height, &changes));
    }
    assert_eq!(store.earliest_retained(), Some(16));
    for height in 16..=20u64 {
        let snapshot = store.snapshot_at(height).expect("retained");
        assert_eq!(
            all(&snapshot),
            model_vec(&models[height as usize]),
            "height {height}"
        );
        let info = infos[height as usize - 1];
        let (value, proof) = store.get_with_proof(b"k3", height).expect("proof");
        let expected = format!("{height}-3").into_bytes();
        assert_eq!(value.as_deref(), Some(expected.as_slice()));
        assert!(ics23::verify_membership::<ics23::HostFunctionsManager>(
            &proof,
            &proof_spec(),
            &info.app_hash.to_vec(),
            b"k3",
            &expected,
        ));
        let (_, proof) = store.get_with_proof(b"gone", height).expect("proof");
        assert!(ics23::verify_non_membership::<ics23::HostFunctionsManager>(
            &proof,
            &proof_spec(),
            &info.app_hash.to_vec(),
            b"gone",
        ));
    }
    for height in [1, 10, 15] {
        assert!(matches!(
            store.snapshot_at(height),
            Err(StorageError::NotRetained { height: h, earliest: 16 }) if h == height
        ));
        assert!(matches!(
            store.get_with_proof(b"k1", height),
            Err(StorageError::NotRetained { earliest: 16, .. })
        ));
    }

    // Table sizes reach a steady state instead of growing with the number of heights.
    let at20 = store.stats().expect("stats");
    for height in 21..=60u64 {
        commit(&store, height, &block(height));
        if height == 40 {
            assert_eq!(store.stats().expect("stats"), at20, "steady state at 40");
        }
    }
    let at60 = store.stats().expect("stats");
    assert_eq!(at60, at20, "steady state at 60");
    assert_eq!(
        at60.preimages, 10,
        "preimage of the deleted key is pruned: {at60:?}"
    );
    assert_eq!(
        at60.history_entries, 50,
        "5 retained versions x 10 keys: {at60:?}"
    );
    assert_eq!(
        at60.change_log, 40,
        "heights 57..=60 not yet pruned past: {at60:?}"
    );
    assert!(at60.nodes > 0 && at60.nodes < 200, "{at60:?}");

    // Still consistent after reopening a pruned store.
    drop(store);
    let store = open(dir.path(), 5);
    assert_eq!(store.earliest_retained(), Some(56));
    assert_eq!(
        store.snapshot_at(56).expect("retained").get(b"k0"),
        Some(b"56-0".to_vec())
    );
}

#[test]
fn keep_recent_zero_keeps_everything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 0);
    for height in 1..=30u64 {
        commit(&store, height, &block(height));
    }
    assert_eq!(store.earliest_retained(), Some(1));
    assert_eq!(
        store.snapshot_at(1).expect("retained").get(b"k9"),
        Some(b"1-9".to_vec())
    );
    assert_eq!(store.stats().expect("stats").history_entries, 300);
}

#[test]
fn live_snapshots_pin_their_height() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 2);
    commit(&store, 1, &block(1));
    let pinned = store.snapshot();
    let copy = pinned.clone();
    drop(pinned);
    for height in 2..=10u64 {
        commit(&store, height, &block(height));
    }
    assert_eq!(
        store.earliest_retained(),
        Some(1),
        "held back by the live snapshot"
    );
    assert_eq!(copy.get(b"k4"), Some(b"1-4".to_vec()));
    assert_eq!(all(&copy).len(), 10);
    drop(copy);
    commit(&store, 11, &block(11));
    assert_eq!(store.earliest_retained(), Some(10));
    assert!(matches!(
        store.snapshot_at(9),
        Err(StorageError::NotRetained { .. })
    ));
    assert_eq!(
        store.snapshot_at(10).expect("retained").get(b"k4"),
        Some(b"10-4".to_vec())
    );
}
