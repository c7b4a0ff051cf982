//! Consumer state and the extension traits the modules above read and write it through:
//! [`ConsumerRead`] for everyone (restaking reads the registry), [`ConsumerWrite`] for restaking,
//! which decides launches and validator sets and records them here (so the consumer queries —
//! genesis, validators, packets — answer from one module's state).

use std::collections::BTreeMap;

use prost::Message;
use rampart_bank::Coin;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Address, ChainProfile};
use rampart_core::{
    BlockTime, Decimal, Event, Events, StateRead, StateReadExt, StateWrite, StateWriteExt,
};
use rampart_proto::rampart::consumer::v1 as pb;

use crate::entry::Consumer;
use crate::errors::{err, ConsumerCode};
use crate::keys;
use crate::lists::ConsumerLists;
use crate::params::{self, ModuleParams};
use crate::types::{ConsumerValidator, Phase};
use rampart_core::wire::timestamp;
use rampart_staking::StakingRead;

/// The name of the module account holding deposits and reward pools.
pub const MODULE_ACCOUNT: &str = "consumer";

/// The consumer module account's address.
pub fn module_address() -> Address {
    Address::module(MODULE_ACCOUNT)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::sdk(
        SdkCode::Logic,
        format!("corrupt consumer state ({what}): {e}"),
    )
}

fn read_u64(state: &dyn StateRead, key: &[u8]) -> AppResult<u64> {
    match state.get(key) {
        None => Ok(0),
        Some(bytes) => <[u8; 8]>::try_from(bytes.as_slice())
            .map(u64::from_be_bytes)
            .map_err(|e| corrupt("counter", e)),
    }
}

/// The registry entry of consumer `id`.
pub fn load(state: &dyn StateRead, id: u64) -> AppResult<Option<Consumer>> {
    state
        .get(&keys::consumer(id))
        .map(|bytes| Consumer::decode(&bytes))
        .transpose()
}

/// The registry entry of consumer `id`, which must exist (`consumer/5`).
pub fn must_load(state: &dyn StateRead, id: u64) -> AppResult<Consumer> {
    load(state, id)?.ok_or_else(|| {
        err(
            ConsumerCode::UnknownConsumer,
            format!("consumer {id} does not exist"),
        )
    })
}

/// Consumer `id`'s registry entry as queries answer it: with its allow/deny lists in its
/// parameters (`consumer/5` when it does not exist).
pub fn queried(state: &dyn StateRead, id: u64) -> AppResult<pb::Consumer> {
    let mut p = must_load(state, id)?.to_proto();
    if let Some(params) = p.params.as_mut() {
        crate::lists::load(state, id)?.fill(params);
    }
    Ok(p)
}

/// Stops launched `consumer` now: phase STOPPED (its queue entries and slash meter go with it),
/// no pending parameters (nor the lists waiting with them), deletion
/// `provider_unbonding_seconds` later. Event
/// `consumer_stopped{consumer_id, chain_id, delete_time, reason}` (`removed` by its owner,
/// `ccv_timeout`, or `empty_validator_set` when its next set would have no validators).
pub fn stop(
    state: &mut dyn StateWrite,
    mut consumer: Consumer,
    now: BlockTime,
    provider_unbonding_seconds: u64,
    reason: &str,
    events: &mut Events,
) -> AppResult<()> {
    let delete_time = rampart_core::wire::add_seconds(now, provider_unbonding_seconds)?;
    consumer.phase = Phase::Stopped;
    consumer.stop_time = Some(now);
    consumer.delete_time = Some(delete_time);
    consumer.pending = None;
    save(state, &consumer)?;
    crate::lists::store_pending(state, consumer.id, None);
    crate::meter::clear(state, consumer.id)?;
    events.push(
        Event::new("consumer_stopped")
            .attr("consumer_id", consumer.id.to_string())
            .attr("chain_id", consumer.chain_id)
            .attr("delete_time", rampart_core::wire::rfc3339(delete_time))
            .attr("reason", reason),
    );
    Ok(())
}

