//! The one place that finds the pinned CometBFT binary.
//!
//! `rampartd init`, the localnet (`cargo localnet`) and the end-to-end tests all
//! call [`locate_or_install`], so every tool runs the same CometBFT version:
//! [`COMETBFT_VERSION`].
//!
//! Lookup order:
//! 1. `$COMETBFT_BIN` — an explicit binary; a wrong version is an error.
//! 2. `<tools dir>/cometbft` (see [`tools_dir`]).
//! 3. `cometbft` on `$PATH`.
//!
//! Candidates 2 and 3 are skipped (with a note on stderr) when they report a
//! different version. When nothing fits, the pinned version is installed into
//! the tools dir with `go install`. Concurrent callers (tests run in parallel)
//! are serialised by a lock file in the tools dir, and the binary is moved into
//! place with an atomic rename, so nobody ever runs a half-written file.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};

/// The CometBFT release Rampart is built and tested against.
pub const COMETBFT_VERSION: &str = "0.38.25";

/// The Go package `go install` builds the `cometbft` binary from.
pub const COMETBFT_GO_PACKAGE: &str = "github.com/cometbft/cometbft/cmd/cometbft";

/// Environment variable naming an explicit CometBFT binary.
pub const COMETBFT_BIN_ENV: &str = "COMETBFT_BIN";

/// Environment variable overriding the project-local tools dir.
pub const TOOLS_DIR_ENV: &str = "RAMPART_TOOLS_DIR";

/// Name of the lock file that serialises installs inside the tools dir.
const LOCK_FILE: &str = ".install.lock";

/// How long a caller waits for another process's install before giving up.
const INSTALL_WAIT: Duration = Duration::from_secs(20 * 60);

/// The Cargo workspace root (the directory holding the top-level `Cargo.toml`).
///
/// Derived at compile time from this crate's manifest dir (`<root>/node`).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest_dir.to_path_buf())
}

/// The project-local tools dir: `$RAMPART_TOOLS_DIR`, else `<workspace root>/.tools/bin`.
pub fn tools_dir() -> PathBuf {
    match std::env::var_os(TOOLS_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_root().join(".tools").join("bin"),
    }
}

/// Returns a CometBFT binary that reports [`COMETBFT_VERSION`], installing it
/// into [`tools_dir`] with `go install` when no candidate fits.
///
/// See the module docs for the lookup order.
pub fn locate_or_install() -> Result<PathBuf> {
    if let Some(explicit) = std::env::var_os(COMETBFT_BIN_ENV).filter(|v| !v.is_empty()) {
        let bin = PathBuf::from(explicit);
        check_version(&bin).with_context(|| {
            format!(
                "{COMETBFT_BIN_ENV}={} is not a usable CometBFT v{COMETBFT_VERSION} binary",
                bin.display()
            )
        })?;
        return Ok(bin);
    }

    let dir = tools_dir();
    let local = dir.join("cometbft");
    if let Some(bin) = accept_candidate(&local) {
        return Ok(bin);
    }
    if let Some(on_path) = find_on_path("cometbft") {
        if let Some(bin) = accept_candidate(&on_path) {
            return Ok(bin);
        }
    }
    install_into(&dir)
}

