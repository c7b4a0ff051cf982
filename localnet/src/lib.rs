//! `cargo localnet`: builds rampartd and runs a multi-validator CometBFT
//! network on loopback.
//!
//! The same library drives the CLI (`rampart-localnet` binary) and the
//! end-to-end tests in `rampart-tests`:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use rampart_localnet::{Binaries, CreateOptions, Localnet, PortPlan, StopMode};
//! let binaries = Binaries::resolve()?;
//! let mut net = Localnet::create(&CreateOptions {
//!     home: "/tmp/my-localnet".into(),
//!     validators: 4,
//!     chain_id: "rampart-localnet".into(),
//!     ports: PortPlan::Free,
//!     binaries: binaries.clone(),
//! })?;
//! net.start(&binaries)?;
//! net.wait_for_height(5, std::time::Duration::from_secs(60)).await?;
//! net.stop(StopMode::default())?;
//! # Ok(()) }
//! ```

pub mod accounts;
pub mod binaries;
pub mod cli;
pub mod config;
pub mod consumer;
pub mod drill;
pub mod genesis;
pub mod keys;
pub mod kvstore;
pub mod load;
pub mod manifest;
pub mod network;
pub mod ports;
pub mod process;
pub mod progress;

pub use accounts::Faucet;
pub use binaries::{build_rampartd, workspace_cargo, Binaries};
pub use consumer::{ConsumerStatus, ConsumerUp};
pub use genesis::{
    BLOCKS_PER_EPOCH, DOWNTIME_JAIL_SECS, SELF_DELEGATION, SIGNED_BLOCKS_WINDOW,
    UNBONDING_TIME_SECS,
};
pub use manifest::{ConsumerRecord, Manifest, NodeRecord, Pids, RelayerRecord};
pub use network::{
    default_home, Chain, CreateOptions, Localnet, NodeStatus, Running, DEFAULT_CHAIN_ID,
};
pub use ports::{NodePorts, PortPlan};
pub use process::StopMode;
pub use rampart_client::node_status as rpc;
pub use rpc::BlockSummary;
