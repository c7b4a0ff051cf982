//! `rampartd export` writes a genesis file from committed state that starts an equivalent chain.

mod common;

use common::{json, rampartd_ok};
use rampart_app::testing::{with_default_validator, MockConsensus};
use rampart_store::{Storage, StorageConfig};

/// A home made by `rampartd init` for chain `export-1`.
fn initialised_home() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    rampartd_ok(dir.path(), &["init", "exporter", "--chain-id", "export-1"]);
    dir
}

#[test]
fn exported_genesis_round_trips_at_the_next_height() {
    let dir = initialised_home();

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

    let exported = json(&rampartd_ok(dir.path(), &["export"]));
    assert_eq!(exported["initial_height"], "4");
    assert_eq!(exported["chain_id"], "export-1");
    assert_eq!(exported["app_state"]["chain"]["name"], "export-1");

    // A chain restarted from the export at height 4 continues exactly like the original: the
    // same block 4 (mint, rewards, liveness all write state) leaves both with the same export.
    let fresh = tempfile::tempdir().expect("tempdir");
    let storage = Storage::open(fresh.path(), StorageConfig::default()).expect("store");
    let (mut restarted, _) =
        MockConsensus::init(storage, "export-1", 4, &exported["app_state"]).expect("re-genesis");
    restarted.block(vec![]);
    let mut original = MockConsensus::resume(
        Storage::open(&db, StorageConfig::default()).expect("store"),
        "export-1",
    );
    original.block(vec![]);
    let continued = original.app.export().expect("export of the original");
    assert_ne!(
        continued, exported["app_state"],
        "block 4 changed the state"
    );
    // One legitimate difference: the first block of a chain started from an export carries no
    // commit (CometBFT has no previous block), so its liveness windows count one block fewer.
    let mut again = restarted.app.export().expect("re-export");
    let offset =
        |state: &serde_json::Value| state["slashing"]["signing_infos"][0]["index_offset"].clone();
    // 64-bit integers are proto3-JSON strings.
    assert_eq!(offset(&again), serde_json::json!("2"));
    assert_eq!(offset(&continued), serde_json::json!("3"));
    again["slashing"]["signing_infos"][0]["index_offset"] = offset(&continued);
    assert_eq!(
        again, continued,
        "the restarted chain continues exactly like the original"
    );
}

#[test]
fn export_of_an_empty_store_says_why() {
    let dir = initialised_home();
    let export = common::rampartd(dir.path(), &["export"], "");
    assert!(!export.status.success());
    let text = String::from_utf8_lossy(&export.stderr);
    assert!(text.contains("no block has been committed"), "{text}");
}
