//! The whole bank-send flow as a library call: check the recipient, then sign through
//! [`crate::submit::prepare_tx`] (account lookup, fixed or simulated gas). Broadcasting is left
//! to the caller ([`crate::NodeClient::broadcast`]) so a CLI can ask for confirmation in between.

use std::time::Duration;

use anyhow::bail;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use serde::Serialize;

use crate::address;
use crate::coins::format_coins;
use crate::gas::{Gas, DEFAULT_GAS};
use crate::keys::AccountKey;
use crate::rpc::{BroadcastMode, NodeClient, TxOutcome};
use crate::submit::{prepare_tx, write_terms, PreparedTx, TxSettings};
use crate::tx_builder::msg_send;

/// What to send and how.
#[derive(Debug, Clone, PartialEq)]
pub struct SendPlan {
    /// Recipient (bech32, prefix `rampart`).
    pub to: String,
    /// Coins to send (positive, sorted).
    pub amount: Vec<Coin>,
    /// Fee (may be empty when the node's minimum gas price is zero).
    pub fees: Vec<Coin>,
    /// Gas limit choice.
    pub gas: Gas,
    /// Memo.
    pub memo: String,
    /// Chain id; `None` asks the node.
    pub chain_id: Option<String>,
    /// Sequence to sign with; `None` uses the committed one. Set it to send several
    /// transactions from one account before they are committed (the node's CheckTx state
    /// already counts the earlier ones).
    pub sequence: Option<u64>,
}

impl SendPlan {
    /// A plan with defaults: no fee, gas [`DEFAULT_GAS`], empty memo, the node's chain id.
    pub fn new(to: &str, amount: Vec<Coin>) -> Self {
        Self {
            to: to.to_owned(),
            amount,
            fees: vec![],
            gas: Gas::Fixed(DEFAULT_GAS),
            memo: String::new(),
            chain_id: None,
            sequence: None,
        }
    }

    /// The fee, gas, memo, chain id and sequence of this plan.
    pub fn settings(&self) -> TxSettings {
        TxSettings {
            fees: self.fees.clone(),
            gas: self.gas,
            memo: self.memo.clone(),
            chain_id: self.chain_id.clone(),
            sequence: self.sequence,
        }
    }
}

/// A signed send, with what it contains for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreparedSend {
    /// Recipient address.
    pub to: String,
    /// Amount as `100uramp`.
    pub amount: String,
    /// The signed transaction: signer, fee, gas, chain, sequence, hash and bytes.
    #[serde(flatten)]
    pub tx: PreparedTx,
}

impl std::fmt::Display for PreparedSend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "send {} from {} to {}",
            self.amount, self.tx.signer, self.to
        )?;
        write_terms(f, &self.tx)
    }
}

/// Builds and signs a `MsgSend` from `key`'s account according to `plan`, reading the account
/// number, sequence (and, unless given, the chain id) from `node`.
pub async fn prepare(
    node: &NodeClient,
    key: &AccountKey,
    plan: &SendPlan,
) -> anyhow::Result<PreparedSend> {
    let from = key.address()?.to_string();
    let to = address::account(&plan.to, "recipient address")?;
    if plan.amount.is_empty() {
        bail!("nothing to send: the amount is empty");
    }
    let msg = msg_send(&from, to.as_ref(), plan.amount.clone());
    let tx = prepare_tx(node, key, vec![msg], &plan.settings()).await?;
    Ok(PreparedSend {
        to: plan.to.clone(),
        amount: format_coins(&plan.amount),
        tx,
    })
}

/// [`prepare`], then broadcast with `mode` and fail with a [`crate::ChainError`] on a non-zero
/// code: a send in one call, for tools and tests (e.g. a faucet).
pub async fn execute(
    node: &NodeClient,
    key: &AccountKey,
    plan: &SendPlan,
    mode: BroadcastMode,
    timeout: Duration,
) -> anyhow::Result<TxOutcome> {
    let prepared = prepare(node, key, plan).await?;
    let outcome = node.broadcast(prepared.tx.tx_bytes, mode, timeout).await?;
    outcome.check()?;
    Ok(outcome)
}
