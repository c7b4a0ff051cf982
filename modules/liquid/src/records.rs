//! Unbonding batches and records: their checked forms, storage and indexes.

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{int_from_wire, int_to_wire, parse_rfc3339, rfc3339};
use rampart_core::{Address, Amount, BlockTime, ChainProfile};
use rampart_core::{StateRead, StateReadExt, StateWrite, StateWriteExt};
use rampart_proto::rampart::liquid::v1 as pb;

use crate::keys;

/// An unbonding batch: the requests of one epoch, undelegated together.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Batch {
    /// Its id.
    pub id: u64,
    /// Liquid tokens redeemed by its requests.
    pub liquid_total: Amount,
    /// Tokens undelegated for it (`None` while open).
    pub undelegated: Option<Amount>,
    /// When its staking entries mature (`None` while open).
    pub completion: Option<BlockTime>,
    /// The staking entries created for it: `(operator, unbonding id)`.
    pub entries: Vec<(Address, u64)>,
    /// What staking returned at maturity (`None` until settled).
    pub returned: Option<Amount>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("corrupt liquid {what}: {e}"))
}

fn opt_amount(text: &str, field: &str) -> AppResult<Option<Amount>> {
    (!text.is_empty())
        .then(|| int_from_wire(text, field))
        .transpose()
}

impl Batch {
    /// The protobuf form.
    pub fn to_proto(&self, profile: &ChainProfile) -> pb::Batch {
        pb::Batch {
            id: self.id,
            liquid_total: int_to_wire(self.liquid_total),
            undelegated: self.undelegated.map(int_to_wire).unwrap_or_default(),
            completion_time: self.completion.map(rfc3339).unwrap_or_default(),
            entries: self
                .entries
                .iter()
                .map(|(op, id)| pb::BatchEntry {
                    validator: profile.to_valoper(op),
                    unbonding_id: *id,
                })
                .collect(),
            returned: self.returned.map(int_to_wire).unwrap_or_default(),
        }
    }

    /// From the protobuf form.
    pub fn from_proto(p: &pb::Batch, profile: &ChainProfile) -> AppResult<Self> {
        Ok(Self {
            id: p.id,
            liquid_total: int_from_wire(&p.liquid_total, "liquid_total")?,
            undelegated: opt_amount(&p.undelegated, "undelegated")?,
            completion: (!p.completion_time.is_empty())
                .then(|| parse_rfc3339(&p.completion_time, "completion_time"))
                .transpose()?,
            entries: p
                .entries
                .iter()
                .map(|e| Ok((profile.valoper(&e.validator, "validator")?, e.unbonding_id)))
                .collect::<AppResult<_>>()?,
            returned: opt_amount(&p.returned, "returned")?,
        })
    }
}

/// One unstake request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its id.
    pub id: u64,
    /// Who is paid.
    pub owner: Address,
    /// Liquid tokens redeemed.
    pub liquid_amount: Amount,
    /// Its batch.
    pub batch_id: u64,
}

impl Record {
    /// The protobuf form.
    pub fn to_proto(&self, profile: &ChainProfile) -> pb::UnbondingRecord {
        pb::UnbondingRecord {
            id: self.id,
            owner: profile.to_account(&self.owner),
            liquid_amount: int_to_wire(self.liquid_amount),
            batch_id: self.batch_id,
        }
    }

    /// From the protobuf form.
    pub fn from_proto(p: &pb::UnbondingRecord, profile: &ChainProfile) -> AppResult<Self> {
        Ok(Self {
            id: p.id,
            owner: profile.account(&p.owner, "owner")?,
            liquid_amount: int_from_wire(&p.liquid_amount, "liquid_amount")?,
            batch_id: p.batch_id,
        })
    }
}

