//! Transaction throughput over a 100,000-account store: CheckTx and FinalizeBlock+Commit of
//! signed `MsgSend`s from secp256k1 and ed25519 senders, plus signature verification alone for
//! comparison. A custom harness (building the store once is what makes the run affordable);
//! `cargo bench -p rampart-app` runs the full size, while `cargo test --all-targets` runs the same
//! code on a small store as a smoke test. Every transaction must succeed, or the run panics.
//! Results are written up in `docs/BENCHMARKS.md`.

use std::time::{Duration, Instant};

use rampart_auth::PubKey;
use rampart_core::Address;
use rampart_core::Changes;
use rampart_testkit::*;

/// The allocator `rampartd` runs with (node/src/main.rs), so the figures are the node's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How much work one run does.
struct Size {
    /// Funded accounts at genesis, half secp256k1 and half ed25519.
    accounts: usize,
    /// CheckTx calls per key type.
    checks: usize,
    /// Transactions per block.
    block_txs: usize,
    /// Timed blocks per key type.
    blocks: usize,
}

/// The benchmark size (`cargo bench` passes `--bench`).
const FULL: Size = Size {
    accounts: 100_000,
    checks: 5_000,
    block_txs: 500,
    blocks: 10,
};

/// The smoke-test size (`cargo test --all-targets`).
const SMOKE: Size = Size {
    accounts: 200,
    checks: 20,
    block_txs: 10,
    blocks: 2,
};

/// The key type of a group of senders.
#[derive(Clone, Copy)]
enum Kind {
    /// secp256k1 senders.
    Secp,
    /// ed25519 senders.
    Ed,
}

impl Kind {
    /// The name printed in results.
    fn name(self) -> &'static str {
        match self {
            Self::Secp => "secp256k1",
            Self::Ed => "ed25519",
        }
    }

    /// A deterministic key of this type from `index` (distinct indices give distinct keys).
    fn key(self, index: usize) -> Key {
        let mut bytes = [7u8; 32];
        bytes[0] = 1; // keeps the secp256k1 scalar non-zero and below the curve order
        bytes[24..].copy_from_slice(&(index as u64).to_be_bytes());
        match self {
            Self::Secp => Key::Secp(
                // 0x01 07… is a valid scalar for every index: below the order, not zero.
                k256::ecdsa::SigningKey::from_slice(&bytes).expect("valid scalar"),
            ),
            Self::Ed => Key::Ed(ed25519_consensus::SigningKey::from(bytes)),
        }
    }
}

/// One funded sender and its account number (its sequence is 0: each sender signs only once).
struct Sender {
    key: Key,
    account_number: u64,
}

/// The funded chain plus its senders, split by key type.
struct Bench {
    chain: Chain,
    secp: Vec<Sender>,
    ed: Vec<Sender>,
    /// Next unused sender per key type (each sender signs once, at sequence 0).
    next: [usize; 2],
}

impl Bench {
    /// Builds the keys, runs InitChain funding all of them, and commits the first block.
    fn new(accounts: usize) -> Self {
        let started = Instant::now();
        let half = accounts / 2;
        let secp: Vec<Key> = (0..half).map(|i| Kind::Secp.key(i)).collect();
        let ed: Vec<Key> = (0..half).map(|i| Kind::Ed.key(i)).collect();
        let keyed = started.elapsed();
        let refs: Vec<&Key> = secp.iter().chain(&ed).collect();
        let chain = Chain::unchecked(&refs);
        let senders = |keys: Vec<Key>| -> Vec<Sender> {
            keys.into_iter()
                .map(|key| Sender {
                    account_number: chain.signer(&key).account_number,
                    key,
                })
                .collect()
        };
        let (secp, ed) = (senders(secp), senders(ed));
        println!(
            "setup: {accounts} accounts ({half} secp256k1 + {half} ed25519): keys {:.1} s, \
             genesis + first block {:.1} s",
            keyed.as_secs_f64(),
            started.elapsed().saturating_sub(keyed).as_secs_f64()
        );
        Self {
            chain,
            secp,
            ed,
            next: [0, 0],
        }
    }