/// Stores `consumer`, keeping the phase index and the chain-id index in step (a chain id stays
/// taken by its consumer in every phase, deleted included: chain ids are never reused), and every
/// queue of [`crate::queues`] (ccv timeout, spawn, deletion, pending parameters, registration
/// expiry, epochs, rewards).
pub fn save(state: &mut dyn StateWrite, consumer: &Consumer) -> AppResult<()> {
    let old = load(state, consumer.id)?;
    if let Some(old) = &old {
        if old.phase != consumer.phase {
            state.delete(keys::phase(old.phase.byte(), consumer.id));
        }
    }
    crate::queues::sync(state, old.as_ref(), consumer);
    state.put(keys::phase(consumer.phase.byte(), consumer.id), Vec::new());
    state.put(
        keys::chain_id(&consumer.chain_id),
        consumer.id.to_be_bytes().to_vec(),
    );
    state.put_proto(keys::consumer(consumer.id), &consumer.to_proto());
    Ok(())
}

/// Ids of the consumers in `phase`, ascending.
pub fn ids_in_phase(state: &dyn StateRead, phase: Phase) -> Vec<u64> {
    let prefix = keys::phase_prefix(phase.byte());
    state
        .scan_prefix(&prefix)
        .filter_map(|(key, _)| keys::u64_at(&key, prefix.len()))
        .collect()
}

/// Every consumer id, ascending.
pub fn all_ids(state: &dyn StateRead) -> Vec<u64> {
    state
        .scan_prefix(keys::REGISTRY)
        .filter_map(|(key, _)| keys::u64_at(&key, keys::REGISTRY.len()))
        .collect()
}

/// The set last sent to consumer `id`, in operator order.
pub fn validators(state: &dyn StateRead, id: u64) -> AppResult<Vec<ConsumerValidator>> {
    let prefix = keys::with_id(keys::VALIDATOR, id);
    state
        .scan_prefix(&prefix)
        .map(|(_, value)| {
            let p = pb::ConsumerValidator::decode(value.as_slice())
                .map_err(|e| corrupt("validator", e))?;
            ConsumerValidator::from_proto(&p).map_err(|e| corrupt("validator", e.log))
        })
        .collect()
}

/// Replaces the stored set of consumer `id` with `set`.
fn write_validators(state: &mut dyn StateWrite, id: u64, set: &[ConsumerValidator]) {
    let prefix = keys::with_id(keys::VALIDATOR, id);
    let old: Vec<Vec<u8>> = state.scan_prefix(&prefix).map(|(k, _)| k).collect();
    for key in old {
        state.delete(key);
    }
    for v in set {
        state.put_proto(keys::validator(id, &v.operator), &v.to_proto());
    }
}

/// The validator-set changes from `old` to `new`, ordered by key, each naming the provider
/// operator the key belongs to: a validator that left (or changed keys) sends its old key with
/// power 0, one that joined, changed power or changed keys sends its key with the new power.
/// `diff(&[], set)` is `set` itself: the initial validators of a consumer genesis.
pub fn diff(old: &[ConsumerValidator], new: &[ConsumerValidator]) -> Vec<pb::ValidatorUpdate> {
    let old_by_op: BTreeMap<Address, &ConsumerValidator> =
        old.iter().map(|v| (v.operator, v)).collect();
    let new_by_op: BTreeMap<Address, &ConsumerValidator> =
        new.iter().map(|v| (v.operator, v)).collect();
    let mut updates: BTreeMap<[u8; 32], (u64, Address)> = BTreeMap::new();
    for (op, v) in &old_by_op {
        match new_by_op.get(op) {
            Some(n) if n.consumer_pubkey == v.consumer_pubkey => {}
            _ => {
                updates.insert(v.consumer_pubkey, (0, *op));
            }
        }
    }
    for (op, v) in &new_by_op {
        match old_by_op.get(op) {
            Some(o) if o.consumer_pubkey == v.consumer_pubkey && o.power == v.power => {}
            _ => {
                updates.insert(v.consumer_pubkey, (v.power, *op));
            }
        }
    }
    updates
        .into_iter()
        .map(|(key, (power, op))| pb::ValidatorUpdate {
            consumer_pubkey: key.to_vec(),
            power,
            provider_operator: ChainProfile::rampart().to_valoper(&op),
        })
        .collect()
}

/// Deletes consumer `id`'s entries under `prefix` (keyed `prefix ‖ id ‖ vsc_id`) whose vsc id
/// is below `below`; returns how many.
fn delete_below(state: &mut dyn StateWrite, prefix: &[u8], id: u64, below: u64) -> u64 {
    let prefix = keys::with_id(prefix, id);
    let found: Vec<Vec<u8>> = state
        .scan_prefix(&prefix)
        .map(|(key, _)| key)
        .take_while(|key| keys::u64_at(key, prefix.len()).is_some_and(|k| k < below))
        .collect();
    let count = u64::try_from(found.len()).unwrap_or(u64::MAX);
    for key in found {
        state.delete(key);
    }
    count
}

