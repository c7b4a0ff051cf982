//! Issue 17 end to end: a liquid staker holds, sends and redeems the liquid restaking token on a
//! real one-validator localnet (rampartd + CometBFT; the localnet profile's 5-block liquid epoch
//! and 60 s unbonding). `rampartd tx liquid stake` mints `lsuramp` at 1:1 (no token exists yet),
//! `query liquid rate|risk|unbondings` and gRPC read the rate and the balances, unmodified CosmJS
//! (`tests/cosmjs/send.mjs`, SIGN_MODE_DIRECT) sends part of the token to a fresh account,
//! `tx liquid unstake` escrows the rest's share, the epoch burns it and undelegates its value,
//! and after the unbonding period the module pays exactly what the batch undelegated. Bad input
//! (zero, more than the balance, unstaking more than held) is refused with clear codes and moves
//! no balance. Prints the amounts it saw (the README's liquid section quotes one run).

use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use cosmos_sdk_proto::cosmos::bank::v1beta1::{QueryBalanceRequest, QueryBalanceResponse};
use rampart_localnet::{BLOCKS_PER_EPOCH, UNBONDING_TIME_SECS};
use rampart_proto::rampart::liquid::v1 as pb;
use rampart_tests::cli::{Cli, Key, FEES};
use rampart_tests::json::{attos, int, ATTOS};
use rampart_tests::{cosmjs_dir, grpc, height_timeout, run, wait_for, TestNet};
use serde_json::Value;

/// What the faucet liquid-stakes (uramp), minted 1:1 as the first tokens.
const STAKE: u128 = 10_000_000;
/// What CosmJS sends to a fresh account (lsuramp).
const SENT: u128 = 2_500_000;
/// What the faucet redeems (lsuramp).
const UNSTAKE: u128 = 4_000_000;
/// The fee every CLI transaction pays (uramp), as [`FEES`] says.
const FEE: u128 = 5_000;
/// The bond denom.
const URAMP: &str = "uramp";
/// The liquid token.
const LSURAMP: &str = "lsuramp";

/// The exchange rate over gRPC (`rampart.liquid.v1.Query/ExchangeRate`).
async fn grpc_rate(address: &str) -> Result<pb::QueryExchangeRateResponse> {
    grpc::query(
        address,
        "/rampart.liquid.v1.Query/ExchangeRate",
        &pb::QueryExchangeRateRequest {},
    )
    .await
}

/// `address`'s balance of `denom` over gRPC (`cosmos.bank.v1beta1.Query/Balance`).
async fn grpc_balance(grpc_address: &str, address: &str, denom: &str) -> Result<u128> {
    let answer: QueryBalanceResponse = grpc::query(
        grpc_address,
        "/cosmos.bank.v1beta1.Query/Balance",
        &QueryBalanceRequest {
            address: address.to_owned(),
            denom: denom.to_owned(),
        },
    )
    .await?;
    Ok(answer.balance.map_or(Ok(0), |c| c.amount.parse())?)
}

/// `query liquid rate` and the same over gRPC, read between two epochs (the rate moves only at
/// one), compared field by field; returns the CLI's answer.
async fn rate(cli: &Cli, grpc_address: &str) -> Result<Value> {
    for _ in 0..5 {
        let before = cli.query(&["liquid", "rate"])?;
        let over_grpc = grpc_rate(grpc_address).await?;
        let after = cli.query(&["liquid", "rate"])?;
        if before != after {
            continue; // an epoch passed in between
        }
        ensure!(
            attos(&before["rate"])? == attos(&Value::from(over_grpc.rate.clone()))?
                && before["stake"] == over_grpc.stake.as_str()
                && before["supply"] == format!("{}{LSURAMP}", over_grpc.supply).as_str(),
            "CLI {before} and gRPC {over_grpc:?} disagree"
        );
        return Ok(before);
    }
    anyhow::bail!("the rate kept moving between two reads")
}

/// The lsuramp supply of a `query liquid rate` answer.
fn supply(rate: &Value) -> Result<u128> {
    let text = rate["supply"].as_str().context("supply")?;
    int(&Value::from(text.trim_end_matches(LSURAMP)))
}

