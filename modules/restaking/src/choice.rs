//! Delegators' consumer choices (`MsgSetDelegationConsumers`): which of its validator's
//! consumers a delegation backs.
//!
//! Staking keeps the books ([`rampart_staking::backing`]: a class per distinct choice, so that
//! a consumer's slash and rewards reach its backers only, O(classes) per validator); restaking
//! keeps the rules:
//!
//! - a choice names consumers the validator pledges to (any pledge status), each registered or
//!   launched; the delegator must hold a delegation to the validator;
//! - it takes effect at the end block of the provider's next epoch height (a multiple of
//!   `blocks_per_epoch`), before that block's consumer sets are computed; a newer choice
//!   replaces a pending one. Due choices are read from a height-ordered queue: a block pays
//!   for the choices due in it, never for the others;
//! - a delegation that stops backing consumer C stays slashable for C's infractions for C's
//!   unbonding period: the move is recorded ([`moved`], tokens and height) and a slash for C
//!   committed before the move reaches the delegation through
//!   [`rampart_staking::slash_with_moved`]. Records are dropped from a time-ordered queue when
//!   their window ends.

use prost::Message;
use rampart_consumer::{ConsumerRead, Phase};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::state::{apply_changes, Overlay};
use rampart_core::wire::{add_seconds, block_time, parse_rfc3339, rfc3339, time_key, timestamp};
use rampart_core::{Address, Amount, BlockContext, BlockTime, ChainProfile, Decimal, Event};
use rampart_core::{Events, MsgContext, StateRead, StateWrite};
use rampart_proto::rampart::restaking::v1 as pb;
use rampart_staking::backing::{self, Backing, Mode};
use rampart_staking::errors::{err as staking_err, StakingCode};
use rampart_staking::{MovedStake, StakingPorts, StakingRead};

use crate::errors::{err, RestakingCode};
use crate::keys;
use crate::params;
use crate::pledge;

/// The staking mode of a wire mode (`restaking/22` for UNSPECIFIED or unknown).
pub fn mode_from_proto(value: i32) -> AppResult<Mode> {
    match pb::BackingMode::try_from(value) {
        Ok(pb::BackingMode::All) => Ok(Mode::All),
        Ok(pb::BackingMode::Only) => Ok(Mode::Only),
        Ok(pb::BackingMode::Except) => Ok(Mode::Except),
        _ => Err(err(
            RestakingCode::InvalidChoice,
            format!("backing mode {value}: expected ALL (1), ONLY (2) or EXCEPT (3)"),
        )),
    }
}

/// The wire form of a choice.
pub fn to_proto(backing: &Backing) -> pb::DelegationChoice {
    let mode = match backing.mode {
        Mode::All => pb::BackingMode::All,
        Mode::Only => pb::BackingMode::Only,
        Mode::Except => pb::BackingMode::Except,
    };
    pb::DelegationChoice {
        mode: mode as i32,
        consumer_ids: backing.consumers.clone(),
    }
}

/// The choice a message asks for, checked without state: a known mode, no consumers for ALL,
/// no consumer named twice (`restaking/22`).
pub fn requested(m: &pb::MsgSetDelegationConsumers) -> AppResult<Backing> {
    let mode = mode_from_proto(m.mode)?;
    if mode == Mode::All && !m.consumer_ids.is_empty() {
        return Err(err(
            RestakingCode::InvalidChoice,
            "mode ALL names no consumers",
        ));
    }
    let mut ids = m.consumer_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != m.consumer_ids.len() {
        return Err(err(
            RestakingCode::InvalidChoice,
            "a consumer is named twice",
        ));
    }
    Ok(Backing::new(mode, ids))
}

/// The first provider epoch height after `height`.
fn next_epoch(height: u64, blocks_per_epoch: u64) -> u64 {
    let length = blocks_per_epoch.max(1);
    (height / length)
        .checked_add(1)
        .and_then(|n| n.checked_mul(length))
        .unwrap_or(u64::MAX)
}

