//! Consumer keys: the ed25519 key each validator signs a consumer's blocks with. A key is unique
//! per consumer (no other validator's current or still-attributable key) and is never another
//! validator's provider consensus key. A replaced key of a launched consumer stays attributable
//! to its validator (for evidence) for the consumer's unbonding period.

use prost::Message;
use rampart_consumer::types::pubkey32;
use rampart_consumer::{Consumer, Phase};
use rampart_core::address::consensus_address;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{add_seconds, block_time, time_key, timestamp};
use rampart_core::{Address, ChainProfile};
use rampart_core::{
    BlockContext, BlockTime, Event, Events, StateRead, StateReadExt, StateWrite, StateWriteExt,
};
use rampart_proto::rampart::restaking::v1 as pb;
use rampart_staking::StakingRead;

use crate::errors::{err, RestakingCode};
use crate::keys;

/// Who a consumer key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRecord {
    /// The validator.
    pub operator: Address,
    /// The key.
    pub pubkey: [u8; 32],
    /// For a replaced key: attributable until then.
    pub retired_until: Option<BlockTime>,
}

impl KeyRecord {
    /// Whether the key is attributable to its validator at `now`.
    pub fn attributable(&self, now: BlockTime) -> bool {
        self.retired_until.is_none_or(|until| until > now)
    }

    /// The protobuf form, for consumer `id`.
    pub fn to_proto(&self, id: u64) -> pb::ConsumerKey {
        pb::ConsumerKey {
            validator: ChainProfile::rampart().to_valoper(&self.operator),
            consumer_id: id,
            consumer_pubkey: self.pubkey.to_vec(),
            consumer_address: consensus_address(&self.pubkey).to_vec(),
            retired_until: self.retired_until.map(timestamp),
        }
    }

    /// From the protobuf form.
    pub fn from_proto(p: &pb::ConsumerKey) -> AppResult<Self> {
        Ok(Self {
            operator: ChainProfile::rampart().valoper(&p.validator, "validator")?,
            pubkey: pubkey32(&p.consumer_pubkey)?,
            retired_until: p.retired_until.as_ref().map(block_time).transpose()?,
        })
    }
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("corrupt consumer key: {e}"))
}

/// The key `op` uses on consumer `id`.
pub fn current(state: &dyn StateRead, id: u64, op: &Address) -> AppResult<Option<[u8; 32]>> {
    state
        .get(&keys::consumer_key_in_use(id, op))
        .map(|bytes| pubkey32(&bytes).map_err(|e| corrupt(e.log)))
        .transpose()
}

/// The record of the key with consumer address `address` on consumer `id`.
pub fn by_address(
    state: &dyn StateRead,
    id: u64,
    address: &[u8; 20],
) -> AppResult<Option<KeyRecord>> {
    state
        .get_proto::<pb::ConsumerKey>(&keys::consumer_key_by_address(id, address))
        .map_err(corrupt)?
        .map(|p| KeyRecord::from_proto(&p).map_err(|e| corrupt(e.log)))
        .transpose()
}

/// Every key record of consumer `id`, in consumer-address order.
pub fn all_of_consumer(state: &dyn StateRead, id: u64) -> AppResult<Vec<KeyRecord>> {
    state
        .scan_prefix(&keys::with_id(keys::CONSUMER_KEY_BY_ADDRESS, id))
        .map(|(_, value)| {
            let p = pb::ConsumerKey::decode(value.as_slice()).map_err(corrupt)?;
            KeyRecord::from_proto(&p).map_err(|e| corrupt(e.log))
        })
        .collect()
}

/// Stores `record` with its index entries (by validator; by expiry when retired), replacing the
/// record of the same key and its entries.
fn put_record(state: &mut dyn StateWrite, id: u64, record: &KeyRecord) -> AppResult<()> {
    let address = consensus_address(&record.pubkey);
    delete_record(state, id, &address)?;
    state.put_proto(
        keys::consumer_key_by_address(id, &address),
        &record.to_proto(id),
    );
    state.put(
        keys::key_of_operator(id, &record.operator, &address),
        Vec::new(),
    );
    if let Some(until) = record.retired_until {
        state.put(keys::key_expiry(id, until, &address), Vec::new());
    }
    Ok(())
}

/// Deletes the record of the key with consumer address `address` and its index entries.
fn delete_record(state: &mut dyn StateWrite, id: u64, address: &[u8; 20]) -> AppResult<()> {
    let Some(old) = by_address(state, id, address)? else {
        return Ok(());
    };
    state.delete(keys::consumer_key_by_address(id, address));
    state.delete(keys::key_of_operator(id, &old.operator, address));
    if let Some(until) = old.retired_until {
        state.delete(keys::key_expiry(id, until, address));
    }
    Ok(())
}

