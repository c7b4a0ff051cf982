//! Compatibility: unmodified CosmJS (`@cosmjs/stargate` 0.39, pinned in
//! `tests/cosmjs/package-lock.json` and installed with `npm ci`) against a real localnet, through
//! CometBFT RPC only, as wallets use it. `tests/cosmjs/check.mjs` checks the chain id, accounts,
//! balances, `sendTokens` with an explicit fee, `signAndBroadcast` with `gas: "auto"`, `getTx`,
//! `searchTx`, and CheckTx rejections for a wrong sequence (32) and a wrong chain id (4); then
//! LCD-style reads of the REST API (plain `fetch`: accounts, balances, a 404) against the same
//! state over RPC.

use anyhow::{ensure, Result};
use rampart_tests::{cosmjs_dir, height_timeout, run, TestNet};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compat_cosmjs_stargate_sends_queries_and_is_rejected_like_the_sdk() -> Result<()> {
    let dir = cosmjs_dir()?;

    let t = TestNet::start(1)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let funding = t.funding()?;
    let (mnemonic, address) = (&funding.faucet.mnemonic, &funding.faucet.address);
    let (denom, prefix) = (&funding.denom, &funding.bech32_prefix);
    let rpc = t.net.node(0)?.rpc.clone();
    let rest = t.net.node(0)?.rest.clone().unwrap_or_default();
    let chain_id = t.net.manifest().chain_id.clone();

    let output = run(
        &dir,
        "node",
        &["check.mjs"],
        &[
            ("RAMPART_RPC", rpc.as_str()),
            ("RAMPART_REST", rest.as_str()),
            ("RAMPART_CHAIN_ID", chain_id.as_str()),
            ("RAMPART_MNEMONIC", mnemonic),
            ("RAMPART_ADDRESS", address),
            ("RAMPART_DENOM", denom),
            ("RAMPART_PREFIX", prefix),
        ],
    )?;
    println!("{output}");
    ensure!(output.contains(" 0 failed"), "{output}");
    Ok(())
}
