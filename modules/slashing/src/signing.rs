//! Per-validator liveness records: the SDK's `ValidatorSigningInfo` and the missed-block bitmap
//! over the window, stored in 1,024-bit chunks so that one block's update reads and writes one
//! chunk (O(1)), and a validator's storage is O(window) bits.

use cosmos_sdk_proto::cosmos::slashing::v1beta1::ValidatorSigningInfo;
use rampart_core::context::ConsensusAddress;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{block_time, timestamp};
use rampart_core::ChainProfile;
use rampart_core::{BlockTime, StateRead, StateReadExt, StateWrite, StateWriteExt};

use crate::keys::{self, CHUNK_BITS};

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

fn chunk_of(index: u64) -> (u64, usize, u8) {
    let chunk = index / CHUNK_BITS;
    let bit = index % CHUNK_BITS;
    // bit < 1024, so bit / 8 < 128 always fits a usize.
    (chunk, (bit / 8) as usize, 1u8 << (bit % 8))
}

/// Whether the block at bitmap position `index` was missed.
pub fn missed(state: &dyn StateRead, address: &ConsensusAddress, index: u64) -> bool {
    let (chunk, byte, mask) = chunk_of(index);
    state
        .get(&keys::missed_chunk(address, chunk))
        .and_then(|bytes| bytes.get(byte).copied())
        .is_some_and(|b| b & mask != 0)
}

/// Records whether the block at bitmap position `index` was missed.
pub fn set_missed(state: &mut dyn StateWrite, address: &ConsensusAddress, index: u64, value: bool) {
    let (chunk, byte, mask) = chunk_of(index);
    let key = keys::missed_chunk(address, chunk);
    let mut bytes = state.get(&key).unwrap_or_default();
    if bytes.len() < (CHUNK_BITS / 8) as usize {
        bytes.resize((CHUNK_BITS / 8) as usize, 0);
    }
    if value {
        bytes[byte] |= mask;
    } else {
        bytes[byte] &= !mask;
    }
    if bytes.iter().all(|b| *b == 0) {
        state.delete(key);
    } else {
        state.put(key, bytes);
    }
}

/// Clears `address`'s whole bitmap.
pub fn clear_missed(state: &mut dyn StateWrite, address: &ConsensusAddress) {
    let keys: Vec<Vec<u8>> = state
        .scan_prefix(&keys::missed_prefix(address))
        .map(|(key, _)| key)
        .collect();
    for key in keys {
        state.delete(key);
    }
}

/// The missed positions of `address`'s bitmap, ascending (genesis export).
pub fn missed_indices(state: &dyn StateRead, address: &ConsensusAddress) -> Vec<u64> {
    let prefix = keys::missed_prefix(address);
    let mut out = Vec::new();
    for (key, bytes) in state.scan_prefix(&prefix) {
        let Some(chunk) = key
            .get(prefix.len()..prefix.len() + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_be_bytes)
        else {
            continue;
        };
        for (i, byte) in bytes.iter().enumerate() {
            for bit in 0..8u64 {
                if byte & (1 << bit) != 0 {
                    out.push(chunk * CHUNK_BITS + i as u64 * 8 + bit);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::state::{EmptyState, Overlay};

    #[test]
    fn bitmap_bits_are_independent_across_chunk_edges() {
        let mut state = Overlay::new(EmptyState);
        let a = [1; 20];
        for index in [0, 7, 8, 1023, 1024, 5000] {
            assert!(!missed(&state, &a, index));
            set_missed(&mut state, &a, index, true);
            assert!(missed(&state, &a, index));
        }
        assert!(!missed(&state, &a, 1022));
        assert!(!missed(&state, &[2; 20], 0), "other validators untouched");
        assert_eq!(missed_indices(&state, &a), [0, 7, 8, 1023, 1024, 5000]);
        set_missed(&mut state, &a, 1024, false);
        assert!(!missed(&state, &a, 1024));
        clear_missed(&mut state, &a);
        assert!(missed_indices(&state, &a).is_empty());
        assert_eq!(
            state.scan_prefix(keys::MISSED).count(),
            0,
            "no empty chunks kept"
        );
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