/// A pending choice as stored in the queue.
#[derive(Clone, PartialEq, prost::Message)]
struct Pending {
    #[prost(message, optional, tag = "1")]
    choice: Option<pb::DelegationChoice>,
}

/// A moved stake's record.
#[derive(Clone, PartialEq, prost::Message)]
struct MovedRecord {
    /// Integer text.
    #[prost(string, tag = "1")]
    tokens: String,
    #[prost(message, optional, tag = "2")]
    slashable_until: Option<tendermint_proto::google::protobuf::Timestamp>,
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("corrupt delegation choice: {e}"))
}

impl MovedRecord {
    fn decode_until(bytes: &[u8]) -> AppResult<(Self, BlockTime)> {
        let record = Self::decode(bytes).map_err(corrupt)?;
        let until = record
            .slashable_until
            .as_ref()
            .map(block_time)
            .transpose()?
            .ok_or_else(|| corrupt("moved stake without a deadline"))?;
        Ok((record, until))
    }
}

/// Handles `MsgSetDelegationConsumers` (see the module documentation). Refusals: unknown
/// validator `restaking/3`, no delegation `staking/19`, unknown consumer `consumer/5`, a
/// stopped or deleted one `restaking/4`, one the validator never pledged to `restaking/23`,
/// the validator's distinct choices full `staking/101`, a malformed choice `restaking/22`.
pub fn set(
    state: &mut dyn StateWrite,
    ctx: &MsgContext<'_>,
    m: &pb::MsgSetDelegationConsumers,
    events: &mut Events,
) -> AppResult<pb::MsgSetDelegationConsumersResponse> {
    let profile = &ctx.block.profile;
    let backing = requested(m)?;
    let delegator = profile.account(&m.delegator, "delegator")?;
    let op = profile.valoper(&m.validator, "validator")?;
    if state.validator(&op)?.is_none() {
        return Err(err(
            RestakingCode::UnknownValidator,
            format!("validator {} does not exist", m.validator),
        ));
    }
    if state.delegation_shares(&delegator, &op)?.is_none() {
        return Err(staking_err(
            StakingCode::NoDelegation,
            format!("{} has no delegation to {}", m.delegator, m.validator),
        ));
    }
    for &id in &backing.consumers {
        let consumer = state.must_consumer(id)?;
        if !matches!(consumer.phase, Phase::Registered | Phase::Launched) {
            return Err(err(
                RestakingCode::ConsumerNotActive,
                format!(
                    "consumer {id} is {}: it cannot be chosen",
                    consumer.phase.name()
                ),
            ));
        }
        if pledge::load(state, id, &op)?.is_none() {
            return Err(err(
                RestakingCode::NotValidatorsConsumer,
                format!("validator {} does not pledge to consumer {id}", m.validator),
            ));
        }
    }
    if !backing::has_room(state, &op, &backing)? {
        return Err(staking_err(
            StakingCode::TooManyBackingClasses,
            format!(
                "validator {} already has {} distinct consumer choices",
                m.validator,
                backing::MAX_CLASSES_PER_VALIDATOR
            ),
        ));
    }
    drop_pending(state, &delegator, &op);
    let current = backing::choice(state, &delegator, &op)?;
    let effective_height = if current == backing {
        ctx.block.height
    } else {
        let height = next_epoch(ctx.block.height, params::load(state)?.blocks_per_epoch);
        put_pending(state, &delegator, &op, height, to_proto(&backing));
        height
    };
    events.push(
        Event::new("set_delegation_consumers")
            .attr("delegator", m.delegator.clone())
            .attr("validator", m.validator.clone())
            .attr("mode", backing.mode.name())
            .attr("consumer_ids", ids_text(&backing.consumers))
            .attr("effective_height", effective_height.to_string()),
    );
    Ok(pb::MsgSetDelegationConsumersResponse { effective_height })
}

fn ids_text(ids: &[u64]) -> String {
    ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
}

