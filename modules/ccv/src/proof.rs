//! ICS-23 membership proofs of the provider's state, against the app hash of a verified provider
//! header. The provider's store is a Jellyfish Merkle Tree (`jmt::ics23_spec()`); its `/store/key`
//! ABCI query answers with one `ProofOp` of type `ics23:jmt` whose `data` is the encoded
//! `ics23::CommitmentProof` this module takes.
//!
//! Off by one: the state after provider height `h` is committed in the app hash of header `h + 1`,
//! so a proof read at `proof_height` verifies against the consensus state at `proof_height + 1`.

use prost::Message;
use rampart_core::context::BlockTime;
use rampart_core::error::AppResult;
use rampart_core::StateRead;

use crate::client;
use crate::errors::{err, CcvCode};

/// Verifies that the provider's state after `proof_height` held `value` at `key`, with `proof`
/// (an encoded `ics23::CommitmentProof`) against the app hash of the trusted header at
/// `proof_height + 1`. Refused when the client is missing or frozen (`ccv/2`, `ccv/3`), that
/// header is not trusted (`ccv/6`) or has expired at `now` (`ccv/4`), or the proof does not
/// decode or prove this key and value (`ccv/13`).
pub fn verify_provider_membership(
    state: &dyn StateRead,
    now: BlockTime,
    proof_height: u64,
    key: &[u8],
    value: &[u8],
    proof: &[u8],
) -> AppResult<()> {
    let client = client::client(state)?;
    if client.frozen_height != 0 {
        return Err(err(
            CcvCode::ClientFrozen,
            format!(
                "provider client frozen by misbehaviour at height {}: it proves nothing",
                client.frozen_height
            ),
        ));
    }
    let header_height = proof_height.checked_add(1).ok_or_else(|| {
        err(
            CcvCode::ConsensusStateNotFound,
            "proof_height has no next header",
        )
    })?;
    let cs = client::consensus_state(state, header_height)?.ok_or_else(|| {
        err(
            CcvCode::ConsensusStateNotFound,
            format!(
                "proof at provider height {proof_height} needs a verified header at height \
                 {header_height}, which the client does not trust"
            ),
        )
    })?;
    if client::is_expired(&client, &cs, now)? {
        return Err(err(
            CcvCode::ClientExpired,
            format!("the provider header at height {header_height} is no longer trusted"),
        ));
    }
    if key.is_empty() || value.is_empty() {
        return Err(err(CcvCode::InvalidProof, "empty key or value"));
    }
    let proof = ics23::CommitmentProof::decode(proof)
        .map_err(|e| err(CcvCode::InvalidProof, format!("proof does not decode: {e}")))?;
    if !ics23::verify_membership::<ics23::HostFunctionsManager>(
        &proof,
        &jmt::ics23_spec(),
        &cs.app_hash,
        key,
        value,
    ) {
        return Err(err(
            CcvCode::InvalidProof,
            format!(
                "the proof does not prove the value at key {} against the provider app hash at \
                 height {header_height}",
                hex::encode(key)
            ),
        ));
    }
    Ok(())
}
