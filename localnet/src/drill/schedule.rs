//! The reproducible fault schedule of a drill: which node, which fault, when and for how long,
//! all drawn from `--seed` by a small deterministic generator (no OS randomness), so the same
//! seed on the same network size replays the same drill.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One kind of fault injected into a validator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FaultKind {
    /// SIGKILL both processes, start them again later.
    Kill,
    /// SIGSTOP both processes, SIGCONT later.
    Pause,
    /// SIGKILL rampartd only (CometBFT stops when its app goes away), start again later.
    RestartApp,
    /// SIGKILL cometbft only, start it again later against the running rampartd.
    RestartCometbft,
    /// SIGKILL a consumer chain's relayer, start it again later (consumer drills only).
    RelayerKill,
    /// Stop a consumer chain's relayer (SIGTERM) and start it again at once (consumer drills
    /// only).
    RelayerRestart,
}

impl FaultKind {
    /// Every kind, the order `mixed` draws from.
    pub const ALL: [FaultKind; 4] = [
        FaultKind::Kill,
        FaultKind::Pause,
        FaultKind::RestartApp,
        FaultKind::RestartCometbft,
    ];

    /// The relayer's faults, which `mixed` also draws from in a consumer drill.
    pub const RELAYER: [FaultKind; 2] = [FaultKind::RelayerKill, FaultKind::RelayerRestart];

    /// Whether it hits the relayer rather than nodes.
    pub fn is_relayer(self) -> bool {
        Self::RELAYER.contains(&self)
    }

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Kill => "kill",
            FaultKind::Pause => "pause",
            FaultKind::RestartApp => "restart-app",
            FaultKind::RestartCometbft => "restart-cometbft",
            FaultKind::RelayerKill => "relayer-kill",
            FaultKind::RelayerRestart => "relayer-restart",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `--fault`: one kind, or a seeded mix of all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultMode {
    /// Always this kind.
    Only(FaultKind),
    /// Each fault's kind drawn from [`FaultKind::ALL`].
    Mixed,
}

impl FromStr for FaultMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text == "mixed" {
            return Ok(FaultMode::Mixed);
        }
        FaultKind::ALL
            .into_iter()
            .chain(FaultKind::RELAYER)
            .find(|kind| kind.name() == text)
            .map(FaultMode::Only)
            .ok_or_else(|| {
                format!(
                    "unknown fault `{text}`: kill, pause, restart-app, restart-cometbft, \
                     relayer-kill, relayer-restart (consumer drills) or mixed"
                )
            })
    }
}

/// A small deterministic generator (SplitMix64): the whole schedule comes from the seed.
#[derive(Clone, Debug)]
pub struct SeededRng(u64);

