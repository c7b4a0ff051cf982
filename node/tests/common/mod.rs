//! Shared by the node tests that start a node: `rampartd` runs, a genesis made the way a real
//! network makes it, and a node (`rampartd start` under the pinned CometBFT) on free loopback
//! ports, stopped when the test ends.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rampartd::config::AppToml;

/// Runs `rampartd args --home home` with `stdin` as its input and no keyring variables.
pub fn rampartd(home: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampartd"))
        .args(args)
        .arg("--home")
        .arg(home)
        .env_remove("RAMPART_KEYRING_PASSPHRASE")
        .env_remove("RAMPART_KEYRING_BACKEND")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rampartd runs");
    let mut input = child.stdin.take().expect("piped");
    input.write_all(stdin.as_bytes()).expect("stdin");
    drop(input);
    child.wait_with_output().expect("rampartd exits")
}

/// The stdout of `what`'s successful run; panics with its output on failure.
fn succeeded(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The stdout of a successful run; panics with its output on failure.
pub fn stdout_ok(output: &Output) -> String {
    succeeded(output, "failed")
}

/// `text` as JSON; panics with it when it is not.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The stdout of a successful run, as JSON.
pub fn json_ok(output: &Output) -> serde_json::Value {
    json(&stdout_ok(output))
}

/// Runs `rampartd args --home home` without input and returns its stdout; panics with the
/// command and its output on failure.
pub fn rampartd_ok(home: &Path, args: &[&str]) -> String {
    succeeded(&rampartd(home, args, ""), &format!("rampartd {args:?}"))
}

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
        rampartd_ok(home, args);
    }
}

/// A free loopback port (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// A running node: its processes are killed when the test ends, however it ends.
pub struct Node {
    children: Vec<Child>,
    /// Its home (and logs).
    pub home: PathBuf,
    /// Its CometBFT RPC address.
    pub rpc: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Puts the node of the initialised `home` on free loopback ports with 300 ms blocks; returns
/// its CometBFT RPC address.
pub fn configure(home: &Path) -> String {
    let (rpc_port, p2p_port, abci_port, grpc_port) =
        (free_port(), free_port(), free_port(), free_port());
    let config_path = home.join("config").join("config.toml");
    let mut config: toml_edit::DocumentMut = std::fs::read_to_string(&config_path)
        .expect("config.toml")
        .parse()
        .expect("toml");
    config["proxy_app"] = toml_edit::value(format!("tcp://127.0.0.1:{abci_port}"));
    config["rpc"]["laddr"] = toml_edit::value(format!("tcp://127.0.0.1:{rpc_port}"));
    config["rpc"]["pprof_laddr"] = toml_edit::value("");
    config["p2p"]["laddr"] = toml_edit::value(format!("tcp://127.0.0.1:{p2p_port}"));
    config["consensus"]["timeout_commit"] = toml_edit::value("300ms");
    std::fs::write(&config_path, config.to_string()).expect("write config.toml");

    let app_toml = home.join("config").join("app.toml");
    let mut app = AppToml::load(&app_toml).expect("app.toml");
    app.abci.address = ([127, 0, 0, 1], abci_port).into();
    app.grpc.address = ([127, 0, 0, 1], grpc_port).into();
    app.cometbft.rpc = format!("http://127.0.0.1:{rpc_port}");
    // Any fee, as before the default price: the relayers and operators here pay none.
    app.mempool.minimum_gas_prices = String::new();
    app.save(&app_toml).expect("save app.toml");
    app.cometbft.rpc
}

/// Starts `rampartd start` and `cometbft start` in the [`configure`]d `home`, whose CometBFT RPC
/// address is `rpc`; logs go to the home.
pub fn start(home: &Path, rpc: String) -> Node {
    // `program start --home home`, logging to `<name>.log` and `<name>.err` in the home.
    let start = |program: &Path, name: &str| {
        let log = |ext: &str| std::fs::File::create(home.join(format!("{name}.{ext}")));
        Command::new(program)
            .args(["start", "--home"])
            .arg(home)
            .stdout(log("log").expect("log file"))
            .stderr(log("err").expect("log file"))
            .spawn()
            .unwrap_or_else(|e| panic!("{name} start: {e}"))
    };
    let mut node = Node {
        children: vec![start(Path::new(env!("CARGO_BIN_EXE_rampartd")), "rampartd")],
        home: home.to_path_buf(),
        rpc,
    };
    let cometbft = rampartd::cometbft::locate_or_install().expect("CometBFT binary");
    std::thread::sleep(Duration::from_millis(500));
    node.children.push(start(&cometbft, "cometbft"));
    node
}

/// A time limit for waiting on `what`, whose logs are in a node's home.
pub struct Deadline {
    until: Instant,
    what: String,
    logs: PathBuf,
}

impl Deadline {
    /// `secs` seconds for `what` on `node`.
    pub fn new(what: &str, node: &Node, secs: u64) -> Self {
        Self {
            until: Instant::now() + Duration::from_secs(secs),
            what: what.to_owned(),
            logs: node.home.clone(),
        }
    }

    /// Waits 300 ms before the next try; panics once the time is up.
    pub async fn tick(&self) {
        assert!(
            Instant::now() < self.until,
            "timed out waiting for {}; logs in {}",
            self.what,
            self.logs.display()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Waits until the chain of `node` has committed `min` blocks.
pub async fn wait_for_height(node: &Node, min: u64) {
    let deadline = Deadline::new(&format!("height {min}"), node, 60);
    loop {
        if let Ok(status) = rampartd::status::fetch(&node.rpc).await {
            if status.latest_block_height >= min {
                return;
            }
        }
        deadline.tick().await;
    }
}
