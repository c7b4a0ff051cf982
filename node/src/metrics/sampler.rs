//! The gauges read from committed state: the store's size on disk and the restaking picture
//! (consumers by phase, pledged tokens per consumer, each pledging validator's exposure against
//! the bound). Read every [`SAMPLE_EVERY`] on tokio's blocking pool through the app's read-only
//! queries, never on the consensus path, and bounded: one page of consumers
//! ([`MAX_CONSUMERS`]), one page of pledges per live consumer and at most
//! [`MAX_VALIDATORS`] exposures. A chain without restaking (a consumer chain) reports its store
//! only.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cosmos_sdk_proto::cosmos::base::query::v1beta1::PageRequest;
use prost::Message;
use rampart_app::query::Queries;
use rampart_proto::rampart::consumer::v1 as consumer_pb;
use rampart_proto::rampart::restaking::v1 as restaking_pb;

use super::{ConsumerLabels, Metrics, PhaseLabel, ValidatorLabel};

/// How often the gauges are refreshed.
pub const SAMPLE_EVERY: Duration = Duration::from_secs(5);
/// Consumers read per sample (one page).
pub const MAX_CONSUMERS: u64 = 200;
/// Validators whose exposure is read per sample.
pub const MAX_VALIDATORS: usize = 200;

/// Refreshes the sampled gauges every [`SAMPLE_EVERY`], forever (the caller aborts the task).
pub async fn run(metrics: Metrics, queries: Queries, store_dir: PathBuf) {
    let mut ticker = tokio::time::interval(SAMPLE_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let (metrics, queries, dir) = (metrics.clone(), queries.clone(), store_dir.clone());
        let sampled = tokio::task::spawn_blocking(move || sample(&metrics, &queries, &dir)).await;
        if let Err(e) = sampled {
            tracing::warn!("metrics sample failed: {e}");
        }
    }
}

/// One refresh of every sampled gauge.
pub fn sample(metrics: &Metrics, queries: &Queries, store_dir: &Path) {
    metrics
        .store_size
        .set(i64::try_from(dir_size(store_dir)).unwrap_or(i64::MAX));
    // Without the consumer registry (a consumer chain's composition) there is nothing more.
    let Some(consumers) = query::<_, consumer_pb::QueryConsumersResponse>(
        queries,
        rampart_consumer::urls::QUERY_CONSUMERS,
        &consumer_pb::QueryConsumersRequest {
            phase: 0,
            pagination: Some(PageRequest {
                limit: MAX_CONSUMERS,
                ..Default::default()
            }),
        },
    ) else {
        return;
    };
    metrics.consumers.clear();
    metrics.pledged.clear();
    let mut validators = BTreeSet::new();
    for consumer in &consumers.consumers {
        let phase = consumer_pb::ConsumerPhase::try_from(consumer.phase)
            .unwrap_or(consumer_pb::ConsumerPhase::Unspecified);
        metrics
            .consumers
            .get_or_create(&PhaseLabel {
                phase: phase_name(phase),
            })
            .inc();
        if !matches!(
            phase,
            consumer_pb::ConsumerPhase::Registered | consumer_pb::ConsumerPhase::Launched
        ) {
            continue;
        }
        if let Some(report) = query::<_, restaking_pb::QuerySecurityReportResponse>(
            queries,
            rampart_restaking::urls::QUERY_SECURITY_REPORT,
            &restaking_pb::QuerySecurityReportRequest {
                consumer_id: consumer.consumer_id,
            },
        )
        .and_then(|r| r.report)
        {
            metrics
                .pledged
                .get_or_create(&ConsumerLabels {
                    consumer_id: consumer.consumer_id,
                    chain_id: consumer.chain_id.clone(),
                })
                .set(number(&report.total_pledged_tokens));
        }
        if let Some(pledges) = query::<_, restaking_pb::QueryConsumerPledgesResponse>(
            queries,
            rampart_restaking::urls::QUERY_CONSUMER_PLEDGES,
            &restaking_pb::QueryConsumerPledgesRequest {
                consumer_id: consumer.consumer_id,
                pagination: Some(PageRequest {
                    limit: u64::try_from(MAX_VALIDATORS).unwrap_or(u64::MAX),
                    ..Default::default()
                }),
            },
        ) {
            validators.extend(pledges.pledges.into_iter().map(|p| p.validator));
        }
    }
    metrics.exposure.clear();
    for validator in validators.into_iter().take(MAX_VALIDATORS) {
        let Some(exposure) = query::<_, restaking_pb::QueryValidatorExposureResponse>(
            queries,
            rampart_restaking::urls::QUERY_VALIDATOR_EXPOSURE,
            &restaking_pb::QueryValidatorExposureRequest {
                validator: validator.clone(),
            },
        ) else {
            continue;
        };
        metrics
            .exposure
            .get_or_create(&ValidatorLabel { validator })
            .set(number(&exposure.total_worst_case_fraction));
        metrics
            .exposure_bound
            .set(number(&exposure.max_slash_exposure));
    }
    if let Some(params) = query::<_, restaking_pb::QueryParamsResponse>(
        queries,
        rampart_restaking::urls::QUERY_PARAMS,
        &restaking_pb::QueryParamsRequest {},
    )
    .and_then(|r| r.params)
    {
        metrics
            .exposure_bound
            .set(number(&params.max_slash_exposure));
    }
}

/// Answers one query at the latest committed height; `None` when it is not served or fails.
fn query<Req: Message, Resp: Message + Default>(
    queries: &Queries,
    path: &str,
    request: &Req,
) -> Option<Resp> {
    let answer = queries.query(path, &request.encode_to_vec(), 0).ok()?;
    Resp::decode(answer.value.as_slice()).ok()
}

/// A decimal or integer string as a float (metrics only; 0 when it does not parse).
fn number(text: &str) -> f64 {
    text.parse().unwrap_or(0.0)
}

/// The `phase` label of a registry phase.
fn phase_name(phase: consumer_pb::ConsumerPhase) -> &'static str {
    match phase {
        consumer_pb::ConsumerPhase::Registered => "registered",
        consumer_pb::ConsumerPhase::Launched => "launched",
        consumer_pb::ConsumerPhase::Stopped => "stopped",
        consumer_pb::ConsumerPhase::Deleted => "deleted",
        consumer_pb::ConsumerPhase::Unspecified => "unspecified",
    }
}

/// Total size of the files under `dir` (the store's few files; 0 when unreadable).
fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => dir_size(&entry.path()),
            Ok(meta) => meta.len(),
            Err(_) => 0,
        })
        .fold(0, u64::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_size_counts_nested_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a"), [0u8; 10]).expect("write");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("sub").join("b"), [0u8; 5]).expect("write");
        assert_eq!(dir_size(dir.path()), 15);
        assert_eq!(dir_size(&dir.path().join("missing")), 0);
    }

    #[test]
    fn numbers_and_phases() {
        assert_eq!(number("1500000"), 1_500_000.0);
        assert_eq!(number("0.05"), 0.05);
        assert_eq!(number("junk"), 0.0);
        assert_eq!(phase_name(consumer_pb::ConsumerPhase::Launched), "launched");
    }
}
