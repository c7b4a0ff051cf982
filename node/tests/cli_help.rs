//! Every client subcommand answers `--help` with its usage (run against the built binary).

use std::process::Command;

use rampart_client::keys::{mnemonic, AccountKey, KeyType};

fn help(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_rampartd"))
        .args(args)
        .arg("--help")
        .output()
        .expect("rampartd runs");
    assert!(
        output.status.success(),
        "{args:?} --help failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 help")
}

#[test]
fn every_new_command_has_help() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["keys"], &["add", "list", "show", "delete", "export"]),
        (
            &["keys", "add"],
            &[
                "--recover",
                "--key-type",
                "--keyring-backend",
                "--output",
                "--home",
            ],
        ),
        (&["keys", "list"], &["--keyring-backend", "--output"]),
        (&["keys", "show"], &["--bech", "--address"]),
        (&["keys", "delete"], &["--yes"]),
        (&["keys", "export"], &["--passphrase-file"]),
        (&["tx"], &["bank"]),
        (&["tx", "bank"], &["send"]),
        (
            &["tx", "bank", "send"],
            &[
                "--fees",
                "--gas",
                "--gas-adjustment",
                "--memo",
                "--node",
                "--chain-id",
                "--yes",
                "--broadcast-mode",
                "--keyring-backend",
                "--home",
                "--output",
            ],
        ),
        (&["query"], &["bank", "auth", "tx"]),
        (&["query", "bank", "balances"], &["--node", "--output"]),
        (&["query", "auth", "account"], &["--node", "--output"]),
        (&["query", "tx"], &["--node", "--output"]),
    ];
    for (command, expected) in cases {
        let text = help(command);
        for word in *expected {
            assert!(
                text.contains(word),
                "`{command:?} --help` lacks {word}:\n{text}"
            );
        }
    }
}

#[test]
fn the_node_commands_are_still_there() {
    let text = help(&[]);
    for word in [
        "init", "start", "status", "export", "version", "keys", "tx", "query",
    ] {
        assert!(text.contains(word), "rampartd --help lacks {word}");
    }
}

#[test]
fn bad_arguments_fail_with_clear_errors() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rampartd"))
            .args(args)
            .output()
            .expect("rampartd runs")
    };
    let bad_gas = run(&["tx", "bank", "send", "a", "b", "1uramp", "--gas", "lots"]);
    assert!(!bad_gas.status.success());
    assert!(String::from_utf8_lossy(&bad_gas.stderr).contains("expected `auto` or a gas limit"));

    // Unreachable node: a clear error and a non-zero exit, not a panic.
    let home = tempfile::tempdir().expect("tempdir");
    let key = AccountKey::from_mnemonic(&mnemonic::generate(), KeyType::Secp256k1).expect("key");
    let address = key.address().expect("address").to_string();
    let offline = run(&[
        "query",
        "bank",
        "balances",
        &address,
        "--node",
        "http://127.0.0.1:1",
        "--home",
        home.path().to_str().expect("utf-8"),
    ]);
    assert!(!offline.status.success());
    let stderr = String::from_utf8_lossy(&offline.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("is the node running?"), "{stderr}");

    let bad_address = run(&[
        "query",
        "auth",
        "account",
        "nonsense",
        "--node",
        "http://127.0.0.1:1",
    ]);
    assert!(String::from_utf8_lossy(&bad_address.stderr).contains("invalid address"));
}
