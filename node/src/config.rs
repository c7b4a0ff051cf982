//! `<home>/config/app.toml`: rampartd's own settings (CometBFT keeps `config.toml`).

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// rampartd's configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppToml {
    /// The ABCI server CometBFT connects to (`proxy_app` in config.toml).
    pub abci: Listen,
    /// The gRPC query server (with server reflection).
    pub grpc: Listen,
    /// How rampartd reaches its CometBFT node.
    pub cometbft: CometbftLink,
    /// Mempool admission (CheckTx only; never part of consensus).
    #[serde(default)]
    pub mempool: Mempool,
    /// State retention.
    #[serde(default)]
    pub pruning: Pruning,
    /// The application store's memory.
    #[serde(default)]
    pub store: Store,
    /// Logging.
    #[serde(default)]
    pub log: Log,
    /// The REST API (off when the section is absent).
    #[serde(default)]
    pub api: Api,
    /// The event attributes CometBFT's tx indexer indexes (all when the section is absent).
    #[serde(default)]
    pub events: Events,
    /// Prometheus metrics (off when the section or its address is absent).
    #[serde(default, skip_serializing_if = "Metrics::is_off")]
    pub metrics: Metrics,
}

/// A listening address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listen {
    /// `host:port`; loopback by default.
    pub address: SocketAddr,
}

/// The CometBFT node this rampartd serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CometbftLink {
    /// Its RPC URL, used by `rampartd status` and transaction broadcasting.
    pub rpc: String,
}

/// The REST API server (`[api]`, keys as in the Cosmos SDK's app.toml): the gRPC-gateway paths
/// and JSON, see [`crate::rest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Api {
    /// Serve it.
    pub enable: bool,
    /// `host:port`; the SDK's conventional port is 1317.
    pub address: SocketAddr,
    /// Let every origin read answers (`Access-Control-Allow-Origin: *`): for local networks.
    pub enabled_unsafe_cors: bool,
    /// The origins allowed to read answers when `enabled-unsafe-cors` is off, e.g.
    /// `["https://wallet.example"]`.
    pub cors_allowed_origins: Vec<String>,
    /// Also serve the live web view of shared security at `/` and `/web/` of this address
    /// (a static page whose script reads this same REST API), see `crate::rest::web`.
    pub web: bool,
}

impl Default for Api {
    fn default() -> Self {
        Self {
            enable: false,
            address: SocketAddr::from(([127, 0, 0, 1], 1317)),
            enabled_unsafe_cors: false,
            cors_allowed_origins: Vec::new(),
            web: false,
        }
    }
}

/// The minimum gas price of a new node (`rampartd init`, or an app.toml without one): 0.0025
/// uramp per unit of gas, so a 200,000-gas transaction pays at least 500uramp — a tenth of the
/// `--fees 5000uramp` the README's commands pay — and a transaction paying nothing is not
/// relayed for free. An operator may set any other price, or `""` to accept any fee (the
/// localnet does, for its relayers pay none).
pub const DEFAULT_MINIMUM_GAS_PRICES: &str = "0.0025uramp";

/// Mempool admission settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mempool {
    /// Minimum gas prices this node accepts in CheckTx, e.g. `"0.025uramp"` or
    /// `"0.025uramp,1stake"`; empty accepts any fee. Defaults to
    /// [`DEFAULT_MINIMUM_GAS_PRICES`].
    pub minimum_gas_prices: String,
}

impl Default for Mempool {
    fn default() -> Self {
        Self {
            minimum_gas_prices: DEFAULT_MINIMUM_GAS_PRICES.into(),
        }
    }
}

/// How much history is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pruning {
    /// Heights of application state kept for queries and proofs (0 keeps all).
    pub keep_recent: u64,
    /// Blocks CometBFT is told to keep (0 keeps all, so new nodes can sync from genesis).
    #[serde(default)]
    pub retain_blocks: u64,
}

impl Default for Pruning {
    fn default() -> Self {
        Self {
            keep_recent: 10_000,
            retain_blocks: 0,
        }
    }
}

/// The application store (`[store]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Store {
    /// The most memory sled's page cache may hold, in MiB (sled's `cache_capacity`, counted as
    /// the pages' size on disk: they take about twice that in memory); the store's own
    /// JMT-node, leaf and value caches add at most [`rampart_store::OWN_CACHES_BYTES`].
    /// Defaults to 64 ([`rampart_store::DEFAULT_CACHE_BYTES`]).
    pub cache_mb: u64,
}

impl Store {
    /// [`Store::cache_mb`] in bytes (saturating).
    pub fn cache_bytes(&self) -> u64 {
        self.cache_mb.saturating_mul(1024 * 1024)
    }
}

impl Default for Store {
    fn default() -> Self {
        Self {
            cache_mb: rampart_store::DEFAULT_CACHE_BYTES / (1024 * 1024),
        }
    }
}

