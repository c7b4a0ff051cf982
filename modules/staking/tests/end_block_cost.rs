//! End-block cost stays O(changed validators): with 150 validators and 100,000 delegations, a
//! block in which one validator's power changes reads a handful of values and scans only the
//! power index and the last-power records, never the delegations.
#![allow(clippy::unwrap_used)]

mod common;
use std::cell::Cell;

use common::*;
use rampart_core::state::KvIter;
use rampart_core::{Events, Module, StateRead, StateWrite};
use rampart_staking::params::StakingParams;

/// Counts value reads and scanned entries on the way to the real state.
struct Counting<'a, S> {
    inner: &'a mut S,
    gets: Cell<usize>,
    scanned: std::rc::Rc<Cell<usize>>,
}

impl<S: StateRead> StateRead for Counting<'_, S> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.gets.set(self.gets.get() + 1);
        self.inner.get(key)
    }
    fn scan_from<'a>(&'a self, prefix: &[u8], start: Option<&[u8]>) -> KvIter<'a> {
        let counter = self.scanned.clone();
        Box::new(self.inner.scan_from(prefix, start).inspect(move |_| {
            counter.set(counter.get() + 1);
        }))
    }
}

impl<S: StateWrite> StateWrite for Counting<'_, S> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.inner.put(key, value)
    }
    fn delete(&mut self, key: Vec<u8>) {
        self.inner.delete(key)
    }
}

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
    let scanned = std::rc::Rc::new(Cell::new(0));
    let mut counting = Counting {
        inner: &mut chain.state,
        gets: Cell::new(0),
        scanned: scanned.clone(),
    };
    let updates = chain
        .staking
        .end_block(&mut counting, &block, &mut Events::new())
        .unwrap();
    assert_eq!(updates.len(), 1);
    let gets = counting.gets.get();
    eprintln!(
        "end block: {gets} value reads, {} entries scanned",
        scanned.get()
    );
    assert!(gets <= 20, "{gets} value reads");
    assert!(
        scanned.get() <= 2 * 150 + 10,
        "{} entries scanned",
        scanned.get()
    );
    chain.check_invariants();
}