/// Stores a record (genesis import), and the current key when it is not retired.
pub fn import(state: &mut dyn StateWrite, id: u64, record: &KeyRecord) -> AppResult<()> {
    put_record(state, id, record)?;
    if record.retired_until.is_none() {
        state.put(
            keys::consumer_key_in_use(id, &record.operator),
            record.pubkey.to_vec(),
        );
    }
    Ok(())
}

/// Checks that `op` may use `pubkey` on consumer `id` at `now` (`restaking/9` otherwise, naming
/// the holder with `profile`'s operator prefix).
pub fn check_available(
    state: &dyn StateRead,
    profile: &ChainProfile,
    id: u64,
    op: &Address,
    pubkey: &[u8; 32],
    now: BlockTime,
) -> AppResult<()> {
    let address = consensus_address(pubkey);
    if let Some(record) = by_address(state, id, &address)? {
        if record.operator != *op && record.attributable(now) {
            return Err(err(
                RestakingCode::KeyInUse,
                format!(
                    "consumer key {} is in use by validator {} on consumer {id}",
                    hex::encode(pubkey),
                    profile.to_valoper(&record.operator)
                ),
            ));
        }
    }
    if let Some(v) = state.validator_by_consensus_address(&address)? {
        if v.operator != *op {
            return Err(err(
                RestakingCode::KeyInUse,
                format!(
                    "consumer key {} is the provider consensus key of validator {}",
                    hex::encode(pubkey),
                    profile.to_valoper(&v.operator)
                ),
            ));
        }
    }
    Ok(())
}

/// Makes `pubkey` the key `op` uses on `consumer` (checked with [`check_available`]). The key
/// it replaces stays attributable for the consumer's unbonding period if the consumer is
/// launched (it may have signed with it), and is forgotten otherwise. Returns whether anything
/// changed; emits `assign_consumer_key`.
pub fn assign(
    state: &mut dyn StateWrite,
    consumer: &Consumer,
    op: &Address,
    pubkey: [u8; 32],
    block: &BlockContext,
    events: &mut Events,
) -> AppResult<bool> {
    let (profile, now) = (&block.profile, block.time);
    let id = consumer.id;
    let old = current(state, id, op)?;
    if old == Some(pubkey) {
        return Ok(false);
    }
    check_available(state, profile, id, op, &pubkey, now)?;
    if let Some(old) = old {
        let old_address = consensus_address(&old);
        if matches!(consumer.phase, Phase::Launched | Phase::Stopped) {
            let until = add_seconds(now, consumer.params.unbonding_period_seconds)?;
            put_record(
                state,
                id,
                &KeyRecord {
                    operator: *op,
                    pubkey: old,
                    retired_until: Some(until),
                },
            )?;
        } else {
            delete_record(state, id, &old_address)?;
        }
    }
    state.put(keys::consumer_key_in_use(id, op), pubkey.to_vec());
    put_record(
        state,
        id,
        &KeyRecord {
            operator: *op,
            pubkey,
            retired_until: None,
        },
    )?;
    events.push(
        Event::new("assign_consumer_key")
            .attr("consumer_id", id.to_string())
            .attr("validator", profile.to_valoper(op))
            .attr("consumer_pubkey", hex::encode(pubkey))
            .attr(
                "consumer_address",
                profile.to_valcons(&consensus_address(&pubkey)),
            ),
    );
    Ok(true)
}

/// Forgets every key of `op` on consumer `id` (its pledge is gone): reads only its records,
/// through the by-validator index.
pub fn remove_validator(state: &mut dyn StateWrite, id: u64, op: &Address) -> AppResult<()> {
    state.delete(keys::consumer_key_in_use(id, op));
    let prefix = keys::keys_of_operator(id, op);
    let addresses: Vec<[u8; 20]> = state
        .scan_prefix(&prefix)
        .filter_map(|(key, _)| keys::addr_at(&key, prefix.len()).map(|a| a.0))
        .collect();
    for address in addresses {
        delete_record(state, id, &address)?;
    }
    Ok(())
}

/// Forgets the replaced keys of consumer `id` that are no longer attributable at `now`: reads
/// only the due entries of the expiry index (and the first one not due).
pub fn prune(state: &mut dyn StateWrite, id: u64, now: BlockTime) -> AppResult<()> {
    let prefix = keys::with_id(keys::KEY_EXPIRY, id);
    let now_key = time_key(now);
    let time_at = prefix.len();
    let address_at = time_at.saturating_add(now_key.len());
    let due: Vec<[u8; 20]> = state
        .scan_prefix(&prefix)
        // Attributable while `until > now`: due once `until <= now`.
        .take_while(|(key, _)| key.get(time_at..address_at) <= Some(&now_key[..]))
        .filter_map(|(key, _)| keys::addr_at(&key, address_at).map(|a| a.0))
        .collect();
    for address in due {
        delete_record(state, id, &address)?;
    }
    Ok(())
}
