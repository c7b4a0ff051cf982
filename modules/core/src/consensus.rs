//! The consensus parameters modules need, recorded by the app at InitChain from CometBFT's
//! genesis consensus parameters (Rampart never changes them afterwards).

use crate::state::{StateRead, StateWrite};

/// State key of the evidence age limits.
pub const EVIDENCE_MAX_AGE_KEY: &[u8] = b"consensus/evidence_max_age";

/// How old evidence may be: CometBFT's `evidence.max_age_num_blocks` and
/// `evidence.max_age_duration`. Evidence is expired only when it is older than **both**.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceMaxAge {
    /// Maximum age in blocks.
    pub blocks: u64,
    /// Maximum age in nanoseconds of block time.
    pub duration_nanos: u64,
}

impl Default for EvidenceMaxAge {
    /// CometBFT's defaults: 100,000 blocks and 48 hours.
    fn default() -> Self {
        Self {
            blocks: 100_000,
            duration_nanos: 48 * 3_600 * 1_000_000_000,
        }
    }
}

impl EvidenceMaxAge {
    /// Records the limits in `state`.
    pub fn store(&self, state: &mut dyn StateWrite) {
        let mut value = self.blocks.to_be_bytes().to_vec();
        value.extend_from_slice(&self.duration_nanos.to_be_bytes());
        state.put(EVIDENCE_MAX_AGE_KEY.to_vec(), value);
    }

    /// The recorded limits, or CometBFT's defaults when none were recorded.
    pub fn load(state: &dyn StateRead) -> Self {
        let Some(value) = state.get(EVIDENCE_MAX_AGE_KEY) else {
            return Self::default();
        };
        match (value.get(..8), value.get(8..16)) {
            (Some(blocks), Some(duration)) => Self {
                blocks: u64::from_be_bytes(blocks.try_into().unwrap_or_default()),
                duration_nanos: u64::from_be_bytes(duration.try_into().unwrap_or_default()),
            },
            _ => Self::default(),
        }
    }

    /// Whether evidence from `height`/`time_nanos` is too old at `now_height`/`now_nanos`.
    pub fn expired(&self, height: u64, time_nanos: i128, now_height: u64, now_nanos: i128) -> bool {
        let age_blocks = now_height.saturating_sub(height);
        let age_nanos = now_nanos.saturating_sub(time_nanos);
        age_blocks > self.blocks && age_nanos > i128::from(self.duration_nanos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{EmptyState, Overlay};

    #[test]
    fn limits_round_trip_and_expire_only_when_both_are_exceeded() {
        let mut state = Overlay::new(EmptyState);
        assert_eq!(EvidenceMaxAge::load(&state), EvidenceMaxAge::default());
        let limits = EvidenceMaxAge {
            blocks: 10,
            duration_nanos: 1_000,
        };
        limits.store(&mut state);
        assert_eq!(EvidenceMaxAge::load(&state), limits);
        assert!(!limits.expired(5, 0, 20, 500), "old in blocks only");
        assert!(!limits.expired(15, 0, 20, 5_000), "old in time only");
        assert!(limits.expired(5, 0, 20, 5_000));
    }
}
