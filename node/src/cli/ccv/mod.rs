//! `rampartd query ccv …`: the consumer side of cross-chain validation (`rampart.ccv.v1`), asked
//! of a consumer chain's node — its light client of the provider, the validator-set changes it
//! applied, the set the provider dictates and its cross-chain parameters.

pub mod query;
