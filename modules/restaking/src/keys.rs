//! Every state key of the restaking module. Consumer ids are 8-byte big-endian, operators and
//! consensus addresses raw 20 bytes.
//!
//! | key | value |
//! |-----|-------|
//! | `restaking/params` | `rampart.restaking.v1.Params` |
//! | `restaking/pledge/ ‖ consumer_id ‖ operator` | `Pledge` |
//! | `restaking/vpledge/ ‖ operator ‖ consumer_id` | empty: by-validator index |
//! | `restaking/ckey/ ‖ consumer_id ‖ operator` | the consumer key in use (32 bytes) |
//! | `restaking/ckeyaddr/ ‖ consumer_id ‖ consumer address` | `ConsumerKey` (current or retired) |
//! | `restaking/keyop/ ‖ consumer_id ‖ operator ‖ consumer address` | empty: key records by validator |
//! | `restaking/keyexpiry/ ‖ consumer_id ‖ time_key(retired_until) ‖ consumer address` | empty: retired key records by the end of their window |
//! | `restaking/npledges/ ‖ consumer_id` | the number of pledges (any status) to the consumer (u64 BE) |
//! | `restaking/jail/ ‖ consumer_id ‖ operator` | jail record on that consumer |
//! | `restaking/removed/ ‖ consumer_id ‖ operator` | the last vsc id (u64 BE) sent to the consumer when the validator was removed from the provider |
//! | `restaking/evidence/ ‖ consumer_id ‖ operator ‖ height (8) ‖ round (4) ‖ type (1)` | the vsc id (u64 BE) of the set it was charged against |
//! | `restaking/choiceq/ ‖ height ‖ delegator ‖ operator` | a delegation choice due at that height |
//! | `restaking/choicep/ ‖ delegator ‖ operator` | its due height (u64 BE) |
//! | `restaking/choicev/ ‖ operator ‖ delegator` | empty: pending choices by validator |
//! | `restaking/moved/ ‖ consumer_id ‖ operator ‖ delegator ‖ height` | stake that stopped backing the consumer, slashable until a time |
//! | `restaking/movedq/ ‖ time_key(until) ‖ consumer_id ‖ operator ‖ delegator ‖ height` | empty: moved stake by the end of its window |

pub use rampart_core::keys::addr_at;
use rampart_core::wire::time_key;
use rampart_core::{Address, BlockTime};

/// Parameters.
pub const PARAMS: &[u8] = b"restaking/params";
/// Pledges by consumer.
pub const PLEDGE: &[u8] = b"restaking/pledge/";
/// Pledges by validator (`vpledge`: the by-validator index of pledges).
pub const PLEDGES_BY_VALIDATOR: &[u8] = b"restaking/vpledge/";
/// The consumer key each validator uses on each consumer (`ckey`).
pub const CONSUMER_KEY_IN_USE: &[u8] = b"restaking/ckey/";
/// Consumer keys (current and retired) by consumer consensus address (`ckeyaddr`).
pub const CONSUMER_KEY_BY_ADDRESS: &[u8] = b"restaking/ckeyaddr/";
/// Key records (current and retired) by consumer and validator (`keyop`).
pub const KEYS_BY_OPERATOR: &[u8] = b"restaking/keyop/";
/// Retired key records by consumer and the end of their window (`keyexpiry`).
pub const KEY_EXPIRY: &[u8] = b"restaking/keyexpiry/";
/// The number of pledges per consumer.
pub const PLEDGE_COUNT: &[u8] = b"restaking/npledges/";
/// Jail records per consumer.
pub const JAIL: &[u8] = b"restaking/jail/";
/// Punished infractions.
pub const EVIDENCE: &[u8] = b"restaking/evidence/";
/// Validators removed from the provider, per consumer.
pub const REMOVED: &[u8] = b"restaking/removed/";

/// `prefix ‖ id`.
pub fn with_id(prefix: &[u8], id: u64) -> Vec<u8> {
    [prefix, &id.to_be_bytes()].concat()
}

/// Key of a pledge.
pub fn pledge(id: u64, op: &Address) -> Vec<u8> {
    [PLEDGE, &id.to_be_bytes(), op].concat()
}

/// Key of a pledge's by-validator index entry.
pub fn pledge_by_validator(op: &Address, id: u64) -> Vec<u8> {
    [PLEDGES_BY_VALIDATOR, op, &id.to_be_bytes()].concat()
}

/// Key of the consumer key in use.
pub fn consumer_key_in_use(id: u64, op: &Address) -> Vec<u8> {
    [CONSUMER_KEY_IN_USE, &id.to_be_bytes(), op].concat()
}

