//! Consumer double-vote evidence (`MsgSubmitConsumerDoubleVote`): two `tendermint.types.Vote`s
//! at the same consumer height, round and type for different blocks, both signed — over
//! CometBFT's canonical vote sign bytes with the **consumer's** chain id, verified with
//! ed25519-consensus (ZIP-215) — and the consumer header at that height with the set that signed
//! it.
//!
//! # Placed by verified data, never by the votes' timestamps
//!
//! The votes' timestamps are the offender's own word, so nothing is judged by them. The header
//! at the infraction height `h` is verified as every consumer header is
//! ([`rampart_consumer::sets::verify_consumer_header`]: the consumer's chain id, not ahead of the
//! provider's clock by more than the drift, signed by more than 2/3 of a set the provider sent
//! and still accepts, every signature checked). Its time is the verified time of `h`, and its
//! `validators_hash` names the set in force at `h` — the set after vsc id `k`, whose members the
//! provider recorded with the stake counted for them at provider height `H_k`
//! ([`rampart_consumer::sets::member`]). So:
//!
//! - the offender must be a member of that set (`restaking/12`): its key and counted stake come
//!   from the record, not from keys registered later;
//! - evidence whose verified time is before the consumer's launch or after its stop is refused
//!   (`restaking/19`), and so is evidence whose verified time is older than the consumer's
//!   unbonding period (`restaking/13`), whatever the votes claim;
//! - each set's counted stake pays once per validator: a second double vote charged against the
//!   same set is `restaking/14`, like the same evidence twice.
//!
//! When several consecutive packets left the set unchanged (same hash), `k` is the earliest of
//! them still accepted: its stake was counted first, and everything that left after `H_k` left
//! after being counted. A set sent again later (A, B, A) is another sending, with its own
//! counted stake: the header is charged to the latest sending at or before its verified time
//! ([`rampart_consumer::sets::accepted_set`]).
//!
//! # Judged against the consumer it names
//!
//! Votes carry no chain id of their own: it is inside what they sign. Evidence is judged against
//! the consumer id it names and nothing else — that consumer's phase, its chain id for the header
//! and the sign bytes, its recorded sets, its parameters and its evidence records. Since the
//! registry never gives a chain id to a second consumer (a deleted consumer's stays reserved,
//! `consumer/18`), a signature valid for `N`'s chain id was made on `N`'s chain: two honest votes
//! on two chains that happened to share a chain id can never pass for a double vote.
//!
//! # The slash, and why it is bounded
//!
//! Restaking decides and staking keeps the books. For the member's stake counted at provider
//! height `H_k` with provider power `P` backing the consumer (bonded tokens / 10^6, less the
//! delegations whose delegators chose not to back it, [`crate::choice`]) and pledge `b` (basis
//! points), and the consumer's double-sign fraction `f`, restaking calls
//! `slash(Infraction { height: H_k + 1, power: P, fraction: f × b / 10,000 })`. Staking burns
//! `P × 10^6 × f × b / 10,000` in total — cutting unbonding and redelegation entries created
//! after `H_k` first, their total capped at that amount, then the validator's bonded tokens — and
//! since `P × 10^6 × b / 10,000` is an integer at most `bonded × b / 10,000`, that is at most
//! `f × pledged tokens`: **an infraction on C never costs more than C's fraction of the pledge to
//! C**, and a validator's worst case over all its consumers is bounded by [`crate::exposure`].
//! Entries created at or before `H_k` — stake that left before it was counted for the set — are
//! never touched: the infraction height is `H_k + 1` because stake is counted at the end of block
//! `H_k`, after its transactions.
//!
//! Scaling the fraction by the pledge (rather than passing the pledged power with the unscaled
//! fraction) matters for the entries: each loses `f × b` of its balance — the pledged share of
//! that stake — instead of `f` of all of it.
//!
//! Valid evidence then takes the validator out of the consumer's set (jailed there for
//! `jail_duration`, for good if `tombstone`) and queues a slash ack for the consumer's next
//! packet.

