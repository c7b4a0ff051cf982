//! State keys of the `ccv` module (byte-exact; part of consensus).
//!
//! | key | value |
//! |-----|-------|
//! | `ccv/client` | `ProviderClient` |
//! | `ccv/consensus/` ‖ height (u64 BE) | `ConsensusState` |
//! | `ccv/expiry/` ‖ `time_key(expiry)` ‖ height (u64 BE) | empty (the pruning queue) |
//! | `ccv/params` | `Params` |
//! | `ccv/applied_vsc` | highest applied vsc id (u64 BE; proven to the provider) |
//! | `ccv/applied_height` | the provider height of that packet (u64 BE) |
//! | `ccv/validator/` ‖ consumer key (32 bytes) | `ConsumerValidator`: the set in force |
//! | `ccv/pending/` ‖ consumer key (32 bytes) | `ConsumerValidator`: updates for this end block |
//! | `ccv/height_vsc/` ‖ consumer height (u64 BE) | vsc id (u64 BE) in force from that height |
//! | `ccv/signing/` ‖ consensus address (20 bytes) | `SigningInfo`: a validator of the set's liveness window |
//! | `ccv/missed/` ‖ consensus address ‖ chunk (u64 BE) | 128-byte chunk of its missed-block bitmap ([`MISSED_BITMAP`]) |
//! | `ccv/downtime/` ‖ seq (u64 BE) | `DowntimeRecord` not yet acknowledged (proven to the provider) |
//! | `ccv/downtime_seq` | the last downtime sequence number used (u64 BE) |
//! | `ccv/outstanding/` ‖ consensus address | seq (u64 BE) of its unacknowledged downtime record |

use rampart_core::context::{BlockTime, ConsensusAddress};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::time_key;
use rampart_core::{ChunkedBitmap, StateRead};

/// The light client of the provider.
pub const CLIENT: &[u8] = b"ccv/client";
/// Prefix of the trusted consensus states, by provider height.
pub const CONSENSUS_PREFIX: &[u8] = b"ccv/consensus/";
/// Prefix of the expiry queue: consensus states in the order they expire.
pub const EXPIRY_PREFIX: &[u8] = b"ccv/expiry/";

/// The consumer's cross-chain parameters.
pub const PARAMS: &[u8] = b"ccv/params";
/// The highest applied vsc id (the key the provider verifies acknowledgements against).
pub const APPLIED_VSC: &[u8] = crate::proven::APPLIED_VSC;
/// The provider height of the highest applied packet.
pub const APPLIED_HEIGHT: &[u8] = b"ccv/applied_height";
/// Prefix of the validator set in force, by consumer key.
pub const VALIDATOR_PREFIX: &[u8] = b"ccv/validator/";
/// Prefix of the updates received in this block, applied at its end.
pub const PENDING_PREFIX: &[u8] = b"ccv/pending/";
/// Prefix of the map from consumer heights to the vsc id in force.
pub const HEIGHT_VSC_PREFIX: &[u8] = b"ccv/height_vsc/";

/// Prefix of the liveness windows, by consensus address.
pub const SIGNING_PREFIX: &[u8] = b"ccv/signing/";
/// Prefix of the missed-block bitmaps.
pub const MISSED: &[u8] = b"ccv/missed/";
/// The missed-block bitmaps (rampart-core's chunked bitmap under [`MISSED`]).
pub const MISSED_BITMAP: ChunkedBitmap = ChunkedBitmap::new(MISSED);
/// Prefix of the downtime records awaiting acknowledgement, by seq.
pub const DOWNTIME_PREFIX: &[u8] = crate::proven::DOWNTIME_PREFIX;
/// The last downtime sequence number used.
pub const DOWNTIME_SEQ: &[u8] = b"ccv/downtime_seq";
/// Prefix of the outstanding flags, by consensus address.
pub const OUTSTANDING_PREFIX: &[u8] = b"ccv/outstanding/";

/// The liveness window of `address`.
pub fn signing_info(address: &ConsensusAddress) -> Vec<u8> {
    [SIGNING_PREFIX, address.as_slice()].concat()
}

/// The outstanding flag of `address`.
pub fn outstanding(address: &ConsensusAddress) -> Vec<u8> {
    [OUTSTANDING_PREFIX, address.as_slice()].concat()
}

/// The validator record of consumer key `key`.
pub fn validator(key: &[u8; 32]) -> Vec<u8> {
    [VALIDATOR_PREFIX, key].concat()
}

/// The pending update of consumer key `key`.
pub fn pending(key: &[u8; 32]) -> Vec<u8> {
    [PENDING_PREFIX, key].concat()
}

/// The entry of the height map at consumer `height`.
pub fn height_vsc(height: u64) -> Vec<u8> {
    [HEIGHT_VSC_PREFIX, &height.to_be_bytes()].concat()
}

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

/// The u64 (BE) stored at `key`; 0 when absent.
pub fn read_u64(state: &dyn StateRead, key: &[u8]) -> AppResult<u64> {
    match state.get(key) {
        None => Ok(0),
        Some(bytes) => <[u8; 8]>::try_from(bytes.as_slice())
            .map(u64::from_be_bytes)
            .map_err(|_| {
                AppError::sdk(
                    SdkCode::Logic,
                    format!("corrupt ccv state (u64 value): {}", hex::encode(&bytes)),
                )
            }),
    }
}
