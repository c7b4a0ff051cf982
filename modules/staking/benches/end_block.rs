//! Staking end-block cost with 150 validators and 100,000 delegations: the block after no
//! change, after one validator's power changes and after 50 change, with 10,000 and with 100,000
//! delegations — showing the cost follows the changed validators, not the delegations. A custom
//! harness; `cargo bench -p rampart-staking --bench end_block` runs the full size, `cargo test
//! -p rampart-staking --all-targets` a small smoke run. Results: `docs/BENCHMARKS.md`.

#[path = "../tests/common/mod.rs"]
mod common;
use std::time::{Duration, Instant};

use common::*;
use rampart_core::{Events, Module};
use rampart_staking::params::StakingParams;

/// Validators in every run (all in the active set).
const VALIDATORS: u8 = 150;

/// One run's size.
struct Size {
    /// Delegation counts to measure at.
    delegations: &'static [u32],
    /// Timed end blocks per case (the median is reported).
    rounds: usize,
}

const FULL: Size = Size {
    delegations: &[10_000, 100_000],
    rounds: 41,
};

const SMOKE: Size = Size {
    delegations: &[300],
    rounds: 3,
};

/// A chain with [`VALIDATORS`] bonded validators and `delegations` delegations spread over them.
fn build(delegations: u32) -> Chain {
    let mut chain = Chain::new(StakingParams {
        max_validators: u32::from(VALIDATORS),
        ..StakingParams::default()
    });
    for n in 1..=VALIDATORS {
        chain.fund(n, 1_000_000_000);
        chain.deliver(&create_validator(n, 1_000_000 + u128::from(n) * 10_000));
    }
    for i in 0..delegations {
        chain.fund(delegator(i), 1_000);
        chain.deliver(&delegate(
            delegator(i),
            (i % u32::from(VALIDATORS)) as u8 + 1,
            1_000,
        ));
    }
    let block = chain.block();
    let first = chain
        .staking
        .end_block(&mut chain.state, &block, &mut Events::new())
        .expect("end block");
    assert_eq!(first.len(), usize::from(VALIDATORS), "everyone bonded");
    chain
}

/// Median end-block time after `changed` validators each gained one unit of power.
fn measure(chain: &mut Chain, changed: u8, rounds: usize) -> (Duration, usize) {
    let mut times = Vec::with_capacity(rounds);
    let mut updates = 0;
    for _ in 0..rounds {
        for v in 1..=changed {
            // Self-delegation of one more unit of power by the operator.
            chain.deliver(&delegate(v, v, 1_000_000));
        }
        let block = chain.block();
        let started = Instant::now(); // determinism-ok: a benchmark clock, not state
        let result = chain
            .staking
            .end_block(&mut chain.state, &block, &mut Events::new())
            .expect("end block");
        times.push(started.elapsed());
        updates = result.len();
        assert_eq!(
            updates,
            usize::from(changed),
            "exactly the changed validators"
        );
    }
    times.sort();
    (times[times.len() / 2], updates)
}

fn main() {
    let size = if std::env::args().any(|a| a == "--bench") {
        FULL
    } else {
        SMOKE
    };
    for &delegations in size.delegations {
        let started = Instant::now(); // determinism-ok: a benchmark clock, not state
        let mut chain = build(delegations);
        eprintln!(
            "setup: {VALIDATORS} validators, {delegations} delegations in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        for changed in [0u8, 1, 10, 50] {
            let (median, updates) = measure(&mut chain, changed, size.rounds);
            println!(
                "end_block {delegations:>7} delegations, {changed:>3} changed validators: \
                 median {:>8.1} µs ({updates} updates)",
                median.as_secs_f64() * 1e6
            );
        }
        chain.check_invariants();
    }
}
