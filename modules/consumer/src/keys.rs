//! Every state key of the consumer module, built in one place. Consumer ids and vsc ids are
//! 8-byte big-endian integers (so keys iterate in numeric order), operators raw 20 bytes.
//!
//! | key | value |
//! |-----|-------|
//! | `consumer/params` | `rampart.consumer.v1.Params` |
//! | `consumer/next_id` | next consumer id (u64 BE) |
//! | `consumer/c/ ‖ id` | `Consumer` (the registry entry, kept after deletion) |
//! | `consumer/phase/ ‖ phase (1 byte) ‖ id` | empty: phase index |
//! | `consumer/chain/ ‖ chain_id` | id of the consumer that registered that chain id (kept after its deletion: chain ids are never reused) |
//! | `consumer/genesis/ ‖ id` | `ConsumerGenesis` |
//! | `consumer/val/ ‖ id ‖ operator` | `ConsumerValidator`: the set last sent |
//! | `consumer/vsc/ ‖ id ‖ vsc_id` | `ValidatorSetChangePacket` (**the proven packet key**) |
//! | `consumer/next_vsc/ ‖ id` | next vsc id (u64 BE) |
//! | `consumer/acks/ ‖ id ‖ consumer address` | empty: slash acks for the next packet |
//! | `consumer/pool/ ‖ id` | reward pool (`Params`-style coin list) |
//! | `consumer/comm/ ‖ id ‖ operator` | per-consumer commission rate (decimal text) |
//! | `consumer/timeout/ ‖ time_key(due) ‖ id` | empty: launched consumers by ccv-timeout time |
//! | `consumer/sethash/ ‖ id ‖ vsc_id` | the CometBFT hash (32 bytes) of the consumer's set after `vsc_id` (0: the launch set) |
//! | `consumer/setlock/ ‖ id ‖ vsc_id` | `google.protobuf.Timestamp`: when that set was sent (its stake locked) |
//! | `consumer/setexpiry/ ‖ time_key(expiry) ‖ id ‖ vsc_id` | empty: replaced sets by the end of their period |
//! | `consumer/meter/ ‖ id` | `SlashMeter`: a launched consumer's slash meter |
//! | `consumer/meterdue/ ‖ time_key(due) ‖ id` | empty: slash meters by next replenish time |
//! | `consumer/setmember/ ‖ id ‖ vsc_id ‖ consumer address` | `ConsumerValidator`: a member of that set (power > 0) with the stake counted for it |
//! | `consumer/lists/ ‖ id` | `ConsumerLists`: the allow/deny lists in force (absent: none) |
//! | `consumer/pendinglists/ ‖ id` | `ConsumerLists`: lists waiting for the pending parameters' effective time |
//! | `consumer/spawndue/ ‖ time_key(spawn) ‖ id` | empty: registered consumers by spawn time |
//! | `consumer/deletedue/ ‖ time_key(delete) ‖ id` | empty: stopped consumers by deletion time |
//! | `consumer/pendingdue/ ‖ time_key(effective) ‖ id` | empty: consumers with pending parameters by effective time |
//! | `consumer/expirydue/ ‖ time_key(expiry) ‖ id` | empty: registered consumers by registration expiry |
//! | `consumer/epochdue/ ‖ height (u64 BE) ‖ id` | empty: launched consumers by the height of their next epoch check (0: the next end block) |
//! | `consumer/epochat/ ‖ id` | the height of consumer `id`'s entry in `consumer/epochdue/` (u64 BE) |
//! | `consumer/paying/ ‖ id` | empty: launched consumers with a reward rate whose payments are not paused (or that were funded since) |

use rampart_core::Address;

/// Module parameters.
pub const PARAMS: &[u8] = b"consumer/params";
/// The next consumer id.
pub const NEXT_ID: &[u8] = b"consumer/next_id";
/// Registry entries (`c`: one `Consumer` per id).
pub const REGISTRY: &[u8] = b"consumer/c/";
/// Phase index.
pub const PHASE: &[u8] = b"consumer/phase/";
/// Chain ids of every consumer ever registered (never reused).
pub const CHAIN_ID: &[u8] = b"consumer/chain/";
/// Consumer genesis documents.
pub const GENESIS: &[u8] = b"consumer/genesis/";
/// The validator set last sent to each consumer.
pub const VALIDATOR: &[u8] = b"consumer/val/";
/// Validator-set-change packets (`vsc`: the proven packet keys).
pub const VSC_PACKET: &[u8] = rampart_ccv::proven::PROVIDER_PACKET_PREFIX;
/// Next vsc id per consumer.
pub const NEXT_VSC: &[u8] = b"consumer/next_vsc/";
/// Slash acks waiting for the next packet.
pub const SLASH_ACKS: &[u8] = b"consumer/acks/";
/// The seq of the last downtime record processed per consumer (u64 BE).
pub const DOWNTIME_SEQ: &[u8] = b"consumer/downtime_seq/";
/// Reward pools.
pub const POOL: &[u8] = b"consumer/pool/";
/// Per-consumer commission rates.
pub const COMMISSION: &[u8] = b"consumer/comm/";

