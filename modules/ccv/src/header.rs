//! Stateless pieces of header verification, shared by the consumer's light client of the provider
//! and the provider's check of consumer headers (domain part: builds without `component`):
//! validator sets from their protobuf form (size-limited, `Set::try_from` only), time
//! conversions, and the mapping of the verifier's verdicts to `ccv` error codes.

use rampart_core::context::BlockTime;
use rampart_core::error::AppResult;
use tendermint::validator::Set;
use tendermint_light_client_verifier::errors::VerificationErrorDetail as Detail;
use tendermint_light_client_verifier::Verdict;

use crate::errors::{err, CcvCode};

/// The most validators (and commit signatures) a message may carry: CometBFT's `MaxVotesCount`.
pub const MAX_VALIDATORS: usize = 10_000;

/// A `MessageTooLarge` error naming `what` and its `n` entries.
pub fn too_large(what: &str, n: usize) -> rampart_core::AppError {
    err(
        CcvCode::MessageTooLarge,
        format!("{what}: {n} entries, at most {MAX_VALIDATORS}"),
    )
}

/// A validator set from its protobuf form with `Set::try_from` (never `Set::new`, which panics on
/// power overflow); `field` names it in errors.
pub fn validator_set(
    raw: Option<&tendermint_proto::types::ValidatorSet>,
    field: &str,
) -> AppResult<Set> {
    let raw = raw.ok_or_else(|| err(CcvCode::InvalidValidatorSet, format!("{field}: missing")))?;
    if raw.validators.len() > MAX_VALIDATORS {
        return Err(too_large(field, raw.validators.len()));
    }
    Set::try_from(raw.clone())
        .map_err(|e| err(CcvCode::InvalidValidatorSet, format!("{field}: {e}")))
}

/// A validator set of ed25519 keys and powers (genesis), validated like one from a relayer.
pub fn ed25519_set(validators: &[(Vec<u8>, u64)]) -> AppResult<Set> {
    use tendermint_proto::crypto::{public_key::Sum, PublicKey};
    let mut raw = tendermint_proto::types::ValidatorSet::default();
    for (key, power) in validators {
        let pk = tendermint::PublicKey::from_raw_ed25519(key).ok_or_else(|| {
            err(
                CcvCode::InvalidValidatorSet,
                "next_validators: invalid ed25519 key",
            )
        })?;
        let power = i64::try_from(*power).map_err(|_| {
            err(
                CcvCode::InvalidValidatorSet,
                "next_validators: power overflows",
            )
        })?;
        raw.validators.push(tendermint_proto::types::Validator {
            address: tendermint::account::Id::from(pk).as_bytes().to_vec(),
            pub_key: Some(PublicKey {
                sum: Some(Sum::Ed25519(key.clone())),
            }),
            voting_power: power,
            proposer_priority: 0,
        });
    }
    validator_set(Some(&raw), "next_validators")
}

/// A block time as a tendermint time.
pub fn tm_time(time: BlockTime) -> AppResult<tendermint::Time> {
    tendermint::Time::from_unix_timestamp(time.seconds, time.nanos)
        .map_err(|e| err(CcvCode::InvalidHeader, format!("time out of range: {e}")))
}

/// A tendermint time as a block time.
pub fn our_time(time: tendermint::Time) -> AppResult<BlockTime> {
    let nanos = time.unix_timestamp_nanos();
    let seconds = i64::try_from(nanos.div_euclid(1_000_000_000))
        .map_err(|_| err(CcvCode::InvalidHeader, "header time out of range"))?;
    // rem_euclid of a positive modulus is in 0..10^9, which fits u32.
    let nanos = u32::try_from(nanos.rem_euclid(1_000_000_000)).unwrap_or(0);
    Ok(BlockTime { seconds, nanos })
}

/// The error of a verifier verdict; `None` for success.
pub fn verdict_error(verdict: Verdict) -> Option<rampart_core::AppError> {
    match verdict {
        Verdict::Success => None,
        Verdict::NotEnoughTrust(tally) => Some(err(
            CcvCode::InsufficientTrust,
            format!("not enough trust, bisect: {tally}"),
        )),
        Verdict::Invalid(detail) => {
            let code = match &detail {
                Detail::HeaderFromTheFuture(_) => CcvCode::HeaderFromFuture,
                Detail::NotEnoughTrust(_) | Detail::InsufficientSignersOverlap(_) => {
                    CcvCode::InsufficientTrust
                }
                Detail::InvalidSignature(_) | Detail::FaultySigner(_) => CcvCode::InvalidSignature,
                Detail::ChainIdMismatch(_) => CcvCode::ChainIdMismatch,
                Detail::NotWithinTrustPeriod(_) => CcvCode::ClientExpired,
                Detail::InvalidValidatorSet(_) => CcvCode::InvalidValidatorSet,
                _ => CcvCode::InvalidHeader,
            };
            Some(err(code, format!("header verification failed: {detail}")))
        }
    }
}
