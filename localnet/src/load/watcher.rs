//! The block watcher: reads every new block and its results into the book, and
//! resynchronises the accounts that need it (a failed or refused transaction, or one
//! acknowledged and then dropped by CometBFT's mempool — it re-checks "mempool full" after
//! CheckTx answered — which would strand every later sequence of the account).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use rampart_client::NodeClient;

use super::rpc;
use super::sender::Shared;

/// How often the watcher asks for new blocks.
const POLL: Duration = Duration::from_millis(200);

/// Reads blocks from `next` on into the book until `stop` is set; every poll it also starts
/// the due resynchronisations.
pub struct Watcher {
    /// Shared state.
    pub shared: Arc<Shared>,
    /// The next height to read.
    pub next: u64,
    /// RPC clients of the nodes (sequence queries).
    pub clients: Vec<NodeClient>,
    /// After how long an acknowledged transaction counts as lost.
    pub lost_after: Duration,
}

impl Watcher {
    /// Runs until `stop` is set; returns the next height it would have read.
    pub async fn run(mut self, stop: Arc<AtomicBool>) -> u64 {
        let mut node = 0usize;
        while !stop.load(Ordering::Relaxed) {
            tokio::time::sleep(POLL).await;
            if self.poll(node).await.is_err() {
                node = (node + 1) % self.shared.nodes.len();
            }
            self.resync(node).await;
        }
        self.next
    }

    /// Reads every block up to the latest one from node `node`.
    async fn poll(&mut self, node: usize) -> Result<()> {
        let addr = self.shared.nodes[node];
        let latest = rpc::latest_height(addr).await?;
        while self.next <= latest {
            let block = rpc::block(addr, self.next).await?;
            let sequenced = self.shared.workload.sequenced();
            self.shared.lock().block(&block, sequenced);
            self.next += 1;
        }
        Ok(())
    }

    /// Resynchronises the accounts that are due, asking node `node` for their sequences.
    async fn resync(&self, node: usize) {
        let due = self
            .shared
            .lock()
            .start_resyncs(SystemTime::now(), self.lost_after);
        for account in due {
            if !self.shared.workload.sequenced() {
                self.shared.lock().finish_resync(account, None);
                continue;
            }
            let address = &self.shared.accounts[account].address;
            match sequence_of(&self.clients[node % self.clients.len()], address).await {
                Ok(seq) => self.shared.lock().finish_resync(account, Some(seq)),
                Err(_) => self.shared.lock().retry_resync(account),
            }
        }
    }
}

/// The committed sequence of `address`.
pub async fn sequence_of(client: &NodeClient, address: &str) -> Result<u64> {
    Ok(client
        .auth()
        .account(address)
        .await?
        .with_context(|| format!("account {address} does not exist"))?
        .sequence)
}

/// Reads blocks `from..=to` into the book (blocks before the run, for the idle block time).
pub async fn read_blocks(shared: &Shared, from: u64, to: u64) -> Result<()> {
    let addr = *shared.nodes.first().context("no node")?;
    for height in from..=to {
        let block = rpc::block(addr, height).await?;
        let sequenced = shared.workload.sequenced();
        shared.lock().block(&block, sequenced);
    }
    Ok(())
}
