//! One relay round: read both chains ([`view::View`](super::view::View)), deliver to the
//! consumer, acknowledge to the provider, forward the consumer's infractions (downtime records,
//! double votes) to the provider, and report what was done ([`RelayReport`]).

use std::time::Instant;

use anyhow::Context;
use serde::Serialize;

use super::ack::{acknowledge, Acknowledgement};
use super::deliver::{deliver, Delivery};
use super::double_vote::{forward_double_votes, DoubleVotePass};
use super::downtime::{forward_downtime, DowntimePass};
use super::view::read_view;
use super::Relayer;

/// Where a round resumes the work of earlier rounds of the same process (only to save work: a
/// default one, as after a restart, is always correct).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resume {
    /// The last consumer height scanned for double votes (0: none).
    pub scanned_height: u64,
    /// The last downtime seq the provider processed, as far as the relayer knows (0: none).
    pub downtime_seq: u64,
}

/// What a round saw and did. Heights and ids are as read at the round's start, advanced by what
/// the round itself committed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelayReport {
    /// The provider's height.
    pub provider_height: u64,
    /// The consumer's height.
    pub consumer_height: u64,
    /// The client's latest trusted provider height.
    pub client_height: u64,
    /// The highest vsc id the consumer applied.
    pub applied_vsc: u64,
    /// The highest vsc id the provider recorded as acknowledged.
    pub acknowledged_vsc: u64,
    /// The consumer transaction, if one was sent.
    pub delivery: Option<Delivery>,
    /// The provider transaction, if one was sent.
    pub acknowledgement: Option<Acknowledgement>,
    /// The downtime records forwarded to the provider.
    pub downtime: DowntimePass,
    /// The consumer blocks scanned for double votes and the double votes forwarded.
    pub double_votes: DoubleVotePass,
    /// How long the round took, in milliseconds.
    pub latency_ms: u64,
}

impl RelayReport {
    /// Whether the round sent a transaction.
    pub fn relayed(&self) -> bool {
        self.delivery.is_some()
            || self.acknowledgement.is_some()
            || !self.downtime.forwarded.is_empty()
            || !self.double_votes.forwarded.is_empty()
    }

    /// The one log line of a round that relayed: heights, packets, transactions and latency.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!(
            "provider height {}, consumer height {}",
            self.provider_height, self.consumer_height
        )];
        if let Some(d) = &self.delivery {
            let updates = if d.updates.is_empty() {
                String::new()
            } else {
                format!("client updated to {:?}, ", d.updates)
            };
            parts.push(format!(
                "{updates}packets {:?} proven at provider height {} (consumer tx {} at {})",
                d.packets,
                d.proof_height,
                d.tx.hash,
                height(d.tx.height)
            ));
        }
        if let Some(a) = &self.acknowledgement {
            parts.push(format!(
                "acknowledged vsc {} with consumer header {} (provider tx {} at {})",
                a.vsc_id,
                a.consumer_height,
                a.tx.hash,
                height(a.tx.height)
            ));
        }
        let seqs: Vec<u64> = self.downtime.forwarded.iter().map(|d| d.seq).collect();
        if !seqs.is_empty() {
            parts.push(format!("downtime records {seqs:?} forwarded"));
        }
        if self.downtime.throttled {
            parts.push("downtime throttled (retried later)".into());
        }
        for d in &self.double_votes.forwarded {
            parts.push(format!(
                "double vote of {} at consumer height {} forwarded (provider tx {} at {})",
                d.validator_address,
                d.vote_height,
                d.tx.hash,
                height(d.tx.height)
            ));
        }
        parts.push(format!("{} ms", self.latency_ms));
        format!("relayed: {}", parts.join("; "))
    }
}

fn height(h: Option<u64>) -> String {
    h.map_or_else(|| "?".into(), |h| h.to_string())
}

/// One round: reads both chains, sends the consumer the client updates and pending packets
/// they call for, and the provider the acknowledgement of what the consumer applied, the
/// consumer's downtime records it has not processed and the double votes committed in the
/// consumer blocks after those earlier rounds scanned (`resume`). A failed step does not stop
/// the next; the first error is returned.
pub async fn relay_once(r: &Relayer, resume: Resume) -> anyhow::Result<RelayReport> {
    let started = Instant::now();
    let view = read_view(r).await?;
    let delivered = deliver(r, &view).await;
    let acknowledged = acknowledge(r, &view).await;
    let downtime = forward_downtime(r, &view, resume.downtime_seq).await;
    let double_votes = forward_double_votes(r, &view, resume.scanned_height).await;
    let delivery = delivered.context("delivering to the consumer")?;
    let acknowledgement = acknowledged.context("acknowledging to the provider")?;
    let downtime = downtime.context("forwarding downtime to the provider")?;
    let double_votes = double_votes.context("forwarding double votes to the provider")?;
    let client_height = delivery
        .as_ref()
        .and_then(|d| d.updates.last().copied())
        .unwrap_or(0)
        .max(view.client.latest_height);
    let applied_vsc = delivery
        .as_ref()
        .and_then(|d| d.packets.last().copied())
        .unwrap_or(0)
        .max(view.applied_vsc);
    let acknowledged_vsc = acknowledgement
        .as_ref()
        .map_or(0, |a| a.vsc_id)
        .max(view.acknowledged_vsc);
    Ok(RelayReport {
        provider_height: view.provider_height,
        consumer_height: view.consumer_height,
        client_height,
        applied_vsc,
        acknowledged_vsc,
        delivery,
        acknowledgement,
        downtime,
        double_votes,
        latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::super::double_vote::ForwardedDoubleVote;
    use super::super::downtime::ForwardedDowntime;
    use super::*;

    #[test]
    fn the_summary_names_heights_packets_and_latency() {
        let tx = rampart_client::TxOutcome {
            hash: "AB".into(),
            height: Some(12),
            code: 0,
            codespace: String::new(),
            log: String::new(),
            gas_wanted: None,
            gas_used: None,
        };
        let report = RelayReport {
            provider_height: 40,
            consumer_height: 11,
            client_height: 40,
            applied_vsc: 3,
            acknowledged_vsc: 1,
            delivery: Some(Delivery {
                updates: vec![40],
                proof_height: 39,
                packets: vec![2, 3],
                tx: tx.clone(),
            }),
            acknowledgement: None,
            downtime: DowntimePass::default(),
            double_votes: DoubleVotePass::default(),
            latency_ms: 850,
        };
        assert!(report.relayed());
        assert_eq!(
            report.summary(),
            "relayed: provider height 40, consumer height 11; client updated to [40], packets \
             [2, 3] proven at provider height 39 (consumer tx AB at 12); 850 ms"
        );

        let mut infractions = report.clone();
        infractions.delivery = None;
        infractions.downtime = DowntimePass {
            forwarded: vec![ForwardedDowntime {
                seq: 4,
                consumer_address: "AA".into(),
                infraction_height: 9,
                consumer_height: 11,
                tx: tx.clone(),
            }],
            throttled: true,
            last_seq: 4,
        };
        infractions.double_votes.forwarded = vec![ForwardedDoubleVote {
            evidence_height: 10,
            vote_height: 8,
            validator_address: "BB".into(),
            tx,
        }];
        assert!(infractions.relayed());
        assert_eq!(
            infractions.summary(),
            "relayed: provider height 40, consumer height 11; downtime records [4] forwarded; \
             downtime throttled (retried later); double vote of BB at consumer height 8 \
             forwarded (provider tx AB at 12); 850 ms"
        );
    }
}