/// `address`'s uramp and lsuramp over the CLI, checked against gRPC.
async fn balances(cli: &Cli, grpc_address: &str, address: &str) -> Result<(u128, u128)> {
    let mut out = [0u128; 2];
    for (slot, denom) in out.iter_mut().zip([URAMP, LSURAMP]) {
        *slot = cli.balance(address, denom)?;
        let over_grpc = grpc_balance(grpc_address, address, denom).await?;
        ensure!(
            *slot == over_grpc,
            "{address} {denom}: CLI {slot}, gRPC {over_grpc}"
        );
    }
    Ok((out[0], out[1]))
}

/// The owner's records in `query liquid unbondings`.
fn unbondings(cli: &Cli, owner: &str) -> Result<Vec<Value>> {
    let answer = cli.query(&["liquid", "unbondings", owner])?;
    answer["unbondings"]
        .as_array()
        .cloned()
        .with_context(|| format!("unbondings: {answer}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_liquid_staker_holds_sends_and_redeems_the_token_through_cli_grpc_and_cosmjs(
) -> Result<()> {
    let started = Instant::now();
    let dir = cosmjs_dir()?;
    let t = TestNet::start(1)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let cli = Cli::new(&t)?;
    let funding = t.funding()?;
    let node = t.net.node(0)?;
    let (grpc_address, rpc) = (node.grpc.clone(), node.rpc.clone());
    let faucet = cli.faucet.clone();
    ensure!(FEES == format!("{FEE}{URAMP}"));

    let params = cli.query(&["liquid", "params"])?;
    ensure!(
        int(&params["params"]["epoch_blocks"])? == u128::from(BLOCKS_PER_EPOCH),
        "{params}"
    );
    let rate0 = rate(&cli, &grpc_address).await?;
    ensure!(
        attos(&rate0["rate"])? == ATTOS && supply(&rate0)? == 0,
        "{rate0}"
    );
    let (uramp0, lsuramp0) = balances(&cli, &grpc_address, &faucet).await?;
    ensure!(lsuramp0 == 0);

    // Bad input: nothing is broadcast (the CLI refuses zero itself; the chain's codes come back
    // from the simulation of `--gas auto`), so no fee is paid and no balance moves.
    let zero = cli.tx_err(Key::Faucet, &["liquid", "stake", "0uramp"])?;
    ensure!(zero.contains("amount must be positive"), "{zero}");
    let too_much = format!("{}{URAMP}", uramp0 + 1);
    let broke = cli.tx_err(Key::Faucet, &["liquid", "stake", &too_much])?;
    ensure!(
        broke.contains("code sdk/5") && broke.contains("insufficient funds"),
        "{broke}"
    );
    let none_held = cli.tx_err(Key::Faucet, &["liquid", "unstake", "1lsuramp"])?;
    ensure!(none_held.contains("code liquid/9"), "{none_held}");
    ensure!(balances(&cli, &grpc_address, &faucet).await? == (uramp0, 0));

    // Stake: the first tokens are minted 1:1.
    cli.tx_ok(
        Key::Faucet,
        &["liquid", "stake", &format!("{STAKE}{URAMP}")],
    )?;
    let (uramp1, held1) = balances(&cli, &grpc_address, &faucet).await?;
    ensure!(
        uramp1 == uramp0 - STAKE - FEE && held1 == STAKE,
        "{uramp1} {held1}"
    );
    let backing = cli.query(&["liquid", "backing"])?;
    let validators = backing["validators"].as_array().context("validators")?;
    ensure!(
        validators.len() == 1 && int(&validators[0]["tokens"])? >= STAKE - 1,
        "{backing}"
    );
    // No consumer yet: nothing to lose beyond staking's own slashes.
    let risk = cli.query(&["liquid", "risk"])?;
    ensure!(attos(&risk["worst_case_fraction"])? == 0, "{risk}");

    // CosmJS sends part of it, as a wallet sends any bank coin.
    let friend = rampart_client::keys::AccountKey::from_mnemonic(
        &rampart_client::keys::mnemonic::generate(),
        rampart_client::keys::KeyType::Secp256k1,
    )?
    .address()?
    .to_string();
    let amount = format!("{SENT}{LSURAMP}");
    let chain_id = t.net.manifest().chain_id.clone();
    let output = run(
        &dir,
        "node",
        &["send.mjs"],
        &[
            ("RAMPART_RPC", rpc.as_str()),
            ("RAMPART_CHAIN_ID", chain_id.as_str()),
            ("RAMPART_MNEMONIC", funding.faucet.mnemonic.as_str()),
            ("RAMPART_DENOM", funding.denom.as_str()),
            ("RAMPART_PREFIX", funding.bech32_prefix.as_str()),
            ("RAMPART_TO", friend.as_str()),
            ("RAMPART_AMOUNT", amount.as_str()),
        ],
    )?;
    println!("{output}");
    ensure!(output.contains(" 0 failed"), "{output}");
    let (uramp2, held2) = balances(&cli, &grpc_address, &faucet).await?;
    ensure!(
        uramp2 == uramp1 - FEE && held2 == STAKE - SENT,
        "{uramp2} {held2}"
    );
    ensure!(balances(&cli, &grpc_address, &friend).await? == (0, SENT));

    // An epoch compounds the module's rewards: the rate rises above 1.
    let now = t.common_height().await.unwrap_or(2);
    t.net
        .wait_for_height(now + BLOCKS_PER_EPOCH, height_timeout(BLOCKS_PER_EPOCH))
        .await?;
    let rate2 = rate(&cli, &grpc_address).await?;
    ensure!(attos(&rate2["rate"])? > ATTOS, "{rate2}");
    ensure!(supply(&rate2)? == STAKE, "{rate2}");

    // Unstaking more than held is refused; then the faucet redeems part of what it holds.
    let over = format!("{}{LSURAMP}", held2 + 1);
    let refused = cli.tx_err(Key::Faucet, &["liquid", "unstake", &over])?;
    ensure!(
        refused.contains("code liquid/9") && refused.contains("cannot unstake"),
        "{refused}"
    );
    ensure!(balances(&cli, &grpc_address, &faucet).await? == (uramp2, held2));
    let unstake = cli.tx_ok(
        Key::Faucet,
        &["liquid", "unstake", &format!("{UNSTAKE}{LSURAMP}")],
    )?;
    let unstake_height = unstake["height"].as_u64().context("height")?;
    let (uramp3, held3) = balances(&cli, &grpc_address, &faucet).await?;
    ensure!(
        uramp3 == uramp2 - FEE && held3 == held2 - UNSTAKE,
        "{uramp3} {held3}"
    );

    // The next epoch (in its begin block: a request of an epoch's own block waits for the one
    // after) burns the tokens and undelegates their value.
    let epoch = (unstake_height / BLOCKS_PER_EPOCH + 1) * BLOCKS_PER_EPOCH;
    t.net
        .wait_for_height(epoch + 1, height_timeout(BLOCKS_PER_EPOCH))
        .await?;
    let records = unbondings(&cli, &faucet)?;
    ensure!(records.len() == 1, "{records:?}");
    let record = &records[0];
    ensure!(
        record["status"] == "unbonding"
            && record["liquid_amount"] == format!("{UNSTAKE}{LSURAMP}").as_str(),
        "{record}"
    );
    let expected = int(&record["expected_amount"])?;
    ensure!(
        expected > UNSTAKE,
        "rewards compounded before the epoch: {record}"
    );
    let rate3 = rate(&cli, &grpc_address).await?;
    ensure!(
        supply(&rate3)? == STAKE - UNSTAKE,
        "burned at the epoch: {rate3}"
    );

    // After the unbonding period the module pays exactly what the batch got back.
    wait_for(
        "the liquid payout",
        Duration::from_secs(UNBONDING_TIME_SECS.unsigned_abs() + 60),
        || Ok(unbondings(&cli, &faucet)?.is_empty().then_some(())),
    )?;
    let (uramp4, held4) = balances(&cli, &grpc_address, &faucet).await?;
    ensure!(
        uramp4 == uramp3 + expected && held4 == held3,
        "paid {} instead of {expected}",
        uramp4.saturating_sub(uramp3)
    );
    ensure!(balances(&cli, &grpc_address, &friend).await? == (0, SENT));
    let rate4 = rate(&cli, &grpc_address).await?;
    ensure!(supply(&rate4)? == STAKE - UNSTAKE, "{rate4}");

    println!(
        "liquid e2e: staked {STAKE}{URAMP} -> {STAKE}{LSURAMP}; CosmJS sent {SENT}{LSURAMP}; \
         rate after one epoch {}; unstaked {UNSTAKE}{LSURAMP} at height {unstake_height}, \
         batch at the epoch of height {epoch}, paid {expected}{URAMP}; faucet uramp {uramp0} -> \
         {uramp1} (stake) -> {uramp2} (send) -> {uramp3} (unstake) -> {uramp4} (payout); \
         lsuramp supply {}; final rate {}; {:.0?}",
        rate2["rate"],
        supply(&rate4)?,
        rate4["rate"],
        started.elapsed()
    );
    Ok(())
}
