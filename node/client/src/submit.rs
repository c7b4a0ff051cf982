//! Any messages as one signed transaction: look up the signer's account, pick the gas (fixed or
//! simulated), sign with SIGN_MODE_DIRECT. [`prepare_tx`] stops before broadcasting so a CLI can
//! ask for confirmation; [`execute_tx`] does everything in one call (tools, tests, the localnet).
//!
//! ```no_run
//! # async fn demo(key: rampart_client::keys::AccountKey, msg: cosmrs::Any) -> anyhow::Result<()> {
//! use rampart_client::{submit, BroadcastMode, NodeClient};
//! let node = NodeClient::new("http://127.0.0.1:26657")?;
//! let settings = submit::TxSettings::default();
//! let timeout = std::time::Duration::from_secs(30);
//! let outcome =
//!     submit::execute_tx(&node, &key, vec![msg], &settings, BroadcastMode::Block, timeout).await?;
//! println!("{}", outcome.hash);
//! # Ok(()) }
//! ```

use std::time::Duration;

use anyhow::{anyhow, bail};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmrs::Any;
use serde::Serialize;

use crate::coins::format_coins;
use crate::gas::{adjust, Gas, DEFAULT_GAS};
use crate::keys::AccountKey;
use crate::rpc::{BroadcastMode, NodeClient, TxOutcome};
use crate::tx_builder::{sign_tx, simulation_tx_with_fee, TxParams};

/// How a transaction is paid for and what else it commits to besides its messages.
#[derive(Debug, Clone, PartialEq)]
pub struct TxSettings {
    /// Fee (may be empty when the node's minimum gas price is zero).
    pub fees: Vec<Coin>,
    /// Gas limit choice.
    pub gas: Gas,
    /// Memo.
    pub memo: String,
    /// Chain id; `None` asks the node.
    pub chain_id: Option<String>,
    /// Sequence to sign with; `None` uses the committed one.
    pub sequence: Option<u64>,
}

impl Default for TxSettings {
    /// No fee, gas [`DEFAULT_GAS`], empty memo, the node's chain id and the committed sequence.
    fn default() -> Self {
        Self {
            fees: vec![],
            gas: Gas::Fixed(DEFAULT_GAS),
            memo: String::new(),
            chain_id: None,
            sequence: None,
        }
    }
}

/// A signed transaction, with what it contains for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreparedTx {
    /// Signer address.
    pub signer: String,
    /// Type URLs of the messages, in order.
    pub messages: Vec<String>,
    /// Fee as `500uramp` (empty: none).
    pub fees: String,
    /// Gas limit signed.
    pub gas_limit: u64,
    /// Memo.
    pub memo: String,
    /// Chain id signed.
    pub chain_id: String,
    /// Account number signed.
    pub account_number: u64,
    /// Sequence signed.
    pub sequence: u64,
    /// Upper-case hex tx hash.
    pub hash: String,
    /// The signed tx bytes.
    #[serde(skip)]
    pub tx_bytes: Vec<u8>,
}

impl std::fmt::Display for PreparedTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "signer: {}", self.signer)?;
        writeln!(f, "messages: {}", self.messages.join(", "))?;
        write_terms(f, self)
    }
}

/// Writes the fee, gas limit, memo, chain, account number and sequence lines of `tx`.
pub(crate) fn write_terms(f: &mut std::fmt::Formatter<'_>, tx: &PreparedTx) -> std::fmt::Result {
    let fees = if tx.fees.is_empty() { "none" } else { &tx.fees };
    writeln!(f, "fees: {fees}, gas limit: {}", tx.gas_limit)?;
    if !tx.memo.is_empty() {
        writeln!(f, "memo: {}", tx.memo)?;
    }
    write!(
        f,
        "chain: {}, account number: {}, sequence: {}",
        tx.chain_id, tx.account_number, tx.sequence
    )
}

/// Signs `messages` from `key`'s account according to `settings`, reading the account number,
/// sequence (and, unless given, the chain id) from `node`; with [`Gas::Auto`] it simulates first.
pub async fn prepare_tx(
    node: &NodeClient,
    key: &AccountKey,
    messages: Vec<Any>,
    settings: &TxSettings,
) -> anyhow::Result<PreparedTx> {
    if messages.is_empty() {
        bail!("a transaction needs at least one message");
    }
    let signer = key.address()?.to_string();
    let chain_id = match &settings.chain_id {
        Some(id) => id.clone(),
        None => node.chain_id().await?,
    };
    let account = node.auth().account(&signer).await?.ok_or_else(|| {
        anyhow!("account {signer} does not exist on chain {chain_id}: it must receive funds first")
    })?;
    let sequence = settings.sequence.unwrap_or(account.sequence);
    let gas_limit = match settings.gas {
        Gas::Fixed(limit) => limit,
        Gas::Auto(adjustment) => {
            let tx = simulation_tx_with_fee(
                messages.clone(),
                key.public_key(),
                sequence,
                &settings.memo,
                &settings.fees,
            )?;
            adjust(node.simulate(tx).await?, adjustment)?
        }
    };
    let params = TxParams {
        chain_id: chain_id.clone(),
        account_number: account.account_number,
        sequence,
        fee: settings.fees.clone(),
        gas_limit,
        memo: settings.memo.clone(),
        timeout_height: 0,
    };
    let type_urls = messages.iter().map(|m| m.type_url.clone()).collect();
    let signed = sign_tx(messages, key, &params)?;
    Ok(PreparedTx {
        signer,
        messages: type_urls,
        fees: format_coins(&settings.fees),
        gas_limit,
        memo: settings.memo.clone(),
        chain_id,
        account_number: account.account_number,
        sequence,
        hash: signed.hash_hex(),
        tx_bytes: signed.tx_bytes,
    })
}

/// [`prepare_tx`], then broadcast with `mode` and fail with a [`crate::ChainError`] on a
/// non-zero code.
pub async fn execute_tx(
    node: &NodeClient,
    key: &AccountKey,
    messages: Vec<Any>,
    settings: &TxSettings,
    mode: BroadcastMode,
    timeout: Duration,
) -> anyhow::Result<TxOutcome> {
    let prepared = prepare_tx(node, key, messages, settings).await?;
    let outcome = node.broadcast(prepared.tx_bytes, mode, timeout).await?;
    outcome.check()?;
    Ok(outcome)
}
