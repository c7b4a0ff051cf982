//! Typed queries, one small API per module: `node.staking().validator(addr)`,
//! `node.bank().all_balances(addr)`, …. Each call sends the module's protobuf request to the
//! module's own query path (the constants of `rampart_<module>`, never spelled here) through
//! ABCI `Query`, and returns the protobuf response; paginated queries return every item.

pub mod auth;
pub mod bank;
pub mod consumer;
pub mod distribution;
pub mod restaking;
pub mod slashing;
pub mod staking;

use crate::NodeClient;

impl NodeClient {
    /// `cosmos.auth.v1beta1.Query`.
    pub fn auth(&self) -> auth::AuthQueries<'_> {
        auth::AuthQueries { node: self }
    }

    /// `cosmos.bank.v1beta1.Query`.
    pub fn bank(&self) -> bank::BankQueries<'_> {
        bank::BankQueries { node: self }
    }

    /// `cosmos.staking.v1beta1.Query`.
    pub fn staking(&self) -> staking::StakingQueries<'_> {
        staking::StakingQueries { node: self }
    }

    /// `cosmos.distribution.v1beta1.Query`.
    pub fn distribution(&self) -> distribution::DistributionQueries<'_> {
        distribution::DistributionQueries { node: self }
    }

    /// `cosmos.slashing.v1beta1.Query`.
    pub fn slashing(&self) -> slashing::SlashingQueries<'_> {
        slashing::SlashingQueries { node: self }
    }

    /// `rampart.consumer.v1.Query`.
    pub fn consumer(&self) -> consumer::ConsumerQueries<'_> {
        consumer::ConsumerQueries { node: self }
    }

    /// `rampart.restaking.v1.Query`.
    pub fn restaking(&self) -> restaking::RestakingQueries<'_> {
        restaking::RestakingQueries { node: self }
    }
}
