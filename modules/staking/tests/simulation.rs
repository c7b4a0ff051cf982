//! A seeded randomized simulation of create / delegate / undelegate / redelegate / cancel /
//! slash / jail over many blocks, with the invariants checked after every block, run twice per
//! seed to show that the resulting state is identical byte for byte.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use rampart_core::ChainProfile;
use rampart_core::Decimal;
use rampart_staking::{jail, unjail, Infraction, StakingRead};

/// xorshift64*: a tiny deterministic PRNG for the test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick(&mut self, items: &[u8]) -> u8 {
        items[self.below(items.len() as u64) as usize]
    }
}

const VALIDATORS: [u8; 6] = [1, 2, 3, 4, 5, 6];
const DELEGATORS: [u8; 5] = [10, 11, 12, 13, 14];

/// What a run ends with: the sorted state, messages accepted per kind, and slashes that burned.
type Outcome = (Vec<rampart_core::state::KeyValue>, [usize; 7], usize);

fn run(seed: u64, blocks: u32) -> Outcome {
    let mut rng = Rng(seed.max(1));
    let mut chain = Chain::with_max(4);
    for n in VALIDATORS.iter().chain(DELEGATORS.iter()) {
        chain.fund(*n, 50_000_000);
    }
    let mut accepted = [0usize; 7];
    let mut slashes = 0;
    for _ in 0..blocks {
        for _ in 0..rng.below(6) {
            let amount = 1 + u128::from(rng.below(5_000_000));
            let d = rng.pick(&DELEGATORS);
            let v = rng.pick(&VALIDATORS);
            let w = rng.pick(&VALIDATORS);
            let kind = rng.below(7);
            let msg = match kind {
                0 => create_validator(v, 1_000_000 + amount),
                1 | 2 => delegate(d, v, amount),
                3 => undelegate(d, v, amount / 4),
                4 => redelegate(d, v, w, amount / 4),
                5 => {
                    // Cancel part of one of the delegator's pending entries, when it has one.
                    let prefix =
                        rampart_staking::keys::join(rampart_staking::keys::UNBONDING, &[&addr(d)]);
                    let ubds =
                        rampart_staking::unbonding::list(&chain.state, &prefix, false).unwrap();
                    match ubds.first().and_then(|u| Some((u, u.entries.first()?))) {
                        Some((ubd, entry)) => {
                            let op = ChainProfile::rampart()
                                .valoper(&ubd.validator_address, "v")
                                .unwrap();
                            let balance: u128 = entry.balance.parse().unwrap();
                            cancel_unbonding(
                                d,
                                op[0],
                                (amount / 8).min(balance).max(1),
                                entry.creation_height,
                            )
                        }
                        None => cancel_unbonding(d, v, amount, 1),
                    }
                }
                _ => delegate(v, v, amount),
            };
            if chain.try_deliver(&msg).is_ok() {
                accepted[kind as usize] += 1;
            }
        }
        match rng.below(20) {
            0 => {
                let v = rng.pick(&VALIDATORS);
                let height = chain.height.saturating_sub(rng.below(5));
                let fraction = Decimal::from_bps(1 + rng.below(1_000) as u32);
                let power = chain
                    .state
                    .validator(&addr(v))
                    .ok()
                    .flatten()
                    .and_then(|val| val.power().ok())
                    .unwrap_or(0);
                let out = slash_validator(
                    &mut chain,
                    v,
                    Infraction {
                        consumer: None,
                        height,
                        power,
                        fraction,
                    },
                );
                if out.is_ok_and(|o| !o.burned.is_zero()) {
                    slashes += 1;
                }
                chain.check_invariants();
            }
            1 => {
                let _ = jail(&mut chain.state, &addr(rng.pick(&VALIDATORS)));
            }
            2 => {
                let _ = unjail(&mut chain.state, &addr(rng.pick(&VALIDATORS)));
            }
            _ => {}
        }
        chain.end_block(1 + rng.below(30) as i64);
    }
    (chain.dump(), accepted, slashes)
}

#[test]
fn randomized_blocks_keep_the_invariants_and_are_deterministic() {
    for seed in [1u64, 7, 42, 2024] {
        let (first, accepted, slashes) = run(seed, 150);
        let (second, _, _) = run(seed, 150);
        assert!(
            accepted.iter().all(|n| *n > 0),
            "seed {seed}: every kind accepted: {accepted:?}"
        );
        assert!(slashes > 0, "seed {seed}: some slash burned tokens");
        assert_eq!(first, second, "seed {seed}: identical state on replay");
    }
}
