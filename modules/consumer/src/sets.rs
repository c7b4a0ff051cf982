//! The validator sets the provider sent to each consumer, and the one check of consumer headers
//! built on them ([`verify_consumer_header`]).
//!
//! # What is recorded, and for how long
//!
//! With the launch (vsc id 0) and with every packet the provider records the CometBFT hash of the
//! consumer's new set (`consumer/sethash/ ‖ id ‖ vsc_id`) and the provider block time it was sent
//! (`consumer/setlock/ ‖ id ‖ vsc_id`): the time its stake was locked. The set **last sent** is
//! in force — the consumer signs with it and restaking counts its stake again every epoch — so it
//! is accepted, and kept, for as long as it is the last one. Once the next set replaces it at
//! `R` (that set's lock time), its period runs: the consumer still signs with it until it
//! applies the new one (relay latency, and CometBFT's two-block delay), and stake that leaves a
//! set stays slashable for at least the consumer's unbonding period `U` (a departing pledge for
//! `U` from its departure, the provider's own unbonding is at least `U`), so a header signed by
//! it is evidence against stake that can still pay, and is accepted, until `R + U`. (How old an
//! infraction may be is judged separately, by the verified time of its own header.)
//!
//! With each set the provider also records its members (`consumer/setmember/ ‖ id ‖ vsc_id ‖
//! consumer address`) with the stake counted for them — provider power, pledge and the provider
//! height it was counted at — for exactly as long as the set itself: an infraction proven in that
//! set is charged against that stake ([`member`]), and a downtime record may only name a member.
//!
//! Pruning goes through a time-ordered queue, like the ccv timeout: when a set is replaced at
//! `R`, it is queued under `consumer/setexpiry/ ‖ time_key(R + U) ‖ id ‖ vsc_id`, and each begin
//! block ([`prune_expired`]) reads only the due entries. A deleted consumer's sets go with it
//! ([`clear`]).

use std::ops::RangeInclusive;

use rampart_auth::AuthRead;
use rampart_ccv::errors::{err as ccv_err, CcvCode};
use rampart_ccv::header::our_time;
use rampart_core::address::consensus_address;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{add_seconds, block_time, timestamp};
use rampart_core::{BlockTime, StateRead, StateReadExt, StateWrite, StateWriteExt};
use rampart_proto::rampart::consumer::v1 as pb;
use tendermint_proto::google::protobuf::Timestamp;

use crate::entry::Consumer;
use crate::errors::{err, ConsumerCode};
use crate::header::{ConsumerHeader, VerifiedHeader};
use crate::keys;
use crate::types::ConsumerValidator;

/// Every vsc id: the range of [`verify_consumer_header`] that accepts any recorded set still
/// within its period.
pub const ANY_SET: RangeInclusive<u64> = 0..=u64::MAX;

/// A set the provider sent to a consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetRecord {
    /// The vsc id after which the consumer runs this set (0: the launch set).
    pub vsc_id: u64,
    /// Its CometBFT validator-set hash.
    pub hash: [u8; 32],
    /// The provider block time it was sent: when its stake was locked.
    pub locked_at: BlockTime,
}

/// A member's stake counted in one of a consumer's recorded sets: what an infraction in that set
/// is charged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountedStake {
    /// The consumer.
    pub consumer_id: u64,
    /// The vsc id after which the consumer ran the set (0: the launch set).
    pub vsc_id: u64,
    /// The member's record in the set.
    pub member: ConsumerValidator,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::sdk(
        SdkCode::Logic,
        format!("corrupt consumer state ({what}): {e}"),
    )
}

/// The CometBFT validator-set hash of `set` as the consumer runs it: its consumer keys with
/// their powers (validators of power 0 are not in a CometBFT set), hashed as CometBFT does
/// ([`rampart_ccv::header::ed25519_set`]). Restaking only selects valid ed25519 keys whose
/// powers add up to at most the provider's own bounded total, so an error is a bug.
pub fn set_hash(set: &[ConsumerValidator]) -> AppResult<[u8; 32]> {
    let keys: Vec<(Vec<u8>, u64)> = set
        .iter()
        .filter(|v| v.power > 0)
        .map(|v| (v.consumer_pubkey.to_vec(), v.power))
        .collect();
    match rampart_ccv::header::ed25519_set(&keys)?.hash() {
        tendermint::Hash::Sha256(hash) => Ok(hash),
        tendermint::Hash::None => Err(corrupt("validator set", "no hash")),
    }
}

