//! A small client library for Rampart (and any Cosmos SDK chain): coins, signed transactions and
//! a CometBFT RPC client that queries at gRPC method paths and broadcasts.
//!
//! Used by `rampartd tx` / `rampartd query`, and meant to be called from tests and tools (the
//! localnet faucet):
//!
//! ```no_run
//! # async fn demo(key: rampartd::keys::AccountKey) -> anyhow::Result<()> {
//! use rampartd::client::{coins, rpc::NodeClient, send, BroadcastMode};
//! let node = NodeClient::new("http://127.0.0.1:26657")?;
//! let amount = coins::parse_coins("100uramp")?;
//! let plan = send::SendPlan::new("rampart1…", amount);
//! let prepared = send::prepare(&node, &key, &plan).await?;
//! let timeout = std::time::Duration::from_secs(30);
//! let outcome = node.broadcast(prepared.tx.tx_bytes, BroadcastMode::Block, timeout).await?;
//! outcome.check()?; // a non-zero code becomes a `ChainError`
//! println!("{}", outcome.hash);
//! # Ok(()) }
//! ```

pub mod address;
pub mod coins;
pub mod decimal;
pub mod error;
pub mod rpc;
pub mod send;
pub mod submit;
pub mod tx_builder;

pub use error::ChainError;
pub use rpc::{BroadcastMode, NodeClient};
