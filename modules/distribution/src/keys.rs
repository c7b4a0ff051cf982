//! Every state key of the distribution module, built in one place. Addresses are raw 20 bytes.

pub use rampart_core::keys::{addr_at, join};

/// Parameters (`cosmos.distribution.v1beta1.Params`).
pub const PARAMS: &[u8] = b"distribution/params";
/// The community pool (decimal coins).
pub const COMMUNITY_POOL: &[u8] = b"distribution/pool";
/// The consensus address of the previous block's proposer (20 bytes).
pub const PREVIOUS_PROPOSER: &[u8] = b"distribution/proposer";
/// Withdraw addresses: `withdraw/ ‖ delegator` → withdraw address (20 bytes). Absent means the
/// delegator itself.
pub const WITHDRAW: &[u8] = b"distribution/withdraw/";
/// Per-validator records: `val/ ‖ operator` → reward index, commission, outstanding.
pub const VALIDATOR: &[u8] = b"distribution/val/";
/// Per-delegation settled index: `del/ ‖ delegator ‖ operator` → decimal coins.
pub const DELEGATION: &[u8] = b"distribution/del/";
/// Per-backing-class reward index: `cidx/ ‖ operator ‖ class id (u32 BE)` → decimal coins per
/// class share.
pub const CLASS_INDEX: &[u8] = b"distribution/cidx/";