/// Key of a consumer-address entry.
pub fn consumer_key_by_address(id: u64, address: &[u8; 20]) -> Vec<u8> {
    [CONSUMER_KEY_BY_ADDRESS, &id.to_be_bytes(), address].concat()
}

/// Prefix of the key records of `op` on consumer `id`.
pub fn keys_of_operator(id: u64, op: &Address) -> Vec<u8> {
    [KEYS_BY_OPERATOR, &id.to_be_bytes(), op].concat()
}

/// Key of a key record's by-validator index entry.
pub fn key_of_operator(id: u64, op: &Address, address: &[u8; 20]) -> Vec<u8> {
    [keys_of_operator(id, op).as_slice(), address].concat()
}

/// Key of a retired key record's expiry index entry.
pub fn key_expiry(id: u64, until: BlockTime, address: &[u8; 20]) -> Vec<u8> {
    [KEY_EXPIRY, &id.to_be_bytes(), &time_key(until), address].concat()
}

/// Key of a jail record.
pub fn jail(id: u64, op: &Address) -> Vec<u8> {
    [JAIL, &id.to_be_bytes(), op].concat()
}

/// Key of the removal record of `op` on consumer `id`.
pub fn removed(id: u64, op: &Address) -> Vec<u8> {
    [REMOVED, &id.to_be_bytes(), op].concat()
}

/// Prefix of the punished infractions of `op` on consumer `id`.
pub fn evidence_of(id: u64, op: &Address) -> Vec<u8> {
    [EVIDENCE, &id.to_be_bytes(), op].concat()
}

/// Key of a punished infraction.
pub fn evidence(id: u64, op: &Address, height: u64, round: u32, vote_type: u8) -> Vec<u8> {
    [
        EVIDENCE,
        &id.to_be_bytes(),
        op,
        &height.to_be_bytes(),
        &round.to_be_bytes(),
        &[vote_type],
    ]
    .concat()
}

/// Pending delegation choices by due height: `choiceq/ ‖ height ‖ delegator ‖ op` → choice.
pub const CHOICE_DUE: &[u8] = b"restaking/choiceq/";
/// A delegation's pending choice: `choicep/ ‖ delegator ‖ op` → due height (u64 BE).
pub const CHOICE_PENDING: &[u8] = b"restaking/choicep/";
/// Pending choices by validator: `choicev/ ‖ op ‖ delegator` → empty.
pub const CHOICE_BY_VALIDATOR: &[u8] = b"restaking/choicev/";
/// Stake that stopped backing a consumer: `moved/ ‖ id ‖ op ‖ delegator ‖ height` → record.
pub const MOVED: &[u8] = b"restaking/moved/";
/// Their expiry: `movedq/ ‖ time ‖ id ‖ op ‖ delegator ‖ height` → empty.
pub const MOVED_EXPIRY: &[u8] = b"restaking/movedq/";

/// Key of a pending choice in the due queue.
pub fn choice_due(height: u64, delegator: &Address, op: &Address) -> Vec<u8> {
    [CHOICE_DUE, &height.to_be_bytes()[..], delegator, op].concat()
}

/// Key of a delegation's pending-choice index entry.
pub fn choice_pending(delegator: &Address, op: &Address) -> Vec<u8> {
    [CHOICE_PENDING, &delegator[..], &op[..]].concat()
}

/// Key of a pending choice's by-validator index entry.
pub fn choice_by_validator(op: &Address, delegator: &Address) -> Vec<u8> {
    [CHOICE_BY_VALIDATOR, &op[..], &delegator[..]].concat()
}

/// Prefix of the moved stake of validator `op` for consumer `id`.
pub fn moved_of(id: u64, op: &Address) -> Vec<u8> {
    [MOVED, &id.to_be_bytes()[..], op].concat()
}

/// Key of a moved stake record.
pub fn moved(id: u64, op: &Address, delegator: &Address, height: u64) -> Vec<u8> {
    [
        moved_of(id, op).as_slice(),
        delegator,
        &height.to_be_bytes(),
    ]
    .concat()
}

/// Key of a moved stake's expiry entry (its tail after the time is the record's key tail).
pub fn moved_expiry(
    until: BlockTime,
    id: u64,
    op: &Address,
    delegator: &Address,
    height: u64,
) -> Vec<u8> {
    [
        MOVED_EXPIRY,
        &time_key(until)[..],
        &id.to_be_bytes()[..],
        op,
        delegator,
        &height.to_be_bytes()[..],
    ]
    .concat()
}

/// The big-endian u64 at `skip` bytes into `key`.
pub fn u64_at(key: &[u8], skip: usize) -> Option<u64> {
    let bytes: [u8; 8] = key.get(skip..skip.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}
