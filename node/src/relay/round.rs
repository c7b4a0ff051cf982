//! One relay round: read both chains ([`View`]), deliver to the consumer, acknowledge to the
//! provider, and report what was done ([`RelayReport`]).

use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use rampart_proto::rampart::ccv::v1 as ccv;
use rampart_proto::rampart::consumer::v1::ValidatorSetChangePacket;
use serde::Serialize;

use super::ack::{acknowledge, Acknowledgement};
use super::deliver::{deliver, Delivery};
use super::Relayer;

/// What a round read from both chains before acting.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// The provider's latest committed height.
    pub provider_height: u64,
    /// The consumer's latest committed height.
    pub consumer_height: u64,
    /// The consumer's light client of the provider.
    pub client: ccv::ProviderClient,
    /// The time of the client's latest trusted header.
    pub client_time: tendermint::Time,
    /// The highest vsc id the consumer applied.
    pub applied_vsc: u64,
    /// The highest vsc id the provider recorded as acknowledged.
    pub acknowledged_vsc: u64,
    /// The vsc ids the provider stores and the consumer has not applied, in order, contiguous
    /// from `applied_vsc + 1`.
    pub pending: Vec<u64>,
}

/// Reads both chains (concurrently).
pub async fn read_view(r: &Relayer) -> anyhow::Result<View> {
    let ccv = r.consumer.node.ccv();
    let registry = r.provider.node.consumer();
    let (params, client, applied, consumer_height, provider_height, record, packets) = tokio::try_join!(
        async { ccv.params().await.context("consumer: ccv params") },
        async {
            ccv.provider_client()
                .await
                .context("consumer: provider client")
        },
        async { ccv.applied_vsc().await.context("consumer: applied vsc") },
        async { r.consumer.latest_height().await.context("consumer: height") },
        async { r.provider.latest_height().await.context("provider: height") },
        async {
            registry
                .consumer(r.consumer_id)
                .await
                .with_context(|| format!("provider: consumer {}", r.consumer_id))
        },
        async {
            registry
                .pending_packets(r.consumer_id)
                .await
                .context("provider: pending packets")
        },
    )?;
    if params.consumer_id != r.consumer_id {
        bail!(
            "the consumer node at {} runs consumer {}, not {}",
            r.consumer.url(),
            params.consumer_id,
            r.consumer_id
        );
    }
    let client_time = client
        .latest_time
        .ok_or_else(|| anyhow!("consumer: the provider client has no latest time"))?;
    let client_time = tendermint::Time::try_from(client_time)
        .map_err(|e| anyhow!("consumer: the provider client's latest time: {e}"))?;
    Ok(View {
        provider_height,
        consumer_height,
        client: client
            .client
            .ok_or_else(|| anyhow!("consumer: no provider client"))?,
        client_time,
        applied_vsc: applied.vsc_id,
        acknowledged_vsc: record.last_acknowledged_vsc,
        pending: pending_after(&packets, r.consumer_id, applied.vsc_id)?,
    })
}

/// The vsc ids of `packets` above `applied`, in order and contiguous from `applied + 1` (a later
/// gap is left to a later round). `Err` for a packet of another consumer, or when the next
/// packet the consumer needs is not among them.
pub fn pending_after(
    packets: &[ValidatorSetChangePacket],
    consumer_id: u64,
    applied: u64,
) -> anyhow::Result<Vec<u64>> {
    if let Some(p) = packets.iter().find(|p| p.consumer_id != consumer_id) {
        bail!(
            "provider: pending packet {} is for consumer {}, not {consumer_id}",
            p.vsc_id,
            p.consumer_id
        );
    }
    let mut ids: Vec<u64> = packets
        .iter()
        .map(|p| p.vsc_id)
        .filter(|&id| id > applied)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut pending = vec![];
    let mut next = applied.checked_add(1);
    for id in ids {
        if Some(id) != next {
            break;
        }
        pending.push(id);
        next = id.checked_add(1);
    }
    if pending.is_empty() && packets.iter().any(|p| p.vsc_id > applied) {
        bail!(
            "provider: the consumer applied vsc {applied} but packet {} is not stored",
            applied.saturating_add(1)
        );
    }
    Ok(pending)
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

    fn packet(consumer_id: u64, vsc_id: u64) -> ValidatorSetChangePacket {
        ValidatorSetChangePacket {
            consumer_id,
            vsc_id,
            ..Default::default()
        }
    }

    #[test]
    fn pending_packets_start_after_the_applied_one_and_stop_at_a_gap() {
        let packets: Vec<_> = [5, 3, 4, 7, 2].map(|id| packet(9, id)).to_vec();
        assert_eq!(pending_after(&packets, 9, 2).expect("ok"), vec![3, 4, 5]);
        assert_eq!(
            pending_after(&packets, 9, 7).expect("ok"),
            Vec::<u64>::new()
        );
        assert_eq!(pending_after(&[], 9, 0).expect("ok"), Vec::<u64>::new());
        // The next packet the consumer needs is missing.
        let e = pending_after(&packets, 9, 0).expect_err("gap");
        assert!(e.to_string().contains("packet 1 is not stored"), "{e}");
        // Another consumer's packet is a malformed answer.
        let e = pending_after(&[packet(8, 1)], 9, 0).expect_err("foreign");
        assert!(e.to_string().contains("for consumer 8"), "{e}");
    }

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
