//! State keys of the slashing module (all under `slashing/`).

use rampart_core::context::ConsensusAddress;

/// The parameters.
pub const PARAMS: &[u8] = b"slashing/params";
/// Signing info by consensus address: `info/` ‖ address.
pub const SIGNING_INFO: &[u8] = b"slashing/info/";
/// Missed-block bitmap chunks: `missed/` ‖ address ‖ chunk index (u64 BE).
pub const MISSED: &[u8] = b"slashing/missed/";

/// Bits per bitmap chunk: a window of W blocks takes ⌈W / 1024⌉ chunks of 128 bytes.
pub const CHUNK_BITS: u64 = 1024;

/// The signing-info key of `address`.
pub fn signing_info(address: &ConsensusAddress) -> Vec<u8> {
    [SIGNING_INFO, address.as_slice()].concat()
}

/// The prefix of `address`'s bitmap chunks.
pub fn missed_prefix(address: &ConsensusAddress) -> Vec<u8> {
    [MISSED, address.as_slice()].concat()
}

/// The key of `address`'s bitmap chunk `chunk`.
pub fn missed_chunk(address: &ConsensusAddress, chunk: u64) -> Vec<u8> {
    [MISSED, address.as_slice(), &chunk.to_be_bytes()].concat()
}
