//! The validator sets the provider sent to each consumer, and the one check of consumer headers
//! built on them ([`verify_consumer_header`]).
//!
//! # What is recorded, and for how long
//!
//! With the launch (vsc id 0) and with every packet the provider records the CometBFT hash of the
//! consumer's new set (`consumer/sethash/ ‖ id ‖ vsc_id`) and the provider block time it was sent
//! (`consumer/setlock/ ‖ id ‖ vsc_id`): the time its stake was locked. Stake counted in a set at
//! time `T` stays slashable at least until `T` plus the consumer's unbonding period `U`, whenever
//! it leaves afterwards (a departing pledge stays slashable for `U` from its departure, and the
//! provider's own unbonding is at least `U`): so a header signed by that set is evidence against
//! stake that can still pay, and is accepted, until `T + U`. The set **last sent** is still in
//! force — the consumer signs with it and restaking counts its stake again every epoch — so it is
//! accepted, and kept, for as long as it is the last one; its period starts running when the next
//! set replaces it.
//!
//! Pruning goes through a time-ordered queue, like the ccv timeout: when a set is replaced, it is
//! queued under `consumer/setexpiry/ ‖ time_key(T + U) ‖ id ‖ vsc_id` (or forgotten at once
//! when `T + U` has passed already), and each begin block ([`prune_expired`]) reads only the due
//! entries. A deleted consumer's sets go with it ([`clear`]).

use std::ops::RangeInclusive;

use rampart_auth::AuthRead;
use rampart_ccv::errors::{err as ccv_err, CcvCode};
use rampart_ccv::header::our_time;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{add_seconds, block_time, timestamp};
use rampart_core::{BlockTime, StateRead, StateReadExt, StateWrite, StateWriteExt};
use tendermint_proto::google::protobuf::Timestamp;

use crate::errors::{err, ConsumerCode};
use crate::header::{ConsumerHeader, VerifiedHeader};
use crate::keys;
use crate::types::{Consumer, ConsumerValidator};

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

fn put(state: &mut dyn StateWrite, id: u64, record: &SetRecord) {
    state.put(keys::set_hash(id, record.vsc_id), record.hash.to_vec());
    state.put_proto(
        keys::set_lock(id, record.vsc_id),
        &timestamp(record.locked_at),
    );
}

fn forget(state: &mut dyn StateWrite, id: u64, vsc_id: u64) {
    state.delete(keys::set_hash(id, vsc_id));
    state.delete(keys::set_lock(id, vsc_id));
}

