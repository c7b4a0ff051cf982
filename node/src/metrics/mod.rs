//! Operators' metrics: `GET /metrics` in the Prometheus (OpenMetrics) text format, served when
//! `[metrics] address` is set in app.toml (off by default; on in the localnet).
//!
//! Everything here only *reads* what the node already has — ABCI requests and responses as
//! they pass ([`abci::Metered`], wrapped around the app's service), and committed state through
//! the app's read-only [`Queries`](rampart_app::query::Queries) ([`sampler`]) — so metrics can
//! never change consensus state. Recording a block costs a few atomic updates plus one pass
//! over that block's events; the restaking picture is a bounded summary read off the consensus
//! path every [`sampler::SAMPLE_EVERY`].
//!
//! The metric families (all prefixed `rampart_`):
//!
//! | metric | kind | what |
//! |--------|------|------|
//! | `block_height` | gauge | height of the last finalized block |
//! | `block_txs` / `txs_total` | histogram / counter | transactions per block / in all |
//! | `block_gas_used` / `gas_used_total` | histogram / counter | gas used per block / in all |
//! | `abci_duration_seconds{method}` | histogram | CheckTx (`check_tx`; after a block, `recheck_tx`), FinalizeBlock and Commit time in the app (not the wait for a core or for the connection to take the answer) |
//! | `check_tx_rejections_total{codespace,code}` | counter | mempool refusals by error code |
//! | `store_size_bytes` | gauge | size of the application store on disk |
//! | `commit_write_bytes` | histogram | bytes the process wrote during each Commit |
//! | `consumers{phase}` | gauge | consumer chains by registry phase |
//! | `consumer_pledged_tokens{consumer_id,chain_id}` | gauge | tokens pledged to each consumer |
//! | `validator_exposure{validator}` / `validator_exposure_bound` | gauge | Σ worst-case slash fraction per validator / `max_slash_exposure` |
//! | `slashes_total{consumer,kind}` / `jails_total{consumer,kind}` | counter | slashes and jails seen in blocks (`consumer` is `provider` for the provider's own) |

pub mod abci;
pub mod sampler;

use std::net::SocketAddr;
use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

/// The content type of the exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Label of an ABCI method.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MethodLabel {
    /// `check_tx`, `finalize_block` or `commit`.
    pub method: &'static str,
}

/// Labels of a refusal.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CodeLabels {
    /// The error's codespace (`sdk`, `staking`, …).
    pub codespace: String,
    /// The error code within it.
    pub code: u32,
}

/// Label of a registry phase.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PhaseLabel {
    /// `registered`, `launched`, `stopped` or `deleted`.
    pub phase: &'static str,
}

/// Labels of one consumer chain.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ConsumerLabels {
    /// Its id in the registry.
    pub consumer_id: u64,
    /// Its chain id.
    pub chain_id: String,
}

/// Label of one validator.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ValidatorLabel {
    /// Its operator address (`rampartvaloper1…`).
    pub validator: String,
}

/// Labels of a slash or a jail.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct InfractionLabels {
    /// `provider`, or the consumer id the infraction was on.
    pub consumer: String,
    /// `downtime`, `double_sign` (the provider's) or `double_vote` (a consumer's).
    pub kind: String,
}

/// A float gauge.
type FloatGauge = Gauge<f64, AtomicU64>;

/// The node's metrics; cheap to clone (shared handles).
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    /// `block_height`.
    pub height: Gauge,
    /// `block_txs`.
    pub block_txs: Histogram,
    /// `txs_total`.
    pub txs: Counter,
    /// `block_gas_used`.
    pub block_gas: Histogram,
    /// `gas_used_total`.
    pub gas: Counter,
    /// `abci_duration_seconds`.
    pub durations: Family<MethodLabel, Histogram>,
    /// `check_tx_rejections_total`.
    pub rejections: Family<CodeLabels, Counter>,
    /// `store_size_bytes`.
    pub store_size: Gauge,
    /// `commit_write_bytes`.
    pub commit_bytes: Histogram,
    /// `consumers`.
    pub consumers: Family<PhaseLabel, Gauge>,
    /// `consumer_pledged_tokens`.
    pub pledged: Family<ConsumerLabels, FloatGauge>,
    /// `validator_exposure`.
    pub exposure: Family<ValidatorLabel, FloatGauge>,
    /// `validator_exposure_bound`.
    pub exposure_bound: FloatGauge,
    /// `slashes_total`.
    pub slashes: Family<InfractionLabels, Counter>,
    /// `jails_total`.
    pub jails: Family<InfractionLabels, Counter>,
}

