//! `rampart.ccv.v1.Query`: a consumer chain's light client of the provider, the validator-set
//! changes it applied and the set the provider dictates.

use rampart_ccv::urls::{
    QUERY_APPLIED_VSC, QUERY_CONSENSUS_STATE, QUERY_PARAMS, QUERY_PROVIDER_CLIENT, QUERY_VALIDATORS,
};
use rampart_proto::rampart::ccv::v1 as pb;

use crate::NodeClient;

/// The cross-chain validation queries of a consumer node ([`NodeClient::ccv`]).
#[derive(Debug, Clone, Copy)]
pub struct CcvQueries<'a> {
    pub(crate) node: &'a NodeClient,
}

impl CcvQueries<'_> {
    /// The light client of the provider: its record (latest trusted height, trusting period,
    /// clock drift, frozen height), the latest trusted header's time and the expiry.
    pub async fn provider_client(&self) -> anyhow::Result<pb::QueryProviderClientResponse> {
        self.node
            .grpc_query_field(
                QUERY_PROVIDER_CLIENT,
                &pb::QueryProviderClientRequest {},
                |r: pb::QueryProviderClientResponse| r.client.is_some().then_some(r),
                "a provider client",
            )
            .await
    }

    /// The trusted consensus state of the provider at `height` (0: the latest).
    pub async fn consensus_state(&self, height: u64) -> anyhow::Result<pb::ConsensusState> {
        self.node
            .grpc_query_field(
                QUERY_CONSENSUS_STATE,
                &pb::QueryConsensusStateRequest { height },
                |r: pb::QueryConsensusStateResponse| r.consensus_state,
                "a consensus state",
            )
            .await
    }

    /// The highest validator-set-change packet applied, and the provider height it was computed
    /// at.
    pub async fn applied_vsc(&self) -> anyhow::Result<pb::QueryAppliedVscResponse> {
        self.node
            .grpc_query(QUERY_APPLIED_VSC, &pb::QueryAppliedVscRequest {})
            .await
    }

    /// The consumer's validator set as the provider dictates it, with the provider operators.
    pub async fn validators(&self) -> anyhow::Result<Vec<pb::ConsumerValidator>> {
        let response: pb::QueryValidatorsResponse = self
            .node
            .grpc_query(QUERY_VALIDATORS, &pb::QueryValidatorsRequest {})
            .await?;
        Ok(response.validators)
    }

    /// The consumer's cross-chain parameters (its consumer id, liveness window).
    pub async fn params(&self) -> anyhow::Result<pb::Params> {
        self.node
            .grpc_query_field(
                QUERY_PARAMS,
                &pb::QueryParamsRequest {},
                |r: pb::QueryParamsResponse| r.params,
                "params",
            )
            .await
    }
}
