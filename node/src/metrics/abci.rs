//! [`Metered`]: a tower layer around the app's ABCI service that times CheckTx, FinalizeBlock
//! and Commit and reads blocks' results and events as they pass. It never changes a request or
//! a response, so it cannot change consensus.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tendermint::abci::request::CheckTxKind;
use tendermint::abci::{response as rsp, Event};
use tendermint::v0_38::abci::{Request, Response};
use tower_abci::BoxError;

use super::{CodeLabels, InfractionLabels, MethodLabel, Metrics};

/// What a request is, as far as metrics care.
enum Method {
    /// A first check (`check_tx`) or a re-check after a block (`recheck_tx`).
    CheckTx {
        recheck: bool,
    },
    FinalizeBlock {
        height: i64,
    },
    /// With the process's written bytes before the Commit.
    Commit {
        written_before: Option<u64>,
    },
    Other,
}

/// The app's service with metrics recorded around it (or passed through when metrics are off).
#[derive(Clone)]
pub struct Metered<S> {
    inner: S,
    metrics: Option<Metrics>,
}

impl<S> Metered<S> {
    /// Records `metrics` (when on) around `inner`.
    pub fn new(inner: S, metrics: Option<Metrics>) -> Self {
        Self { inner, metrics }
    }
}

impl<S> tower::Service<Request> for Metered<S>
where
    S: tower::Service<Request, Response = Response, Error = BoxError>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let Some(metrics) = self.metrics.clone() else {
            return Box::pin(self.inner.call(request));
        };
        let method = match &request {
            Request::CheckTx(check) => Method::CheckTx {
                recheck: check.kind == CheckTxKind::Recheck,
            },
            Request::FinalizeBlock(block) => Method::FinalizeBlock {
                height: i64::try_from(block.height.value()).unwrap_or(i64::MAX),
            },
            Request::Commit => Method::Commit {
                written_before: written_bytes(),
            },
            _ => Method::Other,
        };
        // The app's time: `call` (where the app does its work: its future is ready) plus the
        // time from the first poll of the response to its end — not the wait before tower-abci's
        // connection task first polls it, which under CPU contention dwarfs the work.
        let started = Instant::now();
        let future = self.inner.call(request);
        let in_call = started.elapsed();
        Box::pin(async move {
            let polled = Instant::now();
            let response = future.await;
            if let Ok(response) = &response {
                metrics.record(&method, response, in_call.saturating_add(polled.elapsed()));
            }
            response
        })
    }
}

