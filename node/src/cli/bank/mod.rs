//! `rampartd tx bank …` and `rampartd query bank …`: sending coins and reading balances
//! (`cosmos.bank.v1beta1`).

pub mod query;
pub mod tx;