    fn senders(&self, kind: Kind) -> &[Sender] {
        match kind {
            Kind::Secp => &self.secp,
            Kind::Ed => &self.ed,
        }
    }

    /// `count` signed `MsgSend`s from fresh senders of `kind`, each paying 1uramp to the next
    /// funded account (so recipients already exist, as in a mature chain).
    fn sign_txs(&mut self, kind: Kind, count: usize) -> Vec<Vec<u8>> {
        let slot = kind as usize;
        let start = self.next[slot];
        let senders = self.senders(kind);
        assert!(
            start + count < senders.len(),
            "not enough fresh {} senders",
            kind.name()
        );
        let txs = (start..start + count)
            .map(|i| {
                let sender = &senders[i];
                let to: Address = senders[i + 1].key.address();
                TxBuilder::new(
                    vec![msg_send(sender.key.address(), to, vec![coin("1", DENOM)])],
                    vec![Signer::new(&sender.key, sender.account_number, 0)],
                )
                .build()
            })
            .collect();
        self.next[slot] = start + count;
        txs
    }
}

/// CPU time used so far by the whole process (every thread, user and system), from
/// `/proc/self/stat` in clock ticks of 10 ms (Linux's `USER_HZ` is 100); zero elsewhere.
/// On a shared machine the wall clock also counts other programs' time slices; this does not.
fn cpu_time() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // Fields after the command name (in parentheses): utime and stime are the 12th and 13th.
            let after = stat.rsplit_once(')')?.1;
            let mut fields = after.split_whitespace().skip(11);
            let user: u64 = fields.next()?.parse().ok()?;
            let system: u64 = fields.next()?.parse().ok()?;
            Some(user + system)
        });
    Duration::from_millis(ticks.unwrap_or(0) * 10)
}

/// A wall-clock and CPU-time stopwatch.
#[derive(Clone, Copy)]
struct Clock {
    wall: Instant,
    cpu: Duration,
}

impl Clock {
    fn start() -> Self {
        Self {
            wall: Instant::now(),
            cpu: cpu_time(),
        }
    }

    /// (wall, cpu) since the start.
    fn elapsed(self) -> (Duration, Duration) {
        (self.wall.elapsed(), cpu_time().saturating_sub(self.cpu))
    }
}

/// Prints one result line: transactions per second and microseconds per transaction (wall
/// clock), and the process's CPU microseconds per transaction.
fn report(name: &str, txs: usize, (wall, cpu): (Duration, Duration)) {
    let secs = wall.as_secs_f64();
    println!(
        "{name:<44} {txs:>6} tx in {secs:>8.3} s: {:>9.0} tx/s, {:>8.1} µs/tx, cpu {:>8.1} µs/tx",
        txs as f64 / secs,
        secs * 1e6 / txs as f64,
        cpu.as_secs_f64() * 1e6 / txs as f64
    );
}

/// CheckTx of `size.checks` pre-signed transactions from distinct senders.
fn check_tx(bench: &mut Bench, kind: Kind, size: &Size) {
    let txs = bench.sign_txs(kind, size.checks);
    let started = Clock::start();
    for tx in &txs {
        let response = bench.chain.driver.check_tx(tx);
        assert_eq!(response.code.value(), 0, "CheckTx: {}", response.log);
    }
    report(
        &format!("check_tx/{}", kind.name()),
        txs.len(),
        started.elapsed(),
    );
}

