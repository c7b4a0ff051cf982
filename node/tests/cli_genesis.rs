//! `rampartd genesis add-account | gentx | collect-gentxs | validate` with the real binary: a
//! two-validator genesis built the gentx way, and the bad inputs each step must refuse.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const CHAIN: &str = "gentx-test-1";

fn rampartd(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampartd"))
        .args(args)
        .arg("--home")
        .arg(home)
        .env_remove("RAMPART_KEYRING_BACKEND")
        .env_remove("RAMPART_HOME")
        .output()
        .expect("rampartd runs")
}

/// Runs a command that must succeed and returns its stdout.
fn ok(home: &Path, args: &[&str]) -> String {
    let out = rampartd(home, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// Runs a command that must fail with a message containing `needle`.
fn fails(home: &Path, args: &[&str], needle: &str) {
    let out = rampartd(home, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} should fail");
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert!(
        stderr.contains(needle),
        "{args:?}: expected {needle:?} in {stderr}"
    );
}

/// A home made by `rampartd init` with an operator key `op` in its test keyring; returns the
/// key's address.
fn node(moniker: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(dir.path(), &["init", moniker, "--chain-id", CHAIN]);
    let key: Value = serde_json::from_str(&ok(
        dir.path(),
        &[
            "keys",
            "add",
            "op",
            "--keyring-backend",
            "test",
            "-o",
            "json",
        ],
    ))
    .expect("keys add prints JSON");
    let address = key["address"].as_str().expect("address").to_owned();
    (dir, address)
}

fn genesis(home: &Path) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(home.join("config/genesis.json")).expect("genesis"),
    )
    .expect("genesis is JSON")
}

fn gentx_files(home: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(home.join("config/gentx"))
        .expect("gentx dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

/// `args` with `--keyring-backend test`.
fn test_keyring<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [args, &["--keyring-backend", "test"][..]].concat()
}

/// `genesis gentx <args> --keyring-backend test`.
fn gentx<'a>(args: &[&'a str]) -> Vec<&'a str> {
    test_keyring(&[&["genesis", "gentx"][..], args].concat())
}

