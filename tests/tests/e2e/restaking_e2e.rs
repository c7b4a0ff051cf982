//! Issue 6 end to end on a real 4-validator localnet, every step through the real `rampartd`
//! CLI (localnet defaults: 5-block epochs and a 10 RAMP registration deposit are fine — the
//! launch happens at the spawn time, not at an epoch, so no genesis profile is needed):
//!
//! 1. the faucet delegates the same amount to node0 and node3, then registers a consumer with
//!    `tx consumer register` (parameters from `--params-file` plus flags, spawn time now + 20 s,
//!    at least 3 validators, a reward rate of 100 RAMP per block);
//! 2. node0, node1 and node2 opt in with pledges of 25 %, 30 % and 20 % (their operator keys are
//!    `validator` in each node's `test` keyring); node3 stays out;
//! 3. the consumer launches: `query consumer consumer` says LAUNCHED and `query consumer
//!    validators` lists the three with consumer power = bonded tokens × pledge / 10^6;
//! 4. `query restaking security-report` agrees with the pledges (count, powers, pledged tokens,
//!    largest share, the halt and control thresholds and what they would lose);
//! 5. `tx consumer fund-rewards`: the pool pays exactly the rate each block, and the faucet's
//!    rewards from node0 grow by its share of node0's consumer rewards on top of what it earns
//!    from node3, which validates only the provider;
//! 6. `debug double-sign --output-evidence` signs two conflicting prevotes with node2's provider
//!    key (its default consumer key) for the consumer's chain id; no consumer chain runs here, so
//!    there is no signed consumer header to place them: `tx restaking submit-double-vote` without
//!    `--consumer-node` refuses, and the message sent without `infraction_header` is refused by
//!    the chain with its code and log, burning nothing (the real double vote, relayed from a
//!    running consumer, is in `consumer_e2e`).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use rampart_client::coins::parse_coins;
use rampart_client::gas::Gas;
use rampart_client::keys::{Backend, Keyring};
use rampart_client::msgs::restaking::SUBMIT_CONSUMER_DOUBLE_VOTE;
use rampart_client::msgs::to_any;
use rampart_client::submit::TxSettings;
use rampart_client::ChainError;
use rampart_proto::rampart::restaking::v1::MsgSubmitConsumerDoubleVote;
use rampart_tests::cli::{stderr, tx_outcome, Cli, Key, FEES};
use rampart_tests::json::{attos, int, ATTOS, POWER_REDUCTION};
use rampart_tests::{height_timeout, wait_for, TestNet};
use rampartd::debug::EvidenceFile;
use rampartd::relay::{chain_error, Chain};
use serde_json::Value;

/// The consumer's chain id.
const CONSUMER_CHAIN: &str = "restake-1";
/// What the faucet delegates to node0 and to node3.
const DELEGATION: u128 = 100_000_000;
/// The consumer's reward rate per block (uramp).
const REWARD_RATE: u128 = 100_000_000;
/// What the faucet puts in the reward pool: 100 blocks of rewards.
const FUNDING: u128 = 100 * REWARD_RATE;

/// The faucet's uramp rewards from `validator` (whole uramp, decimals dropped).
fn rewards(cli: &Cli, validator: &str) -> Result<u128> {
    let r = cli.query(&["distribution", "rewards", &cli.faucet, validator])?;
    let coins = r["rewards"].as_array().context("rewards list")?;
    match coins.iter().find(|c| c["denom"] == "uramp") {
        Some(coin) => Ok(attos(&coin["amount"])? / ATTOS),
        None => Ok(0),
    }
}

