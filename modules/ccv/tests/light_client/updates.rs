//! Updates: accepted and stored, or refused with a stable code and no trace; misbehaviour
//! freezes.

use rampart_ccv::client::{self, consensus_state};
use rampart_ccv::testing::{public, set};
use rampart_ccv::{CcvCode, UpdateOutcome};
use rampart_core::Event;

use crate::common::*;

#[test]
fn valid_adjacent_and_skipping_updates_are_stored() {
    let mut state = consumer();
    let spec = provider_header(ANCHOR + 1, t(5), &[0xB1; 32]);
    let (outcome, events) = relay(&mut state, t(6), &spec, ANCHOR).expect("valid");
    assert_eq!(outcome, UpdateOutcome::Updated(ANCHOR + 1));
    assert_eq!(events[0].kind, "provider_client_updated");
    let cs = consensus_state(&state, ANCHOR + 1)
        .expect("read")
        .expect("stored");
    assert_eq!(cs.app_hash, vec![0xB1; 32]);
    assert_eq!(cs.header_hash, spec.header().hash().as_bytes());
    assert_eq!(
        cs.next_validators_hash,
        set(&validators(&keys(1, 4))).hash().as_bytes()
    );
    assert_eq!(
        client::client(&state).expect("client").latest_height,
        ANCHOR + 1
    );

    // Skipping from the anchor to a much later header (1/3 of the trusted set signs it).
    let far = provider_header(ANCHOR + 50, t(300), &[0xB2; 32]);
    let (outcome, _) = relay(&mut state, t(301), &far, ANCHOR).expect("valid");
    assert_eq!(outcome, UpdateOutcome::Updated(ANCHOR + 50));
    assert_eq!(
        client::client(&state).expect("client").latest_height,
        ANCHOR + 50
    );

    // Filling in a height below the latest keeps the latest.
    let mid = provider_header(ANCHOR + 20, t(100), &[0xB3; 32]);
    relay(&mut state, t(302), &mid, ANCHOR + 1).expect("valid");
    assert_eq!(
        client::client(&state).expect("client").latest_height,
        ANCHOR + 50
    );

    // The same header again (racing relayers): accepted, nothing changes.
    let before = state.changes().clone();
    let (outcome, events) = relay(&mut state, t(303), &far, ANCHOR).expect("same");
    assert_eq!(outcome, UpdateOutcome::Unchanged(ANCHOR + 50));
    assert!(events.is_empty());
    assert_eq!(state.changes(), &before);
}

#[test]
fn a_changed_validator_set_is_followed_through_next_validators_hash() {
    let mut state = consumer();
    // Height 11 announces a new set (validators 3..6: two of the old, two new) for height 12.
    let mut h11 = provider_header(ANCHOR + 1, t(5), &[1; 32]);
    h11.next_validators = validators(&keys(3, 4));
    relay(&mut state, t(6), &h11, ANCHOR).expect("h11");
    let mut h12 = provider_header(ANCHOR + 2, t(10), &[2; 32]);
    h12.validators = validators(&keys(3, 4));
    h12.next_validators = validators(&keys(3, 4));
    // The trusted set of 11 is the new one.
    refused(
        &mut state,
        t(11),
        &msg(&h12, ANCHOR + 1, &keys(1, 4)),
        CcvCode::TrustedValidatorsMismatch,
    );
    update(&mut state, t(11), &msg(&h12, ANCHOR + 1, &keys(3, 4))).expect("h12");
}

#[test]
fn headers_signed_by_an_unknown_or_insufficient_set_are_refused() {
    let mut state = consumer();
    // A set the client has never trusted signs a later header: no overlap with the trusted set.
    let mut forged = provider_header(ANCHOR + 5, t(50), &[0xEE; 32]);
    forged.validators = validators(&keys(100, 4));
    forged.next_validators = validators(&keys(100, 4));
    let e = refused(
        &mut state,
        t(60),
        &msg(&forged, ANCHOR, &keys(1, 4)),
        CcvCode::InsufficientTrust,
    );
    assert!(
        e.log.contains("bisect") || e.log.contains("verification failed"),
        "{}",
        e.log
    );

    // The adjacent header signed by an unknown set: validators_hash is not the trusted next hash.
    let mut adjacent = forged.clone();
    adjacent.height = ANCHOR + 1;
    refused(
        &mut state,
        t(60),
        &msg(&adjacent, ANCHOR, &keys(1, 4)),
        CcvCode::InvalidHeader,
    );

    // The right set, but only 2 of 4 (50% < 2/3) sign.
    let mut weak = provider_header(ANCHOR + 1, t(50), &[0xEF; 32]);
    weak.signers = Some(keys(1, 2).iter().map(public).collect());
    refused(
        &mut state,
        t(60),
        &msg(&weak, ANCHOR, &keys(1, 4)),
        CcvCode::InsufficientTrust,
    );
    // 3 of 4 is enough.
    weak.signers = Some(keys(1, 3).iter().map(public).collect());
    relay(&mut state, t(60), &weak, ANCHOR).expect("3 of 4");
}

