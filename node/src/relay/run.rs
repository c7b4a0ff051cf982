//! The relay loop: a round every interval, exponential backoff while rounds fail (a node
//! restarting, a malformed answer), one log line per relay, the status file after every round.
//! The process keeps no state a crash could lose: killing it at any point is safe.

use std::path::Path;
use std::time::Duration;

use tendermint_rpc::Client;

use super::round::relay_once;
use super::status::RelayStatus;
use super::{wall_clock, Relayer};

/// The longest wait between failed rounds.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Failed rounds back off to at most this many intervals: a short interval (a short trusting
/// period, as on the localnet) keeps short waits, so a few failures in a row never let the
/// consumer's light client expire.
pub const MAX_BACKOFF_INTERVALS: u32 = 8;

/// The wait before the next round after `failures` failed rounds in a row: the interval, doubled
/// per failure, at most [`MAX_BACKOFF_INTERVALS`] intervals and [`MAX_BACKOFF`] (never less than
/// the interval).
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let factor = 2u32.saturating_pow(failures.min(16));
    interval
        .saturating_mul(factor)
        .min(interval.saturating_mul(MAX_BACKOFF_INTERVALS))
        .min(MAX_BACKOFF)
        .max(interval)
}

/// Runs one round, logs it and records it in `status` (and the file at `status_file`); true
/// when the round succeeded.
pub async fn round(
    relayer: &Relayer,
    status: &mut RelayStatus,
    status_file: Option<&Path>,
) -> bool {
    let ok = match relay_once(relayer, status.resume()).await {
        Ok(report) => {
            if report.relayed() {
                tracing::info!("{}", report.summary());
            } else {
                tracing::debug!(
                    provider_height = report.provider_height,
                    consumer_height = report.consumer_height,
                    client_height = report.client_height,
                    applied_vsc = report.applied_vsc,
                    "nothing to relay"
                );
            }
            match wall_clock() {
                Ok(now) => status.record(&report, now),
                Err(e) => status.record_error(&e),
            }
            true
        }
        Err(e) => {
            tracing::warn!("relay round failed: {e:#}");
            status.record_error(&e);
            false
        }
    };
    if let Some(path) = status_file {
        if let Err(e) = status.write(path) {
            tracing::warn!("{e:#}");
        }
    }
    ok
}

/// Relays forever: a round every `interval`, backing off while rounds fail. Each round goes
/// through the first of `relayers` (one per consumer endpoint) whose consumer node is ready
/// ([`pick`]).
pub async fn run(relayers: &[Relayer], interval: Duration, status_file: Option<&Path>) {
    let mut status = RelayStatus::default();
    let mut failures = 0u32;
    loop {
        let Some(relayer) = pick(relayers).await else {
            return;
        };
        if round(relayer, &mut status, status_file).await {
            failures = 0;
        } else {
            failures = failures.saturating_add(1);
        }
        let wait = backoff(interval, failures);
        if failures > 0 {
            tracing::info!("retrying in {} ms", wait.as_millis());
        }
        tokio::time::sleep(wait).await;
    }
}

/// The first of `relayers` whose consumer node answers `/status` and is not catching up, else
/// the first (`None` only when there is none). A node block-syncing after a restart takes a
/// transaction into its mempool without gossiping it, and recheck may drop it uncommitted: a
/// round that sent its transaction there waited out `--tx-timeout` — longer than a short
/// trusting period leaves (found by the consumer fault drill: the light client expired).
pub async fn pick(relayers: &[Relayer]) -> Option<&Relayer> {
    for relayer in relayers {
        if let Ok(status) = relayer.consumer.rpc().status().await {
            if !status.sync_info.catching_up {
                return Some(relayer);
            }
        }
    }
    relayers.first()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_double_the_wait_up_to_the_cap() {
        let second = Duration::from_secs(1);
        assert_eq!(backoff(second, 0), second);
        assert_eq!(backoff(second, 1), Duration::from_secs(2));
        assert_eq!(backoff(second, 3), Duration::from_secs(8));
        assert_eq!(backoff(second, 5), Duration::from_secs(8));
        assert_eq!(backoff(second, u32::MAX), Duration::from_secs(8));
        let five = Duration::from_secs(5);
        assert_eq!(backoff(five, 2), Duration::from_secs(20));
        assert_eq!(backoff(five, 5), MAX_BACKOFF);
        let half = Duration::from_millis(500);
        assert_eq!(backoff(half, 10), Duration::from_secs(4));
        // An interval beyond the cap is kept.
        let minute = Duration::from_secs(60);
        assert_eq!(backoff(minute, 4), minute);
    }
}
