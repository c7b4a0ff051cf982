//! `rampartd tx|query staking` and `tx|query distribution` without a chain: every command has
//! `--help`, bad input fails with a clear error before anything is signed or sent, and the
//! messages the commands build decode to the expected `cosmos.staking.v1beta1` /
//! `cosmos.distribution.v1beta1` protos (also inside a signed tx, with the app's decoder).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use cosmos_sdk_proto::cosmos::base::v1beta1::{Coin, DecCoin};
use cosmos_sdk_proto::cosmos::crypto::ed25519::PubKey;
use cosmos_sdk_proto::cosmos::distribution::v1beta1 as distr;
use cosmos_sdk_proto::cosmos::staking::v1beta1 as pb;
use cosmrs::AccountId;
use prost::Message;
use rampart_auth::pubkey::ED25519_TYPE_URL as ED25519_PUBKEY_URL;
use rampart_client::address::operator_of;
use rampart_client::keys::{mnemonic, AccountKey, KeyType};
use rampart_client::msgs::distribution::{
    set_withdraw_address_msg, withdraw_rewards_msgs, SET_WITHDRAW_ADDRESS,
    WITHDRAW_DELEGATOR_REWARD, WITHDRAW_VALIDATOR_COMMISSION,
};
use rampart_client::msgs::staking::{
    cancel_unbond_msg, delegate_msg, redelegate_msg, undelegate_msg, Commission, NewValidator,
    BEGIN_REDELEGATE, CANCEL_UNBONDING, CREATE_VALIDATOR, DELEGATE, UNDELEGATE,
};
use rampart_client::tx_builder::{sign_tx, TxParams};
use rampartd::cli::args::read_consensus_pubkey;
use rampartd::cli::output::{Doc, Printer};
use rampartd::cli::staking::query::validator as validator_doc;
use rampartd::cli::Output as Format;

const ABANDON_ABOUT: &str = "abandon abandon abandon abandon abandon abandon abandon abandon \
                             abandon abandon abandon about";

/// A `priv_validator_key.json` written by `cometbft init` (v0.38.25).
const PV_KEY: &str = r#"{"address": "85817B1D08D40E071823A48AC00BB2501E6E5BBA",
  "pub_key": {"type": "tendermint/PubKeyEd25519", "value": "hpeEB7nZW32TunyChNhA0pgAdVmFVA9GMFSClpXrcsA="},
  "priv_key": {"type": "tendermint/PrivKeyEd25519", "value": "roXffNYz8YQ1N00NFH1p/TmXdrE5WREWEtTeZM0AeYKGl4QHudlbfZO6fIKE2EDSmAB1WYVUD0YwVIKWletywA=="}}"#;
const PV_PUBKEY: &str = "hpeEB7nZW32TunyChNhA0pgAdVmFVA9GMFSClpXrcsA=";

fn key() -> AccountKey {
    AccountKey::from_mnemonic(
        &mnemonic::parse(ABANDON_ABOUT).expect("valid"),
        KeyType::Secp256k1,
    )
    .expect("derives")
}

fn account() -> AccountId {
    key().address().expect("address")
}

fn other_valoper() -> AccountId {
    let other = AccountKey::from_mnemonic(&mnemonic::generate(), KeyType::Secp256k1)
        .expect("derives")
        .address()
        .expect("address");
    operator_of(&other).expect("valoper")
}

fn coin(amount: &str) -> Coin {
    Coin {
        denom: "uramp".into(),
        amount: amount.into(),
    }
}

fn pv_pubkey() -> [u8; 32] {
    base64::engine::general_purpose::STANDARD
        .decode(PV_PUBKEY)
        .expect("base64")
        .try_into()
        .expect("32 bytes")
}

fn rampartd(args: &[&str], home: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rampartd"));
    command
        .args(args)
        .env_remove("RAMPART_KEYRING_BACKEND")
        .env_remove("RAMPART_HOME")
        .stdin(Stdio::null());
    if let Some(home) = home {
        command.arg("--home").arg(home);
    }
    command.output().expect("rampartd runs")
}