/// When the period of a set of `consumer` locked at `locked_at` ends: `locked_at` plus the
/// consumer's unbonding period (fixed once launched).
pub fn period_end(consumer: &Consumer, locked_at: BlockTime) -> AppResult<BlockTime> {
    add_seconds(locked_at, consumer.params.unbonding_period_seconds)
}

/// The vsc id of the set last sent to consumer `id` (0: the launch set): one below the stored
/// next vsc id, which is absent (1) before the first packet.
pub fn last_sent(state: &dyn StateRead, id: u64) -> AppResult<u64> {
    let next = match state.get(&keys::next_vsc(id)) {
        None => 1,
        Some(bytes) => <[u8; 8]>::try_from(bytes.as_slice())
            .map(u64::from_be_bytes)
            .map_err(|_| corrupt("next vsc id", hex::encode(&bytes)))?,
    };
    Ok(next.saturating_sub(1))
}

/// The time consumer `id`'s set after `vsc_id` was sent, if it is recorded.
fn locked_at(state: &dyn StateRead, id: u64, vsc_id: u64) -> AppResult<Option<BlockTime>> {
    state
        .get_proto::<Timestamp>(&keys::set_lock(id, vsc_id))
        .map_err(|e| corrupt("set lock time", e))?
        .map(|t| block_time(&t).map_err(|e| corrupt("set lock time", e.log)))
        .transpose()
}

fn put(state: &mut dyn StateWrite, id: u64, record: &SetRecord, set: &[ConsumerValidator]) {
    state.put(keys::set_hash(id, record.vsc_id), record.hash.to_vec());
    state.put_proto(
        keys::set_lock(id, record.vsc_id),
        &timestamp(record.locked_at),
    );
    for member in set.iter().filter(|v| v.power > 0) {
        state.put_proto(
            keys::set_member(
                id,
                record.vsc_id,
                &consensus_address(&member.consumer_pubkey),
            ),
            &member.to_proto(),
        );
    }
}

/// Forgets consumer `id`'s set after `vsc_id` and its members (at most the consumer's
/// `max_validators` entries).
fn forget(state: &mut dyn StateWrite, id: u64, vsc_id: u64) {
    state.delete(keys::set_hash(id, vsc_id));
    state.delete(keys::set_lock(id, vsc_id));
    let members: Vec<Vec<u8>> = state
        .scan_prefix(&keys::set_members(id, vsc_id))
        .map(|(key, _)| key)
        .collect();
    for key in members {
        state.delete(key);
    }
}

/// The member of consumer `id`'s set after `vsc_id` whose consumer consensus address is
/// `address`, with the stake counted for it; `None` when the set is not recorded (never sent, or
/// forgotten past its period) or `address` is not in it.
pub fn member(
    state: &dyn StateRead,
    id: u64,
    vsc_id: u64,
    address: &[u8; 20],
) -> AppResult<Option<ConsumerValidator>> {
    state
        .get_proto::<pb::ConsumerValidator>(&keys::set_member(id, vsc_id, address))
        .map_err(|e| corrupt("set member", e))?
        .map(|p| ConsumerValidator::from_proto(&p))
        .transpose()
}

/// Every member of consumer `id`'s set after `vsc_id`, by consumer address.
pub fn members(state: &dyn StateRead, id: u64, vsc_id: u64) -> AppResult<Vec<ConsumerValidator>> {
    state
        .scan_prefix(&keys::set_members(id, vsc_id))
        .map(|(_, value)| {
            let p = <pb::ConsumerValidator as prost::Message>::decode(value.as_slice())
                .map_err(|e| corrupt("set member", e))?;
            ConsumerValidator::from_proto(&p)
        })
        .collect()
}

