//! `rampartd tx liquid …` and `rampartd query liquid …`: the liquid restaking token
//! (`rampart.liquid.v1`). `tx liquid stake 1000000uramp` delegates through the module and
//! mints `lsuramp` at the current rate; `tx liquid unstake 400000lsuramp` redeems after the
//! epoch's batch is undelegated and the unbonding period has passed. `query liquid rate`,
//! `backing`, `risk`, `unbondings ADDRESS` and `params` read the module.

pub mod query;
pub mod tx;