/// The ccv-timeout queue: launched consumers in the order they time out.
pub const TIMEOUT: &[u8] = b"consumer/timeout/";
/// The CometBFT hashes of the sets the provider dictated, per vsc id, kept for the consumer's
/// unbonding period from the time each was sent (the set last sent for as long as it is).
pub const SET_HASH: &[u8] = b"consumer/sethash/";
/// When each set of [`SET_HASH`] was sent: the provider block time its stake was locked.
pub const SET_LOCK: &[u8] = b"consumer/setlock/";
/// The set-expiry queue: replaced sets in the order their period ends.
pub const SET_EXPIRY: &[u8] = b"consumer/setexpiry/";
/// Slash meters of launched consumers.
pub const METER: &[u8] = b"consumer/meter/";
/// The replenish queue: slash meters in the order they next replenish.
pub const METER_DUE: &[u8] = b"consumer/meterdue/";
/// The members of each set of [`SET_HASH`] with the stake counted for them, by consumer
/// consensus address: what an infraction in that set is charged against.
pub const SET_MEMBER: &[u8] = b"consumer/setmember/";

/// Allow/deny lists in force, per consumer.
pub const LISTS: &[u8] = b"consumer/lists/";
/// Allow/deny lists waiting for the pending parameters' effective time.
pub const PENDING_LISTS: &[u8] = b"consumer/pendinglists/";
/// The spawn queue: registered consumers by spawn time.
pub const SPAWN_DUE: &[u8] = b"consumer/spawndue/";
/// The deletion queue: stopped consumers by deletion time.
pub const DELETE_DUE: &[u8] = b"consumer/deletedue/";
/// The pending-parameters queue: consumers by the effective time of their pending parameters.
pub const PENDING_DUE: &[u8] = b"consumer/pendingdue/";
/// The expiry queue: registered consumers by registration expiry.
pub const EXPIRY_DUE: &[u8] = b"consumer/expirydue/";
/// The epoch queue: launched consumers by the height of their next epoch check.
pub const EPOCH_DUE: &[u8] = b"consumer/epochdue/";
/// Where each launched consumer sits in the epoch queue.
pub const EPOCH_AT: &[u8] = b"consumer/epochat/";
/// The reward index: launched consumers that pay rewards each block.
pub const PAYING: &[u8] = b"consumer/paying/";

/// The entry of consumer `id` in the time-ordered queue under `queue`, due at `due`.
pub fn queued(queue: &[u8], due: rampart_core::BlockTime, id: u64) -> Vec<u8> {
    [queue, &rampart_core::wire::time_key(due), &id.to_be_bytes()].concat()
}

/// The prefix of the time-ordered queue under `queue` up to and including time `due`.
pub fn queued_upto(queue: &[u8], due: rampart_core::BlockTime) -> Vec<u8> {
    [queue, &rampart_core::wire::time_key(due)[..]].concat()
}

/// The ccv-timeout queue entry of consumer `id`, due at `due`.
pub fn timeout(due: rampart_core::BlockTime, id: u64) -> Vec<u8> {
    queued(TIMEOUT, due, id)
}

/// The set-expiry queue entry of consumer `id`'s set after `vsc_id`, whose period ends at
/// `expiry`.
pub fn set_expiry(expiry: rampart_core::BlockTime, id: u64, vsc_id: u64) -> Vec<u8> {
    [
        SET_EXPIRY,
        &rampart_core::wire::time_key(expiry),
        &id.to_be_bytes(),
        &vsc_id.to_be_bytes(),
    ]
    .concat()
}

/// The set-expiry queue prefix up to and including time `expiry`.
pub fn set_expiry_upto(expiry: rampart_core::BlockTime) -> Vec<u8> {
    [SET_EXPIRY, &rampart_core::wire::time_key(expiry)[..]].concat()
}

/// Key of consumer `id`'s slash meter.
pub fn meter(id: u64) -> Vec<u8> {
    with_id(METER, id)
}

/// The replenish-queue entry of consumer `id`'s meter, due at `due`.
pub fn meter_due(due: rampart_core::BlockTime, id: u64) -> Vec<u8> {
    queued(METER_DUE, due, id)
}

