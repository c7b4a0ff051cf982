//! Consumer chains on the localnet's stake (`cargo localnet consumer up|down|status`).
//!
//! A consumer registered on the provider localnet, once launched, runs here as its own
//! CometBFT network: one consumer node (rampartd with the consumer composition + CometBFT) for
//! each localnet node whose validator is in the consumer's set, signing with that validator's
//! consumer key, plus one relayer (`rampartd relay`) carrying validator-set changes from the
//! provider to the consumer and acknowledgements back. Everything lives in
//! `<localnet home>/consumer<id>/` and is recorded in `localnet.json` under `consumers`.
//!
//! [`up`] is the whole flow as a library call (the end-to-end test uses it); `create` makes the
//! homes, `relayer` runs the relayer and `status` reports on a running consumer.

mod create;
mod provider;
mod relayer;
mod status;

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rampart_client::coins::parse_coin;
use rampart_client::keys::hd::{AccountKey, KeyType};
use rampart_client::keys::mnemonic;
use rampart_client::send::{self, SendPlan};
use rampart_client::{BroadcastMode, NodeClient};

pub use provider::{
    check_trust_fresh, launched, member_nodes, provider_rpc, time_text, Launched, Member,
    START_MARGIN_SECS,
};
pub use relayer::RELAY_INTERVAL_MS;
pub use status::{cometbft_validators, ConsumerStatus, RelayerState, SetMember};

use crate::accounts;
use crate::binaries::Binaries;
use crate::network::{Chain, Localnet};

/// The relayer's key in its `test` keyring.
pub const RELAYER_KEY: &str = "relayer";
/// What the relayer holds on each chain for fees: 1,000 RAMP.
pub const RELAYER_FUNDS: u128 = 1_000_000_000;
/// The fee of the faucet's transfer to the relayer.
const FUNDING_FEE: u128 = 10_000;
/// How long a transaction may take to be committed.
const TX_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the consumer's nodes may take to commit a block after starting.
const BLOCK_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a node added to a running consumer may take to catch up.
const SYNC_TIMEOUT: Duration = Duration::from_secs(180);

/// What [`up`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerUp {
    /// The consumer's id.
    pub consumer_id: u64,
    /// Its chain id.
    pub chain_id: String,
    /// Whether this call created the consumer's homes.
    pub created: bool,
    /// The nodes this call created (all of them when `created`).
    pub added: Vec<String>,
    /// The height every running consumer node had committed when `up` returned.
    pub height: u64,
    /// How long starting it took, from the launch when `up` waited for it.
    pub elapsed: Duration,
}

/// A step's progress line.
fn step(number: u8, text: impl std::fmt::Display) {
    eprintln!("[{number}/5] {text}");
}

