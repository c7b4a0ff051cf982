//! The two programs a localnet runs: `rampartd` (built from this workspace)
//! and the pinned `cometbft`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::manifest::Manifest;

/// Environment variable naming a prebuilt rampartd to use instead of building one.
pub const RAMPARTD_BIN_ENV: &str = "RAMPARTD_BIN";

/// The `localnet.json` field recording the rampartd executable the provider's nodes were last
/// started with.
pub const RAMPARTD_FIELD: &str = "rampartd";

/// Paths of the binaries every node runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binaries {
    /// The rampartd executable.
    pub rampartd: PathBuf,
    /// A cometbft executable of the pinned version.
    pub cometbft: PathBuf,
}

impl Binaries {
    /// Builds rampartd ([`build_rampartd`]) and locates (or installs) CometBFT.
    pub fn resolve() -> Result<Self> {
        Self::resolve_profile(!cfg!(debug_assertions))
    }

    /// [`Binaries::resolve`] with an optimised rampartd (`cargo build --release`) when
    /// `release`, a debug one otherwise (`cargo localnet up --release`).
    pub fn resolve_profile(release: bool) -> Result<Self> {
        let rampartd = build_rampartd_profile(release)?;
        let cometbft = rampartd::cometbft::locate_or_install()?;
        Ok(Self { rampartd, cometbft })
    }
}

/// `release` or `debug` when `exe` is a cargo artifact `…/target/<profile>/rampartd`.
pub fn cargo_profile(exe: &Path) -> Option<&'static str> {
    if exe.file_name()? != "rampartd" {
        return None;
    }
    match exe.parent()?.file_name()?.to_str()? {
        "release" => Some("release"),
        "debug" => Some("debug"),
        _ => None,
    }
}

/// The rampartd a localnet was started with, kept in `localnet.json`.
impl Manifest {
    /// The recorded rampartd executable ([`RAMPARTD_FIELD`]), if any.
    pub fn recorded_rampartd(&self) -> Option<PathBuf> {
        self.extra
            .get(RAMPARTD_FIELD)
            .and_then(Value::as_str)
            .map(PathBuf::from)
    }

    /// Records `rampartd` as the executable the provider's nodes run.
    pub fn record_rampartd(&mut self, rampartd: &Path) {
        self.extra.insert(
            RAMPARTD_FIELD.into(),
            Value::String(rampartd.to_string_lossy().into_owned()),
        );
    }
}

/// Returns a rampartd binary: `$RAMPARTD_BIN` if set, otherwise runs
/// `cargo build -p rampartd` (with `$CARGO` if set, honouring
/// `$CARGO_TARGET_DIR`; `--release` when the caller itself is a release
/// build) and returns the executable cargo reports. The variables cargo sets for the package
/// it runs (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`, …) are removed first: build scripts that watch
/// them (ring's does) would otherwise rebuild on every switch between `cargo localnet`, a test
/// and a plain `cargo build`.
pub fn build_rampartd() -> Result<PathBuf> {
    build_rampartd_profile(!cfg!(debug_assertions))
}

/// [`build_rampartd`] with `--release` exactly when `release`.
pub fn build_rampartd_profile(release: bool) -> Result<PathBuf> {
    if let Some(bin) = std::env::var_os(RAMPARTD_BIN_ENV).filter(|v| !v.is_empty()) {
        let bin = PathBuf::from(bin);
        if !bin.is_file() {
            bail!("{RAMPARTD_BIN_ENV}={} does not exist", bin.display());
        }
        return Ok(bin);
    }

    eprintln!(
        "building rampartd (cargo build -p rampartd{})…",
        if release { " --release" } else { "" }
    );
    let mut command = workspace_cargo("build");
    command
        .args(["--package", "rampartd", "--bin", "rampartd"])
        .args(["--message-format", "json-render-diagnostics"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // cargo's progress and compiler errors go straight to the user.
        .stderr(Stdio::inherit());
    if release {
        command.arg("--release");
    }
    let mut child = command
        .spawn()
        .context("failed to run `cargo build -p rampartd` for this workspace")?;

    let mut executable = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.context("failed to read cargo's output")?;
            if let Some(path) = rampartd_artifact(&line) {
                executable = Some(path);
            }
        }
    }
    let status = child.wait().context("failed to wait for cargo")?;
    if !status.success() {
        bail!("`cargo build -p rampartd` failed ({status}); see the compiler output above");
    }
    executable.context("`cargo build -p rampartd` succeeded but reported no rampartd executable")
}

