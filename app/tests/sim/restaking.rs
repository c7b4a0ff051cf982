//! The consumer chains of `restaking_simulation.rs`: [`Consumers`], an [`Extension`] of the
//! whole-chain simulation driver (`sim/mod.rs`). It is included by that test file (with
//! `#[path]`), not by `sim/mod.rs`: it signs consumer state with `consumer_support`'s
//! [`ConsumerStore`], which only that test file declares.
//!
//! Owners register consumers launching a few blocks later, validators opt in (with a test key of
//! [`rampart_ccv::testing::key`] or their provider key), opt out, change their pledge and assign
//! consumer keys, delegators fund reward pools and choose the consumers their delegations back
//! (`MsgSetDelegationConsumers`), owners remove consumers, and relayers submit consumer double
//! votes (a header of the consumer signed by a set the provider recorded, and two votes of one
//! member) and proven downtime records (a record committed to the consumer's real JMT, a header
//! carrying its app hash, an ICS-23 proof). What each success must do and which refusals are
//! legitimate is checked against state read before the block; after every block the set of
//! every launched consumer is checked against the pledges and the stake backing each consumer,
//! and the delegations' choices, slash meters, consumer jails, reward pools, owners' balances
//! and exposure against this test's own models (`restaking_simulation.rs` lists the checks).

use std::collections::{BTreeMap, BTreeSet};

use cosmos_sdk_proto::cosmos::staking::v1beta1::BondStatus;
use ed25519_consensus::SigningKey;
use rampart_ccv::proven::{downtime_key, downtime_value};
use rampart_ccv::testing::{key, public, HeaderSpec, Member};
use rampart_consumer::sets::{self, ANY_SET};
use rampart_consumer::{Consumer, ConsumerValidator, Phase};
use rampart_core::address::consensus_address;
use rampart_core::{Address, BlockTime, Decimal, StateRead};
use rampart_proto::rampart::ccv::v1::DowntimeRecord;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_proto::rampart::restaking::v1 as rpb;
use rampart_restaking::pledge::{self, Status};
use rampart_restaking::{choice, consumer_keys};
use rampart_staking::backing::{self, Backing, Mode};
use rampart_staking::StakingRead;
use rampart_testkit::events::{attr, code};
use rampart_testkit::light_block::consensus_key;
use rampart_testkit::msgs::any;
use rampart_testkit::restaking::{
    assign_consumer_key, consumer_pubkey, ed25519_any, fund_rewards, infraction, opt_in, opt_out,
    register, remove_consumer, set_delegation_consumers, set_pledge, signed_vote,
};
use rampart_testkit::*;
use tendermint::abci::response::FinalizeBlock;
use tendermint::abci::types::ExecTxResult;
use tendermint_proto::google::protobuf::Timestamp;

use crate::consumer_support::ConsumerStore;
use crate::sim::{
    hex, Action, Effect, Extension, Planned, Sim, CANDIDATE_SEEDS, GENESIS_VALIDATOR_SEEDS,
};

/// Seeds of the keys owning consumers.
const OWNER_SEEDS: std::ops::RangeInclusive<u8> = 121..=122;
/// Seeds of the relayers' keys, which submit evidence and downtime (one transaction each per
/// block).
const RELAYER_SEEDS: std::ops::RangeInclusive<u8> = 131..=133;
/// Genesis funds of each owner and relayer.
const PARTY_FUNDS: u128 = 100_000_000;
/// The registration deposit.
const DEPOSIT: u128 = 1_000_000;
/// The restaking bound on Σ pledge × double-sign fraction per validator.
const MAX_EXPOSURE: &str = "0.15";
/// The restaking bound on consumers per validator.
const MAX_CONSUMERS_PER_VALIDATOR: u32 = 3;
/// The slash meter: a consumer may jail 30 % of its power (`slash_meter_fraction`) per period of
/// this many seconds.
const METER_PERIOD: i64 = 10;
/// Provider blocks per epoch (a consumer may have its own).
const EPOCH: u64 = 5;
/// Most consumers a run registers.
const MAX_CONSUMERS: u32 = 7;
/// Gas limit of the extension's transactions (a header costs gas per signature).
const GAS: u64 = 5_000_000;
/// A consumer is old enough to be removed this many blocks after its registration.
const REMOVABLE_AFTER: u64 = 20;
/// The first seed of the test keys handed out as consumer keys (those below are left alone).
const FIRST_KEY_SEED: u8 = 20;
/// Tokens per unit of power.
const POWER_REDUCTION: u128 = 1_000_000;
/// A consumer id no run registers.
const UNKNOWN_CONSUMER: u64 = 1_000;

/// The jail durations, in seconds, of the consumers a run registers (each drawn in its range).
#[derive(Debug, Clone)]
pub(crate) struct JailRanges {
    pub(crate) double_sign: std::ops::RangeInclusive<u64>,
    pub(crate) downtime: std::ops::RangeInclusive<u64>,
}

/// The jail durations of the pinned runs.
pub(crate) const USUAL_JAILS: JailRanges = JailRanges {
    double_sign: 5..=20,
    downtime: 4..=12,
};

/// A consumer registered by the run.
struct ConsumerChain {
    chain_id: String,
    /// Index into the owners.
    owner: usize,
    /// The consumer's committed state (its downtime records), from its first record.
    store: Option<ConsumerStore>,
    /// The next downtime record's seq.
    next_seq: u64,
    /// The consumer height of the next double vote.
    next_vote_height: u64,
    /// The slash meter as this test models it, while launched: (meter, next replenish in
    /// seconds).
    meter: Option<(i64, i64)>,
    /// Its reward pool as this test models it (funding in, rewards out).
    pool: u128,
    /// Its reward rate per block.
    reward_rate: u128,
}

/// A consumer infraction a transaction submits, and what its success must do.
struct Infraction {
    /// Its event: `consumer_slash` (double vote) or `consumer_downtime`.
    kind: &'static str,
    id: u64,
    /// The member charged: its operator, consumer power and counted stake.
    member: ConsumerValidator,
    /// The set it is charged to.
    vsc_id: u64,
    /// ⌊P × 10^6 × f × pledge⌋ of the member record: what it burns while the validator has
    /// tokens left, never more.
    max_burn: u128,
    /// ⌊f × pledged tokens counted⌋, which `max_burn` never exceeds.
    bound: u128,
    /// The jail on the consumer, and whether for good.
    jail_seconds: u64,
    tombstone: bool,
    /// The offender's delegations from the run's delegators before the block.
    stakes: Vec<StakeBefore>,
    /// The signers of the block's transactions planned before this one (the driver's and the
    /// extension's so far): their delegations may move in the block by their own doing.
    busy: BTreeSet<Address>,
}

/// A delegation to an offender as it was before the block of the infraction, to check that a
/// delegation whose choice excludes the consumer loses nothing to its slash but what its moved
/// stake owes.
struct StakeBefore {
    delegator: Address,
    /// Tokens it was worth.
    value: u128,
    /// Its choice, and the height of its pending one.
    choice: Backing,
    pending_due: Option<u64>,
    /// Whether its choice is in force since the offender's stake was counted in the set
    /// charged (or earlier).
    settled: bool,
    /// Its unbonding entries from the offender: (creation height, initial balance, completion
    /// time) and balance.
    entries: Vec<((i64, String, String), String)>,
    /// Whether the delegator has redelegations to the offender (a slash of their source cuts
    /// the destination).
    redelegates: bool,
    /// Whether stake of it stopped backing the consumer at or after the infraction height (its
    /// unbonding entries pay then), and Σ ⌊f × pledge × moved tokens⌋ over such stake: what its
    /// moved stake may owe.
    moved: bool,
    moved_owes: u128,
}

/// A delegation's choice of consumers as this test models it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChoiceModel {
    /// The choice in force.
    current: Backing,
    /// The height it took effect at (0: never chosen).
    since: u64,
    /// A choice waiting for an epoch height, and that height.
    pending: Option<(Backing, u64)>,
    /// The height of the transaction that made the pending choice.
    made_at: u64,
}

impl Default for ChoiceModel {
    fn default() -> Self {
        Self {
            current: Backing::all(),
            since: 0,
            pending: None,
            made_at: 0,
        }
    }
}

/// A set a consumer header may be signed with.
#[derive(Clone)]
struct SigningSet {
    /// The consumer.
    id: u64,
    /// The vsc id after which the provider sent it.
    vsc_id: u64,
    members: Vec<ConsumerValidator>,
    /// The time of the header.
    time: BlockTime,
}

/// A validator's jail on a consumer as this test models it.
#[derive(Debug, Default, Clone, Copy)]
struct Jail {
    /// Out of the set while the block time is before this (seconds).
    until: i64,
    tombstoned: bool,
}

