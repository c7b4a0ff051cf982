//! `rampartd genesis validate`: parse a genesis file and run the application's InitChain on a
//! throwaway store, as CometBFT would on the first start, then report the validator set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context};
use rampart_app::{App, AppConfig};
use rampart_auth::VALIDATOR_PREFIX;
use rampart_store::{Storage, StorageConfig};
use serde::Serialize;
use tendermint::abci::request;
use tendermint::validator;

use super::gentx::Gentx;
use super::GENUTIL_SECTION;
use crate::genesis::{self, GenesisDoc};

/// Where the validator set comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidatorSource {
    /// The application's InitChain answer (staking, from the gentxs).
    App,
    /// The `validators` list of genesis.json (the application returned none).
    GenesisFile,
}

/// One genesis validator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidatorRow {
    /// Moniker (from its gentx, or the `name` in genesis.json; empty when unknown).
    pub moniker: String,
    /// Operator `rampartvaloper1…` (from its gentx; empty for genesis.json validators).
    pub operator: String,
    /// Consensus public key, base64.
    pub consensus_pubkey: String,
    /// Voting power.
    pub power: u64,
}

/// What `validate` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GenesisReport {
    /// The file checked.
    pub file: PathBuf,
    /// Its chain id.
    pub chain_id: String,
    /// Number of genesis transactions.
    pub gen_txs: usize,
    /// The app hash InitChain returned (hex).
    pub app_hash: String,
    /// Where [`GenesisReport::validators`] come from.
    pub source: ValidatorSource,
    /// The validator set CometBFT would start with.
    pub validators: Vec<ValidatorRow>,
}

/// Parses `path` and dry-runs InitChain on a temporary store; `Err` names the section or field
/// at fault.
pub fn validate_genesis(path: &Path) -> anyhow::Result<GenesisReport> {
    let doc = genesis::load(path)?;
    let gen_txs =
        decode_gen_txs(&doc).with_context(|| format!("invalid genesis file {}", path.display()))?;
    if !gen_txs.is_empty() && !doc.validators.is_empty() {
        bail!(
            "invalid genesis file {}: `validators` must be empty when app_state.{GENUTIL_SECTION}.gen_txs \
             is set (the application chooses the validators); run `rampartd genesis collect-gentxs`",
            path.display()
        );
    }
    let request = request::InitChain {
        time: doc.genesis_time,
        chain_id: doc.chain_id.to_string(),
        consensus_params: doc.consensus_params.clone(),
        validators: doc
            .validators
            .iter()
            .map(|v| validator::Update {
                pub_key: v.pub_key,
                power: v.power,
            })
            .collect(),
        app_state_bytes: serde_json::to_vec(&doc.app_state)?.into(),
        initial_height: tendermint::block::Height::try_from(doc.initial_height.max(1))
            .map_err(|e| anyhow!("invalid initial_height {}: {e}", doc.initial_height))?,
    };
    let scratch = ScratchDir::new()?;
    let storage = Storage::open(
        scratch.path(),
        StorageConfig {
            keep_recent: 0,
            ..Default::default()
        },
    )
    .with_context(|| format!("opening a scratch store in {}", scratch.path().display()))?;
    let response = App::new(storage, AppConfig::default())
        .init_chain(request)
        .map_err(|e| anyhow!("invalid genesis file {}: {}", path.display(), e.log))?;

    let by_key: BTreeMap<Vec<u8>, &Gentx> = gen_txs
        .iter()
        .map(|g| (g.consensus_key.to_vec(), g))
        .collect();
    let (source, validators) = if response.validators.is_empty() {
        (ValidatorSource::GenesisFile, genesis_file_rows(&doc))
    } else {
        let rows = response
            .validators
            .iter()
            .map(|update| {
                let gentx = by_key.get(&update.pub_key.to_bytes());
                ValidatorRow {
                    moniker: gentx.map(|g| g.moniker().to_owned()).unwrap_or_default(),
                    operator: gentx
                        .map(|g| g.operator.to_bech32(VALIDATOR_PREFIX))
                        .unwrap_or_default(),
                    consensus_pubkey: base64_key(&update.pub_key),
                    power: update.power.value(),
                }
            })
            .collect();
        (ValidatorSource::App, rows)
    };
    if validators.is_empty() {
        bail!(
            "invalid genesis file {}: no validators: `validators` is empty and the application \
             returned none (add gentxs with `rampartd genesis gentx` and `collect-gentxs`)",
            path.display()
        );
    }
    Ok(GenesisReport {
        file: path.to_owned(),
        chain_id: doc.chain_id.to_string(),
        gen_txs: gen_txs.len(),
        app_hash: hex::encode_upper(response.app_hash.as_bytes()),
        source,
        validators,
    })
}

/// The decoded `app_state.genutil.gen_txs` (their shape only; the app checks the rest).
fn decode_gen_txs(doc: &GenesisDoc) -> anyhow::Result<Vec<Gentx>> {
    let list = &doc.app_state[GENUTIL_SECTION]["gen_txs"];
    if list.is_null() {
        return Ok(vec![]);
    }
    let texts: Vec<String> = serde_json::from_value(list.clone()).with_context(|| {
        format!("app_state.{GENUTIL_SECTION}.gen_txs is not a list of base64 strings")
    })?;
    texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            Gentx::from_base64(text)
                .with_context(|| format!("app_state.{GENUTIL_SECTION}.gen_txs[{index}]"))
        })
        .collect()
}

fn genesis_file_rows(doc: &GenesisDoc) -> Vec<ValidatorRow> {
    doc.validators
        .iter()
        .map(|v| ValidatorRow {
            moniker: v.name.clone().unwrap_or_default(),
            operator: String::new(),
            consensus_pubkey: base64_key(&v.pub_key),
            power: v.power.value(),
        })
        .collect()
}

fn base64_key(key: &tendermint::PublicKey) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(key.to_bytes())
}

/// A directory under the system temp dir, removed on drop.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> anyhow::Result<Self> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let path = std::env::temp_dir().join(format!(
            "rampartd-genesis-validate-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Self(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // Best effort: a leftover scratch store in the temp dir is harmless.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
