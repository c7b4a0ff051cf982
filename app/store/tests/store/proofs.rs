//! ICS-23 existence and non-existence proofs verify against the right app hash and only there.

use ics23::{verify_membership, verify_non_membership, HostFunctionsManager};
use rampart_store::{proof_spec, StorageError};

use crate::common::*;

fn member(proof: &ics23::CommitmentProof, root: [u8; 32], key: &[u8], value: &[u8]) -> bool {
    verify_membership::<HostFunctionsManager>(proof, &proof_spec(), &root.to_vec(), key, value)
}

fn non_member(proof: &ics23::CommitmentProof, root: [u8; 32], key: &[u8]) -> bool {
    verify_non_membership::<HostFunctionsManager>(proof, &proof_spec(), &root.to_vec(), key)
}

/// Flips one byte of the value inside an existence proof.
fn tamper_value(proof: &ics23::CommitmentProof) -> ics23::CommitmentProof {
    let mut proof = proof.clone();
    match proof.proof.as_mut() {
        Some(ics23::commitment_proof::Proof::Exist(exist)) => match exist.value.first_mut() {
            Some(byte) => *byte ^= 0x01,
            None => exist.value.push(1),
        },
        other => panic!("expected an existence proof, got {other:?}"),
    }
    proof
}

#[test]
fn existence_and_non_existence_proofs_verify_against_their_height() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 0);
    assert!(matches!(
        store.get_with_proof(b"a", 1),
        Err(StorageError::NotCommitted {
            height: 1,
            latest: None
        })
    ));
    let empty = commit(&store, 1, &Default::default());
    assert!(
        matches!(store.get_with_proof(b"a", 1), Err(StorageError::Tree(_))),
        "no ICS-23 proof exists in an empty tree"
    );
    let _ = empty;

    let mut writes = Vec::new();
    for i in 0..40u32 {
        writes.push((format!("key/{i:03}"), Some(format!("value-{i}"))));
    }
    let h2 = commit(&store, 2, &changes(&writes));
    let h3 = commit(
        &store,
        3,
        &changes(&[("key/005", Some("changed")), ("key/006", None)]),
    );
    assert_ne!(h2.app_hash, h3.app_hash);

    // Existence at height 2, and the same key's changed value at height 3.
    let (value, proof2) = store.get_with_proof(b"key/005", 2).expect("proof");
    assert_eq!(value, Some(b"value-5".to_vec()));
    assert!(member(&proof2, h2.app_hash, b"key/005", b"value-5"));
    assert!(
        !member(&proof2, h3.app_hash, b"key/005", b"value-5"),
        "other height's root"
    );
    assert!(
        !member(&proof2, h2.app_hash, b"key/005", b"value-X"),
        "other value"
    );
    assert!(!member(
        &tamper_value(&proof2),
        h2.app_hash,
        b"key/005",
        b"value-5"
    ));
    let (value, proof3) = store.get_with_proof(b"key/005", 3).expect("proof");
    assert_eq!(value, Some(b"changed".to_vec()));
    assert!(member(&proof3, h3.app_hash, b"key/005", b"changed"));
    assert!(!member(&proof3, h2.app_hash, b"key/005", b"changed"));

    // Non-existence: a deleted key at height 3 (present at 2), and keys never written.
    let (value, absent) = store.get_with_proof(b"key/006", 3).expect("proof");
    assert_eq!(value, None);
    assert!(non_member(&absent, h3.app_hash, b"key/006"));
    assert!(
        !non_member(&absent, h2.app_hash, b"key/006"),
        "it exists at height 2"
    );
    assert!(!member(&absent, h3.app_hash, b"key/006", b"value-6"));
    let (_, present) = store.get_with_proof(b"key/006", 2).expect("proof");
    assert!(member(&present, h2.app_hash, b"key/006", b"value-6"));
    for missing in [&b"nope"[..], b"\0", b"key/0055", b"zzzz"] {
        let (value, proof) = store.get_with_proof(missing, 3).expect("proof");
        assert_eq!(value, None);
        assert!(non_member(&proof, h3.app_hash, missing), "{missing:?}");
        assert!(
            !non_member(&proof, h3.app_hash, b"key/001"),
            "proof is for another key"
        );
        assert!(
            !non_member(&proof, h2.app_hash, missing),
            "other height's root"
        );
    }
    // Every key proves at height 3.
    for (key, value) in all(&store.snapshot()) {
        let (got, proof) = store.get_with_proof(&key, 3).expect("proof");
        assert_eq!(got.as_deref(), Some(value.as_slice()));
        assert!(member(&proof, h3.app_hash, &key, &value));
    }
    assert!(matches!(
        store.get_with_proof(b"", 3),
        Err(StorageError::EmptyKey)
    ));
}