fn read_u64(state: &dyn StateRead, key: &[u8]) -> u64 {
    state
        .get(key)
        .and_then(|b| b.as_slice().try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(1)
}

/// The id of the batch collecting this epoch's requests (1 before the first).
pub fn open_batch_id(state: &dyn StateRead) -> u64 {
    read_u64(state, keys::OPEN_BATCH)
}

/// Sets the open batch id.
pub fn set_open_batch_id(state: &mut dyn StateWrite, id: u64) {
    state.put(keys::OPEN_BATCH.to_vec(), id.to_be_bytes().to_vec());
}

/// The next request id (1 before the first).
pub fn next_record_id(state: &dyn StateRead) -> u64 {
    read_u64(state, keys::NEXT_RECORD)
}

/// Sets the next request id.
pub fn set_next_record_id(state: &mut dyn StateWrite, id: u64) {
    state.put(keys::NEXT_RECORD.to_vec(), id.to_be_bytes().to_vec());
}

/// Returns and advances the request id sequence.
pub fn take_record_id(state: &mut dyn StateWrite) -> u64 {
    let id = next_record_id(state);
    set_next_record_id(state, id.saturating_add(1));
    id
}

/// The batch `id`, if stored.
pub fn load_batch(state: &dyn StateRead, id: u64) -> AppResult<Option<Batch>> {
    let profile = ChainProfile::rampart();
    state
        .get_proto::<pb::Batch>(&keys::batch(id))
        .map_err(|e| corrupt("batch", e))?
        .map(|p| Batch::from_proto(&p, &profile))
        .transpose()
}

/// The batch `id`, or an empty open one.
pub fn batch_or_new(state: &dyn StateRead, id: u64) -> AppResult<Batch> {
    Ok(load_batch(state, id)?.unwrap_or(Batch {
        id,
        ..Batch::default()
    }))
}

/// Stores a batch (and its completion queue entry once it has a completion time).
pub fn save_batch(state: &mut dyn StateWrite, batch: &Batch) {
    state.put_proto(
        keys::batch(batch.id),
        &batch.to_proto(&ChainProfile::rampart()),
    );
    if let (Some(done), None) = (batch.completion, batch.returned) {
        state.put(keys::due(done, batch.id), Vec::new());
    }
}

/// Deletes a batch.
pub fn remove_batch(state: &mut dyn StateWrite, id: u64) {
    state.delete(keys::batch(id));
}

/// Every stored batch, in id order.
pub fn all_batches(state: &dyn StateRead) -> AppResult<Vec<Batch>> {
    let profile = ChainProfile::rampart();
    let mut out = Vec::new();
    for (_, value) in state.scan_prefix(keys::BATCH) {
        let p = <pb::Batch as prost::Message>::decode(value.as_slice())
            .map_err(|e| corrupt("batch", e))?;
        out.push(Batch::from_proto(&p, &profile)?);
    }
    Ok(out)
}

/// The record `id`, if stored.
pub fn load_record(state: &dyn StateRead, id: u64) -> AppResult<Option<Record>> {
    let profile = ChainProfile::rampart();
    state
        .get_proto::<pb::UnbondingRecord>(&keys::record(id))
        .map_err(|e| corrupt("record", e))?
        .map(|p| Record::from_proto(&p, &profile))
        .transpose()
}

/// Stores a record and its indexes.
pub fn save_record(state: &mut dyn StateWrite, record: &Record) {
    state.put_proto(
        keys::record(record.id),
        &record.to_proto(&ChainProfile::rampart()),
    );
    state.put(keys::by_owner(&record.owner, record.id), Vec::new());
    state.put(keys::by_batch(record.batch_id, record.id), Vec::new());
}

/// Deletes a record and its indexes.
pub fn remove_record(state: &mut dyn StateWrite, record: &Record) {
    state.delete(keys::record(record.id));
    state.delete(keys::by_owner(&record.owner, record.id));
    state.delete(keys::by_batch(record.batch_id, record.id));
}

/// The records of batch `batch`, in id order.
pub fn records_of_batch(state: &dyn StateRead, batch: u64) -> AppResult<Vec<Record>> {
    let prefix = keys::join(keys::BY_BATCH, &[&batch.to_be_bytes()]);
    let mut out = Vec::new();
    for (key, _) in state.scan_prefix(&prefix) {
        let Some(id) = keys::u64_at(&key, prefix.len()) else {
            continue;
        };
        if let Some(record) = load_record(state, id)? {
            out.push(record);
        }
    }
    Ok(out)
}

/// Every stored record, in id order.
pub fn all_records(state: &dyn StateRead) -> AppResult<Vec<Record>> {
    let profile = ChainProfile::rampart();
    let mut out = Vec::new();
    for (_, value) in state.scan_prefix(keys::RECORD) {
        let p = <pb::UnbondingRecord as prost::Message>::decode(value.as_slice())
            .map_err(|e| corrupt("record", e))?;
        out.push(Record::from_proto(&p, &profile)?);
    }
    Ok(out)
}