/// Runs a command that must fail before contacting a node, and returns its stderr.
fn fails(args: &[&str], home: Option<&Path>) -> String {
    let output = rampartd(args, home);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "{args:?} succeeded: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    stderr
}

const STAKING_TXS: &[&str] = &[
    "create-validator",
    "edit-validator",
    "delegate",
    "unbond",
    "redelegate",
    "cancel-unbond",
];
const DISTRIBUTION_TXS: &[&str] = &[
    "withdraw-rewards",
    "withdraw-all-rewards",
    "set-withdraw-addr",
];
const STAKING_QUERIES: &[&str] = &[
    "validators",
    "validator",
    "delegation",
    "delegations",
    "delegations-to",
    "unbonding-delegation",
    "unbonding-delegations",
    "redelegations",
    "pool",
    "params",
    "historical-info",
];
const DISTRIBUTION_QUERIES: &[&str] = &[
    "params",
    "rewards",
    "commission",
    "outstanding-rewards",
    "withdraw-addr",
    "community-pool",
];
const TX_FLAGS: &[&str] = &[
    "--from",
    "--fees",
    "--gas",
    "--node",
    "--home",
    "--keyring-backend",
    "--yes",
    "--broadcast-mode",
    "--output",
];
const QUERY_FLAGS: &[&str] = &["--node", "--output"];

#[test]
fn every_staking_and_distribution_command_has_help() {
    let mut cases: Vec<(Vec<&str>, &[&str])> = vec![
        (vec!["tx"], &["bank", "staking", "distribution"]),
        (vec!["query"], &["bank", "staking", "distribution"]),
        (vec!["tx", "staking"], STAKING_TXS),
        (vec!["tx", "distribution"], DISTRIBUTION_TXS),
        (vec!["query", "staking"], STAKING_QUERIES),
        (vec!["query", "distribution"], DISTRIBUTION_QUERIES),
        (
            vec!["tx", "staking", "create-validator"],
            &[
                "--amount",
                "--pubkey",
                "--moniker",
                "--commission-rate",
                "--commission-max-rate",
                "--commission-max-change-rate",
                "--min-self-delegation",
            ],
        ),
        (
            vec!["tx", "staking", "edit-validator"],
            &["--moniker", "--commission-rate", "--min-self-delegation"],
        ),
        (
            vec!["tx", "distribution", "withdraw-rewards"],
            &["--commission"],
        ),
        (vec!["query", "staking", "validators"], &["--status"]),
    ];
    for (module, commands, flags) in [
        (["tx", "staking"], STAKING_TXS, TX_FLAGS),
        (["tx", "distribution"], DISTRIBUTION_TXS, TX_FLAGS),
        (["tx", "distr"], DISTRIBUTION_TXS, TX_FLAGS),
        (["query", "staking"], STAKING_QUERIES, QUERY_FLAGS),
        (["query", "distribution"], DISTRIBUTION_QUERIES, QUERY_FLAGS),
    ] {
        for command in commands {
            cases.push((vec![module[0], module[1], command], flags));
        }
    }
    for (command, expected) in cases {
        let mut args = command.clone();
        args.push("--help");
        let output = rampartd(&args, None);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{args:?} failed");
        for word in expected {
            assert!(
                text.contains(word),
                "`{command:?} --help` lacks {word}:\n{text}"
            );
        }
    }
}

