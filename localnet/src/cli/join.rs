//! `join`: add a validator to the running localnet — a new node that syncs the chain, gets an
//! operator key funded by the faucet and sends `MsgCreateValidator` with its consensus key.
//!
//! [`join`] is the whole flow as a library call (the end-to-end tests use it); [`run`] is the
//! command.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use rampart_client::coins::{format_coins, parse_coin};
use rampart_client::gas::Gas;
use rampart_client::keys::hd::{AccountKey, KeyType};
use rampart_client::keys::keyring::{Backend, Keyring};
use rampart_client::keys::mnemonic;
use rampart_client::msgs::staking::NewValidator;
use rampart_client::rpc::TxOutcome;
use rampart_client::send::{self, SendPlan};
use rampart_client::submit::{execute_tx, TxSettings};
use rampart_client::{BroadcastMode, NodeClient};
use rampartd::cli::args::home_consensus_pubkey;
use serde::Serialize;

use super::HomeArg;
use crate::accounts::{self, OPERATOR_KEY};
use crate::binaries::Binaries;
use crate::keys::ValidatorKey;
use crate::manifest::NodeRecord;
use crate::network::Localnet;
use crate::rpc;

/// The stake of a joining validator when `--stake` is not given: 50 RAMP.
pub const DEFAULT_STAKE: &str = "50000000uramp";
/// The fee of each transaction `join` sends.
pub const FEE: u128 = 10_000;
/// What the faucet sends on top of the stake, for fees of later transactions: 1 RAMP.
pub const FEE_RESERVE: u128 = 1_000_000;
/// How long the new node may take to catch up with the chain.
const SYNC_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a transaction may take to be committed.
const TX_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the validator may take to appear in CometBFT's validator set.
const VALIDATOR_SET_TIMEOUT: Duration = Duration::from_secs(90);

/// Options of `join`.
#[derive(Debug, Args)]
pub struct JoinArgs {
    /// The self-delegation of the new validator, e.g. 50000000uramp (a bare number is in the
    /// localnet's denom).
    #[arg(long, default_value = DEFAULT_STAKE)]
    pub stake: String,
    /// The new validator's name; by default the node's name, `node<i>`.
    #[arg(long)]
    pub moniker: Option<String>,
    /// Home dir.
    #[command(flatten)]
    pub home: HomeArg,
}

/// What [`join`] needs besides the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinOptions {
    /// The self-delegation, e.g. `50000000uramp`.
    pub stake: String,
    /// The validator's (and CometBFT's) moniker; `None`: the node's name.
    pub moniker: Option<String>,
}

/// The validator a [`join`] created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Joined {
    /// The node's index in `localnet.json`.
    pub index: usize,
    /// `node{index}`.
    pub name: String,
    /// The node's home.
    pub home: PathBuf,
    /// The node's CometBFT RPC URL.
    pub rpc: String,
    /// The operator account (key [`OPERATOR_KEY`] in the node's `test` keyring).
    pub operator: String,
    /// The validator operator address.
    pub valoper: String,
    /// The CometBFT validator address (upper-case hex).
    pub consensus_address: String,
    /// The self-delegation, e.g. `50000000uramp`.
    pub stake: String,
    /// The hash of the `MsgCreateValidator` transaction.
    pub create_tx: String,
    /// Voting power in CometBFT's validator set.
    pub power: u64,
    /// The height at which the validator was first seen in the set.
    pub height: u64,
}

/// Runs `join`.
pub async fn run(args: JoinArgs) -> Result<()> {
    let home = args.home.resolve();
    if !Localnet::exists(&home) {
        bail!(
            "no localnet at {} (no localnet.json); start one with `cargo localnet up --detach`, \
             then join it",
            home.display()
        );
    }
    let mut net = Localnet::load(&home)?;
    network_rpc(&net)?;
    let binaries = net.recorded_binaries()?;
    let joined = join(
        &mut net,
        &binaries,
        &JoinOptions {
            stake: args.stake,
            moniker: args.moniker,
        },
    )
    .await?;
    println!(
        "{} joined chain {} as validator {} with voting power {} (height {})",
        joined.name,
        net.manifest().chain_id,
        joined.valoper,
        joined.power,
        joined.height
    );
    println!(
        "  operator {} (key `{OPERATOR_KEY}`: rampartd keys show {OPERATOR_KEY} \
         --keyring-backend test --home {})",
        joined.operator,
        joined.home.display()
    );
    println!(
        "  RPC {}, logs in {}/logs; `cargo localnet status` shows it, `cargo localnet down` \
         stops it with the others",
        joined.rpc,
        joined.home.display()
    );
    Ok(())
}

