//! `rampartd keys|tx|query` against a real single-validator chain: `rampartd start` under the
//! pinned CometBFT, with a genesis that funds the "abandon … about" test-vector account.
//!
//! Gas is given explicitly here: `--gas auto` needs the node to serve
//! `/cosmos.tx.v1beta1.Service/Simulate` through ABCI Query.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rampart_client::coins::parse_coins;
use rampart_client::keys::{mnemonic, AccountKey, KeyType};
use rampart_client::send::{execute, SendPlan};
use rampart_client::{BroadcastMode, ChainError, NodeClient};
use rampartd::config::AppToml;

/// The fee of every send (a node with a minimum gas price needs one).
const FEE: &str = "500uramp";

const ABANDON_ABOUT: &str = "abandon abandon abandon abandon abandon abandon abandon abandon \
                             abandon abandon abandon about";

/// Kills the node's processes when the test ends, however it ends.
struct Node {
    children: Vec<Child>,
    home: PathBuf,
    rpc: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

fn rampartd(home: &Path, args: &[&str], stdin: &str) -> Output {
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

fn stdout_ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json_ok(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout_ok(output)).expect("JSON output")
}

/// Initialises a home on free ports, funds `funded` in genesis and starts the node.
fn start_node(home: &Path, funded: &str) -> Node {
    stdout_ok(&rampartd(
        home,
        &["init", "live", "--chain-id", "live-1"],
        "",
    ));
    let (rpc_port, p2p_port, abci_port, grpc_port) =
        (free_port(), free_port(), free_port(), free_port());

    // Genesis as a real network makes it: the funded account, and one validator from a gentx.
    stdout_ok(&rampartd(
        home,
        &["genesis", "add-account", funded, "1000000uramp"],
        "",
    ));
    common::add_genesis_validator(home, "live-1");

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
    app.save(&app_toml).expect("save app.toml");

    let log = |name: &str| std::fs::File::create(home.join(name)).expect("log file");
    let mut node = Node {
        children: vec![],
        home: home.to_path_buf(),
        rpc: app.cometbft.rpc.clone(),
    };
    node.children.push(
        Command::new(env!("CARGO_BIN_EXE_rampartd"))
            .args(["start", "--home"])
            .arg(home)
            .stdout(log("rampartd.log"))
            .stderr(log("rampartd.err"))
            .spawn()
            .expect("rampartd start"),
    );
    let cometbft = rampartd::cometbft::locate_or_install().expect("CometBFT binary");
    std::thread::sleep(Duration::from_millis(500));
    node.children.push(
        Command::new(cometbft)
            .args(["start", "--home"])
            .arg(home)
            .stdout(log("cometbft.log"))
            .stderr(log("cometbft.err"))
            .spawn()
            .expect("cometbft start"),
    );
    node
}

/// A send of `amount` to `to` paying [`FEE`].
fn plan(to: &str, amount: &str) -> SendPlan {
    let mut plan = SendPlan::new(to, parse_coins(amount).expect("coins"));
    plan.fees = parse_coins(FEE).expect("coins");
    plan
}

/// Waits until the node has committed at least `height` blocks.
async fn wait_for_height(node: &Node, height: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(status) = rampartd::status::fetch(&node.rpc).await {
            if status.latest_block_height >= height {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "node did not reach height {height}; logs in {}",
            node.home.display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn send_and_query_against_a_live_node() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let t = ["--keyring-backend", "test"];
    let with =
        |args: &[&'static str]| -> Vec<&'static str> { args.iter().chain(&t).copied().collect() };

    let alice = json_ok(&rampartd(
        home,
        &with(&["keys", "add", "alice", "--recover", "-o", "json"]),
        ABANDON_ABOUT,
    ));
    let alice = alice["address"].as_str().expect("address").to_owned();
    let bob = json_ok(&rampartd(
        home,
        &with(&["keys", "add", "bob", "-o", "json"]),
        "",
    ));
    let bob = bob["address"].as_str().expect("address").to_owned();

    let node = start_node(home, &alice);
    wait_for_height(&node, 2).await;

    // Genesis account: number assigned, no public key yet, sequence 0.
    let account = json_ok(&rampartd(
        home,
        &["query", "auth", "account", &alice, "-o", "json"],
        "",
    ));
    assert_eq!(account["@type"], "/cosmos.auth.v1beta1.BaseAccount");
    assert_eq!(account["sequence"], "0");
    assert!(account["pub_key"].is_null());
    let unknown = rampartd(home, &["query", "auth", "account", &bob], "");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not found"));

    // Send with the CLI, waiting for the block.
    let send = |extra: &[&str]| {
        let mut args = vec![
            "tx",
            "bank",
            "send",
            "alice",
            bob.as_str(),
            "1000uramp",
            "--yes",
            "--fees",
            FEE,
        ];
        args.extend_from_slice(&t);
        args.extend_from_slice(extra);
        rampartd(home, &args, "")
    };
    let sent = json_ok(&send(&["--broadcast-mode", "block", "-o", "json"]));
    assert_eq!(sent["code"], 0);
    let hash = sent["hash"].as_str().expect("hash").to_owned();
    assert!(sent["height"].as_u64().is_some_and(|h| h > 0));

    let balances = json_ok(&rampartd(
        home,
        &["query", "bank", "balances", &bob, "-o", "json"],
        "",
    ));
    assert_eq!(balances["balances"][0]["denom"], "uramp");
    assert_eq!(balances["balances"][0]["amount"], "1000");
    let account = json_ok(&rampartd(
        home,
        &["query", "auth", "account", &alice, "-o", "json"],
        "",
    ));
    assert_eq!(account["sequence"], "1");
    assert_eq!(
        account["pub_key"]["@type"],
        "/cosmos.crypto.secp256k1.PubKey"
    );

    let tx = json_ok(&rampartd(home, &["query", "tx", &hash, "-o", "json"], ""));
    assert_eq!(tx["code"], 0);
    assert_eq!(tx["messages"][0], "/cosmos.bank.v1beta1.MsgSend");
    assert!(tx["events"]
        .as_array()
        .expect("events")
        .iter()
        .any(|e| e["type"] == "transfer"));

    // Chain errors: shown with codespace, code and log, and a non-zero exit.
    let wrong_chain = send(&["--chain-id", "other-chain"]);
    assert!(!wrong_chain.status.success());
    let stderr = String::from_utf8_lossy(&wrong_chain.stderr);
    assert!(stderr.contains("error: code sdk/4:"), "{stderr}");
    let replay = send(&["--sequence", "0"]);
    let stderr = String::from_utf8_lossy(&replay.stderr);
    assert!(
        stderr.contains("refused the request") && stderr.contains("tx already exists in cache"),
        "the committed tx's exact bytes are refused as a replay: {stderr}"
    );
    let stale = send(&["--sequence", "0", "--memo", "stale"]);
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert!(
        stderr.contains("error: code sdk/32: account sequence mismatch, expected 1, got 0"),
        "{stderr}"
    );
    let too_much = send(&["--broadcast-mode", "block"]);
    assert!(too_much.status.success(), "a small send still works");
    let broke = {
        let mut args = vec![
            "tx",
            "bank",
            "send",
            "bob",
            alice.as_str(),
            "999999uramp",
            "--yes",
            "--fees",
            FEE,
        ];
        args.extend_from_slice(&t);
        args.extend_from_slice(&["--broadcast-mode", "block"]);
        rampartd(home, &args, "")
    };
    let stderr = String::from_utf8_lossy(&broke.stderr);
    assert!(stderr.contains("error: code sdk/5:"), "{stderr}");

    // The library API with an ed25519 account, as a faucet or test would use it.
    let client = NodeClient::new(&node.rpc).expect("client");
    let abandon = AccountKey::from_mnemonic(
        &mnemonic::parse(ABANDON_ABOUT).expect("ok"),
        KeyType::Secp256k1,
    )
    .expect("key");
    let carol = AccountKey::from_mnemonic(&mnemonic::generate(), KeyType::Ed25519).expect("key");
    let carol_address = carol.address().expect("address").to_string();
    let timeout = Duration::from_secs(30);
    let funded = execute(
        &client,
        &abandon,
        &plan(&carol_address, "5000uramp"),
        BroadcastMode::Block,
        timeout,
    )
    .await
    .expect("funds carol");
    assert!(funded.height.is_some());
    let mut back = plan(&alice, "100uramp");
    back.memo = "from ed25519".into();
    execute(&client, &carol, &back, BroadcastMode::Block, timeout)
        .await
        .expect("an ed25519 account sends");
    let carol_balance = client
        .bank()
        .all_balances(&carol_address)
        .await
        .expect("balances");
    assert_eq!(carol_balance[0].amount, "4400");
    let account = client
        .auth()
        .account(&carol_address)
        .await
        .expect("query")
        .expect("exists");
    assert_eq!(account.sequence, 1);

    // Overspending through the library surfaces the chain's code.
    let err = execute(
        &client,
        &carol,
        &plan(&alice, "1000000uramp"),
        BroadcastMode::Block,
        timeout,
    )
    .await
    .expect_err("insufficient funds");
    let chain = err.downcast_ref::<ChainError>().expect("a chain error");
    assert_eq!((chain.codespace.as_str(), chain.code), ("sdk", 5));
}
