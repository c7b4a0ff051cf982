//! Reading and checking `config/genesis.json` before anything is started or written.

use std::path::Path;

use anyhow::Context;
use rampart_app::{genesis, Modules};
use rampart_core::state::{EmptyState, Overlay};
use rampart_core::{BlockTime, GenesisContext, ValidatorUpdate};

/// CometBFT's genesis document with Rampart's `app_state`.
pub type GenesisDoc = tendermint::Genesis<serde_json::Value>;

/// Parses the genesis file; errors name the file, the line and the field.
pub fn load(path: &Path) -> anyhow::Result<GenesisDoc> {
    let text = crate::home::Home::read_file(path)?;
    serde_json::from_str(&text).with_context(|| format!("invalid genesis file {}", path.display()))
}

/// Runs the whole genesis — every module's section and the genesis transactions — on a
/// throwaway overlay, so a bad `app_state` is reported with the offending section and field
/// before the node starts (and nothing is written). Returns the validator set the chain starts
/// with (`None`: CometBFT's `genesis.json` validators).
pub fn validate(doc: &GenesisDoc, path: &Path) -> anyhow::Result<Option<Vec<ValidatorUpdate>>> {
    let modules = Modules::for_app_state(&doc.app_state);
    let ctx = GenesisContext {
        chain_id: doc.chain_id.to_string(),
        profile: modules.chain_profile(),
        initial_height: u64::try_from(doc.initial_height).unwrap_or(1),
        genesis_time: rampart_app::convert::block_time(doc.genesis_time),
        validators: Vec::new(),
    };
    let app_state = serde_json::to_vec(&doc.app_state).context("re-encoding app_state")?;
    let mut scratch = Overlay::new(EmptyState);
    genesis::init_genesis(&modules, &mut scratch, &ctx, &app_state)
        .map_err(|e| anyhow::anyhow!("invalid genesis file {}: {}", path.display(), e.log))
}

/// The default `app_state` of a composition, written by `rampartd init`: every module's genesis
/// defaults (the chain named after its id), obtained by running genesis and exporting, so it
/// always lists every composed module.
pub fn default_app_state(modules: &Modules, chain_id: &str) -> anyhow::Result<serde_json::Value> {
    let ctx = GenesisContext {
        chain_id: chain_id.to_owned(),
        profile: modules.chain_profile(),
        initial_height: 1,
        genesis_time: BlockTime::default(),
        validators: Vec::new(),
    };
    let seed = serde_json::json!({ "chain": { "name": chain_id } }).to_string();
    let mut state = Overlay::new(EmptyState);
    genesis::init_modules(modules, &mut state, &ctx, seed.as_bytes())
        .and_then(|_| genesis::export_genesis(modules, &state))
        .map_err(|e| anyhow::anyhow!("building the default genesis: {}", e.log))
}
