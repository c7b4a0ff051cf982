//! Issue 5 end to end on a real 4-validator localnet (localnet slashing profile: a 20-block
//! window, half of it to sign, 20 s jail; production slash fractions):
//!
//! - downtime: node3 stops → it is slashed exactly once (0.01 % of power 100 = 10,000 uramp),
//!   jailed and dropped from CometBFT's `/validators` while the chain keeps committing; after a
//!   restart and the jail period, `rampartd tx slashing unjail` brings it back;
//! - double signing: `rampartd debug double-sign` signs two conflicting prevotes with node2's
//!   key and submits them to CometBFT, which commits the evidence → node2 loses exactly 5 % of
//!   its stake (5,000,000 uramp), is tombstoned, and `unjail` is refused.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use cosmos_sdk_proto::cosmos::slashing::v1beta1::ValidatorSigningInfo;
use cosmos_sdk_proto::cosmos::staking::v1beta1::Validator;
use rampart_client::address::consensus_address as consensus_bech32;
use rampart_client::NodeClient;
use rampart_localnet::{StopMode, DOWNTIME_JAIL_SECS, SELF_DELEGATION};
use rampart_tests::{height_timeout, TestNet};
use sha2::{Digest, Sha256};
use tendermint_rpc::{Client, HttpClient, Paging};

/// Downtime slash of a power-100 validator: 0.01 % of 100 × 10^6.
const DOWNTIME_SLASH: u128 = 10_000;
/// Double-sign slash of a power-100 validator: 5 % of 100 × 10^6.
const DOUBLE_SIGN_SLASH: u128 = 5_000_000;

/// The staking validator whose moniker is `moniker`, as node `rpc` sees it.
async fn validator(rpc: &str, moniker: &str) -> Result<Validator> {
    let client = NodeClient::new(rpc)?;
    client
        .staking()
        .validators("")
        .await?
        .into_iter()
        .find(|v| v.description.as_ref().is_some_and(|d| d.moniker == moniker))
        .ok_or_else(|| anyhow!("no validator {moniker}"))
}

fn tokens(v: &Validator) -> Result<u128> {
    v.tokens.parse().context("validator tokens")
}

/// The CometBFT address (upper-case hex) of a validator's ed25519 consensus key.
fn consensus_address(v: &Validator) -> Result<[u8; 20]> {
    let any = v.consensus_pubkey.as_ref().context("no consensus key")?;
    let key = any.value.get(2..34).context("ed25519 key in an Any")?;
    let mut address = [0; 20];
    address.copy_from_slice(&Sha256::digest(key)[..20]);
    Ok(address)
}

/// CometBFT's power for `address` in the latest validator set (0 when absent).
async fn comet_power(rpc: &str, address: [u8; 20]) -> Result<u64> {
    let client = HttpClient::new(rpc)?;
    let height = client.status().await?.sync_info.latest_block_height;
    let set = client.validators(height, Paging::All).await?;
    Ok(set
        .validators
        .iter()
        .find(|v| v.address.as_bytes() == address)
        .map_or(0, |v| v.power.value()))
}

/// The slashing signing info of the validator whose consensus address is `address`.
async fn signing_info(rpc: &str, address: [u8; 20]) -> Result<ValidatorSigningInfo> {
    let client = NodeClient::new(rpc)?;
    let response = client
        .slashing()
        .signing_info(&consensus_bech32(&address))
        .await?;
    response.val_signing_info.context("no signing info")
}

/// Polls `probe` every second until it yields `Some` or `timeout` passes.
async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe().await? {
            return Ok(value);
        }
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Runs the built `rampartd` with `args`; returns (success, stdout + stderr).
fn rampartd(t: &TestNet, args: &[&str]) -> Result<(bool, String)> {
    let output = Command::new(&t.binaries.rampartd)
        .args(args)
        .output()
        .context("running rampartd")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((output.status.success(), text))
}

