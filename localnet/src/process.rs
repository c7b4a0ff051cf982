//! Starting node processes and stopping exactly the ones we started.
//!
//! A PID is only signalled after checking `/proc/<pid>/cmdline` still names
//! the node's home dir, so a recycled PID is never killed. Processes are put
//! in their own process group so a Ctrl-C in the terminal reaches only
//! `cargo localnet`, which then stops the nodes in order.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::genesis::rfc3339_now;

/// How to stop a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopMode {
    /// SIGTERM, then SIGKILL if it is still running after the timeout.
    Graceful(Duration),
    /// SIGKILL at once.
    Kill,
}

impl Default for StopMode {
    fn default() -> Self {
        StopMode::Graceful(Duration::from_secs(10))
    }
}

/// Starts `program args…` with stdin closed and stdout+stderr appended to
/// `log` (whose parent dir is created).
pub fn spawn_logged(program: &Path, args: &[&str], log: &Path) -> Result<Child> {
    if let Some(dir) = log.parent() {
        fs::create_dir_all(dir)
            .with_context(|| format!("failed to create log dir {}", dir.display()))?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .with_context(|| format!("failed to open log file {}", log.display()))?;
    let command_line = format!("{} {}", program.display(), args.join(" "));
    writeln!(file, "=== {} starting: {command_line}", rfc3339_now())
        .with_context(|| format!("failed to write {}", log.display()))?;
    let stderr = file
        .try_clone()
        .with_context(|| format!("failed to duplicate handle of {}", log.display()))?;
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(stderr)
        .process_group(0)
        .spawn()
        .with_context(|| format!("failed to start `{command_line}`"))
}

/// True when `pid` is a live (non-zombie) process whose command line has an
/// argument equal to `node_home` or inside it.
pub fn is_ours(pid: u32, node_home: &Path) -> bool {
    let proc_dir = Path::new("/proc").join(pid.to_string());
    let Ok(cmdline) = fs::read(proc_dir.join("cmdline")) else {
        return false;
    };
    if is_zombie(&proc_dir) {
        return false;
    }
    let home = node_home.as_os_str().as_encoded_bytes();
    cmdline
        .split(|b| *b == 0)
        .any(|arg| arg == home || (arg.starts_with(home) && arg.get(home.len()) == Some(&b'/')))
}

/// True when `pid` exists and is not a zombie. Only safe for children that
/// have not been reaped yet (their PID cannot be reused); use [`is_ours`]
/// for anything else.
pub fn is_alive(pid: u32) -> bool {
    let proc_dir = Path::new("/proc").join(pid.to_string());
    proc_dir.exists() && !is_zombie(&proc_dir)
}

/// A zombie has exited but not been reaped; it no longer counts as running.
fn is_zombie(proc_dir: &Path) -> bool {
    let Ok(stat) = fs::read_to_string(proc_dir.join("stat")) else {
        return true;
    };
    // Format: "pid (comm) S …" — comm may contain spaces, so split after ')'.
    stat.rsplit_once(')')
        .map(|(_, rest)| rest.trim_start().starts_with('Z'))
        .unwrap_or(false)
}

/// Sends `signal` (`"TERM"` or `"KILL"`) to `pid` with the `kill` command.
pub fn send_signal(pid: u32, signal: &str) -> Result<()> {
    let output = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .stdin(Stdio::null())
        .output()
        .context("failed to run `kill`")?;
    if !output.status.success() {
        bail!(
            "`kill -{signal} {pid}` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// One process to stop: its PID and the node home its command line names.
#[derive(Clone, Debug)]
pub struct Target<'a> {
    /// Process id.
    pub pid: u32,
    /// Home dir that must appear in its command line.
    pub node_home: &'a Path,
    /// For messages, e.g. `node2 cometbft`.
    pub label: String,
}

/// Stops all `targets` together: signals every one for which `running`
/// says it is still our live process, then waits for all of them. With
/// [`StopMode::Graceful`], stragglers get SIGKILL after the timeout.
///
/// `running` is usually [`is_ours`]; callers holding [`Child`] handles can
/// answer from those instead (and reap them while at it).
pub fn stop_all(
    targets: &[Target<'_>],
    mode: StopMode,
    mut running: impl FnMut(&Target<'_>) -> bool,
) -> Result<()> {
    let signal = match mode {
        StopMode::Graceful(_) => "TERM",
        StopMode::Kill => "KILL",
    };
    let mut errors = Vec::new();
    for target in targets {
        if !running(target) {
            continue;
        }
        if let Err(err) = send_signal(target.pid, signal) {
            // It may have exited between the check and the signal.
            if running(target) {
                errors.push(format!("{} (pid {}): {err:#}", target.label, target.pid));
            }
        }
    }
    let grace = match mode {
        StopMode::Graceful(timeout) => timeout,
        StopMode::Kill => Duration::from_secs(10),
    };
    let deadline = Instant::now() + grace;
    let mut killed = mode == StopMode::Kill;
    loop {
        let alive: Vec<&Target<'_>> = targets.iter().filter(|t| running(t)).collect();
        if alive.is_empty() {
            break;
        }
        if Instant::now() >= deadline {
            if killed {
                let names: Vec<String> = alive
                    .iter()
                    .map(|t| format!("{} (pid {})", t.label, t.pid))
                    .collect();
                errors.push(format!("still running after SIGKILL: {}", names.join(", ")));
                break;
            }
            for target in &alive {
                eprintln!(
                    "{} (pid {}) did not exit within {grace:?}; sending SIGKILL",
                    target.label, target.pid
                );
                let _ = send_signal(target.pid, "KILL");
            }
            killed = true;
            continue;
        }
        thread::sleep(Duration::from_millis(100));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        bail!("failed to stop: {}", errors.join("; "))
    }
}

/// The last `lines` lines of a log file (empty when unreadable).
pub fn log_tail(path: &Path, lines: usize) -> String {
    let Ok(text) = fs::read_to_string(path) else {
        return String::new();
    };
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The first `lines` warnings and errors of a tracing log at `path` (empty if it cannot be
/// read): where a process's trouble began, which the tail of a long log no longer shows.
pub fn log_first_warnings(path: &Path, lines: usize) -> String {
    let Ok(text) = fs::read_to_string(path) else {
        return String::new();
    };
    text.lines()
        .filter(|line| line.contains(" WARN ") || line.contains(" ERROR "))
        .take(lines)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_warnings_skip_the_rest_of_the_log() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("relayer.log");
        let text = "t INFO  started\nt  WARN round failed: a\nt INFO  ok\nt ERROR b\nt  WARN c\n";
        fs::write(&log, text).expect("write");
        assert_eq!(
            log_first_warnings(&log, 2),
            "t  WARN round failed: a\nt ERROR b"
        );
        assert_eq!(log_first_warnings(&dir.path().join("none"), 2), "");
    }

    fn eventually(mut check: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if check() {
                return true;
            }
            thread::sleep(Duration::from_millis(10));
        }
        false
    }

    #[test]
    fn logs_output_and_matches_only_its_home() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let home = dir.path().join("node0");
        fs::create_dir_all(&home)?;
        let log = home.join("logs/loop.log");
        let home_arg = home.to_string_lossy().to_string();
        // `sh -c script $0`: the shell keeps the home in its command line.
        let mut child = spawn_logged(
            Path::new("sh"),
            &["-c", "echo hello; while :; do sleep 0.1; done", &home_arg],
            &log,
        )?;
        let pid = child.id();
        let deadline = Instant::now() + Duration::from_secs(5);
        // The header line also contains "hello": wait for the echoed line.
        let echoed = || log_tail(&log, 5).lines().any(|l| l == "hello");
        while !echoed() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        assert!(echoed());
        assert!(eventually(|| is_ours(pid, &home)));
        assert!(
            !is_ours(pid, &dir.path().join("node")),
            "a prefix must not match"
        );
        child.kill()?;
        // Killed but not reaped: a zombie is not running.
        thread::sleep(Duration::from_millis(200));
        assert!(!is_ours(pid, &home));
        child.wait()?;
        Ok(())
    }

    #[test]
    fn graceful_stop_of_our_process() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let home = dir.path().join("node1");
        fs::create_dir_all(&home)?;
        let home_arg = home.to_string_lossy().to_string();
        // `sh -c script $0`: the shell keeps the home in its command line.
        let mut child = spawn_logged(
            Path::new("sh"),
            &[
                "-c",
                "trap 'exit 0' TERM; while :; do sleep 0.1; done",
                &home_arg,
            ],
            &home.join("logs/loop.log"),
        )?;
        let pid = child.id();
        // Right after exec the command line can briefly read as empty.
        assert!(eventually(|| is_ours(pid, &home)));
        let target = Target {
            pid,
            node_home: &home,
            label: "node1 loop".into(),
        };
        stop_all(&[target], StopMode::Graceful(Duration::from_secs(5)), |t| {
            let _ = child.try_wait();
            is_ours(t.pid, t.node_home)
        })?;
        assert!(!is_ours(pid, &home));
        Ok(())
    }
}
