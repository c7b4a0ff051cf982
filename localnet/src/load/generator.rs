//! [`Generator`]: prepares the accounts once, then runs load windows — for a duration, until
//! a stop signal (in the background), or stepping the rate until committed tx/s stops growing —
//! and turns each into a [`LoadReport`].

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context, Result};
use rampart_client::NodeClient;

use super::book::{Book, RunStats};
use super::cpu::CpuReading;
use super::report::{self, LoadReport};
use super::sender::{Sender, Shared};
use super::watcher::{read_blocks, Watcher};
use super::workload::{derive_accounts, Workload};
use super::{fund, rpc, LoadApp, LoadPlan, LoadTarget};

/// Blocks before a run read for the idle block time.
const IDLE_BLOCKS: u64 = 10;
/// How long to wait for the blocks that close the committed-rate window.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(30);

/// How often pre-signing reports its progress.
const SIGNING_PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// How often the progress display looks whether signing has ended (so a short pre-sign, e.g. a
/// saturation step's, returns without waiting for the next report).
const SIGNING_DONE_POLL: Duration = Duration::from_millis(20);

/// Shows how many of `total` transactions the signing `tasks` have signed until they all end
/// (pre-signing a long run takes minutes); prints nothing if they end within the first half
/// second.
async fn show_signing_progress<T>(
    tasks: &[tokio::task::JoinHandle<T>],
    signed: &AtomicU64,
    total: u64,
) {
    let started = Instant::now();
    let mut progress: Option<crate::progress::Progress> = None;
    let mut next_report = started + SIGNING_PROGRESS_EVERY;
    loop {
        tokio::time::sleep(SIGNING_DONE_POLL).await;
        if tasks.iter().all(|task| task.is_finished()) {
            break;
        }
        if Instant::now() < next_report {
            continue;
        }
        next_report += SIGNING_PROGRESS_EVERY;
        let done = signed.load(Ordering::Relaxed);
        progress
            .get_or_insert_with(crate::progress::Progress::new)
            .update(&format!(
                "pre-signing transactions: {done} of {total} ({}%)",
                done.saturating_mul(100) / total.max(1)
            ));
    }
    if let Some(mut progress) = progress {
        progress.finish(&format!(
            "pre-signed {total} transactions in {:.0?}",
            started.elapsed()
        ));
    }
}

/// A prepared load generator: funded accounts with known numbers and sequences.
pub struct Generator {
    shared: Arc<Shared>,
    target: LoadTarget,
    plan: LoadPlan,
    clients: Vec<NodeClient>,
}

/// A load running in the background ([`Generator::start`]).
pub struct RunningLoad {
    stop: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<(Generator, Result<LoadReport>)>,
}

impl RunningLoad {
    /// Stops sending, waits for what is in flight to commit (or be given up on) and returns
    /// the generator and the report of the whole run.
    pub async fn stop(self) -> Result<(Generator, LoadReport)> {
        let _ = self.stop.send(());
        let (generator, report) = self.handle.await.context("the load task panicked")?;
        Ok((generator, report?))
    }
}

impl Generator {
    /// Derives `plan.accounts` accounts, funds them from the target's faucet (Rampart) and
    /// reads their account numbers and sequences.
    pub async fn prepare(target: LoadTarget, plan: LoadPlan) -> Result<Self> {
        if plan.accounts == 0 || plan.per_account == 0 || plan.connections == 0 {
            bail!("accounts, in-flight per account and connections must be positive");
        }
        let clients = target
            .rpc_urls
            .iter()
            .map(|url| NodeClient::new(url))
            .collect::<Result<Vec<_>>>()?;
        let mut accounts = derive_accounts(plan.seed, plan.accounts)?;
        let (workload, sequences) = match target.app {
            LoadApp::Kvstore => {
                let size = plan.tx_size.unwrap_or(transfer_size(&target.chain_id)?);
                let workload = Workload::Kvstore {
                    size,
                    run_tag: plan.seed,
                };
                (workload, vec![0; accounts.len()])
            }
            LoadApp::Rampart => {
                let client = clients.first().context("no node to send to")?;
                let faucet = target
                    .faucet
                    .as_ref()
                    .context("the localnet records no faucet to fund the load accounts")?;
                fund::fund(client, faucet, &accounts, plan.fund).await?;
                let found = fund::numbers_and_sequences(client, &accounts).await?;
                for (account, (number, _)) in accounts.iter_mut().zip(&found) {
                    account.number = *number;
                }
                let validators = if plan.mix {
                    client
                        .staking()
                        .validators("BOND_STATUS_BONDED")
                        .await?
                        .into_iter()
                        .map(|v| v.operator_address)
                        .collect()
                } else {
                    Vec::new()
                };
                let workload = Workload::Rampart {
                    chain_id: target.chain_id.clone(),
                    validators,
                    mix: plan.mix,
                };
                (workload, found.into_iter().map(|(_, seq)| seq).collect())
            }
        };
        let shared = Arc::new(Shared {
            book: Mutex::new(Book::new(&sequences)),
            accounts,
            workload,
            nodes: target.nodes.clone(),
            per_account: plan.per_account,
            total: plan.max_in_flight,
        });
        Ok(Self {
            shared,
            target,
            plan,
            clients,
        })
    }

