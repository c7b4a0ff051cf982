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

/// Prints one result line: transactions per second and microseconds per transaction.
fn report(name: &str, txs: usize, elapsed: Duration) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{name:<40} {txs:>6} tx in {secs:>8.3} s: {:>9.0} tx/s, {:>8.1} µs/tx",
        txs as f64 / secs,
        secs * 1e6 / txs as f64
    );
}

/// CheckTx of `size.checks` pre-signed transactions from distinct senders.
fn check_tx(bench: &mut Bench, kind: Kind, size: &Size) {
    let txs = bench.sign_txs(kind, size.checks);
    let started = Instant::now();
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
/// timing the two phases separately.
fn finalize_block(bench: &mut Bench, kind: Kind, size: &Size) {
    let blocks: Vec<Vec<Vec<u8>>> = (0..size.blocks)
        .map(|_| bench.sign_txs(kind, size.block_txs))
        .collect();
    let (mut finalizing, mut committing) = (Duration::ZERO, Duration::ZERO);
    for txs in blocks {
        let driver = &mut bench.chain.driver;
        let started = Instant::now();
        let response = driver.finalize(txs);
        let finalized = Instant::now();
        driver.app.commit();
        committing += finalized.elapsed();
        finalizing += finalized.duration_since(started);
        driver.height += 1;
        for result in &response.tx_results {
            assert_eq!(result.code.value(), 0, "DeliverTx: {}", result.log);
        }
    }
    let txs = size.blocks * size.block_txs;
    let name = kind.name();
    report(
        &format!("finalize_block+commit/{name}"),
        txs,
        finalizing + committing,
    );
    report(
        &format!("  of which finalize_block/{name}"),
        txs,
        finalizing,
    );
    report(&format!("  of which commit/{name}"), txs, committing);
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
    let started = Instant::now();
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
    let started = Instant::now();
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
    for kind in [Kind::Secp, Kind::Ed] {
        finalize_block(&mut bench, kind, &size);
    }
    jmt_prepare_only(&bench, &size);
}
