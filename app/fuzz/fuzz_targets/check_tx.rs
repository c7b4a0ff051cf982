//! Coverage-guided fuzzing of transaction decoding and the ante checks: every input is pushed
//! through CheckTx and FinalizeBlock of a fresh, deterministic chain by the same
//! `fuzz_support::exercise` that `app/tests/fuzz_corpus.rs` replays on stable Rust.

#![no_main]

#[path = "../../tests/fuzz_support/mod.rs"]
mod fuzz_support;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let mut chain = fuzz_support::chain();
    fuzz_support::exercise(&mut chain, bytes);
});
