//! `rampartd tx restaking …` and `rampartd query restaking …`: pledges of provider validators
//! to consumer chains, consumer keys, consumer double-vote evidence and the on-chain security
//! metrics (`rampart.restaking.v1`).
//!
//! Pledges are written with a unit: `25%` (up to two decimals, `12.5%`) or `2500bps`; the chain
//! stores basis points, 1 to 10,000.
//!
//! `tx restaking submit-double-vote FILE --consumer-node URL` sends the two votes of an evidence
//! file written by `rampartd debug double-sign --output-evidence FILE` (CometBFT's JSON form) as
//! `MsgSubmitConsumerDoubleVote` with `tendermint.types.Vote`s, placed by the consumer's signed
//! header and validator set at the votes' height, fetched from the consumer's CometBFT RPC (whose
//! chain id must be the file's); the consumer is found by the file's chain id unless
//! `--consumer-id` names it. The relayer (`rampartd relay`) forwards the double votes a consumer
//! commits by itself.

pub mod query;
pub mod tx;
