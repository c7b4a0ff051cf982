//! The real `rampartd` CLI against a [`TestNet`], as a user runs it: a keyring holding the
//! faucet, every command pointed at node 0, transactions waiting for their block with JSON output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use anyhow::{ensure, Context, Result};
use serde_json::Value;

use crate::TestNet;

/// Fee of every transaction the CLI sends.
pub const FEES: &str = "5000uramp";

/// Who signs a transaction.
#[derive(Clone, Copy)]
pub enum Key<'a> {
    /// The faucet, imported into the test's own keyring.
    Faucet,
    /// A node's operator key (`validator` in the node home's `test` keyring).
    Operator(&'a Path),
}

/// The `rampartd` CLI against node 0, with a keyring holding the faucet.
pub struct Cli {
    bin: PathBuf,
    /// The CLI's own home (its keyring), also a scratch directory for files the test writes.
    pub home: tempfile::TempDir,
    rpc: String,
    /// The faucet's address.
    pub faucet: String,
}

impl Cli {
    /// A provider validator's tokens (`query staking validator`).
    pub fn validator_tokens(&self, operator: &str) -> Result<u128> {
        crate::json::int(&self.query(&["staking", "validator", operator])?["tokens"])
    }

    /// `address`'s balance of `denom` (`query bank balances`; 0 when it holds none).
    pub fn balance(&self, address: &str, denom: &str) -> Result<u128> {
        let all = self.query(&["bank", "balances", address])?;
        let coins = all["balances"].as_array().context("balances list")?;
        match coins.iter().find(|c| c["denom"] == denom) {
            Some(coin) => crate::json::int(&coin["amount"]),
            None => Ok(0),
        }
    }

    /// Imports the faucet of `t` into a fresh test keyring.
    pub fn new(t: &TestNet) -> Result<Self> {
        let funding = t.funding()?;
        let cli = Self {
            bin: t.binaries.rampartd.clone(),
            home: tempfile::tempdir()?,
            rpc: t.net.node(0)?.rpc.clone(),
            faucet: funding.faucet.address,
        };
        let mut child = Command::new(&cli.bin)
            .args([
                "keys",
                "add",
                "faucet",
                "--recover",
                "--keyring-backend",
                "test",
            ])
            .arg("--home")
            .arg(cli.home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        use std::io::Write;
        child
            .stdin
            .take()
            .context("stdin")?
            .write_all(funding.faucet.mnemonic.as_bytes())?;
        let output = child.wait_with_output()?;
        ensure!(output.status.success(), "keys add: {}", stderr(&output));
        Ok(cli)
    }

    /// `rampartd <args> --node <node 0>`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.bin);
        command
            .args(args)
            .args(["--node", &self.rpc])
            .stdin(Stdio::null());
        command
    }

    /// A query with `--output json`.
    pub fn query(&self, args: &[&str]) -> Result<Value> {
        let mut all = vec!["query"];
        all.extend(args);
        all.extend(["--output", "json"]);
        let output = self
            .command(&all)
            .arg("--home")
            .arg(self.home.path())
            .output()?;
        ensure!(output.status.success(), "{all:?}: {}", stderr(&output));
        serde_json::from_slice(&output.stdout).with_context(|| format!("{all:?}: not JSON"))
    }

    /// The transaction command `args`, signed by `key`, waiting for its block.
    pub fn tx_command(&self, key: Key<'_>, args: &[&str]) -> Command {
        let (from, home) = match key {
            Key::Faucet => ("faucet", self.home.path()),
            Key::Operator(home) => ("validator", home),
        };
        let mut all = vec!["tx"];
        all.extend(args);
        all.extend([
            "--from",
            from,
            "--keyring-backend",
            "test",
            "--fees",
            FEES,
            "--gas",
            "auto",
            "--yes",
            "--broadcast-mode",
            "block",
            "--output",
            "json",
        ]);
        let mut command = self.command(&all);
        command.arg("--home").arg(home);
        command
    }

    /// A transaction that must succeed; returns the outcome (`txhash`, `height`, `code`, …).
    pub fn tx_ok(&self, key: Key<'_>, args: &[&str]) -> Result<Value> {
        tx_outcome(args, self.tx_command(key, args).output()?)
    }

    /// A transaction that must fail; returns its stderr.
    pub fn tx_err(&self, key: Key<'_>, args: &[&str]) -> Result<String> {
        let output = self.tx_command(key, args).output()?;
        ensure!(
            !output.status.success(),
            "{args:?} succeeded: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        Ok(stderr(&output))
    }
}

/// The stderr of `output` as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The JSON outcome of a transaction that must have succeeded with code 0.
pub fn tx_outcome(args: &[&str], output: Output) -> Result<Value> {
    ensure!(output.status.success(), "{args:?}: {}", stderr(&output));
    let outcome: Value = serde_json::from_slice(&output.stdout)?;
    ensure!(outcome["code"] == 0, "{args:?}: {outcome}");
    Ok(outcome)
}