/// FinalizeBlock + Commit of `size.blocks` blocks of `size.block_txs` pre-signed transactions,
/// timing the two phases separately. With `checked`, each block's transactions first pass
/// CheckTx (untimed), as on a validator whose mempool received them: their signatures are then
/// remembered ([`rampart_app::sigcache`]) and their accounts read once already; without it the
/// block's signatures are all unseen and verified in its parallel pass.
fn finalize_block(bench: &mut Bench, kind: Kind, size: &Size, checked: bool) {
    let blocks: Vec<Vec<Vec<u8>>> = (0..size.blocks)
        .map(|_| bench.sign_txs(kind, size.block_txs))
        .collect();
    let zero = (Duration::ZERO, Duration::ZERO);
    let (mut finalizing, mut committing) = (zero, zero);
    let io_before = bench.chain.storage.io_stats();
    for txs in blocks {
        let driver = &mut bench.chain.driver;
        if checked {
            for tx in &txs {
                let response = driver.check_tx(tx);
                assert_eq!(response.code.value(), 0, "CheckTx: {}", response.log);
            }
        }
        let started = Clock::start();
        let response = driver.finalize(txs);
        let finalize = started.elapsed();
        let finalized = Clock::start();
        driver.app.commit();
        let commit = finalized.elapsed();
        finalizing = (finalizing.0 + finalize.0, finalizing.1 + finalize.1);
        committing = (committing.0 + commit.0, committing.1 + commit.1);
        driver.height += 1;
        for result in &response.tx_results {
            assert_eq!(result.code.value(), 0, "DeliverTx: {}", result.log);
        }
    }
    let txs = size.blocks * size.block_txs;
    let name = format!("{}{}", kind.name(), if checked { "/checked" } else { "" });
    report(
        &format!("finalize_block+commit/{name}"),
        txs,
        (finalizing.0 + committing.0, finalizing.1 + committing.1),
    );
    report(
        &format!("  of which finalize_block/{name}"),
        txs,
        finalizing,
    );
    report(&format!("  of which commit/{name}"), txs, committing);
    let io = bench.chain.storage.io_stats();
    let per_block = |after: u64, before: u64| after.saturating_sub(before) / size.blocks as u64;
    println!(
        "  store per block/{name}: {} records, {} bytes written; {} JMT nodes read from sled, \
         {} from the cache; {} internal nodes and {} leaves cached ({} MB)",
        per_block(io.commit_records, io_before.commit_records),
        per_block(io.commit_bytes, io_before.commit_bytes),
        per_block(io.node_reads, io_before.node_reads),
        per_block(io.node_hits, io_before.node_hits),
        io.cached_nodes,
        io.cached_leaves,
        io.cached_node_bytes / (1024 * 1024),
    );
}

/// Signature verification alone, through the app's own `PubKey::verify`, over a message the
/// size of a `MsgSend` sign doc.
fn verify_only(bench: &Bench, kind: Kind, size: &Size) {
    let message = vec![0x5a; 300];
    let signed: Vec<(PubKey, Vec<u8>)> = bench
        .senders(kind)
        .iter()
        .take(size.checks)
        .map(|s| (s.key.pub_key(), s.key.sign(&message)))
        .collect();
    let started = Clock::start();
    for (key, signature) in &signed {
        assert!(key.verify(&message, signature));
    }
    report(
        &format!("verify_only/{}", kind.name()),
        signed.len(),
        started.elapsed(),
    );
}

/// The JMT part of FinalizeBlock alone: `Storage::prepare` (new root and sled batch, nothing
/// persisted) of a block-sized change set of new keys, three writes per transaction (sender
/// account, sender balance, recipient balance).
fn jmt_prepare_only(bench: &Bench, size: &Size) {
    let changes: Changes = (0..3 * size.block_txs)
        .map(|i| (format!("bench/{i}").into_bytes(), Some(vec![1; 40])))
        .collect();
    let next = bench.chain.driver.height + 1;
    let started = Clock::start();
    for _ in 0..size.blocks {
        bench
            .chain
            .storage
            .prepare(next, &changes)
            .expect("the next height prepares");
    }
    report(
        "jmt_prepare_only (3 writes/tx)",
        size.blocks * size.block_txs,
        started.elapsed(),
    );
}

fn main() {
    let size = if std::env::args().any(|a| a == "--bench") {
        FULL
    } else {
        SMOKE
    };
    let mut bench = Bench::new(size.accounts);
    for kind in [Kind::Secp, Kind::Ed] {
        verify_only(&bench, kind, &size);
    }
    for kind in [Kind::Secp, Kind::Ed] {
        check_tx(&mut bench, kind, &size);
    }
    for checked in [false, true] {
        for kind in [Kind::Secp, Kind::Ed] {
            finalize_block(&mut bench, kind, &size, checked);
        }
    }
    jmt_prepare_only(&bench, &size);
}
