//! Core contracts of the Rampart state machine, shared by every module and by the app:
//!
//! - [`state`]: key-value state traits and the [`state::Overlay`] write buffer;
//! - [`counting`]: a [`Counting`] state that counts its reads, for cost tests;
//! - [`context`]: what a block, a transaction and genesis tell a module;
//! - [`consensus`]: the CometBFT consensus parameters modules need (evidence age);
//! - [`ed25519`]: the check of an ed25519 consensus key (on the curve, not of small order);
//! - [`events`]: indexed ABCI events;
//! - [`error`]: errors with stable codes;
//! - [`math`]: checked amounts and fixed-point decimals;
//! - [`module`]: the [`module::Module`] trait the app composes, the typed
//!   [`module::Component`] trait every module implements (a blanket impl makes it a `Module`),
//!   and the genesis-section and message-decoding helpers;
//! - [`params`]: loading parameters stored as one protobuf message;
//! - [`codespace!`]: a module's error codes in one declaration;
//!
//! and the chain vocabulary every module shares:
//!
//! - [`address`]: the one 20-byte [`Address`] type and its bech32 forms;
//! - [`bitmap`]: the chunked missed-block bitmap of a liveness window ([`ChunkedBitmap`]);
//! - [`profile`]: the [`ChainProfile`] (prefixes, bond denom, power reduction);
//! - [`pagination`]: the one paginator of list queries;
//! - [`wire`]: decimals, integers and times in their Cosmos wire forms;
//! - [`coins`]: coins, their validation and checked coin-list arithmetic.

pub mod address;
pub mod bitmap;
pub mod codespace;
pub mod coins;
pub mod consensus;
pub mod context;
pub mod counting;
pub mod ed25519;
pub mod error;
pub mod events;
pub mod keys;
pub mod math;
pub mod module;
pub mod pagination;
pub mod params;
pub mod profile;
pub mod state;
pub mod wire;

pub use address::Address;
pub use bitmap::ChunkedBitmap;
pub use coins::Coin;
pub use context::{BlockContext, BlockTime, GenesisContext, MsgContext, ValidatorUpdate};
pub use counting::{Counting, ReadCount};
pub use error::{AppError, AppResult, SdkCode};
pub use events::{Event, Events};
pub use math::{Amount, Decimal};
pub use module::{BlockScope, Component, Module, ModuleMsg, MsgScope, QueryContext, Scope};
pub use profile::ChainProfile;
pub use state::{Changes, KvIter, Overlay, StateRead, StateReadExt, StateWrite, StateWriteExt};
