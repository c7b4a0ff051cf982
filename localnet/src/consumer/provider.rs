//! What the provider says about a consumer: whether it has launched, and which validators — so
//! which localnet nodes — sign its blocks with which keys.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use rampart_client::NodeClient;
use rampart_proto::rampart::consumer::v1 as pb;

use crate::accounts::operator_of_node;
use crate::genesis::rfc3339;
use crate::network::Localnet;

/// How often a waiting `consumer up` asks whether the consumer has launched.
const LAUNCH_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// A validator that signs a consumer's blocks, as the provider records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Its provider operator (`rampartvaloper1…`).
    pub operator: String,
    /// The ed25519 key it signs the consumer's blocks with (32 bytes).
    pub consumer_pubkey: Vec<u8>,
    /// Its consumer power in the set the provider last sent (0: only in the genesis set, on its
    /// way out).
    pub power: u64,
}

/// A launched consumer: its registry entry, the genesis it launched with and the validators of
/// its genesis set and of the set the provider last sent.
#[derive(Clone, Debug)]
pub struct Launched {
    /// The registry entry.
    pub consumer: pb::Consumer,
    /// The genesis written at launch.
    pub genesis: pb::ConsumerGenesis,
    /// Every validator of the genesis set or the current set, by operator.
    pub members: BTreeMap<String, Member>,
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a protobuf timestamp.
pub fn time_text(ts: &tendermint_proto::google::protobuf::Timestamp) -> String {
    let secs = u64::try_from(ts.seconds).unwrap_or_default();
    let mut text = rfc3339(secs, 0);
    // Whole seconds are enough for messages: drop ".000000000".
    if let Some(dot) = text.find('.') {
        text.replace_range(dot..text.len() - 1, "");
    }
    text
}

/// How close to the end of the light client's trust in the launch header a new consumer may
/// still be started: its nodes need a few seconds to start and the relayer one round to update
/// the client.
pub const START_MARGIN_SECS: u64 = 10;

/// Consumer `consumer_id` as the provider at `provider` knows it; fails with what to do unless
/// it has launched — or, with `wait`, waits for the launch while it is scheduled.
pub async fn launched(provider: &NodeClient, consumer_id: u64, wait: bool) -> Result<Launched> {
    let mut progress = crate::progress::Progress::new();
    let consumer = loop {
        let consumer = provider
            .consumer()
            .consumer(consumer_id)
            .await
            .with_context(|| {
                format!(
                    "consumer {consumer_id} is not registered on the provider (see `rampartd \
                     query consumer consumers`)"
                )
            })?;
        let phase =
            pb::ConsumerPhase::try_from(consumer.phase).unwrap_or(pb::ConsumerPhase::Unspecified);
        match (phase, &consumer.spawn_time) {
            (pb::ConsumerPhase::Launched, _) => break consumer,
            (pb::ConsumerPhase::Registered, Some(spawn)) if wait => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let left = u64::try_from(spawn.seconds)
                    .unwrap_or_default()
                    .saturating_sub(now);
                progress.update(&format!(
                    "  waiting for its launch at {} ({left}s left)",
                    time_text(spawn)
                ));
                tokio::time::sleep(LAUNCH_POLL).await;
            }
            (pb::ConsumerPhase::Registered, Some(spawn)) => bail!(
                "consumer {consumer_id} is registered, launches at {} (if enough validators \
                 have opted in); `cargo localnet consumer up {consumer_id} --wait` starts it as \
                 soon as it launches",
                time_text(spawn)
            ),
            (pb::ConsumerPhase::Registered, None) => bail!(
                "consumer {consumer_id} is registered but has no spawn time (not scheduled, or \
                 its launch failed for lack of validators); set one with `rampartd tx consumer \
                 update {consumer_id} --spawn-time …`"
            ),
            (pb::ConsumerPhase::Stopped | pb::ConsumerPhase::Deleted, _) => bail!(
                "consumer {consumer_id} ({}) was stopped by the provider: there is no chain to run",
                consumer.chain_id
            ),
            (pb::ConsumerPhase::Unspecified, _) => bail!(
                "consumer {consumer_id} is in an unknown phase {}",
                consumer.phase
            ),
        }
    };
    let genesis = provider
        .consumer()
        .genesis(consumer_id)
        .await?
        .genesis
        .with_context(|| format!("launched consumer {consumer_id} has no genesis"))?;
    let current = provider.consumer().validators(consumer_id).await?;
    let mut members = BTreeMap::new();
    for v in &genesis.initial_validators {
        members.insert(
            v.provider_operator.clone(),
            Member {
                operator: v.provider_operator.clone(),
                consumer_pubkey: v.consumer_pubkey.clone(),
                power: 0,
            },
        );
    }
    // The current set wins: its key is the one the validator signs with from now on.
    for v in &current.validators {
        members.insert(
            v.operator.clone(),
            Member {
                operator: v.operator.clone(),
                consumer_pubkey: v.consumer_pubkey.clone(),
                power: v.power,
            },
        );
    }
    Ok(Launched {
        consumer,
        genesis,
        members,
    })
}