/// The RPC URL of the first node whose CometBFT is running: the "network" a joining node talks
/// to. Fails with a hint when the localnet is not running.
fn network_rpc(net: &Localnet) -> Result<String> {
    net.running_rpc().ok_or_else(|| {
        anyhow!(
            "the localnet in {} is not running; start it with `cargo localnet up --detach`, \
                 then join it",
            net.home().display()
        )
    })
}

/// The progress line of a committed transaction.
fn committed(what: &str, outcome: &TxOutcome) {
    let height = outcome.height.unwrap_or_default();
    eprintln!("  {what} in block {height} (tx {})", outcome.hash);
}

/// A step's progress line.
fn step(number: u8, text: impl std::fmt::Display) {
    eprintln!("[{number}/7] {text}");
}

/// Adds a validator to the running localnet `net`:
///
/// 1. creates `node{n}` (next index, ports by the localnet's plan, node 0's genesis, every
///    running node as a persistent peer) and records it in `localnet.json`;
/// 2. starts its rampartd and CometBFT;
/// 3. waits until it has caught up with the chain;
/// 4. creates an operator key ([`OPERATOR_KEY`]) in its `test` keyring;
/// 5. funds that key from the faucet with the stake plus [`FEE_RESERVE`];
/// 6. sends `MsgCreateValidator` with the node's consensus key and the stake;
/// 7. waits until CometBFT's `/validators` lists it, and returns its voting power.
///
/// From step 2 on, a failure leaves the node running and recorded, so `cargo localnet status`
/// shows it and `cargo localnet down` stops it.
pub async fn join(net: &mut Localnet, binaries: &Binaries, opts: &JoinOptions) -> Result<Joined> {
    let network = network_rpc(net)?;
    let denom = net
        .manifest()
        .denom
        .clone()
        .unwrap_or_else(|| accounts::DENOM.into());
    let (stake, stake_amount) = parse_stake(&opts.stake, &denom)?;
    let faucet = net.manifest().faucet.clone().with_context(|| {
        format!(
            "{} has no faucet (made by an older cargo localnet); start over with `cargo \
             localnet up --fresh`",
            net.home().display()
        )
    })?;
    let faucet_key =
        AccountKey::from_mnemonic(&mnemonic::parse(&faucet.mnemonic)?, KeyType::Secp256k1)
            .context("the faucet mnemonic in localnet.json is not usable")?;

    step(
        1,
        format!(
            "creating node{} in {}",
            net.nodes().len(),
            net.home().display()
        ),
    );
    let index = net.add_node(binaries, opts.moniker.as_deref())?;
    let node = net.node(index)?.clone();
    let moniker = opts.moniker.clone().unwrap_or_else(|| node.name.clone());
    let left_running = || {
        format!(
            "{} stays recorded in localnet.json (`cargo localnet stop --node {index}` or `cargo \
             localnet down` stops it; logs in {}/logs)",
            node.name,
            node.home.display()
        )
    };

    let result = async {
        step(
            2,
            format!(
                "starting {} (RPC {}, P2P {})",
                node.name, node.rpc, node.p2p
            ),
        );
        net.start_node(index, binaries)?;

        step(3, format!("syncing {} with the chain", node.name));
        let synced = net.wait_for_sync(index, SYNC_TIMEOUT).await?;

        step(
            4,
            format!(
                "creating operator key `{OPERATOR_KEY}` in {}'s test keyring",
                node.name
            ),
        );
        let operator = accounts::new_operator(&node.home)?;
        let operator_key =
            Keyring::open(&node.home, Backend::Test).private_key(OPERATOR_KEY, None)?;
        let operator_id = operator_key.address()?;

        let funds = stake_amount
            .checked_add(FEE_RESERVE)
            .context("--stake is too large")?;
        let funding = parse_coin(&format!("{funds}{denom}"))?;
        step(
            5,
            format!(
                "funding {operator} with {} from the faucet {}",
                format_coins(std::slice::from_ref(&funding)),
                faucet.address
            ),
        );
        let network_client = NodeClient::new(&network)?;
        let fee = parse_coin(&format!("{FEE}{denom}"))?;
        let mut plan = SendPlan::new(&operator, vec![funding]);
        plan.fees = vec![fee.clone()];
        let funded = send::execute(
            &network_client,
            &faucet_key,
            &plan,
            BroadcastMode::Block,
            TX_TIMEOUT,
        )
        .await
        .context("the faucet could not fund the operator")?;
        committed("funded", &funded);

        let consensus = ValidatorKey::read(&node.home)?;
        let validator = NewValidator::with_defaults(
            home_consensus_pubkey(&node.home)?,
            parse_coin(&stake)?,
            &moniker,
        )?;
        let valoper = rampart_client::address::operator_of(&operator_id)?.to_string();
        step(
            6,
            format!(
                "creating validator {valoper} ({moniker}) with a self-delegation of {} and \
                 consensus key {}",
                stake, consensus.address
            ),
        );
        // The new node answers (its mempool gossips the tx to the validators), once it has the
        // block with the funding.
        wait_for_block(&node, funded.height.unwrap_or_default(), TX_TIMEOUT).await?;
        let node_client = NodeClient::new(&node.rpc)?;
        let settings = TxSettings {
            fees: vec![fee],
            gas: Gas::Auto(1.5),
            ..TxSettings::default()
        };
        let created = execute_tx(
            &node_client,
            &operator_key,
            vec![validator.message(&operator_id)?],
            &settings,
            BroadcastMode::Block,
            TX_TIMEOUT,
        )
        .await
        .context("MsgCreateValidator failed")?;
        committed("created", &created);

        step(
            7,
            format!(
                "waiting for {} in CometBFT's validator set (synced at height {synced})",
                consensus.address
            ),
        );
        let (power, height) =
            wait_in_validator_set(net, &consensus.address, VALIDATOR_SET_TIMEOUT).await?;
        Ok(Joined {
            index,
            name: node.name.clone(),
            home: node.home.clone(),
            rpc: node.rpc.clone(),
            operator,
            valoper,
            consensus_address: consensus.address,
            stake,
            create_tx: created.hash,
            power,
            height,
        })
    }
    .await;
    // The cause first, then where the half-joined node is.
    result.map_err(|err: anyhow::Error| anyhow!("{err:#}\n{}", left_running()))
}