/// Starts the period of `consumer`'s set after `vsc_id`, which a newer set replaced at `now`:
/// queued until its end, or forgotten when that has passed.
fn retire(
    state: &mut dyn StateWrite,
    consumer: &Consumer,
    vsc_id: u64,
    now: BlockTime,
) -> AppResult<()> {
    let Some(locked) = locked_at(state, consumer.id, vsc_id)? else {
        return Ok(());
    };
    let end = period_end(consumer, locked)?;
    if end <= now {
        forget(state, consumer.id, vsc_id);
    } else {
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

/// Restores `record` of `consumer` from genesis: the record, and its queue entry unless it is
/// the set last sent (in force, so its period has not started). Call after the consumer's next
/// vsc id is restored.
pub fn import(
    state: &mut dyn StateWrite,
    consumer: &Consumer,
    record: &SetRecord,
) -> AppResult<()> {
    put(state, consumer.id, record);
    if record.vsc_id != last_sent(state, consumer.id)? {
        let end = period_end(consumer, record.locked_at)?;
        state.put(
            keys::set_expiry(end, consumer.id, record.vsc_id),
            Vec::new(),
        );
    }
    Ok(())
}

/// Forgets every set of `consumer` and its queue entries (at deletion). Call before its next vsc
/// id is cleared.
pub fn clear(state: &mut dyn StateWrite, consumer: &Consumer) -> AppResult<()> {
    let last = last_sent(state, consumer.id)?;
    for record in records(state, consumer.id)? {
        if record.vsc_id != last {
            let end = period_end(consumer, record.locked_at)?;
            state.delete(keys::set_expiry(end, consumer.id, record.vsc_id));
        }
        forget(state, consumer.id, record.vsc_id);
    }
    Ok(())
}

/// The lowest vsc id in `vsc_ids` after which the provider sent `consumer` the set hashing to
/// `hash`, among the sets it still accepts at `now`: the set last sent, or one whose period has
/// not ended.
pub fn accepted_set(
    state: &dyn StateRead,
    consumer: &Consumer,
    hash: &[u8; 32],
    vsc_ids: RangeInclusive<u64>,
    now: BlockTime,
) -> AppResult<Option<u64>> {
    let id = consumer.id;
    let last = last_sent(state, id)?;
    let prefix = keys::with_id(keys::SET_HASH, id);
    let candidates: Vec<u64> = state
        .scan_from(&prefix, Some(&keys::set_hash(id, *vsc_ids.start())))
        .filter_map(|(key, value)| Some((keys::u64_at(&key, prefix.len())?, value)))
        .take_while(|(vsc_id, _)| vsc_id <= vsc_ids.end())
        .filter(|(_, value)| value.as_slice() == hash)
        .map(|(vsc_id, _)| vsc_id)
        .collect();
    for vsc_id in candidates {
        if vsc_id == last {
            return Ok(Some(vsc_id));
        }
        let locked = locked_at(state, id, vsc_id)?
            .ok_or_else(|| corrupt("set lock time", format!("none for vsc id {vsc_id}")))?;
        if period_end(consumer, locked)? > now {
            return Ok(Some(vsc_id));
        }
    }
    Ok(None)
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
///    unbonding period from the time it was sent — has not ended ([`accepted_set`]; see the
///    module documentation for why). A set never sent, outside `vsc_ids`, or past its period is
///    `consumer/17` (a set past its period is normally forgotten already);
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
    let Some(vsc_id_of_set) = accepted_set(state, consumer, &hash, vsc_ids, now)? else {
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
    );
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
            accepted_set(&state, &c, &a, ANY_SET, at(10_000)).expect("ok"),
            Some(0)
        );

        // Replaced at 10: its period (from 0, when it was sent) ends at 100.
        send(&mut state, &c, 1, 2, 10);
        assert_eq!(queue(&state), [keys::set_expiry(at(100), 7, 0)]);
        assert_eq!(
            accepted_set(&state, &c, &a, ANY_SET, at(99)).expect("ok"),
            Some(0)
        );
        assert_eq!(
            accepted_set(&state, &c, &a, ANY_SET, at(100)).expect("ok"),
            None
        );
        assert_eq!(
            accepted_set(&state, &c, &a, 1..=1, at(50)).expect("ok"),
            None
        );
        assert_eq!(
            accepted_set(&state, &c, &b, ANY_SET, at(500)).expect("ok"),
            Some(1)
        );
        assert_eq!(
            accepted_set(&state, &c, &[9; 32], ANY_SET, at(50)).expect("ok"),
            None
        );

        // Pruning reads the due entries only.
        assert_eq!(prune_expired(&mut state, at(99)), 0);
        assert_eq!(vsc_ids(&state, 7), [0, 1]);
        assert_eq!(prune_expired(&mut state, at(100)), 1);
        assert_eq!(vsc_ids(&state, 7), [1]);
        assert!(queue(&state).is_empty());

        // Replaced after its period already ended: forgotten at once.
        send(&mut state, &c, 2, 1, 200);
        assert_eq!(vsc_ids(&state, 7), [2]);
        assert!(queue(&state).is_empty());
        // The same set sent again is a new record with its own period.
        send(&mut state, &c, 3, 2, 250);
        assert_eq!(queue(&state), [keys::set_expiry(at(300), 7, 2)]);
        assert_eq!(
            accepted_set(&state, &c, &a, ANY_SET, at(260)).expect("ok"),
            Some(2)
        );
        assert_eq!(
            accepted_set(&state, &c, &b, 0..=2, at(260)).expect("ok"),
            None
        );
        assert_eq!(
            accepted_set(&state, &c, &b, ANY_SET, at(260)).expect("ok"),
            Some(3)
        );

        // Another consumer's sets are its own.
        let other = consumer(8);
        send(&mut state, &other, 0, 1, 260);
        assert_eq!(
            accepted_set(&state, &c, &a, 3..=9, at(260)).expect("ok"),
            None
        );
        assert_eq!(
            accepted_set(&state, &other, &a, ANY_SET, at(260)).expect("ok"),
            Some(0)
        );

        // Export → import restores records and queue; clear forgets consumer 7 only.
        let before: Vec<_> = state.scan_prefix(b"consumer/set").collect();
        let exported = records(&state, 7).expect("records");
        clear(&mut state, &c).expect("cleared");
        assert!(vsc_ids(&state, 7).is_empty());
        assert_eq!(vsc_ids(&state, 8), [0]);
        assert!(queue(&state).is_empty());
        for record in &exported {
            import(&mut state, &c, record).expect("imported");
        }
        assert_eq!(
            state.scan_prefix(b"consumer/set").collect::<Vec<_>>(),
            before
        );
    }
}
