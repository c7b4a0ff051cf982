//! `rampartd keys|tx|query` against a real single-validator chain: `rampartd start` under the
//! pinned CometBFT, with a genesis that funds the "abandon … about" test-vector account.
//!
//! Gas is given explicitly here: `--gas auto` needs the node to serve
//! `/cosmos.tx.v1beta1.Service/Simulate` through ABCI Query.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{configure, json_ok, rampartd, start, stdout_ok, wait_for_height, Node};
use rampart_client::coins::parse_coins;
use rampart_client::keys::{mnemonic, AccountKey, KeyType};
use rampart_client::send::{execute, SendPlan};
use rampart_client::{BroadcastMode, ChainError, NodeClient};

/// The fee of every send (a node with a minimum gas price needs one).
const FEE: &str = "500uramp";

const ABANDON_ABOUT: &str = "abandon abandon abandon abandon abandon abandon abandon abandon \
                             abandon abandon abandon about";

/// Initialises a home on free ports, funds `funded` in genesis and starts the node.
fn start_node(home: &Path, funded: &str) -> Node {
    stdout_ok(&rampartd(
        home,
        &["init", "live", "--chain-id", "live-1"],
        "",
    ));
    // Genesis as a real network makes it: the funded account, and one validator from a gentx.
    stdout_ok(&rampartd(
        home,
        &["genesis", "add-account", funded, "1000000uramp"],
        "",
    ));
    common::add_genesis_validator(home, "live-1");
    let rpc = configure(home);
    start(home, rpc)
}

/// A send of `amount` to `to` paying [`FEE`].
fn plan(to: &str, amount: &str) -> SendPlan {
    let mut plan = SendPlan::new(to, parse_coins(amount).expect("coins"));
    plan.fees = parse_coins(FEE).expect("coins");
    plan
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
    // A send through the library, waiting for the block.
    let node = &client;
    let send = |key, plan| async move {
        execute(
            node,
            key,
            &plan,
            BroadcastMode::Block,
            Duration::from_secs(30),
        )
        .await
    };
    let funded = send(&abandon, plan(&carol_address, "5000uramp"))
        .await
        .expect("funds carol");
    assert!(funded.height.is_some());
    let mut back = plan(&alice, "100uramp");
    back.memo = "from ed25519".into();
    send(&carol, back).await.expect("an ed25519 account sends");
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
    let err = send(&carol, plan(&alice, "1000000uramp"))
        .await
        .expect_err("insufficient funds");
    let chain = err.downcast_ref::<ChainError>().expect("a chain error");
    assert_eq!((chain.codespace.as_str(), chain.code), ("sdk", 5));
}
