//! The faults the simulation injects between transactions: validators that stop signing for a
//! stretch (downtime) and CometBFT evidence of duplicate votes (double signing).

use rampart_testkit::chain::duplicate_vote;
use tendermint::abci::types::Misbehavior;

use super::{hex, Sim};

impl Sim {
    /// Ends finished downtime stretches and sometimes starts one: a validator of the current set
    /// with less than a third of its power stops signing for 9–16 blocks.
    pub(crate) fn update_downtime(&mut self, height: u64) {
        let ended: Vec<[u8; 20]> = self
            .absent_until
            .iter()
            .filter(|(_, until)| **until < height)
            .map(|(address, _)| *address)
            .collect();
        for address in ended {
            self.absent_until.remove(&address);
            self.chain.driver.set_absent(address, false);
        }
        if !self.absent_until.is_empty() || !self.rng.chance(8) {
            return;
        }
        let Some(set) = self.chain.driver.validators_at(self.chain.driver.height) else {
            return;
        };
        let total: u64 = set.values().map(|(_, power)| power).sum();
        let eligible: Vec<[u8; 20]> = set
            .iter()
            .filter(|(_, (_, power))| 3 * power < total)
            .map(|(address, _)| *address)
            .collect();
        if let Some(address) = self.rng.pick(&eligible).copied() {
            let stretch = u64::try_from(self.rng.between(9, 16)).expect("small");
            self.absent_until.insert(address, height + stretch);
            self.chain.driver.set_absent(address, true);
            if self.trace {
                println!("  {height}: {} goes offline", hex(&address));
            }
        }
    }

    /// Sometimes (from block 10, with at least four validators in the set) evidence that a
    /// validator of the last or previous block's set signed twice at that height, with the power
    /// it had there.
    pub(crate) fn maybe_double_sign(&mut self) -> Vec<Misbehavior> {
        let last = self.chain.driver.height;
        if last < 10 || !self.rng.chance(4) {
            return Vec::new();
        }
        let height = last - u64::try_from(self.rng.between(0, 1)).expect("small");
        let Some(set) = self.chain.driver.validators_at(height) else {
            return Vec::new();
        };
        if set.len() < 4 {
            return Vec::new();
        }
        let snapshot = self.chain.storage.snapshot();
        let candidates: Vec<([u8; 20], u64)> = set
            .iter()
            .filter(|(address, _)| {
                !rampart_slashing::signing::load(&snapshot, address)
                    .expect("reads")
                    .is_some_and(|info| info.tombstoned)
            })
            .map(|(address, (_, power))| (*address, *power))
            .collect();
        let total: u64 = set.values().map(|(_, power)| power).sum();
        let Some((address, power)) = self.rng.pick(&candidates).copied() else {
            return Vec::new();
        };
        if self.trace {
            println!(
                "  {}: evidence: {} signed twice at {height} with power {power}",
                last + 1,
                hex(&address)
            );
        }
        vec![duplicate_vote(address, power, height, total)]
    }
}
