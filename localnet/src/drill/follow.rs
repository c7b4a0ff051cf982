//! A consumer drill's check that the consumer keeps following the provider through every fault.
//!
//! A consumer only hears from the provider when its validator set changes, so before each fault
//! one provider validator changes its pledge to the consumer ([`Follower::change_pledge`]:
//! down by [`PLEDGE_STEP_BPS`], back up at its next turn, validators in turn). The provider's
//! next epoch then sends a validator-set-change packet while the fault is on. Once the fault is
//! recovered, the relayer must deliver the packet and carry the acknowledgement back: the
//! consumer's applied vsc id, the provider's last sent and its last acknowledged must be equal
//! again, past the packet sent for the change, with the consumer's CometBFT set equal to the set
//! the provider sent ([`Localnet::consumer_status`], the `status` command's relayer lag) within
//! [`FOLLOW_LIMIT`] of the recovery.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rampart_client::keys::hd::AccountKey;
use rampart_client::keys::keyring::{Backend, Keyring};
use rampart_client::msgs::restaking::set_pledge_msg;
use rampart_client::submit::{execute_tx, TxSettings};
use rampart_client::{BroadcastMode, NodeClient};

use crate::accounts::{operator_of_node, OPERATOR_KEY};
use crate::consumer::provider_rpc;
use crate::network::Localnet;

/// After a fault is recovered, the consumer must have applied and acknowledged the provider's
/// latest packet within this long. It covers the relayer's longest backoff after failed rounds
/// (30 s, `rampartd relay`), an epoch of the provider (5 blocks on the localnet) and the two
/// transactions of the relay.
pub const FOLLOW_LIMIT: Duration = Duration::from_secs(60);
/// How long the drill waits for the consumer to follow before it goes on.
const FOLLOW_GIVE_UP: Duration = Duration::from_secs(120);
/// How far a pledge is moved: 5 % of the validator's bonded tokens.
pub const PLEDGE_STEP_BPS: u32 = 500;
/// How long a pledge change may take to be committed on the provider.
const TX_TIMEOUT: Duration = Duration::from_secs(60);

/// One provider validator pledged to the consumer.
struct Pledger {
    node: String,
    key: AccountKey,
    operator: String,
    base_bps: u32,
    lowered: bool,
}

/// Changes pledges and watches the consumer follow.
pub struct Follower {
    consumer_id: u64,
    pledgers: Vec<Pledger>,
    next: usize,
}

/// A pledge change made before a fault: the packet it causes must reach the consumer.
#[derive(Clone, Debug)]
pub struct PledgeChange {
    /// `node2 2500→2000 bps`.
    pub text: String,
    /// The provider's last sent vsc id before the change: the consumer must get past it.
    pub sent_before: u64,
}

impl Follower {
    /// The localnet validators with an active pledge to consumer `consumer_id` (their operator
    /// keys are in their node homes).
    pub async fn new(net: &Localnet, consumer_id: u64) -> Result<Self> {
        let provider = NodeClient::new(&provider_rpc(net)?)?;
        let pledges = provider.restaking().consumer_pledges(consumer_id).await?;
        let mut pledgers = Vec::new();
        for node in net.nodes() {
            let operator = operator_of_node(&node.home)?;
            let Some(pledge) = pledges
                .iter()
                .find(|p| p.validator == operator && p.pledge_bps > 0)
            else {
                continue;
            };
            let key = Keyring::open(&node.home, Backend::Test).private_key(OPERATOR_KEY, None)?;
            pledgers.push(Pledger {
                node: node.name.clone(),
                key,
                operator,
                base_bps: pledge.pledge_bps,
                lowered: false,
            });
        }
        if pledgers.is_empty() {
            bail!("no validator of the localnet pledges to consumer {consumer_id}");
        }
        Ok(Self {
            consumer_id,
            pledgers,
            next: 0,
        })
    }

