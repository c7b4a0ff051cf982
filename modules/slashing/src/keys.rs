//! State keys of the slashing module (all under `slashing/`).

use rampart_core::context::ConsensusAddress;
use rampart_core::ChunkedBitmap;

/// The parameters.
pub const PARAMS: &[u8] = b"slashing/params";
/// Signing info by consensus address: `info/` ‖ address.
pub const SIGNING_INFO: &[u8] = b"slashing/info/";
/// Missed-block bitmap chunks: `missed/` ‖ address ‖ chunk index (u64 BE).
pub const MISSED: &[u8] = b"slashing/missed/";

/// The missed-block bitmaps (rampart-core's chunked bitmap under [`MISSED`]).
pub const MISSED_BITMAP: ChunkedBitmap = ChunkedBitmap::new(MISSED);

/// The signing-info key of `address`.
pub fn signing_info(address: &ConsensusAddress) -> Vec<u8> {
    [SIGNING_INFO, address.as_slice()].concat()
}
