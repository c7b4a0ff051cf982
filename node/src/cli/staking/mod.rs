//! `rampartd tx staking …` and `rampartd query staking …`: the `cosmos.staking.v1beta1`
//! messages and queries. The messages themselves are built by `rampart_client::msgs::staking`
//! (the localnet's `join` creates its validator with its `NewValidator` too).

pub mod query;
pub mod tx;
