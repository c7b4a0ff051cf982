//! `rampartd tx distribution …` and `rampartd query distribution …`: withdrawing rewards and
//! commission, the withdraw address, and the `cosmos.distribution.v1beta1` queries.

pub mod query;
pub mod tx;
