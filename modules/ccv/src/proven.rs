//! The cross-chain contract (domain part): the state keys one chain proves to the other, and the
//! exact bytes stored under them. The provider's registry, the consumer's ccv module and the
//! relayer all build these keys here, so the three cannot drift apart.
//!
//! | chain | key | value |
//! |-------|-----|-------|
//! | provider | `"consumer/vsc/" ‖ consumer_id (u64 BE) ‖ vsc_id (u64 BE)` | encoded `ValidatorSetChangePacket` |
//! | consumer | `"ccv/applied_vsc"` | the highest applied vsc id (u64 BE) |

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
