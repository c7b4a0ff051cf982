//! The mint module: inflation of the staking token, paid to the fee collector every block.
//!
//! # What is minted
//!
//! At every `begin_block` the module mints
//!
//! ```text
//! supply(mint_denom) × inflation × Δt / year
//! ```
//!
//! where `supply` is the bank supply before this block's mint, `inflation` the annual rate from
//! the parameters (default 7 %), `Δt` the block time elapsed since the previous block (for the
//! first block: since the genesis time, recorded by `init_genesis`), and `year` 365.25 days
//! (31 557 600 s). The product is computed exactly in integers — nanoseconds, the inflation in
//! attos, a 256-bit intermediate ([`math::provision`]) — and the fraction of a token that does
//! not make a whole unit is kept as a *carry* in state and added to the next block's amount, so
//! no inflation is lost to rounding however short the blocks are.
//!
//! # Time-based, not block-based
//!
//! The Cosmos SDK's `x/mint` mints `annual_provisions / blocks_per_year` per block, so the yearly
//! amount depends on the real block time. Rampart mints by elapsed block time instead: the yearly
//! amount is exact whatever the block time, and a chain that halts for a day mints that day's
//! inflation as **one lump in the first block after the halt** (block times come from CometBFT,
//! never from the local clock). Block time never goes backwards in CometBFT; should it, nothing is
//! minted and the recorded time stays at the later value.
//!
//! The inflation rate is a fixed parameter (no `goal_bonded` feedback). The
//! `cosmos.mint.v1beta1.Query/Params` answer fills the SDK fields that do not apply so that
//! wallets that read them (Keplr) show the right rate: `inflation_min = inflation_max =
//! inflation`, `inflation_rate_change = 0`, `goal_bonded = 0.67` (informational only) and
//! `blocks_per_year =` [`query::BLOCKS_PER_YEAR`] (the SDK default for 5-second blocks, also
//! informational).
//!
//! # Where the coins go
//!
//! The minted coins are created in the `mint` module account (a `coinbase` event) and sent to the
//! `fee_collector` in the same step, where the distribution module (which runs after mint in
//! module order) picks them up together with the previous block's fees. The SDK's
//! `mint{bonded_ratio, inflation, annual_provisions, amount}` event is emitted every block
//! (`bonded_ratio` reads the `bonded_tokens_pool` module account's balance of the mint denom).
//!
//! Domain/component split: without the default `component` feature only the domain part
//! builds ([`math`], [`urls`]); the state machine needs `component`.

pub mod math;
pub mod urls;

// The state machine.
#[cfg(feature = "component")]
pub mod genesis;
#[cfg(feature = "component")]
pub mod module;
#[cfg(feature = "component")]
pub mod query;
#[cfg(feature = "component")]
pub mod state;

#[cfg(feature = "component")]
pub use module::{MintModule, BONDED_POOL, MINT_ACCOUNT, NAME};
#[cfg(feature = "component")]
pub use state::{MintParams, Minter};