use rampart_consumer::header::ConsumerHeader;
use rampart_consumer::sets::{self, CountedStake, ANY_SET};
use rampart_consumer::{Consumer, ConsumerRead, ConsumerValidator, ConsumerWrite, Phase};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{add_seconds, block_time, rfc3339, timestamp};
use rampart_core::{BlockTime, Decimal, Event, Events, MsgContext, StateRead, StateWrite};
use rampart_proto::rampart::restaking::v1 as pb;
use rampart_staking::{Infraction, SlashOutcome, StakingPorts, StakingRead};

use crate::choice;
use crate::errors::{err, RestakingCode};
use crate::keys;
use crate::pledge::{self, JailRecord};
use crate::removal;

fn invalid(why: impl Into<String>) -> AppError {
    err(RestakingCode::InvalidEvidence, why.into())
}

/// One vote, checked and converted.
struct CheckedVote {
    vote: tendermint::vote::Vote,
    signature: Vec<u8>,
}

fn check_vote(raw: Option<&tendermint_proto::types::Vote>, name: &str) -> AppResult<CheckedVote> {
    let raw = raw.ok_or_else(|| invalid(format!("{name} is missing")))?;
    let vote = tendermint::vote::Vote::try_from(raw.clone())
        .map_err(|e| invalid(format!("{name} is not a valid vote: {e}")))?;
    let signature = vote
        .signature
        .as_ref()
        .map(|s| s.as_bytes().to_vec())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid(format!("{name} is not signed")))?;
    Ok(CheckedVote { vote, signature })
}

fn verify(
    pubkey: &[u8; 32],
    chain_id: &tendermint::chain::Id,
    vote: &CheckedVote,
    name: &str,
) -> AppResult<()> {
    let bad = |why: String| err(RestakingCode::InvalidSignature, why);
    let key = ed25519_consensus::VerificationKey::try_from(*pubkey)
        .map_err(|e| bad(format!("consumer key is not a valid ed25519 key: {e}")))?;
    let signature: [u8; 64] = vote
        .signature
        .as_slice()
        .try_into()
        .map_err(|_| bad(format!("{name}: signature must be 64 bytes")))?;
    let sign_bytes = vote.vote.clone().into_signable_vec(chain_id.clone());
    key.verify(&ed25519_consensus::Signature::from(signature), &sign_bytes)
        .map_err(|_| {
            bad(format!(
                "{name}: signature does not verify for chain id {chain_id} and consumer key {}",
                hex::encode(pubkey)
            ))
        })
}

/// The two votes, checked to be an equivocation: same height, round, type and signer, different
/// block ids (`restaking/10` otherwise).
fn equivocation(m: &pb::MsgSubmitConsumerDoubleVote) -> AppResult<(CheckedVote, CheckedVote)> {
    let a = check_vote(m.vote_a.as_ref(), "vote_a")?;
    let b = check_vote(m.vote_b.as_ref(), "vote_b")?;
    if a.vote.height != b.vote.height {
        return Err(invalid(format!(
            "votes at different heights {} and {}",
            a.vote.height, b.vote.height
        )));
    }
    if a.vote.round != b.vote.round {
        return Err(invalid("votes in different rounds"));
    }
    if a.vote.vote_type != b.vote.vote_type {
        return Err(invalid("votes of different types"));
    }
    if a.vote.validator_address != b.vote.validator_address {
        return Err(invalid("votes by different validators"));
    }
    if a.vote.block_id == b.vote.block_id {
        return Err(invalid("votes for the same block id: no equivocation"));
    }
    Ok((a, b))
}

/// Where the infraction happened, from verified data only.
struct Placement {
    /// The verified consumer time of the infraction height.
    time: BlockTime,
    /// The vsc id of the set in force there.
    vsc_id: u64,
    /// The offender's record in that set: its key and the stake counted for it.
    member: ConsumerValidator,
}

