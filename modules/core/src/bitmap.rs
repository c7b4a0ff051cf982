//! The missed-block bitmap of a liveness window, one per validator, stored in chunks of
//! [`CHUNK_BITS`] bits so that one block's update reads and writes one chunk (O(1)) and a
//! validator's storage is O(window) bits. Shared by the provider's slashing module and the
//! consumer's ccv module, each under its own prefix.
//!
//! | key | value |
//! |-----|-------|
//! | prefix ‖ consensus address (20 bytes) ‖ chunk (u64 BE) | 128 bytes; bit `i` of the chunk is byte `i / 8`, mask `1 << (i % 8)` |
//!
//! A chunk whose bits are all clear is deleted, never stored.

use crate::address::ConsensusAddress;
use crate::error::AppResult;
use crate::math::{Amount, Decimal};
use crate::state::{StateRead, StateWrite};

/// Bits per chunk: a window of W blocks takes at most ⌈W / 1024⌉ chunks of 128 bytes.
pub const CHUNK_BITS: u64 = 1024;

/// Bytes per chunk.
const CHUNK_BYTES: usize = (CHUNK_BITS / 8) as usize;

/// Missed blocks beyond which a validator is down over a window of `window` blocks of which it
/// must sign the fraction `min_signed`: `window − ⌊window × min_signed⌋` (an error when a
/// fraction above 1 makes that negative).
pub fn max_missed(window: u64, min_signed: Decimal) -> AppResult<u64> {
    let blocks = Amount(u128::from(window));
    let max = blocks.checked_sub(blocks.mul_floor(min_signed)?)?;
    // max ≤ window, which is a u64.
    Ok(u64::try_from(max.0).unwrap_or(window))
}

/// Per-validator missed-block bitmaps under one state prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkedBitmap {
    /// The state prefix every chunk key starts with (e.g. `slashing/missed/`).
    pub prefix: &'static [u8],
}

/// The chunk of bitmap position `index`, the byte within it and the bit's mask.
fn locate(index: u64) -> (u64, usize, u8) {
    let chunk = index / CHUNK_BITS;
    let bit = index % CHUNK_BITS;
    // bit < 1024, so bit / 8 < 128 always fits a usize.
    (chunk, (bit / 8) as usize, 1u8 << (bit % 8))
}

impl ChunkedBitmap {
    /// The bitmaps under `prefix`.
    pub const fn new(prefix: &'static [u8]) -> Self {
        Self { prefix }
    }

    /// The prefix of `address`'s chunks.
    pub fn address_prefix(&self, address: &ConsensusAddress) -> Vec<u8> {
        [self.prefix, address.as_slice()].concat()
    }

    /// The key of `address`'s chunk `chunk`.
    pub fn chunk_key(&self, address: &ConsensusAddress, chunk: u64) -> Vec<u8> {
        [self.prefix, address.as_slice(), &chunk.to_be_bytes()].concat()
    }

    /// Whether the block at bitmap position `index` of `address` was missed.
    pub fn missed(&self, state: &dyn StateRead, address: &ConsensusAddress, index: u64) -> bool {
        let (chunk, byte, mask) = locate(index);
        state
            .get(&self.chunk_key(address, chunk))
            .and_then(|bytes| bytes.get(byte).copied())
            .is_some_and(|b| b & mask != 0)
    }

    /// Records whether the block at bitmap position `index` of `address` was missed; returns
    /// whether the bit changed (nothing is written when it did not). One chunk read, at most one
    /// write.
    pub fn set_missed(
        &self,
        state: &mut dyn StateWrite,
        address: &ConsensusAddress,
        index: u64,
        value: bool,
    ) -> bool {
        let (chunk, byte, mask) = locate(index);
        let key = self.chunk_key(address, chunk);
        let mut bytes = state.get(&key).unwrap_or_default();
        if bytes.len() < CHUNK_BYTES {
            bytes.resize(CHUNK_BYTES, 0);
        }
        let was = bytes[byte] & mask != 0;
        if was == value {
            return false;
        }
        if value {
            bytes[byte] |= mask;
        } else {
            bytes[byte] &= !mask;
        }
        if bytes.iter().all(|b| *b == 0) {
            state.delete(key);
        } else {
            state.put(key, bytes);
        }
        true
    }

