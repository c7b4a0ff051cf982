//! Which build a localnet runs: the rampartd recorded in its `localnet.json`.

use std::path::PathBuf;

use anyhow::{bail, Result};

use super::Localnet;
use crate::binaries::{cargo_profile, Binaries, RAMPARTD_BIN_ENV};
use crate::manifest::Manifest;

impl Localnet {
    /// The build this localnet runs: the rampartd recorded in its `localnet.json` (or, in a file written
    /// before it was recorded, the executable of a running provider rampartd, then recorded).
    /// A cargo artifact (`target/<profile>/rampartd`) is rebuilt in its profile, as `up` does;
    /// any other executable (`$RAMPARTD_BIN`, a wrapper) is used as it is. Without either, as
    /// [`Binaries::resolve`]. Restarting a node of a `--release` localnet thus runs a release
    /// rampartd again, whatever build `cargo localnet` itself is.
    pub fn recorded_binaries(&mut self) -> Result<Binaries> {
        let recorded = match self.manifest().recorded_rampartd() {
            Some(path) => Some(path),
            None => {
                let running = running_rampartd(self);
                if let Some(path) = &running {
                    self.manifest_mut().record_rampartd(path);
                    self.save()?;
                }
                running
            }
        };
        let env_set = std::env::var_os(RAMPARTD_BIN_ENV).is_some_and(|v| !v.is_empty());
        match recorded {
            Some(path) if !env_set => match cargo_profile(&path) {
                Some(profile) => Binaries::resolve_profile(profile == "release"),
                None if path.is_file() => Ok(Binaries {
                    rampartd: path,
                    cometbft: rampartd::cometbft::locate_or_install()?,
                }),
                None => bail!(
                    "{} records rampartd {}, which no longer exists; set {RAMPARTD_BIN_ENV} to \
                     the rampartd to run",
                    Manifest::path(self.home()).display(),
                    path.display()
                ),
            },
            _ => Binaries::resolve(),
        }
    }
}

/// The executable of the first running provider rampartd (`/proc/<pid>/exe`, without the
/// ` (deleted)` Linux appends once the file was rebuilt).
fn running_rampartd(net: &Localnet) -> Option<PathBuf> {
    (0..net.nodes().len()).find_map(|index| {
        let pid = net.nodes()[index]
            .pids
            .rampartd
            .filter(|_| net.running(index).rampartd)?;
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
        let text = exe.to_string_lossy();
        Some(PathBuf::from(
            text.strip_suffix(" (deleted)").unwrap_or(&text),
        ))
    })
}