/// The pending choice of `delegator` at `op` and the height it takes effect at.
pub fn pending(
    state: &dyn StateRead,
    delegator: &Address,
    op: &Address,
) -> AppResult<Option<(Backing, u64)>> {
    let Some(bytes) = state.get(&keys::choice_pending(delegator, op)) else {
        return Ok(None);
    };
    let height = keys::u64_at(&bytes, 0).ok_or_else(|| corrupt("pending height"))?;
    let stored = state
        .get(&keys::choice_due(height, delegator, op))
        .ok_or_else(|| corrupt("pending choice without its queue entry"))?;
    let choice = Pending::decode(stored.as_slice())
        .map_err(corrupt)?
        .choice
        .ok_or_else(|| corrupt("empty pending choice"))?;
    let backing = Backing::new(mode_from_proto(choice.mode)?, choice.consumer_ids);
    Ok(Some((backing, height)))
}

/// Queues `choice` of `delegator` at `op` for the end block of `height`, with its indexes.
fn put_pending(
    state: &mut dyn StateWrite,
    delegator: &Address,
    op: &Address,
    height: u64,
    choice: pb::DelegationChoice,
) {
    let pending = Pending {
        choice: Some(choice),
    };
    state.put(
        keys::choice_due(height, delegator, op),
        pending.encode_to_vec(),
    );
    state.put(
        keys::choice_pending(delegator, op),
        height.to_be_bytes().to_vec(),
    );
    state.put(keys::choice_by_validator(op, delegator), Vec::new());
}

fn drop_pending(state: &mut dyn StateWrite, delegator: &Address, op: &Address) {
    if let Some(bytes) = state.get(&keys::choice_pending(delegator, op)) {
        if let Some(height) = keys::u64_at(&bytes, 0) {
            state.delete(keys::choice_due(height, delegator, op));
        }
        state.delete(keys::choice_pending(delegator, op));
        state.delete(keys::choice_by_validator(op, delegator));
    }
}

/// Drops every pending choice for validator `op` (it was removed: a validator created later at
/// the same address is another one, and its delegators have not chosen anything for it).
pub fn forget_validator(state: &mut dyn StateWrite, op: &Address) {
    let prefix = [keys::CHOICE_BY_VALIDATOR, &op[..]].concat();
    let delegators: Vec<Address> = state
        .scan_prefix(&prefix)
        .filter_map(|(key, _)| keys::addr_at(&key, prefix.len()))
        .collect();
    for delegator in delegators {
        drop_pending(state, &delegator, op);
    }
}

/// Applies the choices due at `ctx.height` and forgets moved stake whose window ended; reads
/// only due queue entries. A choice that cannot apply any more (the validator is gone, its
/// distinct choices filled up meanwhile, or applying it fails) is dropped with a
/// `delegation_consumers_refused` event and changes nothing.
pub fn end_block(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &BlockContext,
    events: &mut Events,
) -> AppResult<()> {
    let skip = keys::CHOICE_DUE.len();
    let due: Vec<(u64, Address, Address)> = state
        .scan_prefix(keys::CHOICE_DUE)
        .map(|(key, _)| key)
        .take_while(|key| keys::u64_at(key, skip).is_some_and(|h| h <= ctx.height))
        .filter_map(|key| {
            Some((
                keys::u64_at(&key, skip)?,
                keys::addr_at(&key, skip + 8)?,
                keys::addr_at(&key, skip + 28)?,
            ))
        })
        .collect();
    for (height, delegator, op) in due {
        let Some((backing, _)) = pending(state, &delegator, &op)? else {
            state.delete(keys::choice_due(height, &delegator, &op));
            continue;
        };
        drop_pending(state, &delegator, &op);
        // On a scratch overlay: a choice that cannot apply is dropped, never halts the block.
        let base: &dyn StateRead = &state;
        let mut scratch = Overlay::new(base);
        let mut own = Events::new();
        match apply(
            &mut scratch,
            ports,
            ctx,
            &delegator,
            &op,
            &backing,
            &mut own,
        ) {
            Ok(()) => {
                let (_, changes) = scratch.into_parts();
                apply_changes(state, changes);
                events.append(&mut own);
            }
            Err(e) => events.push(refused(ctx, &delegator, &op, &e.log)),
        }
    }
    forget_expired(state, ctx.time);
    Ok(())
}

