//! Creating a consumer chain's homes in `<localnet home>/consumer<id>`: one node per localnet
//! validator in its set, a shared `genesis.json` and the relayer's key.
//!
//! Every node is made by `rampartd init <name> --consumer <id> --provider-node <RPC>` (which
//! fetches the consumer genesis from the provider); the first node's genesis then funds the
//! relayer, every validator operator and the faucet (`rampartd genesis add-account`, as a
//! library call) and is copied to every node, so all agree. Each node signs with its
//! validator's consumer key ([`find_consumer_key`]). Nodes for validators that enter the set
//! later are added the same way, with the existing genesis.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rampart_client::coins::parse_coin;
use rampartd::genutil::GenesisFile;

use super::provider::{Launched, Member};
use super::{RELAYER_FUNDS, RELAYER_KEY};
use crate::accounts::{self, operator_account};
use crate::binaries::Binaries;
use crate::config::{patch_node_config, NodeConfig};
use crate::genesis::genesis_path;
use crate::keys::{find_consumer_key, node_id, priv_validator_key_path};
use crate::manifest::{ConsumerRecord, NodeRecord, RelayerRecord};
use crate::network::{persistent_peers, run_init, Chain, Localnet};
use crate::ports::{ensure_free, NodePorts};

/// A consumer node to create: its name and home, its provider node's home, the validator it
/// signs for and its ports.
struct NewNode<'a> {
    name: String,
    home: PathBuf,
    provider_home: PathBuf,
    member: &'a Member,
    ports: NodePorts,
}

/// Creating consumer chains' homes.
impl Localnet {
    /// The directory of consumer `consumer_id`: `<home>/consumer<id>`.
    pub fn consumer_home(&self, consumer_id: u64) -> PathBuf {
        self.home().join(format!("consumer{consumer_id}"))
    }

    /// Makes sure the launched consumer has a home and a node for each provider node in
    /// `members` (`(provider node index, member)`): creates the consumer — nodes, genesis,
    /// relayer key, its record in `localnet.json` — the first time, and later adds nodes for
    /// validators that have entered its set. Returns the names of the nodes it created. Nothing
    /// is left behind when it fails.
    pub(crate) fn prepare_consumer(
        &mut self,
        binaries: &Binaries,
        provider_rpc: &str,
        launched: &Launched,
        members: &[(usize, Member)],
    ) -> Result<Vec<String>> {
        let consumer_id = launched.consumer.consumer_id;
        let consumer_home = self.consumer_home(consumer_id);
        let existing = self.manifest().consumer(consumer_id).cloned();
        if existing.is_none() && consumer_home.exists() {
            bail!(
                "{} exists but localnet.json has no consumer {consumer_id} (an interrupted \
                 `consumer up`?); remove that directory and try again",
                consumer_home.display()
            );
        }
        let known: BTreeSet<String> = existing
            .iter()
            .flat_map(|c| c.nodes.iter().map(|n| n.name.clone()))
            .collect();
        let todo: Vec<&(usize, Member)> = members
            .iter()
            .filter(|(index, _)| {
                self.nodes()
                    .get(*index)
                    .is_some_and(|n| !known.contains(&n.name))
            })
            .collect();
        if todo.is_empty() {
            return Ok(Vec::new());
        }
        let indices: Vec<usize> = todo.iter().map(|(index, _)| *index).collect();
        let ports = self.port_plan().allocate_consumer(consumer_id, &indices)?;
        let mut new_nodes = Vec::with_capacity(todo.len());
        for ((index, member), ports) in todo.iter().zip(ports) {
            let provider = self.node(*index)?;
            let name = provider.name.clone();
            self.check_unrecorded(&ports, &name)?;
            ensure_free(&format!("consumer {consumer_id} {name}"), &ports)?;
            let home = consumer_home.join(&name);
            if home.exists() {
                bail!(
                    "{} exists but localnet.json has no such consumer node (left by an \
                     interrupted `consumer up`?); remove that directory and try again",
                    home.display()
                );
            }
            new_nodes.push(NewNode {
                name,
                home,
                provider_home: provider.home.clone(),
                member,
                ports,
            });
        }

        let created = self.create_nodes(
            binaries,
            provider_rpc,
            launched,
            existing.as_ref(),
            &new_nodes,
        );
        let record = match created {
            Ok(record) => record,
            Err(err) => {
                // Only what this call created: none of these directories existed before.
                if existing.is_none() {
                    let _ = fs::remove_dir_all(&consumer_home);
                } else {
                    for node in &new_nodes {
                        let _ = fs::remove_dir_all(&node.home);
                    }
                }
                return Err(err);
            }
        };
        self.touch(Chain::Consumer(consumer_id));
        match self.consumer_mut(consumer_id) {
            Ok(slot) => *slot = record,
            Err(_) => self.manifest_mut().consumers.push(record),
        }
        self.save()?;
        Ok(new_nodes.into_iter().map(|n| n.name).collect())
    }

    /// Fails when `ports` are recorded for another node of this localnet (running or not).
    fn check_unrecorded(&self, ports: &NodePorts, name: &str) -> Result<()> {
        for chain in self.chains() {
            for node in self.chain_nodes(chain)? {
                let theirs = node.ports()?;
                let taken: Vec<u16> = ports
                    .labelled()
                    .iter()
                    .map(|(_, p)| *p)
                    .filter(|p| theirs.labelled().iter().any(|(_, q)| q == p))
                    .collect();
                if !taken.is_empty() {
                    bail!(
                        "the consumer node of {name} would use port(s) {taken:?}, which \
                         localnet.json gives to {}{}",
                        crate::network::chain_label(chain),
                        node.name
                    );
                }
            }
        }
        Ok(())
    }

