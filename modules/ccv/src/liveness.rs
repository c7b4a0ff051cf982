//! Liveness of the consumer's validators, and proven downtime.
//!
//! Every validator of the set has a window record ([`pb::SigningInfo`]: start height, missed
//! counter) and a missed-block bitmap — rampart-core's [`rampart_core::ChunkedBitmap`], the one
//! the provider's slashing module keeps, under `ccv/missed/`. Begin block counts the previous
//! block's commit (`ctx.last_commit`): per vote one record read and one bitmap-chunk read, and a
//! write only when a bit flips, so a consumer whose validators all sign writes nothing.
//!
//! **Position.** CometBFT's commit info lists every validator of the previous height's set,
//! signed or not, so a validator of the set has a vote in every commit and the vote counted at
//! height h sits at bitmap position `(h − start_height) mod window`: the SDK's index offset is
//! `h − start_height`, known without a write per block. The window starts with the first commit
//! that can carry the validator's vote: a validator that joins the set at the end of height r is
//! in CometBFT's set from r + 2, its first vote is counted at r + 3 (the genesis set's at
//! `initial_height + 1`). One that leaves the set loses its window and bitmap at the end block
//! that removes it (its last two votes, still in CometBFT's commits, are not counted); if it
//! comes back it starts afresh.
//!
//! **Downtime.** A validator tracked for a whole window (`window` votes counted) that missed more
//! than `window − ⌊window × min_signed_per_window⌋` of them gets a [`pb::DowntimeRecord`] under
//! the provable key [`proven::downtime_key`] (`seq` from 1), an event
//! `consumer_downtime{seq, address, height, missed}`, and a fresh window. It is then
//! *outstanding* (`ccv/outstanding/`): it gets no other record until a validator-set-change
//! packet's `slash_acks` names its address ([`acknowledge`]), which deletes the flag and the
//! record. The records stored are therefore exactly those awaiting the provider.
//!
//! Work per block: O(votes) reads; a record writes one record, one flag and the sequence number
//! and clears one bitmap (⌈window / 1024⌉ chunks at most). Nothing scans the records.

use std::collections::BTreeSet;

use prost::Message;
use rampart_core::address::consensus_address;
use rampart_core::bitmap::max_missed;
use rampart_core::context::{BlockContext, ConsensusAddress};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::timestamp;
use rampart_core::{
    Decimal, Event, Events, StateRead, StateReadExt, StateWrite, StateWriteExt, ValidatorUpdate,
};
use rampart_proto::rampart::ccv::v1 as pb;

use crate::keys::{self, MISSED_BITMAP};
use crate::proven;

/// The liveness window of the consumer's parameters (built only by [`Window::of`], so never
/// empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    blocks: u64,
    max_missed: u64,
}

impl Window {
    /// The window of `params`: `None` when `signed_blocks_window` is 0 (liveness is not
    /// tracked); `sdk/18` when `min_signed_per_window` is not a decimal in [0, 1].
    pub fn of(params: &pb::Params) -> AppResult<Option<Self>> {
        if params.signed_blocks_window == 0 {
            return Ok(None);
        }
        let min_signed: Decimal = params.min_signed_per_window.parse().map_err(|_| {
            AppError::sdk(
                SdkCode::InvalidRequest,
                format!(
                    "min_signed_per_window: {:?} is not a decimal",
                    params.min_signed_per_window
                ),
            )
        })?;
        if min_signed > Decimal::ONE {
            return Err(AppError::sdk(
                SdkCode::InvalidRequest,
                "min_signed_per_window must be in [0, 1]",
            ));
        }
        Ok(Some(Self {
            blocks: params.signed_blocks_window,
            max_missed: max_missed(params.signed_blocks_window, min_signed)?,
        }))
    }

    /// Blocks per window (`signed_blocks_window`, positive).
    pub fn blocks(&self) -> u64 {
        self.blocks
    }

    /// Missed blocks beyond which a validator is down: `blocks − ⌊blocks × min_signed⌋`.
    pub fn max_missed(&self) -> u64 {
        self.max_missed
    }

    /// The bitmap position of the vote counted `offset` blocks after the window's start.
    fn position(&self, offset: u64) -> u64 {
        // `blocks` is positive (`Window::of`); `checked_rem` only spells it out.
        offset.checked_rem(self.blocks).unwrap_or(0)
    }

    /// Whether a validator with `counted` votes counted in its window and `missed` blocks missed
    /// among the last `blocks` of them is down: tracked for a whole window, and above the bound.
    pub fn is_down(&self, counted: u64, missed: u64) -> bool {
        counted >= self.blocks && missed > self.max_missed
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("corrupt ccv state ({what}): {e}"))
}

/// The 20-byte consensus address in `bytes`.
pub fn parse_address(bytes: &[u8]) -> Option<ConsensusAddress> {
    bytes.try_into().ok()
}

