//! Chains whose initial height is not 1, and empty blocks.

use rampart_core::state::StateRead;
use rampart_store::{proof_spec, StorageError};

use crate::common::*;

#[test]
fn initial_height_seven_works() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 0);
    let h7 = commit(&store, 7, &put(&[("a", "7")]));
    assert_eq!(store.earliest_retained(), Some(7));
    assert!(matches!(
        store.prepare(7, &put(&[("a", "x")])),
        Err(StorageError::HeightGap {
            expected: 8,
            got: 7
        })
    ));
    let h8 = commit(&store, 8, &put(&[("a", "8"), ("b", "8")]));
    drop(store);

    let store = open(dir.path(), 0);
    assert_eq!(store.latest(), Some(h8));
    let h9 = commit(&store, 9, &changes(&[("a", None::<&str>)]));
    assert_eq!(
        store.snapshot_at(7).expect("retained").get(b"a"),
        Some(b"7".to_vec())
    );
    assert_eq!(
        store.snapshot_at(8).expect("retained").get(b"b"),
        Some(b"8".to_vec())
    );
    assert_eq!(store.snapshot_at(9).expect("retained").get(b"a"), None);
    assert!(matches!(
        store.snapshot_at(6),
        Err(StorageError::NotCommitted { height: 6, .. })
    ));
    assert!(matches!(
        store.snapshot_at(10),
        Err(StorageError::NotCommitted { height: 10, .. })
    ));

    for (height, info, value) in [(7, h7, "7"), (8, h8, "8")] {
        let (got, proof) = store.get_with_proof(b"a", height).expect("proof");
        assert_eq!(got, Some(value.as_bytes().to_vec()));
        assert!(ics23::verify_membership::<ics23::HostFunctionsManager>(
            &proof,
            &proof_spec(),
            &info.app_hash.to_vec(),
            b"a",
            value.as_bytes(),
        ));
    }
    let (got, proof) = store.get_with_proof(b"a", 9).expect("proof");
    assert_eq!(got, None);
    assert!(ics23::verify_non_membership::<ics23::HostFunctionsManager>(
        &proof,
        &proof_spec(),
        &h9.app_hash.to_vec(),
        b"a",
    ));
}

#[test]
fn empty_blocks_keep_the_root_and_do_not_leak_nodes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 3);
    // An empty first block gives the empty-tree root.
    let h1 = commit(&store, 1, &Default::default());
    assert_eq!(h1.app_hash, reference_root(&Model::new()));
    let h2 = commit(&store, 2, &put(&[("a", "1"), ("b", "2")]));
    assert_ne!(h2.app_hash, h1.app_hash);
    let mut nodes = Vec::new();
    for height in 3..=30 {
        let info = commit(&store, height, &Default::default());
        assert_eq!(
            info.app_hash, h2.app_hash,
            "empty block {height} keeps the root"
        );
        nodes.push(store.stats().expect("stats").nodes);
    }
    assert_eq!(
        store.snapshot_at(30).expect("retained").get(b"a"),
        Some(b"1".to_vec())
    );
    assert_eq!(store.earliest_retained(), Some(28));
    // Steady state: one copied root per retained height plus the shared subtree.
    assert_eq!(
        nodes[nodes.len() - 1],
        nodes[10],
        "node count is stable: {nodes:?}"
    );
    let (_, proof) = store.get_with_proof(b"b", 29).expect("proof");
    assert!(ics23::verify_membership::<ics23::HostFunctionsManager>(
        &proof,
        &proof_spec(),
        &h2.app_hash.to_vec(),
        b"b",
        b"2",
    ));
}