#[test]
fn two_validators_from_gentxs() {
    let (a, _) = node("alpha");
    let (b, b_addr) = node("beta");
    let (a, b) = (a.path(), b.path());

    // Balances: by key name and by address; --append merges.
    ok(
        a,
        &test_keyring(&["genesis", "add-account", "op", "1000000000uramp"]),
    );
    ok(a, &["genesis", "add-account", &b_addr, "400000000uramp"]);
    let merged = ok(
        a,
        &[
            "genesis",
            "add-account",
            &b_addr,
            "100000000uramp,5uatom",
            "--append",
        ],
    );
    assert!(merged.contains("5uatom,500000000uramp"), "{merged}");
    std::fs::copy(a.join("config/genesis.json"), b.join("config/genesis.json")).expect("copy");

    // Each node signs its own gentx.
    let b_out = ok(
        b,
        &gentx(&[
            "op",
            "100000000uramp",
            "--chain-id",
            CHAIN,
            "--ip",
            "10.0.0.2",
            "--p2p-port",
            "26756",
            "--commission-rate",
            "0.05",
        ]),
    );
    let [b_file] = gentx_files(b)
        .try_into()
        .expect("one gentx file in beta's home");
    assert!(b_out.contains(&b_file.display().to_string()), "{b_out}");
    let b_doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&b_file).expect("read")).expect("json");
    assert_eq!(
        b_doc["moniker"], "beta",
        "the moniker defaults to config.toml's"
    );
    assert_eq!(b_doc["amount"], "100000000uramp");
    assert_eq!(b_doc["delegator_address"], b_addr.as_str());
    assert_eq!(b_doc["commission_rate"], "0.050000000000000000");
    assert_eq!(
        b_doc["consensus_pubkey"]["@type"],
        "/cosmos.crypto.ed25519.PubKey"
    );
    let b_memo = b_doc["memo"].as_str().expect("memo").to_owned();
    assert!(b_memo.ends_with("@10.0.0.2:26756"), "{b_memo}");
    assert!(b_file.ends_with(format!(
        "gentx-{}.json",
        b_doc["node_id"].as_str().expect("id")
    )));

    ok(a, &gentx(&["op", "200000000uramp", "--chain-id", CHAIN]));
    std::fs::copy(
        &b_file,
        a.join("config/gentx")
            .join(b_file.file_name().expect("name")),
    )
    .expect("copy gentx");

    let collected = ok(a, &["genesis", "collect-gentxs"]);
    assert!(collected.contains("collected 2 gentx(s)"), "{collected}");
    let doc = genesis(a);
    assert_eq!(doc["validators"], serde_json::json!([]));
    let gen_txs = doc["app_state"]["genutil"]["gen_txs"]
        .as_array()
        .expect("gen_txs");
    let in_file_order: Vec<Value> = gentx_files(a)
        .iter()
        .map(|f| {
            let d: Value =
                serde_json::from_str(&std::fs::read_to_string(f).expect("read")).expect("json");
            d["tx"].clone()
        })
        .collect();
    assert_eq!(
        *gen_txs, in_file_order,
        "gentxs are taken in file-name order"
    );
    let config = std::fs::read_to_string(a.join("config/config.toml")).expect("config.toml");
    assert!(
        config.contains(&format!("persistent_peers = \"{b_memo}\"")),
        "only the other node is a peer:\n{b_memo}"
    );

    // The app runs the gentxs: two validators with power = self-delegation / 10^6.
    let text = ok(a, &["genesis", "validate"]);
    assert!(text.contains("2 gentx(s)"), "{text}");
    let report: Value =
        serde_json::from_str(&ok(a, &["genesis", "validate", "-o", "json"])).expect("json");
    assert_eq!(report["source"], "app");
    let mut powers: Vec<(String, u64)> = report["validators"]
        .as_array()
        .expect("validators")
        .iter()
        .map(|v| {
            (
                v["moniker"].as_str().expect("moniker").to_owned(),
                v["power"].as_u64().expect("power"),
            )
        })
        .collect();
    powers.sort();
    assert_eq!(
        powers,
        [("alpha".to_string(), 200), ("beta".to_string(), 100)]
    );

    // The same file validated by path from another home.
    let by_path = a.join("config/genesis.json");
    ok(
        b,
        &["genesis", "validate", by_path.to_str().expect("utf-8")],
    );
}

