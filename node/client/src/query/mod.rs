//! Typed queries, one small API per module: `node.staking().validator(addr)`,
//! `node.bank().all_balances(addr)`, …. Each call sends the module's protobuf request to the
//! module's own query path (the constants of `rampart_<module>`, never spelled here) through
//! ABCI `Query`, and returns the protobuf response; paginated queries return every item.

pub mod auth;
pub mod bank;
pub mod ccv;
pub mod consumer;
pub mod distribution;
pub mod liquid;
pub mod restaking;
pub mod slashing;
pub mod staking;

use crate::NodeClient;

/// `field` of a node's answer, or an error naming `what` when the node left it out.
fn required<T>(field: Option<T>, what: &str) -> anyhow::Result<T> {
    field.ok_or_else(|| anyhow::anyhow!("the node answered without {what}"))
}

impl NodeClient {
    /// [`NodeClient::grpc_query`], then the part of the response `field` takes out of it, which
    /// the node must not leave out (`what` names it in the error).
    pub(crate) async fn grpc_query_field<Req, Resp, T>(
        &self,
        path: &str,
        request: &Req,
        field: impl FnOnce(Resp) -> Option<T>,
        what: &str,
    ) -> anyhow::Result<T>
    where
        Req: prost::Message,
        Resp: prost::Message + Default,
    {
        required(field(self.grpc_query(path, request).await?), what)
    }
}

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

    /// `rampart.ccv.v1.Query` (a consumer chain's light client of the provider and its set).
    pub fn ccv(&self) -> ccv::CcvQueries<'_> {
        ccv::CcvQueries { node: self }
    }

    /// `rampart.restaking.v1.Query`.
    pub fn restaking(&self) -> restaking::RestakingQueries<'_> {
        restaking::RestakingQueries { node: self }
    }

    /// `rampart.liquid.v1.Query`.
    pub fn liquid(&self) -> liquid::LiquidQueries<'_> {
        liquid::LiquidQueries { node: self }
    }
}