/// `rampartd tx slashing unjail` by the operator key of the node at `home`, through `rpc`.
fn unjail(t: &TestNet, home: &Path, rpc: &str) -> Result<(bool, String)> {
    let home = home.to_str().context("utf-8 home")?;
    rampartd(
        t,
        &[
            "tx",
            "slashing",
            "unjail",
            "--from",
            "validator",
            "--keyring-backend",
            "test",
            "--home",
            home,
            "--node",
            rpc,
            "--yes",
            "--broadcast-mode",
            "block",
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downtime_and_double_sign_are_slashed_exactly_under_real_cometbft() -> Result<()> {
    let mut t = TestNet::start(4)?;
    t.net.wait_for_height(3, height_timeout(3)).await?;
    let rpc = t.net.node(0)?.rpc.clone();
    let node3 = validator(&rpc, "node3").await?;
    let node3_address = consensus_address(&node3)?;
    ensure!(tokens(&node3)? == SELF_DELEGATION, "{node3:?}");
    ensure!(comet_power(&rpc, node3_address).await? == 100);

    // Downtime: node3 stops; after more than half of a window it is jailed and slashed once.
    t.net
        .stop_node(3, StopMode::Graceful(Duration::from_secs(5)))?;
    let jailed = wait_for(
        "node3 jailed for downtime",
        Duration::from_secs(120),
        || async {
            let v = validator(&rpc, "node3").await?;
            Ok(v.jailed.then_some(v))
        },
    )
    .await?;
    ensure!(
        tokens(&jailed)? == SELF_DELEGATION - DOWNTIME_SLASH,
        "tokens after the downtime slash: {}",
        jailed.tokens
    );
    wait_for(
        "CometBFT to drop node3",
        Duration::from_secs(30),
        || async { Ok((comet_power(&rpc, node3_address).await? == 0).then_some(())) },
    )
    .await?;
    // The chain keeps committing without it, and no second slash lands.
    let height = t.common_height().await.unwrap_or(0);
    t.net
        .wait_for_height(height + 5, height_timeout(5))
        .await
        .ok();
    let later = validator(&rpc, "node3").await?;
    ensure!(
        tokens(&later)? == SELF_DELEGATION - DOWNTIME_SLASH,
        "slashed once only"
    );
    let info = signing_info(&rpc, node3_address).await?;
    ensure!(!info.tombstoned);

    // Restart, wait out the jail, unjail with the CLI: back in CometBFT's set with power 99.
    t.start_node(3)?;
    tokio::time::sleep(Duration::from_secs(DOWNTIME_JAIL_SECS + 2)).await;
    let home3 = t.net.node(3)?.home.clone();
    let (ok, out) = unjail(&t, &home3, &rpc)?;
    ensure!(ok, "unjail failed: {out}");
    wait_for(
        "node3 back in CometBFT's set",
        Duration::from_secs(30),
        || async { Ok((comet_power(&rpc, node3_address).await? == 99).then_some(())) },
    )
    .await?;

    // Double signing by node2, submitted with the evidence tool.
    let node2 = validator(&rpc, "node2").await?;
    let node2_address = consensus_address(&node2)?;
    let before = tokens(&node2)?;
    let home2 = t.net.node(2)?.home.clone();
    let key_file = home2.join("config").join("priv_validator_key.json");
    let (ok, out) = rampartd(
        &t,
        &[
            "debug",
            "double-sign",
            "--key-file",
            key_file.to_str().context("utf-8 path")?,
            "--node",
            &rpc,
        ],
    )?;
    ensure!(ok, "double-sign tool failed: {out}");
    let slashed = wait_for(
        "node2 slashed for double signing",
        Duration::from_secs(60),
        || async {
            let v = validator(&rpc, "node2").await?;
            Ok((tokens(&v)? < before).then_some(v))
        },
    )
    .await?;
    ensure!(
        tokens(&slashed)? == before - DOUBLE_SIGN_SLASH,
        "5 % of power 100: {} → {}",
        before,
        slashed.tokens
    );
    ensure!(slashed.jailed);
    ensure!(signing_info(&rpc, node2_address).await?.tombstoned);
    wait_for(
        "CometBFT to drop node2",
        Duration::from_secs(30),
        || async { Ok((comet_power(&rpc, node2_address).await? == 0).then_some(())) },
    )
    .await?;
    let (ok, out) = unjail(&t, &home2, &rpc)?;
    ensure!(!ok, "a tombstoned validator was unjailed: {out}");
    ensure!(out.contains("tombstoned"), "{out}");

    // Everyone still agrees.
    let common = t.common_height().await.unwrap_or(1);
    t.assert_same_block(&[0, 1, 3], common).await?;
    Ok(())
}
