//! The end-of-drill checks of the load ([`crate::load`]): nothing lost (every transaction the
//! generator saw committed is found by hash with code 0, on each node in turn), nothing twice (a
//! scan of every block of the drill finds no transaction hash twice), each account's sequence
//! equals its committed transactions, and the load accounts hold what they were funded with
//! minus the fees of their committed transactions (the transfers stay inside the ring).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use base64::Engine;
use rampart_client::NodeClient;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::accounts::DENOM;
use crate::load::{LoadReport, FEE};
use crate::rpc;

/// Lookups by hash in flight at once.
const LOOKUPS: usize = 16;
/// How often a failed lookup is retried.
const LOOKUP_RETRIES: usize = 3;

/// What the load checks found.
#[derive(Clone, Debug, Default)]
pub struct LoadFigures {
    /// Transactions broadcast.
    pub sent: u64,
    /// Load transactions committed with code 0.
    pub committed: u64,
    /// Load transactions committed with another code.
    pub failed_in_block: u64,
    /// Committed transactions not found by hash afterwards.
    pub lost: u64,
    /// Transaction hashes found in two blocks.
    pub duplicated: u64,
    /// Load accounts.
    pub accounts: usize,
    /// How long the load was sending.
    pub window: Duration,
}

/// What the checks need to know about the load.
pub struct LoadRun<'a> {
    /// The generator's report.
    pub report: &'a LoadReport,
    /// The load accounts.
    pub addresses: &'a [String],
    /// What each was funded with.
    pub fund: u128,
    /// The first height of the drill (blocks from here on are scanned for duplicates).
    pub from_height: u64,
}

/// Runs the checks against `nodes` (RPC addresses); every failure is returned as a sentence.
pub async fn verify(run: &LoadRun<'_>, nodes: &[SocketAddr]) -> Result<(LoadFigures, Vec<String>)> {
    let report = run.report;
    let mut violations = Vec::new();
    let failed = report.failed_total();
    if failed > 0 {
        violations.push(format!(
            "load transactions failed in a block: {:?}",
            report.failed
        ));
    }
    let first = *nodes.first().context("no node")?;
    let to = rpc::sync_info(first).await?.height;
    let seen = scan_blocks(first, run.from_height, to).await?;
    let duplicated = seen.values().filter(|&&n| n > 1).count() as u64;
    for (hash, count) in seen.iter().filter(|(_, &n)| n > 1) {
        violations.push(format!("duplicated: tx {hash} is in {count} blocks"));
    }
    let mut figures = LoadFigures {
        sent: report.sent,
        committed: report.committed_hashes.len() as u64,
        failed_in_block: failed,
        lost: 0,
        duplicated,
        accounts: run.addresses.len(),
        window: Duration::from_secs_f64(report.send_seconds.max(0.0)),
    };
    let lost = lookup_all(&report.committed_hashes, nodes).await?;
    figures.lost = lost.len() as u64;
    violations.extend(lost);

    let client = NodeClient::new(&format!("http://{first}"))?;
    let mut balance_sum: u128 = 0;
    for address in run.addresses {
        let committed = report
            .committed_per_account
            .get(address)
            .copied()
            .unwrap_or(0);
        let sequence = client
            .auth()
            .account(address)
            .await?
            .map_or(0, |account| account.sequence);
        if sequence != committed {
            violations.push(format!(
                "account {address}: sequence {sequence} but {committed} committed transactions"
            ));
        }
        let balance = client.bank().balance(address, DENOM).await?;
        balance_sum += balance.amount.parse::<u128>().unwrap_or(0);
    }
    let funded = run.fund * run.addresses.len() as u128;
    let fees = FEE * u128::from(figures.committed + failed);
    let expected = funded.saturating_sub(fees);
    if failed == 0 && balance_sum != expected {
        violations.push(format!(
            "the load accounts hold {balance_sum}{DENOM}; funded {funded} minus fees {fees} is \
             {expected}"
        ));
    }
    Ok((figures, violations))
}

/// How many times each transaction hash occurs in blocks `from..=to` of the node at `addr`.
async fn scan_blocks(addr: SocketAddr, from: u64, to: u64) -> Result<HashMap<String, u32>> {
    let mut seen = HashMap::new();
    for height in from.max(1)..=to {
        let block = rpc::get(addr, &format!("block?height={height}")).await?;
        for tx in block["block"]["data"]["txs"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(tx.as_str().unwrap_or_default())
                .with_context(|| format!("block {height}: a tx is not base64"))?;
            *seen
                .entry(hex::encode_upper(Sha256::digest(&bytes)))
                .or_insert(0) += 1;
        }
    }
    Ok(seen)
}

/// Looks every hash up on the nodes in turn; returns a sentence per hash not found with code 0.
async fn lookup_all(hashes: &[String], nodes: &[SocketAddr]) -> Result<Vec<String>> {
    let clients = nodes
        .iter()
        .map(|addr| NodeClient::new(&format!("http://{addr}")))
        .collect::<Result<Vec<_>>>()?;
    let permits = Arc::new(Semaphore::new(LOOKUPS));
    let mut tasks = tokio::task::JoinSet::new();
    for (k, hash) in hashes.iter().cloned().enumerate() {
        let node = k % clients.len();
        let client = clients[node].clone();
        let permit = permits.clone().acquire_owned().await?;
        tasks.spawn(async move {
            // A lookup that fails (a busy node timing out) is retried before it counts.
            let mut found = client.tx(&hash).await;
            for _ in 0..LOOKUP_RETRIES {
                if found.is_ok() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
                found = client.tx(&hash).await;
            }
            drop(permit);
            match found {
                Ok(Some(tx)) if tx.tx_result.code.value() == 0 => None,
                Ok(Some(tx)) => Some(format!(
                    "tx {hash} reads back on node{node} with code {}",
                    tx.tx_result.code.value()
                )),
                Ok(None) => Some(format!("lost: tx {hash} is unknown to node{node}")),
                Err(e) => Some(format!(
                    "lost? tx {hash}: lookup on node{node} failed: {e:#}"
                )),
            }
        });
    }
    let mut problems = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        problems.extend(joined?);
    }
    Ok(problems)
}