/// The liveness window of `address`: `Some` exactly while it is a validator of the set.
pub fn signing_info(
    state: &dyn StateRead,
    address: &ConsensusAddress,
) -> AppResult<Option<pb::SigningInfo>> {
    state
        .get_proto(&keys::signing_info(address))
        .map_err(|e| corrupt("signing info", e))
}

/// Stores `info` as `address`'s window.
pub fn save_signing_info(
    state: &mut dyn StateWrite,
    address: &ConsensusAddress,
    info: &pb::SigningInfo,
) {
    state.put_proto(keys::signing_info(address), info);
}

/// Every window, by address (genesis export, invariants).
pub fn signing_infos(state: &dyn StateRead) -> AppResult<Vec<pb::SigningInfo>> {
    state
        .scan_prefix(keys::SIGNING_PREFIX)
        .map(|(_, value)| {
            pb::SigningInfo::decode(value.as_slice()).map_err(|e| corrupt("signing info", e))
        })
        .collect()
}

/// Starts `address`'s window with its vote counted at `start_height`.
pub fn track(state: &mut dyn StateWrite, address: &ConsensusAddress, start_height: u64) {
    save_signing_info(
        state,
        address,
        &pb::SigningInfo {
            address: address.to_vec(),
            start_height,
            missed_blocks_counter: 0,
        },
    );
}

/// Ends `address`'s window (it left the set): deletes the record and the bitmap. An outstanding
/// downtime record stays until the provider acknowledges it.
pub fn forget(state: &mut dyn StateWrite, address: &ConsensusAddress) {
    state.delete(keys::signing_info(address));
    MISSED_BITMAP.clear(state, address);
}

/// Follows the set's changes applied at the end of consumer `height` (`updates`, as returned to
/// CometBFT): a validator that left is forgotten; one that joined is tracked from its first vote,
/// at `height + 3`; a change of power changes nothing. O(updates).
pub fn follow_updates(state: &mut dyn StateWrite, height: u64, updates: &[ValidatorUpdate]) {
    for update in updates {
        let address = consensus_address(&update.ed25519_pubkey);
        if update.power == 0 {
            forget(state, &address);
        } else if state.get(&keys::signing_info(&address)).is_none() {
            track(state, &address, height.saturating_add(3));
        }
    }
}

/// Counts `ctx.last_commit` (the votes for height `ctx.height − 1`) into the windows of the
/// set's validators (a vote of an address without a window — one that left the set — is not
/// counted), and records the downtime of each validator found down and not outstanding:
/// infraction height `ctx.height`, time `ctx.time`, `vsc_id` the vsc id in force at that height.
pub fn count_votes(
    state: &mut dyn StateWrite,
    ctx: &BlockContext,
    window: Window,
    vsc_id: u64,
    events: &mut Events,
) -> AppResult<()> {
    for vote in &ctx.last_commit {
        let Some(mut info) = signing_info(state, &vote.address)? else {
            continue;
        };
        // A vote from before the window starts: the validator left and joined again, and this
        // vote is one of the last two of its previous membership.
        let Some(offset) = ctx.height.checked_sub(info.start_height) else {
            continue;
        };
        let missed = !vote.signed;
        let mut changed =
            MISSED_BITMAP.set_missed(state, &vote.address, window.position(offset), missed);
        if changed {
            info.missed_blocks_counter = if missed {
                info.missed_blocks_counter.saturating_add(1)
            } else {
                info.missed_blocks_counter.saturating_sub(1)
            };
        }
        if window.is_down(offset.saturating_add(1), info.missed_blocks_counter)
            && outstanding_seq(state, &vote.address)? == 0
        {
            let record = pb::DowntimeRecord {
                seq: last_seq(state)?
                    .checked_add(1)
                    .ok_or_else(|| corrupt("downtime seq", "exhausted"))?,
                consumer_address: vote.address.to_vec(),
                infraction_height: ctx.height,
                time: Some(timestamp(ctx.time)),
                vsc_id,
                missed: info.missed_blocks_counter,
                window: window.blocks,
            };
            put_record(state, &record)?;
            save_last_seq(state, record.seq);
            events.push(
                Event::new("consumer_downtime")
                    .attr("seq", record.seq.to_string())
                    .attr("address", ctx.profile.to_valcons(&vote.address))
                    .attr("height", ctx.height.to_string())
                    .attr("missed", record.missed.to_string()),
            );
            info.start_height = ctx.height.saturating_add(1);
            info.missed_blocks_counter = 0;
            MISSED_BITMAP.clear(state, &vote.address);
            changed = true;
        }
        if changed {
            save_signing_info(state, &vote.address, &info);
        }
    }
    Ok(())
}