/// Log settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    /// A `tracing` filter such as `info` or `rampart_app=debug,info`; `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for Log {
    fn default() -> Self {
        Self {
            level: "info".into(),
        }
    }
}

/// What CometBFT gets of the events (`[events]`): which attributes it indexes (the Cosmos SDK's
/// `index-events`), or none at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Events {
    /// `false` hands CometBFT no events (a validator that serves no queries): its
    /// `block_results`, `GetTx` and `tx_search` show none, consensus is unchanged. Default `true`.
    pub emit: bool,
    /// `type.key` attributes `tx_search` can find transactions by, e.g.
    /// `["message.sender", "transfer.recipient"]`; empty (the default) indexes every attribute.
    /// Each indexed attribute costs CometBFT a write per transaction.
    pub index: Vec<String>,
}

impl Default for Events {
    fn default() -> Self {
        Self {
            emit: true,
            index: Vec::new(),
        }
    }
}

impl Events {
    /// The list as the app's [`rampart_app::EventIndex`]; errors name the bad entry.
    pub fn event_index(&self) -> anyhow::Result<rampart_app::EventIndex> {
        rampart_app::EventIndex::only(&self.index)
            .map_err(|e| anyhow::anyhow!("events.index in app.toml: {}", e.log))
    }
}

/// Prometheus metrics (`[metrics]`): `GET /metrics` on `address`, off when it is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Metrics {
    /// `host:port` to serve `/metrics` on; `None` (the default) serves nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<SocketAddr>,
}

impl Metrics {
    /// True when no metrics are served.
    pub fn is_off(&self) -> bool {
        self.address.is_none()
    }
}

impl Default for AppToml {
    fn default() -> Self {
        Self {
            abci: Listen {
                address: SocketAddr::from(([127, 0, 0, 1], 26658)),
            },
            grpc: Listen {
                address: SocketAddr::from(([127, 0, 0, 1], 9090)),
            },
            cometbft: CometbftLink {
                rpc: "http://127.0.0.1:26657".into(),
            },
            mempool: Mempool::default(),
            pruning: Pruning::default(),
            store: Store::default(),
            log: Log::default(),
            api: Api::default(),
            events: Events::default(),
            metrics: Metrics::default(),
        }
    }
}

const HEADER: &str = "\
# rampartd configuration. CometBFT's own settings are in config.toml beside this file.
#
# [abci]      address   the ABCI server; must match proxy_app in config.toml
# [grpc]      address   the gRPC query server (Cosmos and rampart.* services, reflection v1/v1alpha)
# [cometbft]  rpc       this node's CometBFT RPC, used by `rampartd status` and broadcasting
# [mempool]   minimum_gas_prices  fee this node requires in CheckTx, e.g. \"0.0025uramp\" (empty = any)
# [pruning]   keep_recent    heights of app state kept for queries and proofs (0 = all)
#             retain_blocks  blocks CometBFT may keep (0 = all; needed for block sync from genesis)
# [store]     cache_mb  bound of sled's page cache in MiB, counted on disk (≈ 2× in memory); JMT and value caches add ≤ {own_caches_mib}
# [log]       level     tracing filter, e.g. \"info\" or \"rampart_app=debug,info\"; RUST_LOG overrides
# [api]       enable, address  the REST API (Cosmos gRPC-gateway paths and JSON; port 1317 by convention)
#             enabled-unsafe-cors  any origin may call it; else only cors-allowed-origins = [\"https://…\"]
#             web = true  also serve the live web view of shared security at http://<address>/
# [events]    index  the type.key attributes tx_search finds transactions by, e.g. [\"message.sender\",
#             \"transfer.recipient\"] (the SDK's index-events); empty = all, each costs CometBFT a write per tx
#             emit = false  hand CometBFT no events at all (a validator serving no queries; consensus unchanged)
# [metrics]   address  serve Prometheus metrics at http://<address>/metrics (absent = off)

";

/// [`HEADER`] with the store's own cache bound filled in.
fn header() -> String {
    let own_caches_mib = rampart_store::OWN_CACHES_BYTES / (1024 * 1024);
    HEADER.replace("{own_caches_mib}", &own_caches_mib.to_string())
}