/// Runs consumer `consumer_id` of the running provider localnet `net`:
///
/// 1. asks the provider: the consumer must have launched (a clear error says when it will
///    otherwise; with `wait`, it waits for the launch); its genesis set and current set name
///    the validators that sign it; a new consumer must be started within its light client's
///    trusting period of the launch ([`check_trust_fresh`]);
/// 2. creates `<home>/consumer<id>` the first time — one node per localnet validator in either
///    set, the shared genesis, the relayer's key — and, later, nodes for validators that have
///    entered the set since;
/// 3. funds the relayer on the provider from the faucet (it is funded on the consumer at
///    genesis);
/// 4. starts every consumer node that is not running;
/// 5. waits until the consumer answers, starts the relayer (unless it runs), then waits until
///    every consumer node has committed a block beyond the height it started at, and until
///    nodes it added have caught up.
///
/// Running it again on a running consumer starts what is not running (a killed relayer or
/// node) and adds nodes for new validators.
pub async fn up(
    net: &mut Localnet,
    binaries: &Binaries,
    consumer_id: u64,
    wait: bool,
) -> Result<ConsumerUp> {
    let provider_url = provider_rpc(net)?;
    let provider = NodeClient::new(&provider_url)?;
    step(
        1,
        format!("asking the provider ({provider_url}) about consumer {consumer_id}"),
    );
    let launched = launched(&provider, consumer_id, wait).await?;
    let started = Instant::now();
    let created = net.manifest().consumer(consumer_id).is_none();
    if created {
        check_trust_fresh(&launched, unix_now())?;
    }
    let members = member_nodes(net, &launched);
    let chain_id = launched.genesis.chain_id.clone();
    eprintln!(
        "  {chain_id} launched at provider height {}; its validators on this localnet: {}",
        launched.consumer.launch_height,
        members
            .iter()
            .map(|(index, m)| format!("{} (power {})", net.nodes()[*index].name, m.power))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if members.is_empty() {
        bail!(
            "no validator of the localnet in {} is in consumer {consumer_id}'s set: nothing \
             would sign its blocks",
            net.home().display()
        );
    }
    let elsewhere = launched.members.len() - members.len();
    if elsewhere > 0 {
        eprintln!(
            "  note: {elsewhere} validator(s) of its set are not nodes of this localnet; the \
             consumer halts if they hold a third of its power"
        );
    }

    step(
        2,
        if created {
            format!(
                "creating consumer {consumer_id} in {}",
                net.consumer_home(consumer_id).display()
            )
        } else {
            format!("checking consumer {consumer_id}'s nodes against its set")
        },
    );
    let added = net.prepare_consumer(binaries, &provider_url, &launched, &members)?;
    if !created && !added.is_empty() {
        eprintln!("  added {} for validators new in the set", added.join(", "));
    }

    step(3, "funding the relayer on the provider");
    fund_relayer(net, &provider, consumer_id).await?;

    let chain = Chain::Consumer(consumer_id);
    let record = net.consumer(consumer_id)?.clone();
    step(
        4,
        format!(
            "starting consumer {consumer_id}'s nodes ({})",
            record
                .nodes
                .iter()
                .map(|n| format!("{} RPC {}", n.name, n.rpc))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    let was_running: Vec<bool> = (0..record.nodes.len())
        .map(|i| net.running_in(chain, i).cometbft)
        .collect();
    let all: Vec<usize> = (0..record.nodes.len()).collect();
    net.start_chain_nodes(chain, &all, binaries)?;

    step(
        5,
        format!("waiting for {chain_id} to commit a block, then starting its relayer"),
    );
    let statuses = net.wait_for_chain_height(chain, 1, BLOCK_TIMEOUT).await?;
    // Once the consumer answers, the relayer's first round can succeed (a failed round backs
    // off, and the light client must be updated within its trusting period of the launch).
    net.start_relayer(consumer_id, binaries, &provider_url)?;
    let top = statuses.iter().filter_map(|s| s.height).max().unwrap_or(1);
    let statuses = net
        .wait_for_chain_height(chain, top + 1, BLOCK_TIMEOUT)
        .await?;
    for (index, node) in record.nodes.iter().enumerate() {
        if added.contains(&node.name) && was_running.iter().any(|r| *r) {
            net.wait_for_chain_sync(chain, index, SYNC_TIMEOUT).await?;
        }
    }
    let height = statuses
        .iter()
        .filter_map(|s| s.height)
        .min()
        .unwrap_or_default();
    if let Some(node) = record.nodes.first() {
        warn_if_expired(&node.rpc, &chain_id).await;
    }
    Ok(ConsumerUp {
        consumer_id,
        chain_id,
        created,
        added,
        height,
        elapsed: started.elapsed(),
    })
}

/// Seconds since the Unix epoch, by this machine's clock (the localnet's nodes share it).
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Warns when the consumer's light client of the provider has expired (the consumer was
/// stopped for longer than its trusting period): it still makes blocks, but can no longer
/// follow the provider's validator set.
async fn warn_if_expired(consumer_rpc: &str, chain_id: &str) {
    let Ok(node) = NodeClient::new(consumer_rpc) else {
        return;
    };
    let Ok(client) = node.ccv().provider_client().await else {
        return;
    };
    if let Some(expiry) = client.expires_at {
        if u64::try_from(expiry.seconds).unwrap_or_default() <= unix_now() {
            eprintln!(
                "warning: {chain_id}'s light client of the provider expired at {}: the chain \
                 makes blocks but can no longer follow the provider's validator set (it was \
                 stopped for longer than its trusting period; recovery is an operator action — \
                 on the localnet, register a new consumer)",
                time_text(&expiry)
            );
        }
    }
}

/// Sends the relayer [`RELAYER_FUNDS`] from the faucet unless it holds half of that on the
/// provider already.
async fn fund_relayer(net: &Localnet, provider: &NodeClient, consumer_id: u64) -> Result<()> {
    let relayer = net.consumer(consumer_id)?.relayer.address.clone();
    let denom = net
        .manifest()
        .denom
        .clone()
        .unwrap_or_else(|| accounts::DENOM.into());
    let balance: u128 = provider
        .bank()
        .balance(&relayer, &denom)
        .await?
        .amount
        .parse()
        .context("the relayer's balance is not a number")?;
    if balance >= RELAYER_FUNDS / 2 {
        eprintln!("  {relayer} holds {balance}{denom}");
        return Ok(());
    }
    let faucet = net.manifest().faucet.clone().with_context(|| {
        format!(
            "{} has no faucet to fund the relayer {relayer} with; send it {RELAYER_FUNDS}{denom} \
             on the provider",
            net.home().display()
        )
    })?;
    let key = AccountKey::from_mnemonic(&mnemonic::parse(&faucet.mnemonic)?, KeyType::Secp256k1)
        .context("the faucet mnemonic in localnet.json is not usable")?;
    let mut plan = SendPlan::new(
        &relayer,
        vec![parse_coin(&format!("{RELAYER_FUNDS}{denom}"))?],
    );
    plan.fees = vec![parse_coin(&format!("{FUNDING_FEE}{denom}"))?];
    let outcome = send::execute(provider, &key, &plan, BroadcastMode::Block, TX_TIMEOUT)
        .await
        .context("the faucet could not fund the relayer")?;
    eprintln!(
        "  sent {RELAYER_FUNDS}{denom} to {relayer} in block {} (tx {})",
        outcome.height.unwrap_or_default(),
        outcome.hash
    );
    Ok(())
}
