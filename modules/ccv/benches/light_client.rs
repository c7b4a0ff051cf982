//! The consumer's verification costs: `MsgUpdateProviderClient` (a provider header and commit
//! verified with `ProdVerifier` against a trusted header, for provider sets of several sizes) and
//! `MsgRecvVscPacket`'s ICS-23 proof against a verified app hash, over a provider store of many
//! keys. A custom harness: `cargo bench -p rampart-ccv` runs the full size, `cargo test
//! --all-targets` the same code once as a smoke test. Figures go to `docs/BENCHMARKS.md`.

#[path = "../tests/light_client/common.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use prost::Message;
use rampart_ccv::proven::provider_packet_key;

/// Timed repetitions per measurement (`cargo bench`), or 1 for the smoke test.
fn repetitions() -> u32 {
    if std::env::args().any(|a| a == "--bench") {
        50
    } else {
        1
    }
}

fn per_op(start: Instant, n: u32) -> Duration {
    start.elapsed() / n
}

/// One header of a provider with `n` validators, verified against the anchor trusted with the
/// same set (all sign): the cost of one relay's client update.
fn header_verification(n: u8, reps: u32) -> Duration {
    let signing = keys(1, n);
    let mut spec = provider_header(ANCHOR + 1, t(10), &[0x11; 32]);
    spec.validators = validators(&signing);
    spec.next_validators = validators(&signing);
    let m = msg(&spec, ANCHOR, &signing);
    let mut total = Duration::ZERO;
    for _ in 0..reps {
        let mut state = consumer_trusting(&signing);
        let start = Instant::now(); // determinism-ok: a benchmark timer, not state-machine code
        update(&mut state, t(20), &m).expect("verifies");
        total += per_op(start, 1);
    }
    total / reps
}

/// A consumer whose anchor's next set is the validators of `keys`.
fn consumer_trusting(keys: &[ed25519_consensus::SigningKey]) -> State {
    let mut g = genesis();
    let mut anchor = anchor_spec();
    anchor.next_validators = validators(keys);
    let h = anchor.header();
    g.consensus_states[0].next_validators_hash = hex::encode(h.next_validators_hash.as_bytes());
    g.consensus_states[0].header_hash = hex::encode(h.hash().as_bytes());
    g.next_validators.clear();
    let mut state = rampart_core::state::Overlay::new(rampart_core::state::EmptyState);
    rampart_ccv::genesis::import(&mut state, 1, &g).expect("genesis");
    state
}

/// The proof of one packet among `keys` others, verified against a trusted header.
fn proof_verification(keys_in_store: u32, reps: u32) -> Duration {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut changes = rampart_core::Changes::new();
    for i in 0..keys_in_store {
        changes.insert(
            format!("bank/balance/{i:08}").into_bytes(),
            Some(i.to_be_bytes().to_vec()),
        );
    }
    let key = provider_packet_key(CONSUMER_ID, 1);
    changes.insert(key.clone(), Some(vec![0xAB; 300]));
    let (store, root) = provider_store(dir.path(), &changes);
    let state = consumer_trusting_root(&root);
    let (value, proof) = store.get_with_proof(&key, ANCHOR + 1).expect("proof");
    let (value, proof) = (value.expect("stored"), proof.encode_to_vec());
    let start = Instant::now(); // determinism-ok: a benchmark timer, not state-machine code
    for _ in 0..reps {
        rampart_ccv::verify_provider_membership(&state, t(30), ANCHOR + 1, &key, &value, &proof)
            .expect("proves");
    }
    per_op(start, reps)
}

fn main() {
    let reps = repetitions();
    for n in [4u8, 50, 150] {
        let d = header_verification(n, reps);
        println!("header verification, {n:>3} provider validators: {d:>10.2?} per update");
    }
    for keys_in_store in [1_000u32, 100_000] {
        let keys_in_store = if reps == 1 { 100 } else { keys_in_store };
        let d = proof_verification(keys_in_store, reps.saturating_mul(20));
        println!(
            "packet proof verification, {keys_in_store:>6} keys in store: {d:>10.2?} per proof"
        );
    }
}
