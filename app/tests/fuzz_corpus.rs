//! Replays the cargo-fuzz corpus (`app/fuzz/corpus/check_tx/`) on stable Rust: every file goes
//! through the same [`fuzz_support::exercise`] as the fuzz target, on a fresh chain, so a crash
//! the fuzzer once found (and anything it learnt to reach) stays covered by `cargo test`.
//! See docs/FUZZING.md.

mod fuzz_support;

use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/check_tx")
}

/// The corpus files, sorted by name for a stable order.
fn corpus_files() -> Vec<PathBuf> {
    let dir = corpus_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_replays_without_violations() {
    let files = corpus_files();
    assert!(
        !files.is_empty(),
        "the fuzz corpus {} is empty",
        corpus_dir().display()
    );
    for file in files {
        let bytes = std::fs::read(&file).expect("corpus file reads");
        let mut chain = fuzz_support::chain();
        // A panic here names the file through the test's backtrace of `exercise`.
        eprintln!("replaying {}", file.display());
        fuzz_support::exercise(&mut chain, &bytes);
    }
}

#[test]
fn generated_seeds_pass_the_properties() {
    // Every generated seed is exercised directly, whatever cmin kept on disk.
    for (name, bytes) in fuzz_support::seeds() {
        eprintln!("seed {name}");
        let mut chain = fuzz_support::chain();
        fuzz_support::exercise(&mut chain, &bytes);
    }
}

/// Writes the seed corpus: `cargo test -p rampart-app --test fuzz_corpus -- --ignored`.
#[test]
#[ignore = "regenerates app/fuzz/corpus/check_tx; run by hand"]
fn write_seed_corpus() {
    let dir = corpus_dir();
    std::fs::create_dir_all(&dir).expect("corpus directory");
    for (name, bytes) in fuzz_support::seeds() {
        std::fs::write(dir.join(format!("seed_{name}")), bytes).expect("seed written");
    }
}
