//! The relayer's progress as a JSON file (`--status-file`), rewritten atomically after every
//! round so that a monitor never reads half a file.

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::round::{RelayReport, Resume};

/// What `--status-file` holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayStatus {
    /// The provider's latest height, as last read.
    pub provider_height: u64,
    /// The consumer's latest height, as last read.
    pub consumer_height: u64,
    /// The consumer's latest trusted provider height.
    pub client_height: u64,
    /// The highest vsc id the consumer applied.
    pub applied_vsc: u64,
    /// The highest vsc id the provider recorded as acknowledged.
    pub acknowledged_vsc: u64,
    /// Downtime records this process forwarded to the provider.
    #[serde(default)]
    pub downtime_forwarded: u64,
    /// The last downtime seq the provider processed, as this process last saw it (its own
    /// record or a record this process forwarded).
    #[serde(default)]
    pub downtime_seq: u64,
    /// Whether the provider's slash meter throttled the last downtime record tried (it is
    /// retried in a later round).
    #[serde(default)]
    pub downtime_throttled: bool,
    /// Double votes this process forwarded to the provider.
    #[serde(default)]
    pub double_votes_forwarded: u64,
    /// Double votes this process skipped (already punished, tombstoned, or refused for good).
    #[serde(default)]
    pub double_votes_skipped: u64,
    /// The last consumer height this process scanned for double votes (a restarted relayer
    /// scans again from the first block within the consumer's unbonding period: evidence
    /// already punished is skipped).
    #[serde(default)]
    pub evidence_scanned_height: u64,
    /// When the relayer last committed a transaction (RFC 3339); `None` before the first.
    pub last_relay_at: Option<String>,
    /// The error of the last round; `None` when it succeeded.
    pub last_error: Option<String>,
}

impl RelayStatus {
    /// Records a successful round that ended at `now`.
    pub fn record(&mut self, report: &RelayReport, now: tendermint::Time) {
        self.provider_height = report.provider_height;
        self.consumer_height = report.consumer_height;
        self.client_height = report.client_height;
        self.applied_vsc = report.applied_vsc;
        self.acknowledged_vsc = report.acknowledged_vsc;
        self.downtime_forwarded = self
            .downtime_forwarded
            .saturating_add(report.downtime.forwarded.len() as u64);
        self.downtime_throttled = report.downtime.throttled;
        self.downtime_seq = self.downtime_seq.max(report.downtime.last_seq);
        self.double_votes_forwarded = self
            .double_votes_forwarded
            .saturating_add(report.double_votes.forwarded.len() as u64);
        self.double_votes_skipped = self
            .double_votes_skipped
            .saturating_add(report.double_votes.skipped);
        self.evidence_scanned_height = report.double_votes.scanned_height;
        if report.relayed() {
            self.last_relay_at = Some(now.to_rfc3339());
        }
        self.last_error = None;
    }

    /// Where the next round resumes this process's work.
    pub fn resume(&self) -> Resume {
        Resume {
            scanned_height: self.evidence_scanned_height,
            downtime_seq: self.downtime_seq,
        }
    }

    /// Records a failed round (the last known heights stay).
    pub fn record_error(&mut self, error: &anyhow::Error) {
        self.last_error = Some(format!("{error:#}"));
    }

    /// Writes the status to `path` atomically (a temporary file beside it, then a rename).
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(&tmp, text + "\n")
            .with_context(|| format!("cannot write {}", Path::new(&tmp).display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(relayed: bool) -> RelayReport {
        RelayReport {
            provider_height: 40,
            consumer_height: 11,
            client_height: 39,
            applied_vsc: 3,
            acknowledged_vsc: 2,
            downtime: Default::default(),
            double_votes: super::super::double_vote::DoubleVotePass {
                scanned_height: 11,
                forwarded: vec![],
                skipped: 1,
            },
            delivery: None,
            acknowledgement: relayed.then(|| super::super::ack::Acknowledgement {
                vsc_id: 2,
                consumer_height: 10,
                tx: rampart_client::TxOutcome {
                    hash: "AB".into(),
                    height: Some(41),
                    code: 0,
                    codespace: String::new(),
                    log: String::new(),
                    gas_wanted: None,
                    gas_used: None,
                },
            }),
            latency_ms: 5,
        }
    }

    #[test]
    fn the_status_follows_rounds_and_errors_and_is_written_as_json() {
        let now = tendermint::Time::from_unix_timestamp(1_700_000_000, 0).expect("time");
        let mut status = RelayStatus::default();
        status.record(&report(false), now);
        assert_eq!(status.last_relay_at, None);
        assert_eq!((status.provider_height, status.applied_vsc), (40, 3));
        assert_eq!(
            (status.evidence_scanned_height, status.double_votes_skipped),
            (11, 1)
        );
        assert_eq!(
            status.resume(),
            Resume {
                scanned_height: 11,
                downtime_seq: 0
            }
        );
        status.record(&report(true), now);
        assert_eq!(
            status.last_relay_at.as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
        status.record_error(&anyhow::anyhow!("node down").context("provider: height"));
        assert_eq!(
            status.last_error.as_deref(),
            Some("provider: height: node down")
        );
        assert_eq!(status.provider_height, 40, "the last known heights stay");

        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("status.json");
        status.write(&path).expect("write");
        status.record(&report(false), now);
        status.write(&path).expect("rewrite");
        let text = std::fs::read_to_string(&path).expect("read");
        let json: serde_json::Value = serde_json::from_str(&text).expect("json");
        for key in [
            "provider_height",
            "consumer_height",
            "client_height",
            "applied_vsc",
            "acknowledged_vsc",
            "downtime_forwarded",
            "downtime_seq",
            "downtime_throttled",
            "double_votes_forwarded",
            "double_votes_skipped",
            "evidence_scanned_height",
            "last_relay_at",
            "last_error",
        ] {
            assert!(json.get(key).is_some(), "{key} in {text}");
        }
        assert_eq!(json["last_error"], serde_json::Value::Null);
        let back: RelayStatus = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, status);
        assert!(!dir.path().join("status.json.tmp").exists());
    }
}
