//! The generator's bookkeeping, shared by the senders and the block watcher: each account's
//! next sequence and transactions in flight, the transactions acknowledged but not yet seen in a
//! block, and what the blocks said about them.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::{Duration, SystemTime};

use super::rpc::BlockData;

/// Whether an account's sequence must be read again from the chain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Resync {
    /// In step.
    #[default]
    No,
    /// Wanted: a transaction failed, was refused on its sequence, or got lost.
    Wanted,
    /// A query is under way.
    Running,
}

/// One account's state.
#[derive(Clone, Debug, Default)]
pub struct AccountBook {
    /// The sequence of the next transaction to send.
    pub next_seq: u64,
    /// Sequences sent and acknowledged, not yet committed, with their send time.
    pub in_flight: BTreeMap<u64, SystemTime>,
    /// Pre-signed transactions from `signed_base` on.
    pub signed: VecDeque<Vec<u8>>,
    /// The sequence of `signed[0]`.
    pub signed_base: u64,
    /// Whether the sequence must be resynchronised.
    pub resync: Resync,
    /// Its transactions committed with code 0 (over the generator's life).
    pub committed: u64,
}

impl AccountBook {
    /// The pre-signed transaction at `seq`, if any.
    pub fn presigned(&self, seq: u64) -> Option<&Vec<u8>> {
        let offset = usize::try_from(seq.checked_sub(self.signed_base)?).ok()?;
        self.signed.get(offset)
    }

    /// The sequence after the last pre-signed transaction.
    pub fn signed_end(&self) -> u64 {
        self.signed_base.saturating_add(self.signed.len() as u64)
    }
}

/// A transaction acknowledged by a node and not yet seen in a block.
#[derive(Clone, Copy, Debug)]
pub struct Pending {
    /// The account that signed it.
    pub account: usize,
    /// Its sequence.
    pub seq: u64,
    /// When it was first sent.
    pub sent_at: SystemTime,
}

/// A committed transaction of the generator.
#[derive(Clone, Copy, Debug)]
pub struct Committed {
    /// Its hash.
    pub hash: [u8; 32],
    /// The block holding it.
    pub height: u64,
    /// When it was first sent.
    pub sent_at: SystemTime,
    /// Whether its result code was 0.
    pub ok: bool,
}

/// One block as the report uses it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlockStat {
    /// Its header time.
    pub time: SystemTime,
    /// How many transactions it holds (anyone's).
    pub txs: u64,
    /// Their summed size.
    pub bytes: u64,
    /// How many of them are the generator's.
    pub ours: u64,
}

/// What one run (a `run` call, or a `--saturate` step) saw.
#[derive(Clone, Debug, Default)]
pub struct RunStats {
    /// Distinct transactions acknowledged by a node.
    pub acknowledged: u64,
    /// Their summed size.
    pub acknowledged_bytes: u64,
    /// Refusals at broadcast by `codespace/code` (or the RPC error).
    pub refused: BTreeMap<String, u64>,
    /// Committed transactions of the generator sent in this run.
    pub committed: Vec<Committed>,
    /// Failed committed transactions by `codespace/code`.
    pub failed: BTreeMap<String, u64>,
    /// Accounts whose sequence was read again from the chain.
    pub resyncs: u64,
    /// Acknowledged transactions given up on after `lost_after` (kvstore load).
    pub lost: u64,
    /// When the first and last transactions of the run were sent.
    pub first_send: Option<SystemTime>,
    /// When the last transaction was sent.
    pub last_send: Option<SystemTime>,
}

/// The whole book.
#[derive(Debug, Default)]
pub struct Book {
    /// Per account.
    pub accounts: Vec<AccountBook>,
    /// Acknowledged, not yet committed, by hash.
    pub pending: HashMap<[u8; 32], Pending>,
    /// Hashes committed over the generator's life (a resent copy of one is not pending).
    pub committed_hashes: HashSet<[u8; 32]>,
    /// Sum of every account's `in_flight`.
    pub in_flight: usize,
    /// Blocks seen, by height.
    pub blocks: BTreeMap<u64, BlockStat>,
    /// This run's figures.
    pub run: RunStats,
}

/// Code of a successful result (`codespace/0`).
pub fn is_ok_code(code: &str) -> bool {
    code.ends_with("/0")
}

