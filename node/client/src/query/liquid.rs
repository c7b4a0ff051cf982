//! `rampart.liquid.v1.Query`: the liquid restaking token's rate, backing, risk, unbondings.

use rampart_liquid::urls::{
    QUERY_BACKING, QUERY_EXCHANGE_RATE, QUERY_PARAMS, QUERY_RISK, QUERY_UNBONDINGS,
};
use rampart_proto::rampart::liquid::v1 as pb;

use crate::NodeClient;

/// The liquid queries of one node ([`NodeClient::liquid`]).
#[derive(Debug, Clone, Copy)]
pub struct LiquidQueries<'a> {
    pub(crate) node: &'a NodeClient,
}

impl LiquidQueries<'_> {
    /// The exchange rate and the stake behind the tokens.
    pub async fn exchange_rate(&self) -> anyhow::Result<pb::QueryExchangeRateResponse> {
        self.node
            .grpc_query(QUERY_EXCHANGE_RATE, &pb::QueryExchangeRateRequest {})
            .await
    }

    /// The parameters.
    pub async fn params(&self) -> anyhow::Result<pb::QueryParamsResponse> {
        self.node
            .grpc_query(QUERY_PARAMS, &pb::QueryParamsRequest {})
            .await
    }

    /// The module's stake per validator and per consumer.
    pub async fn backing(&self) -> anyhow::Result<pb::QueryBackingResponse> {
        self.node
            .grpc_query(QUERY_BACKING, &pb::QueryBackingRequest {})
            .await
    }

    /// The worst-case loss of one token.
    pub async fn risk(&self) -> anyhow::Result<pb::QueryRiskResponse> {
        self.node
            .grpc_query(QUERY_RISK, &pb::QueryRiskRequest {})
            .await
    }

    /// Every unbonding record of `owner` (`rampart1…`, all pages).
    pub async fn unbondings(&self, owner: &str) -> anyhow::Result<Vec<pb::UnbondingView>> {
        self.node
            .grpc_query_pages(
                QUERY_UNBONDINGS,
                |pagination| pb::QueryUnbondingsRequest {
                    owner: owner.to_owned(),
                    pagination: Some(pagination),
                },
                |r: pb::QueryUnbondingsResponse| (r.unbondings, r.pagination),
            )
            .await
    }
}
