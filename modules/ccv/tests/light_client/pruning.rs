//! Expired consensus states are pruned in expiry order, only when due; the latest stays.

use rampart_ccv::client::{self, consensus_state, prune_expired};
use rampart_ccv::keys;
use rampart_core::StateRead;

use crate::common::*;

fn heights(state: &State) -> Vec<u64> {
    client::all_consensus_states(state)
        .expect("read")
        .iter()
        .map(|cs| cs.height)
        .collect()
}

fn prune(state: &mut State, now: rampart_core::BlockTime) -> usize {
    let n = prune_expired(state, now).expect("prune");
    assert_eq!(client::check_invariants(state).expect("invariants"), None);
    n
}

fn queued(state: &State) -> usize {
    state.scan_prefix(keys::EXPIRY_PREFIX).count()
}

#[test]
fn pruning_removes_only_expired_states_and_keeps_the_latest() {
    // Anchor at t(0); headers at t(3600) and t(7200).
    let mut state = consumer_hourly(2);
    assert_eq!(heights(&state), [ANCHOR, ANCHOR + 1, ANCHOR + 2]);
    assert_eq!(queued(&state), 3);

    let period = i64::try_from(trusting_period()).expect("fits");
    // Nothing is due before the anchor expires.
    assert_eq!(prune(&mut state, t(period - 1)), 0);
    assert_eq!(heights(&state), [ANCHOR, ANCHOR + 1, ANCHOR + 2]);
    // The anchor expires at exactly t(period).
    assert_eq!(prune(&mut state, t(period)), 1);
    assert_eq!(heights(&state), [ANCHOR + 1, ANCHOR + 2]);
    assert_eq!(queued(&state), 2);
    // Half an hour later nothing more is due; then height 11 goes.
    assert_eq!(prune(&mut state, t(period + 1800)), 0);
    assert_eq!(prune(&mut state, t(period + 3600)), 1);
    assert_eq!(heights(&state), [ANCHOR + 2]);
    // The latest state's entry leaves the queue, the state itself stays (the client is expired).
    assert_eq!(prune(&mut state, t(period * 2)), 1);
    assert_eq!(heights(&state), [ANCHOR + 2]);
    assert_eq!(queued(&state), 0);
    assert!(consensus_state(&state, ANCHOR + 2).expect("read").is_some());
    let e = relay(
        &mut state,
        t(period * 2),
        &provider_header(ANCHOR + 3, t(period * 2 - 5), &[3; 32]),
        ANCHOR + 2,
    )
    .expect_err("expired");
    assert_eq!(e.code, rampart_ccv::CcvCode::ClientExpired as u32);
}

#[test]
fn pruning_is_bounded_per_block() {
    let mut state = consumer();
    let n = u64::try_from(client::MAX_PRUNE_PER_BLOCK).expect("fits") + 5;
    for i in 1..=n {
        let spec = provider_header(ANCHOR + i, t(i64::try_from(i).expect("fits")), &[1; 32]);
        relay(&mut state, t(1000), &spec, ANCHOR).expect("update");
    }
    let late = t(i64::try_from(trusting_period()).expect("fits") + 10_000);
    assert_eq!(prune(&mut state, late), client::MAX_PRUNE_PER_BLOCK);
    assert_eq!(prune(&mut state, late), 6);
    assert_eq!(heights(&state), [ANCHOR + n], "only the latest is kept");
}