fn apply(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &BlockContext,
    delegator: &Address,
    op: &Address,
    backing: &Backing,
    events: &mut Events,
) -> AppResult<()> {
    let profile = &ctx.profile;
    let Some(v) = state.validator(op)? else {
        events.push(refused(
            ctx,
            delegator,
            op,
            "the validator no longer exists",
        ));
        return Ok(());
    };
    if !backing::has_room(state, op, backing)? {
        let why = "the validator's distinct consumer choices are full";
        events.push(refused(ctx, delegator, op, why));
        return Ok(());
    }
    let old = backing::choice(state, delegator, op)?;
    let tokens = match state.delegation_shares(delegator, op)? {
        Some(shares) => v.tokens_for_shares(shares)?,
        None => Amount::ZERO,
    };
    let dropped: Vec<u64> = pledge::of_validator(state, op)?
        .into_iter()
        .map(|p| p.consumer_id)
        .filter(|&id| old.backs(id) && !backing.backs(id))
        .collect();
    rampart_staking::delegation::set_backing(state, ports, delegator, op, backing, events)?;
    // Recorded even with nothing delegated now: the delegator's unbonding entries from before
    // the move still pay for the consumer's earlier infractions.
    for id in dropped {
        let consumer = state.must_consumer(id)?;
        let until = add_seconds(ctx.time, consumer.params.unbonding_period_seconds)?;
        record_move(state, id, op, delegator, ctx.height, tokens, until);
    }
    events.push(
        Event::new("delegation_consumers_applied")
            .attr("delegator", profile.to_account(delegator))
            .attr("validator", profile.to_valoper(op))
            .attr("mode", backing.mode.name())
            .attr("consumer_ids", ids_text(&backing.consumers)),
    );
    Ok(())
}

/// The event of a due choice that was dropped.
fn refused(ctx: &BlockContext, delegator: &Address, op: &Address, why: &str) -> Event {
    Event::new("delegation_consumers_refused")
        .attr("delegator", ctx.profile.to_account(delegator))
        .attr("validator", ctx.profile.to_valoper(op))
        .attr("reason", why.to_owned())
}

fn record_move(
    state: &mut dyn StateWrite,
    id: u64,
    op: &Address,
    delegator: &Address,
    height: u64,
    tokens: Amount,
    until: BlockTime,
) {
    let record = MovedRecord {
        tokens: tokens.to_string(),
        slashable_until: Some(timestamp(until)),
    };
    state.put(
        keys::moved(id, op, delegator, height),
        record.encode_to_vec(),
    );
    state.put(
        keys::moved_expiry(until, id, op, delegator, height),
        Vec::new(),
    );
}

fn forget_expired(state: &mut dyn StateWrite, now: BlockTime) {
    let skip = keys::MOVED_EXPIRY.len();
    let now_key = time_key(now);
    let expired: Vec<Vec<u8>> = state
        .scan_prefix(keys::MOVED_EXPIRY)
        .map(|(key, _)| key)
        .take_while(|key| {
            key.get(skip..skip + now_key.len())
                .is_some_and(|t| t <= &now_key[..])
        })
        .collect();
    for key in expired {
        if let Some(tail) = key.get(skip + now_key.len()..) {
            state.delete([keys::MOVED, tail].concat());
        }
        state.delete(key);
    }
}