/// `--stake`: a coin of the localnet's denom (a bare number is taken in that denom), returned
/// as `50000000uramp` and as its amount.
fn parse_stake(text: &str, denom: &str) -> Result<(String, u128)> {
    let text = text.trim();
    let with_denom = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        format!("{text}{denom}")
    } else {
        text.to_owned()
    };
    let coin = parse_coin(&with_denom).map_err(|e| anyhow!("--stake: {e}"))?;
    if coin.denom != denom {
        bail!(
            "--stake: the localnet stakes {denom}, not {} (e.g. --stake 50000000{denom})",
            coin.denom
        );
    }
    let amount = coin
        .amount
        .parse()
        .with_context(|| format!("--stake: bad amount {}", coin.amount))?;
    Ok((format_coins(std::slice::from_ref(&coin)), amount))
}

/// Waits until `node` has committed `height`.
async fn wait_for_block(node: &NodeRecord, height: u64, timeout: Duration) -> Result<()> {
    let started = Instant::now();
    loop {
        let info = rpc::sync_info(node.rpc_addr()?).await;
        if info.as_ref().is_ok_and(|i| i.height >= height) {
            return Ok(());
        }
        if started.elapsed() >= timeout {
            let at = info.map_or_else(|e| format!("{e:#}"), |i| format!("height {}", i.height));
            bail!(
                "{} did not reach height {height} within {timeout:?} ({at})",
                node.name
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Polls `/validators` of the running nodes until `address` (upper-case hex) is listed;
/// returns its voting power and the height of that validator set.
async fn wait_in_validator_set(
    net: &Localnet,
    address: &str,
    timeout: Duration,
) -> Result<(u64, u64)> {
    let started = Instant::now();
    let mut last_error = String::from("no node answered");
    loop {
        for (index, node) in net.nodes().iter().enumerate() {
            if !net.running(index).cometbft {
                continue;
            }
            match rpc::validator_power(node.rpc_addr()?, address).await {
                Ok(Some(found)) => {
                    eprintln!(
                        "  in the validator set at height {} with voting power {} ({:.0?})",
                        found.1,
                        found.0,
                        started.elapsed()
                    );
                    return Ok(found);
                }
                Ok(None) => last_error = format!("{} does not list it yet", node.name),
                Err(err) => last_error = format!("{}: {err:#}", node.name),
            }
            break;
        }
        if started.elapsed() >= timeout {
            bail!(
                "validator {address} did not appear in CometBFT's validator set within \
                 {timeout:?} ({last_error})"
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stake_takes_the_localnet_denom() -> Result<()> {
        assert_eq!(parse_stake("5000000", "uramp")?.0, "5000000uramp");
        assert_eq!(parse_stake("7uramp", "uramp")?.1, 7);
        let wrong = parse_stake("5stake", "uramp").err().map(|e| e.to_string());
        assert!(wrong.unwrap_or_default().contains("stakes uramp"));
        assert!(parse_stake("0uramp", "uramp").is_err());
        assert!(parse_stake("lots", "uramp").is_err());
        Ok(())
    }

    #[test]
    fn missing_localnet_is_a_clear_error() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let err = runtime
            .block_on(run(JoinArgs {
                stake: DEFAULT_STAKE.into(),
                moniker: None,
                home: HomeArg {
                    home: Some(dir.path().join("none")),
                },
            }))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("no localnet at"), "{err}");
        assert!(err.contains("cargo localnet up --detach"), "{err}");
        Ok(())
    }
}
