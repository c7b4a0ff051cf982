//! Node-level gRPC services: the Cosmos services that need the node's CometBFT RPC (broadcast,
//! transaction lookup and search, blocks, node info, consensus parameters), as opposed to module
//! queries and simulation, which read committed state through `rampart_app::Queries`.
//!
//! Like module queries, every method is one raw-bytes route (see [`crate::grpc`]): the request is
//! decoded here with the `cosmos-sdk-proto` types, and the response encoded back. Methods of these
//! services that are not listed in [`PATHS`] answer `UNIMPLEMENTED` through the router's fallback.
//! ABCI `Query` cannot serve them: the application has no access to CometBFT's RPC.

// Every handler fails with `tonic::Status`, the type the gRPC server sends; boxing it would only
// move the allocation.
#![allow(clippy::result_large_err)]

mod consensus;
mod node_info;
mod rpc;
mod tx;

use prost::Message;
use tendermint_rpc::HttpClient;
use tonic::Status;

/// `cosmos.tx.v1beta1.Service/BroadcastTx`.
pub const BROADCAST_TX: &str = "/cosmos.tx.v1beta1.Service/BroadcastTx";
/// `cosmos.tx.v1beta1.Service/GetTx`.
pub const GET_TX: &str = "/cosmos.tx.v1beta1.Service/GetTx";
/// `cosmos.tx.v1beta1.Service/GetTxsEvent`.
pub const GET_TXS_EVENT: &str = "/cosmos.tx.v1beta1.Service/GetTxsEvent";
/// `cosmos.base.tendermint.v1beta1.Service/GetNodeInfo`.
pub const GET_NODE_INFO: &str = "/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo";
/// `cosmos.base.tendermint.v1beta1.Service/GetSyncing`.
pub const GET_SYNCING: &str = "/cosmos.base.tendermint.v1beta1.Service/GetSyncing";
/// `cosmos.base.tendermint.v1beta1.Service/GetLatestBlock`.
pub const GET_LATEST_BLOCK: &str = "/cosmos.base.tendermint.v1beta1.Service/GetLatestBlock";
/// `cosmos.consensus.v1.Query/Params`.
pub const CONSENSUS_PARAMS: &str = "/cosmos.consensus.v1.Query/Params";

/// Every method path the node services answer.
pub const PATHS: &[&str] = &[
    BROADCAST_TX,
    GET_TX,
    GET_TXS_EVENT,
    GET_NODE_INFO,
    GET_SYNCING,
    GET_LATEST_BLOCK,
    CONSENSUS_PARAMS,
];

/// The node-level services of one rampartd, answered through its CometBFT RPC.
#[derive(Clone)]
pub struct NodeServices {
    rpc: HttpClient,
}

impl NodeServices {
    /// Services that reach CometBFT at `rpc_url` (app.toml `cometbft.rpc`). Nothing is contacted
    /// until a request arrives.
    pub fn new(rpc_url: &str) -> anyhow::Result<Self> {
        let rpc = HttpClient::new(rpc_url).map_err(|e| {
            anyhow::anyhow!("invalid CometBFT RPC URL {rpc_url:?} (cometbft.rpc in app.toml): {e}")
        })?;
        Ok(Self { rpc })
    }

    /// Answers the method at `path` with the protobuf `request`; unknown paths are
    /// `UNIMPLEMENTED`.
    pub async fn call(&self, path: &str, request: &[u8]) -> Result<Vec<u8>, Status> {
        match path {
            BROADCAST_TX => encode(tx::broadcast(&self.rpc, decode(request)?).await),
            GET_TX => encode(tx::get_tx(&self.rpc, decode(request)?).await),
            GET_TXS_EVENT => encode(tx::get_txs_event(&self.rpc, decode(request)?).await),
            GET_NODE_INFO => encode(node_info::node_info(&self.rpc).await),
            GET_SYNCING => encode(node_info::syncing(&self.rpc).await),
            GET_LATEST_BLOCK => encode(node_info::latest_block(&self.rpc).await),
            CONSENSUS_PARAMS => encode(consensus::params(&self.rpc).await),
            _ => Err(Status::unimplemented(format!("unknown method {path}"))),
        }
    }
}

/// Decodes a request message; malformed bytes are `INVALID_ARGUMENT`.
fn decode<T: Message + Default>(bytes: &[u8]) -> Result<T, Status> {
    T::decode(bytes).map_err(|e| Status::invalid_argument(format!("invalid request: {e}")))
}

/// Encodes a response message.
fn encode<T: Message>(response: Result<T, Status>) -> Result<Vec<u8>, Status> {
    response.map(|message| message.encode_to_vec())
}

/// Test support: the module queries of an app over an empty store and the node services of a
/// CometBFT whose RPC (port 1) is unreachable — what the gRPC and REST servers' tests serve.
#[cfg(test)]
pub(crate) fn unreachable_node_over_empty_store(
) -> (tempfile::TempDir, rampart_app::Queries, NodeServices) {
    use rampart_app::{App, AppConfig};
    use rampart_store::{Storage, StorageConfig};

    let dir = tempfile::tempdir().expect("tempdir");
    let storage = Storage::open(
        &dir.path().join("db"),
        StorageConfig {
            keep_recent: 0,
            ..Default::default()
        },
    )
    .expect("store");
    let queries = App::new(storage, AppConfig::default()).queries();
    let node = NodeServices::new("http://127.0.0.1:1").expect("node");
    (dir, queries, node)
}
