//! `cargo localnet drill`: inject faults into a running localnet (its provider, or a consumer
//! chain with `--consumer`) under load and check that nothing is lost, nothing diverges and the
//! network recovers ([`crate::drill`]).

use std::time::Duration;

use anyhow::{bail, Result};
use clap::Args;

use super::HomeArg;
use crate::drill::schedule::FaultMode;
use crate::drill::{self, DrillOptions};
use crate::network::{Chain, Localnet};

/// Options of `drill`.
#[derive(Debug, Args)]
pub struct DrillArgs {
    /// How long faults are injected (`90s`, `30m`, `1h`).
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
    pub duration: Duration,
    /// One fault every this long.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub every: Duration,
    /// kill (SIGKILL both processes), pause (SIGSTOP/SIGCONT), restart-app (SIGKILL rampartd),
    /// restart-cometbft (SIGKILL cometbft), relayer-kill (SIGKILL the consumer's relayer, start
    /// it later), relayer-restart (stop and start it) or mixed (drawn from the seed; with
    /// --consumer, the relayer's faults too).
    #[arg(long, default_value = "kill")]
    pub fault: FaultMode,
    /// Drill consumer chain ID (`cargo localnet consumer up ID` runs it) instead of the
    /// provider's validators: its nodes and its relayer are faulted, the load runs on it, and
    /// after every fault it must follow the provider again — before each fault one provider
    /// validator moves its pledge to the consumer by 5 % (back at its next turn), and within
    /// 60 s of the recovery the consumer must have applied, and the provider recorded as
    /// acknowledged, the packet this causes, with the consumer's set equal to the provider's.
    #[arg(long, value_name = "ID")]
    pub consumer: Option<u64>,
    /// Signed bank transfers per second while faults happen (0: none).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub load: f64,
    /// Seed of the schedule (which node, which fault, how long down): the same seed replays it.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Validators one fault takes down [default: as many as keep the quorum, at least 1].
    /// More than that halts the chain on purpose (a stall is then not a violation).
    #[arg(long, value_name = "N")]
    pub max_down: Option<usize>,
    /// Skip the final invariant check (which stops one node briefly).
    #[arg(long)]
    pub no_invariants: bool,
    /// Home dir.
    #[command(flatten)]
    pub home: HomeArg,
}

/// Parses `45s`, `30m`, `1h` or a number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(split) => text.split_at(split),
        None => (text, "s"),
    };
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}`: a duration is a number with s, m or h"))?;
    let secs = match unit {
        "s" => value,
        "m" => value * 60,
        "h" => value * 3600,
        _ => return Err(format!("`{text}`: unknown unit `{unit}` (s, m or h)")),
    };
    if secs == 0 {
        return Err(format!("`{text}`: must be positive"));
    }
    Ok(Duration::from_secs(secs))
}

/// Runs the drill and prints its summary; any violation is an error (exit code 1).
pub async fn run(args: DrillArgs) -> Result<()> {
    let mut net = Localnet::load(&args.home.resolve())?;
    let binaries = net.recorded_binaries()?;
    let chain = args.consumer.map_or(Chain::Provider, Chain::Consumer);
    let options = DrillOptions {
        duration: args.duration,
        every: args.every,
        mode: args.fault,
        load: (args.load > 0.0).then_some(args.load),
        seed: args.seed,
        max_down: args.max_down,
        invariants: !args.no_invariants,
    };
    let report = drill::run_on(&mut net, &binaries, chain, &options).await?;
    print!("{report}");
    if !report.violations.is_empty() {
        bail!("the drill found {} violation(s)", report.violations.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("15"), Ok(Duration::from_secs(15)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("m").is_err());
    }
}
