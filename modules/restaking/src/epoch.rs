//! The end-block work of restaking: launching consumers whose spawn time has come, and every
//! `blocks_per_epoch` blocks recomputing each launched consumer's set, recording it (and a
//! packet when it changed) in the consumer registry, moving pledges' slashable stake, finishing
//! opt-outs and forgetting what is no longer slashable.

use rampart_consumer::{Consumer, ConsumerRead, ConsumerValidator, ConsumerWrite, Phase};
use rampart_core::error::AppResult;
use rampart_core::wire::add_seconds;
use rampart_core::{Amount, BlockContext, Event, Events, StateWrite};
use rampart_proto::rampart::consumer::v1 as consumer_pb;
use rampart_staking::StakingRead;

use crate::consumer_keys;
use crate::params::RestakingParams;
use crate::pledge::{self, Stake, Status};
use crate::power;

/// Runs the launches due at `ctx` and the epochs due at its height, reading only the due
/// entries of the consumer registry's spawn and epoch queues: a block in which nothing is due
/// touches no consumer. Each launched consumer due in the epoch queue (a launch or a changed
/// `blocks_per_epoch` queues it at 0) runs its epoch when the height is a multiple of its epoch
/// length (its own `blocks_per_epoch`, or the provider's) other than its launch height, and is
/// queued again at its next such multiple while it stays launched.
pub fn end_block(
    state: &mut dyn StateWrite,
    params: &RestakingParams,
    ctx: &BlockContext,
    events: &mut Events,
) -> AppResult<()> {
    for id in state.consumer_spawns_due(ctx.time) {
        // Launched, or its spawn time cleared: either way it leaves the spawn queue.
        let consumer = state.must_consumer(id)?;
        try_launch(state, &consumer, ctx, events)?;
    }
    for id in state.consumer_epochs_due(ctx.height) {
        let consumer = state.must_consumer(id)?;
        if consumer.phase != Phase::Launched {
            // Never queued (a stop takes a consumer out of the queue; the invariants check it).
            continue;
        }
        // A consumer's own epoch length, or the provider's (0).
        let length = match consumer.params.blocks_per_epoch {
            0 => params.blocks_per_epoch,
            n => n,
        }
        .max(1);
        if ctx.height.is_multiple_of(length) && consumer.launch_height != ctx.height {
            epoch(state, &consumer, ctx, events)?;
        }
        // An epoch may stop the consumer (empty set), which takes it out of the queue.
        if state.must_consumer(id)?.phase == Phase::Launched {
            let next = (ctx.height / length)
                .checked_add(1)
                .and_then(|n| n.checked_mul(length))
                .unwrap_or(u64::MAX);
            state.schedule_consumer_epoch(id, next);
        }
    }
    Ok(())
}

/// The CometBFT validator-set hash of `(ed25519 key, power)` pairs (empty when the set cannot
/// be a CometBFT set).
pub fn validator_set_hash(set: impl IntoIterator<Item = ([u8; 32], u64)>) -> Vec<u8> {
    use tendermint::validator::{Info, Set};
    let mut infos = Vec::new();
    let mut total: u64 = 0;
    for (key, power) in set {
        let Some(pubkey) = tendermint::PublicKey::from_raw_ed25519(&key) else {
            return Vec::new();
        };
        let Ok(vp) = tendermint::vote::Power::try_from(power) else {
            return Vec::new();
        };
        total = total.saturating_add(power);
        infos.push(Info::new(pubkey, vp));
    }
    if total > Set::MAX_TOTAL_VOTING_POWER {
        return Vec::new();
    }
    Set::without_proposer(infos).hash().as_bytes().to_vec()
}

/// The provider validator set that signs height `ctx.height + 1`, as `(ed25519 key, power)` in
/// CometBFT's order, when it can be known exactly; empty otherwise.
///
/// The off-by-one, in CometBFT terms: validator updates returned by FinalizeBlock at height h
/// take effect at h + 2, and header h's `next_validators_hash` is the hash of the set that signs
/// h + 1. So the set that signs H + 1 is the set after the updates staking returned at the end of
/// H − 1 — staking's last powers as they were when block H *began*. By the time restaking's end
/// block runs at H, staking's end block (earlier in hook order) has already applied H's updates
/// (which sign H + 2), so the live `active_set()` is one step ahead. Staking's historical entry
/// for H is written in its begin block at H, from those last powers: that is the set, as IBC's
/// `GetHistoricalInfo(H).Valset` is for `NextValidatorsHash` of header H. It is returned only if
/// it hashes to the header's `next_validators_hash` that CometBFT sent (when it sent one).
fn provider_next_set(
    state: &dyn StateWrite,
    ctx: &BlockContext,
) -> AppResult<Vec<([u8; 32], u64)>> {
    let Some(info) = rampart_staking::historical::load(state, ctx.height)? else {
        return Ok(Vec::new());
    };
    let mut set = Vec::with_capacity(info.valset.len());
    for v in &info.valset {
        let v = rampart_staking::Validator::from_proto(v)?;
        set.push((v.pubkey, v.power()?));
    }
    let hash = validator_set_hash(set.iter().copied());
    if hash.is_empty() || (ctx.next_validators_hash != [0; 32] && hash != ctx.next_validators_hash)
    {
        return Ok(Vec::new());
    }
    Ok(set)
}

fn stake_of(v: &ConsumerValidator) -> Stake {
    Stake {
        validator_power: v.validator_power,
        pledge_bps: v.pledge_bps,
        pledged_tokens: v.pledged_tokens,
        consumer_power: v.power,
        provider_height: v.provider_height,
        slashable_until: None,
    }
}

