//! `rampartd export`: the committed state as a genesis file that starts a new chain at the next
//! height.

use anyhow::Context;
use rampart_app::{App, AppConfig};
use rampart_store::{Storage, StorageConfig};

use crate::genesis;
use crate::home::Home;

/// Returns the genesis JSON of the latest committed state. The node must be stopped (the store
/// is opened exclusively).
pub fn export(home: &Home) -> anyhow::Result<serde_json::Value> {
    home.require_initialised()?;
    let mut doc = serde_json::to_value(genesis::load(&home.genesis())?)?;
    let storage =
        Storage::open(&home.app_db(), StorageConfig { keep_recent: 0 }).with_context(|| {
            format!(
                "opening {} (stop rampartd first: the store is opened exclusively)",
                home.app_db().display()
            )
        })?;
    let latest = storage
        .latest()
        .context("nothing to export: no block has been committed yet")?;
    let app = App::new(storage, AppConfig::default());
    doc["app_state"] = app
        .export()
        .map_err(|e| anyhow::anyhow!("export failed: {e}"))?;
    doc["initial_height"] = latest.height.saturating_add(1).to_string().into();
    doc["app_hash"] = "".into();
    Ok(doc)
}