    /// The funded accounts' addresses, in order.
    pub fn addresses(&self) -> Vec<String> {
        self.shared
            .accounts
            .iter()
            .map(|a| a.address.clone())
            .collect()
    }

    /// Offers `rate` tx/s for `duration`, then waits for the transactions to commit and
    /// reports.
    pub async fn run(&mut self, rate: u32, duration: Duration) -> Result<LoadReport> {
        self.presign(rate, duration).await?;
        self.run_until(rate, tokio::time::sleep(duration)).await
    }

    /// Offers `rate` tx/s in the background until [`RunningLoad::stop`]; transactions are
    /// pre-signed for `presign` of sending (later ones are signed as they go).
    pub async fn start(mut self, rate: u32, presign: Duration) -> Result<RunningLoad> {
        self.presign(rate, presign).await?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            let report = self
                .run_until(rate, async {
                    let _ = stopped.await;
                })
                .await;
            (self, report)
        });
        Ok(RunningLoad { stop, handle })
    }

    /// Steps the rate from `start` by `factor` (each step lasting `step`) until committed tx/s
    /// grows by less than 5 % over the best step so far, or falls; returns every step's report
    /// (`on_step` sees each as it ends).
    pub async fn saturate(
        &mut self,
        start: u32,
        factor: f64,
        step: Duration,
        mut on_step: impl FnMut(&LoadReport),
    ) -> Result<Vec<LoadReport>> {
        if start == 0 || factor <= 1.0 {
            bail!("saturation needs a positive start rate and a factor above 1");
        }
        let mut reports: Vec<LoadReport> = Vec::new();
        let mut rate = start;
        loop {
            let report = self.run(rate, step).await?;
            on_step(&report);
            let best = reports
                .iter()
                .map(LoadReport::committed_tx_per_s)
                .fold(0.0, f64::max);
            let now = report.committed_tx_per_s();
            reports.push(report);
            if now < best * 1.05 {
                return Ok(reports);
            }
            rate = ((f64::from(rate) * factor).ceil() as u32).max(rate + 1);
        }
    }

    /// Signs, on every core, each account's transactions for `duration` at `rate` (plus the
    /// in-flight bound) beyond what is already signed.
    async fn presign(&self, rate: u32, duration: Duration) -> Result<()> {
        if !self.shared.workload.sequenced() {
            return Ok(());
        }
        let accounts = self.shared.accounts.len();
        let per_account = (f64::from(rate) * duration.as_secs_f64() / accounts as f64).ceil()
            as u64
            + self.plan.per_account as u64;
        let ranges: Vec<(usize, u64, u64)> = {
            let book = self.shared.lock();
            book.accounts
                .iter()
                .enumerate()
                .map(|(i, a)| (i, a.signed_end(), a.next_seq.saturating_add(per_account)))
                .filter(|(_, from, to)| from < to)
                .collect()
        };
        let total: u64 = ranges.iter().map(|(_, from, to)| to - from).sum();
        let signed_so_far = Arc::new(AtomicU64::new(0));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let chunk = ranges.len().div_ceil(threads).max(1);
        let mut tasks = Vec::new();
        for part in ranges.chunks(chunk) {
            let part = part.to_vec();
            let shared = self.shared.clone();
            let signed_so_far = signed_so_far.clone();
            tasks.push(tokio::task::spawn_blocking(move || {
                part.into_iter()
                    .map(|(i, from, to)| {
                        let txs = (from..to)
                            .map(|seq| shared.workload.tx(&shared.accounts, i, seq))
                            .collect::<Result<Vec<_>>>()?;
                        signed_so_far.fetch_add(to - from, Ordering::Relaxed);
                        anyhow::Ok((i, from, txs))
                    })
                    .collect::<Result<Vec<_>>>()
            }));
        }
        show_signing_progress(&tasks, &signed_so_far, total).await;
        for task in tasks {
            let signed = task.await.context("a signing thread panicked")??;
            let mut book = self.shared.lock();
            for (i, from, txs) in signed {
                let account = &mut book.accounts[i];
                if account.signed_end() == from {
                    account.signed.extend(txs);
                }
            }
        }
        Ok(())
    }

    /// Sends at `rate` until `stop` completes, drains, and reports.
    async fn run_until(&mut self, rate: u32, stop: impl Future<Output = ()>) -> Result<LoadReport> {
        if rate == 0 {
            bail!("the rate must be at least 1 tx/s");
        }
        let first_node = *self.shared.nodes.first().context("no node")?;
        let start_height = rpc::latest_height(first_node).await?;
        self.shared.lock().run = RunStats::default();
        read_blocks(
            &self.shared,
            start_height.saturating_sub(IDLE_BLOCKS).max(1),
            start_height,
        )
        .await?;

        let cpu_at_start = self.target.processes.read();
        let watching = Arc::new(AtomicBool::new(false));
        let watcher = tokio::spawn(
            Watcher {
                shared: self.shared.clone(),
                next: start_height + 1,
                clients: self.clients.clone(),
                lost_after: self.plan.lost_after,
            }
            .run(watching.clone()),
        );
        let sending = Arc::new(AtomicBool::new(false));
        let senders = self.spawn_senders(rate, &sending);
        stop.await;
        sending.store(true, Ordering::Relaxed);
        for sender in senders {
            sender.await.context("a sender panicked")?;
        }
        self.drain().await;
        watching.store(true, Ordering::Relaxed);
        watcher.await.context("the block watcher panicked")?;
        let cpu_at_end = self.target.processes.read();
        Ok(self.report(rate, start_height, (&cpu_at_start, &cpu_at_end)))
    }

    /// One sender per node and connection, each owning every `senders`-th account.
    fn spawn_senders(&self, rate: u32, stop: &Arc<AtomicBool>) -> Vec<tokio::task::JoinHandle<()>> {
        let nodes = self.shared.nodes.len();
        let count = (nodes * self.plan.connections).min(self.shared.accounts.len());
        (0..count)
            .map(|s| {
                let accounts = (s..self.shared.accounts.len()).step_by(count).collect();
                let sender = Sender {
                    shared: self.shared.clone(),
                    accounts,
                    node: s % nodes,
                    rate: f64::from(rate) / count as f64,
                };
                tokio::spawn(sender.run(stop.clone()))
            })
            .collect()
    }

    /// Waits until every acknowledged transaction is committed, or nothing of ours has
    /// committed for `lost_after`, then until the blocks closing the window exist.
    async fn drain(&self) {
        let started = Instant::now();
        let mut last_progress = (Instant::now(), usize::MAX);
        loop {
            let (pending, last_ours, latest) = {
                let book = self.shared.lock();
                let last_ours = book.blocks.iter().rev().find(|(_, b)| b.ours > 0);
                (
                    book.pending.len(),
                    last_ours.map(|(h, _)| *h),
                    book.blocks.keys().next_back().copied(),
                )
            };
            let closed = match (last_ours, latest) {
                (Some(l), Some(latest)) => latest >= l + 2,
                _ => true,
            };
            if pending == 0 && closed {
                return;
            }
            if pending != last_progress.1 {
                last_progress = (Instant::now(), pending);
            }
            let stalled = last_progress.0.elapsed() > self.plan.lost_after;
            if (stalled && closed) || started.elapsed() > self.plan.lost_after + CLOSE_TIMEOUT * 4 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The report of the run that started at `start_height`, with the nodes' CPU time read at
    /// its start and end.
    fn report(&self, rate: u32, start_height: u64, cpu: (&CpuReading, &CpuReading)) -> LoadReport {
        let book = self.shared.lock();
        let run = &book.run;
        let window = report::committed_window(&book.blocks, start_height + 1);
        let load_heights = window.as_ref().map(|w| w.first_height..=w.last_height);
        let in_load: Vec<_> = load_heights
            .clone()
            .map(|heights| book.blocks.range(heights).map(|(_, b)| *b).collect())
            .unwrap_or_default();
        let latencies = latency_ms(&book);
        let send_seconds = match (run.first_send, run.last_send) {
            (Some(a), Some(b)) => report::seconds(a, b),
            _ => 0.0,
        };
        let committed_hashes: Vec<String> = run
            .committed
            .iter()
            .filter(|c| c.ok)
            .map(|c| hex::encode_upper(c.hash))
            .collect();
        let committed_per_account: BTreeMap<String, u64> = self
            .shared
            .accounts
            .iter()
            .zip(&book.accounts)
            .map(|(a, b)| (a.address.clone(), b.committed))
            .collect();
        LoadReport {
            app: self.target.app.name().into(),
            build: self.target.build.clone(),
            nodes: self.shared.nodes.len(),
            withholding_events: self.target.withholding_events,
            accounts: self.shared.accounts.len(),
            target_rate: rate,
            send_seconds,
            sent: run.acknowledged,
            offered_tx_per_s: if send_seconds > 0.0 {
                run.acknowledged as f64 / send_seconds
            } else {
                0.0
            },
            tx_bytes: if run.acknowledged > 0 {
                run.acknowledged_bytes as f64 / run.acknowledged as f64
            } else {
                0.0
            },
            committed: committed_hashes.len() as u64,
            failed: run.failed.clone(),
            refused: run.refused.clone(),
            not_committed: run.acknowledged.saturating_sub(run.committed.len() as u64),
            resyncs: run.resyncs,
            idle_block_ms: report::spread(report::block_intervals_ms(
                &book.blocks,
                start_height.saturating_sub(IDLE_BLOCKS)..=start_height.saturating_sub(1),
            )),
            load_block_ms: load_heights.and_then(|heights| {
                report::spread(report::block_intervals_ms(&book.blocks, heights))
            }),
            block_txs: report::per_block(in_load.iter().map(|b| b.txs)),
            block_bytes: report::per_block(in_load.iter().map(|b| b.bytes)),
            latency_ms: report::spread(latencies),
            pruning: self
                .target
                .keep_recent
                .zip(window.as_ref())
                .map(|(keep, w)| report::Pruning::during(keep, w.first_height..=w.last_height)),
            window,
            cpu: self
                .target
                .processes
                .per_tx(cpu.0, cpu.1, run.committed.len() as u64),
            committed_hashes,
            committed_per_account,
        }
    }
}

/// Broadcast → t(h+1) of every committed transaction of the run whose block h+1 is known.
fn latency_ms(book: &Book) -> Vec<f64> {
    book.run
        .committed
        .iter()
        .filter_map(|c| {
            let decided = book.blocks.get(&(c.height + 1))?.time;
            Some(report::seconds(c.sent_at, decided) * 1000.0)
        })
        .collect()
}

/// The size of a signed load transfer (what kvstore load mimics by default).
fn transfer_size(chain_id: &str) -> Result<usize> {
    let mut accounts = derive_accounts(0, 2)?;
    accounts[0].number = 1_000;
    let workload = Workload::Rampart {
        chain_id: chain_id.into(),
        validators: Vec::new(),
        mix: false,
    };
    Ok(workload.tx(&accounts, 0, 100)?.len())
}

/// Seconds since the Unix epoch, a default seed that differs per run.
pub fn time_seed() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The progress display waits for every signing task, however long they take, and then
    /// reports the total.
    #[tokio::test]
    async fn signing_progress_waits_for_every_task() {
        let signed = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = [100u64, 1_200]
            .into_iter()
            .map(|millis| {
                let signed = signed.clone();
                tokio::task::spawn_blocking(move || {
                    std::thread::sleep(Duration::from_millis(millis));
                    signed.fetch_add(1, Ordering::Relaxed);
                })
            })
            .collect();
        show_signing_progress(&tasks, &signed, 2).await;
        assert!(tasks.iter().all(|task| task.is_finished()));
        assert_eq!(signed.load(Ordering::Relaxed), 2);
    }
}
