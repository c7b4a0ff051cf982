//! `rampartd relay`: the relayer between the provider and one consumer chain. It keeps no state
//! of its own: every round it reads both chains and does what is missing, so a restarted relayer
//! resumes where the chains are, and several relayers may race (the loser's transaction fails
//! with a "replayed" or "already acknowledged" code, which is benign).
//!
//! One round ([`round::relay_once`]):
//!
//! 1. reads the consumer (its light client of the provider, the applied vsc id, its height) and
//!    the provider (its height, the consumer's pending packets and last acknowledged vsc id);
//! 2. when packets are pending, or the client's latest header is older than a third of its
//!    trusting period, sends the consumer ONE transaction ([`deliver`]): the
//!    `MsgUpdateProviderClient`s that take the client to the provider's latest header — one,
//!    or more when the light-client check says "not enough trust" and [`light`] bisects — then
//!    every pending `MsgRecvVscPacket` in vsc id order, each proven ([`proofs`]) in the provider
//!    state committed by that header;
//! 3. when the consumer applied a vsc id the provider has not recorded, sends the provider
//!    `MsgAcknowledgeVsc` ([`ack`]): a consumer header with its validators and the proof of the
//!    consumer's `ccv/applied_vsc` in the state that header commits;
//! 4. forwards the consumer's downtime records the provider has not processed
//!    (`MsgSubmitConsumerDowntime`, [`downtime`]), in seq order, proven like the
//!    acknowledgement; a throttled record (`consumer/22`) waits for a later round;
//! 5. scans the consumer blocks after the last one scanned (a bounded number per round) for
//!    committed `DuplicateVoteEvidence` and submits each as `MsgSubmitConsumerDoubleVote` with
//!    the consumer's header and validators at the votes' height ([`double_vote`]); evidence
//!    already punished is skipped.
//!
//! [`run`] repeats rounds at an interval, backs off while a node is down, logs one line per
//! relay and writes the [`status`] file. A malformed answer fails the round, never the process.

pub mod ack;
pub mod command;
pub mod deliver;
pub mod double_vote;
pub mod downtime;
pub mod light;
pub mod proofs;
pub mod round;
pub mod run;
pub mod status;
pub mod view;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Context};
use cosmrs::{AccountId, Any};
use rampart_client::keys::AccountKey;
use rampart_client::submit::{execute_tx, TxSettings};
use rampart_client::{BroadcastMode, ChainError, NodeClient, TxOutcome};
use tendermint_rpc::{Client, HttpClient};

pub use command::RelayCommand;
pub use round::{relay_once, RelayReport, Resume};

/// One chain the relayer talks to: its CometBFT RPC (typed queries, transactions, headers,
/// validator sets and proofs) and how transactions to it are paid for.
#[derive(Debug, Clone)]
pub struct Chain {
    /// Typed queries and transactions.
    pub node: NodeClient,
    /// Raw CometBFT RPC: commits, validator sets, proven ABCI queries.
    rpc: HttpClient,
    /// The RPC URL, for messages.
    url: String,
    /// Fees and gas of the relayer's transactions on this chain.
    pub tx: TxSettings,
}

impl Chain {
    /// A chain reached at the CometBFT RPC `url`; no request is made yet.
    pub fn new(url: &str, tx: TxSettings) -> anyhow::Result<Self> {
        let rpc = HttpClient::new(url).map_err(|e| anyhow!("invalid RPC URL {url}: {e}"))?;
        Ok(Self {
            node: NodeClient::new(url)?,
            rpc,
            url: url.to_owned(),
            tx,
        })
    }

    /// The RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The raw CometBFT RPC client.
    pub fn rpc(&self) -> &HttpClient {
        &self.rpc
    }

    /// Describes a failed RPC call `what`.
    pub fn rpc_error(&self, what: &str, e: tendermint_rpc::Error) -> anyhow::Error {
        anyhow!("{what} from {} failed: {e}", self.url)
    }

    /// The latest committed height (`/status`).
    pub async fn latest_height(&self) -> anyhow::Result<u64> {
        let status = self
            .rpc
            .status()
            .await
            .map_err(|e| self.rpc_error("/status", e))?;
        Ok(status.sync_info.latest_block_height.value())
    }

    /// Signs `messages` with `key`, estimates gas as [`Chain::tx`] says, broadcasts and waits
    /// up to `timeout` for the commit; a non-zero code is a [`ChainError`].
    pub async fn send(
        &self,
        key: &AccountKey,
        messages: Vec<Any>,
        timeout: Duration,
    ) -> anyhow::Result<TxOutcome> {
        execute_tx(
            &self.node,
            key,
            messages,
            &self.tx,
            BroadcastMode::Block,
            timeout,
        )
        .await
        .with_context(|| format!("transaction to {}", self.url))
    }
}

/// The relayer of one consumer chain: both chains and the key that signs on both (its account
/// needs funds on each).
#[derive(Debug, Clone)]
pub struct Relayer {
    /// The provider chain.
    pub provider: Chain,
    /// The consumer chain.
    pub consumer: Chain,
    /// The consumer's id on the provider.
    pub consumer_id: u64,
    /// The signing key.
    pub key: AccountKey,
    /// How long a transaction may take to be committed.
    pub tx_timeout: Duration,
}

impl Relayer {
    /// The signer's account address.
    pub fn signer(&self) -> anyhow::Result<AccountId> {
        self.key.address()
    }
}

/// The chain error in `e` (however deep in the context chain), if the chain refused.
pub fn chain_error(e: &anyhow::Error) -> Option<&ChainError> {
    e.chain()
        .find_map(|cause| cause.downcast_ref::<ChainError>())
}

/// Whether `e` is the chain error `codespace`/`code` (however deep in the context chain).
pub fn is_chain_error(e: &anyhow::Error, codespace: &str, code: u32) -> bool {
    chain_error(e).is_some_and(|c| c.codespace == codespace && c.code == code)
}

/// The wall clock as a CometBFT time (the relayer's "now"; never used by a state machine).
pub fn wall_clock() -> anyhow::Result<tendermint::Time> {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the system clock is before 1970")?;
    let seconds = i64::try_from(since_epoch.as_secs()).context("the system clock overflows")?;
    tendermint::Time::from_unix_timestamp(seconds, since_epoch.subsec_nanos())
        .map_err(|e| anyhow!("the system clock is out of range: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_errors_are_found_under_context() {
        let e = anyhow::Error::new(ChainError {
            codespace: "ccv".into(),
            code: 16,
            log: "replayed".into(),
        })
        .context("transaction to http://x");
        assert!(is_chain_error(&e, "ccv", 16));
        assert!(!is_chain_error(&e, "ccv", 15));
        assert!(!is_chain_error(&anyhow!("plain"), "ccv", 16));
        assert!(wall_clock().expect("clock").unix_timestamp() > 1_600_000_000);
    }
}
