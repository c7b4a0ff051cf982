//! `rampart.ccv.v1` messages, sent to a consumer chain: advancing its light client of the
//! provider and delivering the provider's validator-set-change packets with their proofs.

use cosmrs::{AccountId, Any};
pub use rampart_ccv::urls::{MSG_RECV_VSC_PACKET, MSG_UPDATE_PROVIDER_CLIENT};
use rampart_proto::rampart::ccv::v1 as pb;
use tendermint::block::signed_header::SignedHeader;
use tendermint::validator::Set;

use super::to_any;

/// A `MsgUpdateProviderClient` from `signer`: the provider header `signed_header`, signed by
/// `validator_set`, verified against the client's trusted height `trusted_height`, whose next
/// validator set (the one that signs `trusted_height + 1`) is `trusted_next_validator_set`.
pub fn update_provider_client_msg(
    signer: &AccountId,
    signed_header: SignedHeader,
    validator_set: Set,
    trusted_height: u64,
    trusted_next_validator_set: Set,
) -> Any {
    to_any(
        MSG_UPDATE_PROVIDER_CLIENT,
        &pb::MsgUpdateProviderClient {
            signer: signer.to_string(),
            signed_header: Some(signed_header.into()),
            validator_set: Some(validator_set.into()),
            trusted_height,
            trusted_next_validator_set: Some(trusted_next_validator_set.into()),
        },
    )
}

/// A `MsgRecvVscPacket` from `signer`: `packet`, the exact bytes the provider stores for it,
/// with `proof`, the encoded ICS-23 `CommitmentProof` of those bytes in the provider state after
/// height `proof_height` (checked against the trusted provider header at `proof_height + 1`).
pub fn recv_vsc_packet_msg(
    signer: &AccountId,
    proof_height: u64,
    packet: Vec<u8>,
    proof: Vec<u8>,
) -> Any {
    to_any(
        MSG_RECV_VSC_PACKET,
        &pb::MsgRecvVscPacket {
            signer: signer.to_string(),
            proof_height,
            packet,
            proof,
        },
    )
}
