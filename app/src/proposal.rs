//! Block proposals: what PrepareProposal keeps and ProcessProposal accepts, within CometBFT's
//! `block.max_gas` — recorded at InitChain, since CometBFT sends it to no other method — and the
//! proposal's byte budget.
//!
//! Rampart never returns `consensus_param_updates` from FinalizeBlock, so the genesis value
//! holds for the chain's life. `-1` (CometBFT's default) is unlimited and is not recorded at all,
//! which keeps the state (and the app hash) of chains without a limit as it was; any other value
//! bounds the sum of the block's gas limits (`fee.gas_limit`), as CometBFT's own mempool reaping
//! does.

use bytes::Bytes;
use rampart_core::state::{StateRead, StateWrite};

use crate::tx;

/// State key of the block gas limit (CometBFT's `block.max_gas`), present only when limited.
pub const BLOCK_MAX_GAS_KEY: &[u8] = b"consensus/block_max_gas";

/// Records CometBFT's `block.max_gas` (`-1` or below: unlimited, nothing recorded).
pub fn store_max_gas(state: &mut dyn StateWrite, max_gas: i64) {
    if let Ok(limit) = u64::try_from(max_gas) {
        state.put(BLOCK_MAX_GAS_KEY.to_vec(), limit.to_be_bytes().to_vec());
    }
}

/// The recorded block gas limit; `None` when unlimited.
pub fn load_max_gas(state: &dyn StateRead) -> Option<u64> {
    let value = state.get(BLOCK_MAX_GAS_KEY)?;
    Some(u64::from_be_bytes(value.as_slice().try_into().ok()?))
}

/// A block's running totals against its limits.
struct Budget {
    max_bytes: u64,
    max_gas: Option<u64>,
    bytes: u64,
    gas: u64,
}

impl Budget {
    /// Adds a transaction if it decodes and fits both limits; returns whether it did.
    fn admit(&mut self, tx_bytes: &[u8]) -> bool {
        let Ok(decoded) = tx::decode(tx_bytes) else {
            return false;
        };
        let size = u64::try_from(tx_bytes.len()).unwrap_or(u64::MAX);
        // Saturating sums exceed every limit they reach (`max_gas` is at most `i64::MAX`).
        let bytes = self.bytes.saturating_add(size);
        let gas = self.gas.saturating_add(decoded.gas_limit());
        if bytes > self.max_bytes || self.max_gas.is_some_and(|max| gas > max) {
            return false;
        }
        self.bytes = bytes;
        self.gas = gas;
        true
    }
}

/// PrepareProposal: keeps, in order, the transactions that decode and fit in `max_bytes` and
/// `max_gas`, skipping (not stopping at) one that would exceed either, as the SDK does.
pub fn prepare(txs: Vec<Bytes>, max_bytes: u64, max_gas: Option<u64>) -> Vec<Bytes> {
    let mut budget = Budget {
        max_bytes,
        max_gas,
        bytes: 0,
        gas: 0,
    };
    txs.into_iter()
        .filter(|tx_bytes| budget.admit(tx_bytes))
        .collect()
}

/// ProcessProposal: whether every transaction decodes and their gas limits sum to at most
/// `max_gas` (CometBFT has already checked the block's bytes).
pub fn accept(txs: &[Bytes], max_gas: Option<u64>) -> bool {
    let mut budget = Budget {
        max_bytes: u64::MAX,
        max_gas,
        bytes: 0,
        gas: 0,
    };
    txs.iter().all(|tx_bytes| budget.admit(tx_bytes))
}