    /// Creates the homes of `new_nodes` and returns the consumer's record with them (a new
    /// record, with a relayer key, when `existing` is `None`); every node's config lists every
    /// other node as a persistent peer.
    fn create_nodes(
        &self,
        binaries: &Binaries,
        provider_rpc: &str,
        launched: &Launched,
        existing: Option<&ConsumerRecord>,
        new_nodes: &[NewNode<'_>],
    ) -> Result<ConsumerRecord> {
        let consumer_id = launched.consumer.consumer_id;
        let consumer_home = self.consumer_home(consumer_id);
        let id_text = consumer_id.to_string();
        for node in new_nodes {
            eprintln!(
                "  {}: rampartd init --consumer {consumer_id} --provider-node {provider_rpc}",
                node.name
            );
            run_init(
                binaries,
                &node.name,
                &["--consumer", &id_text, "--provider-node", provider_rpc],
                &node.home,
            )?;
            let key = find_consumer_key(&node.provider_home, &node.member.consumer_pubkey)?;
            fs::copy(&key, priv_validator_key_path(&node.home)).with_context(|| {
                format!(
                    "failed to copy {} to {}",
                    key.display(),
                    node.home.display()
                )
            })?;
            eprintln!(
                "  {}: signs with {} (power {})",
                node.name,
                key.display(),
                node.member.power
            );
        }
        let mut record = match existing {
            Some(record) => {
                let source = record
                    .nodes
                    .first()
                    .map(|n| genesis_path(&n.home))
                    .context("the consumer has no node to copy the genesis from")?;
                for node in new_nodes {
                    copy_file(&source, &genesis_path(&node.home))?;
                }
                record.clone()
            }
            None => {
                let record = self.new_record(launched, &consumer_home)?;
                self.write_genesis(&record.relayer.address, new_nodes)?;
                record
            }
        };
        for node in new_nodes {
            record.nodes.push(NodeRecord::new(
                node.name.clone(),
                node.home.clone(),
                node_id(&node.home)?,
                &node.ports,
            ));
        }
        record.nodes.sort_by_key(|n| {
            self.nodes()
                .iter()
                .position(|p| p.name == n.name)
                .unwrap_or(usize::MAX)
        });
        let ids = record
            .nodes
            .iter()
            .map(|n| n.node_id.clone().map_or_else(|| node_id(&n.home), Ok))
            .collect::<Result<Vec<_>>>()?;
        let ports = record
            .nodes
            .iter()
            .map(NodeRecord::ports)
            .collect::<Result<Vec<_>>>()?;
        for (index, node) in record.nodes.iter().enumerate() {
            patch_node_config(
                &node.home,
                &NodeConfig {
                    ports: ports[index],
                    persistent_peers: &persistent_peers(&ids, &ports, index),
                },
            )?;
        }
        Ok(record)
    }

    /// A record without nodes for a new consumer, with a new relayer key in
    /// `<consumer home>/relayer`.
    fn new_record(&self, launched: &Launched, consumer_home: &Path) -> Result<ConsumerRecord> {
        let relayer_home = consumer_home.join("relayer");
        fs::create_dir_all(&relayer_home)
            .with_context(|| format!("failed to create {}", relayer_home.display()))?;
        let address = accounts::new_key(&relayer_home, RELAYER_KEY)?;
        eprintln!(
            "  relayer key `{RELAYER_KEY}` {address} in {}",
            relayer_home.display()
        );
        Ok(ConsumerRecord {
            consumer_id: launched.consumer.consumer_id,
            chain_id: launched.genesis.chain_id.clone(),
            home: consumer_home.to_path_buf(),
            nodes: Vec::new(),
            relayer: RelayerRecord {
                pid: None,
                log: relayer_home.join("logs").join("relayer.log"),
                status_file: relayer_home.join("status.json"),
                home: relayer_home,
                address,
                extra: Default::default(),
            },
            extra: Default::default(),
        })
    }

    /// Funds the relayer, every validator operator of the localnet and the faucet in the first
    /// new node's genesis and copies it to the others.
    fn write_genesis(&self, relayer: &str, new_nodes: &[NewNode<'_>]) -> Result<()> {
        let first = new_nodes.first().context("no consumer node to create")?;
        let mut genesis = GenesisFile::load(&genesis_path(&first.home))?;
        let mut funded = vec![(relayer.to_owned(), RELAYER_FUNDS)];
        for node in self.nodes() {
            funded.push((operator_account(&node.home)?, accounts::OPERATOR_FUNDS));
        }
        if let Some(faucet) = &self.manifest().faucet {
            funded.push((faucet.address.clone(), accounts::FAUCET_FUNDS));
        }
        for (address, amount) in &funded {
            let coins = vec![parse_coin(&accounts::coins_text(*amount))?];
            genesis.add_account(address, &coins, false)?;
        }
        eprintln!(
            "  genesis: funded the relayer, {} validator operator(s){}",
            self.nodes().len(),
            if self.manifest().faucet.is_some() {
                " and the faucet"
            } else {
                ""
            }
        );
        for node in new_nodes {
            genesis.save_as(&genesis_path(&node.home))?;
        }
        Ok(())
    }
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("failed to copy {} to {}", from.display(), to.display()))
}
