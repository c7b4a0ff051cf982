//! `MsgUpdateProviderClient`: a provider header verified against a trusted one with
//! `tendermint-light-client-verifier` (`ProdVerifier`, trust threshold 1/3, the client's trusting
//! period and clock drift, the consumer's block time as "now"). Misbehaviour — a second, different
//! valid header at a stored height, or a valid header whose time is not before the next stored
//! one — freezes the client.

use std::time::Duration;

use rampart_core::context::BlockTime;
use rampart_core::error::AppResult;
use rampart_core::{Address, ChainProfile, Event, Events, StateWrite};
use rampart_proto::rampart::ccv::v1 as pb;
use tendermint::block::signed_header::SignedHeader;
use tendermint::block::Height;
use tendermint::validator::Set;
use tendermint_light_client_verifier::errors::VerificationErrorDetail as Detail;
use tendermint_light_client_verifier::options::Options;
use tendermint_light_client_verifier::types::{
    TrustThreshold, TrustedBlockState, UntrustedBlockState,
};
use tendermint_light_client_verifier::{ProdVerifier, Verdict, Verifier};

use crate::client::{self, ConsensusState, ProviderClient};
use crate::errors::{err, CcvCode};

/// The most validators (and commit signatures) a message may carry: CometBFT's `MaxVotesCount`.
pub const MAX_VALIDATORS: usize = 10_000;

/// A decoded, statelessly checked `MsgUpdateProviderClient`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateProviderClient {
    /// The submitter; signs.
    pub signer: Address,
    /// The new provider header and its commit.
    pub signed_header: SignedHeader,
    /// The set that signed it.
    pub validator_set: Set,
    /// A height the client trusts.
    pub trusted_height: Height,
    /// The set that signs `trusted_height + 1`.
    pub trusted_next_validator_set: Set,
}

/// What an accepted update did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// A new consensus state was stored at this height.
    Updated(u64),
    /// The same header was already trusted: nothing changed (racing relayers are harmless).
    Unchanged(u64),
    /// The header proved misbehaviour at this height: the client is frozen.
    Frozen(u64),
}