/// What a planned transaction must do when it succeeds.
enum Expect {
    /// Registers consumer `chain_id` for owner `owner`, paying `reward_rate` a block.
    Register {
        chain_id: String,
        owner: usize,
        reward_rate: u128,
    },
    /// Adds `amount` to consumer `id`'s reward pool.
    Fund { id: u64, amount: u128 },
    /// Jails and slashes a consumer validator.
    Slash(Infraction),
    /// Sets the choice of `delegator`'s delegation to `operator` to `backing` (`None`: a
    /// malformed message), refused with `refusal` (if any) as the state before the block
    /// predicts, or with one of `may_also` as the block's earlier transactions may change it.
    Choice {
        delegator: Address,
        operator: Address,
        backing: Option<Backing>,
        refusal: Option<(&'static str, u32)>,
        may_also: Vec<(&'static str, u32)>,
    },
    /// Nothing checked beyond the refusal codes.
    Nothing,
}

/// What the consumer side of a run saw happen.
#[derive(Debug, Default)]
struct Counts {
    launches: u32,
    failed_launches: u32,
    packets: u32,
    stops: u32,
    deletions: u32,
    rewards_paid: u32,
    consumer_slashes: u32,
    slash_burned: u128,
    downtime_jails: u32,
    downtime_burned: u128,
    throttled: u32,
    set_checks: u32,
    /// Delegation choices accepted (queued or immediate), applied at an epoch, refused there.
    choices_set: u32,
    choices_applied: u32,
    choices_dropped: u32,
    /// Delegations checked to lose nothing to a slash of a consumer their choice excludes
    /// (`settled`: excluded since before the set charged; else within what moved stake owes).
    untouched_checks: u32,
    moved_checks: u32,
    /// Slashes of validators some of whose stake did not back the consumer.
    partial_backing_slashes: u32,
}

/// What the checks of a block's transactions need to know of the whole block.
struct BlockFacts {
    height: u64,
    /// The consumer infractions that succeeded in it: (consumer, operator).
    infractions: Vec<(u64, Address)>,
    /// The validators the provider slashed in it (begin block), by consensus address.
    provider_slashes: Vec<String>,
}

/// Consumer ids as the choice events list them.
fn ids_text(ids: &[u64]) -> String {
    ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
}

/// The first provider epoch height after `height`: when a choice made at `height` takes
/// effect.
fn next_epoch(height: u64) -> u64 {
    (height / EPOCH + 1) * EPOCH
}

/// The consumer chains and restaking of a run (see the module documentation).
pub(crate) struct Consumers {
    jails_drawn: JailRanges,
    owners: Vec<Key>,
    /// The owners' balances as this test models them: deposits out, refunds in.
    owner_funds: Vec<u128>,
    relayers: Vec<Key>,
    /// Every key a consumer validator may sign with: the test keys handed out and the
    /// operators' provider consensus keys.
    signing: Vec<SigningKey>,
    next_key_seed: u8,
    /// Chain ids handed out (the next consumer's name).
    names: u32,
    /// The consumers registered, by id.
    chains: BTreeMap<u64, ConsumerChain>,
    /// This block's transactions of the extension, in order.
    pending: Vec<Expect>,
    /// Each launched consumer's set as last computed (at its launch or an epoch).
    sets: BTreeMap<u64, Vec<ConsumerValidator>>,
    /// The validators jailed on a consumer, by (consumer, operator).
    jails: BTreeMap<(u64, Address), Jail>,
    /// The sets charged for a double vote, by (consumer, operator, vsc id): each pays once.
    charged: BTreeSet<(u64, Address, u64)>,
    /// The last height at which each operator had no validator (removed, or not created yet).
    absent: BTreeMap<Address, u64>,
    /// The delegations' choices, by (delegator, operator); a missing one is the default.
    choices: BTreeMap<(Address, Address), ChoiceModel>,
    counts: Counts,
}

impl Consumers {
    /// The consumers of a run whose consumers jail for durations drawn in `jails`.
    pub(crate) fn new(jails: JailRanges) -> Self {
        let signing = GENESIS_VALIDATOR_SEEDS
            .chain(CANDIDATE_SEEDS)
            .map(consensus_key)
            .collect();
        Self {
            jails_drawn: jails,
            owners: OWNER_SEEDS.map(Key::secp).collect(),
            owner_funds: OWNER_SEEDS.map(|_| PARTY_FUNDS).collect(),
            relayers: RELAYER_SEEDS.map(Key::secp).collect(),
            signing,
            next_key_seed: FIRST_KEY_SEED,
            names: 0,
            chains: BTreeMap::new(),
            pending: Vec::new(),
            sets: BTreeMap::new(),
            jails: BTreeMap::new(),
            charged: BTreeSet::new(),
            absent: BTreeMap::new(),
            choices: BTreeMap::new(),
            counts: Counts::default(),
        }
    }

    /// A test key not handed out before (the seeds wrap around after 255: a reused key is
    /// refused while another validator of the same consumer still holds it).
    fn fresh_key(&mut self) -> SigningKey {
        let seed = self.next_key_seed;
        self.next_key_seed = seed.checked_add(1).unwrap_or(FIRST_KEY_SEED);
        let k = key(seed);
        if !self.signing.iter().any(|s| public(s) == public(&k)) {
            self.signing.push(k.clone());
        }
        k
    }

    /// The run's consumers in one of `phases`, with their stored state.
    fn in_phase(&self, sim: &Sim, phases: &[Phase]) -> Vec<(u64, Consumer)> {
        let snapshot = sim.chain.storage.snapshot();
        self.chains
            .keys()
            .filter_map(|id| {
                rampart_consumer::state::load(&snapshot, *id)
                    .expect("reads")
                    .filter(|c| phases.contains(&c.phase))
                    .map(|c| (*id, c))
            })
            .collect()
    }

    /// An operator of an existing validator without a transaction in this block.
    fn free_operator(sim: &mut Sim, busy: &BTreeSet<Address>) -> Option<usize> {
        let free: Vec<usize> = sim
            .existing_validators()
            .into_iter()
            .filter(|i| !busy.contains(&sim.operators[*i].operator()))
            .collect();
        sim.rng.pick(&free).copied()
    }

    /// A bonded validator (only bonded validators pledge) without a transaction in this block,
    /// mostly; now and then any (refused when not bonded).
    fn free_pledger(sim: &mut Sim, busy: &BTreeSet<Address>) -> Option<usize> {
        if sim.rng.chance(10) {
            return Self::free_operator(sim, busy);
        }
        let snapshot = sim.chain.storage.snapshot();
        let bonded: Vec<usize> = sim
            .existing_validators()
            .into_iter()
            .filter(|i| {
                let op = sim.operators[*i].operator();
                !busy.contains(&op)
                    && snapshot
                        .validator(&op)
                        .expect("reads")
                        .is_some_and(|v| v.status == BondStatus::Bonded)
            })
            .collect();
        sim.rng.pick(&bonded).copied()
    }

    /// A relayer without a transaction in this block (marked busy).
    fn relayer(&self, sim: &mut Sim, busy: &mut BTreeSet<Address>) -> Option<usize> {
        let free: Vec<usize> = (0..self.relayers.len())
            .filter(|i| !busy.contains(&self.relayers[*i].address()))
            .collect();
        let index = *sim.rng.pick(&free)?;
        busy.insert(self.relayers[index].address());
        Some(index)
    }

    /// The active pledges to the run's consumers, as (consumer, operator index).
    fn active_pledges(&self, sim: &Sim, busy: &BTreeSet<Address>) -> Vec<(u64, usize)> {
        let snapshot = sim.chain.storage.snapshot();
        let mut out = Vec::new();
        for id in self.chains.keys() {
            for p in pledge::of_consumer(&snapshot, *id).expect("reads") {
                let index = sim
                    .operators
                    .iter()
                    .position(|v| v.operator() == p.validator);
                if let Some(index) = index.filter(|_| p.status == Status::Active) {
                    if !busy.contains(&p.validator) {
                        out.push((*id, index));
                    }
                }
            }
        }
        out
    }

    /// The sets a header of a consumer in one of `phases` may be signed with at `now` (last
    /// sent, or within their period), with their members and the time of such a header: the
    /// last block's, or the stop time of a stopped consumer (while its unbonding period runs).
    fn signing_sets(&self, sim: &Sim, now: BlockTime, phases: &[Phase]) -> Vec<SigningSet> {
        let snapshot = sim.chain.storage.snapshot();
        let mut out = Vec::new();
        let last_block = block_time(sim.chain.driver.height);
        for (id, consumer) in self.in_phase(sim, phases) {
            let time = consumer.stop_time.unwrap_or(last_block);
            if sets::period_end(&consumer, time).expect("time") <= now {
                continue;
            }
            for record in sets::records(&snapshot, id).expect("reads") {
                let open = sets::period_end_of(&snapshot, &consumer, record.vsc_id)
                    .expect("reads")
                    .is_none_or(|end| end > now);
                let members = sets::members(&snapshot, id, record.vsc_id).expect("reads");
                let known = members
                    .iter()
                    .all(|m| self.signing.iter().any(|k| public(k) == m.consumer_pubkey));
                if open && known && !members.is_empty() {
                    out.push(SigningSet {
                        id,
                        vsc_id: record.vsc_id,
                        members,
                        time,
                    });
                }
            }
        }
        out
    }

    /// What slashing `member`'s counted stake by `fraction` of its pledge may burn:
    /// (⌊P × 10^6 × f × pledge / 10^4⌋, ⌊f × pledged tokens⌋), in exact integers.
    fn slash_bounds(member: &ConsumerValidator, fraction: Decimal) -> (u128, u128) {
        // Staking rounds f × pledge to 18 decimals first: exact for these fractions (2 decimals)
        // and pledges (4).
        let counted = u128::from(member.validator_power) * POWER_REDUCTION;
        let max_burn =
            counted * fraction.0 * u128::from(member.pledge_bps) / (Decimal::ONE_ATTOS * 10_000);
        let bound = member.pledged_tokens.0 * fraction.0 / Decimal::ONE_ATTOS;
        (max_burn, bound)
    }

    /// The delegations of the run's delegators to `member`'s validator before the block, for
    /// the checks of its slash on consumer `id` by `fraction` of its pledge.
    fn stakes_before(
        &self,
        sim: &Sim,
        id: u64,
        member: &ConsumerValidator,
        fraction: Decimal,
    ) -> Vec<StakeBefore> {
        let op = member.operator;
        let snapshot = sim.chain.storage.snapshot();
        let Some(v) = snapshot.validator(&op).expect("reads") else {
            return Vec::new();
        };
        // Stake that stopped backing the consumer at or after the infraction height (the
        // counting height + 1) owes f × pledge of its tokens.
        let moved =
            choice::moved(&snapshot, id, &op, block_time(sim.next_height())).expect("reads");
        let since_infraction = |delegator: Address| {
            moved
                .iter()
                .filter(move |m| m.delegator == delegator && m.height > member.provider_height)
        };
        let owes = |delegator: Address| -> u128 {
            since_infraction(delegator)
                .map(|m| {
                    m.tokens.0 * fraction.0 * u128::from(member.pledge_bps)
                        / (Decimal::ONE_ATTOS * 10_000)
                })
                .sum()
        };
        let mut out = Vec::new();
        for delegator in sim.delegators.iter().map(Key::address) {
            let Some(shares) = snapshot.delegation_shares(&delegator, &op).expect("reads") else {
                continue;
            };
            let model = self
                .choices
                .get(&(delegator, op))
                .cloned()
                .unwrap_or_default();
            let entries = rampart_staking::unbonding::load(&snapshot, &delegator, &op)
                .expect("reads")
                .map(|ubd| ubd.entries)
                .unwrap_or_default()
                .into_iter()
                .map(|e| {
                    let id = (
                        e.creation_height,
                        e.initial_balance,
                        format!("{:?}", e.completion_time),
                    );
                    (id, e.balance)
                })
                .collect();
            // `red/ ‖ delegator ‖ source ‖ destination`.
            let redelegations = [rampart_staking::keys::REDELEGATION, &delegator.0[..]].concat();
            let redelegates = snapshot
                .scan_prefix(&redelegations)
                .any(|(key, _)| key.ends_with(&op.0));
            out.push(StakeBefore {
                delegator,
                value: v.tokens_for_shares(shares).expect("fits").0,
                choice: model.current,
                pending_due: model.pending.map(|(_, due)| due),
                settled: model.since <= member.provider_height,
                entries,
                redelegates,
                moved: since_infraction(delegator).next().is_some(),
                moved_owes: owes(delegator),
            });
        }
        out
    }

    /// An owner registers a consumer spawning 3–7 blocks later, with random parameters.
    fn plan_register(&mut self, sim: &mut Sim, busy: &mut BTreeSet<Address>) -> Option<Planned> {
        if self.names >= MAX_CONSUMERS {
            return None;
        }
        let free: Vec<usize> = (0..self.owners.len())
            .filter(|i| !busy.contains(&self.owners[*i].address()))
            .collect();
        let owner = *sim.rng.pick(&free)?;
        busy.insert(self.owners[owner].address());
        // Now and then a chain id already taken (refused: chain ids are never reused).
        let taken: Vec<String> = self.chains.values().map(|c| c.chain_id.clone()).collect();
        let chain_id = match sim.rng.pick(&taken) {
            Some(taken) if sim.rng.chance(8) => taken.clone(),
            _ => {
                self.names += 1;
                format!("consumer-{}", self.names)
            }
        };
        let fractions = ["0.01", "0.05", "0.1"];
        let double_sign = fractions[sim.rng.index(fractions.len())];
        let downtime = ["0", "0.01", "0.02"][sim.rng.index(3)];
        let reward = sim.rng.between(0, 3) * 500;
        let jails = self.jails_drawn.clone();
        let params = cpb::ConsumerParams {
            min_validators: if sim.rng.chance(25) { 2 } else { 1 },
            min_total_pledge: "0".into(),
            max_validators: u32::try_from(sim.rng.between(2, 5)).expect("small"),
            validator_power_cap: if sim.rng.chance(30) { "0.6" } else { "1" }.into(),
            min_validator_stake: "0".into(),
            unbonding_period_seconds: u64::try_from(sim.rng.between(16, 20)).expect("small"),
            double_sign: Some(infraction(
                double_sign,
                draw(sim, &jails.double_sign),
                sim.rng.chance(30),
            )),
            downtime: Some(infraction(downtime, draw(sim, &jails.downtime), false)),
            reward_rate_per_block: if reward == 0 {
                Vec::new()
            } else {
                vec![coin(&reward.to_string(), DENOM)]
            },
            blocks_per_epoch: if sim.rng.chance(30) { 3 } else { 0 },
            max_clock_drift_seconds: 5,
            ..Default::default()
        };
        let spawn = sim.next_height() + u64::try_from(sim.rng.between(3, 7)).expect("small");
        let key = &self.owners[owner];
        let msg = register(key, &chain_id, Some(spawn), Some(params));
        self.pending.push(Expect::Register {
            chain_id: chain_id.clone(),
            owner,
            reward_rate: reward,
        });
        Some(Planned {
            action: Action::RegisterConsumer,
            bytes: sim.chain.free_tx(key, vec![msg], GAS),
            fee: None,
            effect: Effect::None,
            summary: format!(
                "owner {owner} registers {chain_id} (double sign {double_sign}, downtime \
                 {downtime}, spawning at {spawn})"
            ),
        })
    }

    /// A validator (mostly a bonded one) opts in to a consumer with a random pledge and a fresh
    /// or its provider key.
    fn plan_opt_in(&mut self, sim: &mut Sim, busy: &mut BTreeSet<Address>) -> Option<Planned> {
        // Mostly consumers about to launch, or launched; now and then any other (a registered
        // one whose launch failed, a stopped one: refused).
        let phases = [Phase::Registered, Phase::Launched, Phase::Stopped];
        let consumers = self.in_phase(sim, &phases);
        let ids = |keep: &dyn Fn(&Consumer) -> bool| -> Vec<u64> {
            consumers
                .iter()
                .filter(|(_, c)| keep(c))
                .map(|(id, _)| *id)
                .collect()
        };
        let spawning = ids(&|c| c.phase == Phase::Registered && c.spawn_time.is_some());
        let launched = ids(&|c| c.phase == Phase::Launched);
        let any = ids(&|_| true);
        let pool = match sim.rng.next() % 10 {
            0..=4 if !spawning.is_empty() => spawning,
            0..=8 if !launched.is_empty() => launched,
            _ => any,
        };
        let id = *sim.rng.pick(&pool)?;
        let index = Self::free_pledger(sim, busy)?;
        busy.insert(sim.operators[index].operator());
        let bps = u32::try_from(sim.rng.between(1_000, 10_000)).expect("small");
        let key = sim.rng.chance(65).then(|| self.fresh_key());
        let msg = opt_in(&sim.operators[index], id, bps, key.as_ref());
        let with = key.map_or("its provider key".to_owned(), |k| hex(&public(&k)[..4]));
        self.pending.push(Expect::Nothing);
        Some(sim.operator_tx(
            index,
            Action::OptIn,
            msg,
            format!("operator {index} opts in to {id} with {bps} bps and key {with}"),
        ))
    }

    /// A validator with an active pledge opts out or changes it (`action`).
    fn plan_pledge_change(
        &mut self,
        sim: &mut Sim,
        action: Action,
        busy: &mut BTreeSet<Address>,
    ) -> Option<Planned> {
        let (id, index) = *sim.rng.pick(&self.active_pledges(sim, busy))?;
        busy.insert(sim.operators[index].operator());
        let v = &sim.operators[index];
        let (msg, summary) = if action == Action::OptOut {
            (opt_out(v, id), format!("operator {index} opts out of {id}"))
        } else {
            let bps = u32::try_from(sim.rng.between(500, 10_000)).expect("small");
            (
                set_pledge(v, id, bps),
                format!("operator {index} pledges {bps} bps to {id}"),
            )
        };
        self.pending.push(Expect::Nothing);
        Some(sim.operator_tx(index, action, msg, summary))
    }

    /// A validator assigns itself a consumer key on an open consumer: mostly one with an active
    /// pledge there (keys follow pledges); now and then any validator (refused without a pledge
    /// or without bonded stake).
    fn plan_assign_key(&mut self, sim: &mut Sim, busy: &mut BTreeSet<Address>) -> Option<Planned> {
        let open: Vec<u64> = self
            .in_phase(sim, &[Phase::Registered, Phase::Launched])
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let pledged: Vec<(u64, usize)> = self
            .active_pledges(sim, busy)
            .into_iter()
            .filter(|(id, _)| open.contains(id))
            .collect();
        let (id, index) = match sim.rng.pick(&pledged).copied() {
            Some(pledge) if !sim.rng.chance(10) => pledge,
            _ => (*sim.rng.pick(&open)?, Self::free_operator(sim, busy)?),
        };
        busy.insert(sim.operators[index].operator());
        // Now and then another validator's key on that consumer (refused).
        let snapshot = sim.chain.storage.snapshot();
        let others: Vec<[u8; 32]> = sim
            .operators
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != index)
            .filter_map(|(_, v)| {
                consumer_keys::current(&snapshot, id, &v.operator()).expect("reads")
            })
            .collect();
        let (any_key, which) = match sim.rng.pick(&others) {
            Some(taken) if sim.rng.chance(10) => (ed25519_any(taken), "a taken key"),
            _ => (consumer_pubkey(&self.fresh_key()), "a fresh key"),
        };
        let msg = assign_consumer_key(&sim.operators[index], id, any_key);
        self.pending.push(Expect::Nothing);
        Some(sim.operator_tx(
            index,
            Action::AssignConsumerKey,
            msg,
            format!("operator {index} assigns {which} on {id}"),
        ))
    }

    /// An owner removes one of its consumers registered long enough ago.
    fn plan_remove(&mut self, sim: &mut Sim, busy: &mut BTreeSet<Address>) -> Option<Planned> {
        let height = sim.next_height();
        let old: Vec<u64> = self
            .in_phase(sim, &[Phase::Registered, Phase::Launched])
            .into_iter()
            .filter(|(_, c)| c.registration_height + REMOVABLE_AFTER <= height)
            .map(|(id, _)| id)
            .collect();
        let id = *sim.rng.pick(&old)?;
        // Now and then by someone else than its owner (refused).
        let owner = match self.chains[&id].owner {
            owner if sim.rng.chance(10) => (owner + 1) % self.owners.len(),
            owner => owner,
        };
        let key = &self.owners[owner];
        if !busy.insert(key.address()) {
            return None;
        }
        self.pending.push(Expect::Nothing);
        Some(Planned {
            action: Action::RemoveConsumer,
            bytes: sim.chain.free_tx(key, vec![remove_consumer(key, id)], GAS),
            fee: None,
            effect: Effect::None,
            summary: format!("owner {owner} removes {id}"),
        })
    }

    /// A delegator funds a consumer's reward pool.
    fn plan_fund(&mut self, sim: &mut Sim, busy: &mut BTreeSet<Address>) -> Option<Planned> {
        let phases = [Phase::Registered, Phase::Launched, Phase::Stopped];
        let (id, _) = sim.rng.pick(&self.in_phase(sim, &phases))?.clone();
        let free: Vec<usize> = (0..sim.delegators.len())
            .filter(|i| !busy.contains(&sim.delegators[*i].address()))
            .collect();
        let index = *sim.rng.pick(&free)?;
        let funder = sim.delegators[index].address();
        busy.insert(funder);
        let amount = sim.rng.between(10_000, 400_000);
        let msg = fund_rewards(funder, id, amount, DENOM);
        self.pending.push(Expect::Fund { id, amount });
        Some(Planned {
            action: Action::FundConsumerRewards,
            bytes: sim.chain.free_tx(&sim.delegators[index], vec![msg], GAS),
            fee: Some((funder, 0)),
            effect: Effect::Spend {
                from: funder,
                amount,
            },
            summary: format!("{funder} funds {id}'s rewards with {amount}"),
        })
    }

    /// A delegator chooses the consumers one of its delegations backs: mostly at a validator it
    /// delegates to, ALL, or ONLY / EXCEPT some of the consumers that validator pledges to; now
    /// and then a choice to refuse (no mode, ALL naming a consumer, a consumer named twice, one
    /// unknown, stopped or never pledged to, a validator it does not delegate to or that does
    /// not exist), with the refusal the state before the block predicts.
    fn plan_choice(&mut self, sim: &mut Sim, busy: &mut BTreeSet<Address>) -> Option<Planned> {
        let free: Vec<usize> = (0..sim.delegators.len())
            .filter(|i| !busy.contains(&sim.delegators[*i].address()))
            .collect();
        let index = *sim.rng.pick(&free)?;
        let me = sim.delegators[index].address();
        let snapshot = sim.chain.storage.snapshot();
        let phase_of = |id: u64| {
            rampart_consumer::state::load(&snapshot, id)
                .expect("reads")
                .map(|c| c.phase)
        };
        let open_phase =
            |phase: Option<Phase>| matches!(phase, Some(Phase::Registered | Phase::Launched));
        // The consumers a validator pledges to (a record of any status).
        let pledged_by = |op: &Address| -> Vec<u64> {
            pledge::of_validator(&snapshot, op)
                .expect("reads")
                .iter()
                .map(|p| p.consumer_id)
                .collect()
        };
        let delegations: Vec<Address> =
            sim.delegations(&me).into_iter().map(|(op, _)| op).collect();
        let pledging: Vec<Address> = delegations
            .iter()
            .copied()
            .filter(|op| {
                pledged_by(op)
                    .into_iter()
                    .any(|id| open_phase(phase_of(id)))
            })
            .collect();
        let existing = sim.existing_validators();
        let absent: Vec<Address> = (0..sim.operators.len())
            .filter(|i| !existing.contains(i))
            .map(|i| sim.operators[i].operator())
            .collect();
        // Mostly a delegation to a validator pledging to open consumers.
        let op = match sim.rng.next() % 20 {
            0 if !absent.is_empty() => *sim.rng.pick(&absent)?,
            0..=2 => sim.random_validator()?,
            3..=5 if !delegations.is_empty() => *sim.rng.pick(&delegations)?,
            _ => match sim.rng.pick(&pledging).or(sim.rng.pick(&delegations)) {
                Some(op) => *op,
                None => sim.random_validator()?,
            },
        };
        busy.insert(me);
        // The consumers it pledges to, open ones and the others; the run's consumers it never
        // pledged to.
        let pledged = pledged_by(&op);
        let open: Vec<u64> = pledged
            .iter()
            .copied()
            .filter(|id| open_phase(phase_of(*id)))
            .collect();
        let closed: Vec<u64> = self
            .chains
            .keys()
            .copied()
            .filter(|id| !open_phase(phase_of(*id)))
            .collect();
        let strangers: Vec<u64> = self
            .chains
            .keys()
            .copied()
            .filter(|id| !pledged.contains(id) && open_phase(phase_of(*id)))
            .collect();
        let some_of = |sim: &mut Sim, ids: &[u64], at_least_one: bool| -> Vec<u64> {
            let mut out: Vec<u64> = ids.iter().copied().filter(|_| sim.rng.chance(50)).collect();
            if out.is_empty() && at_least_one {
                out.extend(sim.rng.pick(ids));
            }
            out
        };
        use rpb::BackingMode as M;
        let (mode, ids) = match sim.rng.next() % 20 {
            0 => (M::Unspecified, Vec::new()),
            1 => (M::All, vec![*sim.rng.pick(&pledged).unwrap_or(&0)]),
            2 => match sim.rng.pick(&open) {
                Some(id) => (M::Only, vec![*id, *id]),
                None => (M::Except, vec![UNKNOWN_CONSUMER, UNKNOWN_CONSUMER]),
            },
            3 => (M::Except, vec![UNKNOWN_CONSUMER]),
            4 if !strangers.is_empty() => (M::Only, some_of(sim, &strangers, true)),
            5 if !closed.is_empty() => (M::Except, some_of(sim, &closed, true)),
            4..=8 => (M::All, Vec::new()),
            9..=15 => (M::Except, some_of(sim, &open, true)),
            _ => (M::Only, some_of(sim, &open, false)),
        };
        // What `MsgSetDelegationConsumers` checks, in its order: the message alone, the
        // validator, the delegation, then each consumer named (ascending), then room for one
        // more distinct choice (32 per validator, more than the run's delegators).
        let mut sorted_ids = ids.clone();
        sorted_ids.sort_unstable();
        sorted_ids.dedup();
        let malformed = mode == M::Unspecified
            || (mode == M::All && !ids.is_empty())
            || sorted_ids.len() != ids.len();
        let backing = match mode {
            _ if malformed => None,
            M::Only => Some(Backing::new(Mode::Only, ids.clone())),
            M::Except => Some(Backing::new(Mode::Except, ids.clone())),
            _ => Some(Backing::all()),
        };
        let refusal = if backing.is_none() {
            Some(("restaking", 22))
        } else if snapshot.validator(&op).expect("reads").is_none() {
            Some(("restaking", 3))
        } else if snapshot
            .delegation_shares(&me, &op)
            .expect("reads")
            .is_none()
        {
            Some(("staking", 19))
        } else {
            sorted_ids.iter().find_map(|id| match phase_of(*id) {
                None => Some(("consumer", 5)),
                Some(Phase::Stopped | Phase::Deleted) => Some(("restaking", 4)),
                Some(_) if !pledged.contains(id) => Some(("restaking", 23)),
                Some(_) => None,
            })
        };
        // An earlier transaction of the block may stop a consumer named (its removal) or end
        // the validator's pledge record there (an opt-out before the consumer launched), and
        // the delegation or its validator may leave (a consumer slash cutting moved stake, the
        // last delegation of an unbonded validator).
        let mut may_also = Vec::new();
        if backing.is_some() {
            if sorted_ids.iter().any(|id| open_phase(phase_of(*id))) {
                may_also.extend([("restaking", 4), ("restaking", 23)]);
            }
            may_also.extend([("staking", 19), ("restaking", 3)]);
        }
        self.pending.push(Expect::Choice {
            delegator: me,
            operator: op,
            backing: backing.clone(),
            refusal,
            may_also,
        });
        let msg = set_delegation_consumers(me, op, mode, &ids);
        Some(Planned {
            action: Action::SetDelegationConsumers,
            bytes: sim.chain.free_tx(&sim.delegators[index], vec![msg], GAS),
            fee: Some((me, 0)),
            effect: Effect::None,
            summary: format!(
                "{me} backs {} {ids:?} with its delegation to {} (expected: {})",
                mode.as_str_name(),
                valoper(op),
                refusal.map_or("accepted".to_owned(), |(space, code)| format!(
                    "{space}/{code}"
                ))
            ),
        })
    }

    /// A header of consumer `chain_id` at `height` and `time` carrying `app_hash`, signed by
    /// `members` (all of them).
    fn header(
        chain_id: &str,
        height: u64,
        time: tendermint::Time,
        app_hash: Vec<u8>,
        members: &[ConsumerValidator],
    ) -> HeaderSpec {
        let set: Vec<Member> = members
            .iter()
            .map(|m| (m.consumer_pubkey, m.power))
            .collect();
        HeaderSpec {
            chain_id: chain_id.into(),
            height,
            time,
            app_hash,
            validators: set.clone(),
            next_validators: set,
            signers: None,
        }
    }

    /// The signing key of consumer key `pubkey` (every member's is known, see
    /// [`Self::signing_sets`]).
    fn signer(&self, pubkey: &[u8; 32]) -> &SigningKey {
        self.signing
            .iter()
            .find(|k| public(k) == *pubkey)
            .expect("a known key")
    }

    /// The member of consumer `id`'s set `members` that commits an infraction: as often as not
    /// one some of whose delegators chose not to back `id` (if any), whose slash falls on the
    /// others only.
    fn offender(
        sim: &mut Sim,
        id: u64,
        members: &[ConsumerValidator],
    ) -> Option<ConsumerValidator> {
        let snapshot = sim.chain.storage.snapshot();
        let partly: Vec<ConsumerValidator> = members
            .iter()
            .filter(|m| {
                let tokens = snapshot
                    .validator(&m.operator)
                    .expect("reads")
                    .map_or(0, |v| v.tokens.0);
                snapshot.backing_tokens(&m.operator, id).expect("reads").0 < tokens
            })
            .copied()
            .collect();
        match sim.rng.pick(&partly) {
            Some(m) if sim.rng.chance(50) => Some(*m),
            _ => sim.rng.pick(members).copied(),
        }
    }

    /// A relayer submits a double vote of a member of a set a header may be signed with.
    fn plan_double_vote(&mut self, sim: &mut Sim, busy: &mut BTreeSet<Address>) -> Option<Planned> {
        let now = block_time(sim.next_height());
        // Launched consumers, and stopped ones within their unbonding period.
        let phases = [Phase::Launched, Phase::Stopped];
        let SigningSet {
            id,
            vsc_id,
            members,
            time: header_time,
        } = sim.rng.pick(&self.signing_sets(sim, now, &phases))?.clone();
        let offender = Self::offender(sim, id, &members)?;
        let relayer = self.relayer(sim, busy)?;
        let snapshot = sim.chain.storage.snapshot();
        let consumer = rampart_consumer::state::must_load(&snapshot, id).expect("reads");
        // The evidence is charged to the accepted set with the same hash that the registry
        // attributes a header of this time to, against the offender's record there.
        let hash = sets::set_hash(&members).expect("hashes");
        let charged = sets::accepted_set(&snapshot, &consumer, &hash, ANY_SET, header_time, now)
            .expect("reads")
            .expect("the signing set is accepted");
        let address = consensus_address(&offender.consumer_pubkey);
        let member = sets::member(&snapshot, id, charged, &address)
            .expect("reads")
            .expect("a set with the same hash has the same members");
        let double_sign = consumer.params.double_sign;
        let (max_burn, bound) = Self::slash_bounds(&member, double_sign.slash_fraction);
        let chain = self.chains.get_mut(&id).expect("the run's consumer");
        let height = chain.next_vote_height;
        chain.next_vote_height += 1;
        let chain_id = chain.chain_id.clone();
        let time = tendermint_time(header_time);
        let spec = Self::header(&chain_id, height, time, vec![0x5a; 32], &members);
        let key = self.signer(&offender.consumer_pubkey);
        let stamp = Timestamp {
            seconds: time.unix_timestamp(),
            nanos: 0,
        };
        let vote = |block: u8| signed_vote(key, &chain_id, height as i64, block, stamp);
        let submitter = &self.relayers[relayer];
        let msg = any(
            rampart_restaking::msgs::SUBMIT_CONSUMER_DOUBLE_VOTE,
            &rpb::MsgSubmitConsumerDoubleVote {
                submitter: submitter.address().to_string(),
                consumer_id: id,
                vote_a: Some(vote(1)),
                vote_b: Some(vote(2)),
                infraction_header: Some(spec.sign(&self.signing)),
                infraction_validator_set: Some(spec.validator_set()),
            },
        );
        let operator = member.operator;
        let stakes = self.stakes_before(sim, id, &member, double_sign.slash_fraction);
        self.pending.push(Expect::Slash(Infraction {
            kind: "consumer_slash",
            id,
            member,
            vsc_id: charged,
            max_burn,
            bound,
            jail_seconds: double_sign.jail_duration_seconds,
            tombstone: double_sign.tombstone,
            stakes,
            busy: busy.clone(),
        }));
        Some(Planned {
            action: Action::ConsumerDoubleVote,
            bytes: sim.chain.free_tx(submitter, vec![msg], GAS),
            fee: None,
            effect: Effect::None,
            summary: format!(
                "double vote of {} on {id} ({}) at consumer height {height}, signed by the set \
                 after vsc {vsc_id} (charged to vsc {charged}, at most {max_burn})",
                valoper(operator),
                consumer.phase.name()
            ),
        })
    }

    /// A relayer submits a downtime record of a member of a set of a launched consumer, proven
    /// against the consumer's JMT.
    fn plan_downtime(&mut self, sim: &mut Sim, busy: &mut BTreeSet<Address>) -> Option<Planned> {
        let now = block_time(sim.next_height());
        let sets = self.signing_sets(sim, now, &[Phase::Launched]);
        let SigningSet {
            id,
            vsc_id,
            members,
            time,
        } = sim.rng.pick(&sets)?.clone();
        let offender = Self::offender(sim, id, &members)?;
        let relayer = self.relayer(sim, busy)?;
        let snapshot = sim.chain.storage.snapshot();
        let consumer = rampart_consumer::state::must_load(&snapshot, id).expect("reads");
        let downtime = consumer.params.downtime;
        let (max_burn, bound) = Self::slash_bounds(&offender, downtime.slash_fraction);
        let time = tendermint_time(time);
        // Now and then a record already processed (refused as out of order).
        let replay = sim.rng.chance(5);
        let chain = self.chains.get_mut(&id).expect("the run's consumer");
        let seq = match chain.next_seq {
            seq if replay && seq > 1 => seq - 1,
            seq => {
                chain.next_seq += 1;
                seq
            }
        };
        let store = chain.store.get_or_insert_with(ConsumerStore::new);
        let record = DowntimeRecord {
            seq,
            consumer_address: consensus_address(&offender.consumer_pubkey).to_vec(),
            infraction_height: chain.next_vote_height,
            time: Some(Timestamp {
                seconds: time.unix_timestamp(),
                nanos: 0,
            }),
            vsc_id,
            missed: 8,
            window: 10,
        };
        let (height, app_hash) =
            store.commit_with(0, &[(downtime_key(seq), Some(downtime_value(&record)))]);
        let proof = store.proof_of(&downtime_key(seq), height);
        let spec = Self::header(
            &chain.chain_id,
            height + 1,
            time,
            app_hash.to_vec(),
            &members,
        );
        let submitter = &self.relayers[relayer];
        let msg = any(
            rampart_consumer::msgs::SUBMIT_CONSUMER_DOWNTIME,
            &cpb::MsgSubmitConsumerDowntime {
                signer: submitter.address().to_string(),
                consumer_id: id,
                signed_header: Some(spec.sign(&self.signing)),
                validator_set: Some(spec.validator_set()),
                record: downtime_value(&record),
                proof,
            },
        );
        let operator = offender.operator;
        let stakes = self.stakes_before(sim, id, &offender, downtime.slash_fraction);
        self.pending.push(Expect::Slash(Infraction {
            kind: "consumer_downtime",
            id,
            member: offender,
            vsc_id,
            max_burn,
            bound,
            jail_seconds: downtime.jail_duration_seconds,
            tombstone: false,
            stakes,
            busy: busy.clone(),
        }));
        Some(Planned {
            action: Action::ConsumerDowntime,
            bytes: sim.chain.free_tx(submitter, vec![msg], GAS),
            fee: None,
            effect: Effect::None,
            summary: format!(
                "downtime record {seq} of {} on {id} in the set after vsc {vsc_id}",
                valoper(operator)
            ),
        })
    }

    /// Checks a successful transaction against what it was expected to do.
    fn settle_success(
        &mut self,
        sim: &Sim,
        block: &BlockFacts,
        expect: Expect,
        result: &ExecTxResult,
    ) {
        let height = block.height;
        match expect {
            Expect::Nothing => {}
            Expect::Fund { id, amount } => {
                self.chains.get_mut(&id).expect("the run's consumer").pool += amount;
            }
            Expect::Register {
                chain_id,
                owner,
                reward_rate,
            } => {
                self.owner_funds[owner] -= DEPOSIT;
                let event = result
                    .events
                    .iter()
                    .find(|e| e.kind == "register_consumer")
                    .expect("a register_consumer event");
                let id = attr(event, "consumer_id").parse().expect("consumer id");
                assert_eq!(attr(event, "chain_id"), chain_id);
                let chain = ConsumerChain {
                    chain_id,
                    owner,
                    store: None,
                    next_seq: 1,
                    next_vote_height: 1,
                    meter: None,
                    pool: 0,
                    reward_rate,
                };
                assert!(
                    self.chains.insert(id, chain).is_none(),
                    "block {height}: consumer id {id} handed out twice"
                );
            }
            Expect::Slash(infraction) => self.settle_infraction(sim, block, &infraction, result),
            Expect::Choice {
                delegator,
                operator,
                backing,
                refusal,
                ..
            } => {
                // Predicted refused for a consumer the validator never pledged to: it may have
                // opted in earlier in the block.
                assert!(
                    matches!(refusal, None | Some(("restaking", 23))),
                    "block {height}: the choice of {delegator} at {} succeeded, though refused \
                     with {refusal:?} by the state before the block",
                    valoper(operator)
                );
                let backing = backing.expect("a well-formed choice");
                self.settle_choice(sim, height, delegator, operator, backing, result);
            }
        }
    }

    /// Checks a successful consumer infraction: its event, its burn against the stake counted
    /// and each set paying once; books its jail and its charge to the slash meter.
    fn settle_infraction(
        &mut self,
        sim: &Sim,
        block: &BlockFacts,
        infraction: &Infraction,
        result: &ExecTxResult,
    ) {
        let height = block.height;
        let Infraction {
            kind,
            id,
            ref member,
            vsc_id,
            max_burn,
            bound,
            jail_seconds,
            tombstone,
            ..
        } = *infraction;
        let operator = member.operator;
        let event = result
            .events
            .iter()
            .find(|e| e.kind == kind)
            .unwrap_or_else(|| panic!("block {height}: no {kind} event"));
        let burned_text = attr(event, "burned");
        let burned: u128 = burned_text
            .strip_suffix(DENOM)
            .expect("burned names the bond denom")
            .parse()
            .expect("burned");
        assert_eq!(attr(event, "consumer_id"), id.to_string());
        assert_eq!(attr(event, "validator"), valoper(operator));
        assert_eq!(attr(event, "vsc_id"), vsc_id.to_string());
        assert!(
            max_burn <= bound,
            "block {height}: {kind} on {id} may burn {max_burn}, above f × the pledge counted \
             ({bound})"
        );
        assert!(
            burned <= max_burn,
            "block {height}: {kind} on {id} burned {burned} of {}, more than {max_burn} (f × \
             the pledge counted: {bound})",
            valoper(operator)
        );
        // Less only when the validator ran out of tokens, or the stake backing the consumer
        // did: it keeps at least one token when some delegations do not back the consumer (they
        // are not cut).
        let snapshot = sim.chain.storage.snapshot();
        let left = snapshot
            .validator(&operator)
            .expect("reads")
            .map_or(0, |v| v.tokens.0);
        let backing_left = snapshot.backing_tokens(&operator, id).expect("reads").0;
        assert!(
            burned == max_burn || left == 0 || backing_left <= 1,
            "block {height}: {kind} on {id} burned {burned} of {}, not {max_burn}, though it \
             has {left} tokens left, {backing_left} of them backing {id}",
            valoper(operator)
        );
        self.check_untouched(sim, block, infraction);
        let now = block_time(height).seconds;
        let jail = self.jails.entry((id, operator)).or_default();
        if kind == "consumer_slash" {
            assert!(
                !jail.tombstoned && self.charged.insert((id, operator, vsc_id)),
                "block {height}: {} slashed again on {id} (set after vsc {vsc_id}, {jail:?})",
                valoper(operator)
            );
            self.counts.consumer_slashes += 1;
            self.counts.slash_burned += burned;
        } else {
            self.counts.downtime_jails += 1;
            self.counts.downtime_burned += burned;
            let chain = self.chains.get_mut(&id).expect("the run's consumer");
            let (meter, _) = chain.meter.as_mut().expect("a launched consumer's meter");
            assert!(
                *meter >= 0,
                "block {height}: downtime on {id} handled with the slash meter at {meter}"
            );
            *meter -= i64::try_from(member.power).expect("fits");
        }
        let jail_seconds = i64::try_from(jail_seconds).expect("fits");
        jail.until = jail.until.max(now + jail_seconds);
        jail.tombstoned |= tombstone;
    }

    /// Checks an accepted choice: its event, when it takes effect (now when it is the choice
    /// in force, which also drops a pending one; else at the next epoch height, replacing a
    /// pending one); books it into the model.
    fn settle_choice(
        &mut self,
        sim: &Sim,
        height: u64,
        delegator: Address,
        operator: Address,
        backing: Backing,
        result: &ExecTxResult,
    ) {
        let model = self.choices.entry((delegator, operator)).or_default();
        let effective = if backing == model.current {
            model.pending = None;
            height
        } else {
            model.pending = Some((backing.clone(), next_epoch(height)));
            model.made_at = height;
            next_epoch(height)
        };
        let event = result
            .events
            .iter()
            .find(|e| e.kind == "set_delegation_consumers")
            .unwrap_or_else(|| panic!("block {height}: no set_delegation_consumers event"));
        assert_eq!(
            (
                attr(event, "delegator"),
                attr(event, "validator"),
                attr(event, "mode"),
                attr(event, "consumer_ids"),
                attr(event, "effective_height"),
            ),
            (
                delegator.to_string().as_str(),
                valoper(operator).as_str(),
                backing.mode.name(),
                ids_text(&backing.consumers).as_str(),
                effective.to_string().as_str(),
            ),
            "block {height}: the choice's event"
        );
        self.counts.choices_set += 1;
        if sim.trace {
            println!(
                "  {height}: {delegator} at {}: {backing:?} from height {effective}",
                valoper(operator)
            );
        }
    }

    /// After a successful consumer infraction: a delegation of the offender whose choice
    /// excludes the consumer keeps its unbonding entries whole and its value — to within a
    /// uramp of rounding — but for what its stake that stopped backing the consumer at or after
    /// the infraction height owes (nothing when its choice was in force when the stake was
    /// counted). Delegations whose value may move for other reasons in the block are left out:
    /// their delegator's own transactions, its redelegations (a slash of their source cuts the
    /// destination), a pending choice applied in it, a provider slash or another consumer
    /// infraction of the validator in it.
    fn check_untouched(&mut self, sim: &Sim, block: &BlockFacts, infraction: &Infraction) {
        let (height, id, operator) = (block.height, infraction.id, infraction.member.operator);
        let snapshot = sim.chain.storage.snapshot();
        let Some(v) = snapshot.validator(&operator).expect("reads") else {
            return;
        };
        let classes = snapshot.backing_classes(&operator).expect("reads");
        if backing::excluded_weighted(&classes, id).expect("fits") != Decimal::ZERO {
            self.counts.partial_backing_slashes += 1;
        }
        let alone = block
            .infractions
            .iter()
            .filter(|(_, op)| *op == operator)
            .count()
            == 1;
        let valcons = rampart_core::ChainProfile::rampart().to_valcons(&v.consensus_address());
        if block.provider_slashes.contains(&valcons) || !alone {
            return;
        }
        for stake in &infraction.stakes {
            let who = stake.delegator;
            if stake.choice.backs(id) || infraction.busy.contains(&who) {
                continue;
            }
            // Entries of a delegator whose choice excludes the consumer are never cut, unless
            // it stopped backing the consumer after the infraction.
            let entries = match stake.moved {
                true => Vec::new(),
                false => rampart_staking::unbonding::load(&snapshot, &who, &operator)
                    .expect("reads")
                    .map(|ubd| ubd.entries)
                    .unwrap_or_default(),
            };
            for e in entries {
                let key = (
                    e.creation_height,
                    e.initial_balance.clone(),
                    format!("{:?}", e.completion_time),
                );
                if let Some((_, was)) = stake.entries.iter().find(|(k, _)| *k == key) {
                    assert_eq!(
                        &e.balance,
                        was,
                        "block {height}: an unbonding entry of {who} from {} was cut for {id}, \
                         which its choice {:?} excludes",
                        valoper(operator),
                        stake.choice
                    );
                }
            }
            if stake.redelegates || stake.pending_due.is_some_and(|due| due <= height) {
                continue;
            }
            let after = snapshot
                .delegation_shares(&who, &operator)
                .expect("reads")
                .map_or(0, |shares| v.tokens_for_shares(shares).expect("fits").0);
            let lost = stake.value.saturating_sub(after);
            if stake.settled {
                assert_eq!(
                    stake.moved_owes,
                    0,
                    "block {height}: {who} excludes {id} at {} since before the set charged, \
                     yet stake of it moved after the infraction",
                    valoper(operator)
                );
                self.counts.untouched_checks += 1;
            } else {
                self.counts.moved_checks += 1;
            }
            assert!(
                lost <= stake.moved_owes + 1,
                "block {height}: {who}'s delegation to {} (choice {:?}, in force since the set \
                 charged: {}) lost {lost} of {} to a slash for {id}, which it does not back; its \
                 moved stake owes {}",
                valoper(operator),
                stake.choice,
                stake.settled,
                stake.value,
                stake.moved_owes
            );
        }
    }

    /// After a block: the choices due at its height took effect (or were dropped, their
    /// validator gone) with their events, a removed validator's choices are forgotten, and every
    /// delegation's choice and pending choice are the modelled ones; the `DelegationConsumers`
    /// query answers for the delegations chosen in the block.
    fn check_choices(
        &mut self,
        sim: &Sim,
        response: &FinalizeBlock,
        height: u64,
        chosen: &[(Address, Address)],
    ) {
        let snapshot = sim.chain.storage.snapshot();
        let mut applied: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
        let mut dropped: BTreeMap<(String, String), String> = BTreeMap::new();
        for event in &response.events {
            let key = || {
                (
                    attr(event, "delegator").to_owned(),
                    attr(event, "validator").to_owned(),
                )
            };
            match event.kind.as_str() {
                "delegation_consumers_applied" => {
                    let choice = (
                        attr(event, "mode").to_owned(),
                        attr(event, "consumer_ids").to_owned(),
                    );
                    assert!(applied.insert(key(), choice).is_none());
                }
                "delegation_consumers_refused" => {
                    assert!(dropped
                        .insert(key(), attr(event, "reason").to_owned())
                        .is_none());
                }
                _ => {}
            }
        }
        for ((delegator, op), model) in &mut self.choices {
            let Some((backing, due)) = model.pending.clone() else {
                continue;
            };
            if due > height {
                continue;
            }
            assert_eq!(due, height, "a choice due at {due} still pending");
            let key = (delegator.to_string(), valoper(*op));
            let exists = snapshot.validator(op).expect("reads").is_some();
            if let Some((mode, ids)) = applied.remove(&key) {
                assert_eq!(
                    (mode.as_str(), ids),
                    (backing.mode.name(), ids_text(&backing.consumers)),
                    "block {height}: {delegator}'s choice at {} applied",
                    key.1
                );
                model.current = backing;
                model.since = height;
                self.counts.choices_applied += 1;
                assert!(
                    !(exists
                        && self
                            .absent
                            .get(op)
                            .is_some_and(|gone| *gone >= model.made_at)),
                    "block {height}: {delegator}'s choice made at {} for the removed {} applied \
                     to the validator created since",
                    model.made_at,
                    key.1
                );
            } else if let Some(reason) = dropped.remove(&key) {
                assert!(
                    !exists,
                    "block {height}: {delegator}'s choice at {} dropped ({reason}), though its \
                     validator exists",
                    key.1
                );
                self.counts.choices_dropped += 1;
            } else {
                panic!(
                    "block {height}: {delegator}'s choice at {} due now neither applied nor \
                     dropped",
                    key.1
                );
            }
            model.pending = None;
        }
        assert!(
            applied.is_empty() && dropped.is_empty(),
            "block {height}: choices applied or dropped though none was due: {applied:?} \
             {dropped:?}"
        );
        // Staking forgets the classes of a removed validator: its delegators back everything;
        // restaking forgets their pending choices.
        for ((_, op), model) in &mut self.choices {
            if snapshot.validator(op).expect("reads").is_none() {
                if !model.current.is_all() {
                    model.current = Backing::all();
                    model.since = height;
                }
                model.pending = None;
            }
        }
        for delegator in sim.delegators.iter().map(Key::address) {
            for op in sim.operators.iter().map(TestValidator::operator) {
                let model = self
                    .choices
                    .get(&(delegator, op))
                    .cloned()
                    .unwrap_or_default();
                let current = backing::choice(&snapshot, &delegator, &op).expect("reads");
                let pending = choice::pending(&snapshot, &delegator, &op).expect("reads");
                assert_eq!(
                    (&current, &pending),
                    (&model.current, &model.pending),
                    "block {height}: {delegator}'s choice at {} (current, pending)",
                    valoper(op)
                );
            }
        }
        for (delegator, op) in chosen {
            let model = self.choices[&(*delegator, *op)].clone();
            let answer: rpb::QueryDelegationConsumersResponse = sim.chain.query(
                "/rampart.restaking.v1.Query/DelegationConsumers",
                &rpb::QueryDelegationConsumersRequest {
                    delegator: delegator.to_string(),
                    validator: valoper(*op),
                },
            );
            let wire = |b: &Backing| rpb::DelegationChoice {
                mode: match b.mode {
                    Mode::All => rpb::BackingMode::All,
                    Mode::Only => rpb::BackingMode::Only,
                    Mode::Except => rpb::BackingMode::Except,
                } as i32,
                consumer_ids: b.consumers.clone(),
            };
            let backed: Vec<u64> = pledge::of_validator(&snapshot, op)
                .expect("reads")
                .iter()
                .map(|p| p.consumer_id)
                .filter(|id| model.current.backs(*id))
                .collect();
            let tokens = match (
                snapshot.validator(op).expect("reads"),
                snapshot.delegation_shares(delegator, op).expect("reads"),
            ) {
                (Some(v), Some(shares)) => v.tokens_for_shares(shares).expect("fits").0,
                _ => 0,
            };
            assert_eq!(
                answer,
                rpb::QueryDelegationConsumersResponse {
                    current: Some(wire(&model.current)),
                    pending: model.pending.as_ref().map(|(b, _)| wire(b)),
                    pending_height: model.pending.as_ref().map_or(0, |(_, h)| *h),
                    tokens: tokens.to_string(),
                    backed_consumer_ids: backed,
                },
                "block {height}: DelegationConsumers of {delegator} at {}",
                valoper(*op)
            );
        }
    }

    /// After a block: every launched consumer's set (the `ConsumerValidators` query) moves only
    /// at its launch and its epochs, and then holds exactly the validators that qualify.
    fn check_sets(&mut self, sim: &Sim, height: u64) {
        for (id, consumer) in self.in_phase(sim, &[Phase::Launched]) {
            let response: cpb::QueryConsumerValidatorsResponse = sim.chain.query(
                "/rampart.consumer.v1.Query/ConsumerValidators",
                &cpb::QueryConsumerValidatorsRequest { consumer_id: id },
            );
            let set: Vec<ConsumerValidator> = response
                .validators
                .iter()
                .map(|v| ConsumerValidator::from_proto(v).expect("a valid member"))
                .collect();
            // The provider accepts headers by the hash it recorded for the set last sent: that
            // set is the one the consumer runs, member for member.
            let snapshot = sim.chain.storage.snapshot();
            let last = sets::last_sent(&snapshot, id).expect("reads");
            let recorded = sets::records(&snapshot, id)
                .expect("reads")
                .into_iter()
                .find(|r| r.vsc_id == last)
                .unwrap_or_else(|| panic!("block {height}: {id}'s set {last} is not recorded"));
            let running: BTreeSet<([u8; 32], u64)> =
                set.iter().map(|m| (m.consumer_pubkey, m.power)).collect();
            let members: BTreeSet<([u8; 32], u64)> = sets::members(&snapshot, id, last)
                .expect("reads")
                .iter()
                .map(|m| (m.consumer_pubkey, m.power))
                .collect();
            assert_eq!(
                (sets::set_hash(&set).expect("hashes"), &running),
                (recorded.hash, &members),
                "block {height}: consumer {id} runs another set than the one recorded after \
                 vsc {last}"
            );
            let epoch = match consumer.params.blocks_per_epoch {
                0 => EPOCH,
                n => n,
            };
            if consumer.launch_height == height || height.is_multiple_of(epoch) {
                self.check_computed_set(sim, height, &consumer, &set);
                self.sets.insert(id, set);
            } else {
                assert_eq!(
                    self.sets.get(&id),
                    Some(&set),
                    "block {height}: consumer {id}'s set moved between its epochs"
                );
            }
        }
    }

    /// `set`, computed for `consumer` at the end of block `height`, has exactly the validators
    /// that qualify then (or the `max_validators` largest of them), each with the stake counted
    /// now.
    fn check_computed_set(
        &mut self,
        sim: &Sim,
        height: u64,
        consumer: &Consumer,
        set: &[ConsumerValidator],
    ) {
        self.counts.set_checks += 1;
        let id = consumer.id;
        let snapshot = sim.chain.storage.snapshot();
        let now = block_time(height);
        // Who qualifies, with its uncapped power: its pledge of the stake backing the consumer.
        let mut qualifying: BTreeMap<Address, u64> = BTreeMap::new();
        for p in pledge::of_consumer(&snapshot, id).expect("reads") {
            let Some(v) = snapshot.validator(&p.validator).expect("reads") else {
                continue;
            };
            let jailed_here =
                pledge::jailed_on_consumer(&snapshot, id, &p.validator, now).expect("reads");
            let key = consumer_keys::current(&snapshot, id, &p.validator).expect("reads");
            let backing = Self::backing_tokens(sim, height, &v, id);
            let pledged = backing * u128::from(p.pledge_bps) / 10_000;
            let power = u64::try_from(pledged / POWER_REDUCTION).expect("fits");
            if p.status == Status::Active
                && v.status == BondStatus::Bonded
                && !v.jailed
                && !jailed_here
                && key.is_some()
                && power > 0
            {
                qualifying.insert(p.validator, power);
            }
        }
        for m in set {
            let who = valoper(m.operator);
            let p = pledge::load(&snapshot, id, &m.operator)
                .expect("reads")
                .unwrap_or_else(|| panic!("block {height}: {who} in {id}'s set has no pledge"));
            assert!(
                p.status == Status::Active && p.pledge_bps == m.pledge_bps,
                "block {height}: {who} in {id}'s set has pledge {p:?}"
            );
            let v = snapshot
                .validator(&m.operator)
                .expect("reads")
                .unwrap_or_else(|| panic!("block {height}: {who} in {id}'s set is gone"));
            assert!(
                v.status == BondStatus::Bonded && !v.jailed,
                "block {height}: {who} in {id}'s set is not bonded or jailed on the provider"
            );
            assert!(
                !pledge::jailed_on_consumer(&snapshot, id, &m.operator, now).expect("reads"),
                "block {height}: {who} in {id}'s set is jailed on the consumer"
            );
            let jail = self
                .jails
                .get(&(id, m.operator))
                .copied()
                .unwrap_or_default();
            assert!(
                !jail.tombstoned && jail.until <= now.seconds,
                "block {height}: {who} in {id}'s set though jailed there by its infractions: \
                 {jail:?}"
            );
            assert_eq!(
                consumer_keys::current(&snapshot, id, &m.operator).expect("reads"),
                Some(m.consumer_pubkey),
                "block {height}: {who} in {id}'s set with another key than its current one"
            );
            let backing = Self::backing_tokens(sim, height, &v, id);
            let pledged = backing * u128::from(m.pledge_bps) / 10_000;
            assert_eq!(
                (
                    m.pledged_tokens.0,
                    u128::from(m.validator_power),
                    m.provider_height
                ),
                (pledged, backing / POWER_REDUCTION, height),
                "block {height}: {who}'s stake counted in {id}'s set (backing {id}: {backing} \
                 of its {} tokens)",
                v.tokens.0
            );
            // What a wallet reads of it: `ConsumerBacking`.
            let answer: rpb::QueryConsumerBackingResponse = sim.chain.query(
                "/rampart.restaking.v1.Query/ConsumerBacking",
                &rpb::QueryConsumerBackingRequest {
                    validator: who.clone(),
                    consumer_id: id,
                },
            );
            assert_eq!(
                answer,
                rpb::QueryConsumerBackingResponse {
                    validator_tokens: v.tokens.0.to_string(),
                    backing_tokens: backing.to_string(),
                    pledge_bps: m.pledge_bps,
                    pledged_tokens: pledged.to_string(),
                },
                "block {height}: ConsumerBacking of {who} on {id}"
            );
            assert!(
                m.power > 0 && u128::from(m.power) <= pledged / POWER_REDUCTION,
                "block {height}: {who}'s power {} in {id}'s set, pledged {pledged}",
                m.power
            );
            assert!(qualifying.contains_key(&m.operator));
            // Opted in by the validator that exists now: not by one staking removed since.
            let gone = self.absent.get(&m.operator).copied().unwrap_or(0);
            assert!(
                p.opt_in_height > gone,
                "block {height}: {who} in {id}'s set by a pledge of height {} though its \
                 validator did not exist at height {gone}: a re-created validator inherited the \
                 pledge (and consumer key) of the removed one",
                p.opt_in_height
            );
        }
        let members: BTreeSet<Address> = set.iter().map(|m| m.operator).collect();
        let max = consumer.params.max_validators as usize;
        if qualifying.len() <= max {
            assert_eq!(
                members.len(),
                qualifying.len(),
                "block {height}: {id}'s set leaves out qualifying validators"
            );
        } else {
            assert_eq!(set.len(), max, "block {height}: {id}'s set is not full");
            let smallest_in = members.iter().map(|op| qualifying[op]).min();
            let largest_out = qualifying
                .iter()
                .filter(|(op, _)| !members.contains(op))
                .map(|(_, power)| *power)
                .max();
            assert!(
                smallest_in >= largest_out,
                "block {height}: {id}'s set leaves out a larger validator"
            );
        }
    }

    /// The tokens of `v` backing consumer `id` (staking's
    /// [`backing_tokens`](rampart_staking::Validator::backing_tokens), the stake a consumer's set
    /// counts), checked against the sum of the delegations whose delegators chose not to back
    /// `id`: staking rounds the excluded stake up (backing stake is never overstated), by at most
    /// a uramp per such delegation and one for their sum.
    fn backing_tokens(sim: &Sim, height: u64, v: &rampart_staking::Validator, id: u64) -> u128 {
        let snapshot = sim.chain.storage.snapshot();
        let backing = v.backing_tokens(&snapshot, id).expect("reads").0;
        let mut excluded = 0;
        let mut excluding = 0;
        for (delegator, shares) in snapshot.validator_delegations(&v.operator).expect("reads") {
            if !backing::choice(&snapshot, &delegator, &v.operator)
                .expect("reads")
                .backs(id)
            {
                excluded += v.tokens_for_shares(shares).expect("fits").0;
                excluding += 1;
            }
        }
        let summed = v.tokens.0 - excluded;
        assert!(
            backing <= summed && summed <= backing + excluding + 1,
            "block {height}: {} has {backing} tokens backing {id}, though its delegations not \
             backing it are worth {excluded} of its {}",
            valoper(v.operator),
            v.tokens.0
        );
        backing
    }

    /// Books an event that moves a reward pool: rewards paid (never above the consumer's rate)
    /// and a deletion, which refunds the deposit to the owner and sends the pool to the
    /// community pool.
    fn book_pool_event(&mut self, height: u64, event: &tendermint::abci::Event) {
        let id = || -> u64 { attr(event, "consumer_id").parse().expect("consumer id") };
        let amount = |key: &str| -> u128 {
            let text = attr(event, key);
            let number = text.strip_suffix(DENOM).expect("uramp");
            number.parse().expect("an amount")
        };
        match event.kind.as_str() {
            "consumer_rewards" => {
                let (id, paid) = (id(), amount("amount"));
                let chain = self.chains.get_mut(&id).expect("the run's consumer");
                assert!(
                    paid <= chain.reward_rate && paid <= chain.pool,
                    "block {height}: consumer {id} paid {paid} at a rate of {} from {}",
                    chain.reward_rate,
                    chain.pool
                );
                chain.pool -= paid;
            }
            "consumer_deleted" => {
                let (id, refund) = (id(), amount("refund"));
                let community = match attr(event, "to_community_pool") {
                    "" => 0,
                    _ => amount("to_community_pool"),
                };
                let chain = self.chains.get_mut(&id).expect("the run's consumer");
                // The deposit goes back to the owner; what is left of the pool, which others
                // may have funded, to the community pool.
                assert_eq!(
                    (refund, community),
                    (DEPOSIT, chain.pool),
                    "block {height}: consumer {id}'s refund is not its deposit, or the \
                     community's share not its pool"
                );
                chain.pool = 0;
                self.owner_funds[chain.owner] += refund;
            }
            _ => {}
        }
    }

    /// After a block: every reward pool and every owner's balance is the modelled one.
    fn check_pools(&self, sim: &Sim, height: u64) {
        for (id, chain) in &self.chains {
            let answer: cpb::QueryRewardPoolResponse = sim.chain.query(
                "/rampart.consumer.v1.Query/RewardPool",
                &cpb::QueryRewardPoolRequest { consumer_id: *id },
            );
            let pool: u128 = answer
                .pool
                .iter()
                .map(|c| {
                    assert_eq!(c.denom, DENOM);
                    c.amount.parse::<u128>().expect("an amount")
                })
                .sum();
            assert_eq!(
                pool, chain.pool,
                "block {height}: consumer {id}'s reward pool"
            );
        }
        for (owner, funds) in self.owners.iter().zip(&self.owner_funds) {
            assert_eq!(
                sim.chain.balance(&owner.address(), DENOM),
                *funds,
                "block {height}: balance of owner {}",
                owner.address()
            );
        }
    }

    /// The slash meters at the start of block `height`: each due one gains an allowance —
    /// 30 % of its set's power, at least 1 — up to one allowance, and is due again a period
    /// later.
    fn replenish_meters(&mut self, height: u64) {
        let now = block_time(height).seconds;
        for (id, chain) in &mut self.chains {
            let Some((meter, next)) = chain.meter.as_mut() else {
                continue;
            };
            if *next <= now {
                let allowance = Self::allowance(&self.sets[id]);
                *meter = (*meter + allowance).min(allowance);
                *next = now + METER_PERIOD;
            }
        }
    }

    /// The slash meter allowance of a consumer running `set`.
    fn allowance(set: &[ConsumerValidator]) -> i64 {
        let total: u64 = set.iter().map(|m| m.power).sum();
        i64::try_from(total * 3 / 10).expect("fits").max(1)
    }

    /// After a block: a consumer launched in it starts its meter full, one stopped loses it, and
    /// every launched consumer's meter (the `SlashMeter` query) is the modelled one.
    fn check_meters(&mut self, sim: &Sim, height: u64) {
        let snapshot = sim.chain.storage.snapshot();
        let now = block_time(height).seconds;
        for (id, chain) in &mut self.chains {
            let consumer = rampart_consumer::state::must_load(&snapshot, *id).expect("reads");
            if consumer.phase != Phase::Launched {
                chain.meter = None;
                continue;
            }
            if consumer.launch_height == height {
                chain.meter = Some((Self::allowance(&self.sets[id]), now + METER_PERIOD));
            }
            let answer: cpb::QuerySlashMeterResponse = sim.chain.query(
                "/rampart.consumer.v1.Query/SlashMeter",
                &cpb::QuerySlashMeterRequest { consumer_id: *id },
            );
            let next = answer.next_replenish.map(|t| t.seconds);
            assert_eq!(
                Some((answer.meter, next.expect("a replenish time"))),
                chain.meter,
                "block {height}: consumer {id}'s slash meter"
            );
        }
    }

    /// After a block: no validator's worst case over its consumers (Σ slashable pledge ×
    /// double-sign fraction) is above `max_slash_exposure`, and none pledges to more than
    /// `max_consumers_per_validator` consumers: the bounds opt-ins and pledge increases are
    /// checked against keep holding as pledges, sets and departed stake move.
    fn check_exposure(&self, sim: &Sim, height: u64) {
        let snapshot = sim.chain.storage.snapshot();
        let now = block_time(height);
        let max = MAX_EXPOSURE.parse::<Decimal>().expect("a decimal");
        for v in &sim.operators {
            let terms = rampart_restaking::exposure::terms(&snapshot, &v.operator(), Some(now))
                .expect("reads");
            let total = rampart_restaking::exposure::total(&terms);
            assert!(
                total <= max,
                "block {height}: {} is exposed to {total} over its consumers: {terms:?}",
                valoper(v.operator())
            );
            assert!(
                terms.len() <= MAX_CONSUMERS_PER_VALIDATOR as usize,
                "block {height}: {} pledges to {} consumers",
                valoper(v.operator()),
                terms.len()
            );
        }
    }

    /// Whether `action` may legitimately be refused with `(codespace, code)` in this run.
    fn legitimate_refusal(action: Action, codespace: &str, code: u32) -> bool {
        let allowed: &[(&str, u32)] = match action {
            // Chain id taken or reserved.
            Action::RegisterConsumer => &[("consumer", 3), ("consumer", 18)],
            // Consumer stopped, already opted in, exposure, too many consumers, key taken,
            // tombstoned there, not bonded, consumer full.
            Action::OptIn => &[
                ("restaking", 4),
                ("restaking", 5),
                ("restaking", 7),
                ("restaking", 8),
                ("restaking", 9),
                ("restaking", 16),
                ("restaking", 20),
                ("restaking", 21),
            ],
            // Consumer stopped (earlier in the block), its pledges released (the consumer was
            // deleted at the start of the block), exposure.
            Action::OptOut | Action::SetPledge => &[
                ("restaking", 3),
                ("restaking", 4),
                ("restaking", 6),
                ("restaking", 7),
            ],
            // Consumer stopped, no active pledge there, key taken, not bonded.
            Action::AssignConsumerKey => &[
                ("restaking", 4),
                ("restaking", 6),
                ("restaking", 9),
                ("restaking", 20),
            ],
            // Not the owner.
            Action::RemoveConsumer => &[("consumer", 6), ("consumer", 7)],
            Action::FundConsumerRewards => &[("consumer", 7)],
            // The set was already charged, the validator is tombstoned there.
            Action::ConsumerDoubleVote => &[("restaking", 14), ("restaking", 16)],
            // The consumer removed earlier in the block, a replayed seq, the slash meter
            // negative.
            Action::ConsumerDowntime => &[("consumer", 7), ("consumer", 20), ("consumer", 22)],
            // A malformed choice (no mode, ALL naming consumers, a consumer named twice), a
            // consumer unknown, stopped or deleted, or never pledged to by the validator, no
            // delegation, no validator, the validator's distinct choices full (each refusal
            // is also the one predicted, `Expect::Choice`).
            Action::SetDelegationConsumers => &[
                ("restaking", 22),
                ("consumer", 5),
                ("restaking", 4),
                ("restaking", 23),
                ("staking", 19),
                ("restaking", 3),
                ("staking", 101),
            ],
            _ => &[],
        };
        allowed.contains(&(codespace, code))
    }
}

/// A number drawn in `range`.
fn draw(sim: &mut Sim, range: &std::ops::RangeInclusive<u64>) -> u64 {
    let drawn = sim
        .rng
        .between((*range.start()).into(), (*range.end()).into());
    u64::try_from(drawn).expect("in a u64 range")
}

/// `time` as a CometBFT time.
fn tendermint_time(time: BlockTime) -> tendermint::Time {
    tendermint::Time::from_unix_timestamp(time.seconds, time.nanos).expect("representable")
}

/// The block time of `height` in the modules' form.
fn block_time(height: u64) -> BlockTime {
    BlockTime {
        seconds: MockConsensus::time_of(height).unix_timestamp(),
        nanos: 0,
    }
}

impl Extension for Consumers {
    fn genesis(&self, app_state: &mut serde_json::Value) -> u128 {
        let parties: Vec<&Key> = self.owners.iter().chain(&self.relayers).collect();
        let balances = app_state["bank"]["balances"]
            .as_array_mut()
            .expect("balances");
        for party in &parties {
            balances.push(serde_json::json!({
                "address": party.address().to_string(),
                "coins": [{"denom": DENOM, "amount": PARTY_FUNDS.to_string()}],
            }));
        }
        app_state["consumer"] = serde_json::json!({"params": {
            "registration_deposit": [{"denom": DENOM, "amount": DEPOSIT.to_string()}],
            "max_consumer_slash_fraction": "0.1",
            "slash_meter_fraction": "0.3",
            "slash_meter_period_seconds": METER_PERIOD.to_string(),
        }});
        app_state["restaking"] = serde_json::json!({"params": {
            "max_slash_exposure": MAX_EXPOSURE,
            "max_consumers_per_validator": MAX_CONSUMERS_PER_VALIDATOR,
            "blocks_per_epoch": EPOCH,
        }});
        PARTY_FUNDS * parties.len() as u128
    }