/// `cargo <subcommand> --manifest-path <workspace>/Cargo.toml` (with `$CARGO` if set) as the
/// user's own command would run it: without the variables cargo sets for the package whose
/// program or test is running ([`is_package_variable`]). Every nested cargo goes through here, so
/// `cargo localnet`, the end-to-end tests and a plain `cargo build -p rampartd` share one build
/// cache: the same features (the workspace resolves them the same way for each) and the same
/// environment for build scripts (ring's reruns when `CARGO_PKG_NAME` & co. change).
pub fn workspace_cargo(subcommand: &str) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = rampartd::cometbft::workspace_root().join("Cargo.toml");
    let mut command = Command::new(cargo);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(is_package_variable) {
            command.env_remove(&name);
        }
    }
    command.arg(subcommand).arg("--manifest-path").arg(manifest);
    command
}

/// True for the environment variables cargo sets for the package whose program (or test) it
/// runs, which a nested `cargo build` must not see.
fn is_package_variable(name: &str) -> bool {
    const PREFIXES: [&str; 3] = ["CARGO_PKG_", "CARGO_MANIFEST_", "CARGO_BIN_"];
    const NAMES: [&str; 5] = [
        "CARGO_CRATE_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_CURRENT_DIR",
        "OUT_DIR",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p)) || NAMES.contains(&name)
}

/// The executable path of a `compiler-artifact` message for the rampartd binary.
fn rampartd_artifact(line: &str) -> Option<PathBuf> {
    let message: Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-artifact" || message["target"]["name"] != "rampartd" {
        return None;
    }
    message["executable"].as_str().map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rampartd_artifact() {
        let bin = r#"{"reason":"compiler-artifact","target":{"name":"rampartd","kind":["bin"]},"executable":"/t/debug/rampartd"}"#;
        let lib = r#"{"reason":"compiler-artifact","target":{"name":"rampartd","kind":["lib"]},"executable":null}"#;
        assert_eq!(
            rampartd_artifact(bin),
            Some(PathBuf::from("/t/debug/rampartd"))
        );
        assert_eq!(rampartd_artifact(lib), None);
        assert_eq!(rampartd_artifact("not json"), None);
    }

    #[test]
    fn knows_cargo_artifacts_and_records_the_build() {
        assert_eq!(
            cargo_profile(Path::new("/w/target/release/rampartd")),
            Some("release")
        );
        assert_eq!(
            cargo_profile(Path::new("/w/target/debug/rampartd")),
            Some("debug")
        );
        assert_eq!(cargo_profile(Path::new("/tmp/x/rampartd-crash")), None);
        assert_eq!(cargo_profile(Path::new("/opt/bin/rampartd")), None);
        let mut manifest = Manifest {
            chain_id: "c".into(),
            nodes: vec![],
            faucet: None,
            denom: None,
            bech32_prefix: None,
            consumers: vec![],
            extra: Default::default(),
        };
        assert_eq!(manifest.recorded_rampartd(), None);
        manifest.record_rampartd(Path::new("/w/target/release/rampartd"));
        assert_eq!(
            manifest.recorded_rampartd(),
            Some(PathBuf::from("/w/target/release/rampartd"))
        );
    }

    #[test]
    fn nested_builds_do_not_see_the_running_package() {
        for name in [
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_MAJOR",
            "CARGO_CRATE_NAME",
            "CARGO_BIN_EXE_rampartd",
            "OUT_DIR",
        ] {
            assert!(is_package_variable(name), "{name}");
        }
        for name in [
            "CARGO",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "PATH",
            "RUSTFLAGS",
        ] {
            assert!(!is_package_variable(name), "{name}");
        }
    }
}
