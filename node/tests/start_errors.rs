//! `rampartd start` refuses bad homes with an error that names the problem, and writes nothing.

mod common;

use std::path::Path;
use std::process::Command;

fn rampartd(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_rampartd"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("rampartd runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// An initialised home with a genesis validator, whose app.toml uses free ports.
fn home() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().to_str().expect("utf-8 path");
    let (ok, text) = rampartd(&[
        "init",
        "test-node",
        "--chain-id",
        "start-errors",
        "--home",
        home,
    ]);
    assert!(ok, "init failed: {text}");
    common::add_genesis_validator(dir.path(), "start-errors");
    let app_toml = dir.path().join("config/app.toml");
    let config = std::fs::read_to_string(&app_toml).expect("app.toml");
    let config = config
        .replace(
            "127.0.0.1:26658",
            &format!("127.0.0.1:{}", common::free_port()),
        )
        .replace(
            "127.0.0.1:9090",
            &format!("127.0.0.1:{}", common::free_port()),
        );
    std::fs::write(&app_toml, config).expect("write app.toml");
    dir
}

fn start(home: &Path) -> String {
    let (ok, text) = rampartd(&["start", "--home", home.to_str().expect("utf-8 path")]);
    assert!(!ok, "start must fail, printed: {text}");
    assert!(
        !home.join("data/application.db").exists(),
        "no store was created: {text}"
    );
    text
}

#[test]
fn a_missing_home_or_file_is_named_with_the_command_that_creates_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nowhere");
    let text = start(&missing);
    assert!(
        text.contains("nowhere") && text.contains("rampartd init"),
        "{text}"
    );

    for file in ["config/app.toml", "config/genesis.json"] {
        let home = home();
        std::fs::remove_file(home.path().join(file)).expect("remove");
        let text = start(home.path());
        assert!(
            text.contains(file) && text.contains("rampartd init"),
            "{file}: {text}"
        );
    }
}

#[test]
fn malformed_genesis_and_unknown_sections_are_named() {
    let home = home();
    let genesis = home.path().join("config/genesis.json");
    let original = std::fs::read_to_string(&genesis).expect("genesis");

    std::fs::write(&genesis, &original[..original.len() / 2]).expect("truncate");
    let text = start(home.path());
    assert!(
        text.contains("invalid genesis file") && text.contains("line"),
        "{text}"
    );

    let mut doc: serde_json::Value = serde_json::from_str(&original).expect("json");
    doc["app_state"]["bnak"] = serde_json::json!({});
    std::fs::write(&genesis, doc.to_string()).expect("write");
    let text = start(home.path());
    assert!(text.contains("app_state.bnak"), "{text}");

    doc["app_state"] = serde_json::json!({"chain": {"nmae": "typo"}});
    std::fs::write(&genesis, doc.to_string()).expect("write");
    let text = start(home.path());
    assert!(text.contains("nmae"), "{text}");
}

#[test]
fn a_port_in_use_is_named() {
    let home = home();
    let config = std::fs::read_to_string(home.path().join("config/app.toml")).expect("app.toml");
    let abci: toml::Value = toml::from_str(&config).expect("toml");
    let address = abci["abci"]["address"]
        .as_str()
        .expect("abci address")
        .to_owned();
    let _occupied = std::net::TcpListener::bind(&address).expect("occupy the ABCI port");
    let text = start(home.path());
    let port = address.rsplit(':').next().expect("port");
    assert!(
        text.contains(&format!("port {port}")) && text.contains("abci.address"),
        "{text}"
    );
}

#[test]
fn an_inconsistent_store_is_refused_not_reset() {
    let home = home();
    let db = home.path().join("data/application.db");
    {
        let storage = rampart_store::Storage::open(&db, Default::default()).expect("store");
        let mut changes = rampart_core::Changes::new();
        changes.insert(b"k".to_vec(), Some(b"v".to_vec()));
        let pending = storage.prepare(1, &changes).expect("prepare");
        storage.commit(pending).expect("commit");
    }
    {
        // Waits (bounded) for the lock sled's background flusher of the dropped store may hold.
        let raw = rampart_store::open_raw(&db).expect("raw sled");
        raw.insert(b"Mapp_hash", &[7u8; 32]).expect("corrupt");
        raw.flush().expect("flush");
    }
    let (ok, text) = rampartd(&["start", "--home", home.path().to_str().expect("utf-8")]);
    assert!(!ok, "{text}");
    assert!(text.contains("application store"), "{text}");
    let storage = rampart_store::Storage::open(&db, Default::default());
    assert!(storage.is_err(), "the store was not silently reset");
}

#[test]
fn a_missing_or_damaged_validator_key_is_named_with_what_to_do() {
    let home = home();
    let key_file = home.path().join("config/priv_validator_key.json");
    let original = std::fs::read_to_string(&key_file).expect("key file");

    std::fs::remove_file(&key_file).expect("remove");
    let text = start(home.path());
    assert!(
        text.contains("priv_validator_key.json is missing") && text.contains("backup"),
        "{text}"
    );

    std::fs::write(&key_file, &original[..original.len() / 2]).expect("truncate");
    let text = start(home.path());
    assert!(
        text.contains("priv_validator_key.json is not a valid CometBFT validator key")
            && text.contains("backup"),
        "{text}"
    );

    // Another key's address and public key beside this private key.
    let mut doc: serde_json::Value = serde_json::from_str(&original).expect("json");
    let other = home.path().join("other");
    let (ok, out) = rampartd(&[
        "init",
        "other",
        "--chain-id",
        "start-errors",
        "--home",
        other.to_str().expect("utf-8 path"),
    ]);
    assert!(ok, "{out}");
    let other: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(other.join("config/priv_validator_key.json")).expect("other"),
    )
    .expect("json");
    doc["address"] = other["address"].clone();
    doc["pub_key"] = other["pub_key"].clone();
    std::fs::write(&key_file, doc.to_string()).expect("write");
    let text = start(home.path());
    assert!(
        text.contains("do not belong together") && !text.contains("panicked"),
        "{text}"
    );
}