impl Metrics {
    fn record(&self, method: &Method, response: &Response, spent: Duration) {
        let seconds = spent.as_secs_f64();
        let observe = |method: &'static str| {
            self.durations
                .get_or_create(&MethodLabel { method })
                .observe(seconds);
        };
        match (method, response) {
            (Method::CheckTx { recheck }, Response::CheckTx(check)) => {
                observe(if *recheck { "recheck_tx" } else { "check_tx" });
                if check.code.is_err() {
                    self.rejections
                        .get_or_create(&CodeLabels {
                            codespace: check.codespace.clone(),
                            code: check.code.value(),
                        })
                        .inc();
                }
            }
            (Method::FinalizeBlock { height }, Response::FinalizeBlock(block)) => {
                observe("finalize_block");
                self.record_block(*height, block);
            }
            (Method::Commit { written_before }, Response::Commit(_)) => {
                observe("commit");
                if let (Some(before), Some(after)) = (written_before, written_bytes()) {
                    // Bucket bounds are f64; byte counts far below 2^53 convert exactly.
                    #[allow(clippy::cast_precision_loss)]
                    self.commit_bytes
                        .observe(after.saturating_sub(*before) as f64);
                }
            }
            _ => {}
        }
    }

    /// Height, transactions, gas, and the slashes and jails among the block's events.
    #[allow(clippy::cast_precision_loss)] // histogram observations of counts and gas are f64
    fn record_block(&self, height: i64, block: &rsp::FinalizeBlock) {
        self.height.set(height);
        let txs = u64::try_from(block.tx_results.len()).unwrap_or(u64::MAX);
        let gas: u64 = block
            .tx_results
            .iter()
            .map(|tx| u64::try_from(tx.gas_used).unwrap_or(0))
            .fold(0, u64::saturating_add);
        self.txs.inc_by(txs);
        self.gas.inc_by(gas);
        self.block_txs.observe(txs as f64);
        self.block_gas.observe(gas as f64);
        let tx_events = block.tx_results.iter().flat_map(|tx| tx.events.iter());
        for event in block.events.iter().chain(tx_events) {
            self.record_infraction(event);
        }
    }

    /// Counts a slash or jail event: the provider's `slash` (downtime or double sign, always
    /// jailed), a consumer's `consumer_downtime` (jailed there; slashed when it burned tokens)
    /// and `consumer_slash` (a double vote: slashed and jailed).
    fn record_infraction(&self, event: &Event) {
        let attr = |key: &str| {
            event
                .attributes
                .iter()
                .find(|a| a.key_bytes() == key.as_bytes())
                .and_then(|a| a.value_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let (consumer, kind, slashed) = match event.kind.as_str() {
            "slash" => {
                let reason = attr("reason");
                let kind = if reason.contains("double") {
                    "double_sign"
                } else {
                    "downtime"
                };
                ("provider".to_string(), kind, true)
            }
            "consumer_downtime" => {
                let burned = attr("burned");
                let slashed = burned
                    .trim_start_matches('0')
                    .starts_with(|c: char| c.is_ascii_digit());
                (attr("consumer_id"), "downtime", slashed)
            }
            "consumer_slash" => (attr("consumer_id"), "double_vote", true),
            _ => return,
        };
        let labels = InfractionLabels {
            consumer,
            kind: kind.to_string(),
        };
        if slashed {
            self.slashes.get_or_create(&labels).inc();
        }
        self.jails.get_or_create(&labels).inc();
    }
}

/// Bytes this process has passed to `write` so far (`wchar` in `/proc/self/io`, Linux); `None`
/// where that is not available.
fn written_bytes() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|line| line.strip_prefix("wchar:"))
        .and_then(|value| value.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tendermint::abci::types::ExecTxResult;

    fn event(kind: &str, attrs: &[(&str, &str)]) -> Event {
        Event::new(kind, attrs.iter().map(|(k, v)| (*k, *v, true)))
    }

    #[test]
    fn blocks_count_txs_gas_and_infractions() {
        let metrics = Metrics::new();
        let block = rsp::FinalizeBlock {
            events: vec![event("slash", &[("reason", "missing_signature")])],
            tx_results: vec![
                ExecTxResult {
                    gas_used: 60_000,
                    events: vec![event(
                        "consumer_downtime",
                        &[("consumer_id", "0"), ("burned", "0uramp")],
                    )],
                    ..Default::default()
                },
                ExecTxResult {
                    gas_used: 40_000,
                    events: vec![event("consumer_slash", &[("consumer_id", "1")])],
                    ..Default::default()
                },
            ],
            validator_updates: vec![],
            consensus_param_updates: None,
            app_hash: Default::default(),
        };
        metrics.record_block(12, &block);
        let text = metrics.encode();
        for line in [
            "rampart_block_height 12",
            "rampart_txs_total 2",
            "rampart_gas_used_total 100000",
            "rampart_slashes_total{consumer=\"provider\",kind=\"downtime\"} 1",
            "rampart_jails_total{consumer=\"0\",kind=\"downtime\"} 1",
            "rampart_slashes_total{consumer=\"1\",kind=\"double_vote\"} 1",
        ] {
            assert!(text.contains(line), "{line} missing from:\n{text}");
        }
        // A downtime that burned nothing jails without slashing.
        assert!(
            !text.contains("rampart_slashes_total{consumer=\"0\""),
            "{text}"
        );
    }

    /// The recorded time is the app's, not the wait before the connection polls the answer.
    #[test]
    fn durations_leave_out_the_wait_for_the_answer_to_be_polled() {
        use tower::Service;
        let metrics = Metrics::new();
        let app = tower::service_fn(|_: Request| {
            std::future::ready(Ok::<_, BoxError>(Response::Commit(rsp::Commit {
                data: Default::default(),
                retain_height: Default::default(),
            })))
        });
        let mut metered = Metered::new(app, Some(metrics.clone()));
        let answer = metered.call(Request::Commit);
        std::thread::sleep(std::time::Duration::from_millis(300));
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(answer)
            .expect("answer");
        let text = metrics.encode();
        let sum: f64 = text
            .lines()
            .find_map(|line| {
                line.strip_prefix("rampart_abci_duration_seconds_sum{method=\"commit\"} ")
            })
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("no commit duration in:\n{text}"));
        assert!(
            sum < 0.15,
            "{sum} s recorded for an answer that waited 0.3 s"
        );
    }

    #[test]
    fn written_bytes_grow_with_writes() {
        let Some(before) = written_bytes() else {
            return; // not Linux
        };
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("x"), vec![0u8; 4096]).expect("write");
        assert!(written_bytes().is_some_and(|after| after >= before + 4096));
    }
}
