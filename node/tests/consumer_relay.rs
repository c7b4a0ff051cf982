//! A consumer chain on real CometBFT, relayed by `relay_once`:
//!
//! 1. a one-validator provider registers consumer 0 (3-block epochs, launching a few seconds
//!    later); the validator opts in with a 50 % pledge and the consumer launches;
//! 2. `rampartd init --consumer 0 --provider-node …` makes a consumer home, which signs with the
//!    validator's provider key (its default consumer key); the relayers' accounts are funded in
//!    both geneses; the consumer's CometBFT set at its first height is the pledged power;
//! 3. the validator lowers its pledge to 25 %: relay rounds update the consumer's light client
//!    and deliver the validator-set-change packet with its proof, and the consumer's CometBFT
//!    set follows; later rounds acknowledge it on the provider;
//! 4. a pledge change relayed by two relayers at once: both rounds succeed and the packet is
//!    applied once; `query ccv …` shows the applied id and the set with its provider operator;
//! 5. `rampartd debug double-sign`'s submission makes the consumer commit a real `DuplicateVoteEvidence`:
//!    relay rounds find it in the consumer's block and forward it with the consumer's header at
//!    the votes' height; the provider punishes it (the validator's tokens drop). `tx restaking
//!    submit-double-vote FILE --consumer-node URL` refuses a node of another chain, and carries
//!    the consumer's header to the chain, which refuses the same infraction again
//!    (`restaking/14`).

mod common;

use std::path::Path;
use std::time::Duration;

use common::{configure, json, rampartd_ok, start, wait_for_height, Deadline, Node};
use rampart_client::gas::Gas;
use rampart_client::keys::{Backend, Keyring};
use rampart_client::submit::TxSettings;
use rampartd::relay::{relay_once, Chain, RelayReport, Relayer, Resume};
use serde_json::Value;
use tendermint_rpc::{Client, HttpClient, Paging};

const PROVIDER_CHAIN: &str = "provider-1";
const CONSUMER_CHAIN: &str = "consumer-1";
/// The gas limit of the relayers' transactions.
const GAS: u64 = 3_000_000;

/// The flags of a transaction signed by the provider's `operator` key and waited for.
const OPERATOR_SIGNS: &[&str] = &[
    "--from",
    "operator",
    "--keyring-backend",
    "test",
    "--yes",
    "--broadcast-mode",
    "block",
    "--gas",
    "1000000",
];

/// A signed transaction from the provider's `operator` key, committed.
fn operator_tx(home: &Path, args: &[&str]) {
    let mut all = vec!["tx"];
    all.extend_from_slice(args);
    all.extend_from_slice(OPERATOR_SIGNS);
    all.extend_from_slice(&["-o", "json"]);
    let outcome = json(&rampartd_ok(home, &all));
    assert_eq!(outcome["code"], 0, "{args:?}: {outcome}");
}

async fn height(rpc: &HttpClient) -> Option<u64> {
    let status = rpc.status().await.ok()?;
    Some(status.sync_info.latest_block_height.value())
}

/// The consumer's CometBFT set at its latest height: (ed25519 key, power).
async fn cometbft_set(rpc: &HttpClient) -> Option<Vec<(Vec<u8>, u64)>> {
    let h = height(rpc).await?;
    let at = tendermint::block::Height::try_from(h).ok()?;
    let validators = rpc.validators(at, Paging::All).await.ok()?;
    let mut set: Vec<_> = validators
        .validators
        .into_iter()
        .map(|v| (v.pub_key.to_bytes(), v.power.value()))
        .collect();
    set.sort();
    Some(set)
}

fn relayer(provider: &Node, consumer: &Node, home: &Path, key: &str) -> Relayer {
    let settings = TxSettings {
        gas: Gas::Fixed(GAS),
        ..TxSettings::default()
    };
    Relayer {
        provider: Chain::new(&provider.rpc, settings.clone()).expect("provider"),
        consumer: Chain::new(&consumer.rpc, settings).expect("consumer"),
        consumer_id: 0,
        key: Keyring::open(home, Backend::Test)
            .private_key(key, None)
            .expect("relayer key"),
        tx_timeout: Duration::from_secs(30),
    }
}

