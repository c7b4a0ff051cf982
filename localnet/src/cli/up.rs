//! `up`: build, generate (or resume), start, wait, then watch or detach.

use std::fs;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tokio::signal::unix::{signal, SignalKind};

use super::{display, UpArgs};
use crate::binaries::Binaries;
use crate::kvstore::AppKind;
use crate::network::{Chain, CreateOptions, Localnet};
use crate::ports::{ensure_free, PortPlan};
use crate::process::StopMode;
use crate::progress::Progress;

/// How long the first block may take after starting.
const FIRST_BLOCK_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `up`.
pub async fn run(args: UpArgs) -> Result<()> {
    // Before anything is removed or generated.
    if args.lean_validators && args.app == AppKind::Kvstore {
        bail!("--lean-validators is for a Rampart localnet: kvstore emits no events to withhold");
    }
    let home = args.home.resolve();
    if args.fresh && home.exists() {
        if Localnet::exists(&home) {
            let mut old = Localnet::load(&home)?;
            if old.any_running() {
                eprintln!("stopping the running localnet in {}…", home.display());
                old.stop(StopMode::default())?;
            }
        }
        eprintln!("removing {}", home.display());
        fs::remove_dir_all(&home)
            .with_context(|| format!("failed to remove {}", home.display()))?;
    }

    let binaries = Binaries::resolve_profile(args.release || !cfg!(debug_assertions))?;
    let mut net = if Localnet::exists(&home) {
        let net = Localnet::load(&home)?;
        if net.any_running() {
            bail!(
                "the localnet in {} is already running; see `cargo localnet status` or stop it \
                 with `cargo localnet down`",
                net.home().display()
            );
        }
        eprintln!(
            "resuming chain {} in {} ({} validators; --fresh starts over)",
            net.manifest().chain_id,
            net.home().display(),
            net.nodes().len()
        );
        if args.lean_validators {
            eprintln!(
                "note: --lean-validators shapes a new network; this one keeps its nodes' \
                 [events] emit (add --fresh to start over)"
            );
        }
        net
    } else {
        // Fail before generating anything when a fixed port is taken.
        for (index, ports) in port_plan(&args)
            .allocate(usize::from(args.validators))?
            .iter()
            .enumerate()
        {
            ensure_free(&format!("node{index}"), ports)?;
        }
        eprintln!(
            "generating {} validator(s) for chain {} in {}…",
            args.validators,
            args.chain_id,
            home.display()
        );
        let options = CreateOptions {
            home: home.clone(),
            validators: usize::from(args.validators),
            chain_id: args.chain_id.clone(),
            ports: port_plan(&args),
            binaries: binaries.clone(),
        };
        let net = match args.app {
            AppKind::Rampart => Localnet::create(&options)?,
            AppKind::Kvstore => crate::kvstore::create(&options)?,
        };
        if args.lean_validators {
            crate::config::lean_validators(net.nodes())?;
        }
        net
    };
    if net.manifest().app() != args.app {
        bail!(
            "{} holds a {} localnet, not a {} one; add --fresh to start over",
            net.home().display(),
            net.manifest().app().name(),
            args.app.name()
        );
    }

    let mut interrupt = Interrupt::new()?;
    eprintln!(
        "starting {} node(s): rampartd, then cometbft…",
        net.nodes().len()
    );
    net.start(&binaries)?;
    let first_block = tokio::select! {
        result = net.wait_for_height(1, FIRST_BLOCK_TIMEOUT) => result.map(|_| true),
        () = interrupt.recv() => Ok(false),
    };
    match first_block {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("interrupted; stopping the localnet…");
            return net.stop(StopMode::default());
        }
        Err(err) => {
            eprintln!("the localnet did not start; stopping it…");
            let _ = net.stop(StopMode::default());
            return Err(err);
        }
    }

    println!("{}", display::summary(&net));
    if args.detach {
        println!(
            "running in the background; `cargo localnet status` to watch, `cargo localnet down` to stop"
        );
        return Ok(());
    }
    println!("press Ctrl-C to stop");
    watch(&mut net, &mut interrupt, Chain::Provider).await;
    eprintln!("\nstopping the localnet…");
    net.stop(StopMode::default())?;
    eprintln!("stopped");
    Ok(())
}

/// The documented fixed ports, or free ones with `--free-ports`.
fn port_plan(args: &UpArgs) -> PortPlan {
    if args.free_ports {
        PortPlan::Free
    } else {
        PortPlan::Fixed
    }
}

/// Prints a status line of `chain` every second until Ctrl-C / SIGTERM.
pub(super) async fn watch(net: &mut Localnet, interrupt: &mut Interrupt, chain: Chain) {
    let mut progress = Progress::new();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    // Without a terminal, print every 10th line only (logs stay readable).
    let mut until_print: u32 = 0;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = interrupt.recv() => return,
        }
        net.refresh();
        let line = match chain {
            Chain::Provider => display::status_line(&net.status().await),
            Chain::Consumer(id) => match net.consumer_status(id).await {
                Ok(status) => display::consumer_line(&status),
                Err(err) => format!("{err:#}"),
            },
        };
        if progress.is_live() {
            progress.update(&line);
        } else if until_print == 0 {
            eprintln!("{line}");
            until_print = 10;
        }
        until_print = until_print.saturating_sub(1);
    }
}

/// Ctrl-C (SIGINT) or SIGTERM.
pub(super) struct Interrupt {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl Interrupt {
    /// Listens for both signals.
    pub(super) fn new() -> Result<Self> {
        Ok(Self {
            int: signal(SignalKind::interrupt()).context("failed to listen for SIGINT")?,
            term: signal(SignalKind::terminate()).context("failed to listen for SIGTERM")?,
        })
    }

    /// Waits for either signal.
    pub(super) async fn recv(&mut self) {
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::{Cli, Command};
    use super::*;

    /// `--lean-validators` on a kvstore localnet is refused before `--fresh` removes anything.
    #[tokio::test]
    async fn lean_kvstore_is_refused_before_the_home_is_touched() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let home = dir.path().join("kv");
        fs::create_dir_all(&home)?;
        let home_arg = home.to_string_lossy().into_owned();
        let cli = Cli::try_parse_from([
            "cargo localnet",
            "up",
            "--app",
            "kvstore",
            "--lean-validators",
            "--fresh",
            "--home",
            &home_arg,
        ])?;
        let Command::Up(args) = cli.command else {
            panic!("parsed {:?}", cli.command);
        };
        let err = run(args).await.expect_err("refused");
        assert!(format!("{err:#}").contains("--lean-validators"), "{err:#}");
        assert!(home.exists(), "the home is left alone");
        Ok(())
    }
}