/// The pending choices and moved stake, in the genesis shape.
pub fn export_genesis(
    state: &dyn StateRead,
    profile: &ChainProfile,
) -> AppResult<(Vec<pb::GenesisPendingChoice>, Vec<pb::GenesisMovedStake>)> {
    let skip = keys::CHOICE_DUE.len();
    let mut pending_choices = Vec::new();
    for (key, value) in state.scan_prefix(keys::CHOICE_DUE) {
        let (Some(height), Some(delegator), Some(op)) = (
            keys::u64_at(&key, skip),
            keys::addr_at(&key, skip + 8),
            keys::addr_at(&key, skip + 28),
        ) else {
            return Err(corrupt("pending choice key"));
        };
        pending_choices.push(pb::GenesisPendingChoice {
            delegator: profile.to_account(&delegator),
            validator: profile.to_valoper(&op),
            choice: Pending::decode(value.as_slice()).map_err(corrupt)?.choice,
            height,
        });
    }
    let skip = keys::MOVED.len();
    let mut moved_stake = Vec::new();
    for (key, value) in state.scan_prefix(keys::MOVED) {
        let (Some(id), Some(op), Some(delegator), Some(height)) = (
            keys::u64_at(&key, skip),
            keys::addr_at(&key, skip + 8),
            keys::addr_at(&key, skip + 28),
            keys::u64_at(&key, skip + 48),
        ) else {
            return Err(corrupt("moved stake key"));
        };
        let (record, until) = MovedRecord::decode_until(&value)?;
        moved_stake.push(pb::GenesisMovedStake {
            consumer_id: id,
            validator: profile.to_valoper(&op),
            delegator: profile.to_account(&delegator),
            height,
            tokens: record.tokens,
            slashable_until: rfc3339(until),
        });
    }
    Ok((pending_choices, moved_stake))
}

/// Imports the pending choices and moved stake of a genesis section.
pub fn import_genesis(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    pending_choices: &[pb::GenesisPendingChoice],
    moved_stake: &[pb::GenesisMovedStake],
) -> AppResult<()> {
    for g in pending_choices {
        let delegator = profile.account(&g.delegator, "delegator")?;
        let op = profile.valoper(&g.validator, "validator")?;
        let choice = g
            .choice
            .clone()
            .ok_or_else(|| invalid_genesis("pending choice without a choice"))?;
        mode_from_proto(choice.mode)?;
        if state.get(&keys::choice_pending(&delegator, &op)).is_some() {
            return Err(invalid_genesis("two pending choices for one delegation"));
        }
        put_pending(state, &delegator, &op, g.height, choice);
    }
    for g in moved_stake {
        let op = profile.valoper(&g.validator, "validator")?;
        let delegator = profile.account(&g.delegator, "delegator")?;
        let until = parse_rfc3339(&g.slashable_until, "moved_stake.slashable_until")?;
        let tokens: Amount = g.tokens.parse()?;
        record_move(
            state,
            g.consumer_id,
            &op,
            &delegator,
            g.height,
            tokens,
            until,
        );
    }
    Ok(())
}

fn invalid_genesis(what: impl Into<String>) -> AppError {
    err(
        RestakingCode::InvalidParams,
        format!("app_state.restaking: {}", what.into()),
    )
}

/// Stake that stopped backing consumer `id` at validator `op` and is still slashable at `now`
/// — unless its delegator backs `id` again: then it pays as a backer, never twice.
pub fn moved(
    state: &dyn StateRead,
    id: u64,
    op: &Address,
    now: BlockTime,
) -> AppResult<Vec<MovedStake>> {
    let prefix = keys::moved_of(id, op);
    let mut out = Vec::new();
    for (key, value) in state.scan_prefix(&prefix) {
        let (record, until) = MovedRecord::decode_until(&value)?;
        if until <= now {
            continue;
        }
        let (Some(delegator), Some(height)) = (
            keys::addr_at(&key, prefix.len()),
            keys::u64_at(&key, prefix.len() + 20),
        ) else {
            return Err(corrupt("moved stake key"));
        };
        if backing::choice(state, &delegator, op)?.backs(id) {
            continue;
        }
        out.push(MovedStake {
            delegator,
            tokens: record.tokens.parse()?,
            height,
        });
    }
    Ok(out)
}

