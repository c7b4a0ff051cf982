//! `HistoricalInfo`: for each of the last `historical_entries` heights, the block header as ABCI
//! 2.0 tells the application (chain id, height, time, proposer) and the bonded validator set that
//! signs that block, sorted by power — what IBC light clients of this chain (and consumer chains
//! following it) look up. One entry is written and one pruned per block: O(1) keys per block.

use cosmos_sdk_proto::cosmos::staking::v1beta1::{HistoricalInfo, Params};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::Address;
use rampart_core::{BlockContext, StateRead, StateReadExt, StateWrite, StateWriteExt};
use tendermint_proto::types::Header;

use crate::{keys, power, validator};
use rampart_core::wire::timestamp;

/// Records height `ctx.height`'s entry and drops the one that falls out of the window.
pub fn track(state: &mut dyn StateWrite, ctx: &BlockContext, params: &Params) -> AppResult<()> {
    let entries = u64::from(params.historical_entries);
    if let Some(old) = ctx.height.checked_sub(entries) {
        state.delete(keys::historical(old));
    }
    if entries == 0 {
        return Ok(());
    }
    let mut set: Vec<(u64, Address)> = power::last_powers(state)
        .into_iter()
        .map(|(op, power)| (power, op))
        .collect();
    // By power, highest first; ties by operator address, as in the power index.
    set.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut valset = Vec::with_capacity(set.len());
    for (_, op) in set {
        valset.push(validator::must_load(state, &op)?.to_proto());
    }
    let header = Header {
        chain_id: ctx.chain_id.clone(),
        height: i64::try_from(ctx.height).unwrap_or(i64::MAX),
        time: Some(timestamp(ctx.time)),
        proposer_address: ctx.proposer.to_vec(),
        ..Header::default()
    };
    state.put_proto(
        keys::historical(ctx.height),
        &HistoricalInfo {
            header: Some(header),
            valset,
        },
    );
    Ok(())
}

/// The entry of `height`, if still retained.
pub fn load(state: &dyn StateRead, height: u64) -> AppResult<Option<HistoricalInfo>> {
    state
        .get_proto::<HistoricalInfo>(&keys::historical(height))
        .map_err(|e| AppError::sdk(SdkCode::Logic, format!("corrupt historical info: {e}")))
}