impl SeededRng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound ≥ 1`).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }
}

/// One planned fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFault {
    /// When it is injected, from the drill's start.
    pub at: Duration,
    /// The validators it hits (distinct; at most the drill's `max_down`).
    pub nodes: Vec<usize>,
    /// What is done to them.
    pub kind: FaultKind,
    /// How long they stay down (or paused) before recovery starts.
    pub down_for: Duration,
}

/// What a schedule is drawn for.
#[derive(Clone, Debug)]
pub struct ScheduleSpec {
    /// The seed.
    pub seed: u64,
    /// Faults are injected during this long.
    pub duration: Duration,
    /// One fault every this long (the first after one period).
    pub every: Duration,
    /// Which kinds.
    pub mode: FaultMode,
    /// Number of validators.
    pub validators: usize,
    /// How many validators one fault takes down.
    pub max_down: usize,
    /// Whether `mixed` also draws the relayer's faults ([`FaultKind::RELAYER`]).
    pub relayer: bool,
}

/// How many of `validators` equal-power validators can be down while the rest still hold more
/// than 2/3 of the power: ⌊(n − 1) / 3⌋.
pub fn tolerated_down(validators: usize) -> usize {
    validators.saturating_sub(1) / 3
}

/// Draws the schedule: one fault every `every` (the first after one period) while it fits in
/// `duration`; each takes `max_down` distinct validators down for 2 s up to a third of the
/// period (at most 15 s), so every fault recovers before the next. A relayer fault hits no
/// node (its nodes are drawn all the same, then dropped).
pub fn plan(spec: &ScheduleSpec) -> Vec<PlannedFault> {
    let kinds: Vec<FaultKind> = if spec.relayer {
        FaultKind::ALL
            .into_iter()
            .chain(FaultKind::RELAYER)
            .collect()
    } else {
        FaultKind::ALL.to_vec()
    };
    let mut rng = SeededRng::new(spec.seed);
    let every_ms = u64::try_from(spec.every.as_millis()).unwrap_or(u64::MAX);
    let longest_ms = (every_ms / 3).clamp(2_000, 15_000);
    let count = spec.duration.as_millis() / spec.every.as_millis().max(1);
    let count = u64::try_from(count).unwrap_or(u64::MAX);
    let down = spec.max_down.clamp(1, spec.validators.max(1));
    (1..=count)
        .map(|k| {
            let kind = match spec.mode {
                FaultMode::Only(kind) => kind,
                FaultMode::Mixed => kinds[rng.below(kinds.len() as u64) as usize],
            };
            let mut nodes: Vec<usize> = (0..spec.validators).collect();
            let mut picked = Vec::with_capacity(down);
            for _ in 0..down {
                let i = rng.below(nodes.len() as u64) as usize;
                picked.push(nodes.swap_remove(i));
            }
            picked.sort_unstable();
            if kind.is_relayer() {
                picked.clear();
            }
            let down_for = 2_000 + rng.below(longest_ms - 2_000 + 1);
            PlannedFault {
                at: Duration::from_millis(every_ms.saturating_mul(k)),
                nodes: picked,
                kind,
                down_for: Duration::from_millis(down_for),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(seed: u64, mode: FaultMode) -> ScheduleSpec {
        ScheduleSpec {
            seed,
            duration: Duration::from_secs(600),
            every: Duration::from_secs(60),
            mode,
            validators: 4,
            max_down: 1,
            relayer: false,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_schedule() {
        let a = plan(&spec(7, FaultMode::Mixed));
        assert_eq!(a, plan(&spec(7, FaultMode::Mixed)));
        assert_ne!(a, plan(&spec(8, FaultMode::Mixed)));
        assert_eq!(a.len(), 10);
        assert_eq!(a[0].at, Duration::from_secs(60));
        assert!(a.iter().all(|f| f.nodes.len() == 1 && f.nodes[0] < 4));
        assert!(
            a.iter()
                .all(|f| f.down_for >= Duration::from_secs(2)
                    && f.down_for <= Duration::from_secs(15))
        );
        let kinds: std::collections::BTreeSet<_> = a.iter().map(|f| f.kind).collect();
        assert!(kinds.len() > 1, "mixed draws several kinds: {kinds:?}");
    }

    #[test]
    fn a_consumer_drill_mixes_in_the_relayer() {
        let mut s = spec(7, FaultMode::Mixed);
        s.duration = Duration::from_secs(3600);
        s.relayer = true;
        let faults = plan(&s);
        let kinds: std::collections::BTreeSet<_> = faults.iter().map(|f| f.kind).collect();
        assert_eq!(kinds.len(), 6, "{kinds:?}");
        for fault in &faults {
            assert_eq!(fault.nodes.is_empty(), fault.kind.is_relayer(), "{fault:?}");
        }
        assert_eq!(
            "relayer-kill".parse(),
            Ok(FaultMode::Only(FaultKind::RelayerKill))
        );
    }

    #[test]
    fn one_kind_and_several_nodes() {
        let mut s = spec(1, FaultMode::Only(FaultKind::Pause));
        s.max_down = 2;
        for fault in plan(&s) {
            assert_eq!(fault.kind, FaultKind::Pause);
            assert_eq!(fault.nodes.len(), 2);
            assert_ne!(fault.nodes[0], fault.nodes[1]);
        }
    }

    #[test]
    fn parses_modes_and_tolerance() {
        assert_eq!("mixed".parse(), Ok(FaultMode::Mixed));
        assert_eq!(
            "restart-app".parse(),
            Ok(FaultMode::Only(FaultKind::RestartApp))
        );
        assert!("crash".parse::<FaultMode>().is_err());
        assert_eq!(tolerated_down(4), 1);
        assert_eq!(tolerated_down(1), 0);
        assert_eq!(tolerated_down(7), 2);
    }
}