#[test]
fn bad_input_fails_before_signing_with_clear_errors() {
    let valoper = operator_of(&account()).expect("valoper").to_string();
    let delegator = account().to_string();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "tx", "staking", "delegate", "nonsense", "1uramp", "--from", "k",
            ],
            "invalid validator address \"nonsense\"",
        ),
        (
            &[
                "tx", "staking", "delegate", &delegator, "1uramp", "--from", "k",
            ],
            "expected prefix rampartvaloper",
        ),
        (
            &[
                "tx", "staking", "delegate", &valoper, "0uramp", "--from", "k",
            ],
            "amount must be positive",
        ),
        (
            &["tx", "staking", "unbond", &valoper, "12", "--from", "k"],
            "missing denom",
        ),
        (
            &[
                "tx",
                "staking",
                "redelegate",
                &valoper,
                &valoper,
                "1uramp",
                "--from",
                "k",
            ],
            "the source and destination validators are the same",
        ),
        (
            &[
                "tx",
                "staking",
                "cancel-unbond",
                &valoper,
                "1uramp",
                "0",
                "--from",
                "k",
            ],
            "invalid value '0' for '<CREATION_HEIGHT>'",
        ),
        (
            &[
                "tx",
                "distribution",
                "set-withdraw-addr",
                &valoper,
                "--from",
                "k",
            ],
            "invalid withdraw address",
        ),
        (
            &["query", "staking", "validator", &delegator],
            "expected prefix rampartvaloper",
        ),
        (
            &["query", "staking", "delegations", &valoper],
            "invalid delegator address",
        ),
        (
            &["query", "staking", "validators", "--status", "sleepy"],
            "invalid value 'sleepy'",
        ),
        (
            &["query", "staking", "historical-info", "0"],
            "0 is not in 1..",
        ),
        (
            &["query", "distribution", "rewards", &delegator, "nonsense"],
            "invalid validator address",
        ),
        (
            &["query", "distribution", "commission", &delegator],
            "expected prefix rampartvaloper",
        ),
    ];
    for (args, expected) in cases {
        let stderr = fails(args, None);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let create = [
        "tx",
        "staking",
        "create-validator",
        "--moniker",
        "m",
        "--from",
        "k",
    ];
    let create_cases: &[(&[&str], &str)] = &[
        (
            &["--amount", "1000000uramp", "--pubkey", "c2hvcnQ="],
            "an ed25519 public key has 32 bytes, got 5",
        ),
        (
            &[
                "--amount",
                "1000000uramp",
                "--pubkey",
                PV_PUBKEY,
                "--commission-rate",
                "0.3",
            ],
            "commission rate cannot be more than the max rate",
        ),
        (
            &[
                "--amount",
                "1000000uramp",
                "--pubkey",
                PV_PUBKEY,
                "--commission-rate",
                "ten percent",
            ],
            "--commission-rate \"ten percent\" is not a decimal such as 0.10",
        ),
        (
            &["--amount", "lots", "--pubkey", PV_PUBKEY],
            "--amount: invalid coin",
        ),
    ];
    for (extra, expected) in create_cases {
        let args: Vec<&str> = create.iter().chain(extra.iter()).copied().collect();
        let stderr = fails(&args, None);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn commands_that_need_the_key_check_it_before_sending() {
    let home = tempfile::tempdir().expect("tempdir");
    let added = rampartd(
        &["keys", "add", "k", "--keyring-backend", "test"],
        Some(home.path()),
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let others = other_valoper().to_string();
    let offline = ["--keyring-backend", "test", "--node", "http://127.0.0.1:1"];
    let with = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(offline);
        fails(&all, Some(home.path()))
    };
    let stderr = with(&[
        "tx",
        "distribution",
        "withdraw-rewards",
        &others,
        "--commission",
        "--from",
        "k",
    ]);
    assert!(
        stderr.contains("only a validator's operator can withdraw its commission"),
        "{stderr}"
    );
    let stderr = with(&["tx", "staking", "edit-validator", "--from", "k"]);
    assert!(stderr.contains("nothing to edit"), "{stderr}");
    let stderr = with(&[
        "tx",
        "staking",
        "create-validator",
        "--amount",
        "1uramp",
        "--moniker",
        "m",
        "--from",
        "k",
    ]);
    assert!(
        stderr.contains("give --pubkey") && stderr.contains("priv_validator_key.json"),
        "{stderr}"
    );
    // A missing key is named; an unreachable node is a clear error, not a panic.
    let stderr = with(&[
        "tx", "staking", "delegate", &others, "1uramp", "--from", "nobody",
    ]);
    assert!(stderr.contains("nobody"), "{stderr}");
    let stderr = with(&[
        "tx", "staking", "delegate", &others, "1uramp", "--from", "k", "--yes",
    ]);
    assert!(stderr.contains("is the node running?"), "{stderr}");
    let stderr = with(&["tx", "distribution", "withdraw-all-rewards", "--from", "k"]);
    assert!(stderr.contains("is the node running?"), "{stderr}");
    let stderr = fails(
        &["query", "staking", "pool", "--node", "http://127.0.0.1:1"],
        Some(home.path()),
    );
    assert!(stderr.contains("is the node running?"), "{stderr}");
}

#[test]
fn consensus_keys_are_read_in_every_documented_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("priv_validator_key.json");
    std::fs::write(&file, PV_KEY).expect("write");
    let expected = pv_pubkey();
    let sdk = format!(r#"{{"@type":"{ED25519_PUBKEY_URL}","key":"{PV_PUBKEY}"}}"#);
    let cometbft = format!(r#"{{"type":"tendermint/PubKeyEd25519","value":"{PV_PUBKEY}"}}"#);
    for arg in [file.to_str().expect("utf-8"), PV_PUBKEY, &sdk, &cometbft] {
        assert_eq!(read_consensus_pubkey(arg).expect(arg), expected, "{arg}");
    }
    let secp = r#"{"@type":"/cosmos.crypto.secp256k1.PubKey","key":"AAAA"}"#;
    let err = read_consensus_pubkey(secp)
        .expect_err("secp256k1")
        .to_string();
    assert!(format!("{err:#}").contains("--pubkey"), "{err}");
    assert!(read_consensus_pubkey("not base64!").is_err());
    std::fs::write(&file, "{}").expect("write");
    let err = read_consensus_pubkey(file.to_str().expect("utf-8")).expect_err("no key");
    assert!(
        format!("{err:#}").contains("holds no ed25519 consensus key"),
        "{err:#}"
    );
}

#[test]
fn create_validator_message_decodes_to_the_expected_proto() {
    let operator = account();
    let validator = NewValidator {
        pubkey: pv_pubkey(),
        amount: coin("1000000"),
        description: pb::Description {
            moniker: "alice".into(),
            website: "https://example.org".into(),
            ..Default::default()
        },
        commission: Commission::parse("0.10", "0.20", "0.01").expect("valid"),
        min_self_delegation: 1,
    };
    let any = validator.message(&operator).expect("message");
    assert_eq!(any.type_url, CREATE_VALIDATOR);
    let msg = pb::MsgCreateValidator::decode(any.value.as_slice()).expect("decodes");
    assert_eq!(
        msg.validator_address,
        operator_of(&operator).expect("valoper").to_string()
    );
    assert!(msg.validator_address.starts_with("rampartvaloper1"));
    assert_eq!(msg.value, Some(coin("1000000")));
    assert_eq!(msg.min_self_delegation, "1");
    let rates = msg.commission.expect("commission");
    assert_eq!(rates.rate, "100000000000000000");
    assert_eq!(rates.max_rate, "200000000000000000");
    assert_eq!(rates.max_change_rate, "10000000000000000");
    let description = msg.description.expect("description");
    assert_eq!(description.moniker, "alice");
    assert_eq!(description.website, "https://example.org");
    let pubkey = msg.pubkey.expect("pubkey");
    assert_eq!(pubkey.type_url, ED25519_PUBKEY_URL);
    let key = PubKey::decode(pubkey.value.as_slice()).expect("ed25519 key");
    assert_eq!(key.key, pv_pubkey().to_vec());

    let defaults = NewValidator::with_defaults(pv_pubkey(), coin("5"), "bob").expect("defaults");
    assert_eq!(defaults.commission, validator.commission);
    assert_eq!(defaults.description.moniker, "bob");
    let zero_min = NewValidator {
        min_self_delegation: 0,
        ..defaults
    };
    assert!(zero_min.message(&operator).is_err());

    // Commission rules are checked before anything is signed.
    assert!(Commission::parse("0.3", "0.2", "0.01").is_err());
    assert!(Commission::parse("0.1", "0.2", "0.3").is_err());
    assert!(Commission::parse("0.1", "1.5", "0.01").is_err());
    assert!(Commission::parse("-0.1", "0.2", "0.01").is_err());
}

#[test]
fn delegation_and_distribution_messages_decode_to_the_expected_protos() {
    let delegator = account();
    let validator = operator_of(&delegator).expect("valoper");
    let other = other_valoper();

    let any = delegate_msg(&delegator, &validator, coin("7"));
    assert_eq!(any.type_url, DELEGATE);
    let msg = pb::MsgDelegate::decode(any.value.as_slice()).expect("decodes");
    assert_eq!(msg.delegator_address, delegator.to_string());
    assert_eq!(msg.validator_address, validator.to_string());
    assert_eq!(msg.amount, Some(coin("7")));

    let any = undelegate_msg(&delegator, &validator, coin("8"));
    assert_eq!(any.type_url, UNDELEGATE);
    let msg = pb::MsgUndelegate::decode(any.value.as_slice()).expect("decodes");
    assert_eq!(msg.amount, Some(coin("8")));

    let any = redelegate_msg(&delegator, &validator, &other, coin("9"));
    assert_eq!(any.type_url, BEGIN_REDELEGATE);
    let msg = pb::MsgBeginRedelegate::decode(any.value.as_slice()).expect("decodes");
    assert_eq!(msg.validator_src_address, validator.to_string());
    assert_eq!(msg.validator_dst_address, other.to_string());

    let any = cancel_unbond_msg(&delegator, &validator, coin("10"), 42);
    assert_eq!(any.type_url, CANCEL_UNBONDING);
    let msg = pb::MsgCancelUnbondingDelegation::decode(any.value.as_slice()).expect("decodes");
    assert_eq!(msg.creation_height, 42);
    assert_eq!(msg.amount, Some(coin("10")));

    let msgs = withdraw_rewards_msgs(&delegator, &validator, true).expect("own validator");
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].type_url, WITHDRAW_DELEGATOR_REWARD);
    let reward = distr::MsgWithdrawDelegatorReward::decode(msgs[0].value.as_slice()).expect("ok");
    assert_eq!(reward.delegator_address, delegator.to_string());
    assert_eq!(reward.validator_address, validator.to_string());
    assert_eq!(msgs[1].type_url, WITHDRAW_VALIDATOR_COMMISSION);
    let commission =
        distr::MsgWithdrawValidatorCommission::decode(msgs[1].value.as_slice()).expect("ok");
    assert_eq!(commission.validator_address, validator.to_string());
    assert_eq!(
        withdraw_rewards_msgs(&delegator, &other, false)
            .expect("no commission")
            .len(),
        1
    );
    assert!(withdraw_rewards_msgs(&delegator, &other, true).is_err());

    let any = set_withdraw_address_msg(&delegator, &delegator);
    assert_eq!(any.type_url, SET_WITHDRAW_ADDRESS);
    let msg = distr::MsgSetWithdrawAddress::decode(any.value.as_slice()).expect("decodes");
    assert_eq!(msg.withdraw_address, delegator.to_string());

    // Several messages in one signed tx come out of the app's decoder in order.
    let params = TxParams {
        chain_id: "rampart-test-1".into(),
        account_number: 1,
        sequence: 0,
        fee: vec![coin("500")],
        gas_limit: 300_000,
        memo: String::new(),
        timeout_height: 0,
    };
    let messages = withdraw_rewards_msgs(&delegator, &validator, true).expect("msgs");
    let signed = sign_tx(messages, &key(), &params).expect("signs");
    let decoded = rampart_app::tx::decode(&signed.tx_bytes).expect("the app decodes it");
    let urls: Vec<&str> = decoded
        .body
        .messages
        .iter()
        .map(|m| m.type_url.as_str())
        .collect();
    assert_eq!(
        urls,
        [WITHDRAW_DELEGATOR_REWARD, WITHDRAW_VALIDATOR_COMMISSION]
    );
}

#[test]
fn query_output_is_readable_text_and_ordered_json() {
    let text = Printer::plain(Format::Text);
    let json = Printer::plain(Format::Json);
    let rewards = [
        DecCoin {
            denom: "uramp".into(),
            amount: "12500000000000000000".into(),
        },
        DecCoin {
            denom: "uatom".into(),
            amount: "250000000000000000".into(),
        },
    ];
    assert_eq!(text.dec_coins(&rewards), Doc::str("12.5uramp,0.25uatom"));
    assert_eq!(text.dec_coins(&[]), Doc::str("none"));
    assert_eq!(text.dec("50000000000000000"), Doc::str("0.05"));
    assert_eq!(
        json.dec("50000000000000000"),
        Doc::str("0.050000000000000000")
    );
    let doc = Doc::Map(vec![
        ("rewards", text.dec_coins(&rewards)),
        (
            "entries",
            Doc::List(vec![
                Doc::Map(vec![
                    ("creation_height", text.int(7)),
                    ("balance", text.coin(Some(&coin("5")))),
                ]),
                Doc::Map(vec![("creation_height", text.int(9))]),
            ]),
        ),
        ("nested", Doc::Map(vec![("jailed", Doc::Bool(false))])),
        ("empty", Doc::List(vec![])),
    ]);
    assert_eq!(
        doc.text(),
        "rewards: 12.5uramp,0.25uatom\nentries:\n- creation_height: 7\n  balance: 5uramp\n\
         - creation_height: 9\nnested:\n  jailed: false\nempty: []\n"
    );
    let as_json = serde_json::to_string(&Doc::Map(vec![
        ("z", Doc::str("1")),
        ("a", json.dec_coins(&rewards[..1])),
        ("b", json.coin(Some(&coin("5")))),
    ]))
    .expect("json");
    assert_eq!(
        as_json,
        r#"{"z":"1","a":[{"denom":"uramp","amount":"12.500000000000000000"}],"b":{"denom":"uramp","amount":"5"}}"#
    );

    let validator = pb::Validator {
        operator_address: "rampartvaloper1x".into(),
        status: pb::BondStatus::Bonded as i32,
        tokens: "1000000".into(),
        delegator_shares: "1000000000000000000000000".into(),
        description: Some(pb::Description {
            moniker: "alice".into(),
            ..Default::default()
        }),
        commission: Some(pb::Commission {
            commission_rates: Some(pb::CommissionRates {
                rate: "100000000000000000".into(),
                max_rate: "200000000000000000".into(),
                max_change_rate: "10000000000000000".into(),
            }),
            update_time: None,
        }),
        min_self_delegation: "1".into(),
        ..Default::default()
    };
    let shown = validator_doc(&text, &validator).text();
    for line in [
        "status: bonded",
        "delegator_shares: 1000000",
        "  moniker: alice",
        "    rate: 0.1",
        "unbonding_time: 1970-01-01T00:00:00Z",
    ] {
        assert!(shown.contains(line), "{line:?} missing in:\n{shown}");
    }
    assert!(
        !shown.contains("website"),
        "empty fields are hidden:\n{shown}"
    );
    let as_json = serde_json::to_value(validator_doc(&json, &validator)).expect("json");
    assert_eq!(as_json["status"], "BOND_STATUS_BONDED");
    assert_eq!(as_json["jailed"], false);
    assert_eq!(
        as_json["commission"]["commission_rates"]["rate"],
        "0.100000000000000000"
    );
    assert_eq!(as_json["description"]["website"], "");
}
