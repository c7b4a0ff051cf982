//! Chain metadata for wallets and registries (`rampartd chain-info`): the chain-info JSON a
//! Keplr-style wallet's `experimentalSuggestChain` takes, and a cosmos chain-registry
//! `chain.json` with its `assetlist.json`. Everything comes from the node's home: the chain id,
//! name and composition (hence address prefixes and bond denom) from its genesis, the RPC and
//! REST URLs from its `app.toml` unless given.

use std::path::Path;

use anyhow::Context;
use rampart_app::Modules;
use rampart_core::ChainProfile;
use serde_json::{json, Value};

use crate::config::AppToml;
use crate::home::Home;

/// BIP-44 coin type of Cosmos SDK keys (`m/44'/118'/0'/0/0`), which `rampartd keys` derives.
pub const COIN_TYPE: u32 = 118;

/// Decimals between the base denom (`uramp`) and the display denom (`RAMP`).
pub const DECIMALS: u32 = 6;

/// Gas prices (base denom per unit of gas) a wallet offers: low is a new node's minimum
/// ([`crate::config::DEFAULT_MINIMUM_GAS_PRICES`]), average and high Keplr's usual steps.
const GAS_PRICE_STEPS: (f64, f64, f64) = (0.0025, 0.025, 0.04);

/// What wallets and registries are told about one chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainMeta {
    /// CometBFT chain id.
    pub chain_id: String,
    /// Human-readable name (the genesis `chain.name`, else the chain id).
    pub name: String,
    /// CometBFT RPC URL.
    pub rpc: String,
    /// REST API URL.
    pub rest: String,
    /// gRPC address (`host:port`).
    pub grpc: String,
    /// Prefixes and bond denom of the chain's composition.
    pub profile: ChainProfile,
}

impl ChainMeta {
    /// The metadata of the chain whose node home is `home`; `rpc` and `rest` override the URLs
    /// from its `app.toml` (a REST URL is needed: `[api]` enabled, or `rest`).
    pub fn from_home(
        home: &Home,
        rpc: Option<String>,
        rest: Option<String>,
    ) -> anyhow::Result<Self> {
        let doc = crate::genesis::load(&home.genesis())?;
        let config = AppToml::load(&home.app_toml())?;
        let rest = match rest {
            Some(rest) => rest,
            None if config.api.enable => format!("http://{}", config.api.address),
            None => anyhow::bail!(
                "the REST API is off in {} ([api] enable = false): enable it or pass --rest URL",
                home.app_toml().display()
            ),
        };
        let name = doc.app_state["chain"]["name"]
            .as_str()
            .filter(|name| !name.is_empty())
            .unwrap_or(doc.chain_id.as_str())
            .to_string();
        Ok(Self {
            chain_id: doc.chain_id.to_string(),
            name,
            rpc: rpc.unwrap_or(config.cometbft.rpc),
            rest,
            grpc: config.grpc.address.to_string(),
            profile: Modules::for_app_state(&doc.app_state).chain_profile(),
        })
    }

    /// The display denom: the base denom without its `u` (micro) prefix, upper-case (`RAMP`).
    fn display_denom(&self) -> String {
        let base = self.profile.bond_denom;
        base.strip_prefix('u').unwrap_or(base).to_uppercase()
    }

    /// The chain-info JSON of Keplr's `experimentalSuggestChain`.
    pub fn keplr(&self) -> Value {
        let prefix = |p: &str| (p.to_string(), format!("{p}pub"));
        let (acc, acc_pub) = prefix(self.profile.account_prefix);
        let (val, val_pub) = prefix(self.profile.validator_prefix);
        let (cons, cons_pub) = prefix(self.profile.consensus_prefix);
        let currency = json!({
            "coinDenom": self.display_denom(),
            "coinMinimalDenom": self.profile.bond_denom,
            "coinDecimals": DECIMALS,
        });
        let mut fee_currency = currency.clone();
        let (low, average, high) = GAS_PRICE_STEPS;
        fee_currency["gasPriceStep"] = json!({"low": low, "average": average, "high": high});
        json!({
            "chainId": self.chain_id,
            "chainName": self.name,
            "rpc": self.rpc,
            "rest": self.rest,
            "bip44": {"coinType": COIN_TYPE},
            "bech32Config": {
                "bech32PrefixAccAddr": acc,
                "bech32PrefixAccPub": acc_pub,
                "bech32PrefixValAddr": val,
                "bech32PrefixValPub": val_pub,
                "bech32PrefixConsAddr": cons,
                "bech32PrefixConsPub": cons_pub,
            },
            "stakeCurrency": currency,
            "currencies": [currency],
            "feeCurrencies": [fee_currency],
            "features": [],
        })
    }

    /// The registry's name of the chain: lower-case letters and digits of the chain id.
    fn registry_name(&self) -> String {
        self.chain_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase()
    }

