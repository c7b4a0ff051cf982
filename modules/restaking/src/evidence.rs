//! Consumer double-vote evidence (`MsgSubmitConsumerDoubleVote`): two `tendermint.types.Vote`s
//! at the same height, round and type for different blocks, both signed — over CometBFT's
//! canonical vote sign bytes with the **consumer's** chain id, verified with ed25519-consensus
//! (ZIP-215) — by a key that maps to a provider validator on that consumer (its current key, or
//! a replaced key still attributable). Valid evidence within the consumer's window:
//!
//! 1. slashes the validator's stake counted for that consumer (the stake in the set, or larger
//!    stake counted before — the validator left or its stake shrank — within the consumer's
//!    unbonding period) through staking's [`rampart_staking::slash()`];
//! 2. takes the validator out of the consumer's set (jailed there for `jail_duration`, for good
//!    if `tombstone`), a slash ack for the consumer's next packet;
//! 3. records the infraction so the same evidence is never punished twice.
//!
//! # Judged against the consumer it names
//!
//! Votes carry no chain id of their own: it is inside what they sign. Evidence is judged against
//! the consumer id it names and nothing else — that consumer's phase, its chain id for the sign
//! bytes, its keys, its parameters and its evidence records — so votes signed for chain id `X`
//! submitted under consumer `N` are refused (`restaking/11`) unless `N`'s chain id is `X`. And
//! since the registry never gives a chain id to a second consumer (a deleted consumer's stays
//! reserved, `consumer/18`), a signature valid for `N`'s chain id was made on `N`'s chain: two
//! honest votes on two chains that happened to share a chain id can never pass for a double vote.
//!
//! # The slash, and why it is bounded
//!
//! Restaking decides and staking keeps the books. For stake counted at provider height `H` with
//! whole provider power `P` (bonded tokens / 10^6) and pledge `b` (basis points), and the
//! consumer's double-sign fraction `f`, restaking calls
//! `slash(Infraction { height: H + 1, power: P, fraction: f × b / 10,000 })`. Staking burns
//! `P × 10^6 × f × b / 10,000` in total — and since `P × 10^6 × b / 10,000` is an integer at most
//! `bonded × b / 10,000`, that is at most `f × pledged tokens`: **an infraction on C never costs
//! more than C's fraction of the pledge to C**, and a validator's worst case over all its
//! consumers is bounded by [`crate::exposure`].
//!
//! Scaling the fraction by the pledge (rather than passing the pledged power with the unscaled
//! fraction) matters for the unbonding and redelegation entries staking also cuts: each entry
//! created after `H` loses `f × b` of its balance — the pledged share of that stake — instead of
//! `f` of all of it, which could exceed the pledge bound whenever the validator's delegators
//! unbond more than the pledged share. (As in the Cosmos SDK, entries of stake that arrived
//! after `H` and left again are cut too.) Stake is counted at the end of block `H`, after its
//! transactions, so entries created in block `H` are not part of it: the infraction height is
//! `H + 1`.

use rampart_consumer::{ConsumerRead, ConsumerWrite, Phase};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{add_seconds, block_time, timestamp};
use rampart_core::{BlockTime, Decimal, Event, Events, MsgContext, StateWrite};
use rampart_proto::rampart::restaking::v1 as pb;
use rampart_staking::{Infraction, StakingPorts};

use crate::consumer_keys;
use crate::errors::{err, RestakingCode};
use crate::keys;
use crate::pledge::{self, JailRecord};

fn invalid(why: impl Into<String>) -> AppError {
    err(RestakingCode::InvalidEvidence, why.into())
}

/// One vote, checked and converted.
struct CheckedVote {
    vote: tendermint::vote::Vote,
    time: BlockTime,
    signature: Vec<u8>,
}

fn check_vote(raw: Option<&tendermint_proto::types::Vote>, name: &str) -> AppResult<CheckedVote> {
    let raw = raw.ok_or_else(|| invalid(format!("{name} is missing")))?;
    let time = block_time(
        raw.timestamp
            .as_ref()
            .ok_or_else(|| invalid(format!("{name} has no timestamp")))?,
    )
    .map_err(|e| invalid(format!("{name}: {}", e.log)))?;
    let vote = tendermint::vote::Vote::try_from(raw.clone())
        .map_err(|e| invalid(format!("{name} is not a valid vote: {e}")))?;
    let signature = vote
        .signature
        .as_ref()
        .map(|s| s.as_bytes().to_vec())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid(format!("{name} is not signed")))?;
    Ok(CheckedVote {
        vote,
        time,
        signature,
    })
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