/// Verifies `m`'s infraction header at `height` and places the infraction: within the
/// consumer's lifetime and unbonding period by the header's verified time, in the set that
/// signed it, against the offender's record there.
fn place(
    state: &dyn StateRead,
    consumer: &Consumer,
    m: &pb::MsgSubmitConsumerDoubleVote,
    height: u64,
    address: &[u8; 20],
    now: BlockTime,
    profile: &rampart_core::ChainProfile,
) -> AppResult<Placement> {
    let id = consumer.id;
    let header = ConsumerHeader::from_fields(
        (m.infraction_header.as_ref(), "infraction_header"),
        (
            m.infraction_validator_set.as_ref(),
            "infraction_validator_set",
        ),
    )?;
    if header.height() != height {
        return Err(invalid(format!(
            "the infraction header is at consumer height {}, the votes at {height}",
            header.height()
        )));
    }
    let verified = sets::verify_consumer_header(state, consumer, &header, now, ANY_SET)?;
    let time = verified.time;
    let outside = |when: &str| {
        err(
            RestakingCode::OutsideConsumerLifetime,
            format!(
                "consumer {id}'s height {height} is from {}, {when}",
                rfc3339(time)
            ),
        )
    };
    if consumer.launch_time.is_some_and(|launch| time < launch) {
        return Err(outside("before the consumer launched"));
    }
    if consumer.stop_time.is_some_and(|stop| time > stop) {
        return Err(outside("after the consumer stopped"));
    }
    if add_seconds(time, consumer.params.unbonding_period_seconds)? <= now {
        return Err(err(
            RestakingCode::EvidenceExpired,
            format!(
                "consumer {id}'s height {height} is from {}, older than its unbonding period",
                rfc3339(time)
            ),
        ));
    }
    let member = sets::member(state, id, verified.vsc_id_of_set, address)?.ok_or_else(|| {
        err(
            RestakingCode::UnknownConsumerKey,
            format!(
                "{} is not in consumer {id}'s set that signed height {height} (the set after vsc \
                 id {})",
                profile.to_valcons(address),
                verified.vsc_id_of_set
            ),
        )
    })?;
    Ok(Placement {
        time,
        vsc_id: verified.vsc_id_of_set,
        member,
    })
}

/// Whether `op`'s stake counted in consumer `id`'s set after `vsc_id` was already slashed for a
/// double vote (the records of one operator on one consumer: its punished infractions).
fn set_already_slashed(
    state: &dyn StateRead,
    id: u64,
    op: &rampart_core::Address,
    vsc_id: u64,
) -> bool {
    state
        .scan_prefix(&keys::evidence_of(id, op))
        .any(|(_, value)| value.as_slice() == vsc_id.to_be_bytes())
}

/// Slashes `stake` — a member's stake counted in a consumer set — by `fraction` of its pledge:
/// staking's slash at the member's provider height + 1 with the provider power that backed the
/// consumer and `fraction` × its pledge (see the module documentation for the bound), cutting
/// only delegations that back the consumer and stake that stopped backing it after the
/// infraction ([`crate::choice`]). `None` when nothing is
/// left to slash: the validator no longer exists on the provider, or was removed since the set
/// was sent (the validator with its address now is another one, [`crate::removal`]).
pub fn slash_counted(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    stake: &CountedStake,
    fraction: Decimal,
    now: BlockTime,
    events: &mut Events,
) -> AppResult<Option<SlashOutcome>> {
    let member = &stake.member;
    if state.validator(&member.operator)?.is_none()
        || removal::counted_stake_removed(state, stake.consumer_id, &member.operator, stake.vsc_id)
    {
        return Ok(None);
    }
    let infraction = Infraction {
        consumer: Some(stake.consumer_id),
        height: member.provider_height.saturating_add(1),
        power: member.validator_power,
        fraction: fraction.checked_mul(Decimal::from_bps(member.pledge_bps))?,
    };
    let moved = choice::moved(state, stake.consumer_id, &member.operator, now)?;
    rampart_staking::slash_with_moved(
        state,
        ports,
        &member.operator,
        infraction,
        &moved,
        now,
        events,
    )
    .map(Some)
}

