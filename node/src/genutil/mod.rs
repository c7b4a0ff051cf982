//! Genesis validators through genesis transactions ("gentxs"), as the Cosmos SDK's `genutil`:
//! the library behind `rampartd genesis add-account | gentx | collect-gentxs | validate`, also
//! used by the localnet.
//!
//! The flow: every account that will stake gets a genesis balance ([`file::GenesisFile::
//! add_account`]); every validator signs a `MsgCreateValidator` for its own node
//! ([`create_gentx`], written to `config/gentx/gentx-<node_id>.json`); one node gathers them
//! into `app_state.genutil.gen_txs` ([`collect::collect_gentxs`]) and the resulting genesis is
//! copied to every node. At InitChain the application delivers the gentxs in order and returns
//! the staking validator set, so genesis.json's `validators` list is empty.
//!
//! - [`file`](mod@file): editing genesis.json; [`gentx`]: building, signing and reading gentxs;
//! - [`collect`]: `collect-gentxs`; [`dry_run`]: `validate`; [`network`]: a whole new network's
//!   genesis from every node's gentx (`cargo localnet`, `rampartd testnet`);
//! - [`node_keys`]: the node id and consensus key; [`peer`]: `node_id@host:port`.

pub mod collect;
pub mod dry_run;
pub mod file;
pub mod gentx;
pub mod network;
pub mod node_keys;
pub mod peer;

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;

pub use collect::{collect_gentxs, Collected};
pub use dry_run::{validate_genesis, GenesisReport};
pub use file::GenesisFile;
pub use gentx::{Commission, Gentx, GentxDocument, ValidatorSpec};
pub use peer::Peer;

use crate::home::Home;
use rampart_client::keys::AccountKey;

/// The `app_state` section holding the genesis transactions (`{"gen_txs": [base64 TxRaw…]}`).
pub const GENUTIL_SECTION: &str = "genutil";
/// The bond denom when genesis has no `app_state.staking.params.bond_denom`.
pub const DEFAULT_BOND_DENOM: &str = "uramp";
/// The P2P address written in a gentx's memo when none is given.
pub const DEFAULT_IP: &str = "127.0.0.1";

/// `config/gentx/`: where `gentx` writes and `collect-gentxs` reads by default.
pub fn gentx_dir(home: &Home) -> PathBuf {
    home.config_dir().join("gentx")
}

/// What [`create_gentx`] needs besides the node home.
#[derive(Debug, Clone)]
pub struct GentxRequest {
    /// Must equal genesis.json's chain id.
    pub chain_id: String,
    /// Self-delegation in the bond denom; the operator's genesis balance must cover it.
    pub amount: Coin,
    /// Moniker; `None` takes `moniker` from config.toml.
    pub moniker: Option<String>,
    /// Commission rates.
    pub commission: Commission,
    /// Minimum self-delegation.
    pub min_self_delegation: u128,
    /// IP or host name in the memo.
    pub ip: String,
    /// P2P port in the memo; `None` takes the port of `p2p.laddr` in config.toml.
    pub p2p_port: Option<u16>,
    /// Where to write the file; `None` is `config/gentx/gentx-<node_id>.json`.
    pub output: Option<PathBuf>,
}

/// Creates the gentx of the node at `home`, operated by `key`: checks the chain id, the bond
/// denom and the operator's genesis balance, signs, and writes the gentx file (never replacing
/// one). Returns where it was written and what it holds.
pub fn create_gentx(
    home: &Home,
    key: &AccountKey,
    request: &GentxRequest,
) -> anyhow::Result<(PathBuf, GentxDocument)> {
    let genesis = GenesisFile::load(&home.genesis())?;
    genesis.require_chain_id(&request.chain_id)?;
    let denom = genesis.bond_denom();
    if request.amount.denom != denom {
        bail!(
            "the self-delegation must be in the bond denom {denom}, not {}",
            request.amount.denom
        );
    }
    let amount = file::parse_amount(&request.amount.amount, "amount")?;
    let address = key.address()?.to_string();
    let balance = genesis.balance_of(&address, &denom)?;
    if balance < amount {
        bail!(
            "{address} has {balance}{denom} in {}, less than the self-delegation {amount}{denom}; \
             fund it first with `rampartd genesis add-account {address} <coins>`",
            genesis.path().display()
        );
    }
    let config = read_config_toml(home)?;
    let moniker = match &request.moniker {
        Some(moniker) => moniker.clone(),
        None => config
            .get("moniker")
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    };
    if moniker.trim().is_empty() {
        bail!("the validator needs a moniker: pass --moniker or set `moniker` in config.toml");
    }
    let port = match request.p2p_port {
        Some(port) => port,
        None => p2p_port(&config)
            .with_context(|| format!("reading p2p.laddr in {}", home.config_toml().display()))?,
    };
    let node_id = node_keys::node_id(home)?;
    let spec = ValidatorSpec {
        moniker,
        amount: request.amount.clone(),
        commission: request.commission,
        min_self_delegation: request.min_self_delegation,
        consensus_key: node_keys::consensus_key(home)?,
        peer: Peer::new(&node_id, &request.ip, port)?,
    };
    let document = gentx::sign_gentx(key, &request.chain_id, &spec)?.document(&request.chain_id)?;
    let path = request
        .output
        .clone()
        .unwrap_or_else(|| gentx_dir(home).join(format!("gentx-{node_id}.json")));
    document.write_new(&path)?;
    Ok((path, document))
}

fn read_config_toml(home: &Home) -> anyhow::Result<toml::Table> {
    let path = home.config_toml();
    Home::read_file(&path)?
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))
}

/// The port of `p2p.laddr` (`tcp://0.0.0.0:26656`).
fn p2p_port(config: &toml::Table) -> anyhow::Result<u16> {
    let laddr = config
        .get("p2p")
        .and_then(|p2p| p2p.get("laddr"))
        .and_then(toml::Value::as_str)
        .ok_or_else(|| anyhow!("p2p.laddr is missing; pass --p2p-port"))?;
    laddr
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse().ok())
        .filter(|port| *port != 0)
        .ok_or_else(|| anyhow!("p2p.laddr {laddr:?} has no port; pass --p2p-port"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_p2p_port() {
        let config: toml::Table = "[p2p]\nladdr = \"tcp://0.0.0.0:26756\"\n"
            .parse()
            .expect("toml");
        assert_eq!(p2p_port(&config).expect("port"), 26756);
        for bad in [
            "",
            "[p2p]\nladdr = \"tcp://0.0.0.0\"\n",
            "[p2p]\nladdr = \"x:0\"\n",
        ] {
            let config: toml::Table = bad.parse().expect("toml");
            assert!(p2p_port(&config).is_err(), "{bad:?}");
        }
    }
}
