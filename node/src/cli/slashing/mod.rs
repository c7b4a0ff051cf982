//! `rampartd tx slashing unjail` and `rampartd query slashing …`: the `cosmos.slashing.v1beta1`
//! message and queries.

pub mod query;
pub mod tx;