/// When the period of `consumer`'s set after `vsc_id` ends: the consumer's unbonding period
/// after the next set replaced it (the lock time of the set after `vsc_id + 1`); `None` while it
/// is the set last sent (in force).
pub fn period_end_of(
    state: &dyn StateRead,
    consumer: &Consumer,
    vsc_id: u64,
) -> AppResult<Option<BlockTime>> {
    if vsc_id >= last_sent(state, consumer.id)? {
        return Ok(None);
    }
    let next = vsc_id.saturating_add(1);
    let replaced = locked_at(state, consumer.id, next)?
        .ok_or_else(|| corrupt("set lock time", format!("none for vsc id {next}")))?;
    period_end(consumer, replaced).map(Some)
}

/// Starts the period of `consumer`'s set after `vsc_id`, which a newer set replaced at `now`:
/// queued until `now` plus the consumer's unbonding period.
fn retire(
    state: &mut dyn StateWrite,
    consumer: &Consumer,
    vsc_id: u64,
    now: BlockTime,
) -> AppResult<()> {
    if locked_at(state, consumer.id, vsc_id)?.is_some() {
        let end = period_end(consumer, now)?;
        state.put(keys::set_expiry(end, consumer.id, vsc_id), Vec::new());
    }
    Ok(())
}

/// Records `set` as the set `consumer` runs after `vsc_id` (0 at launch), sent at `now`; the set
/// it replaces (after `vsc_id - 1`) starts its period.
pub fn record_sent(
    state: &mut dyn StateWrite,
    consumer: &Consumer,
    vsc_id: u64,
    set: &[ConsumerValidator],
    now: BlockTime,
) -> AppResult<()> {
    let hash = set_hash(set)?;
    if let Some(replaced) = vsc_id.checked_sub(1) {
        retire(state, consumer, replaced, now)?;
    }
    put(
        state,
        consumer.id,
        &SetRecord {
            vsc_id,
            hash,
            locked_at: now,
        },
        set,
    );
    Ok(())
}

/// Forgets every replaced set whose period ended at or before `now`; reads only the due entries
/// of the set-expiry queue (and the first one not due). Returns how many.
pub fn prune_expired(state: &mut dyn StateWrite, now: BlockTime) -> u64 {
    let bound = keys::set_expiry_upto(now);
    let due: Vec<Vec<u8>> = state
        .scan_prefix(keys::SET_EXPIRY)
        .map(|(key, _)| key)
        .take_while(|key| {
            key.get(..bound.len())
                .is_some_and(|t| t <= bound.as_slice())
        })
        .collect();
    let count = u64::try_from(due.len()).unwrap_or(u64::MAX);
    for key in due {
        let id = keys::u64_at(&key, bound.len());
        let vsc_id = keys::u64_at(&key, bound.len().saturating_add(8));
        if let (Some(id), Some(vsc_id)) = (id, vsc_id) {
            forget(state, id, vsc_id);
        }
        state.delete(key);
    }
    count
}

/// The recorded sets of consumer `id`, by vsc id.
pub fn records(state: &dyn StateRead, id: u64) -> AppResult<Vec<SetRecord>> {
    let prefix = keys::with_id(keys::SET_HASH, id);
    let hashes: Vec<(u64, Vec<u8>)> = state
        .scan_prefix(&prefix)
        .map(|(key, value)| {
            let vsc_id =
                keys::u64_at(&key, prefix.len()).ok_or_else(|| corrupt("set hash", "key"))?;
            Ok((vsc_id, value))
        })
        .collect::<AppResult<_>>()?;
    hashes
        .into_iter()
        .map(|(vsc_id, value)| {
            let hash = value
                .as_slice()
                .try_into()
                .map_err(|_| corrupt("set hash", "not 32 bytes"))?;
            let locked_at = locked_at(state, id, vsc_id)?
                .ok_or_else(|| corrupt("set lock time", format!("none for vsc id {vsc_id}")))?;
            Ok(SetRecord {
                vsc_id,
                hash,
                locked_at,
            })
        })
        .collect()
}

/// Restores `record` of `consumer` with its `members` from genesis (the queue is rebuilt by
/// [`queue_imported`] once every record of the consumer is back).
pub fn import(
    state: &mut dyn StateWrite,
    consumer: &Consumer,
    record: &SetRecord,
    members: &[ConsumerValidator],
) {
    put(state, consumer.id, record, members);
}

