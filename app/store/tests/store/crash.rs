//! Crash safety: a child process (this test binary, re-executed) commits deterministic blocks in
//! a loop and is SIGKILLed at pseudo-random moments; after each kill the store must reopen with a
//! latest height H whose app hash equals the root recomputed from scratch from the writes of
//! heights 1..=H, and every key must hold the value written at its last height <= H.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ics23::HostFunctionsManager;
use rampart_core::state::Changes;
use rampart_store::proof_spec;

use crate::common::*;

const CHILD_ENV: &str = "RAMPART_STORE_CRASH_CHILD_DIR";
const KEEP_RECENT: u64 = 16;
const CYCLES: usize = 24;

/// The writes of `height`: a few puts over 40 keys (some containing 0x00), a delete every third
/// height, and an empty block every eleventh.
fn block(height: u64) -> Changes {
    let mut changes = Changes::new();
    if height % 11 == 0 {
        return changes;
    }
    for salt in [7u64, 11, 13] {
        let i = (height.wrapping_mul(salt).wrapping_add(salt)) % 40;
        let key = if i % 4 == 0 {
            format!("k\0{i:02}")
        } else {
            format!("k/{i:02}")
        };
        changes.insert(
            key.into_bytes(),
            Some(format!("v{height}-{i}").into_bytes()),
        );
    }
    if height % 3 == 0 {
        let i = height.wrapping_mul(5) % 40;
        changes.insert(format!("k/{i:02}").into_bytes(), None);
    }
    changes
}

/// Child mode: commit forever, resuming after the latest committed height.
fn run_child(dir: &str) -> ! {
    let store = open(std::path::Path::new(dir), KEEP_RECENT);
    loop {
        let height = store.latest().map_or(1, |latest| latest.height + 1);
        let pending = store
            .prepare(height, &block(height))
            .expect("child prepare");
        store.commit(pending).expect("child commit");
    }
}

#[test]
fn crash_safety_under_sigkill() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        run_child(&dir);
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("test binary path");
    let mut rng = Lcg(0x5eed_2024);
    // models[h] = state after height h (models[0] = empty).
    let mut models: Vec<Model> = vec![Model::new()];
    let mut previous_latest = 0u64;
    let mut kills_with_progress = 0;

    for cycle in 0..CYCLES {
        let delay = Duration::from_millis(20 + rng.next() % 230);
        let mut child = Command::new(&exe)
            .args([
                "crash::crash_safety_under_sigkill",
                "--exact",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        std::thread::sleep(delay);
        if let Some(status) = child.try_wait().expect("poll child") {
            panic!("cycle {cycle}: child exited by itself with {status}");
        }
        child.kill().expect("SIGKILL child");
        child.wait().expect("reap child");

        let store = open(dir.path(), KEEP_RECENT);
        let Some(latest) = store.latest() else {
            assert_eq!(
                previous_latest, 0,
                "cycle {cycle}: committed heights vanished"
            );
            continue;
        };
        let height = latest.height;
        assert!(
            height >= previous_latest,
            "cycle {cycle}: latest went back from {previous_latest} to {height}"
        );
        if height > previous_latest {
            kills_with_progress += 1;
        }
        previous_latest = height;
        // Replay the deterministic writes up to H.
        while (models.len() as u64) <= height {
            let h = models.len() as u64;
            let mut model = models[models.len() - 1].clone();
            apply(&mut model, &block(h));
            models.push(model);
        }
        let model = &models[height as usize];
        assert_eq!(
            latest.app_hash,
            reference_root(model),
            "cycle {cycle}: app hash of height {height}"
        );
        assert_eq!(
            all(&store.snapshot()),
            model_vec(model),
            "cycle {cycle}: values at {height}"
        );

        // The oldest retained height reads and proves too.
        let earliest = store.earliest_retained().expect("committed");
        assert!(
            height - earliest < KEEP_RECENT + 64,
            "pruning keeps up: {earliest}..={height}"
        );
        let old = store.snapshot_at(earliest).expect("earliest retained");
        assert_eq!(
            all(&old),
            model_vec(&models[earliest as usize]),
            "cycle {cycle}: values at {earliest}"
        );
        if let Some((key, value)) = model.iter().next() {
            let (got, proof) = store.get_with_proof(key, height).expect("proof");
            assert_eq!(got.as_ref(), Some(value));
            assert!(ics23::verify_membership::<HostFunctionsManager>(
                &proof,
                &proof_spec(),
                &latest.app_hash.to_vec(),
                key,
                value,
            ));
        }
        drop((old, store));
    }
    assert!(
        kills_with_progress >= CYCLES / 2,
        "children made progress in only {kills_with_progress} cycles"
    );
    assert!(
        previous_latest > 2 * CYCLES as u64,
        "only {previous_latest} heights committed"
    );
    eprintln!(
        "crash test: {CYCLES} kills, {previous_latest} heights, {:?}",
        started.elapsed()
    );
}
