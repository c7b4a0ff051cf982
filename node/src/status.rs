//! `rampartd status`: what this node's CometBFT reports (height, app hash, sync, validator).

use tendermint_rpc::{Client, HttpClient};

/// A node's status, as printed by `rampartd status --output json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NodeStatus {
    /// The node's moniker.
    pub moniker: String,
    /// The chain id.
    pub chain_id: String,
    /// Latest committed height.
    pub latest_block_height: u64,
    /// App hash in the latest block header (hex).
    pub latest_app_hash: String,
    /// Whether the node is still syncing.
    pub catching_up: bool,
    /// This node's validator address (hex).
    pub validator_address: String,
    /// Its voting power (0 when not a validator).
    pub voting_power: u64,
}

/// Fetches the status from CometBFT's RPC at `rpc`.
pub async fn fetch(rpc: &str) -> anyhow::Result<NodeStatus> {
    let client = HttpClient::new(rpc).map_err(|e| anyhow::anyhow!("invalid RPC URL {rpc}: {e}"))?;
    let status = client.status().await.map_err(|e| {
        anyhow::anyhow!("cannot reach CometBFT at {rpc}: {e} (is the node running?)")
    })?;
    Ok(NodeStatus {
        moniker: status.node_info.moniker.to_string(),
        chain_id: status.node_info.network.to_string(),
        latest_block_height: status.sync_info.latest_block_height.value(),
        latest_app_hash: hex::encode_upper(status.sync_info.latest_app_hash.as_bytes()),
        catching_up: status.sync_info.catching_up,
        validator_address: status.validator_info.address.to_string(),
        voting_power: status.validator_info.power.value(),
    })
}

impl std::fmt::Display for NodeStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "moniker:      {}", self.moniker)?;
        writeln!(f, "chain id:     {}", self.chain_id)?;
        writeln!(f, "height:       {}", self.latest_block_height)?;
        writeln!(f, "app hash:     {}", self.latest_app_hash)?;
        writeln!(f, "catching up:  {}", self.catching_up)?;
        write!(
            f,
            "validator:    {} (power {})",
            self.validator_address, self.voting_power
        )
    }
}
