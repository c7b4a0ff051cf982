//! `rampartd query auth …`: accounts (`cosmos.auth.v1beta1`).

pub mod query;
