//! `rampartd init`: a node home with CometBFT's files (from the pinned `cometbft init`) adjusted
//! for Rampart, plus rampartd's `app.toml`.

use std::process::Command;

use anyhow::{bail, Context};
use toml_edit::DocumentMut;

use rampart_app::Modules;

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
    check_chain_id(chain_id)?;
    let app_state = genesis::default_app_state(&Modules::provider(), chain_id)?;
    write_home(home, moniker, overwrite, |doc| {
        doc["chain_id"] = chain_id.into();
        doc["app_state"] = app_state;
        Ok(())
    })
}

/// Creates a consumer chain's home from the genesis the provider wrote when it launched consumer
/// `consumer_id` (fetched from the provider's RPC at `provider_node`): the consumer's chain id, a
/// genesis time equal to the provider's launch time (so every node that runs this writes the
/// same `genesis.json`), no `validators` (the app returns the pledged set at InitChain), and an
/// `app_state` with chain, auth, bank and the `ccv` trust anchor. The node signs with the key in
/// `config/priv_validator_key.json`: replace it with the validator's consumer key (its assigned
/// key, else its provider key) before starting.
pub async fn init_consumer(
    home: &Home,
    moniker: &str,
    consumer_id: u64,
    provider_node: &str,
    overwrite: bool,
) -> anyhow::Result<InitReport> {
    let provider = rampart_client::NodeClient::new(provider_node)?;
    let consumer_genesis = provider
        .consumer()
        .genesis(consumer_id)
        .await
        .with_context(|| {
            format!("fetching the genesis of consumer {consumer_id} from {provider_node}")
        })?
        .genesis
        .with_context(|| {
            format!("consumer {consumer_id} has no genesis yet: it launches at its spawn time")
        })?;
    let chain_id = consumer_genesis.chain_id.clone();
    check_chain_id(&chain_id)?;
    let ccv = rampart_ccv::genesis::from_consumer_genesis(&consumer_genesis)
        .map_err(|e| anyhow::anyhow!("the provider's consumer genesis: {}", e.log))?;
    let launch_time = consumer_genesis
        .provider_time
        .as_ref()
        .context("the consumer genesis has no provider time")?;
    let genesis_time = rampart_core::wire::block_time(launch_time)
        .map(rampart_core::wire::rfc3339)
        .map_err(|e| anyhow::anyhow!("the provider's launch time: {}", e.log))?;
    let mut app_state = genesis::default_app_state(&Modules::consumer(), &chain_id)?;
    app_state[rampart_ccv::NAME] = serde_json::to_value(&ccv)?;
    write_home(home, moniker, overwrite, |doc| {
        doc["chain_id"] = chain_id.as_str().into();
        doc["genesis_time"] = genesis_time.into();
        doc["initial_height"] = "1".into();
        doc["validators"] = serde_json::json!([]);
        doc["app_state"] = app_state;
        Ok(())
    })
}

fn check_chain_id(chain_id: &str) -> anyhow::Result<()> {
    if chain_id.trim().is_empty() || chain_id.len() > 50 {
        bail!("--chain-id must be 1 to 50 characters, got {chain_id:?}");
    }
    Ok(())
}

/// Runs the pinned `cometbft init` in `home`, lets `shape` write the new `genesis.json`, and adds
/// rampartd's `app.toml`.
fn write_home(
    home: &Home,
    moniker: &str,
    overwrite: bool,
    shape: impl FnOnce(&mut serde_json::Value) -> anyhow::Result<()>,
) -> anyhow::Result<InitReport> {
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
    let validator_address = doc["validators"][0]["address"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    shape(&mut doc)?;
    let chain_id = doc["chain_id"].as_str().unwrap_or_default().to_owned();
    std::fs::write(home.genesis(), serde_json::to_string_pretty(&doc)?)
        .with_context(|| format!("writing {}", home.genesis().display()))?;

    let app = AppToml::default();
    patch_config_toml(home, moniker, &app)?;
    app.save(&home.app_toml())?;
    Ok(InitReport {
        chain_id,
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
