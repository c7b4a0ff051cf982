//! The fuzzing harness shared by the cargo-fuzz target (`app/fuzz/fuzz_targets/check_tx.rs`) and
//! the stable corpus replay (`app/tests/fuzz_corpus.rs`): a small deterministic chain, the
//! [`exercise`] entry point that pushes arbitrary bytes through CheckTx and FinalizeBlock and
//! asserts the state-machine properties, and the generator of the seed corpus.

#![allow(dead_code)] // the fuzz target and the replay test use different subsets

use cosmos_sdk_proto::cosmos::bank::v1beta1::{Input, MsgMultiSend, Output};
use cosmos_sdk_proto::cosmos::tx::v1beta1::TxRaw;
use prost::Message;
use rampart_bank::genesis::sum_balances;
use tendermint_proto::google::protobuf::Any;

use rampart_testkit::*;

/// CheckTx codes for transactions rejected before any fee is charged (decode, signature,
/// public key, signature count, unknown extension options, sequence, unpacking): the same bytes
/// must then also fail in FinalizeBlock and leave the app hash untouched.
pub const REJECTED_BEFORE_FEES: [u32; 7] = [2, 4, 8, 15, 31, 32, 34];

/// The funded keys of every fuzzed chain: one secp256k1 and one ed25519 account.
pub fn keys() -> [Key; 2] {
    [Key::secp(1), Key::ed(2)]
}

/// A fresh chain funding [`keys`], after its first empty block. Deterministic: the same keys,
/// account numbers, heights and block times every time.
pub fn chain() -> Chain {
    let keys = keys();
    // No inflation, so that the supply stays fixed and any change is the transaction's.
    Chain::from_genesis(&genesis_without_inflation(&[&keys[0], &keys[1]]), true)
}

/// Committed per-key view used to compare before and after a transaction.
#[derive(Debug, PartialEq, Eq)]
struct KeyState {
    balances: [u128; 2],
    sequence: u64,
}

fn key_states(chain: &Chain) -> Vec<KeyState> {
    keys()
        .iter()
        .map(|key| {
            let address = key.address();
            KeyState {
                balances: [
                    chain.balance(&address, DENOM),
                    chain.balance(&address, OTHER),
                ],
                sequence: chain
                    .account(&address)
                    .map_or(0, |(_, sequence, _)| sequence),
            }
        })
        .collect()
}

fn supplies(chain: &Chain) -> [u128; 2] {
    [chain.supply(DENOM).0, chain.supply(OTHER).0]
}

/// Runs `bytes` through CheckTx, then through FinalizeBlock + Commit in the next block, and
/// asserts (panicking on a violation, which the fuzzer reports as a crash):
/// - CheckTx never changes committed state (same app hash after it);
/// - total supply per denom never changes and Σ balances always equals it (no balance is
///   created, destroyed or driven below zero);
/// - a CheckTx rejection in [`REJECTED_BEFORE_FEES`] also fails in FinalizeBlock and leaves
///   the app hash where an empty block would have left it (every block writes some state:
///   mint's clock, distribution's previous proposer);
/// - a failed FinalizeBlock transaction raises no balance and advances a sequence by at most
///   one (only the fee and the sequence increment persist, as in the SDK).
pub fn exercise(chain: &mut Chain, bytes: &[u8]) {
    let hash_before = chain.app_hash();
    let supply_before = supplies(chain);
    let keys_before = key_states(chain);

    let check = chain.driver.check_tx(bytes);
    assert_eq!(
        chain.app_hash(),
        hash_before,
        "CheckTx changed committed state"
    );

    // What the next block's app hash is without the transaction (finalized, not committed; the
    // delivery below finalizes the same height again and commits).
    let empty_block_hash = chain
        .driver
        .finalize(Vec::new())
        .app_hash
        .as_bytes()
        .to_vec();
    let deliver = chain.deliver_one(bytes.to_vec());
    let check_code = check.code.value();
    let deliver_code = deliver.code.value();

    assert_eq!(supplies(chain), supply_before, "total supply changed");
    let snapshot = chain.storage.snapshot();
    for (denom, supply) in [DENOM, OTHER].into_iter().zip(supply_before) {
        let sum = sum_balances(&snapshot, denom).expect("balances decode").0;
        assert_eq!(sum, supply, "Σ balances of {denom} differs from its supply");
    }

    if REJECTED_BEFORE_FEES.contains(&check_code) {
        assert_ne!(
            deliver_code, 0,
            "CheckTx rejected with code {check_code} ({}) but FinalizeBlock accepted",
            check.log
        );
        assert_eq!(
            chain.app_hash(),
            empty_block_hash,
            "a transaction rejected with code {check_code} ({}) changed the state",
            check.log
        );
    }
    if deliver_code != 0 {
        let keys_after = key_states(chain);
        for (before, after) in keys_before.iter().zip(&keys_after) {
            for (b, a) in before.balances.iter().zip(after.balances) {
                assert!(a <= *b, "failed tx (code {deliver_code}) raised a balance");
            }
            assert!(
                after.sequence == before.sequence || after.sequence == before.sequence + 1,
                "failed tx (code {deliver_code}) moved a sequence from {} to {}",
                before.sequence,
                after.sequence
            );
        }
    }
}

