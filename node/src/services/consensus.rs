//! `cosmos.consensus.v1.Query/Params`: the consensus parameters CometBFT currently applies.

use tendermint_proto::types::ConsensusParams;
use tendermint_rpc::{Client, HttpClient};
use tonic::Status;

use super::rpc::unavailable;

/// `cosmos.consensus.v1.QueryParamsResponse` (cosmos-sdk-proto 0.27 does not ship the
/// `cosmos.consensus.v1` package; the message is declared in `proto/cosmos/consensus/v1`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct QueryParamsResponse {
    /// The current consensus parameters.
    #[prost(message, optional, tag = "1")]
    pub params: Option<ConsensusParams>,
}

/// The latest consensus parameters, from CometBFT's `consensus_params` RPC.
pub async fn params(rpc: &HttpClient) -> Result<QueryParamsResponse, Status> {
    let answer = rpc
        .latest_consensus_params()
        .await
        .map_err(|e| unavailable("consensus_params", e))?;
    Ok(QueryParamsResponse {
        params: Some(answer.consensus_params.into()),
    })
}
