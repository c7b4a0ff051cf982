//! One genesis for a whole new network, built the way a real network builds it: the first
//! node's `genesis.json` funds every account (`add-account`) and gets the caller's parameter
//! changes; every node's operator signs a gentx in its own home (`gentx`); the first node
//! collects them (`collect-gentxs`, which also writes its `persistent_peers` from the memos) and
//! the result is copied to every node. `cargo localnet` and `rampartd testnet` both build their
//! networks through [`write_shared_genesis`].

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use rampart_client::keys::keyring::{Backend, Keyring};

use super::{collect_gentxs, create_gentx, gentx_dir, Commission, GenesisFile, GentxRequest};
use crate::home::Home;

/// A node taking part in genesis.
#[derive(Clone, Copy, Debug)]
pub struct GenesisNode<'a> {
    /// Its name, used as the validator moniker.
    pub name: &'a str,
    /// Its home (initialised, with its operator key in the `test` keyring).
    pub home: &'a Path,
    /// The address other nodes dial it at, written in its gentx memo.
    pub ip: &'a str,
    /// Its P2P port, written in its gentx memo.
    pub p2p_port: u16,
}

/// What every validator of the new network gets.
#[derive(Clone, Debug)]
pub struct NetworkGenesis<'a> {
    /// The operator key's name in each node's `test` keyring.
    pub operator_key: &'a str,
    /// Each validator's self-delegation.
    pub self_delegation: Coin,
    /// The genesis time (RFC 3339).
    pub genesis_time: String,
    /// `(address, balance)` funded at genesis; must include every operator with at least the
    /// self-delegation.
    pub accounts: &'a [(String, Coin)],
}

/// Builds one genesis from the first node's and writes it to every node (see the module docs);
/// `tune` changes the first node's genesis (parameters) before anything is signed. Progress goes
/// to stderr.
pub fn write_shared_genesis(
    nodes: &[GenesisNode<'_>],
    network: &NetworkGenesis<'_>,
    tune: impl FnOnce(&mut GenesisFile) -> Result<()>,
) -> Result<()> {
    let Some(first) = nodes.first() else {
        return Ok(());
    };
    let collector = Home::new(first.home);
    let mut genesis = GenesisFile::load(&collector.genesis())?;
    genesis.doc_mut()["genesis_time"] = serde_json::Value::String(network.genesis_time.clone());
    tune(&mut genesis)?;
    for (address, coin) in network.accounts {
        genesis.add_account(address, std::slice::from_ref(coin), false)?;
    }
    for node in nodes {
        genesis.save_as(&Home::new(node.home).genesis())?;
    }
    let chain_id = genesis.chain_id()?.to_owned();

    let gentxs = gentx_dir(&collector);
    for (index, node) in nodes.iter().enumerate() {
        let home = Home::new(node.home);
        let key =
            Keyring::open(node.home, Backend::Test).private_key(network.operator_key, None)?;
        let request = GentxRequest {
            chain_id: chain_id.clone(),
            amount: network.self_delegation.clone(),
            moniker: Some(node.name.to_owned()),
            commission: Commission::default(),
            min_self_delegation: 1,
            ip: node.ip.to_owned(),
            p2p_port: Some(node.p2p_port),
            output: None,
        };
        let (path, gentx) = create_gentx(&home, &key, &request)
            .with_context(|| format!("{}: creating its gentx", node.name))?;
        eprintln!(
            "  {}: gentx {} {} self-delegating {}",
            node.name, gentx.moniker, gentx.operator_address, gentx.amount
        );
        if index > 0 {
            let name = path.file_name().context("a gentx file has a name")?;
            fs::create_dir_all(&gentxs)
                .with_context(|| format!("failed to create {}", gentxs.display()))?;
            fs::copy(&path, gentxs.join(name))
                .with_context(|| format!("failed to copy {} to {}", path.display(), first.name))?;
        }
    }
    let collected = collect_gentxs(&collector, &gentxs)?;
    eprintln!(
        "  {}: collected {} gentx(s) into {}",
        first.name,
        collected.validators.len(),
        collected.genesis.display()
    );
    for node in &nodes[1..] {
        let target = Home::new(node.home).genesis();
        fs::copy(&collected.genesis, &target)
            .with_context(|| format!("failed to copy the genesis to {}", target.display()))?;
    }
    Ok(())
}