/// Handles `MsgSubmitConsumerDoubleVote` (see the module documentation).
pub fn submit(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &MsgContext<'_>,
    m: &pb::MsgSubmitConsumerDoubleVote,
    events: &mut Events,
) -> AppResult<pb::MsgSubmitConsumerDoubleVoteResponse> {
    let now = ctx.block.time;
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
    let address: [u8; 20] = a
        .vote
        .validator_address
        .as_bytes()
        .try_into()
        .map_err(|_| invalid("validator address must be 20 bytes"))?;
    let record = consumer_keys::by_address(state, id, &address)?
        .filter(|r| r.attributable(now))
        .ok_or_else(|| {
            err(
                RestakingCode::UnknownConsumerKey,
                format!(
                    "{} is no validator's consumer key on consumer {id}",
                    ctx.block.profile.to_valcons(&address)
                ),
            )
        })?;
    let chain_id = tendermint::chain::Id::try_from(consumer.chain_id.clone())
        .map_err(|e| AppError::sdk(SdkCode::Logic, format!("stored chain id: {e}")))?;
    verify(&record.pubkey, &chain_id, &a, "vote_a")?;
    verify(&record.pubkey, &chain_id, &b, "vote_b")?;
    let latest = a.time.max(b.time);
    if add_seconds(latest, consumer.params.unbonding_period_seconds)? <= now {
        return Err(err(
            RestakingCode::EvidenceExpired,
            format!(
                "votes from {} are older than consumer {id}'s unbonding period",
                rampart_core::wire::rfc3339(latest)
            ),
        ));
    }
    let op = record.operator;
    let validator = ctx.block.profile.to_valoper(&op);
    let height = a.vote.height.value();
    let round = a.vote.round.value();
    let vote_type = m.vote_a.as_ref().map_or(0, |v| v.r#type);
    let evidence_key = keys::evidence(
        id,
        &op,
        height,
        round,
        u8::try_from(vote_type).unwrap_or(u8::MAX),
    );
    if state.get(&evidence_key).is_some() {
        return Err(err(
            RestakingCode::DuplicateEvidence,
            format!("validator {validator}'s double vote at consumer height {height} round {round} was already punished"),
        ));
    }
    if pledge::tombstoned(state, id, &op)? {
        return Err(err(
            RestakingCode::ValidatorTombstoned,
            format!("validator {validator} is tombstoned on consumer {id}"),
        ));
    }
    let mut pledge = pledge::load(state, id, &op)?.ok_or_else(|| not_slashable(&validator, id))?;
    let stake = pledge
        .slashable(now)
        .ok_or_else(|| not_slashable(&validator, id))?;
    let double_sign = consumer.params.double_sign;
    let fraction = double_sign
        .slash_fraction
        .checked_mul(Decimal::from_bps(stake.pledge_bps))?;
    let outcome = rampart_staking::slash(
        state,
        ports,
        &op,
        Infraction {
            height: stake.provider_height.saturating_add(1),
            power: stake.validator_power,
            fraction,
        },
        now,
        events,
    )?;
    pledge.in_set = None;
    pledge.departed = None;
    pledge::save(state, &pledge);
    let previous = pledge::jail_record(state, id, &op)?.unwrap_or_default();
    let jailed_until = add_seconds(now, double_sign.jail_duration_seconds)?;
    pledge::set_jail(
        state,
        id,
        &op,
        &JailRecord {
            jailed_until: Some(timestamp(jailed_until)),
            tombstoned: previous.tombstoned || double_sign.tombstone,
        },
    );
    state.put(evidence_key, Vec::new());
    state.add_slash_ack(id, &address);
    let denom = rampart_staking::params::load(state)?.bond_denom;
    events.push(
        Event::new("consumer_slash")
            .attr("consumer_id", id.to_string())
            .attr("validator", validator.clone())
            .attr("consumer_address", ctx.block.profile.to_valcons(&address))
            .attr("infraction_height", height.to_string())
            .attr("provider_height", stake.provider_height.to_string())
            .attr("pledge_bps", stake.pledge_bps.to_string())
            .attr("slash_fraction", double_sign.slash_fraction.to_string())
            .attr("burned", format!("{}{denom}", outcome.burned))
            .attr("tombstoned", double_sign.tombstone.to_string()),
    );
    Ok(pb::MsgSubmitConsumerDoubleVoteResponse {
        validator,
        burned: outcome.burned.to_string(),
    })
}

fn not_slashable(validator: &str, id: u64) -> AppError {
    err(
        RestakingCode::NotSlashable,
        format!(
            "validator {validator} has no stake counted for consumer {id} within its evidence window"
        ),
    )
}
