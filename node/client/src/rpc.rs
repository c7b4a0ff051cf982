//! Talking to a node through its CometBFT RPC: `abci_query` at gRPC method paths (as CosmJS
//! does), broadcasting, and reading committed transactions.

use std::time::Duration;

use anyhow::{anyhow, Context};
use cosmos_sdk_proto::cosmos::base::query::v1beta1::{PageRequest, PageResponse};
use cosmos_sdk_proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use prost::Message;
use rampart_proto::SIMULATE_PATH;
use serde::Serialize;
use tendermint_rpc::{Client, HttpClient};

use crate::error::ChainError;

/// Items asked for per page by [`NodeClient::grpc_query_pages`].
pub const PAGE_LIMIT: u64 = 1000;
/// The RPC URL used when neither `--node` nor app.toml gives one.
pub const DEFAULT_RPC: &str = "http://127.0.0.1:26657";

/// How a transaction is handed to the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum BroadcastMode {
    /// Return after CheckTx (`broadcast_tx_sync`).
    Sync,
    /// Return at once, without CheckTx's verdict (`broadcast_tx_async`).
    Async,
    /// `sync`, then wait until the tx is committed in a block.
    Block,
}

/// What the node said about a broadcast transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxOutcome {
    /// Upper-case hex tx hash.
    pub hash: String,
    /// The block height (only once committed, i.e. `block` mode).
    pub height: Option<u64>,
    /// Result code (0 = success; for `async` always 0 — CheckTx has not run yet).
    pub code: u32,
    /// Codespace of a non-zero code.
    pub codespace: String,
    /// The log.
    pub log: String,
    /// Gas wanted (only once committed).
    pub gas_wanted: Option<i64>,
    /// Gas used (only once committed).
    pub gas_used: Option<i64>,
}

impl TxOutcome {
    /// `Err(ChainError)` when the code is non-zero.
    pub fn check(&self) -> Result<(), ChainError> {
        ChainError::check(&self.codespace, self.code, &self.log)
    }
}

/// A CometBFT RPC client.
#[derive(Debug, Clone)]
pub struct NodeClient {
    client: HttpClient,
    url: String,
}

impl NodeClient {
    /// A client for the RPC at `url` (e.g. `http://127.0.0.1:26657`); no request is made yet.
    pub fn new(url: &str) -> anyhow::Result<Self> {
        let client = HttpClient::new(url).map_err(|e| anyhow!("invalid RPC URL {url}: {e}"))?;
        Ok(Self {
            client,
            url: url.to_owned(),
        })
    }

    /// The node's chain id (from `/status`).
    pub async fn chain_id(&self) -> anyhow::Result<String> {
        let status = self.client.status().await.map_err(|e| self.rpc_error(e))?;
        Ok(status.node_info.network.to_string())
    }

    /// Calls a gRPC query method through ABCI `Query` at its method path; a non-zero code comes
    /// back as a [`ChainError`] (downcastable from the `anyhow::Error`).
    pub async fn grpc_query<Req: Message, Resp: Message + Default>(
        &self,
        path: &str,
        request: &Req,
    ) -> anyhow::Result<Resp> {
        let response = self
            .client
            .abci_query(Some(path.to_owned()), request.encode_to_vec(), None, false)
            .await
            .map_err(|e| self.rpc_error(e))?;
        ChainError::check(&response.codespace, response.code.value(), &response.log)?;
        Resp::decode(response.value.as_slice())
            .with_context(|| format!("cannot decode the response of {path}"))
    }

    /// Calls a paginated gRPC query method until the last page and concatenates the items:
    /// `request` builds the request for a page, `items` splits a response into its items and
    /// its page response. Pages hold up to [`PAGE_LIMIT`] items.
    pub async fn grpc_query_pages<Req, Resp, T>(
        &self,
        path: &str,
        mut request: impl FnMut(PageRequest) -> Req,
        mut items: impl FnMut(Resp) -> (Vec<T>, Option<PageResponse>),
    ) -> anyhow::Result<Vec<T>>
    where
        Req: Message,
        Resp: Message + Default,
    {
        let mut all = vec![];
        let mut next_key = vec![];
        loop {
            let page = PageRequest {
                key: next_key,
                limit: PAGE_LIMIT,
                ..Default::default()
            };
            let (batch, page) = items(self.grpc_query(path, &request(page)).await?);
            all.extend(batch);
            match page {
                Some(page) if !page.next_key.is_empty() => next_key = page.next_key,
                _ => return Ok(all),
            }
        }
    }