    /// Clears `address`'s whole bitmap (at most ⌈window / 1024⌉ chunks).
    pub fn clear(&self, state: &mut dyn StateWrite, address: &ConsensusAddress) {
        let keys: Vec<Vec<u8>> = state
            .scan_prefix(&self.address_prefix(address))
            .map(|(key, _)| key)
            .collect();
        for key in keys {
            state.delete(key);
        }
    }

    /// The missed positions of `address`'s bitmap, ascending (genesis export, invariants).
    pub fn missed_indices(&self, state: &dyn StateRead, address: &ConsensusAddress) -> Vec<u64> {
        let prefix = self.address_prefix(address);
        let mut out = Vec::new();
        for (key, bytes) in state.scan_prefix(&prefix) {
            let Some(chunk) = key
                .get(prefix.len()..)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
            else {
                continue;
            };
            for (i, byte) in (0u64..).zip(bytes.iter()) {
                for bit in 0..8u64 {
                    if byte & (1 << bit) != 0 {
                        out.push(chunk.saturating_mul(CHUNK_BITS).saturating_add(i * 8 + bit));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{EmptyState, Overlay};

    const BITMAP: ChunkedBitmap = ChunkedBitmap::new(b"test/missed/");

    #[test]
    fn bits_are_independent_across_chunk_edges() {
        let mut state = Overlay::new(EmptyState);
        let a = [1; 20];
        for index in [0, 7, 8, 1023, 1024, 5000] {
            assert!(!BITMAP.missed(&state, &a, index));
            assert!(BITMAP.set_missed(&mut state, &a, index, true));
            assert!(!BITMAP.set_missed(&mut state, &a, index, true), "unchanged");
            assert!(BITMAP.missed(&state, &a, index));
        }
        assert!(!BITMAP.missed(&state, &a, 1022));
        assert!(
            !BITMAP.missed(&state, &[2; 20], 0),
            "other validators untouched"
        );
        assert_eq!(
            BITMAP.missed_indices(&state, &a),
            [0, 7, 8, 1023, 1024, 5000]
        );
        assert!(BITMAP.set_missed(&mut state, &a, 1024, false));
        assert!(!BITMAP.set_missed(&mut state, &a, 1024, false));
        assert!(!BITMAP.missed(&state, &a, 1024));
        BITMAP.clear(&mut state, &a);
        assert!(BITMAP.missed_indices(&state, &a).is_empty());
        assert_eq!(
            state.scan_prefix(BITMAP.prefix).count(),
            0,
            "no empty chunks kept"
        );
    }

    #[test]
    fn max_missed_is_the_window_less_the_blocks_to_sign() {
        let half = Decimal::from_bps(5_000);
        assert_eq!(max_missed(10_000, half).expect("fits"), 5_000);
        assert_eq!(max_missed(3, half).expect("fits"), 2, "3 − ⌊1.5⌋");
        assert_eq!(max_missed(100, Decimal::ONE).expect("fits"), 0);
        assert_eq!(max_missed(100, Decimal::ZERO).expect("fits"), 100);
        assert!(max_missed(100, Decimal::from_bps(15_000)).is_err());
    }

    #[test]
    fn keys_are_prefix_address_and_big_endian_chunk() {
        let mut state = Overlay::new(EmptyState);
        let a = [7; 20];
        BITMAP.set_missed(&mut state, &a, 1024 * 3 + 9, true);
        let mut key = b"test/missed/".to_vec();
        key.extend_from_slice(&[7; 20]);
        key.extend_from_slice(&3u64.to_be_bytes());
        let mut chunk = vec![0u8; 128];
        chunk[1] = 0b10;
        assert_eq!(
            state.changes().iter().collect::<Vec<_>>(),
            [(&key, &Some(chunk))]
        );
    }
}