/// Launches `consumer` if the validators that qualify now meet its thresholds; otherwise records
/// the failure (the consumer stays registered, its spawn time is cleared).
pub fn try_launch(
    state: &mut dyn StateWrite,
    consumer: &Consumer,
    ctx: &BlockContext,
    events: &mut Events,
) -> AppResult<()> {
    let set = power::select(state, consumer, ctx.height, ctx.time)?;
    let total = set
        .iter()
        .try_fold(Amount::ZERO, |acc, v| acc.checked_add(v.pledged_tokens))?;
    let params = &consumer.params;
    if (set.len() as u64) < u64::from(params.min_validators) {
        let reason = format!(
            "min_validators: {} validators qualify, {} required",
            set.len(),
            params.min_validators
        );
        return state.fail_launch(consumer.id, &reason, events);
    }
    if total < params.min_total_pledge {
        let reason = format!(
            "min_total_pledge: {total} tokens pledged, {} required",
            params.min_total_pledge
        );
        return state.fail_launch(consumer.id, &reason, events);
    }
    let mut initial: Vec<consumer_pb::ValidatorUpdate> = set
        .iter()
        .map(|v| consumer_pb::ValidatorUpdate {
            consumer_pubkey: v.consumer_pubkey.to_vec(),
            power: v.power,
            provider_operator: ctx.profile.to_valoper(&v.operator),
        })
        .collect();
    initial.sort_by(|a, b| a.consumer_pubkey.cmp(&b.consumer_pubkey));
    let mut provider_set = Vec::new();
    for (op, power) in state.active_set() {
        if let Some(v) = state.validator(&op)? {
            provider_set.push((v.pubkey, power));
        }
    }
    let next_set = provider_next_set(state, ctx)?;
    let genesis = consumer_pb::ConsumerGenesis {
        consumer_id: consumer.id,
        chain_id: consumer.chain_id.clone(),
        params: Some(state.consumer_params_with_lists(consumer)?),
        initial_validator_set_hash: validator_set_hash(
            set.iter().map(|v| (v.consumer_pubkey, v.power)),
        ),
        initial_validators: initial,
        provider_chain_id: ctx.chain_id.clone(),
        provider_height: ctx.height,
        provider_time: Some(rampart_core::wire::timestamp(ctx.time)),
        provider_validator_set_hash: validator_set_hash(provider_set),
        provider_block_hash: ctx.hash.to_vec(),
        provider_next_validators_hash: ctx.next_validators_hash.to_vec(),
        provider_next_validators: next_set
            .into_iter()
            .map(|(key, power)| consumer_pb::ProviderValidator {
                pub_key: key.to_vec(),
                power,
            })
            .collect(),
        trusting_period_seconds: params.trusting_period_seconds(),
        max_clock_drift_seconds: params.max_clock_drift_seconds,
    };
    state.launch_consumer(consumer.id, &genesis, &set, ctx.height, ctx.time, events)?;
    for v in &set {
        if let Some(mut p) = pledge::load(state, consumer.id, &v.operator)? {
            p.in_set = Some(stake_of(v));
            pledge::save(state, &p);
        }
    }
    Ok(())
}

/// One epoch of a launched consumer: the new set is computed and recorded; validators that
/// left, or whose counted stake shrank, keep the stake counted before slashable for the
/// consumer's unbonding period (`departed`); opt-outs
/// become exits; exits with nothing slashable left are removed with their keys
/// (`pledge_removed`); replaced keys past their window are forgotten.
pub fn epoch(
    state: &mut dyn StateWrite,
    consumer: &Consumer,
    ctx: &BlockContext,
    events: &mut Events,
) -> AppResult<()> {
    let id = consumer.id;
    let set = power::select(state, consumer, ctx.height, ctx.time)?;
    let until = add_seconds(ctx.time, consumer.params.unbonding_period_seconds)?;
    for mut p in pledge::of_consumer(state, id)? {
        let before = p.clone();
        if p.departed.is_some() && p.live_departed(Some(ctx.time)).is_none() {
            p.departed = None;
        }
        let counted = set.iter().find(|v| v.operator == p.validator).map(stake_of);
        // Stake the consumer counted before stays slashable for its unbonding period when the
        // validator leaves the set, and also when its counted stake shrinks (fewer tokens, a
        // lower pledge): an infraction committed with the larger stake is punished as such.
        if let Some(old) = p.in_set.take() {
            let shrank = counted.is_none_or(|new| {
                new.pledged_tokens < old.pledged_tokens || new.validator_power < old.validator_power
            });
            if shrank {
                let left = Stake {
                    slashable_until: Some(until),
                    ..old
                };
                p.departed = Some(match p.departed {
                    Some(older) => older.merge(left),
                    None => left,
                });
            }
        }
        p.in_set = counted;
        if p.status == Status::OptingOut {
            p.status = Status::Exiting;
        }
        if p.status == Status::Exiting && p.in_set.is_none() && p.departed.is_none() {
            pledge::remove(state, id, &p.validator);
            consumer_keys::remove_validator(state, id, &p.validator)?;
            events.push(
                Event::new("pledge_removed")
                    .attr("consumer_id", id.to_string())
                    .attr("validator", ctx.profile.to_valoper(&p.validator)),
            );
        } else if p != before {
            pledge::save(state, &p);
        }
    }
    state.record_validator_set(id, &set, ctx.height, ctx.time, events)?;
    consumer_keys::prune(state, id, ctx.time)
}
