//! End-to-end test harness: real rampartd and CometBFT processes, driven by
//! the same `rampart-localnet` library as `cargo localnet`.
//!
//! Every [`TestNet`] lives in its own temp dir and uses
//! [`PortPlan::Free`], so tests run in parallel and never collide with a
//! running `cargo localnet up`. Its processes are stopped when it is dropped,
//! also when a test fails.
//!
//! Set `RAMPART_E2E_KEEP=1` to keep the temp dirs (node homes and logs) for
//! inspection; their paths are printed.

pub mod cli;
pub mod grpc;
pub mod json;
pub mod metrics;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use rampart_localnet::process::log_tail;
use rampart_localnet::{
    Binaries, BlockSummary, CreateOptions, Localnet, PortPlan, StopMode, DEFAULT_CHAIN_ID,
};
use tempfile::TempDir;

/// Environment variable that keeps test homes after the test.
pub const KEEP_ENV: &str = "RAMPART_E2E_KEEP";

/// rampartd (built once per test binary) and the pinned CometBFT.
pub fn binaries() -> Result<Binaries> {
    static BINARIES: OnceLock<Result<Binaries, String>> = OnceLock::new();
    BINARIES
        .get_or_init(|| Binaries::resolve().map_err(|err| format!("{err:#}")))
        .clone()
        .map_err(|err| anyhow!("failed to prepare binaries: {err}"))
}

/// A running localnet in a temp dir; stops its processes on drop.
pub struct TestNet {
    /// The network, for starting/stopping nodes and querying them.
    pub net: Localnet,
    /// The binaries the nodes run (for restarting nodes).
    pub binaries: Binaries,
    home: Option<TempDir>,
}

/// What a localnet funds at genesis, read from its `localnet.json`.
#[derive(Clone, Debug)]
pub struct Funding {
    /// The funded faucet account.
    pub faucet: rampart_localnet::Faucet,
    /// The fee and bond denom.
    pub denom: String,
    /// The account address prefix.
    pub bech32_prefix: String,
}

impl TestNet {
    /// The faucet, denom and address prefix recorded in `localnet.json`.
    pub fn funding(&self) -> Result<Funding> {
        let manifest = self.net.manifest();
        match (&manifest.faucet, &manifest.denom, &manifest.bech32_prefix) {
            (Some(faucet), Some(denom), Some(prefix)) => Ok(Funding {
                faucet: faucet.clone(),
                denom: denom.clone(),
                bech32_prefix: prefix.clone(),
            }),
            _ => anyhow::bail!("localnet.json lacks faucet, denom or bech32_prefix"),
        }
    }

    /// Generates and starts a `validators`-node localnet on free ports.
    pub fn start(validators: usize) -> Result<Self> {
        Self::start_shaped(validators, false)
    }

    /// Like [`TestNet::start`], with every validator but node0 withholding its events from
    /// CometBFT (`cargo localnet up --lean-validators`).
    pub fn start_lean(validators: usize) -> Result<Self> {
        Self::start_shaped(validators, true)
    }

    fn start_shaped(validators: usize, lean: bool) -> Result<Self> {
        let binaries = binaries()?;
        let home = tempfile::Builder::new()
            .prefix("rampart-e2e-")
            .tempdir()
            .context("failed to create a temp dir")?;
        let net = Localnet::create(&CreateOptions {
            home: home.path().to_path_buf(),
            validators,
            chain_id: DEFAULT_CHAIN_ID.into(),
            ports: PortPlan::Free,
            binaries: binaries.clone(),
        })?;
        if lean {
            rampart_localnet::config::lean_validators(net.nodes())?;
        }
        let mut test_net = Self {
            net,
            binaries,
            home: Some(home),
        };
        // On error `test_net` is dropped here, which stops what was started.
        test_net.net.start(&test_net.binaries.clone())?;
        Ok(test_net)
    }

    /// Restarts node `index` with the same binaries.
    pub fn start_node(&mut self, index: usize) -> Result<()> {
        let binaries = self.binaries.clone();
        self.net.start_node(index, &binaries)
    }

    /// Current height of every node whose cometbft is running.
    pub async fn heights(&self) -> Vec<(usize, u64)> {
        self.net
            .status()
            .await
            .into_iter()
            .filter_map(|s| s.height.map(|h| (s.index, h)))
            .collect()
    }

    /// The highest height every reachable node has committed (`None` if none answers).
    pub async fn common_height(&self) -> Option<u64> {
        self.heights().await.into_iter().map(|(_, h)| h).min()
    }

    /// Fetches block `height` from each of `nodes` and fails unless all
    /// report the same block hash and app hash. Returns the common block.
    pub async fn assert_same_block(&self, nodes: &[usize], height: u64) -> Result<BlockSummary> {
        let Some((&first, rest)) = nodes.split_first() else {
            bail!("no nodes to compare");
        };
        let reference = self.net.block(first, height).await?;
        if reference.height != height {
            bail!(
                "node{first} returned block {} for height {height}",
                reference.height
            );
        }
        for &index in rest {
            let block = self.net.block(index, height).await?;
            if block != reference {
                bail!(
                    "nodes disagree at height {height}: node{first} has block {} app hash {}, \
                     node{index} has block {} app hash {}",
                    reference.block_hash,
                    reference.app_hash,
                    block.block_hash,
                    block.app_hash
                );
            }
        }
        Ok(reference)
    }

    /// Where the node homes live.
    pub fn home(&self) -> PathBuf {
        self.net.home().to_path_buf()
    }
}

/// Runs `program args` in `dir` with `env`, failing with its output unless it succeeds;
/// returns its stdout.
pub fn run(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<String> {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .with_context(|| format!("running {program} (is it installed?)"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!(
            "{program} {args:?} failed ({}):\n{stdout}\n{stderr}",
            output.status
        );
    }
    Ok(stdout)
}

/// `tests/cosmjs` with its pinned CosmJS installed (`npm ci`, once per test binary).
pub fn cosmjs_dir() -> Result<PathBuf> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let dir = rampartd::cometbft::workspace_root()
                .join("tests")
                .join("cosmjs");
            run(&dir, "npm", &["ci", "--no-audit", "--no-fund"], &[])
                .map(|_| dir)
                .map_err(|err| {
                    format!("installing CosmJS (is Node.js with npm installed?): {err:#}")
                })
        })
        .clone()
        .map_err(|err| anyhow!(err))
}

/// Polls `probe` every second until it yields `Some` or `timeout` passes.
pub fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Result<Option<T>>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe()? {
            return Ok(value);
        }
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Generous timeout for reaching a height: debug builds, two cores and
/// several networks running in parallel.
pub fn height_timeout(blocks: u64) -> Duration {
    Duration::from_secs(60 + 6 * blocks)
}

impl Drop for TestNet {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for node in self.net.nodes() {
                for process in ["rampartd", "cometbft"] {
                    let log = node.log_path(process);
                    eprintln!(
                        "--- last lines of {} ---\n{}",
                        log.display(),
                        log_tail(&log, 20)
                    );
                }
            }
        }
        if let Err(err) = self.net.stop(StopMode::Graceful(Duration::from_secs(5))) {
            eprintln!("warning: failed to stop test localnet: {err:#}");
        }
        let keep = std::env::var_os(KEEP_ENV).is_some_and(|v| !v.is_empty() && v != "0");
        if let Some(home) = self.home.take() {
            if keep {
                eprintln!("keeping test localnet home {}", home.keep().display());
            }
        }
    }
}
