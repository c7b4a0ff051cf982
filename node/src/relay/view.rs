//! What a relay round reads from both chains before it acts ([`View`]), and which of the
//! provider's stored packets the consumer still needs.

use anyhow::{anyhow, bail, Context};
use rampart_proto::rampart::ccv::v1 as ccv;
use rampart_proto::rampart::consumer::v1::ValidatorSetChangePacket;

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
    /// The consumer's unbonding period on the provider, in seconds: evidence older than that
    /// is refused.
    pub unbonding_period_seconds: u64,
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
        unbonding_period_seconds: record
            .params
            .as_ref()
            .map_or(0, |p| p.unbonding_period_seconds),
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
}