/// The set-expiry queue entries of `consumer`'s replaced sets ([`period_end_of`]), by vsc id.
fn queue_entries(state: &dyn StateRead, consumer: &Consumer) -> AppResult<Vec<(u64, Vec<u8>)>> {
    let mut entries = Vec::new();
    for record in records(state, consumer.id)? {
        if let Some(end) = period_end_of(state, consumer, record.vsc_id)? {
            entries.push((
                record.vsc_id,
                keys::set_expiry(end, consumer.id, record.vsc_id),
            ));
        }
    }
    Ok(entries)
}

/// Queues every replaced set of `consumer` restored from genesis; `Err` when a replaced set's
/// successor is missing (a genesis that left a gap). Call after the consumer's next vsc id and
/// all its records are restored.
pub fn queue_imported(state: &mut dyn StateWrite, consumer: &Consumer) -> AppResult<()> {
    for (_, key) in queue_entries(state, consumer)? {
        state.put(key, Vec::new());
    }
    Ok(())
}

/// Forgets every set of `consumer` and its queue entries (at deletion). Call before its next vsc
/// id is cleared.
pub fn clear(state: &mut dyn StateWrite, consumer: &Consumer) -> AppResult<()> {
    for (_, key) in queue_entries(state, consumer)? {
        state.delete(key);
    }
    for record in records(state, consumer.id)? {
        forget(state, consumer.id, record.vsc_id);
    }
    Ok(())
}

/// The vsc id in `vsc_ids` after which the provider sent `consumer` the set hashing to `hash`
/// that signed a consumer header of time `header_time`, among the sets it still accepts at `now`
/// (the set last sent, or one whose period has not ended); `None` when there is none.
///
/// The same set can have been sent more than once. Consecutive packets that left it unchanged
/// are one set in force, charged from the first of them (its stake was counted first); a set
/// sent again later (A, B, A) is another one. The header is attributed to the latest run sent
/// at or before its time (the consumer cannot run a set before it was sent), or to the first
/// run when its time is before all of them.
pub fn accepted_set(
    state: &dyn StateRead,
    consumer: &Consumer,
    hash: &[u8; 32],
    vsc_ids: RangeInclusive<u64>,
    header_time: BlockTime,
    now: BlockTime,
) -> AppResult<Option<u64>> {
    let id = consumer.id;
    let prefix = keys::with_id(keys::SET_HASH, id);
    let sent: Vec<u64> = state
        .scan_from(&prefix, Some(&keys::set_hash(id, *vsc_ids.start())))
        .filter_map(|(key, value)| Some((keys::u64_at(&key, prefix.len())?, value)))
        .take_while(|(vsc_id, _)| vsc_id <= vsc_ids.end())
        .filter(|(_, value)| value.as_slice() == hash)
        .map(|(vsc_id, _)| vsc_id)
        .collect();
    let mut accepted: Vec<(u64, BlockTime)> = Vec::with_capacity(sent.len());
    for vsc_id in sent {
        let locked = locked_at(state, id, vsc_id)?
            .ok_or_else(|| corrupt("set lock time", format!("none for vsc id {vsc_id}")))?;
        if period_end_of(state, consumer, vsc_id)?.is_none_or(|end| end > now) {
            accepted.push((vsc_id, locked));
        }
    }
    let mut at = accepted
        .iter()
        .rposition(|(_, locked)| *locked <= header_time)
        .unwrap_or(0);
    while let (Some(previous), Some(this)) = (
        at.checked_sub(1).and_then(|i| accepted.get(i)),
        accepted.get(at),
    ) {
        if previous.0.checked_add(1) != Some(this.0) {
            break;
        }
        at -= 1;
    }
    Ok(accepted.get(at).map(|(vsc_id, _)| *vsc_id))
}