fn duration_histogram() -> Histogram {
    // 100 µs … ~3.3 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

impl Metrics {
    /// A fresh set of metrics, registered under the `rampart` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("rampart");
        let metrics = Self {
            registry: Arc::default(),
            height: Gauge::default(),
            block_txs: Histogram::new(exponential_buckets(1.0, 2.0, 14)),
            txs: Counter::default(),
            block_gas: Histogram::new(exponential_buckets(10_000.0, 2.0, 14)),
            gas: Counter::default(),
            durations: Family::new_with_constructor(duration_histogram),
            rejections: Family::default(),
            store_size: Gauge::default(),
            commit_bytes: Histogram::new(exponential_buckets(1024.0, 2.0, 16)),
            consumers: Family::default(),
            pledged: Family::default(),
            exposure: Family::default(),
            exposure_bound: FloatGauge::default(),
            slashes: Family::default(),
            jails: Family::default(),
        };
        let m = &metrics;
        let r = &mut registry;
        r.register(
            "block_height",
            "Height of the last finalized block",
            m.height.clone(),
        );
        r.register("block_txs", "Transactions per block", m.block_txs.clone());
        r.register("txs", "Transactions finalized", m.txs.clone());
        r.register("block_gas_used", "Gas used per block", m.block_gas.clone());
        r.register(
            "gas_used",
            "Gas used by finalized transactions",
            m.gas.clone(),
        );
        r.register(
            "abci_duration_seconds",
            "Time the application spent in CheckTx, FinalizeBlock and Commit",
            m.durations.clone(),
        );
        r.register(
            "check_tx_rejections",
            "Transactions CheckTx refused, by error codespace and code",
            m.rejections.clone(),
        );
        r.register(
            "store_size_bytes",
            "Size of the application store on disk",
            m.store_size.clone(),
        );
        r.register(
            "commit_write_bytes",
            "Bytes the process wrote during each Commit",
            m.commit_bytes.clone(),
        );
        r.register("consumers", "Consumer chains by phase", m.consumers.clone());
        r.register(
            "consumer_pledged_tokens",
            "Tokens pledged to each consumer chain",
            m.pledged.clone(),
        );
        r.register(
            "validator_exposure",
            "Sum of a validator's worst-case slash fractions over its consumers",
            m.exposure.clone(),
        );
        r.register(
            "validator_exposure_bound",
            "The bound on validator_exposure (max_slash_exposure)",
            m.exposure_bound.clone(),
        );
        r.register(
            "slashes",
            "Slashes seen in finalized blocks, by consumer and kind",
            m.slashes.clone(),
        );
        r.register(
            "jails",
            "Jails seen in finalized blocks, by consumer and kind",
            m.jails.clone(),
        );
        Self {
            registry: Arc::new(registry),
            ..metrics
        }
    }

    /// The exposition in the OpenMetrics text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The metrics endpoint, bound but not yet serving.
pub struct Server {
    listener: tokio::net::TcpListener,
    address: SocketAddr,
    metrics: Metrics,
}

impl Server {
    /// Binds `[metrics] address` when it is set, failing with a message that names the address
    /// and its app.toml key; `None` when metrics are off.
    pub async fn bind(config: &crate::config::Metrics) -> anyhow::Result<Option<Self>> {
        let Some(address) = config.address else {
            return Ok(None);
        };
        let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| {
            anyhow::anyhow!(
                "cannot serve metrics on {address} (metrics.address in app.toml): {e}; is \
                 port {} already in use?",
                address.port()
            )
        })?;
        Ok(Some(Self {
            listener,
            address,
            metrics: Metrics::new(),
        }))
    }

    /// The metrics this server exposes (for [`abci::Metered`]).
    pub fn metrics(&self) -> Metrics {
        self.metrics.clone()
    }

    /// Serves `GET /metrics` and starts the [`sampler`] over `queries` and the store in
    /// `store_dir`, until [`Running::stop`].
    pub fn spawn(self, queries: rampart_app::Queries, store_dir: std::path::PathBuf) -> Running {
        let metrics = self.metrics.clone();
        let router = axum::Router::new().route(
            "/metrics",
            axum::routing::get(move || {
                let body = metrics.encode();
                async move { ([(http::header::CONTENT_TYPE, CONTENT_TYPE)], body) }
            }),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let address = self.address;
        let server = tokio::spawn(async move {
            axum::serve(self.listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .map_err(|e| anyhow::anyhow!("metrics server on {address}: {e}"))
        });
        let sampler = tokio::spawn(sampler::run(self.metrics, queries, store_dir));
        tracing::info!(%address, "serving metrics at /metrics");
        Running {
            stop,
            server,
            sampler,
        }
    }
}

/// A serving metrics endpoint and its sampler.
pub struct Running {
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    sampler: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops serving and sampling.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.sampler.abort();
        let _ = self.stop.send(());
        self.server
            .await
            .map_err(|e| anyhow::anyhow!("metrics server task: {e}"))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 16, bad input: a metrics address already in use stops start-up with a message
    /// naming it; no address serves nothing.
    #[tokio::test]
    async fn a_busy_address_is_named() {
        let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = busy.local_addr().expect("address");
        let config = crate::config::Metrics {
            address: Some(address),
        };
        let err = Server::bind(&config).await.err().map(|e| e.to_string());
        let message = err.unwrap_or_default();
        assert!(
            message.contains(&address.to_string()) && message.contains("metrics.address"),
            "{message}"
        );
        let off = Server::bind(&crate::config::Metrics::default()).await;
        assert!(off.is_ok_and(|server| server.is_none()));
    }

    #[test]
    fn exposition_names_every_family() {
        let metrics = Metrics::new();
        metrics.height.set(7);
        metrics
            .durations
            .get_or_create(&MethodLabel { method: "commit" })
            .observe(0.01);
        let text = metrics.encode();
        for name in [
            "rampart_block_height 7",
            "rampart_txs_total",
            "rampart_abci_duration_seconds_count{method=\"commit\"} 1",
            "rampart_store_size_bytes",
            "rampart_validator_exposure_bound",
            "# EOF",
        ] {
            assert!(text.contains(name), "{name} missing from:\n{text}");
        }
    }
}
