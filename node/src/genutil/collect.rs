//! `collect-gentxs`: every gentx of a directory into `app_state.genutil.gen_txs`, and the peers
//! their memos name into `config.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Serialize;

use super::file::GenesisFile;
use super::gentx::{Gentx, GentxDocument};
use super::node_keys;
use super::peer::persistent_peers;
use crate::home::Home;

/// What `collect-gentxs` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collected {
    /// The genesis file written.
    pub genesis: PathBuf,
    /// The gentxs, in delivery order.
    pub validators: Vec<GentxDocument>,
    /// The `config.toml` whose `p2p.persistent_peers` was written.
    pub config_toml: PathBuf,
    /// The value written there (every memo but this node's own).
    pub persistent_peers: String,
}

/// The gentx files (`*.json`) of `dir`, sorted by file name.
pub fn gentx_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "cannot read the gentx directory {} (create gentxs with `rampartd genesis gentx`)",
            dir.display()
        )
    })?;
    let mut files = vec![];
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list {}", dir.display()))?
            .path();
        if path.is_file() && path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

/// Reads every gentx of `dir` (sorted by file name), checks each against the genesis of
/// `home` (chain id and signature, operator balance, no duplicate operator, consensus key or
/// node), writes them to `app_state.genutil.gen_txs` with an empty `validators` list, and sets
/// `p2p.persistent_peers` in `config.toml` to the other nodes' memos.
pub fn collect_gentxs(home: &Home, dir: &Path) -> anyhow::Result<Collected> {
    let files = gentx_files(dir)?;
    if files.is_empty() {
        bail!(
            "no gentx files (*.json) in {}; create them with `rampartd genesis gentx`",
            dir.display()
        );
    }
    let mut genesis = GenesisFile::load(&home.genesis())?;
    let chain_id = genesis.chain_id()?.to_owned();
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    let mut gentxs: Vec<(GentxDocument, Gentx)> = Vec::with_capacity(files.len());
    for path in &files {
        let (doc, gentx) = GentxDocument::read(path)?;
        check(&genesis, &chain_id, &doc, &gentx)
            .with_context(|| format!("{}: gentx of {}", path.display(), doc.moniker))?;
        for (what, value) in [
            ("operator", &doc.operator_address),
            ("consensus key", &doc.consensus_pubkey.key),
            ("node", &doc.node_id),
        ] {
            if let Some(first) = seen.insert(format!("{what} {value}"), path) {
                bail!(
                    "{} and {} are gentxs of the same {what} {value}",
                    first.display(),
                    path.display()
                );
            }
        }
        gentxs.push((doc, gentx));
    }
    genesis.set_gen_txs(gentxs.iter().map(|(_, g)| g.to_base64()).collect())?;
    genesis.save()?;

    let own_id = node_keys::node_id(home)?;
    let peers = persistent_peers(gentxs.iter().map(|(_, g)| &g.peer), &own_id);
    write_persistent_peers(&home.config_toml(), &peers)?;
    Ok(Collected {
        genesis: home.genesis(),
        validators: gentxs.into_iter().map(|(doc, _)| doc).collect(),
        config_toml: home.config_toml(),
        persistent_peers: peers,
    })
}

/// A gentx against the genesis it joins: signed for its chain id, in the bond denom, and
/// paid for by the operator's genesis balance.
fn check(
    genesis: &GenesisFile,
    chain_id: &str,
    doc: &GentxDocument,
    gentx: &Gentx,
) -> anyhow::Result<()> {
    if doc.chain_id != chain_id {
        bail!(
            "it was made for chain {:?}, but {} is for chain {chain_id:?}",
            doc.chain_id,
            genesis.path().display()
        );
    }
    gentx.verify_signature(chain_id)?;
    let denom = genesis.bond_denom();
    if gentx.denom != denom {
        bail!(
            "it self-delegates {}, but the bond denom is {denom}",
            doc.amount
        );
    }
    let balance = genesis.balance_of(&doc.delegator_address, &denom)?;
    if balance < gentx.amount {
        bail!(
            "{} has {balance}{denom} in genesis, less than its self-delegation {}; fund it with \
             `rampartd genesis add-account`",
            doc.delegator_address,
            doc.amount
        );
    }
    Ok(())
}

/// Sets `p2p.persistent_peers` in CometBFT's `config.toml`, keeping the rest of the file.
pub fn write_persistent_peers(config_toml: &Path, peers: &str) -> anyhow::Result<()> {
    let text = Home::read_file(config_toml)?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", config_toml.display()))?;
    doc["p2p"]["persistent_peers"] = toml_edit::value(peers);
    std::fs::write(config_toml, doc.to_string())
        .with_context(|| format!("cannot write {}", config_toml.display()))
}
