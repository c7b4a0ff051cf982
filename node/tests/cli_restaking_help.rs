//! Every `tx|query consumer` and `tx|query restaking` subcommand answers `--help` (which also
//! runs clap's consistency checks on its definition) with the flags it documents, and refuses
//! bad input before signing anything.

use std::process::{Command, Output};

fn rampartd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampartd"))
        .args(args)
        .output()
        .expect("rampartd runs")
}

fn help(args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.push("--help");
    let output = rampartd(&all);
    assert!(
        output.status.success(),
        "{args:?} --help failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 help")
}

const TX_FLAGS: &[&str] = &[
    "--from",
    "--fees",
    "--gas",
    "--chain-id",
    "--yes",
    "--broadcast-mode",
    "--keyring-backend",
    "--node",
    "--home",
    "--output",
];

const QUERY_FLAGS: &[&str] = &["--node", "--home", "--output"];

#[test]
fn consumer_and_restaking_commands_have_help() {
    let groups: &[(&[&str], &[&str])] = &[
        (&["tx"], &["consumer", "restaking"]),
        (&["query"], &["consumer", "restaking"]),
        (
            &["tx", "consumer"],
            &[
                "register",
                "update",
                "remove",
                "fund-rewards",
                "set-commission",
            ],
        ),
        (
            &["tx", "restaking"],
            &[
                "opt-in",
                "set-pledge",
                "opt-out",
                "assign-key",
                "submit-double-vote",
            ],
        ),
        (
            &["query", "consumer"],
            &[
                "consumers",
                "consumer",
                "genesis",
                "validators",
                "packets",
                "packet",
                "reward-pool",
                "commission",
                "params",
            ],
        ),
        (
            &["query", "restaking"],
            &[
                "pledges",
                "consumer-key",
                "validator-by-consumer-key",
                "security-report",
                "exposure",
                "params",
            ],
        ),
    ];
    for (command, subcommands) in groups {
        let text = help(command);
        for sub in *subcommands {
            assert!(
                text.contains(sub),
                "`{command:?} --help` lacks {sub}:\n{text}"
            );
            let mut full = command.to_vec();
            full.push(sub);
            let flags = match command.first() {
                Some(&"tx") if command.len() == 2 => TX_FLAGS,
                Some(&"query") if command.len() == 2 => QUERY_FLAGS,
                _ => &[],
            };
            let text = help(&full);
            for flag in flags {
                assert!(
                    text.contains(flag),
                    "`{full:?} --help` lacks {flag}:\n{text}"
                );
            }
        }
    }
    let register = help(&["tx", "consumer", "register"]);
    for flag in [
        "--params-file",
        "--spawn-time",
        "--min-validators",
        "--max-validators",
        "--validator-power-cap",
        "--unbonding-period",
        "--double-sign-slash-fraction",
        "--double-sign-tombstone",
        "--downtime-slash-fraction",
        "--reward-rate",
        "--allowlist",
    ] {
        assert!(register.contains(flag), "register --help lacks {flag}");
    }
    assert!(help(&["query", "consumer", "consumers"]).contains("--phase"));
    let pledges = help(&["query", "restaking", "pledges"]);
    assert!(pledges.contains("--validator") && pledges.contains("--consumer"));
}

#[test]
fn bad_input_is_refused_before_anything_is_signed() {
    let home = tempfile::tempdir().expect("tempdir");
    let home = home.path().to_str().expect("utf-8");
    let node = "http://127.0.0.1:1";
    let cases: &[(&[&str], &str)] = &[
        (
            &["tx", "restaking", "opt-in", "0", "50", "--from", "x"],
            "invalid pledge",
        ),
        (
            &["tx", "restaking", "set-pledge", "0", "101%", "--from", "x"],
            "between 0.01%",
        ),
        (
            &[
                "tx",
                "consumer",
                "set-commission",
                "0",
                "abc",
                "--from",
                "x",
            ],
            "not a decimal",
        ),
        (
            &["tx", "consumer", "fund-rewards", "0", "5", "--from", "x"],
            "missing denom",
        ),
        (
            &[
                "tx",
                "consumer",
                "register",
                "c-1",
                "--spawn-time",
                "soon",
                "--from",
                "x",
            ],
            "RFC 3339",
        ),
        (
            &["tx", "consumer", "update", "0", "--from", "x"],
            "nothing to update",
        ),
        (
            &[
                "tx",
                "restaking",
                "submit-double-vote",
                "/nonexistent/evidence.json",
                "--from",
                "x",
            ],
            "cannot read evidence file",
        ),
        (
            &["query", "restaking", "exposure", "rampart1notavaloper"],
            "invalid validator address",
        ),
        (
            &["query", "restaking", "validator-by-consumer-key", "0", "zz"],
            "invalid consumer address",
        ),
    ];
    for (args, expected) in cases {
        let mut all = args.to_vec();
        all.extend(["--home", home, "--node", node, "--keyring-backend", "test"]);
        if all[0] == "query" {
            // Queries take no keyring flag.
            all.truncate(all.len() - 2);
        }
        let output = rampartd(&all);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
    }
}
