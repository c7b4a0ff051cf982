//! Core contracts of the Rampart state machine, shared by every module and by the app:
//!
//! - [`state`]: key-value state traits and the [`state::Overlay`] write buffer;
//! - [`context`]: what a block, a transaction and genesis tell a module;
//! - [`consensus`]: the CometBFT consensus parameters modules need (evidence age);
//! - [`events`]: indexed ABCI events;
//! - [`error`]: errors with stable codes;
//! - [`math`]: checked amounts and fixed-point decimals;
//! - [`module`]: the [`module::Module`] trait the app composes.

pub mod consensus;
pub mod context;
pub mod error;
pub mod events;
pub mod math;
pub mod module;
pub mod state;

pub use context::{BlockContext, BlockTime, GenesisContext, MsgContext, ValidatorUpdate};
pub use error::{AppError, AppResult, SdkCode};
pub use events::{Event, Events};
pub use math::{Amount, Decimal};
pub use module::Module;
pub use state::{Changes, KvIter, Overlay, StateRead, StateReadExt, StateWrite, StateWriteExt};
