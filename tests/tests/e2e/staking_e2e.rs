//! Issue 4 end to end: a delegator delegates, earns, withdraws and unbonds with unmodified CosmJS
//! (`tests/cosmjs/staking.mjs`) against a real 4-validator localnet built from gentxs, and
//! CometBFT's validator set (`/validators`) follows every delegation change.

use anyhow::{ensure, Result};
use rampart_localnet::UNBONDING_TIME_SECS;
use rampart_tests::{cosmjs_dir, height_timeout, run, TestNet};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cosmjs_delegates_earns_withdraws_and_unbonds_and_cometbft_follows() -> Result<()> {
    let dir = cosmjs_dir()?;
    let t = TestNet::start(4)?;
    t.net.wait_for_height(3, height_timeout(3)).await?;
    let funding = t.funding()?;
    let rpc = t.net.node(1)?.rpc.clone();
    let chain_id = t.net.manifest().chain_id.clone();
    let unbonding = UNBONDING_TIME_SECS.to_string();
    let output = run(
        &dir,
        "node",
        &["staking.mjs"],
        &[
            ("RAMPART_RPC", rpc.as_str()),
            ("RAMPART_CHAIN_ID", chain_id.as_str()),
            ("RAMPART_MNEMONIC", funding.faucet.mnemonic.as_str()),
            ("RAMPART_VALIDATOR", "node0"),
            ("RAMPART_UNBONDING_S", unbonding.as_str()),
            ("RAMPART_DENOM", funding.denom.as_str()),
            ("RAMPART_PREFIX", funding.bech32_prefix.as_str()),
        ],
    )?;
    println!("{output}");
    ensure!(output.contains(" 0 failed"), "{output}");
    // Every node still agrees after all of it.
    let common = t.common_height().await.unwrap_or(1);
    t.assert_same_block(&[0, 1, 2, 3], common).await?;
    Ok(())
}
