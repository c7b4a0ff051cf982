//! The Rampart client layer: everything a program needs to talk to a Rampart node (or any
//! Cosmos SDK chain) without the node itself — used by `rampartd keys|tx|query`, the localnet,
//! the end-to-end tests, and meant for the relayer and the load generator.
//!
//! - [`query`]: typed queries, one small API per module (`node.staking().validator(…)`,
//!   `node.bank().all_balances(…)`, …);
//! - [`tx_builder`] builds and signs transactions (SIGN_MODE_DIRECT `TxRaw`), [`submit`] signs
//!   any messages for an account read from the chain ([`gas`]: fixed or simulated), [`send`] is
//!   the bank send in one call;
//! - [`rpc`] is the CometBFT RPC client: ABCI queries at gRPC method paths, broadcast and wait;
//!   [`node_status`] reads heights, blocks, peers and validators for tools watching a network;
//! - [`keys`]: mnemonics, HD keys, sealed private keys and the keyring;
//! - [`address`], [`coins`], [`decimal`]: what users type and read.
//!
//! Every type URL and query path comes from the module crates (`rampart_staking::urls`, …),
//! never spelled here. They are used without their `component` feature, so only their domain
//! part (wire names, stateless types) is linked, not their state machines (as Penumbra's
//! domain/component split does).
//!
//! ```no_run
//! # async fn demo(key: rampart_client::keys::AccountKey) -> anyhow::Result<()> {
//! use rampart_client::{coins, send, BroadcastMode, NodeClient};
//! let node = NodeClient::new("http://127.0.0.1:26657")?;
//! let amount = coins::parse_coins("100uramp")?;
//! let plan = send::SendPlan::new("rampart1…", amount);
//! let prepared = send::prepare(&node, &key, &plan).await?;
//! let timeout = std::time::Duration::from_secs(30);
//! let outcome = node.broadcast(prepared.tx.tx_bytes, BroadcastMode::Block, timeout).await?;
//! outcome.check()?; // a non-zero code becomes a `ChainError`
//! println!("{}", outcome.hash);
//! let validators = node.staking().validators("").await?;
//! println!("{} validators", validators.len());
//! # Ok(()) }
//! ```

pub mod address;
pub mod coins;
pub mod decimal;
pub mod error;
pub mod gas;
pub mod keys;
pub mod msgs;
pub mod node_status;
pub mod query;
pub mod rpc;
pub mod send;
pub mod submit;
pub mod tx_builder;

pub use error::ChainError;
pub use rpc::{BroadcastMode, NodeClient, TxOutcome};