/// Relay rounds of `relayers` (at once) until the consumer's CometBFT set is `key` with
/// `power`; returns every report.
async fn relay_until_power(
    relayers: &[&Relayer],
    consumer: &Node,
    rpc: &HttpClient,
    key: &[u8],
    power: u64,
) -> Vec<RelayReport> {
    let deadline = Deadline::new(&format!("consumer power {power}"), consumer, 120);
    let mut reports = vec![];
    loop {
        let rounds: Vec<_> = relayers
            .iter()
            .map(|&r| {
                let r = r.clone();
                tokio::spawn(async move { relay_once(&r, Resume::default()).await })
            })
            .collect();
        for round in rounds {
            match round.await.expect("the round does not panic") {
                Ok(report) => reports.push(report),
                Err(e) => eprintln!("relay round failed (retrying): {e:#}"),
            }
        }
        if cometbft_set(rpc).await == Some(vec![(key.to_vec(), power)]) {
            return reports;
        }
        deadline.tick().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pledge_change_reaches_the_consumer_set_through_the_relayer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let provider_home = dir.path().join("provider");
    let consumer_home = dir.path().join("consumer");

    // The provider: one validator (10,000,000 uramp bonded: power 10) and a second relayer key.
    rampartd_ok(
        &provider_home,
        &["init", "provider", "--chain-id", PROVIDER_CHAIN],
    );
    let t = ["--keyring-backend", "test", "-o", "json"];
    let with = |args: &[&'static str]| -> Vec<&'static str> { [args, &t].concat() };
    let relayer2 = json(&rampartd_ok(
        &provider_home,
        &with(&["keys", "add", "relayer2"]),
    ));
    let relayer2 = relayer2["address"].as_str().expect("address").to_owned();
    rampartd_ok(
        &provider_home,
        &["genesis", "add-account", &relayer2, "100000000uramp"],
    );
    common::add_genesis_validator(&provider_home, PROVIDER_CHAIN);
    let operator = json(&rampartd_ok(
        &provider_home,
        &with(&["keys", "show", "operator"]),
    ));
    let operator = operator["address"].as_str().expect("address").to_owned();
    let rpc = configure(&provider_home);
    let provider = start(&provider_home, rpc);
    let provider_rpc = HttpClient::new(provider.rpc.as_str()).expect("rpc");
    wait_for_height(&provider, 2).await;

    // Register consumer 0 with 3-block epochs; the validator pledges 50 %: consumer power 5.
    let params = provider_home.join("consumer-params.json");
    std::fs::write(&params, r#"{"blocks_per_epoch": 3}"#).expect("params file");
    let node = ["--node", provider.rpc.as_str()];
    operator_tx(
        &provider_home,
        &[
            &[
                "consumer",
                "register",
                CONSUMER_CHAIN,
                "--spawn-time",
                "+8s",
            ][..],
            &["--params-file", params.to_str().expect("utf-8")],
            &node,
        ]
        .concat(),
    );
    operator_tx(
        &provider_home,
        &[&["restaking", "opt-in", "0", "50%"][..], &node].concat(),
    );
    let deadline = Deadline::new("the launch", &provider, 60);
    loop {
        let consumer = json(&rampartd_ok(
            &provider_home,
            &[
                &["query", "consumer", "consumer", "0", "-o", "json"][..],
                &node,
            ]
            .concat(),
        ));
        if consumer["consumer"]["phase"] == "CONSUMER_PHASE_LAUNCHED" {
            break;
        }
        deadline.tick().await;
    }

    // The consumer: its genesis from the provider, the validator's key, both relayers funded.
    rampartd_ok(
        &consumer_home,
        &[
            "init",
            "consumer",
            "--consumer",
            "0",
            "--provider-node",
            &provider.rpc,
        ],
    );
    std::fs::copy(
        provider_home.join("config/priv_validator_key.json"),
        consumer_home.join("config/priv_validator_key.json"),
    )
    .expect("the validator's key");
    for account in [&operator, &relayer2] {
        rampartd_ok(
            &consumer_home,
            &["genesis", "add-account", account, "100000000uramp"],
        );
    }
    let rpc = configure(&consumer_home);
    let consumer = start(&consumer_home, rpc);
    let consumer_rpc = HttpClient::new(consumer.rpc.as_str()).expect("rpc");
    wait_for_height(&consumer, 2).await;
    let key = provider_rpc
        .validators(1u32, Paging::All)
        .await
        .expect("provider validators")
        .validators[0]
        .pub_key
        .to_bytes();
    assert_eq!(
        cometbft_set(&consumer_rpc).await,
        Some(vec![(key.clone(), 5)]),
        "the consumer starts with the pledged power"
    );

    // 25 %: power 2. The relayer updates the client, delivers the packet, then acknowledges.
    operator_tx(
        &provider_home,
        &[&["restaking", "set-pledge", "0", "25%"][..], &node].concat(),
    );
    let first = relayer(&provider, &consumer, &provider_home, "operator");
    let reports = relay_until_power(&[&first], &consumer, &consumer_rpc, &key, 2).await;
    let delivery = reports
        .iter()
        .find_map(|r| r.delivery.as_ref().filter(|d| !d.packets.is_empty()))
        .expect("a delivery with packets");
    assert!(!delivery.updates.is_empty(), "{delivery:?}");
    assert_eq!(
        delivery.proof_height + 1,
        *delivery.updates.last().expect("update")
    );
    let deadline = Deadline::new("the acknowledgement", &provider, 60);
    let applied = loop {
        if let Ok(report) = relay_once(&first, Resume::default()).await {
            if report.acknowledged_vsc > 0 && report.acknowledged_vsc == report.applied_vsc {
                break report.applied_vsc;
            }
        }
        deadline.tick().await;
    };

    // 40 % (power 4), relayed by two relayers at once: both rounds succeed, applied once.
    operator_tx(
        &provider_home,
        &[&["restaking", "set-pledge", "0", "40%"][..], &node].concat(),
    );
    let second = relayer(&provider, &consumer, &provider_home, "relayer2");
    let reports = relay_until_power(&[&first, &second], &consumer, &consumer_rpc, &key, 4).await;
    let delivered: Vec<u64> = reports
        .iter()
        .filter_map(|r| r.delivery.as_ref())
        .flat_map(|d| d.packets.clone())
        .collect();
    let mut unique = delivered.clone();
    unique.dedup();
    assert_eq!(delivered, unique, "a packet delivered twice: {reports:?}");
    let applied_now = json(&rampartd_ok(
        &consumer_home,
        &[
            "query",
            "ccv",
            "applied-vsc",
            "-o",
            "json",
            "--node",
            &consumer.rpc,
        ],
    ));
    let applied_now: u64 = applied_now["vsc_id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("vsc_id");
    assert!(applied_now > applied, "{applied_now} after {applied}");
    let validators = json(&rampartd_ok(
        &consumer_home,
        &[
            "query",
            "ccv",
            "validators",
            "-o",
            "json",
            "--node",
            &consumer.rpc,
        ],
    ));
    assert_eq!(validators["validators"][0]["power"], "4", "{validators}");
    assert!(
        validators["validators"][0]["provider_operator"]
            .as_str()
            .is_some_and(|op| op.starts_with("rampartvaloper1")),
        "{validators}"
    );

    // The command: one round with --once writes the status file.
    let status_file = dir.path().join("relay-status.json");
    rampartd_ok(
        &provider_home,
        &[
            "relay",
            "--provider-node",
            &provider.rpc,
            "--consumer-node",
            &consumer.rpc,
            "--consumer-id",
            "0",
            "--from",
            "operator",
            "--keyring-backend",
            "test",
            "--gas",
            &GAS.to_string(),
            "--once",
            "--status-file",
            status_file.to_str().expect("utf-8"),
        ],
    );
    let status = json(&std::fs::read_to_string(&status_file).expect("status file"));
    assert_eq!(status["applied_vsc"], applied_now, "{status}");
    assert_eq!(status["last_error"], Value::Null, "{status}");
    assert!(
        status["consumer_height"].as_u64().is_some_and(|h| h > 2),
        "{status}"
    );

    // A real double vote on the consumer, committed by CometBFT, forwarded by the relayer.
    let tokens = || -> u128 {
        let validators = json(&rampartd_ok(
            &provider_home,
            &[&["query", "staking", "validators", "-o", "json"][..], &node].concat(),
        ));
        validators["validators"][0]["tokens"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| panic!("tokens in {validators}"))
    };
    let before = tokens();
    let key_file = consumer_home.join("config/priv_validator_key.json");
    let signed = rampartd::debug::submit_double_sign(&key_file, &consumer.rpc, None)
        .await
        .expect("double-sign evidence submitted to the consumer");
    let deadline = Deadline::new("the double vote forwarded", &consumer, 90);
    let mut scanned = 0;
    let forwarded = loop {
        let resume = Resume {
            scanned_height: scanned,
            ..Resume::default()
        };
        match relay_once(&first, resume).await {
            Ok(report) => {
                scanned = report.double_votes.scanned_height;
                if let Some(d) = report.double_votes.forwarded.first() {
                    break d.clone();
                }
            }
            Err(e) => eprintln!("relay round failed (retrying): {e:#}"),
        }
        deadline.tick().await;
    };
    assert_eq!(forwarded.tx.code, 0, "{forwarded:?}");
    assert!(
        forwarded.evidence_height > forwarded.vote_height,
        "{forwarded:?}"
    );
    assert_eq!(forwarded.validator_address, signed.validator_address);
    assert_eq!(forwarded.vote_height, signed.height);
    let after = tokens();
    assert!(
        after < before,
        "the double vote burned nothing: {before} → {after}"
    );

    // The CLI places a file's votes by the header it fetches from --consumer-node: a node of
    // another chain is refused; the consumer's header carries the same infraction (another pair
    // of votes at the same height) to the chain, which already punished it.
    let evidence = dir.path().join("evidence.json");
    rampartd::debug::write_evidence_file(&key_file, CONSUMER_CHAIN, signed.height, &evidence)
        .expect("evidence file");
    let submit = |consumer_node: &str| {
        let mut args = vec![
            "tx",
            "restaking",
            "submit-double-vote",
            evidence.to_str().expect("utf-8"),
            "--consumer-node",
            consumer_node,
            "--node",
            &provider.rpc,
        ];
        args.extend_from_slice(OPERATOR_SIGNS);
        let output = common::rampartd(&provider_home, &args, "");
        assert!(!output.status.success(), "the evidence was accepted again");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let wrong_chain = submit(&provider.rpc);
    assert!(
        wrong_chain.contains(&format!(
            "runs chain {PROVIDER_CHAIN}, but the evidence was signed for chain {CONSUMER_CHAIN}"
        )),
        "{wrong_chain}"
    );
    let again = submit(&consumer.rpc);
    assert!(again.contains("code restaking/14"), "{again}");
    assert_eq!(tokens(), after, "nothing more is burned");
}
