//! ICS-23 membership proofs from a real JMT store verify against the app hash of the verified
//! header one height above, and nowhere else.

use prost::Message;
use rampart_ccv::{verify_provider_membership, CcvCode};
use rampart_store::Storage;

use crate::common::*;

const KEY: &[u8] = b"consumer/vsc/\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01";
const VALUE: &[u8] = b"packet bytes";

/// A provider store committed at height `ANCHOR + 1` with the packet and some neighbours; its
/// app hash goes into the header at `ANCHOR + 2`.
fn packet_store(dir: &std::path::Path) -> (Storage, [u8; 32]) {
    let mut changes = rampart_core::Changes::new();
    changes.insert(KEY.to_vec(), Some(VALUE.to_vec()));
    for i in 0..20u8 {
        changes.insert(format!("bank/balance/{i:02}").into_bytes(), Some(vec![i]));
    }
    provider_store(dir, &changes)
}

fn check(
    state: &State,
    proof_height: u64,
    key: &[u8],
    value: &[u8],
    proof: &[u8],
) -> Result<(), u32> {
    verify_provider_membership(state, t(100), proof_height, key, value, proof).map_err(|e| {
        assert_eq!(e.codespace, "ccv");
        e.code
    })
}

#[test]
fn membership_proofs_verify_against_the_next_verified_header() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, root) = packet_store(dir.path());
    let (value, proof) = store.get_with_proof(KEY, ANCHOR + 1).expect("proof");
    assert_eq!(value.as_deref(), Some(VALUE));
    let proof = proof.encode_to_vec();

    let mut state = consumer();
    // Not verified yet: the header at ANCHOR + 2 is unknown.
    assert_eq!(
        check(&state, ANCHOR + 1, KEY, VALUE, &proof),
        Err(CcvCode::ConsensusStateNotFound as u32)
    );
    // Header ANCHOR + 1 carries another app hash; header ANCHOR + 2 carries the store's root.
    relay(
        &mut state,
        t(20),
        &provider_header(ANCHOR + 1, t(10), &[0x11; 32]),
        ANCHOR,
    )
    .expect("h11");
    relay(
        &mut state,
        t(21),
        &provider_header(ANCHOR + 2, t(20), &root),
        ANCHOR + 1,
    )
    .expect("h12");

    assert_eq!(check(&state, ANCHOR + 1, KEY, VALUE, &proof), Ok(()));
    // The off-by-one: against header ANCHOR + 1's app hash (proof_height ANCHOR) it fails.
    assert_eq!(
        check(&state, ANCHOR, KEY, VALUE, &proof),
        Err(CcvCode::InvalidProof as u32)
    );
    // A height whose next header was never verified.
    assert_eq!(
        check(&state, ANCHOR + 2, KEY, VALUE, &proof),
        Err(CcvCode::ConsensusStateNotFound as u32)
    );
    assert_eq!(
        check(&state, u64::MAX, KEY, VALUE, &proof),
        Err(CcvCode::ConsensusStateNotFound as u32)
    );
    // Another value, another key, a tampered proof, bytes that are no proof.
    assert_eq!(
        check(&state, ANCHOR + 1, KEY, b"packet bytez", &proof),
        Err(CcvCode::InvalidProof as u32)
    );
    assert_eq!(
        check(&state, ANCHOR + 1, b"bank/balance/01", VALUE, &proof),
        Err(CcvCode::InvalidProof as u32)
    );
    let mut tampered = ics23::CommitmentProof::decode(proof.as_slice()).expect("decodes");
    if let Some(ics23::commitment_proof::Proof::Exist(exist)) = tampered.proof.as_mut() {
        exist.path[0].prefix[1] ^= 1;
    } else {
        panic!("expected an existence proof");
    }
    assert_eq!(
        check(&state, ANCHOR + 1, KEY, VALUE, &tampered.encode_to_vec()),
        Err(CcvCode::InvalidProof as u32)
    );
    assert_eq!(
        check(&state, ANCHOR + 1, KEY, VALUE, b"\xff\xff garbage"),
        Err(CcvCode::InvalidProof as u32)
    );
    assert_eq!(
        check(&state, ANCHOR + 1, KEY, VALUE, &[]),
        Err(CcvCode::InvalidProof as u32)
    );
    assert_eq!(
        check(&state, ANCHOR + 1, b"", VALUE, &proof),
        Err(CcvCode::InvalidProof as u32)
    );
    // A non-existence proof does not prove membership.
    let (absent, non_proof) = store
        .get_with_proof(b"consumer/vsc/zz", ANCHOR + 1)
        .expect("proof");
    assert!(absent.is_none());
    assert_eq!(
        check(
            &state,
            ANCHOR + 1,
            b"consumer/vsc/zz",
            VALUE,
            &non_proof.encode_to_vec()
        ),
        Err(CcvCode::InvalidProof as u32)
    );

    // Once the header expires, or the client freezes, the proof proves nothing.
    let period = i64::try_from(trusting_period()).expect("fits");
    let e = verify_provider_membership(&state, t(20 + period), ANCHOR + 1, KEY, VALUE, &proof)
        .expect_err("expired");
    assert_eq!(e.code, CcvCode::ClientExpired as u32);
    let evil = provider_header(ANCHOR + 2, t(20), &[0xEE; 32]);
    relay(&mut state, t(22), &evil, ANCHOR + 1).expect("evidence");
    assert_eq!(
        check(&state, ANCHOR + 1, KEY, VALUE, &proof),
        Err(CcvCode::ClientFrozen as u32)
    );
}

#[test]
fn no_byte_flip_of_a_proof_panics_or_proves_another_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, root) = packet_store(dir.path());
    let (_, proof) = store.get_with_proof(KEY, ANCHOR + 1).expect("proof");
    let proof = proof.encode_to_vec();
    let state = consumer_trusting_root(&root);
    for i in 0..proof.len() {
        for bit in [0x01u8, 0x80] {
            let mut mutated = proof.clone();
            mutated[i] ^= bit;
            // Whatever the bytes, the answer is a result, and never proves another value.
            let _ = check(&state, ANCHOR + 1, KEY, VALUE, &mutated);
            assert_eq!(
                check(&state, ANCHOR + 1, KEY, b"another value", &mutated),
                Err(CcvCode::InvalidProof as u32)
            );
        }
        let _ = check(&state, ANCHOR + 1, KEY, VALUE, &proof[..i]);
    }
}
