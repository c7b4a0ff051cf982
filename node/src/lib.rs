//! The Rampart node (`rampartd`): operator commands and the servers CometBFT and clients talk to.
//!
//! - [`init`] creates a node home, [`start`] runs the ABCI and gRPC servers, [`status`] and
//!   [`export`] inspect a node;
//! - [`home`] and [`config`] describe the files of a home, [`genesis`] checks genesis;
//! - [`genutil`] builds genesis validators from gentxs (`rampartd genesis …`);
//! - [`debug`] makes double-sign evidence (`rampartd debug double-sign`);
//! - [`relay`] relays validator-set changes between the provider and a consumer chain
//!   (`rampartd relay`);
//! - [`metrics`] serves Prometheus metrics (`[metrics]` in app.toml);
//! - [`withheld_events`] keeps FinalizeBlock's events from CometBFT on a node that withholds
//!   them (`[events] emit = false`);
//! - [`testnet`] writes the homes of a network whose validators run on separate hosts;
//! - [`rest`] serves the REST API (the Cosmos SDK's gRPC-gateway paths and JSON) beside gRPC;
//!   [`chain_info`] describes the chain to wallets and registries (`rampartd chain-info`);
//! - [`cometbft`] finds (or installs) the pinned CometBFT binary for everything above;
//! - [`cli`] (`rampartd keys|tx|query`) is the client side, built on the `rampart-client` crate
//!   (keys and keyring, typed queries, signed transactions, broadcasting).

pub mod chain_info;
pub mod cli;
pub mod cometbft;
pub mod config;
pub mod debug;
pub mod export;
pub mod genesis;
pub mod genutil;
pub mod grpc;
pub mod home;
pub mod init;
pub mod metrics;
pub mod relay;
pub mod rest;
pub mod services;
pub mod start;
pub mod status;
pub mod testnet;
pub mod validator_key;
pub mod withheld_events;
