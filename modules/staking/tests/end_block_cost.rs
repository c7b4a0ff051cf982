//! End-block cost stays O(changed validators): with 150 validators and 100,000 delegations, a
//! block in which one validator's power changes reads a handful of values and scans only the
//! power index and the last-power records, never the delegations.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use rampart_core::{Counting, Events, Module};
use rampart_staking::params::StakingParams;

#[test]
fn end_block_with_150_validators_and_100k_delegations_touches_only_what_changed() {
    let mut chain = Chain::new(StakingParams {
        max_validators: 150,
        ..StakingParams::default()
    });
    for n in 1..=150u8 {
        chain.fund(n, 10_000_000);
        chain.deliver(&create_validator(n, 1_000_000 + u128::from(n) * 10_000));
    }
    for i in 0..100_000u32 {
        chain.fund(delegator(i), 1_000);
        chain.deliver(&delegate(delegator(i), (i % 150) as u8 + 1, 1_000));
    }
    assert_eq!(chain.end_block(5).len(), 150);

    // One delegation moves one validator's power; the next end block sends exactly that.
    chain.deliver(&delegate(7, 7, 5_000_000));
    let block = chain.block();
    let mut counting = Counting::new(&mut chain.state);
    let updates = chain
        .staking
        .end_block(&mut counting, &block, &mut Events::new())
        .unwrap();
    assert_eq!(updates.len(), 1);
    let count = counting.count();
    let (gets, scanned) = (count.gets, count.scanned);
    eprintln!("end block: {gets} value reads, {scanned} entries scanned");
    assert!(gets <= 20, "{gets} value reads");
    assert!(scanned <= 2 * 150 + 10, "{scanned} entries scanned");
    chain.check_invariants();
}