#[test]
fn bad_inputs_are_refused_with_clear_errors() {
    let (home, address) = node("gamma");
    let home = home.path();

    // add-account
    fails(
        home,
        &["genesis", "add-account", &address, "12"],
        "invalid coin",
    );
    fails(
        home,
        &["genesis", "add-account", &address, "0uramp"],
        "must be positive",
    );
    fails(home, &["genesis", "add-account", &address, ""], "no coins");
    fails(
        home,
        &test_keyring(&["genesis", "add-account", "nobody", "1uramp"]),
        "neither",
    );
    fails(
        home,
        &["genesis", "add-account", "rampart1xyz", "1uramp"],
        "invalid address",
    );
    ok(home, &["genesis", "add-account", &address, "50000000uramp"]);
    fails(
        home,
        &["genesis", "add-account", &address, "1uramp"],
        "--append",
    );

    // gentx
    fails(
        home,
        &gentx(&["nobody", "1uramp", "--chain-id", CHAIN]),
        "not found",
    );
    fails(
        home,
        &gentx(&["op", "60000000uramp", "--chain-id", CHAIN]),
        "less than the self-delegation",
    );
    fails(
        home,
        &gentx(&["op", "1uramp", "--chain-id", "other-1"]),
        "chain id mismatch",
    );
    fails(
        home,
        &gentx(&["op", "1uatom", "--chain-id", CHAIN]),
        "bond denom uramp",
    );
    fails(
        home,
        &gentx(&["op", "uramp", "--chain-id", CHAIN]),
        "invalid coin",
    );
    fails(
        home,
        &gentx(&[
            "op",
            "1uramp",
            "--chain-id",
            CHAIN,
            "--commission-rate",
            "0.5",
        ]),
        "cannot be more than the max rate",
    );
    fails(
        home,
        &gentx(&[
            "op",
            "10uramp",
            "--chain-id",
            CHAIN,
            "--min-self-delegation",
            "11",
        ]),
        "below --min-self-delegation",
    );

    // collect-gentxs
    let empty = tempfile::tempdir().expect("tempdir");
    let empty_dir = empty.path().to_str().expect("utf-8");
    fails(
        home,
        &["genesis", "collect-gentxs", "--gentx-dir", empty_dir],
        "no gentx files",
    );
    fails(
        home,
        &["genesis", "collect-gentxs"],
        "cannot read the gentx directory",
    );

    ok(home, &gentx(&["op", "10000000uramp", "--chain-id", CHAIN]));
    fails(
        home,
        &gentx(&["op", "10000000uramp", "--chain-id", CHAIN]),
        "already exists",
    );
    let [file] = gentx_files(home).try_into().expect("one gentx");
    let original = std::fs::read_to_string(&file).expect("read");

    // The same validator twice.
    std::fs::write(file.with_file_name("zz-copy.json"), &original).expect("write");
    fails(home, &["genesis", "collect-gentxs"], "same operator");
    std::fs::remove_file(file.with_file_name("zz-copy.json")).expect("remove");

    // Readable fields that lie about the signed transaction.
    let lying = original.replace("\"moniker\": \"gamma\"", "\"moniker\": \"evil\"");
    let collect_fails = |gentx: &str, needle: &str| {
        std::fs::write(&file, gentx).expect("write gentx");
        fails(home, &["genesis", "collect-gentxs"], needle);
        std::fs::write(&file, &original).expect("restore gentx");
    };
    collect_fails(&lying, "do not match the signed transaction");

    // A gentx that claims another chain id.
    let mut doc: Value = serde_json::from_str(&original).expect("json");
    doc["chain_id"] = "other-1".into();
    let other_chain = doc.to_string();
    collect_fails(&other_chain, "made for chain \"other-1\"");

    // A genesis whose chain id changed after signing: the signature no longer verifies.
    let path = home.join("config/genesis.json");
    let saved = std::fs::read_to_string(&path).expect("genesis");
    let mut changed = genesis(home);
    changed["chain_id"] = "other-1".into();
    std::fs::write(&path, changed.to_string()).expect("write");
    collect_fails(&other_chain, "signature does not verify");
    std::fs::write(&path, &saved).expect("restore");

    // validate
    let mut no_validators = genesis(home);
    no_validators["validators"] = serde_json::json!([]);
    std::fs::write(&path, no_validators.to_string()).expect("write");
    fails(home, &["genesis", "validate"], "rampartd genesis gentx");
    let mut bad_bank = genesis(home);
    bad_bank["app_state"]["bank"]["balances"][0]["address"] = "rampart1nonsense".into();
    std::fs::write(&path, bad_bank.to_string()).expect("write");
    fails(home, &["genesis", "validate"], "invalid genesis file");
    fails(
        home,
        &["genesis", "validate", "/nonexistent/genesis.json"],
        "cannot read",
    );
    std::fs::write(&path, &saved).expect("restore");
    ok(home, &["genesis", "collect-gentxs"]);
    let text = ok(home, &["genesis", "validate"]);
    assert!(text.contains("gamma"), "{text}");
}

#[test]
fn every_genesis_command_has_help() {
    let home = tempfile::tempdir().expect("tempdir");
    for (command, words) in [
        (
            &["genesis"][..],
            &["add-account", "gentx", "collect-gentxs", "validate"][..],
        ),
        (
            &["genesis", "add-account"],
            &["--append", "--keyring-backend", "--home"],
        ),
        (
            &["genesis", "gentx"],
            &[
                "--chain-id",
                "--moniker",
                "--commission-rate",
                "--commission-max-rate",
                "--commission-max-change-rate",
                "--min-self-delegation",
                "--ip",
                "--p2p-port",
                "--output-document",
                "--home",
            ],
        ),
        (&["genesis", "collect-gentxs"], &["--gentx-dir", "--home"]),
        (&["genesis", "validate"], &["[FILE]", "--home", "--output"]),
    ] {
        let text = ok(home.path(), &[command, &["--help"]].concat());
        for word in words {
            assert!(
                text.contains(word),
                "{command:?} --help lacks {word}:\n{text}"
            );
        }
    }
}