impl AppToml {
    /// Reads and validates `path`; errors name the file and the offending field.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = crate::home::Home::read_file(path)?;
        toml::from_str(&text).with_context(|| format!("invalid {}", path.display()))
    }

    /// Writes the configuration with an explanatory header.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let body = toml::to_string(self).context("serialising app.toml")?;
        std::fs::write(path, format!("{}{body}", header()))
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips_and_unknown_fields_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.toml");
        AppToml::default().save(&path).expect("save");
        assert_eq!(AppToml::load(&path).expect("load"), AppToml::default());
        std::fs::write(&path, "[abci]\naddres = \"127.0.0.1:1\"\n").expect("write");
        let err = format!("{:#}", AppToml::load(&path).expect_err("typo"));
        assert!(err.contains("addres"), "{err}");
    }

    /// Issue 13, finding 6: a new node refuses free transactions (the default was empty).
    #[test]
    fn the_default_minimum_gas_price_is_not_zero() {
        let prices = rampart_app::AppConfig::parse_min_gas_prices(
            &AppToml::default().mempool.minimum_gas_prices,
        )
        .expect("the default parses");
        assert!(
            prices
                .iter()
                .any(|(_, price)| *price > rampart_core::Decimal::ZERO),
            "{prices:?}"
        );
        // A `[mempool]` table without the key gets the default too; an explicit "" stays.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.toml");
        let mut text = toml::to_string(&AppToml::default()).expect("toml");
        text = text.replace("minimum_gas_prices = \"0.0025uramp\"", "");
        std::fs::write(&path, &text).expect("write");
        assert_eq!(AppToml::load(&path).expect("load"), AppToml::default());
        let mut free = AppToml::default();
        free.mempool.minimum_gas_prices = String::new();
        free.save(&path).expect("save");
        assert_eq!(AppToml::load(&path).expect("load"), free);
    }

    /// `[store] cache_mb` bounds sled's page cache; without the section it is 64 MiB.
    #[test]
    fn store_section_bounds_the_sled_cache() {
        assert_eq!(
            AppToml::default().store.cache_bytes(),
            rampart_store::DEFAULT_CACHE_BYTES
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.toml");
        let required = "[abci]\naddress = \"127.0.0.1:1\"\n[grpc]\naddress = \"127.0.0.1:2\"\n\
                        [cometbft]\nrpc = \"http://127.0.0.1:3\"\n";
        std::fs::write(&path, format!("{required}[store]\ncache_mb = 16\n")).expect("write");
        assert_eq!(
            AppToml::load(&path).expect("load").store.cache_bytes(),
            16 * 1024 * 1024
        );
    }

    /// The store's own cache bound is written from `rampart_store::OWN_CACHES_BYTES` into
    /// app.toml's header, and the operators' memory sizing in docs/DEPLOY.md states the same figure.
    #[test]
    fn the_store_caches_bound_is_stated_from_the_store() {
        let mib = rampart_store::OWN_CACHES_BYTES / (1024 * 1024);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.toml");
        AppToml::default().save(&path).expect("save");
        let written = std::fs::read_to_string(&path).expect("read");
        assert!(
            written.contains(&format!("value caches add ≤ {mib}\n")),
            "{written}"
        );
        let deploy = include_str!("../../docs/DEPLOY.md");
        assert!(
            deploy.contains(&format!("(≤ {mib} MiB together")),
            "docs/DEPLOY.md's Memory section must state the store's caches as ≤ {mib} MiB"
        );
    }

    /// `[events] index` lists what CometBFT indexes (all without the section), `emit = false`
    /// withholds every event; a bad entry is named before the node starts.
    #[test]
    fn events_section_lists_the_indexed_attributes() {
        assert!(AppToml::default()
            .events
            .event_index()
            .expect("default")
            .is_all());
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.toml");
        let mut config = AppToml::default();
        config.events.index = vec!["message.sender".into(), "transfer.recipient".into()];
        config.save(&path).expect("save");
        let loaded = AppToml::load(&path).expect("load");
        assert_eq!(loaded, config);
        assert!(!loaded.events.event_index().expect("list").is_all());
        assert!(
            loaded.events.emit,
            "events reach CometBFT unless a node withholds them"
        );
        config.events.emit = false;
        config.save(&path).expect("save");
        assert!(!AppToml::load(&path).expect("load").events.emit);
        config.events.index = vec!["message.sender".into(), "sender".into()];
        let err = format!("{:#}", config.events.event_index().expect_err("no type"));
        assert!(
            err.contains("events.index") && err.contains("\"sender\""),
            "{err}"
        );
    }

    /// The REST API is off without an `[api]` section and takes the SDK's key names.
    #[test]
    fn api_section_uses_the_sdk_keys() {
        assert!(!AppToml::default().api.enable);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.toml");
        let required = "[abci]\naddress = \"127.0.0.1:1\"\n[grpc]\naddress = \"127.0.0.1:2\"\n\
                        [cometbft]\nrpc = \"http://127.0.0.1:3\"\n";
        std::fs::write(&path, required).expect("write");
        assert!(!AppToml::load(&path).expect("load").api.enable);
        let text = format!(
            "{required}[api]\nenable = true\naddress = \"127.0.0.1:1417\"\nenabled-unsafe-cors = true\n"
        );
        std::fs::write(&path, &text).expect("write");
        let api = AppToml::load(&path).expect("load").api;
        assert!(api.enable && api.enabled_unsafe_cors);
        assert_eq!(api.address.port(), 1417);
        assert!(api.cors_allowed_origins.is_empty());
    }
}
