//! The light client of the provider with real cryptography: headers signed by ed25519 validator
//! keys over CometBFT's canonical votes, verified by `ProdVerifier`; proofs from a real JMT.

mod common;
mod downtime;
mod module;
mod packets;
mod proofs;
mod pruning;
mod updates;
