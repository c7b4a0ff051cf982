//! A validator's consensus key must be usable: `create_validator` and genesis refuse a key that
//! is no curve point or is of small order (anyone can forge a small-order key's "signatures"
//! under ZIP-215, so its votes — and double-vote evidence in its name — could be made by
//! anyone), with `sdk/8` and no state change.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine;
use common::*;
use rampart_core::state::EmptyState;
use rampart_core::{Module, Overlay, SdkCode};

/// The identity (y = 1, order 1), the all-zero encoding (order 4) and y = 2 (no curve point).
fn bad_keys() -> [[u8; 32]; 3] {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut off_curve = [0u8; 32];
    off_curve[0] = 2;
    [identity, [0u8; 32], off_curve]
}

#[test]
fn create_validator_refuses_small_order_and_off_curve_keys() {
    let mut chain = Chain::with_max(10);
    chain.fund(3, 10_000_000);
    for key in bad_keys() {
        let msg = CreateValidator::new("weak", 3, key, 1_000_000).to_any();
        let err = chain.refuse(&msg);
        assert_eq!(
            (err.codespace, err.code),
            ("sdk", SdkCode::InvalidPubKey as u32),
            "{}",
            err.log
        );
    }
    chain.deliver(&create_validator(3, 1_000_000));
}

#[test]
fn genesis_refuses_a_small_order_validator_key() {
    let mut chain = Chain::with_validators(10, &[(1, 1_000_000)]);
    chain.end_block(5);
    let exported = chain
        .staking
        .export_genesis(&chain.state, &rampart_core::ChainProfile::rampart())
        .unwrap();
    let init = |section: &serde_json::Value| {
        chain.staking.init_genesis(
            &mut Overlay::new(EmptyState),
            &rampart_testkit::module_chain::genesis_ctx(),
            Some(section),
        )
    };
    init(&exported).unwrap();
    for key in bad_keys() {
        let mut bad = exported.clone();
        bad["validators"][0]["consensus_pubkey"] =
            base64::engine::general_purpose::STANDARD.encode(key).into();
        let err = init(&bad).unwrap_err();
        assert!(err.log.contains("consensus_pubkey"), "{}", err.log);
    }
}
