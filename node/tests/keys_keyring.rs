//! The keyring through `rampartd keys …` (the built binary) in a temporary home, and the file
//! backend's encryption through the library.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use rampart_client::keys::{mnemonic, AccountKey, Backend, KeyType, Keyring};

const ABANDON_ABOUT: &str = "abandon abandon abandon abandon abandon abandon abandon abandon \
                             abandon abandon abandon about";

/// Runs `rampartd keys <args> --home <home>` with `stdin` piped in.
fn keys(home: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampartd"))
        .arg("keys")
        .args(args)
        .arg("--home")
        .arg(home)
        .env_remove("RAMPART_KEYRING_PASSPHRASE")
        .env_remove("RAMPART_KEYRING_BACKEND")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rampartd runs");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("rampartd exits")
}

fn ok(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

fn err(output: &Output) -> String {
    assert!(!output.status.success(), "unexpectedly succeeded");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const TEST: &[&str] = &["--keyring-backend", "test", "--output", "json"];

fn with(args: &[&'static str]) -> Vec<&'static str> {
    args.iter().chain(TEST).copied().collect()
}

fn abandon_address(kind: KeyType) -> String {
    let phrase = mnemonic::parse(ABANDON_ABOUT).expect("valid");
    let key = AccountKey::from_mnemonic(&phrase, kind).expect("derives");
    key.address().expect("address").to_string()
}

#[test]
fn test_backend_round_trip_through_the_cli() {
    let home = tempfile::tempdir().expect("tempdir");
    let home = home.path();

    // A new key prints its 24-word mnemonic once; recovering that mnemonic gives the same address.
    let added = ok(&keys(home, &with(&["add", "alice"]), "", &[]));
    let words = added["mnemonic"]
        .as_str()
        .expect("mnemonic shown")
        .to_owned();
    assert_eq!(words.split(' ').count(), 24);
    let alice = added["address"].as_str().expect("address").to_owned();
    assert!(alice.starts_with("rampart1"), "{alice}");
    assert_eq!(added["key_type"], "secp256k1");

    // The same key under a second name is refused (it is already stored as alice).
    let dup_key = err(&keys(
        home,
        &with(&["add", "again", "--recover"]),
        &words,
        &[],
    ));
    assert!(dup_key.contains("already exists"), "{dup_key}");

    // Recover the test vector, as secp256k1 and as ed25519.
    let bob = ok(&keys(
        home,
        &with(&["add", "bob", "--recover"]),
        ABANDON_ABOUT,
        &[],
    ));
    assert!(
        bob.get("mnemonic").is_none(),
        "a recovered mnemonic is not echoed"
    );
    assert_eq!(bob["address"], abandon_address(KeyType::Secp256k1).as_str());
    let carol_args = with(&["add", "carol", "--recover", "--key-type", "ed25519"]);
    let carol = ok(&keys(home, &carol_args, ABANDON_ABOUT, &[]));
    assert_eq!(carol["address"], abandon_address(KeyType::Ed25519).as_str());
    assert!(carol["pubkey"]
        .as_str()
        .expect("pubkey")
        .contains("/cosmos.crypto.ed25519.PubKey"));

    // Clear errors: duplicate name, invalid mnemonic, unknown name, bad name.
    let dup = err(&keys(
        home,
        &with(&["add", "bob", "--recover"]),
        ABANDON_ABOUT,
        &[],
    ));
    assert!(dup.contains("already exists"), "{dup}");
    let bad = err(&keys(
        home,
        &with(&["add", "dave", "--recover"]),
        "abandon abandon",
        &[],
    ));
    assert!(bad.contains("invalid mnemonic"), "{bad}");
    let unknown = err(&keys(home, &with(&["show", "nobody"]), "", &[]));
    assert!(unknown.contains("not found"), "{unknown}");
    let traversal = err(&keys(home, &with(&["show", "../x"]), "", &[]));
    assert!(traversal.contains("invalid key name"), "{traversal}");

    // list is sorted by name; show gives account and validator operator addresses.
    let list = ok(&keys(home, &with(&["list"]), "", &[]));
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["alice", "bob", "carol"]);
    let shown = ok(&keys(home, &with(&["show", "alice"]), "", &[]));
    assert_eq!(shown["address"], alice.as_str());
    let val = ok(&keys(
        home,
        &with(&["show", "alice", "--bech", "val"]),
        "",
        &[],
    ));
    assert!(val["address"]
        .as_str()
        .expect("address")
        .starts_with("rampartvaloper1"));

    // export gives the secret that re-creates the key.
    let exported = ok(&keys(home, &with(&["export", "bob"]), "", &[]));
    let secret = hex::decode(exported["private_key_hex"].as_str().expect("hex")).expect("hex");
    let secret: [u8; 32] = secret.try_into().expect("32 bytes");
    let again = AccountKey::from_secret(KeyType::Secp256k1, secret).expect("valid secret");
    assert_eq!(
        again.address().expect("address").to_string(),
        bob["address"]
    );

    // delete without --yes asks; "n" keeps the key, --yes removes it.
    let kept = err(&keys(
        home,
        &["delete", "alice", "--keyring-backend", "test"],
        "n\n",
        &[],
    ));
    assert!(kept.contains("aborted"), "{kept}");
    ok(&keys(home, &with(&["show", "alice"]), "", &[]));
    ok(&keys(home, &with(&["delete", "alice", "--yes"]), "", &[]));
    let gone = err(&keys(home, &with(&["show", "alice"]), "", &[]));
    assert!(gone.contains("not found"), "{gone}");
    let confirmed = keys(
        home,
        &["delete", "bob", "--keyring-backend", "test"],
        "y\n",
        &[],
    );
    assert!(confirmed.status.success());
    assert_eq!(
        ok(&keys(home, &with(&["list"]), "", &[]))
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[cfg(unix)]
#[test]
fn key_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().expect("tempdir");
    ok(&keys(home.path(), &with(&["add", "alice"]), "", &[]));
    let dir = home.path().join("keyring-test");
    let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("alice.json")), 0o600);
}

#[test]
fn file_backend_encrypts_and_refuses_a_wrong_passphrase() {
    let home = tempfile::tempdir().expect("tempdir");
    let home = home.path();
    let file = ["--keyring-backend", "file", "--output", "json"];
    let args = |extra: &[&'static str]| -> Vec<&'static str> {
        extra.iter().chain(file.iter()).copied().collect()
    };
    let pass = [("RAMPART_KEYRING_PASSPHRASE", "correct horse battery")];

    let added = ok(&keys(
        home,
        &args(&["add", "bob", "--recover"]),
        ABANDON_ABOUT,
        &pass,
    ));
    assert_eq!(
        added["address"],
        abandon_address(KeyType::Secp256k1).as_str()
    );

    // Neither the private key nor the mnemonic is in the file in clear.
    let secret = {
        let phrase = mnemonic::parse(ABANDON_ABOUT).expect("valid");
        let key = AccountKey::from_mnemonic(&phrase, KeyType::Secp256k1).expect("derives");
        *key.secret_bytes()
    };
    let stored = std::fs::read(home.join("keyring-file").join("bob.json")).expect("key file");
    let text = String::from_utf8_lossy(&stored);
    assert!(!text.contains("abandon"), "mnemonic stored in clear");
    assert!(
        !text.to_lowercase().contains(&hex::encode(secret)),
        "hex secret in clear"
    );
    assert!(
        !stored.windows(32).any(|w| w == secret),
        "raw secret in clear"
    );
    assert!(text.contains("scrypt") && text.contains("xchacha20poly1305"));

    // Public info needs no passphrase; the private key does, and only the right one.
    let shown = ok(&keys(home, &args(&["show", "bob"]), "", &[]));
    assert_eq!(shown["address"], added["address"]);
    let wrong = [("RAMPART_KEYRING_PASSPHRASE", "not the passphrase")];
    let refused = err(&keys(home, &args(&["export", "bob"]), "", &wrong));
    assert!(refused.contains("wrong passphrase"), "{refused}");
    let exported = ok(&keys(home, &args(&["export", "bob"]), "", &pass));
    assert_eq!(exported["private_key_hex"], hex::encode(secret).as_str());

    // --passphrase-file works too, and short passphrases are refused for new keys.
    let pass_file = home.join("pass.txt");
    std::fs::write(&pass_file, "correct horse battery\n").expect("write");
    let from_file = keys(
        home,
        &[
            "export",
            "bob",
            "--keyring-backend",
            "file",
            "--passphrase-file",
            pass_file.to_str().expect("utf-8 path"),
        ],
        "",
        &[],
    );
    assert!(
        from_file.status.success(),
        "{}",
        String::from_utf8_lossy(&from_file.stderr)
    );
    let short = [("RAMPART_KEYRING_PASSPHRASE", "short")];
    let too_short = err(&keys(home, &args(&["add", "eve"]), "", &short));
    assert!(too_short.contains("at least 8"), "{too_short}");
}

#[test]
fn library_keyring_file_backend() {
    let home = tempfile::tempdir().expect("tempdir");
    let keyring = Keyring::open(home.path(), Backend::File);
    let key = AccountKey::from_mnemonic(&mnemonic::generate(), KeyType::Ed25519).expect("key");
    let record = keyring.add("k", &key, Some("passphrase!")).expect("added");
    assert!(
        keyring.add("k2", &key, None).is_err(),
        "file backend needs a passphrase"
    );
    let loaded = keyring
        .private_key("k", Some("passphrase!"))
        .expect("opens");
    assert_eq!(loaded.secret_bytes(), key.secret_bytes());
    assert_eq!(record.address, key.address().expect("address").to_string());
    assert!(keyring.private_key("k", Some("wrong passphrase")).is_err());
    // A test-backend keyring in the same home is a different directory.
    assert_eq!(
        Keyring::open(home.path(), Backend::Test)
            .list()
            .expect("list"),
        vec![]
    );
}
