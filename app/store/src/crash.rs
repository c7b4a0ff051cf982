//! Test-only crash points: `RAMPART_CRASH_AT=<point>[@<n>]` makes the process call
//! [`std::process::abort`] the `n`-th time (default 1) it reaches the named point, so fault
//! drills can check that a crash anywhere loses nothing.
//!
//! Never on by default: nothing happens unless `rampartd start` (or `export`) calls
//! [`arm_from_env`] and the variable is set. It is read once, at start-up; a bad value is an
//! error then, not a silent no-op. Points ([`CrashPoint`]):
//!
//! | name              | where                                                          |
//! |-------------------|----------------------------------------------------------------|
//! | `init-chain`      | InitChain, after genesis ran, before the answer               |
//! | `finalize-block`  | after FinalizeBlock computed the app hash, before the answer  |
//! | `commit-batch`    | inside Commit, after the sled batch is applied, before flush  |
//! | `after-commit`    | after Commit persisted the block, before the answer           |
//! | `export`          | mid-export (`rampartd export`), between two modules' sections |
//!
//! A crash point is not consensus: reaching it either aborts the process or does nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The environment variable that arms a crash point.
pub const CRASH_ENV: &str = "RAMPART_CRASH_AT";

/// A named place where an armed process aborts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashPoint {
    /// InitChain, after genesis ran, before the answer.
    InitChain,
    /// After FinalizeBlock computed the app hash, before the answer.
    FinalizeBlock,
    /// Inside Commit, after the sled batch is applied and before it is flushed.
    CommitBatch,
    /// After Commit persisted the block, before the answer.
    AfterCommit,
    /// In the middle of an export of the committed state.
    Export,
}

impl CrashPoint {
    /// Every point, in the table's order.
    pub const ALL: [CrashPoint; 5] = [
        CrashPoint::InitChain,
        CrashPoint::FinalizeBlock,
        CrashPoint::CommitBatch,
        CrashPoint::AfterCommit,
        CrashPoint::Export,
    ];

    /// The name used in [`CRASH_ENV`].
    pub fn name(self) -> &'static str {
        match self {
            CrashPoint::InitChain => "init-chain",
            CrashPoint::FinalizeBlock => "finalize-block",
            CrashPoint::CommitBatch => "commit-batch",
            CrashPoint::AfterCommit => "after-commit",
            CrashPoint::Export => "export",
        }
    }
}

/// An armed point: abort on its `nth` hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrashPlan {
    /// Where.
    pub point: CrashPoint,
    /// On which hit (1-based).
    pub nth: u64,
}

impl std::str::FromStr for CrashPlan {
    type Err = String;

    /// Parses `<point>[@<n>]`, `n ≥ 1`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (name, nth) = match text.split_once('@') {
            Some((name, nth)) => {
                let nth: u64 = nth
                    .parse()
                    .map_err(|_| format!("{CRASH_ENV}={text}: `{nth}` is not a count"))?;
                (name, nth)
            }
            None => (text, 1),
        };
        if nth == 0 {
            return Err(format!("{CRASH_ENV}={text}: the count starts at 1"));
        }
        let point = CrashPoint::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| {
                let names: Vec<_> = CrashPoint::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "{CRASH_ENV}={text}: unknown crash point `{name}` (one of {})",
                    names.join(", ")
                )
            })?;
        Ok(CrashPlan { point, nth })
    }
}

static PLAN: OnceLock<Option<CrashPlan>> = OnceLock::new();
static HITS: AtomicU64 = AtomicU64::new(0);

/// Reads [`CRASH_ENV`] once and arms its point; returns the plan (`None` when unset). Later
/// calls return the first answer. A value that does not parse is an error.
pub fn arm_from_env() -> Result<Option<CrashPlan>, String> {
    if let Some(plan) = PLAN.get() {
        return Ok(*plan);
    }
    let plan = match std::env::var(CRASH_ENV) {
        Ok(text) if !text.trim().is_empty() => Some(text.trim().parse::<CrashPlan>()?),
        _ => None,
    };
    Ok(*PLAN.get_or_init(|| plan))
}

/// Marks that `point` was reached: aborts the process when it is the armed point's `nth` hit.
/// Costs one atomic load when nothing is armed.
pub fn reached(point: CrashPoint) {
    let Some(Some(plan)) = PLAN.get() else {
        return;
    };
    if plan.point != point {
        return;
    }
    let hit = HITS.fetch_add(1, Ordering::SeqCst).saturating_add(1);
    if hit == plan.nth {
        eprintln!(
            "{CRASH_ENV}: aborting at crash point {} (hit {hit})",
            point.name()
        );
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_points_and_counts() {
        assert_eq!(
            "commit-batch@3".parse::<CrashPlan>(),
            Ok(CrashPlan {
                point: CrashPoint::CommitBatch,
                nth: 3
            })
        );
        assert_eq!(
            "init-chain".parse::<CrashPlan>(),
            Ok(CrashPlan {
                point: CrashPoint::InitChain,
                nth: 1
            })
        );
        for bad in ["nowhere", "export@0", "export@x", "@2"] {
            assert!(bad.parse::<CrashPlan>().is_err(), "{bad}");
        }
        for point in CrashPoint::ALL {
            assert_eq!(
                point.name().parse::<CrashPlan>().map(|p| p.point),
                Ok(point)
            );
        }
    }

    #[test]
    fn an_unarmed_process_never_aborts() {
        // Nothing in this test binary arms a plan.
        for point in CrashPoint::ALL {
            reached(point);
        }
    }
}
