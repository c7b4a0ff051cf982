//! `rampartd init`: a node home with CometBFT's files (from the pinned `cometbft init`) adjusted
//! for Rampart, plus rampartd's `app.toml`.

use std::process::Command;

use anyhow::{bail, Context};
use toml_edit::DocumentMut;

use crate::config::AppToml;
use crate::home::Home;
use crate::{cometbft, genesis};

/// What `init` created.
#[derive(Debug, Clone)]
pub struct InitReport {
    /// The chain id written to genesis.
    pub chain_id: String,
    /// This node's validator address (hex).
    pub validator_address: String,
}

/// Creates the home. Refuses to touch an existing genesis unless `overwrite` (keys are kept).
pub fn init(
    home: &Home,
    moniker: &str,
    chain_id: &str,
    overwrite: bool,
) -> anyhow::Result<InitReport> {
    if chain_id.trim().is_empty() || chain_id.len() > 50 {
        bail!("--chain-id must be 1 to 50 characters, got {chain_id:?}");
    }
    if home.genesis().exists() {
        if !overwrite {
            bail!(
                "{} already exists: this home is initialised (use --overwrite to regenerate genesis and app.toml, keeping keys)",
                home.genesis().display()
            );
        }
        std::fs::remove_file(home.genesis())
            .with_context(|| format!("removing {}", home.genesis().display()))?;
    }
    let cometbft = cometbft::locate_or_install()?;
    let output = Command::new(&cometbft)
        .args(["init", "--home"])
        .arg(home.root())
        .output()
        .with_context(|| format!("running {} init", cometbft.display()))?;
    if !output.status.success() {
        bail!(
            "`cometbft init --home {}` failed: {}",
            home.root().display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.genesis()).context("reading the new genesis.json")?,
    )
    .context("parsing the new genesis.json")?;
    doc["chain_id"] = chain_id.into();
    doc["app_state"] = genesis::default_app_state(chain_id)?;
    let validator_address = doc["validators"][0]["address"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    std::fs::write(home.genesis(), serde_json::to_string_pretty(&doc)?)
        .with_context(|| format!("writing {}", home.genesis().display()))?;

    let app = AppToml::default();
    patch_config_toml(home, moniker, &app)?;
    app.save(&home.app_toml())?;
    Ok(InitReport {
        chain_id: chain_id.to_owned(),
        validator_address,
    })
}

/// Points CometBFT at rampartd and turns on the kv tx indexer (needed by `tx_search`).
fn patch_config_toml(home: &Home, moniker: &str, app: &AppToml) -> anyhow::Result<()> {
    let path = home.config_toml();
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut doc: DocumentMut = text
        .parse()
        .with_context(|| format!("parsing {}", path.display()))?;
    doc["proxy_app"] = toml_edit::value(format!("tcp://{}", app.abci.address));
    doc["moniker"] = toml_edit::value(moniker);
    doc["tx_index"]["indexer"] = toml_edit::value("kv");
    std::fs::write(&path, doc.to_string()).with_context(|| format!("writing {}", path.display()))
}
