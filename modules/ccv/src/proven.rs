//! The cross-chain contract (domain part): the state keys one chain proves to the other, and the
//! exact bytes stored under them. The provider's registry, the consumer's ccv module and the
//! relayer all build these keys here, so the three cannot drift apart.
//!
//! | chain | key | value |
//! |-------|-----|-------|
//! | provider | `"consumer/vsc/" ‖ consumer_id (u64 BE) ‖ vsc_id (u64 BE)` | encoded `ValidatorSetChangePacket` |
//! | consumer | `"ccv/applied_vsc"` | the highest applied vsc id (u64 BE) |
//! | consumer | `"ccv/downtime/" ‖ seq (u64 BE)` | encoded `rampart.ccv.v1.DowntimeRecord` (until acknowledged) |

use prost::Message;
use rampart_proto::rampart::ccv::v1::DowntimeRecord;

/// Prefix of the provider's validator-set-change packets.
pub const PROVIDER_PACKET_PREFIX: &[u8] = b"consumer/vsc/";

/// The consumer's highest applied vsc id.
pub const APPLIED_VSC: &[u8] = b"ccv/applied_vsc";

/// The provider's state key of packet `vsc_id` of consumer `consumer_id`.
pub fn provider_packet_key(consumer_id: u64, vsc_id: u64) -> Vec<u8> {
    [
        PROVIDER_PACKET_PREFIX,
        &consumer_id.to_be_bytes(),
        &vsc_id.to_be_bytes(),
    ]
    .concat()
}

/// The value stored under [`APPLIED_VSC`] once the consumer has applied `vsc_id`.
pub fn applied_vsc_value(vsc_id: u64) -> [u8; 8] {
    vsc_id.to_be_bytes()
}

/// Prefix of the consumer's downtime records.
pub const DOWNTIME_PREFIX: &[u8] = b"ccv/downtime/";

/// The consumer's state key of downtime record `seq`.
pub fn downtime_key(seq: u64) -> Vec<u8> {
    [DOWNTIME_PREFIX, &seq.to_be_bytes()].concat()
}

/// The value stored under [`downtime_key`] for `record`: its protobuf encoding (prost's, which
/// writes fields in number order and omits defaults, so the provider re-encodes a decoded record
/// to the same bytes).
pub fn downtime_value(record: &DowntimeRecord) -> Vec<u8> {
    record.encode_to_vec()
}