/// Forgets the packets consumer `id` applied once it acknowledged `vsc_id` (ids up to `vsc_id`);
/// returns how many. The sets they carried stay recorded for their period ([`crate::sets`]).
pub fn prune_acknowledged(state: &mut dyn StateWrite, id: u64, vsc_id: u64) -> u64 {
    delete_below(state, keys::VSC_PACKET, id, vsc_id.saturating_add(1))
}

/// The stored packets of consumer `id` as `(vsc_id, packet)`, ascending.
pub fn packets(
    state: &dyn StateRead,
    id: u64,
) -> AppResult<Vec<(u64, pb::ValidatorSetChangePacket)>> {
    let prefix = keys::with_id(keys::VSC_PACKET, id);
    state
        .scan_prefix(&prefix)
        .map(|(key, value)| {
            let vsc = keys::u64_at(&key, prefix.len()).ok_or_else(|| corrupt("packet key", ""))?;
            let packet = pb::ValidatorSetChangePacket::decode(value.as_slice())
                .map_err(|e| corrupt("packet", e))?;
            Ok((vsc, packet))
        })
        .collect()
}

/// Slash acks waiting for consumer `id`'s next packet, in address order.
pub fn pending_slash_acks(state: &dyn StateRead, id: u64) -> Vec<[u8; 20]> {
    let prefix = keys::with_id(keys::SLASH_ACKS, id);
    state
        .scan_prefix(&prefix)
        .filter_map(|(key, _)| keys::addr_at(&key, prefix.len()))
        .collect()
}

/// A list of coins as stored (`repeated Coin coins = 1`, sorted by denom).
#[derive(Clone, PartialEq, prost::Message)]
struct StoredCoins {
    #[prost(message, repeated, tag = "1")]
    coins: Vec<cosmos_sdk_proto::cosmos::base::v1beta1::Coin>,
}

/// Decodes stored coins.
fn coins_from_store(bytes: &[u8]) -> AppResult<Vec<Coin>> {
    let stored = StoredCoins::decode(bytes)
        .map_err(|e| AppError::sdk(SdkCode::Logic, format!("corrupt coins in state: {e}")))?;
    rampart_core::coins::parse_coins(&stored.coins)
}

/// The reward pool of consumer `id`.
pub fn pool(state: &dyn StateRead, id: u64) -> AppResult<Vec<Coin>> {
    match state.get(&keys::pool(id)) {
        Some(bytes) => coins_from_store(&bytes),
        None => Ok(Vec::new()),
    }
}

/// Stores the reward pool of consumer `id` (deleted when empty).
pub fn set_pool(state: &mut dyn StateWrite, id: u64, pool: &[Coin]) {
    if pool.is_empty() {
        state.delete(keys::pool(id));
    } else {
        state.put_proto(
            keys::pool(id),
            &StoredCoins {
                coins: rampart_core::coins::to_proto(pool),
            },
        );
    }
}

/// The commission rate `op` set for consumer `id`, if any.
pub fn commission(state: &dyn StateRead, id: u64, op: &Address) -> AppResult<Option<Decimal>> {
    state
        .get(&keys::commission(id, op))
        .map(|bytes| {
            std::str::from_utf8(&bytes)
                .map_err(|e| corrupt("commission", e))?
                .parse::<Decimal>()
                .map_err(|e| corrupt("commission", e.log))
        })
        .transpose()
}

/// Every commission of consumer `id` as `(operator, rate)`.
pub fn commissions(state: &dyn StateRead, id: u64) -> AppResult<Vec<(Address, Decimal)>> {
    let prefix = keys::with_id(keys::COMMISSION, id);
    let ops: Vec<Address> = state
        .scan_prefix(&prefix)
        .filter_map(|(key, _)| keys::addr_at(&key, prefix.len()).map(Address))
        .collect();
    let mut out = Vec::new();
    for op in ops {
        if let Some(rate) = commission(state, id, &op)? {
            out.push((op, rate));
        }
    }
    Ok(out)
}

/// Stores a commission rate.
pub fn set_commission(state: &mut dyn StateWrite, id: u64, op: &Address, rate: Decimal) {
    state.put(keys::commission(id, op), rate.to_string().into_bytes());
}

/// The next consumer id.
pub fn next_id(state: &dyn StateRead) -> AppResult<u64> {
    read_u64(state, keys::NEXT_ID)
}

