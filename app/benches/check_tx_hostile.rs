//! CheckTx of hostile transactions that pay nothing (issue 13, finding 2): a ~1 MiB transaction
//! of thousands of `rampart.restaking.v1.MsgOptIn`s, each with a valid operator address and a
//! valid ed25519 consumer key — routing one costs a bech32 decode and a point decompression —
//! sent with no signature, or with one bogus signature; and, for scale, the most a transaction
//! within the message cap can cost before its fee: 64 such messages with one bogus signature.
//! A custom harness like `tx_throughput`: `cargo bench -p rampart-app --bench check_tx_hostile`
//! runs the full size; `cargo test --all-targets` runs a small smoke version. Every call must be
//! refused, or the run panics. Results are written up in `docs/BENCHMARKS.md`.

use std::time::{Duration, Instant};

use bytes::Bytes;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{AuthInfo, SignerInfo, TxBody, TxRaw};
use prost::Message;
use rampart_app::tx::MAX_TX_BYTES;
use rampart_core::Address;
use rampart_testkit::restaking::opt_in;
use rampart_testkit::*;
use tendermint::abci::request;
use tendermint_proto::google::protobuf::Any;

/// How much work one run does.
struct Size {
    /// Bytes of messages in the large transactions.
    tx_bytes: usize,
    /// Timed CheckTx calls per case.
    calls: usize,
}

/// The benchmark size (`cargo bench` passes `--bench`): just under CometBFT's 1 MiB limit.
const FULL: Size = Size {
    tx_bytes: MAX_TX_BYTES - 1024,
    calls: 200,
};

/// The smoke-test size (`cargo test --all-targets`).
const SMOKE: Size = Size {
    tx_bytes: 20_000,
    calls: 2,
};

/// A `MsgOptIn` of a distinct operator with a distinct, valid consumer key.
fn opt_in_msg(index: usize) -> Any {
    let mut seed = [9u8; 32];
    seed[24..].copy_from_slice(&(index as u64).to_be_bytes());
    let key = ed25519_consensus::SigningKey::from(seed);
    let mut operator = [3u8; 20];
    operator[12..].copy_from_slice(&(index as u64).to_be_bytes());
    opt_in(Address(operator), 1, 100, Some(&key))
}

/// Opt-ins filling about `bytes` of the transaction body.
fn messages(bytes: usize) -> Vec<Any> {
    let mut total = 0;
    let mut messages = Vec::new();
    while total < bytes {
        let msg = opt_in_msg(messages.len());
        // The body's field tag and length prefix take at most 4 more bytes.
        total += msg.encoded_len() + 4;
        messages.push(msg);
    }
    messages.pop();
    messages
}

/// A `TxRaw` of `messages` with `signatures` bogus signatures, each with a signer info naming
/// `signer`'s key.
fn hostile_tx(messages: Vec<Any>, signer: &Key, signatures: usize) -> Bytes {
    let auth_info = AuthInfo {
        signer_infos: vec![
            SignerInfo {
                public_key: Some(signer.pub_key().to_any()),
                mode_info: None,
                sequence: 0,
            };
            signatures
        ],
        ..AuthInfo::default()
    };
    let tx = TxRaw {
        body_bytes: TxBody {
            messages,
            ..TxBody::default()
        }
        .encode_to_vec(),
        auth_info_bytes: auth_info.encode_to_vec(),
        signatures: vec![vec![0; 64]; signatures],
    }
    .encode_to_vec();
    assert!(tx.len() <= MAX_TX_BYTES, "{} bytes", tx.len());
    tx.into()
}

/// Times `calls` CheckTx calls of `tx`; prints the median and the extremes per call.
fn check_tx(chain: &mut Chain, name: &str, tx: &Bytes, messages: usize, calls: usize) {
    let mut times: Vec<Duration> = Vec::with_capacity(calls);
    let mut refusal = String::new();
    for _ in 0..calls {
        let request = request::CheckTx {
            tx: tx.clone(),
            kind: request::CheckTxKind::New,
        };
        let started = Instant::now();
        let response = chain.driver.app.check_tx(request);
        times.push(started.elapsed());
        assert_ne!(response.code.value(), 0, "{name} must be refused");
        refusal = format!("{}/{}", response.codespace, response.code.value());
    }
    times.sort();
    println!(
        "{name:<36} {messages:>5} msgs {:>8} bytes  refused {refusal:<7} median {:>10.1?}  min {:>10.1?}  max {:>10.1?}",
        tx.len(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
    );
}

fn main() {
    let size = if std::env::args().any(|a| a == "--bench") {
        FULL
    } else {
        SMOKE
    };
    let signer = Key::secp(5);
    let mut chain = Chain::unchecked(&[&signer]);
    let many = messages(size.tx_bytes);
    let count = many.len();
    let capped: Vec<Any> = many.iter().take(64).cloned().collect();
    let unsigned = hostile_tx(many.clone(), &signer, 0);
    let bogus = hostile_tx(many, &signer, 1);
    let at_cap = hostile_tx(capped, &signer, 1);
    check_tx(
        &mut chain,
        "opt-ins, no signature",
        &unsigned,
        count,
        size.calls,
    );
    check_tx(
        &mut chain,
        "opt-ins, one bogus signature",
        &bogus,
        count,
        size.calls,
    );
    check_tx(
        &mut chain,
        "64 opt-ins, one bogus signature",
        &at_cap,
        64,
        size.calls,
    );
}