/// Sends the faucet's `MsgSubmitConsumerDoubleVote` of the votes in `evidence` (a file of
/// `debug double-sign --output-evidence`) against consumer `id` WITHOUT the infraction header and
/// validator set (which the CLI always adds) and returns the chain's refusal.
async fn submit_without_header(
    t: &TestNet,
    cli: &Cli,
    id: &str,
    evidence: &std::path::Path,
) -> Result<ChainError> {
    let file: EvidenceFile = serde_json::from_str(&std::fs::read_to_string(evidence)?)?;
    let key = Keyring::open(cli.home.path(), Backend::Test).private_key("faucet", None)?;
    let msg = to_any(
        SUBMIT_CONSUMER_DOUBLE_VOTE,
        &MsgSubmitConsumerDoubleVote {
            submitter: cli.faucet.clone(),
            consumer_id: id.parse()?,
            vote_a: Some(file.vote_a.into()),
            vote_b: Some(file.vote_b.into()),
            infraction_header: None,
            infraction_validator_set: None,
        },
    );
    let settings = TxSettings {
        fees: parse_coins(FEES)?,
        gas: Gas::Fixed(1_000_000),
        ..TxSettings::default()
    };
    let provider = Chain::new(&t.net.node(0)?.rpc, settings)?;
    let sent = provider
        .send(&key, vec![msg], Duration::from_secs(60))
        .await;
    let e = sent
        .err()
        .context("evidence without a header was accepted")?;
    chain_error(&e)
        .cloned()
        .with_context(|| format!("not a chain refusal: {e:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_launches_pays_rewards_and_refuses_headerless_evidence_through_the_cli(
) -> Result<()> {
    let started = Instant::now();
    let t = TestNet::start(4)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let cli = Cli::new(&t)?;
    let homes: Vec<PathBuf> = (0..4)
        .map(|i| Ok(t.net.node(i)?.home.clone()))
        .collect::<Result<_>>()?;

    // Operators by moniker (node<i>).
    let validators = cli.query(&["staking", "validators"])?;
    let mut ops = vec![String::new(); 4];
    for v in validators["validators"].as_array().context("validators")? {
        let moniker = v["description"]["moniker"].as_str().context("moniker")?;
        let index: usize = moniker.trim_start_matches("node").parse()?;
        ops[index] = v["operator_address"]
            .as_str()
            .context("operator")?
            .to_owned();
    }
    ensure!(ops.iter().all(|o| !o.is_empty()), "{validators}");

    // The faucet delegates the same amount to node0 (which will secure the consumer) and to
    // node3 (which will not): node3's rewards are the provider-only baseline.
    let delegation = format!("{DELEGATION}uramp");
    for op in [&ops[0], &ops[3]] {
        cli.tx_ok(Key::Faucet, &["staking", "delegate", op, &delegation])?;
    }

    // Register: params from a file (3 validators at least, the reward rate), flags on top.
    let params_file = cli.home.path().join("consumer-params.json");
    std::fs::write(
        &params_file,
        serde_json::json!({
            "min_validators": 3,
            "double_sign": {"slash_fraction": "0.05", "tombstone": true},
            "reward_rate_per_block": [{"denom": "uramp", "amount": REWARD_RATE.to_string()}],
        })
        .to_string(),
    )?;
    let params_path = params_file.to_str().context("utf-8 path")?;
    cli.tx_ok(
        Key::Faucet,
        &[
            "consumer",
            "register",
            CONSUMER_CHAIN,
            "--name",
            "E2E consumer",
            "--spawn-time",
            "+20s",
            "--params-file",
            params_path,
            "--max-validators",
            "10",
        ],
    )?;
    let consumers = cli.query(&["consumer", "consumers", "--phase", "registered"])?;
    let consumer = consumers["consumers"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["chain_id"] == CONSUMER_CHAIN))
        .with_context(|| format!("registered consumer: {consumers}"))?;
    let id = consumer["consumer_id"].as_str().context("id")?.to_owned();
    let params = &consumer["params"];
    ensure!(
        params["min_validators"] == "3" && params["max_validators"] == "10",
        "{params}"
    );
    ensure!(params["double_sign"]["tombstone"] == true, "{params}");
    ensure!(
        consumer["phase"] == "CONSUMER_PHASE_REGISTERED",
        "{consumer}"
    );

    // Three operators opt in at once with different pledges; node3 stays out.
    let pledges = [(0, "25%", 2_500u128), (1, "30%", 3_000), (2, "20%", 2_000)];
    let mut children = Vec::new();
    for (node, pledge, _) in pledges {
        let args = ["restaking", "opt-in", id.as_str(), pledge];
        let child = cli
            .tx_command(Key::Operator(&homes[node]), &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        children.push(child);
    }
    for child in children {
        tx_outcome(&["restaking", "opt-in"], child.wait_with_output()?)?;
    }
    // Refusals: a pledge without a unit never leaves the CLI; a second opt-in is the chain's.
    let err = cli.tx_err(
        Key::Operator(&homes[1]),
        &["restaking", "opt-in", &id, "30"],
    )?;
    ensure!(err.contains("invalid pledge"), "{err}");
    let err = cli.tx_err(
        Key::Operator(&homes[1]),
        &["restaking", "opt-in", &id, "30%"],
    )?;
    ensure!(err.contains("code restaking/5"), "{err}");

    // The consumer launches at its spawn time with the three validators.
    let launched = wait_for("the consumer to launch", Duration::from_secs(90), || {
        let c = cli.query(&["consumer", "consumer", &id])?;
        Ok((c["consumer"]["phase"] == "CONSUMER_PHASE_LAUNCHED").then_some(c))
    })?;
    ensure!(
        int(&launched["consumer"]["launch_height"])? > 0,
        "{launched}"
    );
    let set = cli.query(&["consumer", "validators", &id])?;
    let members = set["validators"].as_array().context("validators")?;
    ensure!(members.len() == 3, "{set}");
    let mut total_power = 0u128;
    let mut total_pledged = 0u128;
    let mut powers = Vec::new();
    let mut powers_by_node = Vec::new();
    for (node, _, bps) in pledges {
        let v = members
            .iter()
            .find(|v| v["operator"] == ops[node].as_str())
            .with_context(|| format!("node{node} in the consumer set: {set}"))?;
        let bonded = cli.validator_tokens(&ops[node])?;
        let pledged = bonded * bps / 10_000;
        ensure!(int(&v["pledged_tokens"])? == pledged, "node{node}: {v}");
        ensure!(
            int(&v["power"])? == pledged / POWER_REDUCTION,
            "node{node}: {v}"
        );
        ensure!(int(&v["pledge_bps"])? == bps, "node{node}: {v}");
        total_power += pledged / POWER_REDUCTION;
        total_pledged += pledged;
        powers.push((pledged / POWER_REDUCTION, pledged));
        powers_by_node.push(pledged / POWER_REDUCTION);
    }
    ensure!(
        !members.iter().any(|v| v["operator"] == ops[3].as_str()),
        "{set}"
    );
    ensure!(int(&set["total_power"])? == total_power, "{set}");
    // node0: 200 RAMP × 25 % = power 50; node1: 30; node2: 20.
    ensure!(total_power == 100, "{set}");
    let genesis = cli.query(&["consumer", "genesis", &id])?;
    ensure!(
        genesis["genesis"]["initial_validators"]
            .as_array()
            .map(Vec::len)
            == Some(3),
        "{genesis}"
    );

    // The security report matches the pledges.
    let report = &cli.query(&["restaking", "security-report", &id])?["report"];
    ensure!(int(&report["validator_count"])? == 3, "{report}");
    ensure!(int(&report["total_power"])? == total_power, "{report}");
    ensure!(
        int(&report["total_pledged_tokens"])? == total_pledged,
        "{report}"
    );
    let largest = powers.iter().map(|(p, _)| *p).max().unwrap_or(0);
    ensure!(
        attos(&report["largest_validator_share"])? == largest * ATTOS / total_power,
        "{report}"
    );
    let fraction = attos(&report["double_sign_slash_fraction"])?;
    ensure!(fraction == ATTOS / 20, "5 %: {report}");
    for (thirds, prefix) in [(1, "halt"), (2, "control")] {
        // Fewest validators: the largest first.
        powers.sort_by(|a, b| b.cmp(a));
        let (mut power, mut count) = (0u128, 0u128);
        for (p, _) in &powers {
            power += p;
            count += 1;
            if power * 3 > total_power * thirds {
                break;
            }
        }
        // Least stake, as a lower bound: the cheapest stake per unit of power first, the last
        // validator pro rata for the power still missing.
        let mut by_cost = powers.clone();
        by_cost.sort_by(|(p1, t1), (p2, t2)| (t1 * p2).cmp(&(t2 * p1)));
        let mut missing = total_power * thirds / 3 + 1;
        let mut pledged = 0u128;
        for (p, tokens) in &by_cost {
            let take = (*p).min(missing);
            pledged += tokens * take / p;
            missing -= take;
        }
        ensure!(
            int(&report[&format!("{prefix}_min_validators")])? == count,
            "{report}"
        );
        ensure!(
            int(&report[&format!("{prefix}_min_pledged_tokens")])? == pledged,
            "{report}"
        );
        ensure!(
            int(&report[&format!("{prefix}_slashable_tokens")])? == pledged * fraction / ATTOS,
            "{report}"
        );
    }

    // Rewards: the pool is empty (paused) until funded; then it pays exactly the rate per block
    // (powers 50/30/20 split 10^8 without dust) and node0's delegators earn from it.
    let pool = cli.query(&["consumer", "reward-pool", &id])?;
    ensure!(pool["pool"] == Value::Array(vec![]), "{pool}");
    let (before0, before3) = (rewards(&cli, &ops[0])?, rewards(&cli, &ops[3])?);
    cli.tx_ok(
        Key::Faucet,
        &["consumer", "fund-rewards", &id, &format!("{FUNDING}uramp")],
    )?;
    let paid_blocks = wait_for(
        "three blocks of consumer rewards",
        Duration::from_secs(60),
        || {
            let pool = cli.query(&["consumer", "reward-pool", &id])?;
            let left = match pool["pool"].as_array().and_then(|l| l.first()) {
                Some(coin) => int(&coin["amount"])?,
                None => 0,
            };
            ensure!(pool["paused"] == false || left == FUNDING, "{pool}");
            let paid = FUNDING - left;
            ensure!(
                paid.is_multiple_of(REWARD_RATE),
                "the pool pays the rate per block: {pool}"
            );
            Ok((paid >= 3 * REWARD_RATE).then_some(paid / REWARD_RATE))
        },
    )?;
    let (after0, after3) = (rewards(&cli, &ops[0])?, rewards(&cli, &ops[3])?);
    let (grew0, grew3) = (
        after0.saturating_sub(before0),
        after3.saturating_sub(before3),
    );
    // Per paid block the faucet earns node0's share of the rate (50 of 100 power) after its
    // commission on this consumer (its provider rate, 10 %), times the faucet's half of node0's
    // stake: 22,500,000 uramp.
    let commission = attos(&cli.query(&["consumer", "commission", &id, &ops[0]])?["rate"])?;
    let power0 = powers_by_node[0];
    let own0 = DELEGATION * ATTOS / cli.validator_tokens(&ops[0])?.max(1);
    let per_block =
        REWARD_RATE * power0 / total_power * (ATTOS - commission) / ATTOS * own0 / ATTOS;
    ensure!(
        per_block == 22_500_000,
        "expected share per block: {per_block}"
    );
    ensure!(
        grew0 >= grew3 + paid_blocks * per_block * 9 / 10,
        "rewards from node0 grew by {grew0}, from node3 (provider only) by {grew3}; \
         {paid_blocks} blocks paid {per_block} each from the consumer"
    );

    // Double-vote evidence must be placed by the consumer's signed header at the votes' height.
    // No consumer chain runs here (the real double vote is in `consumer_e2e`): evidence without
    // that header is refused by the CLI, and by the chain with its code and log, burning nothing.
    let evidence = cli.home.path().join("double-vote.json");
    let key_file = homes[2].join("config").join("priv_validator_key.json");
    let output = cli
        .command(&[
            "debug",
            "double-sign",
            "--key-file",
            key_file.to_str().context("utf-8 path")?,
            "--chain-id",
            CONSUMER_CHAIN,
            "--height",
            "5",
            "--output-evidence",
            evidence.to_str().context("utf-8 path")?,
        ])
        .output()?;
    ensure!(output.status.success(), "double-sign: {}", stderr(&output));
    let before = cli.validator_tokens(&ops[2])?;
    let evidence_path = evidence.to_str().context("utf-8 path")?;
    let err = cli.tx_err(
        Key::Faucet,
        &["restaking", "submit-double-vote", evidence_path],
    )?;
    ensure!(err.contains("give --consumer-node URL"), "{err}");
    let refused = submit_without_header(&t, &cli, &id, &evidence).await?;
    ensure!(
        (refused.codespace == "ccv" || refused.codespace == "restaking")
            && refused.log.contains("header"),
        "evidence without a header: {refused}"
    );
    eprintln!("evidence without a header is refused: {refused}");
    ensure!(
        cli.validator_tokens(&ops[2])? == before,
        "nothing is burned"
    );
    let node2 = cli.query(&["staking", "validator", &ops[2]])?;
    ensure!(
        node2["jailed"] == false && node2["status"] == "BOND_STATUS_BONDED",
        "{node2}"
    );

    let common = t.common_height().await.unwrap_or(1);
    t.assert_same_block(&[0, 1, 2, 3], common).await?;
    eprintln!("restaking e2e took {:?}", started.elapsed());
    Ok(())
}
