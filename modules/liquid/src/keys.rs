//! Store keys, all under `liquid/`. Integers are big-endian, so scans run in id and time order.

pub use rampart_core::keys::{addr_at, join};
use rampart_core::wire::time_key;
use rampart_core::{Address, BlockTime};

/// The parameters.
pub const PARAMS: &[u8] = b"liquid/params";
/// `‖ operator` → empty: the validators the module has a delegation with (at most
/// `max_validators`; the epoch's work).
pub const VALIDATOR: &[u8] = b"liquid/val/";
/// The id of the batch collecting this epoch's requests (u64).
pub const OPEN_BATCH: &[u8] = b"liquid/open_batch";
/// The next request id (u64).
pub const NEXT_RECORD: &[u8] = b"liquid/next_record";
/// `‖ batch id` → `Batch`.
pub const BATCH: &[u8] = b"liquid/batch/";
/// `‖ record id` → `UnbondingRecord`.
pub const RECORD: &[u8] = b"liquid/record/";
/// `‖ owner ‖ record id` → empty: an owner's records (the paginated query).
pub const BY_OWNER: &[u8] = b"liquid/owner/";
/// `‖ batch id ‖ record id` → empty: a batch's records (paid together).
pub const BY_BATCH: &[u8] = b"liquid/batch_record/";
/// `‖ completion time ‖ batch id` → empty: unbonding batches by completion.
pub const DUE: &[u8] = b"liquid/due/";
/// `‖ batch id` → empty: batches whose entries matured this block, paid at end block.
pub const SETTLED: &[u8] = b"liquid/settled/";

/// The validator index entry of `op`.
pub fn validator(op: &Address) -> Vec<u8> {
    join(VALIDATOR, &[op])
}

/// A batch.
pub fn batch(id: u64) -> Vec<u8> {
    join(BATCH, &[&id.to_be_bytes()])
}

/// A record.
pub fn record(id: u64) -> Vec<u8> {
    join(RECORD, &[&id.to_be_bytes()])
}

/// The owner index entry of a record.
pub fn by_owner(owner: &Address, id: u64) -> Vec<u8> {
    join(BY_OWNER, &[owner, &id.to_be_bytes()])
}

/// The batch index entry of a record.
pub fn by_batch(batch: u64, id: u64) -> Vec<u8> {
    join(BY_BATCH, &[&batch.to_be_bytes(), &id.to_be_bytes()])
}

/// The completion queue entry of a batch.
pub fn due(time: BlockTime, batch: u64) -> Vec<u8> {
    join(DUE, &[&time_key(time), &batch.to_be_bytes()])
}

/// The settled mark of a batch.
pub fn settled(batch: u64) -> Vec<u8> {
    join(SETTLED, &[&batch.to_be_bytes()])
}

/// The big-endian u64 at `key[start..start + 8]`.
pub fn u64_at(key: &[u8], start: usize) -> Option<u64> {
    key.get(start..start.checked_add(8)?)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
}