    fn plan(
        &mut self,
        sim: &mut Sim,
        action: Action,
        busy: &mut BTreeSet<Address>,
    ) -> Option<Planned> {
        match action {
            Action::RegisterConsumer => self.plan_register(sim, busy),
            Action::OptIn => self.plan_opt_in(sim, busy),
            Action::OptOut | Action::SetPledge => self.plan_pledge_change(sim, action, busy),
            Action::AssignConsumerKey => self.plan_assign_key(sim, busy),
            Action::RemoveConsumer => self.plan_remove(sim, busy),
            Action::FundConsumerRewards => self.plan_fund(sim, busy),
            Action::ConsumerDoubleVote => self.plan_double_vote(sim, busy),
            Action::ConsumerDowntime => self.plan_downtime(sim, busy),
            Action::SetDelegationConsumers => self.plan_choice(sim, busy),
            other => unreachable!("{other:?} is the driver's"),
        }
    }

    fn check(&mut self, sim: &Sim, response: &FinalizeBlock, planned: &[Planned]) {
        let height = sim.chain.driver.height;
        self.replenish_meters(height);
        let expected = std::mem::take(&mut self.pending);
        let first = planned.len() - expected.len();
        let results = &response.tx_results[first..];
        let block = BlockFacts {
            height,
            infractions: expected
                .iter()
                .zip(results)
                .filter(|(_, result)| result.code.is_ok())
                .filter_map(|(expect, _)| match expect {
                    Expect::Slash(infraction) => Some((infraction.id, infraction.member.operator)),
                    _ => None,
                })
                .collect(),
            provider_slashes: response
                .events
                .iter()
                .filter(|e| e.kind == "slash")
                .map(|e| attr(e, "address").to_owned())
                .collect(),
        };
        let mut chosen = Vec::new();
        for ((p, result), expect) in planned[first..].iter().zip(results).zip(expected) {
            if result.code.is_ok() {
                if let Expect::Choice {
                    delegator,
                    operator,
                    ..
                } = &expect
                {
                    chosen.push((*delegator, *operator));
                }
                self.settle_success(sim, &block, expect, result);
                for event in &result.events {
                    self.book_pool_event(height, event);
                }
                continue;
            }
            let (codespace, code) = code(result);
            assert!(
                Self::legitimate_refusal(p.action, &codespace, code),
                "block {height}: {} refused with {codespace}/{code}: {}",
                p.summary,
                result.log
            );
            if let ((space, 22), Expect::Slash(infraction)) = ((codespace.as_str(), code), &expect)
            {
                assert_eq!(space, "consumer");
                let meter = self.chains[&infraction.id].meter;
                assert!(
                    meter.is_some_and(|(meter, _)| meter < 0),
                    "block {height}: {} throttled with the slash meter at {meter:?}",
                    p.summary
                );
                self.counts.throttled += 1;
            }
            if let Expect::Choice {
                refusal, may_also, ..
            } = &expect
            {
                let got = (codespace.as_str(), code);
                assert!(
                    *refusal == Some(got) || may_also.contains(&got),
                    "block {height}: {} refused with {codespace}/{code}, not {refusal:?}: {}",
                    p.summary,
                    result.log
                );
            }
        }
        for event in &response.events {
            self.book_pool_event(height, event);
            match event.kind.as_str() {
                "consumer_launched" => self.counts.launches += 1,
                "consumer_launch_failed" => self.counts.failed_launches += 1,
                "vsc_packet" => self.counts.packets += 1,
                "consumer_stopped" => self.counts.stops += 1,
                "consumer_deleted" => self.counts.deletions += 1,
                "consumer_rewards" => self.counts.rewards_paid += 1,
                _ => {}
            }
            if sim.trace && event.kind.starts_with("consumer_") {
                println!(
                    "  {height}: {} of {} {}",
                    event.kind,
                    attr(event, "consumer_id"),
                    attr(event, "reason")
                );
            }
        }
        // Consumer infractions happen in transactions only: no block event burns for them.
        assert!(
            !response
                .events
                .iter()
                .any(|e| e.kind == "consumer_slash" || e.kind == "consumer_downtime"),
            "block {height}: a consumer infraction outside a transaction"
        );
        let snapshot = sim.chain.storage.snapshot();
        for v in &sim.operators {
            if snapshot.validator(&v.operator()).expect("reads").is_none() {
                self.absent.insert(v.operator(), height);
            }
        }
        self.check_choices(sim, response, height, &chosen);
        self.check_sets(sim, height);
        self.check_meters(sim, height);
        self.check_pools(sim, height);
        self.check_exposure(sim, height);
    }

    fn finish(&self, sim: &Sim) {
        let c = &self.counts;
        println!("consumers: {c:?}");
        let kinds = Action::RESTAKING.map(|a| {
            (
                a,
                sim.stats.successes.get(&a).copied().unwrap_or(0),
                sim.stats.attempts.get(&a).copied().unwrap_or(0),
            )
        });
        for (action, ok, tried) in kinds {
            println!("  {action:?}: {ok} of {tried}");
            assert!(ok > 0, "no {action:?} succeeded: {c:?}");
        }
        assert!(
            c.launches > 0 && c.packets > 0 && c.set_checks > 0,
            "no consumer launched or changed its set: {c:?}"
        );
        assert!(
            c.consumer_slashes > 0 && c.slash_burned > 0,
            "no consumer double vote burned anything: {c:?}"
        );
        assert!(c.downtime_jails > 0, "no consumer downtime jailed: {c:?}");
        assert!(
            c.choices_applied > 0
                && c.partial_backing_slashes > 0
                && c.untouched_checks + c.moved_checks > 0,
            "no delegation choice took effect, or none met a slash of a consumer it excludes: \
             {c:?}"
        );
    }
}