/// Stores the next consumer id.
pub fn set_next_id(state: &mut dyn StateWrite, id: u64) {
    state.put(keys::NEXT_ID.to_vec(), id.to_be_bytes().to_vec());
}

/// The next vsc id of consumer `id` (1 for a consumer that has sent none).
pub fn next_vsc_id(state: &dyn StateRead, id: u64) -> AppResult<u64> {
    Ok(crate::sets::last_sent(state, id)?.saturating_add(1))
}

/// Stores a packet and advances the next vsc id past it.
pub fn put_packet(state: &mut dyn StateWrite, packet: &pb::ValidatorSetChangePacket) {
    state.put_proto(keys::packet(packet.consumer_id, packet.vsc_id), packet);
    state.put(
        keys::next_vsc(packet.consumer_id),
        packet.vsc_id.saturating_add(1).to_be_bytes().to_vec(),
    );
}

/// The genesis of consumer `id`, once launched.
pub fn genesis(state: &dyn StateRead, id: u64) -> AppResult<Option<pb::ConsumerGenesis>> {
    state
        .get_proto::<pb::ConsumerGenesis>(&keys::genesis(id))
        .map_err(|e| corrupt("genesis", e))
}

/// The seq of the last downtime record processed for consumer `id` (0: none yet).
pub fn last_downtime_seq(state: &dyn StateRead, id: u64) -> AppResult<u64> {
    match state.get(&keys::downtime_seq(id)) {
        None => Ok(0),
        Some(bytes) => keys::u64_at(&bytes, 0).ok_or_else(|| corrupt("last downtime seq", "")),
    }
}

/// Records `seq` as the last downtime record processed for consumer `id` (0 stores nothing).
pub fn set_last_downtime_seq(state: &mut dyn StateWrite, id: u64, seq: u64) {
    if seq > 0 {
        state.put(keys::downtime_seq(id), seq.to_be_bytes().to_vec());
    }
}

/// Stores the genesis of a consumer.
pub fn put_genesis(state: &mut dyn StateWrite, genesis: &pb::ConsumerGenesis) {
    state.put_proto(keys::genesis(genesis.consumer_id), genesis);
}

/// Removes everything of `consumer` but its registry entry (and so its chain id): set, packets,
/// recorded sets, acks, genesis, pool, commissions, lists and counters.
pub fn clear(state: &mut dyn StateWrite, consumer: &Consumer) -> AppResult<()> {
    let id = consumer.id;
    crate::sets::clear(state, consumer)?;
    let prefixes = [
        keys::with_id(keys::VALIDATOR, id),
        keys::with_id(keys::VSC_PACKET, id),
        keys::with_id(keys::SLASH_ACKS, id),
        keys::with_id(keys::COMMISSION, id),
    ];
    for prefix in prefixes {
        let found: Vec<Vec<u8>> = state.scan_prefix(&prefix).map(|(k, _)| k).collect();
        for key in found {
            state.delete(key);
        }
    }
    state.delete(keys::genesis(id));
    state.delete(keys::pool(id));
    state.delete(keys::lists(id));
    state.delete(keys::pending_lists(id));
    state.delete(keys::next_vsc(id));
    state.delete(keys::downtime_seq(id));
    Ok(())
}

/// The consumer registry as the modules above read it, available on every [`StateRead`].
pub trait ConsumerRead: StateRead {
    /// Consumer `id`'s registry entry.
    fn consumer(&self, id: u64) -> AppResult<Option<Consumer>> {
        let state: &dyn StateRead = &self;
        load(state, id)
    }

    /// Consumer `id`'s registry entry; `consumer/5` when it does not exist.
    fn must_consumer(&self, id: u64) -> AppResult<Consumer> {
        let state: &dyn StateRead = &self;
        must_load(state, id)
    }

    /// Ids of the consumers in `phase`, ascending.
    fn consumers_in_phase(&self, phase: Phase) -> Vec<u64> {
        let state: &dyn StateRead = &self;
        ids_in_phase(state, phase)
    }

    /// The validator set last sent to consumer `id`, in operator order.
    fn consumer_validators(&self, id: u64) -> AppResult<Vec<ConsumerValidator>> {
        let state: &dyn StateRead = &self;
        validators(state, id)
    }

    /// The consumer module's parameters.
    fn consumer_module_params(&self) -> AppResult<ModuleParams> {
        let state: &dyn StateRead = &self;
        params::load(state)
    }

