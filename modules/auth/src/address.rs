//! The chain's address vocabulary lives in `rampart_core` ([`rampart_core::address`],
//! [`rampart_core::profile`]); these re-exports keep the old paths working for crates outside
//! the modules (node, test kit). Modules import from `rampart_core` directly.

pub use rampart_core::address::Address;
pub use rampart_core::profile::{
    RAMPART_ACCOUNT_PREFIX as ACCOUNT_PREFIX, RAMPART_CONSENSUS_PREFIX as CONSENSUS_PREFIX,
    RAMPART_VALIDATOR_PREFIX as VALIDATOR_PREFIX,
};