    /// Simulates `tx_bytes` (see [`crate::tx_builder::simulation_tx`]); returns the gas used.
    pub async fn simulate(&self, tx_bytes: Vec<u8>) -> anyhow::Result<u64> {
        #[allow(deprecated)] // `tx` is the deprecated alternative to `tx_bytes`; unset here.
        let request = SimulateRequest { tx: None, tx_bytes };
        let response: SimulateResponse = self.grpc_query(SIMULATE_PATH, &request).await?;
        let gas = response
            .gas_info
            .ok_or_else(|| anyhow!("the node answered Simulate without gas info"))?;
        Ok(gas.gas_used)
    }

    /// Broadcasts `tx_bytes`. `Sync` and `Block` report CheckTx failures as a non-zero code in
    /// the outcome (see [`TxOutcome::check`]); `Block` then waits up to `timeout` for the
    /// commit.
    pub async fn broadcast(
        &self,
        tx_bytes: Vec<u8>,
        mode: BroadcastMode,
        timeout: Duration,
    ) -> anyhow::Result<TxOutcome> {
        let pending = |hash: String, code: u32, codespace: String, log: String| TxOutcome {
            hash,
            height: None,
            code,
            codespace,
            log,
            gas_wanted: None,
            gas_used: None,
        };
        if mode == BroadcastMode::Async {
            let r = self
                .client
                .broadcast_tx_async(tx_bytes)
                .await
                .map_err(|e| self.rpc_error(e))?;
            return Ok(pending(
                r.hash.to_string(),
                r.code.value(),
                r.codespace,
                r.log,
            ));
        }
        let r = self
            .client
            .broadcast_tx_sync(tx_bytes)
            .await
            .map_err(|e| self.rpc_error(e))?;
        let outcome = pending(r.hash.to_string(), r.code.value(), r.codespace, r.log);
        if mode == BroadcastMode::Sync || outcome.code != 0 {
            return Ok(outcome);
        }
        self.wait_for_tx(&outcome.hash, timeout).await
    }

    /// Polls `tx` until the transaction `hash` (hex) is committed, or fails after `timeout`.
    pub async fn wait_for_tx(&self, hash: &str, timeout: Duration) -> anyhow::Result<TxOutcome> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(tx) = self.tx(hash).await? {
                return Ok(TxOutcome {
                    hash: tx.hash.to_string(),
                    height: Some(tx.height.value()),
                    code: tx.tx_result.code.value(),
                    codespace: tx.tx_result.codespace,
                    log: tx.tx_result.log,
                    gas_wanted: Some(tx.tx_result.gas_wanted),
                    gas_used: Some(tx.tx_result.gas_used),
                });
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(anyhow!(
                    "tx {hash} was accepted into the mempool but not committed within {}s; \
                     check later with `rampartd query tx {hash}`",
                    timeout.as_secs()
                ));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// The committed transaction `hash` (hex), or `None` when the node does not know it.
    pub async fn tx(
        &self,
        hash: &str,
    ) -> anyhow::Result<Option<tendermint_rpc::endpoint::tx::Response>> {
        let bytes: [u8; 32] = hex::decode(hash)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| anyhow!("invalid tx hash {hash:?}: 64 hex digits expected"))?;
        match self.client.tx(tendermint::Hash::Sha256(bytes), false).await {
            Ok(tx) => Ok(Some(tx)),
            Err(e) if e.to_string().contains("not found") => Ok(None),
            Err(e) => Err(self.rpc_error(e)),
        }
    }

    /// Describes an RPC failure: the node's own error answer, or a transport problem.
    fn rpc_error(&self, e: tendermint_rpc::Error) -> anyhow::Error {
        match e.detail() {
            tendermint_rpc::error::ErrorDetail::Response(answer) => {
                anyhow!(
                    "the node at {} refused the request: {}",
                    self.url,
                    answer.source
                )
            }
            _ => anyhow!(
                "RPC request to {} failed: {e} (is the node running?)",
                self.url
            ),
        }
    }
}

/// Whether `e` is the chain's "not found" answer (code 22 `key not found`, or a gRPC NotFound).
pub(crate) fn is_not_found(e: &anyhow::Error) -> bool {
    e.downcast_ref::<ChainError>().is_some_and(|c| {
        c.log.contains("key not found") || c.log.contains("code = NotFound") || c.code == 22
    })
}