/// Verifies a consumer header as proof of `consumer`'s state at the provider's block time `now`
/// — the one check every use of a consumer header goes through (acknowledgements today, evidence
/// and downtime records next). In order, each refusal with its code:
///
/// 1. the header is of the consumer's chain id (`consumer/16`);
/// 2. its time is at most `now` plus the consumer's `max_clock_drift_seconds` (`ccv/11`): a
///    header cannot place itself in the provider's future;
/// 3. the carried set hashes to the header's `validators_hash` (`ccv/8`);
/// 4. that set is one the provider sent to the consumer after a vsc id in `vsc_ids` ([`ANY_SET`]
///    for every one) and still accepts: the set last sent, or one whose period — the consumer's
///    unbonding period from the time it was sent — has not ended ([`accepted_set`], which also
///    tells which sending of a set sent more than once signed; see the module documentation for
///    why). A set never sent, outside `vsc_ids`, or past its period is `consumer/17` (a set past
///    its period is normally forgotten already);
/// 5. more than 2/3 of that set's power signed the commit and every signature verifies
///    ([`ConsumerHeader::verify_commit`]: `ccv/9`, `ccv/10`, `ccv/12`). Gas is charged first:
///    auth's `sig_verify_cost_ed25519` per commit signature that is not absent.
///
/// Reads only; the caller decides which phases of the consumer it accepts headers for.
pub fn verify_consumer_header(
    state: &dyn StateRead,
    consumer: &Consumer,
    header: &ConsumerHeader,
    now: BlockTime,
    vsc_ids: RangeInclusive<u64>,
) -> AppResult<VerifiedHeader> {
    if header.chain_id() != consumer.chain_id {
        return Err(err(
            ConsumerCode::ChainIdMismatch,
            format!(
                "the header is of chain {}, consumer {} is {}",
                header.chain_id(),
                consumer.id,
                consumer.chain_id
            ),
        ));
    }
    let time = our_time(header.signed_header.header.time)?;
    let latest = add_seconds(now, consumer.params.max_clock_drift_seconds)?;
    if time > latest {
        return Err(ccv_err(
            CcvCode::HeaderFromFuture,
            format!(
                "consumer header {} is from {}, after the provider's time {} plus the maximum \
                 clock drift of {} s",
                header.height(),
                rampart_core::wire::rfc3339(time),
                rampart_core::wire::rfc3339(now),
                consumer.params.max_clock_drift_seconds
            ),
        ));
    }
    let hash = header.signing_set_hash()?;
    let (from, to) = (*vsc_ids.start(), *vsc_ids.end());
    let Some(vsc_id_of_set) = accepted_set(state, consumer, &hash, vsc_ids, time, now)? else {
        return Err(err(
            ConsumerCode::UnknownValidatorSet,
            format!(
                "the header is signed by validator set {}, which is not a set the provider sent \
                 to consumer {} after a vsc id from {from} to {to} and still accepts (never \
                 sent, or past its period)",
                hex::encode_upper(hash),
                consumer.id,
            ),
        ));
    };
    let per_signature = state.auth_params()?.sig_verify_cost_ed25519;
    state.charge_gas(
        per_signature.saturating_mul(header.signature_count()),
        "consumer header: ed25519 commit signatures",
    )?;
    header.verify_commit()?;
    Ok(VerifiedHeader {
        height: header.height(),
        time,
        app_hash: header.signed_header.header.app_hash.as_bytes().to_vec(),
        vsc_id_of_set,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state;
    use crate::types::ConsumerParams;
    use rampart_core::state::EmptyState;
    use rampart_core::{Address, Amount, Overlay};
    use rampart_proto::rampart::consumer::v1 as pb;

    const UNBONDING: u64 = 100;

    fn at(seconds: i64) -> BlockTime {
        BlockTime { seconds, nanos: 0 }
    }

    fn consumer(id: u64) -> Consumer {
        let params = pb::ConsumerParams {
            min_validators: 1,
            max_validators: 10,
            unbonding_period_seconds: UNBONDING,
            double_sign: Some(pb::InfractionParams {
                slash_fraction: "0".into(),
                ..Default::default()
            }),
            downtime: Some(pb::InfractionParams {
                slash_fraction: "0".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        Consumer {
            id,
            chain_id: format!("c-{id}"),
            owner: Address([1; 20]),
            name: "c".into(),
            description: String::new(),
            metadata_url: String::new(),
            spawn_time: None,
            phase: crate::Phase::Launched,
            params: ConsumerParams::from_proto(Some(&params)).expect("params"),
            pending: None,
            deposit: Vec::new(),
            registration_height: 1,
            launch_height: 2,
            launch_time: Some(at(0)),
            stop_time: None,
            delete_time: None,
            rewards_paused: false,
            last_heard_from: Some(at(0)),
            last_acknowledged_vsc: 0,
            expire_time: None,
        }
    }

    /// A one-validator set whose key is test key `seed`.
    fn set(seed: u8) -> Vec<ConsumerValidator> {
        vec![ConsumerValidator {
            operator: Address([seed; 20]),
            consumer_pubkey: rampart_ccv::testing::public(&rampart_ccv::testing::key(seed)),
            power: 10,
            pledged_tokens: Amount(10_000_000),
            pledge_bps: 10_000,
            validator_power: 10,
            provider_height: 1,
        }]
    }

    /// What the registry does when it sends packet `vsc_id` (0: the launch) with `set` at `now`.
    fn send(state: &mut Overlay<EmptyState>, c: &Consumer, vsc_id: u64, seed: u8, now: i64) {
        if vsc_id > 0 {
            state::put_packet(
                state,
                &pb::ValidatorSetChangePacket {
                    consumer_id: c.id,
                    vsc_id,
                    ..Default::default()
                },
            );
        }
        record_sent(state, c, vsc_id, &set(seed), at(now)).expect("recorded");
    }

    fn vsc_ids(state: &Overlay<EmptyState>, id: u64) -> Vec<u64> {
        records(state, id)
            .expect("records")
            .iter()
            .map(|r| r.vsc_id)
            .collect()
    }

    fn queue(state: &Overlay<EmptyState>) -> Vec<Vec<u8>> {
        state
            .scan_prefix(keys::SET_EXPIRY)
            .map(|(key, _)| key)
            .collect()
    }

    #[test]
    fn sets_are_accepted_for_their_period_once_replaced_and_the_last_sent_always() {
        let mut state = Overlay::new(EmptyState);
        let c = consumer(7);
        let (a, b) = (set_hash(&set(1)).expect("a"), set_hash(&set(2)).expect("b"));
        // CometBFT's hash of the keys with power.
        let expected =
            rampart_ccv::header::ed25519_set(&[(set(1)[0].consumer_pubkey.to_vec(), 10)])
                .expect("set")
                .hash();
        assert_eq!(expected.as_bytes(), a);

        send(&mut state, &c, 0, 1, 0);
        assert!(queue(&state).is_empty(), "the set in force is not queued");
        // The set last sent is accepted whatever its age.
        assert_eq!(
            accepted_set(&state, &c, &a, ANY_SET, at(10_000), at(10_000)).expect("ok"),
            Some(0)
        );

        // Replaced at 10: its period (the consumer's unbonding period from then) ends at 110.
        send(&mut state, &c, 1, 2, 10);
        assert_eq!(queue(&state), [keys::set_expiry(at(110), 7, 0)]);
        assert_eq!(period_end_of(&state, &c, 0).expect("ok"), Some(at(110)));
        assert_eq!(period_end_of(&state, &c, 1).expect("ok"), None);
        assert_eq!(
            accepted_set(&state, &c, &a, ANY_SET, at(109), at(109)).expect("ok"),
            Some(0)
        );
        assert_eq!(
            accepted_set(&state, &c, &a, ANY_SET, at(110), at(110)).expect("ok"),
            None
        );
        assert_eq!(
            accepted_set(&state, &c, &a, 1..=1, at(50), at(50)).expect("ok"),
            None
        );
        assert_eq!(
            accepted_set(&state, &c, &b, ANY_SET, at(500), at(500)).expect("ok"),
            Some(1)
        );
        assert_eq!(
            accepted_set(&state, &c, &[9; 32], ANY_SET, at(50), at(50)).expect("ok"),
            None
        );

        // Pruning reads the due entries only.
        assert_eq!(prune_expired(&mut state, at(109)), 0);
        assert_eq!(vsc_ids(&state, 7), [0, 1]);
        let member_a = consensus_address(&set(1)[0].consumer_pubkey);
        assert_eq!(
            member(&state, 7, 0, &member_a).expect("ok"),
            Some(set(1)[0])
        );
        assert_eq!(member(&state, 7, 1, &member_a).expect("ok"), None);
        assert_eq!(prune_expired(&mut state, at(110)), 1);
        assert_eq!(vsc_ids(&state, 7), [1]);
        assert!(queue(&state).is_empty());
        assert_eq!(
            member(&state, 7, 0, &member_a).expect("ok"),
            None,
            "members go with their set"
        );

        // A set in force for longer than the unbonding period is still accepted for a whole
        // period once replaced (the consumer signs with it until it applies the next one).
        send(&mut state, &c, 2, 1, 200);
        assert_eq!(vsc_ids(&state, 7), [1, 2]);
        assert_eq!(queue(&state), [keys::set_expiry(at(300), 7, 1)]);
        assert_eq!(
            accepted_set(&state, &c, &b, ANY_SET, at(201), at(299)).expect("ok"),
            Some(1)
        );
        // The same set sent again is a new record with its own period.
        send(&mut state, &c, 3, 2, 250);
        assert_eq!(
            queue(&state),
            [
                keys::set_expiry(at(300), 7, 1),
                keys::set_expiry(at(350), 7, 2)
            ]
        );
        assert_eq!(
            accepted_set(&state, &c, &a, ANY_SET, at(260), at(260)).expect("ok"),
            Some(2)
        );
        assert_eq!(
            accepted_set(&state, &c, &b, 2..=2, at(260), at(260)).expect("ok"),
            None
        );
        assert_eq!(
            accepted_set(&state, &c, &b, ANY_SET, at(260), at(260)).expect("ok"),
            Some(3),
            "the latest sending at or before the header's time"
        );
        assert_eq!(
            accepted_set(&state, &c, &b, ANY_SET, at(100), at(260)).expect("ok"),
            Some(1)
        );

        // Another consumer's sets are its own.
        let other = consumer(8);
        send(&mut state, &other, 0, 1, 260);
        assert_eq!(
            accepted_set(&state, &c, &a, 3..=9, at(260), at(260)).expect("ok"),
            None
        );
        assert_eq!(
            accepted_set(&state, &other, &a, ANY_SET, at(260), at(260)).expect("ok"),
            Some(0)
        );

        // A set sent again later is another sending: a header is charged to the latest sending
        // at or before its time, and consecutive sendings of one set to the first of them.
        let mut fresh = Overlay::new(EmptyState);
        let d = consumer(9);
        send(&mut fresh, &d, 0, 1, 0); // A
        send(&mut fresh, &d, 1, 1, 10); // A again, unchanged: the same run as 0
        send(&mut fresh, &d, 2, 2, 20); // B
        send(&mut fresh, &d, 3, 1, 30); // A, sent anew
        let signed_at = |time| accepted_set(&fresh, &d, &a, ANY_SET, at(time), at(40)).expect("ok");
        assert_eq!(signed_at(5), Some(0));
        assert_eq!(signed_at(15), Some(0), "the run 0–1 is charged from 0");
        assert_eq!(
            signed_at(25),
            Some(0),
            "B sent, not yet applied: still the first A"
        );
        assert_eq!(signed_at(35), Some(3));
        assert_eq!(
            accepted_set(&fresh, &d, &a, 1..=9, at(15), at(40)).expect("ok"),
            Some(1),
            "within the range only"
        );

        // Export → import restores records and queue; clear forgets consumer 7 only.
        let before: Vec<_> = state.scan_prefix(b"consumer/set").collect();
        let exported: Vec<_> = records(&state, 7)
            .expect("records")
            .into_iter()
            .map(|r| (r, members(&state, 7, r.vsc_id).expect("members")))
            .collect();
        assert_eq!(
            exported[0].1,
            set(2),
            "the members are recorded with the set"
        );
        clear(&mut state, &c).expect("cleared");
        assert!(vsc_ids(&state, 7).is_empty());
        assert!(state
            .scan_prefix(&keys::with_id(keys::SET_MEMBER, 7))
            .next()
            .is_none());
        assert_eq!(vsc_ids(&state, 8), [0]);
        assert!(queue(&state).is_empty());
        for (record, set) in &exported {
            import(&mut state, &c, record, set);
        }
        queue_imported(&mut state, &c).expect("queued");
        assert_eq!(
            state.scan_prefix(b"consumer/set").collect::<Vec<_>>(),
            before
        );
    }
}