    /// A chain-registry `chain.json`.
    pub fn registry_chain(&self) -> Value {
        let (low, average, high) = GAS_PRICE_STEPS;
        let api = |address: &str| json!([{"address": address, "provider": "rampartd"}]);
        json!({
            "$schema": "../chain.schema.json",
            "chain_name": self.registry_name(),
            "chain_type": "cosmos",
            "status": "live",
            "network_type": "devnet",
            "pretty_name": self.name,
            "chain_id": self.chain_id,
            "bech32_prefix": self.profile.account_prefix,
            "daemon_name": "rampartd",
            "node_home": "$HOME/.rampart",
            "key_algos": ["secp256k1"],
            "slip44": COIN_TYPE,
            "fees": {"fee_tokens": [{
                "denom": self.profile.bond_denom,
                "fixed_min_gas_price": low,
                "low_gas_price": low,
                "average_gas_price": average,
                "high_gas_price": high,
            }]},
            "staking": {"staking_tokens": [{"denom": self.profile.bond_denom}]},
            "codebase": {"consensus": {"type": "cometbft", "version": crate::cometbft::COMETBFT_VERSION}},
            "apis": {"rpc": api(&self.rpc), "rest": api(&self.rest), "grpc": api(&self.grpc)},
        })
    }

    /// A chain-registry `assetlist.json`: the bond denom and its display unit.
    pub fn registry_assets(&self) -> Value {
        let display = self.display_denom();
        json!({
            "$schema": "../assetlist.schema.json",
            "chain_name": self.registry_name(),
            "assets": [{
                "description": format!("The staking and fee token of {}.", self.name),
                "denom_units": [
                    {"denom": self.profile.bond_denom, "exponent": 0},
                    {"denom": display.to_lowercase(), "exponent": DECIMALS},
                ],
                "type_asset": "sdk.coin",
                "base": self.profile.bond_denom,
                "name": display,
                "display": display.to_lowercase(),
                "symbol": display,
            }],
        })
    }

    /// Writes `chain-info.json` (Keplr), `chain.json` and `assetlist.json` into `dir`.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for (file, value) in [
            (KEPLR_FILE, self.keplr()),
            (REGISTRY_CHAIN_FILE, self.registry_chain()),
            (REGISTRY_ASSETS_FILE, self.registry_assets()),
        ] {
            let path = dir.join(file);
            let text = format!("{}\n", serde_json::to_string_pretty(&value)?);
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }
}

/// `rampartd chain-info`: prints the Keplr chain-info JSON of the node at `--home`.
#[derive(Debug, Clone, clap::Args)]
pub struct ChainInfoCommand {
    #[command(flatten)]
    home: crate::cli::args::HomeArg,
    /// The CometBFT RPC URL wallets use; defaults to `cometbft.rpc` in app.toml.
    #[arg(long, value_name = "URL")]
    rpc: Option<String>,
    /// The REST API URL wallets use; defaults to `api.address` in app.toml.
    #[arg(long, value_name = "URL")]
    rest: Option<String>,
    /// Also write chain-registry `chain.json` and `assetlist.json` (and `chain-info.json`) here.
    #[arg(long, value_name = "DIR")]
    registry: Option<std::path::PathBuf>,
}

impl ChainInfoCommand {
    /// Prints the chain info (and writes the registry files).
    pub fn run(self) -> anyhow::Result<()> {
        let meta = ChainMeta::from_home(&Home::new(self.home.home), self.rpc, self.rest)?;
        if let Some(dir) = &self.registry {
            meta.write(dir)?;
            eprintln!(
                "wrote {KEPLR_FILE}, {REGISTRY_CHAIN_FILE} and {REGISTRY_ASSETS_FILE} in {}",
                dir.display()
            );
        }
        println!("{}", serde_json::to_string_pretty(&meta.keplr())?);
        Ok(())
    }
}

/// The Keplr chain-info file [`ChainMeta::write`] writes.
pub const KEPLR_FILE: &str = "chain-info.json";
/// The chain-registry chain file [`ChainMeta::write`] writes.
pub const REGISTRY_CHAIN_FILE: &str = "chain.json";
/// The chain-registry asset list [`ChainMeta::write`] writes.
pub const REGISTRY_ASSETS_FILE: &str = "assetlist.json";

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> ChainMeta {
        ChainMeta {
            chain_id: "rampart-localnet".into(),
            name: "Rampart".into(),
            rpc: "http://127.0.0.1:26657".into(),
            rest: "http://127.0.0.1:1317".into(),
            grpc: "127.0.0.1:9090".into(),
            profile: ChainProfile::rampart(),
        }
    }

    #[test]
    fn keplr_chain_info_names_all_six_prefixes_and_the_denoms() {
        let info = meta().keplr();
        assert_eq!(
            info["bech32Config"]["bech32PrefixValPub"],
            "rampartvaloperpub"
        );
        assert_eq!(
            info["bech32Config"]["bech32PrefixConsAddr"],
            "rampartvalcons"
        );
        assert_eq!(info["stakeCurrency"]["coinDenom"], "RAMP");
        assert_eq!(info["feeCurrencies"][0]["coinMinimalDenom"], "uramp");
        assert_eq!(info["feeCurrencies"][0]["gasPriceStep"]["average"], 0.025);
        let registry = meta().registry_chain();
        assert_eq!(registry["chain_name"], "rampartlocalnet");
        assert_eq!(
            registry["apis"]["rest"][0]["address"],
            "http://127.0.0.1:1317"
        );
        let assets = meta().registry_assets();
        assert_eq!(assets["assets"][0]["denom_units"][1]["exponent"], 6);
    }
}