impl Book {
    /// A book for `accounts` accounts starting at the given sequences.
    pub fn new(sequences: &[u64]) -> Self {
        Self {
            accounts: sequences
                .iter()
                .map(|&seq| AccountBook {
                    next_seq: seq,
                    signed_base: seq,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    /// Whether `account` may send now: fewer than `per_account` in flight, not resyncing, and
    /// fewer than `total` in flight over all accounts.
    pub fn may_send(&self, account: usize, per_account: usize, total: usize) -> bool {
        self.in_flight < total
            && self
                .accounts
                .get(account)
                .is_some_and(|a| a.resync == Resync::No && a.in_flight.len() < per_account)
    }

    /// Records a transaction about to be sent; returns whether it is new to the pending set
    /// (a resent copy of a pending transaction is not).
    pub fn sent(&mut self, account: usize, seq: u64, hash: [u8; 32], now: SystemTime) -> bool {
        let Some(book) = self.accounts.get_mut(account) else {
            return false;
        };
        book.next_seq = seq.saturating_add(1);
        if book.in_flight.insert(seq, now).is_none() {
            self.in_flight += 1;
        }
        self.run.first_send.get_or_insert(now);
        self.run.last_send = Some(now);
        if self.committed_hashes.contains(&hash) || self.pending.contains_key(&hash) {
            return false;
        }
        self.pending.insert(
            hash,
            Pending {
                account,
                seq,
                sent_at: now,
            },
        );
        true
    }

    /// Counts an acknowledged transaction of `bytes` bytes that was new.
    pub fn acknowledged(&mut self, bytes: usize) {
        self.run.acknowledged += 1;
        self.run.acknowledged_bytes = self.run.acknowledged_bytes.saturating_add(bytes as u64);
    }

    /// Undoes [`Book::sent`] for a refused transaction: the account sends `seq` again next
    /// (after a resynchronisation when `resync`), and the refusal is counted under `code`.
    pub fn refused(
        &mut self,
        account: usize,
        seq: u64,
        hash: [u8; 32],
        was_new: bool,
        code: &str,
        resync: bool,
    ) {
        *self.run.refused.entry(code.to_string()).or_default() += 1;
        if was_new {
            self.pending.remove(&hash);
        }
        let Some(book) = self.accounts.get_mut(account) else {
            return;
        };
        if book.in_flight.remove(&seq).is_some() {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
        book.next_seq = book.next_seq.min(seq);
        if resync && book.resync == Resync::No {
            book.resync = Resync::Wanted;
        }
    }

    /// Takes in a committed block: the generator's transactions in it leave the pending set,
    /// failures are counted (and their accounts resynchronised when `sequenced`).
    pub fn block(&mut self, block: &BlockData, sequenced: bool) {
        let mut ours = 0;
        for (hash, code) in block.tx_hashes.iter().zip(&block.codes) {
            let Some(pending) = self.pending.remove(hash) else {
                continue;
            };
            ours += 1;
            let ok = is_ok_code(code);
            self.committed_hashes.insert(*hash);
            self.run.committed.push(Committed {
                hash: *hash,
                height: block.height,
                sent_at: pending.sent_at,
                ok,
            });
            if !ok {
                *self.run.failed.entry(code.clone()).or_default() += 1;
            }
            let Some(book) = self.accounts.get_mut(pending.account) else {
                continue;
            };
            if book.in_flight.remove(&pending.seq).is_some() {
                self.in_flight = self.in_flight.saturating_sub(1);
            }
            if ok {
                book.committed += 1;
                while book.signed_base <= pending.seq && book.signed.pop_front().is_some() {
                    book.signed_base += 1;
                }
            } else if sequenced && book.resync == Resync::No {
                book.resync = Resync::Wanted;
            }
        }
        self.blocks.insert(
            block.height,
            BlockStat {
                time: block.time,
                txs: block.tx_hashes.len() as u64,
                bytes: block.tx_bytes,
                ours,
            },
        );
    }

    /// Accounts to resynchronise now: those that want it, and those whose oldest transaction
    /// in flight was sent more than `lost_after` ago. Each is marked [`Resync::Running`].
    pub fn start_resyncs(&mut self, now: SystemTime, lost_after: Duration) -> Vec<usize> {
        let mut due = Vec::new();
        for (index, book) in self.accounts.iter_mut().enumerate() {
            let stale = book
                .in_flight
                .values()
                .next()
                .is_some_and(|&sent| now.duration_since(sent).unwrap_or_default() > lost_after);
            if book.resync == Resync::Wanted || (book.resync == Resync::No && stale) {
                book.resync = Resync::Running;
                due.push(index);
            }
        }
        due
    }

    /// Ends the resynchronisation of `account`: it sends from `chain_seq` on (unsequenced load
    /// passes `None` and keeps its counter); what it had in flight is given up on.
    pub fn finish_resync(&mut self, account: usize, chain_seq: Option<u64>) {
        let Some(book) = self.accounts.get_mut(account) else {
            return;
        };
        self.in_flight = self.in_flight.saturating_sub(book.in_flight.len());
        self.run.lost += book.in_flight.len() as u64;
        book.in_flight.clear();
        if let Some(seq) = chain_seq {
            book.next_seq = seq;
            self.run.resyncs += 1;
        }
        book.resync = Resync::No;
    }

    /// A failed resynchronisation is tried again later.
    pub fn retry_resync(&mut self, account: usize) {
        if let Some(book) = self.accounts.get_mut(account) {
            book.resync = Resync::Wanted;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(height: u64, txs: &[([u8; 32], &str)]) -> BlockData {
        BlockData {
            height,
            time: SystemTime::UNIX_EPOCH,
            tx_hashes: txs.iter().map(|(h, _)| *h).collect(),
            tx_bytes: 100,
            codes: txs.iter().map(|(_, c)| c.to_string()).collect(),
        }
    }

    #[test]
    fn commits_failures_and_refusals_keep_sequences_right() {
        let now = SystemTime::UNIX_EPOCH;
        let mut book = Book::new(&[0, 5]);
        assert!(book.may_send(0, 2, 10));
        assert!(book.sent(0, 0, [1; 32], now));
        assert!(book.sent(0, 1, [2; 32], now));
        assert!(!book.may_send(0, 2, 10), "two in flight is the bound");
        assert!(!book.sent(0, 1, [2; 32], now), "a resent copy is not new");
        assert!(book.sent(1, 5, [3; 32], now));
        book.refused(1, 5, [3; 32], true, "sdk/32", true);
        assert_eq!(book.accounts[1].next_seq, 5);
        assert_eq!(book.accounts[1].resync, Resync::Wanted);
        assert_eq!(book.run.refused["sdk/32"], 1);

        book.block(&block(3, &[([1; 32], "/0"), ([9; 32], "/0")]), true);
        assert_eq!(book.accounts[0].committed, 1);
        assert_eq!(book.in_flight, 1);
        assert_eq!(book.blocks[&3].ours, 1);
        assert_eq!(book.blocks[&3].txs, 2);
        book.block(&block(4, &[([2; 32], "sdk/5")]), true);
        assert_eq!(book.run.failed["sdk/5"], 1);
        assert_eq!(book.accounts[0].resync, Resync::Wanted);
        assert_eq!(book.in_flight, 0);
        assert!(
            !book.sent(0, 0, [1; 32], now),
            "a committed tx is never pending again"
        );
    }

    #[test]
    fn lost_transactions_trigger_a_resync() {
        let t0 = SystemTime::UNIX_EPOCH;
        let mut book = Book::new(&[0]);
        book.sent(0, 0, [1; 32], t0);
        book.sent(0, 1, [2; 32], t0);
        let later = t0 + Duration::from_secs(31);
        assert!(book
            .start_resyncs(t0 + Duration::from_secs(5), Duration::from_secs(30))
            .is_empty());
        assert_eq!(book.start_resyncs(later, Duration::from_secs(30)), vec![0]);
        assert!(!book.may_send(0, 8, 8));
        book.finish_resync(0, Some(0));
        assert_eq!(book.accounts[0].next_seq, 0);
        assert_eq!(book.in_flight, 0);
        assert_eq!(book.run.lost, 2);
        assert_eq!(book.run.resyncs, 1);
        assert!(book.may_send(0, 8, 8));
    }
}
