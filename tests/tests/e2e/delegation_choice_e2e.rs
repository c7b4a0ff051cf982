//! Issue 17 end to end: a delegator backs only some of its validator's consumers, on a real
//! one-validator localnet (rampartd + CometBFT, 5-block epochs), every step through the
//! `rampartd` CLI and checked over gRPC:
//!
//! 1. the faucet registers two consumers (no spawn time: they stay registered, which is enough
//!    for pledges and choices) and the validator opts in to both with 50 %;
//! 2. the faucet delegates 40 RAMP and chooses `except:<first>` with
//!    `tx restaking set-delegation-consumers`; `query restaking delegation-consumers` shows it
//!    pending until the next epoch, then in force;
//! 3. `query restaking backing` shows the first consumer backed by the validator's tokens less
//!    the faucet's 40 RAMP, the second by all of them; the security report of the first counts
//!    only backing stake;
//! 4. bad input — an unknown consumer, a consumer named twice, a malformed choice — is refused
//!    with its code and changes nothing.
//!
//! Prints the amounts it saw (the README's delegator-choice section quotes one run).

use std::time::Instant;

use anyhow::{ensure, Context, Result};
use rampart_localnet::BLOCKS_PER_EPOCH;
use rampart_proto::rampart::restaking::v1 as pb;
use rampart_tests::cli::{Cli, Key};
use rampart_tests::json::int;
use rampart_tests::{grpc, height_timeout, TestNet};
use serde_json::Value;

/// What the faucet delegates (uramp).
const DELEGATION: u128 = 40_000_000;

/// Registers consumer `chain_id` (no spawn time) with the faucet; returns its id.
fn register(cli: &Cli, chain_id: &str) -> Result<String> {
    cli.tx_ok(
        Key::Faucet,
        &["consumer", "register", chain_id, "--name", chain_id],
    )?;
    let consumers = cli.query(&["consumer", "consumers", "--phase", "registered"])?;
    let consumer = consumers["consumers"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["chain_id"] == chain_id))
        .with_context(|| format!("registered consumer: {consumers}"))?;
    Ok(consumer["consumer_id"].as_str().context("id")?.to_owned())
}

/// `query restaking backing` of `op` for consumer `id`, checked against gRPC.
async fn backing(cli: &Cli, grpc_address: &str, op: &str, id: &str) -> Result<Value> {
    let answer = cli.query(&["restaking", "backing", op, id])?;
    let over_grpc: pb::QueryConsumerBackingResponse = grpc::query(
        grpc_address,
        "/rampart.restaking.v1.Query/ConsumerBacking",
        &pb::QueryConsumerBackingRequest {
            validator: op.to_owned(),
            consumer_id: id.parse()?,
        },
    )
    .await?;
    ensure!(
        int(&answer["backing_tokens"])? == over_grpc.backing_tokens.parse::<u128>()?,
        "CLI {answer} and gRPC {over_grpc:?} disagree"
    );
    Ok(answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegator_backs_only_the_consumers_it_chooses_through_the_cli() -> Result<()> {
    let started = Instant::now();
    let t = TestNet::start(1)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let cli = Cli::new(&t)?;
    let node = t.net.node(0)?;
    let (home, grpc_address) = (node.home.clone(), node.grpc.clone());
    let validators = cli.query(&["staking", "validators"])?;
    let op = validators["validators"][0]["operator_address"]
        .as_str()
        .context("operator")?
        .to_owned();

    let risky = register(&cli, "risky-1")?;
    let trusted = register(&cli, "trusted-1")?;
    for id in [&risky, &trusted] {
        cli.tx_ok(Key::Operator(&home), &["restaking", "opt-in", id, "50%"])?;
    }
    cli.tx_ok(
        Key::Faucet,
        &["staking", "delegate", &op, &format!("{DELEGATION}uramp")],
    )?;

    // Bad input first: nothing is queued.
    let unknown = cli.tx_err(
        Key::Faucet,
        &["restaking", "set-delegation-consumers", &op, "except:99"],
    )?;
    ensure!(unknown.contains("code consumer/5"), "{unknown}");
    let twice = format!("only:{trusted},{trusted}");
    let twice = cli.tx_err(
        Key::Faucet,
        &["restaking", "set-delegation-consumers", &op, &twice],
    )?;
    ensure!(twice.contains("code restaking/22"), "{twice}");
    let malformed = cli.tx_err(
        Key::Faucet,
        &["restaking", "set-delegation-consumers", &op, "some"],
    )?;
    ensure!(malformed.contains("invalid choice"), "{malformed}");
    let faucet = cli.faucet.clone();
    let before = cli.query(&["restaking", "delegation-consumers", &faucet, &op])?;
    ensure!(
        before["current"] == "all" && before["pending"] == "none",
        "{before}"
    );

    // The choice waits for the next epoch, then holds.
    let except = format!("except:{risky}");
    let sent = cli.tx_ok(
        Key::Faucet,
        &["restaking", "set-delegation-consumers", &op, &except],
    )?;
    let height = sent["height"].as_u64().context("height")?;
    let pending = cli.query(&["restaking", "delegation-consumers", &faucet, &op])?;
    let effective = (height / BLOCKS_PER_EPOCH + 1) * BLOCKS_PER_EPOCH;
    ensure!(
        pending["current"] == "all"
            && pending["pending"] == except.as_str()
            && int(&pending["pending_height"])? == u128::from(effective),
        "{pending}"
    );
    t.net
        .wait_for_height(effective + 1, height_timeout(BLOCKS_PER_EPOCH + 1))
        .await?;
    let held = cli.query(&["restaking", "delegation-consumers", &faucet, &op])?;
    ensure!(
        held["current"] == except.as_str()
            && held["pending"] == "none"
            && held["backed_consumer_ids"] == trusted.as_str()
            && int(&held["tokens"])? == DELEGATION,
        "{held}"
    );

    // The risky consumer counts the validator's stake less the faucet's; the trusted one all.
    let total = cli.validator_tokens(&op)?;
    let risky_backing = backing(&cli, &grpc_address, &op, &risky).await?;
    let trusted_backing = backing(&cli, &grpc_address, &op, &trusted).await?;
    ensure!(
        int(&risky_backing["backing_tokens"])? == total - DELEGATION
            && int(&risky_backing["pledged_tokens"])? == (total - DELEGATION) / 2
            && int(&trusted_backing["backing_tokens"])? == total,
        "{risky_backing} {trusted_backing}"
    );
    let report = &cli.query(&["restaking", "security-report", &risky])?["report"];
    ensure!(
        int(&report["total_pledged_tokens"])? == (total - DELEGATION) / 2,
        "{report}"
    );
    println!(
        "validator tokens {total}, faucet delegation {DELEGATION}; choice except:{risky} sent \
         at height {height}, in force from {effective}: consumer {risky} backed by {} (pledged \
         {}), consumer {trusted} by {} (pledged {}); {:.0?}",
        int(&risky_backing["backing_tokens"])?,
        int(&risky_backing["pledged_tokens"])?,
        int(&trusted_backing["backing_tokens"])?,
        int(&trusted_backing["pledged_tokens"])?,
        started.elapsed()
    );
    Ok(())
}
