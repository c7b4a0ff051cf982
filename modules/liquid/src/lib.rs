//! A liquid restaking token, natively in the state machine (`rampart.liquid.v1`).
//!
//! `MsgLiquidStake` moves uramp into the module account, delegates it through staking spread
//! over bonded validators ([`allocate`]: evenly, the module's stake at one validator capped at
//! `max_validator_share_bps` of its stake, or the even split when there are too few validators)
//! and mints `lsuramp` at the exchange rate ([`rate`]: the stake behind the tokens — the
//! module's delegations at their current value plus the uramp in the module account awaiting
//! the next epoch — over the supply; 1:1 when there is none). Every `epoch_blocks` blocks
//! ([`epoch`]) the rewards of the module's delegations (consumer rewards reach them through
//! distribution's per-share index like the provider's own) are withdrawn and re-delegated, so
//! the rate rises; a slash of a validator cuts the module's delegation there, so the rate falls
//! by exactly the module's loss.
//!
//! `MsgLiquidUnstake` escrows the tokens in an unbonding record of the epoch's batch
//! ([`batch`]); at the epoch the batch's tokens are burned and their value at that epoch's rate
//! is undelegated pro rata from the module's validators. Staking slashes those unbonding entries
//! like any other; when they mature each record is paid its share of what staking actually
//! returned, never more. Every rounding favours the module: mint, redeem and shares round down.
//!
//! The module's delegations keep the default consumer choice (every consumer their validator
//! pledges to), so the module's stake backs them all; [`backing`] reports it per validator and per consumer, and the worst-case loss of
//! one token with restaking's exposure arithmetic.
//!
//! Domain/component split: without the default `component` feature only the domain part
//! builds (errors, [`urls`]); the state machine needs `component`.

pub mod errors;
pub mod urls;

// The state machine.
#[cfg(feature = "component")]
pub mod allocate;
#[cfg(feature = "component")]
pub mod backing;
#[cfg(feature = "component")]
pub mod batch;
#[cfg(feature = "component")]
pub mod epoch;
#[cfg(feature = "component")]
pub mod genesis;
#[cfg(feature = "component")]
pub mod invariants;
#[cfg(feature = "component")]
pub mod keys;
#[cfg(feature = "component")]
mod module;
#[cfg(feature = "component")]
pub mod msgs;
#[cfg(feature = "component")]
pub mod params;
#[cfg(feature = "component")]
pub mod queries;
#[cfg(feature = "component")]
pub mod rate;
#[cfg(feature = "component")]
pub mod records;

pub use errors::{LiquidCode, CODESPACE};
#[cfg(feature = "component")]
pub use module::LiquidModule;
#[cfg(feature = "component")]
pub use msgs::LiquidMsg;
#[cfg(feature = "component")]
pub use params::LiquidParams;
pub use urls::{LIQUID_DENOM, MODULE_ACCOUNT};

/// The module name and genesis section.
pub const NAME: &str = "liquid";

/// The module account's address.
pub fn module_address() -> rampart_core::Address {
    rampart_core::Address::module(MODULE_ACCOUNT)
}
