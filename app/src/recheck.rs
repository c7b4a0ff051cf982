//! What a first CheckTx proved about a transaction's bytes alone, remembered for its re-checks.
//!
//! After every block CometBFT re-checks each transaction left in its mempool (`CheckTx` of kind
//! `Recheck`) while the mempool is locked, on every node. Decoding the bytes and routing the
//! messages to their signers ([`crate::tx::decode`], the modules' `validate_msg`) are pure
//! functions of the bytes and of the composition, which never changes in a running node, so a
//! re-check of bytes that already passed needs only the ante handler again — everything that
//! reads the state: timeout height, parameters (memo length, gas costs, signature limit),
//! accounts, public keys, the fee payer's balance, sequences, and the signature over sign bytes
//! that carry the current account number ([`crate::exec::recheck_routed`]). Signatures keep
//! their own memory ([`crate::sigcache`]).
//!
//! Entries are keyed by the transaction hash (SHA-256 of the exact bytes, as CometBFT's mempool
//! names them), added only by a first check that passed, and dropped when the transaction is
//! executed in a block or fails a re-check (CometBFT then drops it too). At most [`CAPACITY`]
//! are kept, oldest evicted first; a miss falls back to the full path. Nothing here is
//! consensus state: it only ever answers CheckTx.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use rampart_core::Address;

use crate::tx::DecodedTx;

/// Most remembered transactions: twice CometBFT's default `mempool.size` (5,000), ≈ 1–2 KB each.
pub const CAPACITY: usize = 10_000;

/// A transaction that decoded and routed, with its de-duplicated signers in order.
#[derive(Debug)]
pub struct Routed {
    /// The decoded transaction (its `hash` is the key).
    pub decoded: DecodedTx,
    /// The signers its messages name, de-duplicated, in order.
    pub signers: Vec<Address>,
}

/// The bounded memory of transactions that passed a first CheckTx.
#[derive(Debug)]
pub struct RecheckMemo {
    entries: BTreeMap<[u8; 32], Arc<Routed>>,
    /// Insertion order, for evicting the oldest; may still name entries already dropped.
    order: VecDeque<[u8; 32]>,
    capacity: usize,
}

impl Default for RecheckMemo {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl RecheckMemo {
    /// An empty memory of at most `capacity` transactions (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: BTreeMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// How many transactions are remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Remembers a transaction that passed a first CheckTx.
    pub fn remember(&mut self, routed: Routed) {
        let hash = routed.decoded.hash;
        if self.entries.insert(hash, Arc::new(routed)).is_none() {
            self.order.push_back(hash);
        }
        // `order` may also name dropped entries: bound it too, to twice the capacity.
        while self.entries.len() > self.capacity
            || self.order.len() > self.capacity.saturating_mul(2)
        {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.entries.remove(&oldest);
        }
    }

    /// The transaction whose bytes hash to `hash`, if remembered.
    pub fn get(&self, hash: &[u8; 32]) -> Option<Arc<Routed>> {
        self.entries.get(hash).cloned()
    }

    /// Forgets the transaction whose bytes hash to `hash` (executed, or failed a re-check).
    pub fn forget(&mut self, hash: &[u8; 32]) {
        self.entries.remove(hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routed(seed: u8) -> Routed {
        Routed {
            decoded: DecodedTx {
                hash: [seed; 32],
                body: Default::default(),
                auth_info: Default::default(),
                body_bytes: Vec::new(),
                auth_info_bytes: Vec::new(),
                signatures: Vec::new(),
            },
            signers: Vec::new(),
        }
    }

    #[test]
    fn remembers_within_its_capacity_and_forgets_on_request() {
        let mut memo = RecheckMemo::with_capacity(3);
        memo.remember(routed(1));
        assert!(memo.get(&[1; 32]).is_some());
        memo.forget(&[1; 32]);
        assert!(memo.get(&[1; 32]).is_none() && memo.is_empty());
        for seed in 2..10 {
            memo.remember(routed(seed));
            assert!(memo.len() <= 3);
        }
        assert!(memo.get(&[9; 32]).is_some() && memo.get(&[6; 32]).is_none());
        assert!(memo.order.len() <= 6);
    }
}
