//! The bank module: balances per (address, denom), total supply per denom, `MsgSend` and
//! `MsgMultiSend`, genesis balances and the `cosmos.bank.v1beta1.Query` service. Other modules
//! move, mint and burn tokens through the [`BankRead`]/[`BankWrite`] extension traits; supply
//! changes only in [`BankWrite::mint`] and [`BankWrite::burn`].

pub mod errors;
pub mod genesis;
pub mod module;
pub mod msgs;
pub mod query;
pub mod state;

// Coins are chain vocabulary (`rampart_core::coins`); re-exported for the crates above.
pub use module::BankModule;
pub use rampart_core::coins::{format_coins, validate_denom, Coin};
pub use state::{BankRead, BankWrite};
