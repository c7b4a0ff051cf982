//! End-to-end: `rampartd tx|query staking` and `tx|query distribution` against a real localnet
//! (rampartd + CometBFT), signing with the faucet imported into a test keyring.
//!
//! Needs staking (and, for the distribution test, the distribution module) composed into the
//! app with a staking genesis from `Localnet::create`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use anyhow::{bail, ensure, Context, Result};
use rampart_tests::{height_timeout, TestNet};
use serde_json::Value;

/// Fee of every transaction.
const FEES: &str = "5000uramp";

/// `rampartd` with a test keyring holding the faucet, talking to node 0.
struct Cli {
    bin: PathBuf,
    home: tempfile::TempDir,
    rpc: String,
    faucet: String,
}

impl Cli {
    fn new(t: &TestNet) -> Result<Self> {
        let cli = Self {
            bin: t.binaries.rampartd.clone(),
            home: tempfile::tempdir()?,
            rpc: t.net.node(0)?.rpc.clone(),
            faucet: t.funding()?.faucet.address,
        };
        let mut child = Command::new(&cli.bin)
            .args([
                "keys",
                "add",
                "faucet",
                "--recover",
                "--keyring-backend",
                "test",
            ])
            .arg("--home")
            .arg(cli.home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        child
            .stdin
            .take()
            .context("stdin")?
            .write_all(t.funding()?.faucet.mnemonic.as_bytes())?;
        let output = child.wait_with_output()?;
        ensure!(output.status.success(), "keys add: {}", stderr(&output));
        Ok(cli)
    }

    fn run(&self, args: &[&str]) -> Result<Output> {
        Ok(Command::new(&self.bin)
            .args(args)
            .args(["--node", &self.rpc, "--home"])
            .arg(self.home.path())
            .stdin(Stdio::null())
            .output()?)
    }

    /// A query with `--output json`.
    fn query(&self, args: &[&str]) -> Result<Value> {
        let mut all = vec!["query"];
        all.extend(args);
        all.extend(["--output", "json"]);
        let output = self.run(&all)?;
        ensure!(output.status.success(), "{all:?}: {}", stderr(&output));
        Ok(serde_json::from_slice(&output.stdout)?)
    }

    /// A transaction signed by the faucet, waiting for its block.
    fn tx(&self, args: &[&str]) -> Result<Output> {
        let mut all = vec!["tx"];
        all.extend(args);
        all.extend([
            "--from",
            "faucet",
            "--keyring-backend",
            "test",
            "--fees",
            FEES,
            "--gas",
            "auto",
            "--yes",
            "--broadcast-mode",
            "block",
            "--output",
            "json",
        ]);
        self.run(&all)
    }

    fn tx_ok(&self, args: &[&str]) -> Result<Value> {
        let output = self.tx(args)?;
        ensure!(output.status.success(), "{args:?}: {}", stderr(&output));
        let outcome: Value = serde_json::from_slice(&output.stdout)?;
        ensure!(outcome["code"] == 0, "{outcome}");
        Ok(outcome)
    }

    /// The operator address of the first validator.
    fn first_validator(&self) -> Result<String> {
        let validators = self.query(&["staking", "validators", "--status", "bonded"])?;
        validators["validators"][0]["operator_address"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("no bonded validator: {validators}"))
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staking_cli_against_a_localnet() -> Result<()> {
    let t = TestNet::start(1)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let cli = Cli::new(&t)?;
    let valoper = cli.first_validator()?;

    // Text output: a table with the validator, bonded.
    let table = cli.run(&["query", "staking", "validators"])?;
    let text = String::from_utf8_lossy(&table.stdout);
    ensure!(text.contains(&valoper) && text.contains("bonded"), "{text}");

    cli.tx_ok(&["staking", "delegate", &valoper, "3000000uramp"])?;
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

    let unbond = cli.tx_ok(&["staking", "unbond", &valoper, "1000000uramp"])?;
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

    cli.tx_ok(&[
        "staking",
        "cancel-unbond",
        &valoper,
        "1000000uramp",
        &height,
    ])?;
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
    let wrong = cli.tx(&["staking", "delegate", &valoper, "1stake"])?;
    let err = stderr(&wrong);
    if wrong.status.success() || !err.contains("code ") || !err.contains("denom") {
        bail!("a delegation in the wrong denom must fail with the chain's code: {err}");
    }
    // A query error from the chain.
    let missing = cli.run(&[
        "query",
        "staking",
        "delegation",
        &cli.faucet,
        &other(&valoper)?,
    ])?;
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
    let valoper = cli.first_validator()?;
    cli.tx_ok(&["staking", "delegate", &valoper, "5000000uramp"])?;
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

    cli.tx_ok(&["distribution", "withdraw-all-rewards"])?;
    cli.tx_ok(&["distribution", "withdraw-rewards", &valoper])?;
    let withdraw = cli.query(&["distribution", "withdraw-addr", &cli.faucet])?;
    ensure!(
        withdraw["withdraw_address"] == cli.faucet.as_str(),
        "{withdraw}"
    );
    let elsewhere = fresh_account()?;
    cli.tx_ok(&["distribution", "set-withdraw-addr", &elsewhere])?;
    let withdraw = cli.query(&["distribution", "withdraw-addr", &cli.faucet])?;
    ensure!(
        withdraw["withdraw_address"] == elsewhere.as_str(),
        "{withdraw}"
    );
    Ok(())
}

/// The account address of a fresh key: well-formed, never seen by the chain.
fn fresh_account() -> Result<String> {
    let key = rampartd::keys::AccountKey::from_mnemonic(
        &rampartd::keys::mnemonic::generate(),
        rampartd::keys::KeyType::Secp256k1,
    )?;
    Ok(key.address()?.to_string())
}

/// The operator address of a fresh key: well-formed, but no validator has it.
fn other(valoper: &str) -> Result<String> {
    let account = rampartd::client::address::account(&fresh_account()?, "fresh account")?;
    let op = rampartd::client::address::operator_of(&account)?.to_string();
    ensure!(op != valoper);
    Ok(op)
}
