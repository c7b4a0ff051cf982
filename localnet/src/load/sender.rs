//! The senders: one task per (node, connection), each owning a fixed set of accounts, so an
//! account's transactions always reach one node in sequence order. A sender earns `rate /
//! senders` transactions a second and spends them in `broadcast_tx_sync` batches of at most
//! ten, one transaction per account per batch (a refusal then never strands a later sequence
//! of the same batch).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;
use sha2::{Digest, Sha256};

use super::book::Book;
use super::rpc::{self, Ack, MAX_BATCH};
use super::workload::{LoadAccount, Workload};

/// How often a sender wakes up to spend what it earned.
const TICK: Duration = Duration::from_millis(5);
/// How long a sender waits after its node failed to answer.
const BACKOFF: Duration = Duration::from_millis(500);

/// What every sender shares.
pub struct Shared {
    /// The bookkeeping.
    pub book: Mutex<Book>,
    /// The accounts (keys, addresses, numbers).
    pub accounts: Vec<LoadAccount>,
    /// What they send.
    pub workload: Workload,
    /// The nodes' RPC addresses.
    pub nodes: Vec<SocketAddr>,
    /// The most transactions in flight per account.
    pub per_account: usize,
    /// The most transactions in flight over all accounts (below the mempool size).
    pub total: usize,
}

impl Shared {
    /// Locks the book; a sender that panicked while holding it leaves it usable.
    pub fn lock(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One sender: the accounts it owns and the node it starts on.
pub struct Sender {
    /// Shared state.
    pub shared: Arc<Shared>,
    /// The accounts it sends for.
    pub accounts: Vec<usize>,
    /// Index of its node in `shared.nodes` (it moves on when the node stops answering).
    pub node: usize,
    /// Its share of the rate, in tx/s.
    pub rate: f64,
}

/// A transaction picked for the next batch.
struct Pick {
    account: usize,
    seq: u64,
    tx: Option<Vec<u8>>,
}

impl Sender {
    /// Sends until `stop` is set.
    pub async fn run(mut self, stop: Arc<AtomicBool>) {
        let mut budget = 0.0f64;
        // At most half a second's worth (and one batch) is carried over after a slow answer.
        let cap = (self.rate / 2.0).max(MAX_BATCH as f64);
        let mut last = Instant::now();
        let mut cursor = 0usize;
        while !stop.load(Ordering::Relaxed) {
            tokio::time::sleep(TICK).await;
            let now = Instant::now();
            budget = (budget + self.rate * now.duration_since(last).as_secs_f64()).min(cap);
            last = now;
            while budget >= 1.0 && !stop.load(Ordering::Relaxed) {
                let want = (budget as usize).min(MAX_BATCH);
                let picks = self.pick(want, &mut cursor);
                if picks.is_empty() {
                    break;
                }
                budget -= picks.len() as f64;
                if self.send(picks).await.is_err() {
                    self.node = (self.node + 1) % self.shared.nodes.len();
                    tokio::time::sleep(BACKOFF).await;
                    last = Instant::now();
                    break;
                }
            }
        }
    }

    /// Picks up to `want` accounts that may send, starting at `cursor`.
    fn pick(&self, want: usize, cursor: &mut usize) -> Vec<Pick> {
        let shared = &self.shared;
        let book = shared.lock();
        let mut picks = Vec::with_capacity(want);
        for _ in 0..self.accounts.len() {
            if picks.len() == want {
                break;
            }
            let account = self.accounts[*cursor % self.accounts.len()];
            *cursor = cursor.wrapping_add(1);
            if !book.may_send(account, shared.per_account, shared.total) {
                continue;
            }
            let state = &book.accounts[account];
            let seq = state.next_seq;
            // Count the picks of this batch against the in-flight bound too.
            if book.in_flight + picks.len() >= shared.total {
                break;
            }
            picks.push(Pick {
                account,
                seq,
                tx: state.presigned(seq).cloned(),
            });
        }
        picks
    }

    /// Signs what was not pre-signed, records the batch as sent, broadcasts it and takes back
    /// what the node refused. An error means the node did not answer (everything is taken back).
    async fn send(&self, picks: Vec<Pick>) -> Result<()> {
        let shared = &self.shared;
        let mut txs = Vec::with_capacity(picks.len());
        for pick in &picks {
            let tx = match &pick.tx {
                Some(tx) => tx.clone(),
                None => shared
                    .workload
                    .tx(&shared.accounts, pick.account, pick.seq)?,
            };
            txs.push(tx);
        }
        let hashes: Vec<[u8; 32]> = txs.iter().map(|tx| Sha256::digest(tx).into()).collect();
        let now = SystemTime::now();
        let fresh: Vec<bool> = {
            let mut book = shared.lock();
            picks
                .iter()
                .zip(&hashes)
                .map(|(pick, hash)| book.sent(pick.account, pick.seq, *hash, now))
                .collect()
        };
        let refs: Vec<&[u8]> = txs.iter().map(Vec::as_slice).collect();
        let acks = rpc::broadcast(shared.nodes[self.node], &refs).await;
        let mut book = shared.lock();
        let acks = match acks {
            Ok(acks) => acks,
            Err(err) => {
                for ((pick, hash), fresh) in picks.iter().zip(&hashes).zip(&fresh) {
                    book.refused(
                        pick.account,
                        pick.seq,
                        *hash,
                        *fresh,
                        "rpc unreachable",
                        false,
                    );
                }
                return Err(err);
            }
        };
        for (((pick, hash), fresh), (ack, tx)) in picks
            .iter()
            .zip(&hashes)
            .zip(&fresh)
            .zip(acks.iter().zip(&txs))
        {
            match ack {
                Ack::Accepted => {
                    if *fresh {
                        book.acknowledged(tx.len());
                    }
                }
                Ack::Refused { code, .. } => {
                    book.refused(pick.account, pick.seq, *hash, *fresh, code, true);
                }
                Ack::Error(error) => {
                    let resync = shared.workload.sequenced();
                    book.refused(
                        pick.account,
                        pick.seq,
                        *hash,
                        *fresh,
                        &error_class(error),
                        resync,
                    );
                }
            }
        }
        Ok(())
    }
}

/// A stable class of an RPC error for counting: its text with every number replaced by `N`,
/// without the generic `Internal error: ` prefix, at most 60 characters.
fn error_class(error: &str) -> String {
    let text = error.strip_prefix("Internal error: ").unwrap_or(error);
    let mut class = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !class.ends_with('N') {
                class.push('N');
            }
        } else {
            class.push(c);
        }
    }
    format!("rpc: {}", class.chars().take(60).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpc_errors_are_counted_by_class() {
        assert_eq!(
            error_class("Internal error: mempool is full: number of txs 5000 (max: 5000)"),
            "rpc: mempool is full: number of txs N (max: N)"
        );
        assert_eq!(error_class("tx too large"), "rpc: tx too large");
    }
}
