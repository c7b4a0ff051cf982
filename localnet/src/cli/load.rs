//! `cargo localnet load`: drive the running localnet (Rampart or kvstore) at a rate, or step the
//! rate to saturation, and report from the blocks.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;

use super::HomeArg;
use crate::load::{compare, Generator, LoadPlan, LoadReport, LoadTarget};
use crate::network::Localnet;

/// Options of `load`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("mode").required(true).args(["rate", "saturate"]))]
pub struct LoadArgs {
    /// Offer this many transactions per second (at least 1) for --duration.
    #[arg(long, value_name = "TX_PER_S", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate: Option<u32>,
    /// Step the rate from --start-rate, ×--step-factor per step of --duration, until committed
    /// tx/s grows by less than 5 %; reports every step and the best.
    #[arg(long)]
    pub saturate: bool,
    /// First rate of --saturate, in tx/s.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub start_rate: u32,
    /// Rate factor between two --saturate steps (above 1).
    #[arg(long, default_value_t = 1.5)]
    pub step_factor: f64,
    /// How long to send (each step with --saturate): `30s`, `2m`, `500ms` or seconds.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Accounts funded from the faucet (MsgMultiSend) and sending.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub accounts: u64,
    /// The most transactions in flight (acknowledged, not committed) per account.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..))]
    pub in_flight_per_account: u64,
    /// The most transactions in flight in all; keep it below CometBFT's mempool.size (5,000),
    /// or a full mempool drops acknowledged transactions.
    #[arg(long, default_value_t = 4_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_in_flight: u64,
    /// Connections (concurrent senders) per node.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub connections: u64,
    /// Mix delegations (one transaction in four) in with the transfers.
    #[arg(long)]
    pub mix: bool,
    /// Byte size of kvstore transactions [default: that of a signed Rampart transfer].
    #[arg(long, value_name = "BYTES")]
    pub tx_size: Option<usize>,
    /// Give up on an acknowledged transaction not committed after this long, and read its
    /// account's sequence again from the chain.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub lost_after: Duration,
    /// Seed of the accounts' keys [default: from the clock, fresh accounts every run].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print the report as JSON (with --saturate: `{"steps": […], "best": …}`).
    #[arg(long)]
    pub json: bool,
    /// Also print a side-by-side table against a report saved with --json (e.g. of the
    /// kvstore localnet), with the ratio this / that.
    #[arg(long, value_name = "FILE")]
    pub compare: Option<PathBuf>,
    /// Home dir.
    #[command(flatten)]
    pub home: HomeArg,
}

/// Parses `30s`, `2m`, `500ms` or a number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration such as 30s, 2m or 500ms");
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: u64 = number.parse().map_err(|_| bad())?;
    let duration = match unit {
        "ms" => Duration::from_millis(value),
        "s" => Duration::from_secs(value),
        "m" => Duration::from_secs(value.saturating_mul(60)),
        _ => return Err(bad()),
    };
    if duration.is_zero() {
        return Err(format!("{text:?}: the duration must be positive"));
    }
    Ok(duration)
}

/// Runs `load`.
pub async fn run(args: LoadArgs) -> Result<()> {
    let home = args.home.resolve();
    if !Localnet::exists(&home) {
        bail!(
            "no localnet in {}; start one with `cargo localnet up --detach`",
            home.display()
        );
    }
    if args.saturate && args.step_factor <= 1.0 {
        bail!("--step-factor must be above 1");
    }
    let baseline = match &args.compare {
        Some(path) => Some(read_report(path)?),
        None => None,
    };
    let net = Localnet::load(&home)?;
    let target = LoadTarget::from_localnet(&net)?;
    let plan = LoadPlan {
        accounts: usize::try_from(args.accounts)?,
        per_account: usize::try_from(args.in_flight_per_account)?,
        max_in_flight: usize::try_from(args.max_in_flight)?,
        connections: usize::try_from(args.connections)?,
        mix: args.mix,
        tx_size: args.tx_size,
        lost_after: args.lost_after,
        seed: args.seed.unwrap_or_else(crate::load::time_seed),
        ..LoadPlan::default()
    };
    eprintln!(
        "preparing {} accounts on {} node(s) of the {} localnet ({} build)…",
        plan.accounts,
        target.nodes.len(),
        target.app.name(),
        target.build
    );
    let mut generator = Generator::prepare(target, plan).await?;
    let best = if args.saturate {
        let steps = generator
            .saturate(args.start_rate, args.step_factor, args.duration, |step| {
                // Progress on stderr, also with --json (stdout stays one JSON document).
                eprintln!(
                    "  step {} tx/s: offered {:.1}, committed {:.1} tx/s, failed {}, latency p50 {:.0} ms",
                    step.target_rate,
                    step.offered_tx_per_s,
                    step.committed_tx_per_s(),
                    step.failed_total(),
                    step.latency_ms.map_or(0.0, |l| l.p50)
                );
            })
            .await?;
        let best = steps
            .iter()
            .max_by(|a, b| a.committed_tx_per_s().total_cmp(&b.committed_tx_per_s()))
            .cloned()
            .context("no saturation step ran")?;
        if args.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({"steps": steps, "best": best}))?
            );
        } else {
            println!("saturation (best step):\n{best}");
        }
        best
    } else {
        let rate = args.rate.context("--rate or --saturate is required")?;
        eprintln!("offering {rate} tx/s for {:?}…", args.duration);
        let report = generator.run(rate, args.duration).await?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            println!("{report}");
        }
        report
    };
    if let Some(baseline) = baseline {
        println!("{}", compare(&best, &baseline));
    }
    Ok(())
}

/// A report saved with `--json` (a single run, or the `best` of a saturation).
fn read_report(path: &std::path::Path) -> Result<LoadReport> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let report = value.get("best").cloned().unwrap_or(value);
    serde_json::from_value(report).with_context(|| {
        format!(
            "{} is not a `cargo localnet load --json` report",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::cli::{Cli, Command};
    use clap::Parser;

    #[test]
    fn bad_input_is_refused_by_the_parser() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from(["cargo localnet"].iter().chain(args)).map_err(|e| e.to_string())
        };
        let zero = parse(&["load", "--rate", "0"]).err().unwrap_or_default();
        assert!(zero.contains("--rate"), "{zero}");
        assert!(
            parse(&["load"]).is_err(),
            "--rate or --saturate is required"
        );
        assert!(parse(&["load", "--rate", "5", "--saturate"]).is_err());
        let app = parse(&["up", "--app", "tendermint"])
            .err()
            .unwrap_or_default();
        assert!(app.contains("rampart") && app.contains("kvstore"), "{app}");
        match parse(&["load", "--saturate", "--duration", "20s", "--mix"]) {
            Ok(Cli {
                command: Command::Load(args),
            }) => {
                assert!(args.saturate && args.mix && args.rate.is_none());
                assert_eq!(args.duration, Duration::from_secs(20));
            }
            other => panic!("parsed {other:?}"),
        }
        match parse(&["up", "--app", "kvstore", "--release", "--free-ports"]) {
            Ok(Cli {
                command: Command::Up(args),
            }) => assert!(args.release && args.free_ports),
            other => panic!("parsed {other:?}"),
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("3h").is_err());
    }
}