#[test]
fn another_chain_id_is_refused() {
    let mut state = consumer();
    let mut spec = provider_header(ANCHOR + 1, t(5), &[1; 32]);
    spec.chain_id = "other-1".into();
    refused(
        &mut state,
        t(6),
        &msg(&spec, ANCHOR, &keys(1, 4)),
        CcvCode::ChainIdMismatch,
    );
}

#[test]
fn a_tampered_signature_is_refused() {
    let mut state = consumer();
    let spec = provider_header(ANCHOR + 1, t(5), &[1; 32]);
    let mut m = msg(&spec, ANCHOR, &keys(1, 4));
    let commit = m
        .signed_header
        .as_mut()
        .and_then(|s| s.commit.as_mut())
        .expect("commit");
    commit.signatures[0].signature[3] ^= 0x40;
    refused(&mut state, t(6), &m, CcvCode::InvalidSignature);

    // A header changed after signing: the commit no longer signs its hash.
    let mut m = msg(&spec, ANCHOR, &keys(1, 4));
    m.signed_header
        .as_mut()
        .and_then(|s| s.header.as_mut())
        .expect("header")
        .app_hash = vec![0xFF; 32];
    refused(&mut state, t(6), &m, CcvCode::InvalidHeader);
}

#[test]
fn an_expired_client_refuses_updates() {
    let mut state = consumer();
    let expiry = i64::try_from(trusting_period()).expect("fits");
    let spec = provider_header(ANCHOR + 1, t(expiry - 100), &[1; 32]);
    let e = refused(
        &mut state,
        t(expiry),
        &msg(&spec, ANCHOR, &keys(1, 4)),
        CcvCode::ClientExpired,
    );
    assert!(e.log.contains("operator action"), "{}", e.log);
    // One second earlier it was still trusted.
    relay(&mut state, t(expiry - 1), &spec, ANCHOR).expect("within period");
}

#[test]
fn a_header_from_the_future_is_refused() {
    let mut state = consumer();
    let spec = provider_header(ANCHOR + 1, t(100), &[1; 32]);
    // Drift is 10 s: at t(90) the header is exactly 10 s ahead, too far; at t(91) it is fine.
    refused(
        &mut state,
        t(90),
        &msg(&spec, ANCHOR, &keys(1, 4)),
        CcvCode::HeaderFromFuture,
    );
    relay(&mut state, t(91), &spec, ANCHOR).expect("within drift");
}

#[test]
fn malformed_validator_sets_and_headers_are_refused_when_decoding() {
    let spec = provider_header(ANCHOR + 1, t(5), &[1; 32]);
    let code = |m| decode(&m).expect_err("refused").code;

    // Power overflow: the total exceeds CometBFT's maximum (Set::new would panic here).
    let mut m = msg(&spec, ANCHOR, &keys(1, 4));
    m.validator_set = Some(raw_set_with_power(&keys(1, 4), i64::MAX / 4));
    assert_eq!(code(m), CcvCode::InvalidValidatorSet as u32);
    let mut m = msg(&spec, ANCHOR, &keys(1, 4));
    m.trusted_next_validator_set = Some(raw_set_with_power(&keys(1, 4), i64::MAX));
    assert_eq!(code(m), CcvCode::InvalidValidatorSet as u32);
    // Negative power, a wrong address, a missing key, a missing set.
    let mut m = msg(&spec, ANCHOR, &keys(1, 4));
    m.validator_set = Some(raw_set_with_power(&keys(1, 4), -1));
    assert_eq!(code(m), CcvCode::InvalidValidatorSet as u32);
    let mut m = msg(&spec, ANCHOR, &keys(1, 4));
    m.validator_set.as_mut().expect("set").validators[1].address = vec![1; 20];
    assert_eq!(code(m), CcvCode::InvalidValidatorSet as u32);
    let mut m = msg(&spec, ANCHOR, &keys(1, 4));
    m.validator_set.as_mut().expect("set").validators[2].pub_key = None;
    assert_eq!(code(m), CcvCode::InvalidValidatorSet as u32);
    let mut m = msg(&spec, ANCHOR, &keys(1, 4));
    m.trusted_next_validator_set = None;
    assert_eq!(code(m), CcvCode::InvalidValidatorSet as u32);
    // Too many validators.
    let mut m = msg(&spec, ANCHOR, &keys(1, 4));
    let one = m.validator_set.as_ref().expect("set").validators[0].clone();
    m.validator_set.as_mut().expect("set").validators = vec![one; 10_001];
    assert_eq!(code(m), CcvCode::MessageTooLarge as u32);
    // A header without a commit, a zero trusted height, a bad signer.
    let mut m = msg(&spec, ANCHOR, &keys(1, 4));
    m.signed_header.as_mut().expect("sh").commit = None;
    assert_eq!(code(m), CcvCode::InvalidHeader as u32);
    let mut m = msg(&spec, ANCHOR, &keys(1, 4));
    m.trusted_height = 0;
    assert_eq!(code(m), CcvCode::InvalidHeader as u32);
    let mut m = msg(&spec, ANCHOR, &keys(1, 4));
    m.signer = "nobody".into();
    let e = decode(&m).expect_err("bad signer");
    assert_eq!((e.codespace, e.code), ("sdk", 7));
}

