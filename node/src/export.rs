//! `rampartd export`: the committed state as a genesis file that starts a new chain at the next
//! height; `rampartd debug invariants`: the chain's invariants over that state.

use anyhow::Context;
use rampart_app::{App, AppConfig, Modules};
use rampart_store::{Storage, StorageConfig};

use crate::genesis;
use crate::home::Home;

/// Returns the genesis JSON of the latest committed state. The node must be stopped (the store
/// is opened exclusively).
pub fn export(home: &Home) -> anyhow::Result<serde_json::Value> {
    arm_crash_point()?;
    let (mut doc, storage, height) = open_stopped(home, "export")?;
    let app = App::new(storage, AppConfig::default());
    doc["app_state"] = app
        .export()
        .map_err(|e| anyhow::anyhow!("export failed: {e}"))?;
    doc["initial_height"] = height.saturating_add(1).to_string().into();
    doc["app_hash"] = "".into();
    Ok(doc)
}

/// Runs every composed module's invariants over the latest committed state (the node must be
/// stopped); returns the height checked, or an error naming the first violation.
pub fn check_invariants(home: &Home) -> anyhow::Result<u64> {
    let (doc, storage, height) = open_stopped(home, "check")?;
    let modules = Modules::for_app_state(&doc["app_state"]);
    match rampart_app::invariants::check(modules.iter(), &storage.snapshot()) {
        Ok(Ok(())) => Ok(height),
        Ok(Err(violation)) => anyhow::bail!("invariant broken at height {height}: {violation}"),
        Err(e) => anyhow::bail!("reading the state at height {height}: {e}"),
    }
}

/// The home's genesis document, its store (opened exclusively: rampartd must be stopped) and
/// the latest committed height.
fn open_stopped(home: &Home, what: &str) -> anyhow::Result<(serde_json::Value, Storage, u64)> {
    home.require_initialised()?;
    let doc = serde_json::to_value(genesis::load(&home.genesis())?)?;
    let storage = Storage::open(
        &home.app_db(),
        StorageConfig {
            keep_recent: 0,
            ..Default::default()
        },
    )
    .with_context(|| {
        format!(
            "opening {} (stop rampartd first: the store is opened exclusively)",
            home.app_db().display()
        )
    })?;
    let latest = storage
        .latest()
        .with_context(|| format!("nothing to {what}: no block has been committed yet"))?;
    Ok((doc, storage, latest.height))
}

/// Arms the test-only crash point named by `RAMPART_CRASH_AT` (read once; see
/// [`rampart_store::crash`]); `rampartd start` and `export` call it first. Unset, it does nothing.
pub fn arm_crash_point() -> anyhow::Result<()> {
    if let Some(plan) = rampart_store::crash::arm_from_env().map_err(anyhow::Error::msg)? {
        tracing::warn!(
            point = plan.point.name(),
            nth = plan.nth,
            "test-only crash point armed"
        );
    }
    Ok(())
}