/// Fails unless a consumer started at `now_unix` (seconds) can still follow the provider: its
/// light client trusts the launch header for the trusting period only (2/3 of the consumer's
/// unbonding period — 40 s on the localnet, whose unbonding takes 60 s), and the relayer must
/// update it before that, [`START_MARGIN_SECS`] included.
pub fn check_trust_fresh(launched: &Launched, now_unix: u64) -> Result<()> {
    let consumer_id = launched.consumer.consumer_id;
    let launch = launched
        .genesis
        .provider_time
        .as_ref()
        .context("the consumer genesis has no launch time")?;
    let trusting = launched.genesis.trusting_period_seconds;
    let launched_at = u64::try_from(launch.seconds).unwrap_or_default();
    let age = now_unix.saturating_sub(launched_at);
    if age.saturating_add(START_MARGIN_SECS) >= trusting {
        bail!(
            "consumer {consumer_id} launched {age} s ago (at {}), but its light client of the \
             provider trusts the launch header for {trusting} s only (2/3 of its unbonding \
             period): a consumer chain started now could never verify the provider. Start a \
             consumer right at its launch — `cargo localnet consumer up <id> --wait` waits for \
             it — so register a new one and try again",
            time_text(launch)
        );
    }
    Ok(())
}

/// The provider nodes of `net` whose validators are `members`, as `(node index, member)` in
/// node order. Nodes without an operator key (none in a localnet) are skipped.
pub fn member_nodes(net: &Localnet, launched: &Launched) -> Vec<(usize, Member)> {
    net.nodes()
        .iter()
        .enumerate()
        .filter_map(|(index, node)| {
            let operator = operator_of_node(&node.home).ok()?;
            launched
                .members
                .get(&operator)
                .map(|member| (index, member.clone()))
        })
        .collect()
}

/// The RPC URL of the first provider node whose CometBFT is running, or an error saying how to
/// start the localnet.
pub fn provider_rpc(net: &Localnet) -> Result<String> {
    net.running_rpc().with_context(|| {
        format!(
            "the provider localnet in {} is not running; start it with `cargo localnet up \
                 --detach`",
            net.home().display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times_to_the_second() {
        let ts = tendermint_proto::google::protobuf::Timestamp {
            seconds: 951_782_400,
            nanos: 5,
        };
        assert_eq!(time_text(&ts), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn a_consumer_starts_only_while_its_trust_anchor_is_fresh() {
        let launched = Launched {
            consumer: pb::Consumer {
                consumer_id: 3,
                ..Default::default()
            },
            genesis: pb::ConsumerGenesis {
                provider_time: Some(tendermint_proto::google::protobuf::Timestamp {
                    seconds: 1_000,
                    nanos: 0,
                }),
                trusting_period_seconds: 40,
                ..Default::default()
            },
            members: BTreeMap::new(),
        };
        assert!(check_trust_fresh(&launched, 1_000).is_ok());
        assert!(check_trust_fresh(&launched, 1_029).is_ok());
        let err = check_trust_fresh(&launched, 1_030)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("consumer 3 launched 30 s ago") && err.contains("for 40 s only"),
            "{err}"
        );
        assert!(err.contains("--wait"), "{err}");
    }
}
