//! `MsgUpdateProviderClient`: a provider header verified against a trusted one with
//! `tendermint-light-client-verifier` (`ProdVerifier`, trust threshold 1/3, the client's trusting
//! period and clock drift, the consumer's block time as "now"). Misbehaviour — a second, different
//! valid header at a stored height, or a valid header whose time is not after the nearest stored
//! one below it or not before the nearest above — freezes the client.

use std::time::Duration;

use rampart_core::context::BlockTime;
use rampart_core::error::AppResult;
use rampart_core::{Address, ChainProfile, Event, Events, StateWrite};
use rampart_proto::rampart::ccv::v1 as pb;
use tendermint::block::signed_header::SignedHeader;
use tendermint::block::Height;
use tendermint::validator::Set;
use tendermint_light_client_verifier::options::Options;
use tendermint_light_client_verifier::types::{
    TrustThreshold, TrustedBlockState, UntrustedBlockState,
};
use tendermint_light_client_verifier::{ProdVerifier, Verifier};

use rampart_auth::AuthRead;

use crate::client::{self, ConsensusState, ProviderClient};
use crate::errors::{err, CcvCode};
use crate::header::{our_time, tm_time, too_large, validator_set, verdict_error, MAX_VALIDATORS};

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

/// Verifies `msg` against the client at block time `now` and applies it: stores the new
/// consensus state, or freezes the client on misbehaviour, or leaves state unchanged for a header
/// already trusted. Every refusal is an error and writes nothing. Gas: auth's
/// `sig_verify_cost_ed25519` per commit signature, charged before the signatures are checked.
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
    let signatures = msg
        .signed_header
        .commit
        .signatures
        .iter()
        .filter(|s| !matches!(s, tendermint::block::CommitSig::BlockIdFlagAbsent))
        .count();
    let per_signature = state.auth_params()?.sig_verify_cost_ed25519;
    state.charge_gas(
        per_signature.saturating_mul(u64::try_from(signatures).unwrap_or(u64::MAX)),
        "update provider client: ed25519 commit signatures",
    )?;
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
    let previous = client::previous_consensus_state(state, msg.trusted_height.value(), height)?;
    let next = client::next_consensus_state(state, height)?;
    if !between(previous.as_ref(), time, next.as_ref())? {
        return Ok(freeze(
            state,
            client,
            &new_state,
            "non-monotonic time",
            events,
        ));
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

/// Whether `time` lies strictly after the stored header below and strictly before the one above
/// (a missing neighbour bounds nothing).
fn between(
    below: Option<&ConsensusState>,
    time: BlockTime,
    above: Option<&ConsensusState>,
) -> AppResult<bool> {
    let after_below = match below {
        Some(cs) => client::header_time(cs)? < time,
        None => true,
    };
    let before_above = match above {
        Some(cs) => time < client::header_time(cs)?,
        None => true,
    };
    Ok(after_below && before_above)
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
