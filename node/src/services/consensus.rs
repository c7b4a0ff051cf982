//! `cosmos.consensus.v1.Query/Params`: the consensus parameters CometBFT currently applies.

use tendermint_proto::types::ConsensusParams;
use tendermint_rpc::{Client, HttpClient};
use tonic::Status;

use super::rpc::unavailable;

/// `cosmos.consensus.v1.QueryParamsResponse` (cosmos-sdk-proto 0.27 does not ship the
/// `cosmos.consensus.v1` package; the message is declared in
/// `proto/third_party/cosmos/consensus/v1`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct QueryParamsResponse {
    /// The current consensus parameters.
    #[prost(message, optional, tag = "1")]
    pub params: Option<ConsensusParams>,
}

/// The consensus parameters of the latest committed block, from CometBFT's `consensus_params`
/// RPC. The height is asked for explicitly: without one CometBFT looks up the parameters of the
/// block *after* the last stored one, which it saves only a moment after storing the block, so a
/// query in between fails with "could not find consensus params".
pub async fn params(rpc: &HttpClient) -> Result<QueryParamsResponse, Status> {
    let height = rpc
        .status()
        .await
        .map_err(|e| unavailable("status", e))?
        .sync_info
        .latest_block_height;
    // Before the first block there is no committed height: ask for the latest instead.
    let answer = if height.value() == 0 {
        rpc.latest_consensus_params().await
    } else {
        rpc.consensus_params(height).await
    }
    .map_err(|e| unavailable("consensus_params", e))?;
    Ok(QueryParamsResponse {
        params: Some(answer.consensus_params.into()),
    })
}