    /// Consumer `id`'s allow/deny lists in force: read only when its set is computed.
    fn consumer_lists(&self, id: u64) -> AppResult<ConsumerLists> {
        let state: &dyn StateRead = &self;
        crate::lists::load(state, id)
    }

    /// `consumer`'s parameters in their protobuf form with its allow/deny lists (as written into
    /// its consumer genesis).
    fn consumer_params_with_lists(&self, consumer: &Consumer) -> AppResult<pb::ConsumerParams> {
        let mut p = consumer.params.to_proto();
        self.consumer_lists(consumer.id)?.fill(&mut p);
        Ok(p)
    }

    /// Ids of the registered consumers whose spawn time has come at `now`, in spawn-time order
    /// (reads only the due entries of the spawn queue).
    fn consumer_spawns_due(&self, now: BlockTime) -> Vec<u64> {
        let state: &dyn StateRead = &self;
        crate::queues::due(state, keys::SPAWN_DUE, now)
    }

    /// Ids of the launched consumers whose epoch check is due at `height`, ascending (reads only
    /// the due entries of the epoch queue).
    fn consumer_epochs_due(&self, height: u64) -> Vec<u64> {
        let state: &dyn StateRead = &self;
        crate::queues::epochs_due(state, height)
    }
}

impl<T: StateRead + ?Sized> ConsumerRead for T {}

/// What restaking records in the consumer registry, available on every [`StateWrite`].
pub trait ConsumerWrite: StateWrite + ConsumerRead {
    /// Launches registered consumer `id` with `genesis` and its initial `set`: phase LAUNCHED,
    /// the genesis and the set stored (the set is vsc id 0, no packet; it is recorded as sent at
    /// `time`, [`crate::sets::record_sent`]), a `consumer_launched` event.
    fn launch_consumer(
        &mut self,
        id: u64,
        genesis: &pb::ConsumerGenesis,
        set: &[ConsumerValidator],
        height: u64,
        time: BlockTime,
        events: &mut Events,
    ) -> AppResult<()> {
        let mut s = self;
        let state: &mut dyn StateWrite = &mut s;
        let mut consumer = must_load(state, id)?;
        if consumer.phase != Phase::Registered {
            return Err(AppError::sdk(
                SdkCode::Logic,
                format!("consumer {id} launched twice"),
            ));
        }
        consumer.phase = Phase::Launched;
        consumer.launch_height = height;
        consumer.launch_time = Some(time);
        // The launch is the first time the provider "hears" from the consumer: the ccv timeout
        // runs from here until an acknowledged packet refreshes it.
        consumer.last_heard_from = Some(time);
        save(state, &consumer)?;
        put_genesis(state, genesis);
        write_validators(state, id, set);
        crate::sets::record_sent(state, &consumer, 0, set, time)?;
        crate::meter::start(state, id, set, time)?;
        events.push(
            Event::new("consumer_launched")
                .attr("consumer_id", id.to_string())
                .attr("chain_id", consumer.chain_id)
                .attr("validators", set.len().to_string())
                .attr("height", height.to_string()),
        );
        Ok(())
    }

    /// Records a failed launch of consumer `id`: it stays registered, its spawn time is cleared
    /// (the owner schedules a new one), and a `consumer_launch_failed{consumer_id, reason}` event
    /// names the threshold that was not met.
    fn fail_launch(&mut self, id: u64, reason: &str, events: &mut Events) -> AppResult<()> {
        let mut s = self;
        let state: &mut dyn StateWrite = &mut s;
        let mut consumer = must_load(state, id)?;
        consumer.spawn_time = None;
        save(state, &consumer)?;
        events.push(
            Event::new("consumer_launch_failed")
                .attr("consumer_id", id.to_string())
                .attr("chain_id", consumer.chain_id)
                .attr("reason", reason),
        );
        Ok(())
    }

