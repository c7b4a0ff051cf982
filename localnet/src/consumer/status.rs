//! How a consumer chain is doing: its nodes' heights, its CometBFT validator set against the set
//! the provider last sent, the relayer's progress (applied packets, lag) and its light client of
//! the provider.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use base64::Engine as _;
use rampart_client::NodeClient;
use serde::Serialize;
use serde_json::Value;

use super::provider::time_text;
use crate::accounts::operator_of_node;
use crate::network::{Chain, Localnet, NodeStatus};
use crate::rpc;

/// One validator of a set, by its consensus key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SetMember {
    /// The ed25519 public key, base64 (as CometBFT's `/validators` shows it).
    pub pub_key: String,
    /// Voting power.
    pub power: u64,
    /// The provider operator (`rampartvaloper1…`), when known.
    pub operator: Option<String>,
    /// The localnet node whose validator it is, when it is one.
    pub node: Option<String>,
}

/// The relayer's process and what it last reported.
#[derive(Clone, Debug, Serialize)]
pub struct RelayerState {
    /// Whether its process is running.
    pub running: bool,
    /// Its PID while running.
    pub pid: Option<u32>,
    /// Its log file.
    pub log: PathBuf,
    /// The content of its status file (`--status-file`), if it wrote one.
    pub status: Option<Value>,
}

/// A consumer chain as [`Localnet::consumer_status`] sees it; a field is `None` when the node
/// that knows it did not answer (`errors` says why).
#[derive(Clone, Debug, Serialize)]
pub struct ConsumerStatus {
    /// The consumer's id on the provider.
    pub consumer_id: u64,
    /// Its chain id.
    pub chain_id: String,
    /// Its nodes.
    pub nodes: Vec<NodeStatus>,
    /// Its relayer.
    pub relayer: RelayerState,
    /// The height of `consumer_set`.
    pub consumer_set_height: Option<u64>,
    /// The consumer's CometBFT validator set (`/validators`), by key.
    pub consumer_set: Option<Vec<SetMember>>,
    /// The set the provider last sent (`query consumer validators`), by key.
    pub provider_set: Option<Vec<SetMember>>,
    /// Whether both sets have the same keys and powers.
    pub sets_match: Option<bool>,
    /// The last validator-set-change packet the consumer applied (`query ccv applied-vsc`).
    pub applied_vsc: Option<u64>,
    /// The last packet the provider sent the consumer.
    pub provider_vsc: Option<u64>,
    /// The last packet the provider recorded as acknowledged by the consumer.
    pub acknowledged_vsc: Option<u64>,
    /// How many packets the consumer has yet to apply.
    pub lag: Option<u64>,
    /// The provider height the consumer's light client trusts last.
    pub client_height: Option<u64>,
    /// When that trust expires (`YYYY-MM-DDTHH:MM:SSZ`): the relayer must update the client
    /// before, or the consumer can no longer follow the provider.
    pub client_expires: Option<String>,
    /// Whatever could not be asked.
    pub errors: Vec<String>,
}

/// CometBFT's validator set at `height` (`None`: the latest) from the RPC at `addr`: the height
/// and `(base64 ed25519 key, power)` sorted by key.
pub async fn cometbft_validators(
    addr: SocketAddr,
    height: Option<u64>,
) -> Result<(u64, Vec<(String, u64)>)> {
    let path = match height {
        Some(h) => format!("validators?height={h}&per_page=100"),
        None => "validators?per_page=100".into(),
    };
    let result = rpc::get(addr, &path).await?;
    let number = |v: &Value| match v {
        Value::String(s) => s.parse().ok(),
        other => other.as_u64(),
    };
    let at = number(&result["block_height"]).context("/validators: bad block_height")?;
    let mut set = Vec::new();
    for v in result["validators"]
        .as_array()
        .context("/validators: no validators")?
    {
        let key = v["pub_key"]["value"]
            .as_str()
            .context("/validators: no pub_key")?;
        let power = number(&v["voting_power"]).context("/validators: bad voting_power")?;
        set.push((key.to_owned(), power));
    }
    set.sort();
    Ok((at, set))
}

