//! `rampartd start`: the ABCI server CometBFT drives and the gRPC query server, until SIGINT or
//! SIGTERM.

use std::net::SocketAddr;

use anyhow::Context;
use rampart_app::abci::{self, AbciService};
use std::sync::Arc;

use rampart_app::{App, AppConfig, Modules};
use rampart_store::{Storage, StorageConfig, StorageError};
use tower_abci::v038::Server;

use crate::config::AppToml;
use crate::home::Home;
use crate::{genesis, grpc};

/// Checks the home, opens the store and serves until a shutdown signal.
pub async fn start(home: &Home) -> anyhow::Result<()> {
    crate::export::arm_crash_point()?;
    home.require_initialised()?;
    crate::validator_key::check(home)?;
    let config = AppToml::load(&home.app_toml())?;
    let doc = genesis::load(&home.genesis())?;
    genesis::validate(&doc, &home.genesis())?;

    ensure_free(config.abci.address, "abci.address")?;
    let grpc_listener = tokio::net::TcpListener::bind(config.grpc.address)
        .await
        .map_err(|e| port_error(config.grpc.address, "grpc.address", e))?;
    // Prometheus metrics (`[metrics]`), bound before the store opens: a busy address fails fast.
    let metrics = crate::metrics::Server::bind(&config.metrics).await?;

    let storage = Storage::open(
        &home.app_db(),
        StorageConfig {
            keep_recent: config.pruning.keep_recent,
            cache_bytes: config.store.cache_bytes(),
        },
    )
    .map_err(|e| match e {
        // Names the store and says what to do already.
        StorageError::Damaged { .. } => anyhow::Error::new(e),
        other => anyhow::Error::new(other).context(format!(
            "opening the application store {} (if its disk is full, free space and start again; \
             if the store is damaged, restore it from a backup, or remove it and CometBFT's data \
             (keep data/priv_validator_state.json) to sync the node again)",
            home.app_db().display()
        )),
    })?;
    match storage.latest() {
        Some(latest) => {
            tracing::info!(height = latest.height, app_hash = %hex::encode(latest.app_hash), "store opened")
        }
        None => tracing::info!("store is empty: waiting for InitChain"),
    }
    let min_gas_prices = AppConfig::parse_min_gas_prices(&config.mempool.minimum_gas_prices)
        .map_err(|e| anyhow::anyhow!("mempool.minimum_gas_prices in app.toml: {}", e.log))?;
    let modules = Modules::for_app_state(&doc.app_state);
    let validator_set_owner = modules.validator_set_owner().map_or("none", |m| m.name());
    let app = App::with_modules(
        storage,
        AppConfig {
            retain_blocks: config.pruning.retain_blocks,
            min_gas_prices,
            index_events: config.events.event_index()?,
        },
        Arc::new(modules),
    );
    let node_services = crate::services::NodeServices::new(&config.cometbft.rpc)?;
    // The REST API (`[api]`): the same queries and node services as gRPC, as JSON.
    let rest = crate::rest::spawn(&config.api, app.queries(), node_services.clone()).await?;
    let routes = grpc::routes(app.queries(), node_services)?;
    // Info and Query never wait behind a block: the info connection answers from committed
    // snapshots, not through the app's worker.
    let queries = app.queries();
    let app_queries = app.queries();
    // Outermost: a node that withholds its events drops them after its metrics read them.
    let (consensus, mempool, snapshot, info) = abci::connections(
        crate::withheld_events::withheld_events(
            crate::metrics::abci::Metered::new(
                AbciService::new(app),
                metrics.as_ref().map(|m| m.metrics()),
            ),
            !config.events.emit,
        ),
        queries,
    );
    let abci = Server::builder()
        .consensus(consensus)
        .mempool(mempool)
        .snapshot(snapshot)
        .info(info)
        .finish()
        .context("building the ABCI server")?;

    tracing::info!(abci = %config.abci.address, grpc = %config.grpc.address, chain_id = %doc.chain_id, validator_set_owner, "rampartd started");
    let metrics = metrics.map(|m| m.spawn(app_queries, home.app_db()));
    let (stop_grpc, grpc_stopped) = tokio::sync::oneshot::channel::<()>();
    let grpc_task = tokio::spawn(grpc::serve(grpc_listener, routes, async {
        let _ = grpc_stopped.await;
    }));
    tokio::select! {
        result = abci.listen_tcp(config.abci.address) => {
            result.map_err(|e| anyhow::anyhow!("ABCI server on {}: {e}", config.abci.address))?;
        }
        signal = shutdown_signal() => {
            tracing::info!("received {signal}, shutting down");
        }
    }
    let _ = stop_grpc.send(());
    grpc_task.await.context("gRPC server task")??;
    if let Some(metrics) = metrics {
        metrics.stop().await?;
    }
    if let Some(rest) = rest {
        rest.stop().await.context("REST API server")?;
    }
    Ok(())
}

/// Fails with the port and its config key when `address` cannot be bound.
fn ensure_free(address: SocketAddr, key: &str) -> anyhow::Result<()> {
    std::net::TcpListener::bind(address)
        .map(drop)
        .map_err(|e| port_error(address, key, e))
}

fn port_error(address: SocketAddr, key: &str, e: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot listen on {address} ({key} in app.toml): {e}; is port {} already in use?",
        address.port()
    )
}

/// Resolves with the signal's name on SIGINT or SIGTERM.
async fn shutdown_signal() -> &'static str {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(e) => {
            tracing::warn!("cannot watch SIGTERM: {e}");
            let _ = tokio::signal::ctrl_c().await;
            return "SIGINT";
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}