/// `depth` `Any`s nested inside each other (the innermost one empty).
fn nested_any(type_url: &str, depth: usize) -> Any {
    let mut any = Any {
        type_url: type_url.into(),
        value: Vec::new(),
    };
    for _ in 0..depth {
        any = Any {
            type_url: type_url.into(),
            value: any.encode_to_vec(),
        };
    }
    any
}

/// The seed corpus, as `(file name, bytes)`, built against a fresh [`chain`]: valid signed
/// MsgSend/MsgMultiSend transactions for both key types, transactions failing at each ante
/// check or in their message, truncated and garbage encodings, and nested `Any`s.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let chain = chain();
    let [secp, ed] = keys();
    let (from, to) = (secp.address(), ed.address());
    let send = |amount: &str, denom: &str| {
        TxBuilder::new(
            vec![msg_send(from, to, vec![coin(amount, denom)])],
            vec![chain.signer(&secp)],
        )
    };
    let mut seeds: Vec<(&str, Vec<u8>)> = Vec::new();

    let valid = send("1000", DENOM).build();
    seeds.push(("valid_secp_send", valid.clone()));
    seeds.push((
        "valid_ed_send",
        TxBuilder::new(
            vec![msg_send(to, from, vec![coin("7", OTHER)])],
            vec![chain.signer(&ed)],
        )
        .build(),
    ));
    let multi = Any {
        type_url: "/cosmos.bank.v1beta1.MsgMultiSend".into(),
        value: MsgMultiSend {
            inputs: vec![Input {
                address: from.to_string(),
                coins: vec![coin("10", DENOM)],
            }],
            outputs: vec![Output {
                address: to.to_string(),
                coins: vec![coin("10", DENOM)],
            }],
        }
        .encode_to_vec(),
    };
    seeds.push((
        "valid_multi_send",
        TxBuilder::new(vec![multi], vec![chain.signer(&secp)]).build(),
    ));
    seeds.push((
        "two_signers",
        TxBuilder::new(
            vec![
                msg_send(from, to, vec![coin("1", DENOM)]),
                msg_send(to, from, vec![coin("1", OTHER)]),
            ],
            vec![chain.signer(&secp), chain.signer(&ed)],
        )
        .build(),
    ));

    seeds.push(("truncated_half", valid[..valid.len() / 2].to_vec()));
    seeds.push(("truncated_last_byte", valid[..valid.len() - 1].to_vec()));
    seeds.push(("empty", Vec::new()));
    seeds.push(("garbage", b"\xff\xff\xff\xff\x0fnot a tx".to_vec()));

    let mut wrong_chain = send("1000", DENOM);
    wrong_chain.chain_id = "other-chain".into();
    seeds.push(("wrong_chain_id", wrong_chain.build()));
    let mut wrong_sequence = send("1000", DENOM);
    wrong_sequence.signers[0].sequence += 1;
    seeds.push(("wrong_sequence", wrong_sequence.build()));
    let mut wrong_number = send("1000", DENOM);
    wrong_number.signers[0].account_number += 1;
    seeds.push(("wrong_account_number", wrong_number.build()));
    let mut wrong_key = send("1000", DENOM);
    wrong_key.signers[0].key = Key::secp(3);
    seeds.push(("signature_by_other_key", wrong_key.build()));
    seeds.push(("unsigned", send("1000", DENOM).build_unsigned()));
    let mut no_signatures = TxRaw::decode(valid.as_slice()).expect("the seed decodes");
    no_signatures.signatures.clear();
    seeds.push(("no_signatures", no_signatures.encode_to_vec()));

    seeds.push(("overspend", send("999999999", DENOM).build()));
    seeds.push(("zero_amount", send("0", DENOM).build()));
    seeds.push(("invalid_denom", send("1", "x").build()));
    let mut low_gas = send("1", DENOM);
    low_gas.gas_limit = 1_000;
    seeds.push(("gas_too_low", low_gas.build()));
    let mut no_fee = send("1", DENOM);
    no_fee.fee = Vec::new();
    seeds.push(("no_fee", no_fee.build()));
    let mut timeout = send("1", DENOM);
    timeout.body.timeout_height = 1;
    seeds.push(("timeout_passed", timeout.build()));
    let mut memo = send("1", DENOM);
    memo.body.memo = "m".repeat(300);
    seeds.push(("memo_too_long", memo.build()));
    let mut extension = send("1", DENOM);
    extension.body.non_critical_extension_options = vec![nested_any("/x.Ext", 0)];
    seeds.push(("extension_option", extension.build()));

    let mut unknown = send("1", DENOM);
    unknown.body.messages = vec![nested_any("/cosmos.bank.v1beta1.MsgBurn", 0)];
    seeds.push(("unknown_message", unknown.build()));
    let mut nested = send("1", DENOM);
    nested.body.messages = vec![nested_any("/cosmos.authz.v1beta1.MsgExec", 8)];
    seeds.push(("nested_any_8", nested.build()));
    nested.body.messages = vec![nested_any("/cosmos.authz.v1beta1.MsgExec", 120)];
    seeds.push(("nested_any_120", nested.build()));

    seeds
        .into_iter()
        .map(|(name, bytes)| (name.to_owned(), bytes))
        .collect()
}