#[test]
fn unknown_trusted_heights_and_mismatched_trusted_sets_are_refused() {
    let mut state = consumer();
    let spec = provider_header(ANCHOR + 3, t(5), &[1; 32]);
    refused(
        &mut state,
        t(6),
        &msg(&spec, ANCHOR + 1, &keys(1, 4)),
        CcvCode::ConsensusStateNotFound,
    );
    refused(
        &mut state,
        t(6),
        &msg(&spec, ANCHOR, &keys(2, 4)),
        CcvCode::TrustedValidatorsMismatch,
    );
    // A header not above the trusted height.
    let old = provider_header(ANCHOR - 1, t(-5), &[1; 32]);
    refused(
        &mut state,
        t(6),
        &msg(&old, ANCHOR, &keys(1, 4)),
        CcvCode::InvalidHeader,
    );
}

/// A consumer that stored `trusted` (relayed at `t(now)`, trusting the anchor) and then got
/// `conflicting` (a second later, trusting the anchor too): asserts that `conflicting` froze
/// the client at its height with an event; returns the state and the event.
fn frozen_by(trusted: &HeaderSpec, conflicting: &HeaderSpec, now: i64) -> (State, Event) {
    let mut state = consumer();
    relay(&mut state, t(now), trusted, ANCHOR).expect("trusted");
    let (outcome, events) = relay(&mut state, t(now + 1), conflicting, ANCHOR).expect("evidence");
    assert_eq!(outcome, UpdateOutcome::Frozen(conflicting.height));
    assert_eq!(events[0].kind, "provider_client_frozen");
    (state, events[0].clone())
}

#[test]
fn conflicting_headers_at_one_height_freeze_the_client() {
    let honest = provider_header(ANCHOR + 2, t(10), &[0xAA; 32]);
    // The same validators sign a second header at that height (another app hash).
    let evil = provider_header(ANCHOR + 2, t(10), &[0xBB; 32]);
    let (mut state, event) = frozen_by(&honest, &evil, 11);
    assert!(event
        .attributes
        .contains(&("height".to_string(), (ANCHOR + 2).to_string())));
    let c = client::client(&state).expect("client");
    assert_eq!(c.frozen_height, ANCHOR + 2);
    // The honest state stays as it was; the conflicting one is not stored.
    assert_eq!(
        consensus_state(&state, ANCHOR + 2)
            .expect("read")
            .expect("kept")
            .app_hash,
        vec![0xAA; 32]
    );
    // Every later update is refused, even a valid one.
    let later = provider_header(ANCHOR + 3, t(20), &[0xCC; 32]);
    refused(
        &mut state,
        t(21),
        &msg(&later, ANCHOR + 2, &keys(1, 4)),
        CcvCode::ClientFrozen,
    );
}

#[test]
fn a_header_not_earlier_than_the_next_stored_one_is_misbehaviour() {
    let h20 = provider_header(ANCHOR + 10, t(100), &[1; 32]);
    // A valid header at a lower height whose time is after that of height 20.
    let h15 = provider_header(ANCHOR + 5, t(100), &[2; 32]);
    frozen_by(&h20, &h15, 101);
}

#[test]
fn a_header_not_later_than_the_stored_one_below_is_misbehaviour() {
    let h15 = provider_header(ANCHOR + 5, t(100), &[1; 32]);
    // Trusting the anchor, a valid header at height 20 whose time is that of height 15: the
    // verifier sees only the anchor, the stored state between them proves the misbehaviour.
    let h20 = provider_header(ANCHOR + 10, t(100), &[2; 32]);
    frozen_by(&h15, &h20, 101);
    // Trusting height 15 itself, a later time is a normal update.
    let mut state = consumer();
    relay(&mut state, t(101), &h15, ANCHOR).expect("h15");
    let h20 = provider_header(ANCHOR + 10, t(110), &[2; 32]);
    let (outcome, _) = relay(&mut state, t(111), &h20, ANCHOR).expect("h20");
    assert_eq!(outcome, UpdateOutcome::Updated(ANCHOR + 10));
}

#[test]
fn an_expired_trusted_state_is_refused_while_the_client_lives() {
    let mut state = consumer_hourly(1);
    let expiry = i64::try_from(trusting_period()).expect("fits");
    // The anchor expired (not pruned yet); height 11 is still trusted.
    let spec = provider_header(ANCHOR + 2, t(expiry), &[2; 32]);
    let e = refused(
        &mut state,
        t(expiry + 1),
        &msg(&spec, ANCHOR, &keys(1, 4)),
        CcvCode::ClientExpired,
    );
    assert!(e.log.contains("requested"), "{}", e.log);
    relay(&mut state, t(expiry + 1), &spec, ANCHOR + 1).expect("from height 11");
}