/// Runs `<bin> version` and returns the trimmed first line of its output.
pub fn binary_version(bin: &Path) -> Result<String> {
    let output = Command::new(bin)
        .arg("version")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("failed to run `{} version`", bin.display()))?;
    if !output.status.success() {
        bail!(
            "`{} version` exited with {}: {}",
            bin.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    Ok(stdout.lines().next().unwrap_or("").trim().to_string())
}

/// True when a `version` output names [`COMETBFT_VERSION`]
/// (`0.38.25`, `v0.38.25`, or with build metadata such as `0.38.25+abc`).
fn is_pinned_version(reported: &str) -> bool {
    let reported = reported.trim().trim_start_matches('v');
    match reported.strip_prefix(COMETBFT_VERSION) {
        Some(rest) => rest.is_empty() || rest.starts_with('+'),
        None => false,
    }
}

/// Fails unless `bin` runs and reports [`COMETBFT_VERSION`].
fn check_version(bin: &Path) -> Result<()> {
    let reported = binary_version(bin)?;
    if !is_pinned_version(&reported) {
        bail!(
            "{} reports version {reported:?}, expected {COMETBFT_VERSION}",
            bin.display()
        );
    }
    Ok(())
}

/// Accepts an optional candidate: a missing file is silently skipped, a
/// binary with another version is skipped with a note.
fn accept_candidate(bin: &Path) -> Option<PathBuf> {
    if !bin.is_file() {
        return None;
    }
    match check_version(bin) {
        Ok(()) => Some(bin.to_path_buf()),
        Err(err) => {
            eprintln!("note: skipping {}: {err:#}", bin.display());
            None
        }
    }
}

/// Finds an executable file called `name` on `$PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// True for a regular file with any execute bit set.
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Installs the pinned CometBFT into `dir` (or waits for a concurrent install
/// by another process) and returns `<dir>/cometbft`.
fn install_into(dir: &Path) -> Result<PathBuf> {
    fs::create_dir_all(dir)
        .with_context(|| format!("failed to create tools dir {}", dir.display()))?;
    let target = dir.join("cometbft");
    let _lock = InstallLock::acquire(dir)?;

    // Another process may have finished the install while we waited.
    if check_version(&target).is_ok() {
        return Ok(target);
    }

    let go = find_on_path("go").with_context(|| {
        format!(
            "Go is required to install CometBFT v{COMETBFT_VERSION}: install Go ≥ 1.22 from \
             https://go.dev/dl/ or set {COMETBFT_BIN_ENV} to a cometbft v{COMETBFT_VERSION} binary"
        )
    })?;
    let package = format!("{COMETBFT_GO_PACKAGE}@v{COMETBFT_VERSION}");
    eprintln!(
        "installing CometBFT v{COMETBFT_VERSION} into {} (go install {package})…",
        dir.display()
    );

    // Build into a private GOBIN, then rename into place atomically.
    let staging = dir.join(format!(
        ".install-{}-{}",
        std::process::id(),
        unique_suffix()
    ));
    fs::create_dir_all(&staging)
        .with_context(|| format!("failed to create staging dir {}", staging.display()))?;
    let result = run_go_install(&go, &package, &staging).and_then(|()| {
        let built = staging.join("cometbft");
        fs::rename(&built, &target)
            .with_context(|| format!("failed to move {} to {}", built.display(), target.display()))
    });
    // Best effort: the staging dir is empty or holds a failed build.
    let _ = fs::remove_dir_all(&staging);
    result?;

    check_version(&target).context("freshly installed CometBFT failed its version check")?;
    eprintln!("installed {}", target.display());
    Ok(target)
}

/// Runs `go install <package>` with `GOBIN=<gobin>`, showing its output.
fn run_go_install(go: &Path, package: &str, gobin: &Path) -> Result<()> {
    let status = Command::new(go)
        .arg("install")
        .arg(package)
        .env("GOBIN", gobin)
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .status()
        .with_context(|| format!("failed to run `{} install {package}`", go.display()))?;
    if !status.success() {
        bail!(
            "`go install {package}` failed with {status}; set {COMETBFT_BIN_ENV} to a cometbft \
             v{COMETBFT_VERSION} binary to skip the install"
        );
    }
    Ok(())
}

/// Nanoseconds since the epoch, used to make staging dir names unique.
fn unique_suffix() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// An exclusive lock on installing into one tools dir: the file
/// `<dir>/.install.lock` created with `create_new`, holding the owner's PID.
/// Removed on drop.
struct InstallLock {
    path: PathBuf,
}

impl InstallLock {
    /// Takes the lock, waiting while another live process holds it. The
    /// caller re-checks the binary afterwards: the previous holder may have
    /// installed it already.
    fn acquire(dir: &Path) -> Result<Self> {
        let path = dir.join(LOCK_FILE);
        let started = Instant::now();
        let mut announced = false;
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    // The PID lets waiters detect a lock left by a dead process.
                    let _ = write!(file, "{}", std::process::id());
                    return Ok(Self { path });
                }
                Err(err) if err.kind() == ErrorKind::AlreadyExists => {
                    if lock_is_stale(&path) {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    if !announced {
                        eprintln!(
                            "waiting for another process to finish installing CometBFT into {} \
                             (lock {})…",
                            dir.display(),
                            path.display()
                        );
                        announced = true;
                    }
                    if started.elapsed() > INSTALL_WAIT {
                        bail!(
                            "timed out after {:?} waiting for the install lock {}; remove it if \
                             no install is running",
                            INSTALL_WAIT,
                            path.display()
                        );
                    }
                    thread::sleep(Duration::from_millis(500));
                }
                Err(err) => {
                    return Err(err)
                        .with_context(|| format!("failed to create lock file {}", path.display()))
                }
            }
        }
    }
}

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// A lock is stale when it names a PID that no longer exists. A lock whose
/// PID is not written yet (just created) is not stale.
fn lock_is_stale(path: &Path) -> bool {
    let Ok(contents) = fs::read_to_string(path) else {
        return false;
    };
    let Ok(pid) = contents.trim().parse::<u32>() else {
        return false;
    };
    !Path::new("/proc").join(pid.to_string()).exists() && Path::new("/proc/self").exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_strings() {
        assert!(is_pinned_version("0.38.25"));
        assert!(is_pinned_version("v0.38.25\n"));
        assert!(is_pinned_version("0.38.25+abcdef"));
        assert!(!is_pinned_version("0.38.2"));
        assert!(!is_pinned_version("0.38.250"));
        assert!(!is_pinned_version("0.37.4"));
        assert!(!is_pinned_version(""));
    }

    #[test]
    fn tools_dir_is_under_workspace_root() {
        if std::env::var_os(TOOLS_DIR_ENV).is_none() {
            assert_eq!(tools_dir(), workspace_root().join(".tools/bin"));
        }
        assert!(workspace_root().join("Cargo.toml").is_file());
    }

    #[test]
    fn locate_or_install_returns_pinned_version() -> Result<()> {
        let bin = locate_or_install()?;
        assert_eq!(binary_version(&bin)?, COMETBFT_VERSION);
        Ok(())
    }
}
