//! Every state key of the staking module, built in one place. Addresses are raw 20-byte values,
//! times use [`rampart_core::wire::time_key`] so that queues iterate in time order.

use rampart_core::BlockTime;

pub use rampart_core::keys::{addr_at, join};
use rampart_core::wire::time_key;
use rampart_core::Address;

/// Parameters.
pub const PARAMS: &[u8] = b"staking/params";
/// Next unbonding id (u64 big-endian).
pub const NEXT_UNBONDING_ID: &[u8] = b"staking/next_ubd_id";
/// Validators by operator: `val/ ‖ op` → `Validator`.
pub const VALIDATOR: &[u8] = b"staking/val/";
/// Consensus address index: `cons/ ‖ cons20` → op.
pub const CONSENSUS: &[u8] = b"staking/cons/";
/// Power index of unjailed validators: `power/ ‖ (u64::MAX − power) ‖ op` → empty.
pub const POWER: &[u8] = b"staking/power/";
/// Power last sent to CometBFT: `last/ ‖ op` → u64 big-endian.
pub const LAST_POWER: &[u8] = b"staking/last/";
/// Delegations: `del/ ‖ delegator ‖ op` → `Delegation`.
pub const DELEGATION: &[u8] = b"staking/del/";
/// Delegations by validator: `delv/ ‖ op ‖ delegator` → empty.
pub const DELEGATION_BY_VAL: &[u8] = b"staking/delv/";
/// Unbonding delegations: `ubd/ ‖ delegator ‖ op` → `UnbondingDelegation`.
pub const UNBONDING: &[u8] = b"staking/ubd/";
/// Unbonding delegations by validator: `ubdv/ ‖ op ‖ delegator` → empty.
pub const UNBONDING_BY_VAL: &[u8] = b"staking/ubdv/";
/// Unbonding maturity queue: `ubdq/ ‖ time ‖ delegator ‖ op` → empty.
pub const UNBONDING_QUEUE: &[u8] = b"staking/ubdq/";
/// Redelegations: `red/ ‖ delegator ‖ src ‖ dst` → `Redelegation`.
pub const REDELEGATION: &[u8] = b"staking/red/";
/// Redelegations by source: `reds/ ‖ src ‖ delegator ‖ dst` → empty.
pub const REDELEGATION_BY_SRC: &[u8] = b"staking/reds/";
/// Redelegations by destination: `redd/ ‖ dst ‖ delegator ‖ src` → empty.
pub const REDELEGATION_BY_DST: &[u8] = b"staking/redd/";
/// Redelegation maturity queue: `redq/ ‖ time ‖ delegator ‖ src ‖ dst` → empty.
pub const REDELEGATION_QUEUE: &[u8] = b"staking/redq/";
/// Validator unbonding queue: `valq/ ‖ time ‖ op` → empty.
pub const VALIDATOR_QUEUE: &[u8] = b"staking/valq/";

/// `HistoricalInfo` by height: `hist/` ‖ height (u64 BE).
pub const HISTORICAL: &[u8] = b"staking/hist/";

/// The `HistoricalInfo` key of `height`.
pub fn historical(height: u64) -> Vec<u8> {
    join(HISTORICAL, &[&height.to_be_bytes()])
}

/// Key of a validator.
pub fn validator(op: &Address) -> Vec<u8> {
    join(VALIDATOR, &[op])
}

/// Key of a consensus-address index entry.
pub fn consensus(cons: &[u8; 20]) -> Vec<u8> {
    join(CONSENSUS, &[cons])
}

/// Key of a power-index entry.
pub fn power(power: u64, op: &Address) -> Vec<u8> {
    join(POWER, &[&(u64::MAX - power).to_be_bytes(), op])
}

/// Key of the last power sent for a validator.
pub fn last_power(op: &Address) -> Vec<u8> {
    join(LAST_POWER, &[op])
}

/// Key of a delegation.
pub fn delegation(delegator: &Address, op: &Address) -> Vec<u8> {
    join(DELEGATION, &[delegator, op])
}

/// Key of a delegation's by-validator index entry.
pub fn delegation_by_val(op: &Address, delegator: &Address) -> Vec<u8> {
    join(DELEGATION_BY_VAL, &[op, delegator])
}

/// Key of an unbonding delegation.
pub fn unbonding(delegator: &Address, op: &Address) -> Vec<u8> {
    join(UNBONDING, &[delegator, op])
}

/// Key of an unbonding delegation's by-validator index entry.
pub fn unbonding_by_val(op: &Address, delegator: &Address) -> Vec<u8> {
    join(UNBONDING_BY_VAL, &[op, delegator])
}

/// Key of an unbonding-queue entry.
pub fn unbonding_queue(time: BlockTime, delegator: &Address, op: &Address) -> Vec<u8> {
    join(UNBONDING_QUEUE, &[&time_key(time), delegator, op])
}

/// Key of a redelegation.
pub fn redelegation(delegator: &Address, src: &Address, dst: &Address) -> Vec<u8> {
    join(REDELEGATION, &[delegator, src, dst])
}

/// Key of a redelegation's by-source index entry.
pub fn redelegation_by_src(src: &Address, delegator: &Address, dst: &Address) -> Vec<u8> {
    join(REDELEGATION_BY_SRC, &[src, delegator, dst])
}

/// Key of a redelegation's by-destination index entry.
pub fn redelegation_by_dst(dst: &Address, delegator: &Address, src: &Address) -> Vec<u8> {
    join(REDELEGATION_BY_DST, &[dst, delegator, src])
}

/// Key of a redelegation-queue entry.
pub fn redelegation_queue(
    time: BlockTime,
    delegator: &Address,
    src: &Address,
    dst: &Address,
) -> Vec<u8> {
    join(REDELEGATION_QUEUE, &[&time_key(time), delegator, src, dst])
}

/// Key of a validator-queue entry.
pub fn validator_queue(time: BlockTime, op: &Address) -> Vec<u8> {
    join(VALIDATOR_QUEUE, &[&time_key(time), op])
}

/// Backing classes: `cls/ ‖ op ‖ id (u32 BE)` → class record ([`crate::backing`]).
pub const BACKING_CLASS: &[u8] = b"staking/cls/";
/// Classes by choice: `clsc/ ‖ op ‖ mode ‖ ids` → id (u32 BE).
pub const BACKING_CLASS_BY_CHOICE: &[u8] = b"staking/clsc/";
/// Delegators' choices: `choice/ ‖ delegator ‖ op` → class id (u32 BE); absent for `all`.
pub const BACKING_CHOICE: &[u8] = b"staking/choice/";
/// Choices by validator: `choicev/ ‖ op ‖ delegator` → empty.
pub const BACKING_MEMBER: &[u8] = b"staking/choicev/";

/// Key of backing class `id` of `op`.
pub fn backing_class(op: &Address, id: u32) -> Vec<u8> {
    join(BACKING_CLASS, &[op, &id.to_be_bytes()])
}

/// Key of the class index entry of a choice (its mode byte and ids) at `op`.
pub fn backing_class_by_choice(op: &Address, choice: &[u8]) -> Vec<u8> {
    join(BACKING_CLASS_BY_CHOICE, &[op, choice])
}

/// Key of `delegator`'s choice at `op`.
pub fn backing_choice(delegator: &Address, op: &Address) -> Vec<u8> {
    join(BACKING_CHOICE, &[delegator, op])
}

/// Key of a choice's by-validator index entry.
pub fn backing_member(op: &Address, delegator: &Address) -> Vec<u8> {
    join(BACKING_MEMBER, &[op, delegator])
}
