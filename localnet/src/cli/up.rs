//! `up`: build, generate (or resume), start, wait, then watch or detach.

use std::fs;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tokio::signal::unix::{signal, SignalKind};

use super::{display, UpArgs};
use crate::binaries::Binaries;
use crate::network::{Chain, CreateOptions, Localnet};
use crate::ports::{ensure_free, PortPlan};
use crate::process::StopMode;

/// How long the first block may take after starting.
const FIRST_BLOCK_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `up`.
pub async fn run(args: UpArgs) -> Result<()> {
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

    let binaries = Binaries::resolve()?;
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
        net
    } else {
        // Fail before generating anything when a fixed port is taken.
        for (index, ports) in PortPlan::Fixed
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
        Localnet::create(&CreateOptions {
            home: home.clone(),
            validators: usize::from(args.validators),
            chain_id: args.chain_id.clone(),
            ports: PortPlan::Fixed,
            binaries: binaries.clone(),
        })?
    };

    let mut interrupt = Interrupt::new()?;
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

/// Prints a status line of `chain` every second until Ctrl-C / SIGTERM.
pub(super) async fn watch(net: &mut Localnet, interrupt: &mut Interrupt, chain: Chain) {
    let tty = std::io::stderr().is_terminal();
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
        if tty {
            // Rewrite the line in place; \x1b[K clears what is left of the old one.
            eprint!("\r{line}\x1b[K");
            let _ = std::io::stderr().flush();
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
