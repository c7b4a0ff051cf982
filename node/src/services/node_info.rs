//! `cosmos.base.tendermint.v1beta1.Service`: GetNodeInfo, GetSyncing and GetLatestBlock, from
//! CometBFT's `status` and `block` RPCs.

use cosmos_sdk_proto::cosmos::base::tendermint::v1beta1::{
    Block, GetLatestBlockResponse, GetNodeInfoResponse, GetSyncingResponse, Header, VersionInfo,
};
use rampart_auth::{Address, CONSENSUS_PREFIX};
use tendermint::node::info::TxIndexStatus;
use tendermint_proto::p2p::{DefaultNodeInfo, DefaultNodeInfoOther, ProtocolVersion};
use tendermint_rpc::{Client, HttpClient};
use tonic::Status;

use super::rpc::unavailable;

/// The node's P2P info and rampartd's version.
pub async fn node_info(rpc: &HttpClient) -> Result<GetNodeInfoResponse, Status> {
    let status = rpc.status().await.map_err(|e| unavailable("status", e))?;
    let info = status.node_info;
    let channels = hex::decode(info.channels.to_string())
        .map_err(|e| Status::internal(format!("CometBFT reported invalid channels: {e}")))?;
    let tx_index = match info.other.tx_index {
        TxIndexStatus::On => "on",
        TxIndexStatus::Off => "off",
    };
    Ok(GetNodeInfoResponse {
        default_node_info: Some(DefaultNodeInfo {
            protocol_version: Some(ProtocolVersion {
                p2p: info.protocol_version.p2p,
                block: info.protocol_version.block,
                app: info.protocol_version.app,
            }),
            default_node_id: info.id.to_string(),
            listen_addr: info.listen_addr.to_string(),
            network: info.network.to_string(),
            version: info.version.to_string(),
            channels,
            moniker: info.moniker.to_string(),
            other: Some(DefaultNodeInfoOther {
                tx_index: tx_index.into(),
                rpc_address: info.other.rpc_address,
            }),
        }),
        application_version: Some(VersionInfo {
            name: "rampart".into(),
            app_name: "rampartd".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            ..VersionInfo::default()
        }),
    })
}

/// Whether CometBFT is still catching up.
pub async fn syncing(rpc: &HttpClient) -> Result<GetSyncingResponse, Status> {
    let status = rpc.status().await.map_err(|e| unavailable("status", e))?;
    Ok(GetSyncingResponse {
        syncing: status.sync_info.catching_up,
    })
}

/// The latest block, both as CometBFT encodes it and with the SDK's bech32 proposer header.
pub async fn latest_block(rpc: &HttpClient) -> Result<GetLatestBlockResponse, Status> {
    let answer = rpc
        .latest_block()
        .await
        .map_err(|e| unavailable("block", e))?;
    let block = tendermint_proto::types::Block::from(answer.block);
    let sdk_block = sdk_block(&block)?;
    Ok(GetLatestBlockResponse {
        block_id: Some(answer.block_id.into()),
        block: Some(block),
        sdk_block: Some(sdk_block),
    })
}

/// The SDK's block form: the same block, with the proposer as a `rampartvalcons` address.
fn sdk_block(block: &tendermint_proto::types::Block) -> Result<Block, Status> {
    let header = block.header.clone().unwrap_or_default();
    let proposer: [u8; 20] = header.proposer_address.as_slice().try_into().map_err(|_| {
        Status::internal(format!(
            "block proposer address has {} bytes, expected 20",
            header.proposer_address.len()
        ))
    })?;
    Ok(Block {
        header: Some(Header {
            version: header.version,
            chain_id: header.chain_id,
            height: header.height,
            time: header.time,
            last_block_id: header.last_block_id,
            last_commit_hash: header.last_commit_hash,
            data_hash: header.data_hash,
            validators_hash: header.validators_hash,
            next_validators_hash: header.next_validators_hash,
            consensus_hash: header.consensus_hash,
            app_hash: header.app_hash,
            last_results_hash: header.last_results_hash,
            evidence_hash: header.evidence_hash,
            proposer_address: Address(proposer).to_bech32(CONSENSUS_PREFIX),
        }),
        data: block.data.clone(),
        evidence: block.evidence.clone(),
        last_commit: block.last_commit.clone(),
    })
}