/// Handles `MsgSubmitConsumerDoubleVote` (see the module documentation).
pub fn submit(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &MsgContext<'_>,
    m: &pb::MsgSubmitConsumerDoubleVote,
    events: &mut Events,
) -> AppResult<pb::MsgSubmitConsumerDoubleVoteResponse> {
    let now = ctx.block.time;
    let profile = &ctx.block.profile;
    let id = m.consumer_id;
    let consumer = state.must_consumer(id)?;
    if !matches!(consumer.phase, Phase::Launched | Phase::Stopped) {
        return Err(err(
            RestakingCode::ConsumerNotActive,
            format!(
                "consumer {id} is {}: no evidence is accepted",
                consumer.phase.name()
            ),
        ));
    }
    let (a, b) = equivocation(m)?;
    let address: [u8; 20] = a
        .vote
        .validator_address
        .as_bytes()
        .try_into()
        .map_err(|_| invalid("validator address must be 20 bytes"))?;
    let height = a.vote.height.value();
    let placed = place(state, &consumer, m, height, &address, now, profile)?;
    let member = placed.member;
    let chain_id = tendermint::chain::Id::try_from(consumer.chain_id.clone())
        .map_err(|e| AppError::sdk(SdkCode::Logic, format!("stored chain id: {e}")))?;
    verify(&member.consumer_pubkey, &chain_id, &a, "vote_a")?;
    verify(&member.consumer_pubkey, &chain_id, &b, "vote_b")?;
    let op = member.operator;
    let validator = profile.to_valoper(&op);
    let round = a.vote.round.value();
    let vote_type = m.vote_a.as_ref().map_or(0, |v| v.r#type);
    let evidence_key = keys::evidence(
        id,
        &op,
        height,
        round,
        u8::try_from(vote_type).unwrap_or(u8::MAX),
    );
    if state.get(&evidence_key).is_some() || set_already_slashed(state, id, &op, placed.vsc_id) {
        return Err(err(
            RestakingCode::DuplicateEvidence,
            format!(
                "validator {validator} was already punished for a double vote in consumer {id}'s \
                 set after vsc id {} (height {height} round {round})",
                placed.vsc_id
            ),
        ));
    }
    if pledge::tombstoned(state, id, &op)? {
        return Err(err(
            RestakingCode::ValidatorTombstoned,
            format!("validator {validator} is tombstoned on consumer {id}"),
        ));
    }
    let double_sign = consumer.params.double_sign;
    let counted = CountedStake {
        consumer_id: id,
        vsc_id: placed.vsc_id,
        member,
    };
    let outcome = slash_counted(
        state,
        ports,
        &counted,
        double_sign.slash_fraction,
        now,
        events,
    )?
    .ok_or_else(|| {
        err(
            RestakingCode::NotSlashable,
            format!(
                "validator {validator} no longer exists on the provider, or was removed \
                     since consumer {id}'s set after vsc id {} was sent: nothing counted there \
                     is left to slash",
                placed.vsc_id
            ),
        )
    })?;
    if let Some(mut pledge) = pledge::load(state, id, &op)? {
        pledge.in_set = None;
        pledge.departed = None;
        pledge::save(state, &pledge);
    }
    let previous = pledge::jail_record(state, id, &op)?.unwrap_or_default();
    // Never shortens a longer jail (a downtime's, or an earlier double vote's).
    let jailed_until = previous
        .jailed_until
        .as_ref()
        .map(block_time)
        .transpose()?
        .unwrap_or_default()
        .max(add_seconds(now, double_sign.jail_duration_seconds)?);
    pledge::set_jail(
        state,
        id,
        &op,
        &JailRecord {
            jailed_until: Some(timestamp(jailed_until)),
            tombstoned: previous.tombstoned || double_sign.tombstone,
        },
    );
    state.put(evidence_key, placed.vsc_id.to_be_bytes().to_vec());
    state.add_slash_ack(id, &address);
    let denom = rampart_staking::params::load(state)?.bond_denom;
    events.push(
        Event::new("consumer_slash")
            .attr("consumer_id", id.to_string())
            .attr("validator", validator.clone())
            .attr("consumer_address", profile.to_valcons(&address))
            .attr("infraction_height", height.to_string())
            .attr("infraction_time", rfc3339(placed.time))
            .attr("vsc_id", placed.vsc_id.to_string())
            .attr("provider_height", member.provider_height.to_string())
            .attr("pledge_bps", member.pledge_bps.to_string())
            .attr("slash_fraction", double_sign.slash_fraction.to_string())
            .attr("burned", format!("{}{denom}", outcome.burned))
            .attr("tombstoned", double_sign.tombstone.to_string()),
    );
    Ok(pb::MsgSubmitConsumerDoubleVoteResponse {
        validator,
        burned: outcome.burned.to_string(),
    })
}
