//! Shared by the node tests that start a node: a genesis made the way a real network makes it.

use std::path::Path;
use std::process::{Command, Stdio};

/// Makes the initialised `home` startable: an `operator` key in its test keyring, funded in
/// genesis, self-delegating 10,000,000 uramp through a gentx that `collect-gentxs` puts into
/// genesis. Panics (this is a test fixture) with the command's output when a step fails.
pub fn add_genesis_validator(home: &Path, chain_id: &str) {
    let steps: [&[&str]; 4] = [
        &["keys", "add", "operator", "--keyring-backend", "test"],
        &[
            "genesis",
            "add-account",
            "operator",
            "100000000uramp",
            "--keyring-backend",
            "test",
        ],
        &[
            "genesis",
            "gentx",
            "operator",
            "10000000uramp",
            "--chain-id",
            chain_id,
            "--keyring-backend",
            "test",
        ],
        &["genesis", "collect-gentxs"],
    ];
    for args in steps {
        let output = Command::new(env!("CARGO_BIN_EXE_rampartd"))
            .args(args)
            .arg("--home")
            .arg(home)
            .env_remove("RAMPART_KEYRING_PASSPHRASE")
            .env_remove("RAMPART_KEYRING_BACKEND")
            .stdin(Stdio::null())
            .output()
            .expect("rampartd runs");
        assert!(
            output.status.success(),
            "rampartd {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
