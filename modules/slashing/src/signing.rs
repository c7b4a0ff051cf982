//! Per-validator liveness records: the SDK's `ValidatorSigningInfo` and the missed-block bitmap
//! over the window, rampart-core's [`rampart_core::ChunkedBitmap`] under `slashing/missed/`
//! (1,024-bit chunks: one block's update reads and writes one chunk, O(1), and a validator's
//! storage is O(window) bits).

use cosmos_sdk_proto::cosmos::slashing::v1beta1::ValidatorSigningInfo;
use rampart_core::context::ConsensusAddress;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{block_time, timestamp};
use rampart_core::ChainProfile;
use rampart_core::{BlockTime, StateRead, StateReadExt, StateWrite, StateWriteExt};

use crate::keys::{self, MISSED_BITMAP};

/// A validator's liveness record in checked types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningInfo {
    /// Consensus address.
    pub address: ConsensusAddress,
    /// Height from which the validator is tracked (downtime counts only after a full window).
    pub start_height: u64,
    /// Blocks counted so far; the bitmap position is `index_offset mod window`.
    pub index_offset: u64,
    /// Jailed until this block time (far future when tombstoned).
    pub jailed_until: BlockTime,
    /// Slashed for double signing: never unjailed, never slashed again.
    pub tombstoned: bool,
    /// Set bits in the bitmap.
    pub missed_blocks_counter: u64,
}

/// The block time a tombstoned validator is jailed until: 9999-12-31T23:59:59Z, as the SDK.
pub const JAILED_FOREVER: BlockTime = BlockTime {
    seconds: 253_402_300_799,
    nanos: 0,
};

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("corrupt signing info: {e}"))
}

impl SigningInfo {
    /// A fresh record starting at `height`.
    pub fn new(address: ConsensusAddress, height: u64) -> Self {
        Self {
            address,
            start_height: height,
            index_offset: 0,
            jailed_until: BlockTime::default(),
            tombstoned: false,
            missed_blocks_counter: 0,
        }
    }

    /// The SDK message.
    pub fn to_proto(&self) -> ValidatorSigningInfo {
        ValidatorSigningInfo {
            address: ChainProfile::rampart().to_valcons(&self.address),
            start_height: i64::try_from(self.start_height).unwrap_or(i64::MAX),
            index_offset: i64::try_from(self.index_offset).unwrap_or(i64::MAX),
            jailed_until: Some(timestamp(self.jailed_until)),
            tombstoned: self.tombstoned,
            missed_blocks_counter: i64::try_from(self.missed_blocks_counter).unwrap_or(i64::MAX),
        }
    }

    /// From the SDK message (as stored or in genesis).
    pub fn from_proto(p: &ValidatorSigningInfo) -> AppResult<Self> {
        let address = ChainProfile::rampart().valcons(&p.address, "address")?;
        let unsigned = |v: i64, field: &str| {
            u64::try_from(v).map_err(|_| corrupt(format!("negative {field}")))
        };
        Ok(Self {
            address,
            start_height: unsigned(p.start_height, "start_height")?,
            index_offset: unsigned(p.index_offset, "index_offset")?,
            jailed_until: p
                .jailed_until
                .as_ref()
                .map(block_time)
                .transpose()?
                .unwrap_or_default(),
            tombstoned: p.tombstoned,
            missed_blocks_counter: unsigned(p.missed_blocks_counter, "missed_blocks_counter")?,
        })
    }
}

/// The record of `address`, if the validator has been seen.
pub fn load(state: &dyn StateRead, address: &ConsensusAddress) -> AppResult<Option<SigningInfo>> {
    state
        .get_proto::<ValidatorSigningInfo>(&keys::signing_info(address))
        .map_err(corrupt)?
        .map(|p| SigningInfo::from_proto(&p))
        .transpose()
}

/// Stores `info`.
pub fn save(state: &mut dyn StateWrite, info: &SigningInfo) {
    state.put_proto(keys::signing_info(&info.address), &info.to_proto());
}

/// Every record, in consensus-address order.
pub fn all(state: &dyn StateRead) -> AppResult<Vec<SigningInfo>> {
    state
        .scan_prefix(keys::SIGNING_INFO)
        .map(|(_, value)| {
            let p = <ValidatorSigningInfo as prost::Message>::decode(value.as_slice())
                .map_err(corrupt)?;
            SigningInfo::from_proto(&p)
        })
        .collect()
}

/// Whether the block at bitmap position `index` was missed.
pub fn missed(state: &dyn StateRead, address: &ConsensusAddress, index: u64) -> bool {
    MISSED_BITMAP.missed(state, address, index)
}

/// Records whether the block at bitmap position `index` was missed.
pub fn set_missed(state: &mut dyn StateWrite, address: &ConsensusAddress, index: u64, value: bool) {
    MISSED_BITMAP.set_missed(state, address, index, value);
}

/// Clears `address`'s whole bitmap.
pub fn clear_missed(state: &mut dyn StateWrite, address: &ConsensusAddress) {
    MISSED_BITMAP.clear(state, address);
}

/// The missed positions of `address`'s bitmap, ascending (genesis export).
pub fn missed_indices(state: &dyn StateRead, address: &ConsensusAddress) -> Vec<u64> {
    MISSED_BITMAP.missed_indices(state, address)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::state::{EmptyState, Overlay};

    #[test]
    fn bitmap_keys_stay_slashing_missed_address_chunk() {
        let mut state = Overlay::new(EmptyState);
        let a = [1; 20];
        set_missed(&mut state, &a, 1024 + 9, true);
        assert!(missed(&state, &a, 1024 + 9));
        let key = [b"slashing/missed/".as_slice(), &a, &1u64.to_be_bytes()].concat();
        let mut chunk = vec![0u8; 128];
        chunk[1] = 0b10;
        assert_eq!(state.get(&key), Some(chunk));
        assert_eq!(missed_indices(&state, &a), [1024 + 9]);
        clear_missed(&mut state, &a);
        assert_eq!(state.scan_prefix(keys::MISSED).count(), 0);
    }

    #[test]
    fn signing_info_round_trips_through_the_sdk_form() {
        let mut info = SigningInfo::new([3; 20], 42);
        info.tombstoned = true;
        info.jailed_until = JAILED_FOREVER;
        info.missed_blocks_counter = 7;
        assert_eq!(
            SigningInfo::from_proto(&info.to_proto()).expect("parses"),
            info
        );
    }
}