    /// Records `set` as consumer `id`'s new set, computed at `height`/`time`. When it differs
    /// from the set last sent, or slash acks are waiting, stores the next
    /// [`pb::ValidatorSetChangePacket`] under [`keys::packet`], records the new set as sent at
    /// `time` ([`crate::sets::record_sent`]: the set it replaces starts its period), and returns
    /// its vsc id (event
    /// `vsc_packet{consumer_id, vsc_id, updates, slash_acks}`).
    ///
    /// A set without power would leave the consumer chain without validators (CometBFT halts):
    /// that packet is never sent. The consumer is stopped instead
    /// (`consumer_stopped{reason=empty_validator_set}`, deletion one provider unbonding period
    /// later), keeping the set last sent — the one its validators still sign with.
    fn record_validator_set(
        &mut self,
        id: u64,
        set: &[ConsumerValidator],
        height: u64,
        time: BlockTime,
        events: &mut Events,
    ) -> AppResult<Option<u64>> {
        let mut s = self;
        let state: &mut dyn StateWrite = &mut s;
        if set.iter().all(|v| v.power == 0) {
            let consumer = must_load(state, id)?;
            let unbonding = u64::try_from(state.unbonding_time()?.seconds).unwrap_or(0);
            stop(
                state,
                consumer,
                time,
                unbonding,
                "empty_validator_set",
                events,
            )?;
            return Ok(None);
        }
        let old = validators(state, id)?;
        let updates = diff(&old, set);
        let acks = pending_slash_acks(state, id);
        write_validators(state, id, set);
        if updates.is_empty() && acks.is_empty() {
            return Ok(None);
        }
        let vsc_id = next_vsc_id(state, id)?;
        let packet = pb::ValidatorSetChangePacket {
            consumer_id: id,
            vsc_id,
            provider_height: height,
            updates,
            slash_acks: acks.iter().map(|a| a.to_vec()).collect(),
            provider_time: Some(timestamp(time)),
        };
        put_packet(state, &packet);
        let consumer = must_load(state, id)?;
        crate::sets::record_sent(state, &consumer, vsc_id, set, time)?;
        crate::meter::resize(state, id, set)?;
        for ack in &acks {
            state.delete(keys::slash_ack(id, ack));
        }
        events.push(
            Event::new("vsc_packet")
                .attr("consumer_id", id.to_string())
                .attr("vsc_id", vsc_id.to_string())
                .attr("updates", packet.updates.len().to_string())
                .attr("slash_acks", acks.len().to_string())
                .attr("provider_height", height.to_string()),
        );
        Ok(Some(vsc_id))
    }

    /// Queues launched consumer `id`'s next epoch check at `height`.
    fn schedule_consumer_epoch(&mut self, id: u64, height: u64) {
        let mut s = self;
        let state: &mut dyn StateWrite = &mut s;
        crate::queues::schedule_epoch(state, id, height);
    }

    /// Queues a slash ack (the consumer consensus address of a validator slashed for an
    /// infraction on consumer `id`) for the next packet.
    fn add_slash_ack(&mut self, id: u64, consumer_address: &[u8; 20]) {
        self.put(keys::slash_ack(id, consumer_address), Vec::new());
    }
}

impl<T: StateWrite + ?Sized> ConsumerWrite for T {}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::Amount;

    fn v(op: u8, key: u8, power: u64) -> ConsumerValidator {
        ConsumerValidator {
            operator: Address([op; 20]),
            consumer_pubkey: [key; 32],
            power,
            pledged_tokens: Amount(u128::from(power) * 1_000_000),
            pledge_bps: 10_000,
            validator_power: power,
            provider_height: 1,
        }
    }

    #[test]
    fn diff_sends_removals_key_changes_and_power_changes_only() {
        let old = [v(1, 1, 10), v(2, 2, 20), v(3, 3, 30)];
        let new = [v(1, 1, 10), v(2, 9, 20), v(3, 3, 31), v(4, 4, 5)];
        let updates: Vec<(u8, u64)> = diff(&old, &new)
            .into_iter()
            .map(|u| (u.consumer_pubkey[0], u.power))
            .collect();
        assert_eq!(updates, [(2, 0), (3, 31), (4, 5), (9, 20)]);
        assert!(diff(&old, &old).is_empty());
        let gone: Vec<(u8, u64)> = diff(&old, &[])
            .into_iter()
            .map(|u| (u.consumer_pubkey[0], u.power))
            .collect();
        assert_eq!(gone, [(1, 0), (2, 0), (3, 0)]);
        // Every update names the operator owning the key; from nothing, the whole set.
        let named: Vec<(u8, String)> = diff(&old, &new)
            .into_iter()
            .map(|u| (u.consumer_pubkey[0], u.provider_operator))
            .collect();
        let op = |n: u8| ChainProfile::rampart().to_valoper(&Address([n; 20]));
        assert_eq!(named, [(2, op(2)), (3, op(3)), (4, op(4)), (9, op(2))]);
        assert_eq!(diff(&[], &old).len(), 3);
    }
}
