//! State keys of the `ccv` module (byte-exact; part of consensus).
//!
//! | key | value |
//! |-----|-------|
//! | `ccv/client` | `ProviderClient` |
//! | `ccv/consensus/` ‖ height (u64 BE) | `ConsensusState` |
//! | `ccv/expiry/` ‖ `time_key(expiry)` ‖ height (u64 BE) | empty (the pruning queue) |

use rampart_core::context::BlockTime;
use rampart_core::wire::time_key;

/// The light client of the provider.
pub const CLIENT: &[u8] = b"ccv/client";
/// Prefix of the trusted consensus states, by provider height.
pub const CONSENSUS_PREFIX: &[u8] = b"ccv/consensus/";
/// Prefix of the expiry queue: consensus states in the order they expire.
pub const EXPIRY_PREFIX: &[u8] = b"ccv/expiry/";

/// The consensus state at provider `height`.
pub fn consensus_state(height: u64) -> Vec<u8> {
    let mut key = CONSENSUS_PREFIX.to_vec();
    key.extend_from_slice(&height.to_be_bytes());
    key
}

/// The expiry-queue entry of the consensus state at `height`, which expires at `expiry`.
pub fn expiry(expiry: BlockTime, height: u64) -> Vec<u8> {
    let mut key = expiry_upto(expiry);
    key.extend_from_slice(&height.to_be_bytes());
    key
}

/// The expiry-queue prefix up to and including the time `expiry` (entries at `expiry` sort
/// after it).
pub fn expiry_upto(expiry: BlockTime) -> Vec<u8> {
    let mut key = EXPIRY_PREFIX.to_vec();
    key.extend_from_slice(&time_key(expiry));
    key
}

/// The height at the end of an expiry-queue or consensus-state key.
pub fn height_suffix(key: &[u8]) -> Option<u64> {
    let tail = key
        .len()
        .checked_sub(8)
        .and_then(|start| key.get(start..))?;
    <[u8; 8]>::try_from(tail).ok().map(u64::from_be_bytes)
}
