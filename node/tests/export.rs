//! `rampartd export` writes a genesis file from committed state that starts an equivalent chain.

use std::process::Command;

use rampart_app::testing::{with_default_validator, MockConsensus};
use rampart_store::{Storage, StorageConfig};

/// A home made by `rampartd init` for chain `export-1`.
fn initialised_home() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let init = Command::new(env!("CARGO_BIN_EXE_rampartd"))
        .args(["init", "exporter", "--chain-id", "export-1", "--home"])
        .arg(dir.path())
        .output()
        .expect("init runs");
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    dir
}

#[test]
fn exported_genesis_round_trips_at_the_next_height() {
    let dir = initialised_home();
    let home = dir.path().to_str().expect("utf-8 path");

    let genesis: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("config/genesis.json")).expect("genesis"),
    )
    .expect("json");
    let db = dir.path().join("data/application.db");
    {
        let storage = Storage::open(&db, StorageConfig::default()).expect("store");
        let (mut driver, _) = MockConsensus::init(
            storage,
            "export-1",
            1,
            &with_default_validator(genesis["app_state"].clone(), "export-1"),
        )
        .expect("genesis");
        for _ in 0..3 {
            driver.block(vec![]);
        }
    }

    let export = Command::new(env!("CARGO_BIN_EXE_rampartd"))
        .args(["export", "--home", home])
        .output()
        .expect("export runs");
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let exported: serde_json::Value =
        serde_json::from_slice(&export.stdout).expect("export is JSON");
    assert_eq!(exported["initial_height"], "4");
    assert_eq!(exported["chain_id"], "export-1");
    assert_eq!(exported["app_state"]["chain"]["name"], "export-1");

    let fresh = tempfile::tempdir().expect("tempdir");
    let storage = Storage::open(fresh.path(), StorageConfig::default()).expect("store");
    let (mut restarted, _) =
        MockConsensus::init(storage, "export-1", 4, &exported["app_state"]).expect("re-genesis");
    restarted.block(vec![]);
    assert_eq!(
        restarted.app.export().expect("re-export"),
        exported["app_state"],
        "importing an export and exporting again is the identity"
    );
}

#[test]
fn export_of_an_empty_store_says_why() {
    let dir = initialised_home();
    let home = dir.path().to_str().expect("utf-8 path");
    let export = Command::new(env!("CARGO_BIN_EXE_rampartd"))
        .args(["export", "--home", home])
        .output()
        .expect("export runs");
    assert!(!export.status.success());
    let text = String::from_utf8_lossy(&export.stderr);
    assert!(text.contains("no block has been committed"), "{text}");
}