/// Stores `record` under its provable key and flags its validator outstanding (an error for a
/// record whose address is not 20 bytes).
pub fn put_record(state: &mut dyn StateWrite, record: &pb::DowntimeRecord) -> AppResult<()> {
    let address = parse_address(&record.consumer_address)
        .ok_or_else(|| corrupt("downtime record", "address is not 20 bytes"))?;
    state.put(
        proven::downtime_key(record.seq),
        proven::downtime_value(record),
    );
    state.put(
        keys::outstanding(&address),
        record.seq.to_be_bytes().to_vec(),
    );
    Ok(())
}

/// The last downtime sequence number used; 0 before the first record.
pub fn last_seq(state: &dyn StateRead) -> AppResult<u64> {
    keys::read_u64(state, keys::DOWNTIME_SEQ)
}

/// Records `seq` as the last downtime sequence number used.
pub fn save_last_seq(state: &mut dyn StateWrite, seq: u64) {
    state.put(keys::DOWNTIME_SEQ.to_vec(), seq.to_be_bytes().to_vec());
}

/// The seq of `address`'s outstanding downtime record; 0 when none.
pub fn outstanding_seq(state: &dyn StateRead, address: &ConsensusAddress) -> AppResult<u64> {
    keys::read_u64(state, &keys::outstanding(address))
}

/// The downtime record `seq`, while it awaits the provider.
pub fn record(state: &dyn StateRead, seq: u64) -> AppResult<Option<pb::DowntimeRecord>> {
    state
        .get_proto(&proven::downtime_key(seq))
        .map_err(|e| corrupt("downtime record", e))
}

/// Every record awaiting the provider, by seq (genesis export, invariants).
pub fn records(state: &dyn StateRead) -> AppResult<Vec<pb::DowntimeRecord>> {
    state
        .scan_prefix(keys::DOWNTIME_PREFIX)
        .map(|(_, value)| {
            pb::DowntimeRecord::decode(value.as_slice()).map_err(|e| corrupt("downtime record", e))
        })
        .collect()
}

/// The provider acted on the validators of `slash_acks` (20-byte consensus addresses, checked
/// when the packet was decoded): each one's outstanding record is deleted with its flag, with an
/// event `downtime_acknowledged{seq}`. An address without one is skipped (the provider acted on
/// something else, or acknowledged twice). O(acks).
pub fn acknowledge(
    state: &mut dyn StateWrite,
    slash_acks: &[Vec<u8>],
    events: &mut Events,
) -> AppResult<()> {
    for ack in slash_acks {
        let Some(address) = parse_address(ack) else {
            continue;
        };
        let seq = outstanding_seq(state, &address)?;
        if seq == 0 {
            continue;
        }
        state.delete(keys::outstanding(&address));
        state.delete(proven::downtime_key(seq));
        events.push(Event::new("downtime_acknowledged").attr("seq", seq.to_string()));
    }
    Ok(())
}

/// What the module can prove about liveness: windows exactly for the set's validators, each
/// counter equal to its bitmap's set bits; outstanding flags exactly for the stored records,
/// none beyond the last seq.
pub fn check_invariants(state: &dyn StateRead) -> AppResult<Option<String>> {
    let members: BTreeSet<ConsensusAddress> = state
        .scan_prefix(keys::VALIDATOR_PREFIX)
        .filter_map(|(key, _)| <[u8; 32]>::try_from(key.get(keys::VALIDATOR_PREFIX.len()..)?).ok())
        .map(|key| consensus_address(&key))
        .collect();
    let mut tracked = BTreeSet::new();
    for info in signing_infos(state)? {
        let Some(address) = parse_address(&info.address).filter(|a| members.contains(a)) else {
            return Ok(Some(format!(
                "ccv: a window for {}, not a validator of the set",
                hex::encode(&info.address)
            )));
        };
        tracked.insert(address);
        let bits = MISSED_BITMAP.missed_indices(state, &address).len();
        if u64::try_from(bits).ok() != Some(info.missed_blocks_counter) {
            return Ok(Some(format!(
                "ccv: {} counts {} missed blocks, its bitmap {bits}",
                hex::encode(address),
                info.missed_blocks_counter
            )));
        }
    }
    if tracked != members {
        return Ok(Some("ccv: a validator of the set without a window".into()));
    }
    let last_seq = last_seq(state)?;
    let mut flagged = 0usize;
    for record in records(state)? {
        let flag = parse_address(&record.consumer_address)
            .map(|a| outstanding_seq(state, &a))
            .transpose()?;
        if flag != Some(record.seq) || record.seq > last_seq {
            return Ok(Some(format!(
                "ccv: downtime record {} is not its validator's outstanding one",
                record.seq
            )));
        }
        flagged += 1;
    }
    if state.scan_prefix(keys::OUTSTANDING_PREFIX).count() != flagged {
        return Ok(Some("ccv: an outstanding flag without its record".into()));
    }
    Ok(None)
}
