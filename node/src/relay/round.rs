//! One relay round: read both chains ([`view::View`](super::view::View)), deliver to the consumer, acknowledge to the
//! provider, and report what was done ([`RelayReport`]).

use std::time::Instant;

use anyhow::Context;
use serde::Serialize;

use super::ack::{acknowledge, Acknowledgement};
use super::deliver::{deliver, Delivery};
use super::view::read_view;
use super::Relayer;

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
    /// How long the round took, in milliseconds.
    pub latency_ms: u64,
}

impl RelayReport {
    /// Whether the round sent a transaction.
    pub fn relayed(&self) -> bool {
        self.delivery.is_some() || self.acknowledgement.is_some()
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
        parts.push(format!("{} ms", self.latency_ms));
        format!("relayed: {}", parts.join("; "))
    }
}

fn height(h: Option<u64>) -> String {
    h.map_or_else(|| "?".into(), |h| h.to_string())
}

/// One round: reads both chains, sends the consumer the client updates and pending packets
/// they call for, and the provider the acknowledgement of what the consumer applied. A failed
/// delivery does not stop the acknowledgement; the first error is returned.
pub async fn relay_once(r: &Relayer) -> anyhow::Result<RelayReport> {
    let started = Instant::now();
    let view = read_view(r).await?;
    let delivered = deliver(r, &view).await;
    let acknowledged = acknowledge(r, &view).await;
    let delivery = delivered.context("delivering to the consumer")?;
    let acknowledgement = acknowledged.context("acknowledging to the provider")?;
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
        latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

#[cfg(test)]
mod tests {
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
            latency_ms: 850,
        };
        assert!(report.relayed());
        assert_eq!(
            report.summary(),
            "relayed: provider height 40, consumer height 11; client updated to [40], packets \
             [2, 3] proven at provider height 39 (consumer tx AB at 12); 850 ms"
        );
    }
}
