//! `rampartd tx consumer …` and `rampartd query consumer …`: the consumer-chain registry of
//! Rampart's native shared security (`rampart.consumer.v1`) — registering, updating, removing
//! and funding consumer chains, per-consumer commissions, and the registry's queries.
//!
//! # Consumer parameters at registration
//!
//! `tx consumer register` builds the consumer's `ConsumerParams` in three layers, each
//! overriding the one before:
//!
//! 1. the defaults ([`params::default_params`]): 1 to 100 validators, no minimum pledge or stake, no
//!    power cap, no allow/deny list, the provider's unbonding period (asked from the node),
//!    double signing 5 % slashed and tombstoned (jail 600 s), downtime 0.01 % (jail 600 s, not
//!    tombstoned; recorded for the consumer, the provider does not slash for it), no rewards;
//! 2. `--params-file FILE`: a JSON object with any of the fields of `ConsumerParams` — the same
//!    shape `query consumer consumer <id> --output json` prints under `params`, so an existing
//!    consumer's rules can be copied; fields left out keep the defaults;
//! 3. the parameter flags (`--min-validators`, `--double-sign-slash-fraction`, `--reward-rate`,
//!    …).
//!
//! `tx consumer update` starts from the consumer's current parameters instead of the defaults,
//! so `--double-sign-slash-fraction 0.08` changes only that (after launch, infraction
//! parameters take effect one provider unbonding period later).

pub mod params;
pub mod query;
pub mod tx;