/// Asking a consumer chain, its provider and its relayer how things are.
impl Localnet {
    /// The status of consumer `consumer_id` (which this localnet must run).
    pub async fn consumer_status(&self, consumer_id: u64) -> Result<ConsumerStatus> {
        let record = self.consumer(consumer_id)?.clone();
        let chain = Chain::Consumer(consumer_id);
        let nodes = self.chain_status(chain).await;
        let mut status = ConsumerStatus {
            consumer_id,
            chain_id: record.chain_id.clone(),
            nodes: Vec::new(),
            relayer: RelayerState {
                running: self.relayer_running(consumer_id),
                pid: record
                    .relayer
                    .pid
                    .filter(|_| self.relayer_running(consumer_id)),
                log: record.relayer.log.clone(),
                status: self.relayer_status(consumer_id),
            },
            consumer_set_height: None,
            consumer_set: None,
            provider_set: None,
            sets_match: None,
            applied_vsc: None,
            provider_vsc: None,
            acknowledged_vsc: None,
            lag: None,
            client_height: None,
            client_expires: None,
            errors: Vec::new(),
        };
        let names = self.node_names_by_operator();
        // The consumer: the first node that answers.
        let answering = nodes
            .iter()
            .find(|s| s.height.is_some())
            .and_then(|s| record.nodes.get(s.index));
        match answering {
            Some(node) => self.ask_consumer(node, &names, &mut status).await,
            None => status
                .errors
                .push(format!("no node of consumer {consumer_id} answers")),
        }
        match self.running_rpc() {
            Some(url) => {
                if let Err(err) = ask_provider(&url, consumer_id, &names, &mut status).await {
                    status.errors.push(format!("provider: {err:#}"));
                }
            }
            None => status.errors.push("the provider is not running".into()),
        }
        if let (Some(consumer), Some(provider)) = (&status.consumer_set, &status.provider_set) {
            let keys = |set: &[SetMember]| -> Vec<(String, u64)> {
                set.iter().map(|m| (m.pub_key.clone(), m.power)).collect()
            };
            status.sets_match = Some(keys(consumer) == keys(provider));
        }
        if let (Some(applied), Some(sent)) = (status.applied_vsc, status.provider_vsc) {
            status.lag = Some(sent.saturating_sub(applied));
        }
        status.nodes = nodes;
        Ok(status)
    }

    /// Provider operator → the localnet node whose validator it is.
    fn node_names_by_operator(&self) -> BTreeMap<String, String> {
        self.nodes()
            .iter()
            .filter_map(|n| Some((operator_of_node(&n.home).ok()?, n.name.clone())))
            .collect()
    }

    /// Fills in what the consumer node `node` knows: its CometBFT set, applied packet and
    /// light client.
    async fn ask_consumer(
        &self,
        node: &crate::manifest::NodeRecord,
        names: &BTreeMap<String, String>,
        status: &mut ConsumerStatus,
    ) {
        let client = match NodeClient::new(&node.rpc) {
            Ok(client) => client,
            Err(err) => return status.errors.push(format!("{}: {err:#}", node.name)),
        };
        // Operators by consumer key, from the consumer's own record of the set.
        let mut operators = BTreeMap::new();
        match client.ccv().validators().await {
            Ok(set) => {
                for v in set {
                    operators.insert(base64(&v.consumer_pubkey), v.provider_operator);
                }
            }
            Err(err) => status
                .errors
                .push(format!("{}: query ccv validators: {err:#}", node.name)),
        }
        match node.rpc_addr() {
            Ok(addr) => match cometbft_validators(addr, None).await {
                Ok((height, set)) => {
                    status.consumer_set_height = Some(height);
                    status.consumer_set = Some(
                        set.into_iter()
                            .map(|(pub_key, power)| {
                                let operator = operators.get(&pub_key).cloned();
                                let node = operator.as_ref().and_then(|o| names.get(o)).cloned();
                                SetMember {
                                    pub_key,
                                    power,
                                    operator,
                                    node,
                                }
                            })
                            .collect(),
                    );
                }
                Err(err) => status.errors.push(format!("{}: {err:#}", node.name)),
            },
            Err(err) => status.errors.push(format!("{err:#}")),
        }
        match client.ccv().applied_vsc().await {
            Ok(applied) => status.applied_vsc = Some(applied.vsc_id),
            Err(err) => status
                .errors
                .push(format!("{}: query ccv applied-vsc: {err:#}", node.name)),
        }
        match client.ccv().provider_client().await {
            Ok(answer) => {
                status.client_height = answer.client.map(|c| c.latest_height);
                status.client_expires = answer.expires_at.as_ref().map(time_text);
            }
            Err(err) => status
                .errors
                .push(format!("{}: query ccv provider-client: {err:#}", node.name)),
        }
    }
}

/// Fills in what the provider at `url` knows about the consumer: the set it last sent and the
/// last packet.
async fn ask_provider(
    url: &str,
    consumer_id: u64,
    names: &BTreeMap<String, String>,
    status: &mut ConsumerStatus,
) -> Result<()> {
    let provider = NodeClient::new(url)?;
    let set = provider.consumer().validators(consumer_id).await?;
    let mut members: Vec<SetMember> = set
        .validators
        .into_iter()
        .map(|v| SetMember {
            pub_key: base64(&v.consumer_pubkey),
            power: v.power,
            node: names.get(&v.operator).cloned(),
            operator: Some(v.operator),
        })
        .collect();
    members.sort();
    status.provider_set = Some(members);
    let consumer = provider.consumer().consumer(consumer_id).await?;
    let pending = provider.consumer().pending_packets(consumer_id).await?;
    let sent = pending.iter().map(|p| p.vsc_id).max().unwrap_or_default();
    status.provider_vsc = Some(sent.max(consumer.last_acknowledged_vsc));
    status.acknowledged_vsc = Some(consumer.last_acknowledged_vsc);
    Ok(())
}

/// Standard base64.
fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