/// The consumers among `op`'s pledges that `backing` backs.
pub fn backed_consumers(
    state: &dyn StateRead,
    op: &Address,
    backing: &Backing,
) -> AppResult<Vec<u64>> {
    Ok(pledge::of_validator(state, op)?
        .into_iter()
        .map(|p| p.consumer_id)
        .filter(|&id| backing.backs(id))
        .collect())
}

/// Answers `Query/DelegationConsumers`.
pub fn query_delegation(
    state: &dyn StateRead,
    profile: &ChainProfile,
    r: &pb::QueryDelegationConsumersRequest,
) -> AppResult<pb::QueryDelegationConsumersResponse> {
    let delegator = profile.account(&r.delegator, "delegator")?;
    let op = profile.valoper(&r.validator, "validator")?;
    let current = backing::choice(state, &delegator, &op)?;
    let tokens = match (
        state.validator(&op)?,
        state.delegation_shares(&delegator, &op)?,
    ) {
        (Some(v), Some(shares)) => v.tokens_for_shares(shares)?,
        _ => Amount::ZERO,
    };
    let pending = pending(state, &delegator, &op)?;
    Ok(pb::QueryDelegationConsumersResponse {
        backed_consumer_ids: backed_consumers(state, &op, &current)?,
        current: Some(to_proto(&current)),
        pending_height: pending.as_ref().map_or(0, |(_, h)| *h),
        pending: pending.map(|(b, _)| to_proto(&b)),
        tokens: tokens.to_string(),
    })
}

/// Answers `Query/ConsumerBacking`.
pub fn query_backing(
    state: &dyn StateRead,
    profile: &ChainProfile,
    r: &pb::QueryConsumerBackingRequest,
) -> AppResult<pb::QueryConsumerBackingResponse> {
    let op = profile.valoper(&r.validator, "validator")?;
    state.must_consumer(r.consumer_id)?;
    let v = state.validator(&op)?.ok_or_else(|| {
        err(
            RestakingCode::UnknownValidator,
            format!("validator {} does not exist", r.validator),
        )
    })?;
    let backing = v.backing_tokens(state, r.consumer_id)?;
    let pledge_bps = pledge::load(state, r.consumer_id, &op)?.map_or(0, |p| p.pledge_bps);
    Ok(pb::QueryConsumerBackingResponse {
        validator_tokens: v.tokens.to_string(),
        backing_tokens: backing.to_string(),
        pledge_bps,
        pledged_tokens: backing
            .mul_floor(Decimal::from_bps(pledge_bps))?
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(mode: pb::BackingMode, ids: Vec<u64>) -> pb::MsgSetDelegationConsumers {
        pb::MsgSetDelegationConsumers {
            delegator: String::new(),
            validator: String::new(),
            mode: mode as i32,
            consumer_ids: ids,
        }
    }

    #[test]
    fn malformed_choices_are_refused_without_state() {
        for bad in [
            msg(pb::BackingMode::Unspecified, vec![]),
            msg(pb::BackingMode::All, vec![1]),
            msg(pb::BackingMode::Only, vec![1, 1]),
            msg(pb::BackingMode::Except, vec![2, 2]),
        ] {
            let e = requested(&bad).expect_err("refused");
            assert_eq!(
                (e.codespace, e.code),
                ("restaking", RestakingCode::InvalidChoice as u32),
                "{e}"
            );
        }
        let only = requested(&msg(pb::BackingMode::Only, vec![3, 1])).expect("valid");
        assert_eq!((only.mode, only.consumers), (Mode::Only, vec![1, 3]));
    }

    #[test]
    fn choices_wait_for_the_next_epoch() {
        assert_eq!(next_epoch(0, 10), 10);
        assert_eq!(next_epoch(9, 10), 10);
        assert_eq!(next_epoch(10, 10), 20);
        assert_eq!(next_epoch(7, 0), 8, "a zero epoch length counts as 1");
    }
}