/// The replenish-queue prefix up to and including time `due`.
pub fn meter_due_upto(due: rampart_core::BlockTime) -> Vec<u8> {
    queued_upto(METER_DUE, due)
}

/// Key of consumer `id`'s lists in force.
pub fn lists(id: u64) -> Vec<u8> {
    with_id(LISTS, id)
}

/// Key of consumer `id`'s pending lists.
pub fn pending_lists(id: u64) -> Vec<u8> {
    with_id(PENDING_LISTS, id)
}

/// The epoch-queue entry of consumer `id`, due at `height`.
pub fn epoch_due(height: u64, id: u64) -> Vec<u8> {
    [EPOCH_DUE, &height.to_be_bytes(), &id.to_be_bytes()].concat()
}

/// `prefix ‖ id`.
pub fn with_id(prefix: &[u8], id: u64) -> Vec<u8> {
    [prefix, &id.to_be_bytes()].concat()
}

/// Key of a registry entry.
pub fn consumer(id: u64) -> Vec<u8> {
    with_id(REGISTRY, id)
}

/// Key of a phase-index entry.
pub fn phase(phase: u8, id: u64) -> Vec<u8> {
    [PHASE, &[phase], &id.to_be_bytes()].concat()
}

/// Prefix of a phase's index entries.
pub fn phase_prefix(phase: u8) -> Vec<u8> {
    [PHASE, &[phase]].concat()
}

/// Key of a registered chain id.
pub fn chain_id(chain_id: &str) -> Vec<u8> {
    [CHAIN_ID, chain_id.as_bytes()].concat()
}

/// Key of a consumer genesis.
pub fn genesis(id: u64) -> Vec<u8> {
    with_id(GENESIS, id)
}

/// Key of a consumer validator.
pub fn validator(id: u64, op: &Address) -> Vec<u8> {
    [VALIDATOR, &id.to_be_bytes(), op].concat()
}

/// The state key of packet `vsc_id` of consumer `id` ([`rampart_ccv::proven::provider_packet_key`]).
/// Relayers prove it with `/store/key`.
pub fn packet(id: u64, vsc_id: u64) -> Vec<u8> {
    rampart_ccv::proven::provider_packet_key(id, vsc_id)
}

/// Key of the hash of consumer `id`'s set after packet `vsc_id`.
pub fn set_hash(id: u64, vsc_id: u64) -> Vec<u8> {
    [SET_HASH, &id.to_be_bytes(), &vsc_id.to_be_bytes()].concat()
}

/// Key of the time consumer `id`'s set after packet `vsc_id` was sent.
pub fn set_lock(id: u64, vsc_id: u64) -> Vec<u8> {
    [SET_LOCK, &id.to_be_bytes(), &vsc_id.to_be_bytes()].concat()
}

/// Prefix of the members of consumer `id`'s set after packet `vsc_id`.
pub fn set_members(id: u64, vsc_id: u64) -> Vec<u8> {
    [SET_MEMBER, &id.to_be_bytes(), &vsc_id.to_be_bytes()].concat()
}

/// Key of the member with consumer consensus address `address` of consumer `id`'s set after
/// packet `vsc_id`.
pub fn set_member(id: u64, vsc_id: u64, address: &[u8; 20]) -> Vec<u8> {
    [&set_members(id, vsc_id)[..], address].concat()
}

/// Key of a consumer's next vsc id.
pub fn next_vsc(id: u64) -> Vec<u8> {
    with_id(NEXT_VSC, id)
}

/// Key of the seq of the last downtime record processed for a consumer.
pub fn downtime_seq(id: u64) -> Vec<u8> {
    with_id(DOWNTIME_SEQ, id)
}

/// Key of a queued slash ack.
pub fn slash_ack(id: u64, address: &[u8; 20]) -> Vec<u8> {
    [SLASH_ACKS, &id.to_be_bytes(), address].concat()
}

/// Key of a reward pool.
pub fn pool(id: u64) -> Vec<u8> {
    with_id(POOL, id)
}

/// Key of a commission rate.
pub fn commission(id: u64, op: &Address) -> Vec<u8> {
    [COMMISSION, &id.to_be_bytes(), op].concat()
}

/// The big-endian u64 at `skip` bytes into `key`.
pub fn u64_at(key: &[u8], skip: usize) -> Option<u64> {
    let bytes: [u8; 8] = key.get(skip..skip.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

/// The 20 bytes at `skip` bytes into `key`.
pub fn addr_at(key: &[u8], skip: usize) -> Option<[u8; 20]> {
    key.get(skip..skip.checked_add(20)?)?.try_into().ok()
}
