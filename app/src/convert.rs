//! Conversions between CometBFT's ABCI types and Rampart's plain, deterministic core types.

use rampart_core::context::{Misbehavior, MisbehaviorKind, VoteInfo};
use rampart_core::error::AppError;
use rampart_core::{BlockTime, ValidatorUpdate};
use tendermint::abci::types as abci_types;
use tendermint::{validator, vote, PublicKey, Time};

/// Block time from a CometBFT timestamp.
pub fn block_time(time: Time) -> BlockTime {
    let nanos = time.unix_timestamp_nanos();
    // rem_euclid by 10^9 is in 0..10^9, which fits u32; div_euclid of a Time (year ≤ 9999) fits i64.
    BlockTime {
        seconds: i64::try_from(nanos.div_euclid(1_000_000_000)).unwrap_or(i64::MAX),
        nanos: u32::try_from(nanos.rem_euclid(1_000_000_000)).unwrap_or(0),
    }
}

/// Commit participation from `decided_last_commit`.
pub fn votes(commit: &abci_types::CommitInfo) -> Vec<VoteInfo> {
    commit
        .votes
        .iter()
        .map(|vote| VoteInfo {
            address: vote.validator.address,
            power: vote.validator.power.value(),
            // As in the Cosmos SDK, a nil vote counts as signed: only absence is downtime.
            signed: vote.sig_info.is_signed(),
        })
        .collect()
}

/// Misbehaviour of a known kind (CometBFT's `Unknown` kind is skipped).
pub fn misbehavior(list: &[abci_types::Misbehavior]) -> Vec<Misbehavior> {
    list.iter()
        .filter_map(|m| {
            let kind = match m.kind {
                abci_types::MisbehaviorKind::DuplicateVote => MisbehaviorKind::DuplicateVote,
                abci_types::MisbehaviorKind::LightClientAttack => {
                    MisbehaviorKind::LightClientAttack
                }
                abci_types::MisbehaviorKind::Unknown => return None,
            };
            Some(Misbehavior {
                kind,
                address: m.validator.address,
                power: m.validator.power.value(),
                height: m.height.value(),
                time: block_time(m.time),
                total_voting_power: m.total_voting_power.value(),
            })
        })
        .collect()
}

/// CometBFT validator updates; `Err` for a power CometBFT cannot represent.
pub fn validator_updates(
    updates: Vec<ValidatorUpdate>,
) -> Result<Vec<validator::Update>, AppError> {
    updates
        .into_iter()
        .map(|u| {
            let pub_key = PublicKey::from_raw_ed25519(&u.ed25519_pubkey).ok_or_else(|| {
                AppError::sdk(
                    rampart_core::SdkCode::InvalidPubKey,
                    "invalid ed25519 consensus key",
                )
            })?;
            let power = vote::Power::try_from(u.power).map_err(|e| {
                AppError::sdk(
                    rampart_core::SdkCode::Logic,
                    format!("validator power: {e}"),
                )
            })?;
            Ok(validator::Update { pub_key, power })
        })
        .collect()
}

/// A CometBFT hash as 32 bytes: a SHA-256 hash as is, `Hash::None` (or any other length) as
/// zeros.
pub fn hash32(hash: &tendermint::Hash) -> [u8; 32] {
    match hash {
        tendermint::Hash::Sha256(bytes) => *bytes,
        tendermint::Hash::None => [0; 32],
    }
}

/// A height as ABCI reports it (0 if it does not fit). Beware `block::Height::default()`,
/// which is 1, not 0.
pub fn height(value: u64) -> tendermint::block::Height {
    tendermint::block::Height::try_from(value)
        .unwrap_or_else(|_| tendermint::block::Height::from(0_u32))
}

/// An app hash as ABCI reports it.
pub fn app_hash(hash: [u8; 32]) -> tendermint::AppHash {
    // 32 bytes always form a valid AppHash (any length is accepted).
    tendermint::AppHash::try_from(hash.to_vec()).unwrap_or_default()
}
