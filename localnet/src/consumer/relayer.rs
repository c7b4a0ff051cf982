//! The relayer of a consumer chain: one `rampartd relay` process between the provider and the
//! consumer, with its key in its own `test` keyring, funded on both chains.

use std::fs;

use anyhow::{bail, Result};
use serde_json::Value;

use super::RELAYER_KEY;
use crate::binaries::Binaries;
use crate::network::{Chain, Localnet};
use crate::process::{spawn_logged, StopMode, Target};

/// The relayer's polling interval: well below one block, so a packet is relayed soon after the
/// provider's epoch block is committed.
pub const RELAY_INTERVAL_MS: u64 = 500;

/// The gas limit of each relayer transaction. A fixed limit (the localnet charges no minimum
/// fee, so a generous one costs nothing) spares a simulation per transaction — and simulation
/// runs at block time 0, where the consumer refuses every provider header as "from the future"
/// (`ccv/11`).
pub const RELAYER_GAS: u64 = 5_000_000;

/// Starting, stopping and reading relayers.
impl Localnet {
    /// True when consumer `consumer_id`'s recorded relayer is running.
    pub fn relayer_running(&self, consumer_id: u64) -> bool {
        self.manifest().consumer(consumer_id).is_some_and(|c| {
            c.relayer
                .pid
                .is_some_and(|pid| self.pid_running(pid, &c.relayer.home))
        })
    }

    /// Clears the relayer's PID when it is gone; true when it did.
    pub(crate) fn refresh_relayer(&mut self, consumer_id: u64) -> bool {
        let stale = self
            .manifest()
            .consumer(consumer_id)
            .is_some_and(|c| c.relayer.pid.is_some())
            && !self.relayer_running(consumer_id);
        if stale {
            if let Ok(record) = self.consumer_mut(consumer_id) {
                record.relayer.pid = None;
            }
        }
        stale
    }

    /// Starts consumer `consumer_id`'s relayer, unless it runs:
    /// `rampartd relay --provider-node <provider_rpc> --consumer-node <every node's RPC, comma-separated>
    /// --consumer-id <id> --from relayer --keyring-backend test --home <relayer home>
    /// --status-file <relayer home>/status.json --interval-ms 500 --gas 5000000`, logging to
    /// `<relayer home>/logs/relayer.log`.
    pub fn start_relayer(
        &mut self,
        consumer_id: u64,
        binaries: &Binaries,
        provider_rpc: &str,
    ) -> Result<()> {
        self.refresh();
        if self.relayer_running(consumer_id) {
            return Ok(());
        }
        let record = self.consumer(consumer_id)?;
        // Every consumer node, for failover: each round uses the first one that is up and not
        // catching up, so a fault on one node does not stop the relay.
        let consumer_rpc = record
            .nodes
            .iter()
            .map(|n| n.rpc.clone())
            .collect::<Vec<_>>()
            .join(",");
        if consumer_rpc.is_empty() {
            bail!("consumer {consumer_id} has no nodes");
        }
        let relayer = record.relayer.clone();
        let args: Vec<String> = vec![
            "relay".into(),
            "--provider-node".into(),
            provider_rpc.into(),
            "--consumer-node".into(),
            consumer_rpc,
            "--consumer-id".into(),
            consumer_id.to_string(),
            "--from".into(),
            RELAYER_KEY.into(),
            "--keyring-backend".into(),
            "test".into(),
            "--home".into(),
            relayer.home.to_string_lossy().into_owned(),
            "--status-file".into(),
            relayer.status_file.to_string_lossy().into_owned(),
            "--interval-ms".into(),
            RELAY_INTERVAL_MS.to_string(),
            "--gas".into(),
            RELAYER_GAS.to_string(),
        ];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let child = spawn_logged(&binaries.rampartd, &args, &relayer.log)?;
        let pid = child.id();
        self.adopt(child);
        self.touch(Chain::Consumer(consumer_id));
        self.consumer_mut(consumer_id)?.relayer.pid = Some(pid);
        self.save()
    }

    /// Stops consumer `consumer_id`'s relayer (if it runs) and clears its PID.
    pub fn stop_relayer(&mut self, consumer_id: u64, mode: StopMode) -> Result<()> {
        self.touch(Chain::Consumer(consumer_id));
        let relayer = self.consumer(consumer_id)?.relayer.clone();
        let stopped = match relayer.pid {
            Some(pid) => self.stop_targets(
                &[Target {
                    pid,
                    node_home: &relayer.home,
                    label: format!("consumer {consumer_id} relayer"),
                }],
                mode,
            ),
            None => Ok(()),
        };
        self.consumer_mut(consumer_id)?.relayer.pid = None;
        self.save()?;
        stopped
    }

    /// Stops consumer `consumer_id`: its relayer, then its nodes (cometbft, then rampartd).
    pub fn stop_consumer(&mut self, consumer_id: u64, mode: StopMode) -> Result<()> {
        let relayer = self.stop_relayer(consumer_id, mode);
        let all: Vec<usize> = (0..self.consumer(consumer_id)?.nodes.len()).collect();
        let nodes = self.stop_chain_nodes(Chain::Consumer(consumer_id), &all, mode);
        relayer.and(nodes)
    }

    /// What consumer `consumer_id`'s relayer last wrote to its status file (`None` before its
    /// first write, or when the file is not JSON).
    pub fn relayer_status(&self, consumer_id: u64) -> Option<Value> {
        let record = self.manifest().consumer(consumer_id)?;
        let text = fs::read_to_string(&record.relayer.status_file).ok()?;
        serde_json::from_str(&text).ok()
    }
}
