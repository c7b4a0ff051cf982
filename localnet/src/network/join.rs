//! Adding nodes to an existing localnet (`cargo localnet join`).

use std::fs;

use anyhow::{bail, Context, Result};

use super::{init_node, persistent_peers, Localnet};
use crate::binaries::Binaries;
use crate::config::{patch_node_config, NodeConfig};
use crate::keys::node_id;
use crate::manifest::NodeRecord;
use crate::ports::{ensure_free, NodePorts, PortPlan};

/// Adding nodes to an existing localnet (`cargo localnet join`).
impl Localnet {
    /// How this localnet's ports were chosen: [`PortPlan::Fixed`] when node 0 has node 0's
    /// fixed ports, else [`PortPlan::Free`].
    pub fn port_plan(&self) -> PortPlan {
        let fixed = NodePorts::fixed(0).ok();
        match self.manifest.nodes.first().map(NodeRecord::ports) {
            Some(Ok(ports)) if Some(ports) == fixed => PortPlan::Fixed,
            _ => PortPlan::Free,
        }
    }

    /// Creates the next node (`node{n}` for a localnet of n nodes) as a full node of the
    /// existing chain: ports by [`Localnet::port_plan`], `rampartd init` with `moniker`
    /// (default: its name), node 0's `genesis.json`, every existing node as a persistent peer.
    /// It is recorded in `localnet.json`, stopped; start it with [`Localnet::start_node`].
    /// Returns its index. Nothing is left behind when this fails.
    pub fn add_node(&mut self, binaries: &Binaries, moniker: Option<&str>) -> Result<usize> {
        let index = self.manifest.nodes.len();
        let name = format!("node{index}");
        let first = self
            .manifest
            .nodes
            .first()
            .with_context(|| format!("the localnet at {} has no nodes", self.home.display()))?
            .clone();
        let node_home = self.home.join(&name);
        if node_home.exists() {
            bail!(
                "{} exists but localnet.json has no {name} (left by an interrupted join?); \
                 remove that directory and try again",
                node_home.display()
            );
        }
        let ports = match self.port_plan() {
            PortPlan::Fixed => NodePorts::fixed(index)?,
            PortPlan::Free => PortPlan::Free
                .allocate(1)?
                .pop()
                .context("no free ports were allocated")?,
        };
        ensure_free(&name, &ports)?;
        let chain_id = self.manifest.chain_id.clone();
        let created = (|| -> Result<String> {
            init_node(binaries, moniker.unwrap_or(&name), &chain_id, &node_home)?;
            let genesis = crate::genesis::genesis_path(&first.home);
            fs::copy(&genesis, crate::genesis::genesis_path(&node_home)).with_context(|| {
                format!(
                    "failed to copy {} to {}",
                    genesis.display(),
                    node_home.display()
                )
            })?;
            let mut ids = Vec::with_capacity(index + 1);
            let mut all_ports = Vec::with_capacity(index + 1);
            for node in &self.manifest.nodes {
                ids.push(match &node.node_id {
                    Some(id) => id.clone(),
                    None => node_id(&node.home)?,
                });
                all_ports.push(node.ports()?);
            }
            let id = node_id(&node_home)?;
            ids.push(id.clone());
            all_ports.push(ports);
            patch_node_config(
                &node_home,
                &NodeConfig {
                    ports,
                    persistent_peers: &persistent_peers(&ids, &all_ports, index),
                },
            )?;
            Ok(id)
        })();
        let id = match created {
            Ok(id) => id,
            Err(err) => {
                // Only what this call created: the directory did not exist before.
                let _ = fs::remove_dir_all(&node_home);
                return Err(err);
            }
        };
        self.manifest
            .nodes
            .push(NodeRecord::new(name, node_home, id, &ports));
        self.save()?;
        Ok(index)
    }
}
