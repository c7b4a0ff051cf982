//! The `app_state.liquid` section: parameters, the batch and request sequences, unbonding
//! batches and records. The module's delegations are staking's (its section holds them under
//! the module account); the validator index is rebuilt from them, so liquid's genesis runs
//! after staking's. The module account is claimed here, so no transfer can ever reach it (a
//! donation would move the rate).

use std::collections::BTreeSet;

use rampart_auth::AuthWrite;
use rampart_core::error::AppResult;
use rampart_core::{ChainProfile, StateRead, StateWrite};
use rampart_proto::rampart::liquid::v1 as pb;
use rampart_staking::StakingRead;

use crate::errors::{err, LiquidCode};
use crate::msgs::MODULE_PERMISSIONS;
use crate::params::{self, LiquidParams};
use crate::records::{self, Batch, Record};
use crate::{keys, module_address, MODULE_ACCOUNT};

/// The genesis section.
pub type LiquidGenesis = pb::GenesisState;

/// Writes the section.
pub fn import(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    genesis: &LiquidGenesis,
) -> AppResult<()> {
    let params = match &genesis.params {
        Some(p) => LiquidParams::from_proto(p)?,
        None => LiquidParams::default(),
    };
    params::store(state, &params)?;
    state.claim_module_account(MODULE_ACCOUNT, MODULE_PERMISSIONS)?;
    for (op, _) in state.delegations_of(&module_address())? {
        state.put(keys::validator(&op), Vec::new());
    }
    if genesis.open_batch > 0 {
        records::set_open_batch_id(state, genesis.open_batch);
    }
    if genesis.next_record_id > 0 {
        records::set_next_record_id(state, genesis.next_record_id);
    }
    let mut batch_ids = BTreeSet::new();
    for p in &genesis.batches {
        let batch = Batch::from_proto(p, profile)?;
        if !batch_ids.insert(batch.id) {
            return Err(err(
                LiquidCode::InvalidGenesis,
                format!("batch {} appears twice", batch.id),
            ));
        }
        records::save_batch(state, &batch);
    }
    let next = records::next_record_id(state);
    for p in &genesis.records {
        let record = Record::from_proto(p, profile)?;
        if !batch_ids.contains(&record.batch_id) || record.id >= next {
            return Err(err(
                LiquidCode::InvalidGenesis,
                format!(
                    "record {} names batch {} (not in the section) or an id not below next_record_id {next}",
                    record.id, record.batch_id
                ),
            ));
        }
        records::save_record(state, &record);
    }
    Ok(())
}

/// Reads the section back.
pub fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<LiquidGenesis> {
    Ok(LiquidGenesis {
        params: Some(params::load(state)?.to_proto()),
        open_batch: records::open_batch_id(state),
        next_record_id: records::next_record_id(state),
        batches: records::all_batches(state)?
            .iter()
            .map(|b| b.to_proto(profile))
            .collect(),
        records: records::all_records(state)?
            .iter()
            .map(|r| r.to_proto(profile))
            .collect(),
    })
}
