//! Values and app hashes survive closing and reopening the store.

use rampart_core::state::StateRead;
use rampart_store::proof_spec;

use crate::common::*;

#[test]
fn values_and_app_hash_persist_across_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (h1, h2, h3);
    {
        let store = open(dir.path(), 0);
        assert_eq!(store.latest(), None);
        h1 = commit(&store, 1, &put(&[("a", "1"), ("b", "2"), ("c\0x", "3")]));
        h2 = commit(&store, 2, &changes(&[("a", Some("10")), ("b", None)]));
        h3 = commit(&store, 3, &put(&[("d", "4")]));
        let clone = store.clone();
        let snapshot = store.snapshot();
        assert_eq!(snapshot.get(b"a"), Some(b"10".to_vec()));
        drop((store, clone, snapshot));
    }
    let store = open(dir.path(), 0);
    assert_eq!(store.latest(), Some(h3));
    assert_eq!(store.earliest_retained(), Some(1));
    let latest = store.snapshot();
    assert_eq!(latest.height(), Some(3));
    assert_eq!(
        all(&latest),
        vec![
            (b"a".to_vec(), b"10".to_vec()),
            (b"c\0x".to_vec(), b"3".to_vec()),
            (b"d".to_vec(), b"4".to_vec()),
        ]
    );
    let first = store.snapshot_at(1).expect("height 1 retained");
    assert_eq!(first.get(b"a"), Some(b"1".to_vec()));
    assert_eq!(first.get(b"b"), Some(b"2".to_vec()));
    assert_eq!(first.get(b"d"), None);
    assert_eq!(store.snapshot_at(2).expect("retained").get(b"b"), None);

    // Roots match an independent computation and proofs verify after reopening.
    let mut model = Model::new();
    apply(&mut model, &put(&[("a", "1"), ("b", "2"), ("c\0x", "3")]));
    assert_eq!(reference_root(&model), h1.app_hash);
    apply(&mut model, &changes(&[("a", Some("10")), ("b", None)]));
    assert_eq!(reference_root(&model), h2.app_hash);
    apply(&mut model, &put(&[("d", "4")]));
    assert_eq!(reference_root(&model), h3.app_hash);
    let (value, proof) = store.get_with_proof(b"a", 2).expect("proof");
    assert_eq!(value, Some(b"10".to_vec()));
    assert!(ics23::verify_membership::<ics23::HostFunctionsManager>(
        &proof,
        &proof_spec(),
        &h2.app_hash.to_vec(),
        b"a",
        b"10"
    ));

    // The reopened store continues at the next height.
    let h4 = commit(&store, 4, &put(&[("e", "5")]));
    // Snapshots share the database handle: all of them must go before the path can be reopened.
    drop((store, latest, first));
    let store = open(dir.path(), 0);
    assert_eq!(store.latest(), Some(h4));
    assert_eq!(store.snapshot().get(b"e"), Some(b"5".to_vec()));
}
