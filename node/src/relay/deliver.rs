//! The consumer transaction of a round: the client updates to the provider's latest header and
//! every pending packet proven in the state that header commits, in vsc id order.

use std::time::Duration;

use anyhow::bail;
use cosmrs::Any;
use rampart_ccv::proven::provider_packet_key;
use rampart_ccv::{CcvCode, CODESPACE};
use rampart_client::msgs::ccv::{recv_vsc_packet_msg, update_provider_client_msg};
use rampart_client::TxOutcome;
use serde::Serialize;

use super::light::{self, ClientUpdate};
use super::proofs::prove_key;
use super::view::View;
use super::{is_chain_error, wall_clock, Relayer};

/// The most packets one consumer transaction carries; the rest go in the next round.
pub const MAX_PACKETS_PER_TX: usize = 100;

/// What one consumer transaction delivered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    /// The provider heights the client was updated to, in order (empty when it already trusted
    /// the header the proofs need).
    pub updates: Vec<u64>,
    /// The provider height whose state the packets are proven in (against header + 1).
    pub proof_height: u64,
    /// The vsc ids delivered, in order.
    pub packets: Vec<u64>,
    /// The committed transaction.
    pub tx: TxOutcome,
}

/// Whether the client's latest trusted header, from `latest_time`, is older at `now` than a
/// third of the trusting period (then the relayer updates it even without packets, so that it
/// never expires).
pub fn needs_refresh(
    latest_time: tendermint::Time,
    trusting_period_seconds: u64,
    now: tendermint::Time,
) -> bool {
    let age = now.duration_since(latest_time).unwrap_or_default();
    age > Duration::from_secs(trusting_period_seconds / 3)
}

/// How long a delivery waits for its transaction's commit: `--tx-timeout`, but at most a third
/// of the client's trusting period (never under a second). The client is refreshed once its
/// header is a third of the period old, so a transaction lost on the way (a node that dropped
/// it, or stalled) still leaves a third of the period for the next round to resend it, where
/// waiting the whole `--tx-timeout` (60 s by default) could outlast a short trusting period
/// (the localnet's is 40 s) and let the client expire.
pub fn delivery_wait(tx_timeout: Duration, trusting_period_seconds: u64) -> Duration {
    tx_timeout.min(Duration::from_secs((trusting_period_seconds / 3).max(1)))
}

/// Sends the consumer the updates and packets `view` calls for; `None` when nothing is due (no
/// packet pending and the client fresh, or the pending packets are not yet in a provable state)
/// or another relayer delivered the same packets first (`ccv/16`).
pub async fn deliver(r: &Relayer, view: &View) -> anyhow::Result<Option<Delivery>> {
    let client = &view.client;
    if client.frozen_height != 0 {
        bail!(
            "the consumer's provider client was frozen by misbehaviour at provider height {}: \
             nothing can be relayed (recovery is an operator action)",
            client.frozen_height
        );
    }
    let now = wall_clock()?;
    let refresh = needs_refresh(view.client_time, client.trusting_period_seconds, now);
    if (view.pending.is_empty() && !refresh) || view.provider_height < 2 {
        return Ok(None);
    }
    // The provider's newest header commits the state after the height below it; a client that
    // already trusts a header at least as new is not updated.
    let target = view.provider_height.max(client.latest_height);
    let proof_height = target - 1;

    let signer = r.signer()?;
    let mut packets = vec![];
    let mut messages = vec![];
    for &vsc_id in view.pending.iter().take(MAX_PACKETS_PER_TX) {
        let key = provider_packet_key(r.consumer_id, vsc_id);
        // A packet stored after `proof_height` waits for the next round.
        let Some(proven) = prove_key(&r.provider, &key, proof_height).await? else {
            break;
        };
        messages.push(recv_vsc_packet_msg(
            &signer,
            proof_height,
            proven.value,
            proven.proof,
        ));
        packets.push(vsc_id);
    }
    if packets.is_empty() && !refresh {
        return Ok(None);
    }
    let updates = if target > client.latest_height {
        let options = light::options(
            client.trusting_period_seconds,
            client.max_clock_drift_seconds,
        );
        light::plan_updates(&r.provider, client.latest_height, target, &options, now).await?
    } else {
        vec![]
    };
    if updates.is_empty() && packets.is_empty() {
        return Ok(None);
    }
    let mut all: Vec<Any> = updates.iter().map(|u| update_msg(&signer, u)).collect();
    all.append(&mut messages);
    let wait = delivery_wait(r.tx_timeout, client.trusting_period_seconds);
    match r.consumer.send(&r.key, all, wait).await {
        Ok(tx) => Ok(Some(Delivery {
            updates: updates.iter().map(|u| u.block.height()).collect(),
            proof_height,
            packets,
            tx,
        })),
        Err(e) if is_chain_error(&e, CODESPACE, CcvCode::PacketReplayed as u32) => {
            tracing::info!(
                packets = ?packets,
                "another relayer delivered these packets first: {e:#}"
            );
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

fn update_msg(signer: &cosmrs::AccountId, u: &ClientUpdate) -> Any {
    update_provider_client_msg(
        signer,
        u.block.signed_header.clone(),
        u.block.validators.clone(),
        u.trusted_height,
        u.trusted_next_validators.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> tendermint::Time {
        tendermint::Time::from_unix_timestamp(seconds, 0).expect("time")
    }

    #[test]
    fn a_delivery_waits_at_most_a_third_of_the_trusting_period() {
        let minute = Duration::from_secs(60);
        // The localnet: 40 s of trust, so 13 s instead of the 60 s default.
        assert_eq!(delivery_wait(minute, 40), Duration::from_secs(13));
        // Production-like periods keep --tx-timeout.
        assert_eq!(delivery_wait(minute, 14 * 24 * 3600), minute);
        assert_eq!(delivery_wait(minute, 0), Duration::from_secs(1));
    }

    #[test]
    fn the_client_is_refreshed_after_a_third_of_its_trusting_period() {
        // Trusting period 300 s: refreshed once the latest header is more than 100 s old.
        assert!(!needs_refresh(t(1_000), 300, t(1_100)));
        assert!(needs_refresh(t(1_000), 300, t(1_101)));
        // A header "from the future" (clock skew) is fresh.
        assert!(!needs_refresh(t(1_000), 300, t(900)));
    }
}