fn too_large(what: &str, n: usize) -> rampart_core::AppError {
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

impl UpdateProviderClient {
    /// Decodes and checks the message: the signer with `profile`, the header and both sets.
    pub fn from_proto(m: &pb::MsgUpdateProviderClient, profile: &ChainProfile) -> AppResult<Self> {
        let signer = profile.account(&m.signer, "signer")?;
        let raw = m
            .signed_header
            .as_ref()
            .ok_or_else(|| err(CcvCode::InvalidHeader, "signed_header: missing"))?;
        let signatures = raw.commit.as_ref().map_or(0, |c| c.signatures.len());
        if signatures > MAX_VALIDATORS {
            return Err(too_large("signed_header.commit.signatures", signatures));
        }
        let signed_header = SignedHeader::try_from(raw.clone())
            .map_err(|e| err(CcvCode::InvalidHeader, format!("signed_header: {e}")))?;
        let trusted_height = Height::try_from(m.trusted_height)
            .ok()
            .filter(|h| h.value() > 0)
            .ok_or_else(|| err(CcvCode::InvalidHeader, "trusted_height: must be positive"))?;
        Ok(Self {
            signer,
            signed_header,
            validator_set: validator_set(m.validator_set.as_ref(), "validator_set")?,
            trusted_height,
            trusted_next_validator_set: validator_set(
                m.trusted_next_validator_set.as_ref(),
                "trusted_next_validator_set",
            )?,
        })
    }
}

fn tm_time(time: BlockTime) -> AppResult<tendermint::Time> {
    tendermint::Time::from_unix_timestamp(time.seconds, time.nanos)
        .map_err(|e| err(CcvCode::InvalidHeader, format!("time out of range: {e}")))
}

fn our_time(time: tendermint::Time) -> AppResult<BlockTime> {
    let nanos = time.unix_timestamp_nanos();
    let seconds = i64::try_from(nanos.div_euclid(1_000_000_000))
        .map_err(|_| err(CcvCode::InvalidHeader, "header time out of range"))?;
    // rem_euclid of a positive modulus is in 0..10^9, which fits u32.
    let nanos = u32::try_from(nanos.rem_euclid(1_000_000_000)).unwrap_or(0);
    Ok(BlockTime { seconds, nanos })
}

fn expired_error(
    client: &ProviderClient,
    cs: &ConsensusState,
    what: &str,
) -> AppResult<rampart_core::AppError> {
    Ok(err(
        CcvCode::ClientExpired,
        format!(
            "provider client expired: the {what} trusted header (height {}) expired at {}; \
             it cannot be updated trustlessly any more (recovery is an operator action)",
            cs.height,
            rampart_core::wire::rfc3339(client::expiry(client, cs)?)
        ),
    ))
}

fn verdict_error(verdict: Verdict) -> Option<rampart_core::AppError> {
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

/// Verifies `msg` against the client at block time `now` and applies it: stores the new
/// consensus state, or freezes the client on misbehaviour, or leaves state unchanged for a header
/// already trusted. Every refusal is an error and writes nothing.
pub fn update_client(
    state: &mut dyn StateWrite,
    now: BlockTime,
    msg: &UpdateProviderClient,
    events: &mut Events,
) -> AppResult<UpdateOutcome> {
    let mut client = client::client(state)?;
    if client.frozen_height != 0 {
        return Err(err(
            CcvCode::ClientFrozen,
            format!(
                "provider client frozen by misbehaviour at height {}",
                client.frozen_height
            ),
        ));
    }
    let header = &msg.signed_header.header;
    if header.chain_id.as_str() != client.chain_id {
        return Err(err(
            CcvCode::ChainIdMismatch,
            format!(
                "header chain id {} is not the provider's {}",
                header.chain_id, client.chain_id
            ),
        ));
    }
    let latest = client::require_consensus_state(state, client.latest_height)?;
    if client::is_expired(&client, &latest, now)? {
        return Err(expired_error(&client, &latest, "latest")?);
    }
    let trusted = client::require_consensus_state(state, msg.trusted_height.value())?;
    if client::is_expired(&client, &trusted, now)? {
        return Err(expired_error(&client, &trusted, "requested")?);
    }
    let trusted_next = &msg.trusted_next_validator_set;
    if trusted_next.hash().as_bytes() != trusted.next_validators_hash.as_slice() {
        return Err(err(
            CcvCode::TrustedValidatorsMismatch,
            format!(
                "trusted_next_validator_set hash {} is not the trusted next_validators_hash {} at \
                 height {}",
                trusted_next.hash(),
                hex::encode_upper(&trusted.next_validators_hash),
                trusted.height
            ),
        ));
    }
    let chain_id = header.chain_id.clone();
    let trusted_state = TrustedBlockState {
        chain_id: &chain_id,
        header_time: tm_time(client::header_time(&trusted)?)?,
        height: msg.trusted_height,
        next_validators: trusted_next,
        next_validators_hash: trusted_next.hash(),
    };
    let untrusted = UntrustedBlockState {
        signed_header: &msg.signed_header,
        validators: &msg.validator_set,
        next_validators: None,
    };
    let options = Options {
        trust_threshold: TrustThreshold::ONE_THIRD,
        trusting_period: Duration::from_secs(client.trusting_period_seconds),
        clock_drift: Duration::from_secs(client.max_clock_drift_seconds),
    };
    let verdict = ProdVerifier::default().verify_update_header(
        untrusted,
        trusted_state,
        &options,
        tm_time(now)?,
    );
    if let Some(e) = verdict_error(verdict) {
        return Err(e);
    }

    let height = header.height.value();
    let time = our_time(header.time)?;
    let new_state = client::new_consensus_state(
        height,
        time,
        header.app_hash.as_bytes().to_vec(),
        header.next_validators_hash.as_bytes().to_vec(),
        header.hash().as_bytes().to_vec(),
    );
    if let Some(existing) = client::consensus_state(state, height)? {
        if existing.header_hash == new_state.header_hash {
            return Ok(UpdateOutcome::Unchanged(height));
        }
        return Ok(freeze(
            state,
            client,
            &new_state,
            "conflicting header",
            events,
        ));
    }
    if let Some(next) = client::next_consensus_state(state, height)? {
        if client::header_time(&next)? <= time {
            return Ok(freeze(
                state,
                client,
                &new_state,
                "non-monotonic time",
                events,
            ));
        }
    }
    client::store_consensus_state(state, &client, &new_state)?;
    if height > client.latest_height {
        client.latest_height = height;
        client::save_client(state, &client);
    }
    events.push(
        Event::new("provider_client_updated")
            .attr("height", height.to_string())
            .attr("trusted_height", msg.trusted_height.to_string())
            .attr("header_hash", hex::encode_upper(&new_state.header_hash)),
    );
    Ok(UpdateOutcome::Updated(height))
}

/// Freezes the client at the height of `evidence` and emits `provider_client_frozen`.
fn freeze(
    state: &mut dyn StateWrite,
    mut client: ProviderClient,
    evidence: &ConsensusState,
    reason: &str,
    events: &mut Events,
) -> UpdateOutcome {
    client.frozen_height = evidence.height;
    client::save_client(state, &client);
    events.push(
        Event::new("provider_client_frozen")
            .attr("height", evidence.height.to_string())
            .attr("reason", reason)
            .attr("header_hash", hex::encode_upper(&evidence.header_hash)),
    );
    UpdateOutcome::Frozen(evidence.height)
}
