//! The bank module: balances per (address, denom), total supply per denom, `MsgSend` and
//! `MsgMultiSend`, genesis balances and the `cosmos.bank.v1beta1.Query` service. Other modules
//! move, mint and burn tokens through the [`BankRead`]/[`BankWrite`] extension traits; supply
//! changes only in [`BankWrite::mint`] and [`BankWrite::burn`].
//!
//! Domain/component split: without the default `component` feature only the domain part
//! builds (errors, coins, [`urls`]); the state machine needs `component`.

pub mod errors;
pub mod urls;

// The state machine.
#[cfg(feature = "component")]
pub mod genesis;
#[cfg(feature = "component")]
pub mod module;
#[cfg(feature = "component")]
pub mod msgs;
#[cfg(feature = "component")]
pub mod query;
#[cfg(feature = "component")]
pub mod state;

// Coins are chain vocabulary (`rampart_core::coins`); re-exported for the crates above.
#[cfg(feature = "component")]
pub use module::BankModule;
pub use rampart_core::coins::{format_coins, validate_denom, Coin};
#[cfg(feature = "component")]
pub use state::{BankRead, BankWrite};