    /// Moves the next validator's pledge (down by [`PLEDGE_STEP_BPS`] from where it was, or
    /// up when it cannot go down; back at its next turn) and waits for the transaction to be
    /// committed on the provider.
    pub async fn change_pledge(&mut self, net: &Localnet) -> Result<PledgeChange> {
        let provider = NodeClient::new(&provider_rpc(net)?)?;
        let sent_before = progress(net, self.consumer_id).await?.sent;
        let index = self.next % self.pledgers.len();
        self.next += 1;
        let pledger = &mut self.pledgers[index];
        let moved = if pledger.base_bps > PLEDGE_STEP_BPS {
            pledger.base_bps - PLEDGE_STEP_BPS
        } else {
            pledger.base_bps + PLEDGE_STEP_BPS
        };
        let (from, to) = if pledger.lowered {
            (moved, pledger.base_bps)
        } else {
            (pledger.base_bps, moved)
        };
        let validator = rampart_client::address::validator(&pledger.operator, "operator")?;
        let msg = set_pledge_msg(&validator, self.consumer_id, to);
        execute_tx(
            &provider,
            &pledger.key,
            vec![msg],
            &TxSettings::default(),
            BroadcastMode::Block,
            TX_TIMEOUT,
        )
        .await
        .with_context(|| format!("{} setting its pledge to {to} bps", pledger.node))?;
        pledger.lowered = !pledger.lowered;
        Ok(PledgeChange {
            text: format!("{} {from}→{to} bps", pledger.node),
            sent_before,
        })
    }

    /// Waits until the consumer has applied, and the provider has recorded as acknowledged, a
    /// packet after `change` and every packet the provider sent, with the consumer's set equal
    /// to the provider's; returns how long after `started` (the recovery) that was.
    pub async fn wait_followed(
        &self,
        net: &Localnet,
        change: &PledgeChange,
        started: Instant,
    ) -> Result<Duration> {
        let mut last = VscProgress::default();
        loop {
            if let Ok(now) = progress(net, self.consumer_id).await {
                if now.followed() && now.sent > change.sent_before {
                    return Ok(started.elapsed());
                }
                if now.client_expired {
                    bail!(
                        "the consumer's light client of the provider expired (relayer: not \
                         within trusting period): it can no longer follow the provider \
                         (pledge change {}: sent vsc {}, applied {})",
                        change.text,
                        now.sent,
                        now.applied
                    );
                }
                last = now;
            }
            if started.elapsed() > FOLLOW_GIVE_UP {
                bail!(
                    "the consumer did not follow the provider within {FOLLOW_GIVE_UP:?} of the \
                     recovery (pledge change {}: sent vsc {} (was {}), applied {}, \
                     acknowledged {}, sets equal: {})",
                    change.text,
                    last.sent,
                    change.sent_before,
                    last.applied,
                    last.acknowledged,
                    last.sets_match
                );
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

/// Where the provider, the consumer and the relay stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VscProgress {
    /// The last vsc id the provider sent.
    pub sent: u64,
    /// The last the consumer applied.
    pub applied: u64,
    /// The last the provider recorded as acknowledged.
    pub acknowledged: u64,
    /// Whether the consumer's CometBFT set equals the set the provider last sent.
    pub sets_match: bool,
    /// Whether the relayer's last round failed because the consumer's light client of the
    /// provider expired (no relay can recover it).
    pub client_expired: bool,
}

impl VscProgress {
    /// Everything sent was applied and acknowledged, and the consumer runs the sent set.
    pub fn followed(&self) -> bool {
        self.applied == self.sent && self.acknowledged == self.sent && self.sets_match
    }
}

/// Asks the provider and the consumer ([`Localnet::consumer_status`]).
pub async fn progress(net: &Localnet, consumer_id: u64) -> Result<VscProgress> {
    let status = net.consumer_status(consumer_id).await?;
    match (
        status.provider_vsc,
        status.applied_vsc,
        status.acknowledged_vsc,
    ) {
        (Some(sent), Some(applied), Some(acknowledged)) => Ok(VscProgress {
            sent,
            applied,
            acknowledged,
            sets_match: status.sets_match == Some(true),
            client_expired: status.relayer.status.as_ref().is_some_and(|s| {
                s["last_error"]
                    .as_str()
                    .is_some_and(|e| e.contains("not within trusting period"))
            }),
        }),
        _ => bail!(
            "consumer {consumer_id}'s progress is unknown: {}",
            status.errors.join("; ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn followed_needs_all_three_equal_and_the_same_set() {
        let mut p = VscProgress {
            sent: 4,
            applied: 4,
            acknowledged: 4,
            sets_match: true,
            client_expired: false,
        };
        assert!(p.followed());
        p.acknowledged = 3;
        assert!(!p.followed());
        p.acknowledged = 4;
        p.applied = 3;
        assert!(!p.followed());
        p.applied = 4;
        p.sets_match = false;
        assert!(!p.followed());
    }
}
