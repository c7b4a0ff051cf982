//! End-to-end: `rampartd tx|query staking` and `tx|query distribution` against a real localnet
//! (rampartd + CometBFT), signing with the faucet imported into a test keyring.
//!
//! Needs staking (and, for the distribution test, the distribution module) composed into the
//! app with a staking genesis from `Localnet::create`.

use anyhow::{bail, ensure, Context, Result};
use rampart_tests::cli::{stderr, Cli, Key};
use rampart_tests::{height_timeout, TestNet};
use serde_json::Value;

/// The operator address of the first bonded validator.
fn first_validator(cli: &Cli) -> Result<String> {
    let validators = cli.query(&["staking", "validators", "--status", "bonded"])?;
    validators["validators"][0]["operator_address"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no bonded validator: {validators}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staking_cli_against_a_localnet() -> Result<()> {
    let t = TestNet::start(1)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let cli = Cli::new(&t)?;
    let valoper = first_validator(&cli)?;

    // Text output: a table with the validator, bonded.
    let table = cli.command(&["query", "staking", "validators"]).output()?;
    let text = String::from_utf8_lossy(&table.stdout);
    ensure!(text.contains(&valoper) && text.contains("bonded"), "{text}");

    cli.tx_ok(
        Key::Faucet,
        &["staking", "delegate", &valoper, "3000000uramp"],
    )?;
    let delegation = cli.query(&["staking", "delegation", &cli.faucet, &valoper])?;
    ensure!(delegation["balance"]["amount"] == "3000000", "{delegation}");
    ensure!(delegation["balance"]["denom"] == "uramp", "{delegation}");
    let mine = cli.query(&["staking", "delegations", &cli.faucet])?;
    ensure!(
        mine["delegation_responses"].as_array().map(Vec::len) == Some(1),
        "{mine}"
    );
    let to = cli.query(&["staking", "delegations-to", &valoper])?;
    let delegators: Vec<&str> = to["delegation_responses"]
        .as_array()
        .context("list")?
        .iter()
        .filter_map(|d| d["delegation"]["delegator_address"].as_str())
        .collect();
    ensure!(delegators.contains(&cli.faucet.as_str()), "{to}");

    let unbond = cli.tx_ok(
        Key::Faucet,
        &["staking", "unbond", &valoper, "1000000uramp"],
    )?;
    let unbonding = cli.query(&["staking", "unbonding-delegation", &cli.faucet, &valoper])?;
    let entry = &unbonding["unbond"]["entries"][0];
    ensure!(entry["balance"] == "1000000", "{unbonding}");
    let height = entry["creation_height"]
        .as_str()
        .context("creation_height")?
        .to_owned();
    ensure!(Some(height.as_str()) == unbond["height"].as_u64().map(|h| h.to_string()).as_deref());
    let all = cli.query(&["staking", "unbonding-delegations", &cli.faucet])?;
    ensure!(
        all["unbonding_responses"].as_array().map(Vec::len) == Some(1),
        "{all}"
    );

    cli.tx_ok(
        Key::Faucet,
        &[
            "staking",
            "cancel-unbond",
            &valoper,
            "1000000uramp",
            &height,
        ],
    )?;
    let delegation = cli.query(&["staking", "delegation", &cli.faucet, &valoper])?;
    ensure!(delegation["balance"]["amount"] == "3000000", "{delegation}");

    let pool = cli.query(&["staking", "pool"])?;
    ensure!(pool["pool"]["bonded_tokens"].as_str().is_some(), "{pool}");
    let params = cli.query(&["staking", "params"])?;
    ensure!(params["params"]["bond_denom"] == "uramp", "{params}");
    let redelegations = cli.query(&["staking", "redelegations", &cli.faucet])?;
    ensure!(
        redelegations["redelegation_responses"] == Value::Array(vec![]),
        "{redelegations}"
    );

    // A failing message: the chain's codespace/code and log, non-zero exit.
    let wrong = cli
        .tx_command(Key::Faucet, &["staking", "delegate", &valoper, "1stake"])
        .output()?;
    let err = stderr(&wrong);
    if wrong.status.success() || !err.contains("code ") || !err.contains("denom") {
        bail!("a delegation in the wrong denom must fail with the chain's code: {err}");
    }
    // A query error from the chain.
    let missing = cli
        .command(&[
            "query",
            "staking",
            "delegation",
            &cli.faucet,
            &other(&valoper)?,
        ])
        .output()?;
    ensure!(
        !missing.status.success() && stderr(&missing).contains("code "),
        "{}",
        stderr(&missing)
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distribution_cli_against_a_localnet() -> Result<()> {
    let t = TestNet::start(1)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let cli = Cli::new(&t)?;
    let valoper = first_validator(&cli)?;
    cli.tx_ok(
        Key::Faucet,
        &["staking", "delegate", &valoper, "5000000uramp"],
    )?;
    // Let some blocks pay rewards.
    let now = t.common_height().await.unwrap_or(2);
    t.net.wait_for_height(now + 3, height_timeout(3)).await?;

    let rewards = cli.query(&["distribution", "rewards", &cli.faucet])?;
    ensure!(
        rewards["rewards"].as_array().map(Vec::len) == Some(1),
        "{rewards}"
    );
    ensure!(rewards["total"].is_array(), "{rewards}");
    let one = cli.query(&["distribution", "rewards", &cli.faucet, &valoper])?;
    ensure!(one["rewards"].is_array(), "{one}");
    let outstanding = cli.query(&["distribution", "outstanding-rewards", &valoper])?;
    ensure!(
        outstanding["rewards"]["rewards"].is_array(),
        "{outstanding}"
    );
    let commission = cli.query(&["distribution", "commission", &valoper])?;
    ensure!(
        commission["commission"]["commission"].is_array(),
        "{commission}"
    );
    let pool = cli.query(&["distribution", "community-pool"])?;
    ensure!(pool["pool"].is_array(), "{pool}");
    let params = cli.query(&["distribution", "params"])?;
    ensure!(
        params["params"]["community_tax"].as_str().is_some(),
        "{params}"
    );

    cli.tx_ok(Key::Faucet, &["distribution", "withdraw-all-rewards"])?;
    cli.tx_ok(Key::Faucet, &["distribution", "withdraw-rewards", &valoper])?;
    let withdraw = cli.query(&["distribution", "withdraw-addr", &cli.faucet])?;
    ensure!(
        withdraw["withdraw_address"] == cli.faucet.as_str(),
        "{withdraw}"
    );
    let elsewhere = fresh_account()?;
    cli.tx_ok(
        Key::Faucet,
        &["distribution", "set-withdraw-addr", &elsewhere],
    )?;
    let withdraw = cli.query(&["distribution", "withdraw-addr", &cli.faucet])?;
    ensure!(
        withdraw["withdraw_address"] == elsewhere.as_str(),
        "{withdraw}"
    );
    Ok(())
}

/// The account address of a fresh key: well-formed, never seen by the chain.
fn fresh_account() -> Result<String> {
    let key = rampart_client::keys::AccountKey::from_mnemonic(
        &rampart_client::keys::mnemonic::generate(),
        rampart_client::keys::KeyType::Secp256k1,
    )?;
    Ok(key.address()?.to_string())
}

/// The operator address of a fresh key: well-formed, but no validator has it.
fn other(valoper: &str) -> Result<String> {
    let account = rampart_client::address::account(&fresh_account()?, "fresh account")?;
    let op = rampart_client::address::operator_of(&account)?.to_string();
    ensure!(op != valoper);
    Ok(op)
}
