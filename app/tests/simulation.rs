//! A seeded, reproducible randomized simulation of the whole chain — auth, bank, staking, mint,
//! distribution and slashing together — through real signed transactions in blocks driven like
//! CometBFT by [`MockConsensus`].
//!
//! The unit and scenario tests exercise each feature on its own; bugs between modules show up
//! when features interleave: a redelegation slashed by a double sign while its delegator
//! withdraws rewards to another address, a cancelled unbonding at a validator pushed out of the
//! active set, a downtime jail right after a commission change. So every block carries a few
//! random transactions among: create a validator (from a pool of funded candidates), delegate,
//! undelegate, redelegate, cancel an unbonding entry (its creation height read from state),
//! withdraw delegator rewards, withdraw validator commission, set a withdraw address, edit a
//! validator's commission, a bank send paying a fee, and unjail. Some delegator transactions carry
//! a second message (a reward withdrawal that fails without a delegation and must then undo the
//! first message, rewards paid by its hooks included). Operators also delegate, undelegate,
//! redelegate and cancel on their own account (a self-delegation below the minimum jails). Random
//! events happen between them: a validator with less than a third of the power misses its votes
//! for a stretch (downtime slash and jail), or CometBFT reports a duplicate vote of a validator of
//! a recent set with the power it had there (double-sign slash and tombstone).
//!
//! Many transactions fail, legitimately (insufficient funds, jailed validators, entry limits,
//! transitive redelegations, commission changes within 24 h…): failures are part of the test,
//! since a failed transaction must still charge its fee and change nothing else. Checked:
//!
//! - the chain-wide invariants ([`rampart_app::invariants`]) after every commit (the driver
//!   panics on a violation);
//! - after every block, the supply is the genesis supply plus what the `mint` events minted minus
//!   what the `slash` events burned;
//! - after every block, the bank balance of every delegator, and of every address collecting a
//!   delegator's rewards, equals a model kept from the simulation's own bookkeeping: genesis
//!   funds, minus the fees of transactions whose ante handler passed, minus successful
//!   delegations and sends, plus sends received, matured unbondings (`complete_unbonding` events)
//!   and withdrawn rewards (`withdraw_rewards` events, credited to the withdraw address the model
//!   tracks);
//! - after every block, the set CometBFT will use (the driver applies the returned diffs) is
//!   staking's active set: bonded, unjailed validators at their power;
//! - determinism: each seed runs twice on fresh stores, the second time with the application
//!   restarted halfway over its store, and both runs have the same app hash at every block;
//! - the run tested something: every transaction kind succeeded at least once, and at least one
//!   downtime slash and one double-sign slash happened.
//!
//! The genesis is dated a little over a day before the first block so that each genesis
//! validator may change its commission once during the run (one change per 24 h, creation
//! counting as one). A seed replays exactly; `SIM_TRACE=1` prints every block's transactions,
//! results, downtime stretches, evidence and slashes.

mod tx_support;

use std::collections::{BTreeMap, BTreeSet};

use cosmos_sdk_proto::cosmos::distribution::v1beta1::{
    MsgSetWithdrawAddress, MsgWithdrawDelegatorReward, MsgWithdrawValidatorCommission,
};
use cosmos_sdk_proto::cosmos::slashing::v1beta1::MsgUnjail;
use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    BondStatus, CommissionRates, Description, MsgBeginRedelegate, MsgCancelUnbondingDelegation,
    MsgCreateValidator, MsgDelegate, MsgEditValidator, MsgUndelegate,
};
use cosmos_sdk_proto::cosmos::tx::v1beta1::TxBody;
use prost::Message;
use rampart_app::testing::{
    add_genesis_validators, init_chain_request, MockConsensus, TestValidator, GENESIS_UNIX,
};
use rampart_auth::address::VALIDATOR_PREFIX;
use rampart_auth::Address;
use rampart_core::Decimal;
use rampart_staking::StakingRead;
use tendermint::abci::response::FinalizeBlock;
use tendermint::abci::types::{ExecTxResult, Misbehavior, MisbehaviorKind, Validator};
use tendermint::abci::Event;
use tendermint::{block, vote};
use tendermint_proto::google::protobuf::Any;
use tx_support::*;

/// Blocks simulated per run (one second each).
const BLOCKS: u64 = 150;
/// Self-delegations of the genesis validators (powers 10, 20, 15, 25).
const GENESIS_STAKES: [u128; 4] = [10_000_000, 20_000_000, 15_000_000, 25_000_000];
/// Seeds of the genesis validators' keys; the candidates follow.
const GENESIS_VALIDATOR_SEEDS: std::ops::RangeInclusive<u8> = 1..=4;
/// Seeds of the funded operators that may create a validator during the run.
const CANDIDATE_SEEDS: std::ops::RangeInclusive<u8> = 11..=16;
/// Genesis funds of each candidate operator.
const CANDIDATE_FUNDS: u128 = 40_000_000;
/// Genesis funds of each delegator.
const DELEGATOR_FUNDS: u128 = 50_000_000;
/// Unbonding time: entries and unbonding validators mature within a run.
const UNBONDING_SECONDS: i64 = 20;
/// Active-set size: with four genesis validators and six candidates, some fall out of it.
const MAX_VALIDATORS: u32 = 7;
/// Liveness window (half of it must be signed) and downtime jail.
const WINDOW: u64 = 10;
const JAIL_SECONDS: i64 = 15;
/// How long before the first block the genesis is dated (see the module documentation).
const GENESIS_AGE_SECONDS: i64 = 25 * 3600;
/// Gas limit of every transaction: enough for any message here, never the reason of a failure.
const GAS: u64 = 1_000_000;

/// splitmix64: a tiny, well-mixed deterministic generator, so a seed replays exactly.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi` (the modulo bias is irrelevant here).
    fn between(&mut self, lo: u128, hi: u128) -> u128 {
        assert!(lo <= hi, "empty range {lo}..={hi}");
        lo + u128::from(self.next()) % (hi - lo + 1)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.next() % len as u64).expect("fits")
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.index(items.len())])
    }
}

/// The transaction kinds the simulation sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    CreateValidator,
    Delegate,
    Undelegate,
    Redelegate,
    CancelUnbonding,
    WithdrawRewards,
    WithdrawCommission,
    SetWithdrawAddress,
    EditCommission,
    BankSend,
    Unjail,
}

impl Action {
    const ALL: [Action; 11] = [
        Action::CreateValidator,
        Action::Delegate,
        Action::Undelegate,
        Action::Redelegate,
        Action::CancelUnbonding,
        Action::WithdrawRewards,
        Action::WithdrawCommission,
        Action::SetWithdrawAddress,
        Action::EditCommission,
        Action::BankSend,
        Action::Unjail,
    ];

    /// Relative frequency of a randomly chosen action (unjail is decided separately, when a
    /// validator is jailed).
    fn weight(self) -> u64 {
        match self {
            Action::Delegate => 5,
            Action::Undelegate
            | Action::Redelegate
            | Action::CancelUnbonding
            | Action::WithdrawRewards => 4,
            Action::BankSend | Action::WithdrawCommission => 3,
            Action::CreateValidator | Action::SetWithdrawAddress | Action::EditCommission => 2,
            Action::Unjail => 0,
        }
    }
}

/// Who signs a transaction: a delegator key or a validator operator (by index).
#[derive(Debug, Clone, Copy)]
enum Actor {
    Delegator(usize),
    Operator(usize),
}

/// What a successful transaction does to the modelled balances (rewards withdrawn on the way
/// are read from its `withdraw_rewards` events).
#[derive(Debug, Clone, Copy)]
enum Effect {
    None,
    /// Tokens leave `from` (a delegation).
    Spend {
        from: Address,
        amount: u128,
    },
    /// A bank send between two modelled accounts.
    Transfer {
        from: Address,
        to: Address,
        amount: u128,
    },
    /// `delegator`'s rewards go to `to` from now on.
    SetWithdraw {
        delegator: Address,
        to: Address,
    },
}

/// A transaction of the block being built.
struct Planned {
    action: Action,
    bytes: Vec<u8>,
    /// The fee and its payer when the payer's balance is modelled.
    fee: Option<(Address, u128)>,
    effect: Effect,
    /// For the trace.
    summary: String,
}

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Stats {
    attempts: BTreeMap<Action, u32>,
    successes: BTreeMap<Action, u32>,
    downtime_slashes: u32,
    double_sign_slashes: u32,
    minted: u128,
    burned: u128,
    rewards_withdrawn: u128,
    unbondings_completed: u32,
}

/// The outcome of one run: the app hash of every block and the statistics.
struct Run {
    app_hashes: Vec<Vec<u8>>,
    stats: Stats,
}

struct Sim {
    chain: Chain,
    rng: SplitMix64,
    /// Every operator: the genesis validators, then the candidates.
    operators: Vec<TestValidator>,
    delegators: Vec<Key>,
    /// Addresses that only ever receive rewards (withdraw addresses).
    reward_sinks: Vec<Address>,
    /// Modelled uramp balance of every delegator and reward sink (signed: credits and debits of
    /// one block are applied in event order, not in execution order).
    expected: BTreeMap<Address, i128>,
    /// Withdraw address of each delegator, as the model knows it.
    withdraw_to: BTreeMap<Address, Address>,
    /// Validators missing their votes: consensus address → last height they miss.
    absent_until: BTreeMap<[u8; 20], u64>,
    initial_supply: u128,
    stats: Stats,
    app_hashes: Vec<Vec<u8>>,
    /// Block before which the application is replaced by a fresh one over the same store, as
    /// when rampartd restarts: nothing kept in memory may change the app hashes.
    restart_before: Option<u64>,
    trace: bool,
}

fn valoper(address: &Address) -> String {
    address.to_bech32(VALIDATOR_PREFIX)
}

fn any<M: Message>(type_url: &str, msg: &M) -> Any {
    Any {
        type_url: type_url.into(),
        value: msg.encode_to_vec(),
    }
}

fn attr<'a>(event: &'a Event, key: &str) -> &'a str {
    event
        .attributes
        .iter()
        .find(|a| a.key_bytes() == key.as_bytes())
        .and_then(|a| a.value_str().ok())
        .unwrap_or_default()
}

/// The amount of a `123uramp` coin string (empty: zero).
fn uramp(coins: &str) -> u128 {
    if coins.is_empty() {
        return 0;
    }
    coins
        .strip_suffix(DENOM)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a single {DENOM} amount: {coins:?}"))
}

/// Whether the ante handler passed (fee and sequence kept): it emits the `tx` events, and a
/// transaction whose ante handler failed has no events at all.
fn ante_passed(result: &ExecTxResult) -> bool {
    result.events.iter().any(|e| e.kind == "tx")
}

fn genesis_request(
    genesis_validators: &[&TestValidator],
    candidates: &[&TestValidator],
    delegators: &[Key],
) -> tendermint::abci::request::InitChain {
    let mut balances: Vec<serde_json::Value> = Vec::new();
    for candidate in candidates {
        balances.push(serde_json::json!({
            "address": candidate.operator().to_string(),
            "coins": [{"denom": DENOM, "amount": CANDIDATE_FUNDS.to_string()}],
        }));
    }
    for delegator in delegators {
        balances.push(serde_json::json!({
            "address": delegator.address().to_string(),
            "coins": [{"denom": DENOM, "amount": DELEGATOR_FUNDS.to_string()}],
        }));
    }
    // Mint keeps its default (7 % a year of uramp).
    let mut app_state = serde_json::json!({
        "bank": {"balances": balances},
        "staking": {"params": {
            "unbonding_time_seconds": UNBONDING_SECONDS,
            "max_validators": MAX_VALIDATORS,
            "max_entries": 7,
            "bond_denom": DENOM,
            "min_commission_rate": "0",
        }},
        "slashing": {"params": {
            "signed_blocks_window": WINDOW,
            "min_signed_per_window": "0.5",
            "downtime_jail_duration_seconds": JAIL_SECONDS,
            "slash_fraction_double_sign": "0.05",
            "slash_fraction_downtime": "0.01",
        }},
    });
    let stakes: Vec<(&TestValidator, u128)> = genesis_validators
        .iter()
        .copied()
        .zip(GENESIS_STAKES)
        .collect();
    add_genesis_validators(&mut app_state, CHAIN_ID, &stakes);
    let mut request = init_chain_request(CHAIN_ID, 1, &app_state);
    request.time = tendermint::Time::from_unix_timestamp(GENESIS_UNIX - GENESIS_AGE_SECONDS, 0)
        .expect("representable");
    request
}

impl Sim {
    fn new(seed: u64, restart_before: Option<u64>) -> Self {
        let operators: Vec<TestValidator> = GENESIS_VALIDATOR_SEEDS
            .chain(CANDIDATE_SEEDS)
            .map(TestValidator::new)
            .collect();
        let delegators = vec![
            Key::secp(101),
            Key::secp(102),
            Key::secp(103),
            Key::ed(104),
            Key::ed(105),
            Key::ed(106),
        ];
        let reward_sinks = vec![Address([0xA1; 20]), Address([0xA2; 20])];
        let (genesis, candidates) = operators.split_at(GENESIS_STAKES.len());
        let request = genesis_request(
            &genesis.iter().collect::<Vec<_>>(),
            &candidates.iter().collect::<Vec<_>>(),
            &delegators,
        );
        let (chain, first_block) = Chain::from_request(request);
        let initial_supply = GENESIS_STAKES.iter().sum::<u128>()
            + CANDIDATE_FUNDS * candidates.len() as u128
            + DELEGATOR_FUNDS * delegators.len() as u128;
        let mut expected = BTreeMap::new();
        for delegator in &delegators {
            expected.insert(delegator.address(), DELEGATOR_FUNDS as i128);
        }
        for sink in &reward_sinks {
            expected.insert(*sink, 0);
        }
        let mut sim = Self {
            chain,
            rng: SplitMix64(seed),
            operators,
            delegators,
            reward_sinks,
            expected,
            withdraw_to: BTreeMap::new(),
            absent_until: BTreeMap::new(),
            initial_supply,
            stats: Stats::default(),
            app_hashes: Vec::new(),
            restart_before,
            trace: std::env::var_os("SIM_TRACE").is_some(),
        };
        sim.settle(&first_block, &[]);
        sim
    }

    fn run(mut self, blocks: u64) -> Run {
        for _ in 0..blocks {
            self.step();
        }
        Run {
            app_hashes: self.app_hashes,
            stats: self.stats,
        }
    }

    /// Height of the block being built.
    fn next_height(&self) -> u64 {
        self.chain.driver.height + 1
    }

    /// One block: random events, random transactions, then the checks.
    fn step(&mut self) {
        let height = self.next_height();
        if self.restart_before == Some(height) {
            self.chain.driver.app = rampart_app::App::new(
                self.chain.storage.clone(),
                rampart_app::AppConfig::default(),
            );
        }
        self.update_downtime(height);
        let misbehavior = self.maybe_double_sign();
        let mut busy = BTreeSet::new();
        let mut planned = self.plan_unjails(&mut busy);
        // One to four random transactions besides the unjails, with a few tries since not every
        // action has something to act on.
        let wanted = planned.len() + usize::try_from(self.rng.between(1, 4)).expect("small");
        let total_weight: u64 = Action::ALL.iter().map(|a| a.weight()).sum();
        for _ in 0..12 {
            if planned.len() >= wanted {
                break;
            }
            let mut roll = self.rng.next() % total_weight;
            let action = Action::ALL
                .into_iter()
                .find(|a| {
                    if roll < a.weight() {
                        true
                    } else {
                        roll -= a.weight();
                        false
                    }
                })
                .expect("weights cover the roll");
            if let Some(p) = self.plan(action, &mut busy) {
                planned.push(p);
            }
        }
        let txs = planned.iter().map(|p| p.bytes.clone()).collect();
        let response = self.chain.driver.block_with(txs, misbehavior);
        self.settle(&response, &planned);
    }

    /// Ends finished downtime stretches and sometimes starts one: a validator of the current set
    /// with less than a third of its power stops signing for 9–16 blocks.
    fn update_downtime(&mut self, height: u64) {
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
    fn maybe_double_sign(&mut self) -> Vec<Misbehavior> {
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
        vec![Misbehavior {
            kind: MisbehaviorKind::DuplicateVote,
            validator: Validator {
                address,
                power: vote::Power::try_from(power).expect("power"),
            },
            height: block::Height::try_from(height).expect("height"),
            time: MockConsensus::time_of(height),
            total_voting_power: vote::Power::try_from(total).expect("power"),
        }]
    }

    /// `MsgUnjail` for jailed, not tombstoned validators: usually once the jail is over, now and
    /// then too early (which must fail).
    fn plan_unjails(&mut self, busy: &mut BTreeSet<Address>) -> Vec<Planned> {
        let snapshot = self.chain.storage.snapshot();
        let now = GENESIS_UNIX + i64::try_from(self.next_height()).expect("fits");
        let mut planned = Vec::new();
        for index in 0..self.operators.len() {
            let operator = self.operators[index].operator();
            let Some(v) = snapshot.validator(&operator.0).expect("reads") else {
                continue;
            };
            if !v.jailed {
                continue;
            }
            let info =
                rampart_slashing::signing::load(&snapshot, &v.consensus_address()).expect("reads");
            if info.as_ref().is_some_and(|i| i.tombstoned) {
                continue;
            }
            let jail_over = info.is_none_or(|i| i.jailed_until.seconds <= now);
            let self_bonded = snapshot.self_delegation_tokens(&operator.0).expect("reads")
                >= v.min_self_delegation;
            // Mostly when it can work; now and then too early or without enough self-delegation
            // (which must fail).
            let percent = match (self_bonded, jail_over) {
                (true, true) => 60,
                (true, false) => 8,
                (false, _) => 3,
            };
            if !self.rng.chance(percent) || !busy.insert(operator) {
                continue;
            }
            // An operator back from jail has fixed its node.
            self.absent_until.remove(&v.consensus_address());
            self.chain.driver.set_absent(v.consensus_address(), false);
            let msg = MsgUnjail {
                validator_addr: valoper(&operator),
            };
            planned.push(self.operator_tx(
                index,
                Action::Unjail,
                any("/cosmos.slashing.v1beta1.MsgUnjail", &msg),
                format!("unjail {}", valoper(&operator)),
            ));
        }
        planned
    }

    /// Plans `action` for a random signer that has no transaction in this block yet (`None`
    /// when there is nothing sensible to try).
    fn plan(&mut self, action: Action, busy: &mut BTreeSet<Address>) -> Option<Planned> {
        match action {
            Action::CreateValidator => self.plan_create_validator(busy),
            Action::WithdrawCommission | Action::EditCommission => {
                self.plan_validator_action(action, busy)
            }
            Action::Unjail => None,
            _ => {
                // Operators manage their own stake too (a self-delegation below the minimum jails
                // the validator; an empty unbonded validator is removed), but they neither send
                // nor redirect rewards: their balances are not modelled.
                let operator_may = matches!(
                    action,
                    Action::Delegate
                        | Action::Undelegate
                        | Action::Redelegate
                        | Action::CancelUnbonding
                        | Action::WithdrawRewards
                );
                let mut free: Vec<Actor> =
                    (0..self.delegators.len()).map(Actor::Delegator).collect();
                if operator_may && self.rng.chance(25) {
                    free = (0..self.operators.len()).map(Actor::Operator).collect();
                }
                free.retain(|actor| !busy.contains(&self.address_of(*actor)));
                let actor = *self.rng.pick(&free)?;
                let planned = self.plan_stake_action(action, actor)?;
                busy.insert(self.address_of(actor));
                Some(planned)
            }
        }
    }

    fn address_of(&self, actor: Actor) -> Address {
        match actor {
            Actor::Delegator(index) => self.delegators[index].address(),
            Actor::Operator(index) => self.operators[index].operator(),
        }
    }

    /// Operators of the validators that exist now, by index into `operators`.
    fn existing_validators(&self) -> Vec<usize> {
        let snapshot = self.chain.storage.snapshot();
        (0..self.operators.len())
            .filter(|i| {
                snapshot
                    .validator(&self.operators[*i].operator().0)
                    .expect("reads")
                    .is_some()
            })
            .collect()
    }

    fn random_validator(&mut self) -> Option<Address> {
        let existing = self.existing_validators();
        let index = *self.rng.pick(&existing)?;
        Some(self.operators[index].operator())
    }

    fn plan_create_validator(&mut self, busy: &mut BTreeSet<Address>) -> Option<Planned> {
        let existing = self.existing_validators();
        let candidates: Vec<usize> = (GENESIS_STAKES.len()..self.operators.len())
            .filter(|i| !existing.contains(i) && !busy.contains(&self.operators[*i].operator()))
            .collect();
        let index = *self.rng.pick(&candidates)?;
        let candidate = &self.operators[index];
        let operator = candidate.operator();
        busy.insert(operator);
        let stake = self.rng.between(1_000_000, 25_000_000);
        let rate_bps = u32::try_from(self.rng.between(500, 1_500)).expect("small");
        #[allow(deprecated)]
        let msg = MsgCreateValidator {
            description: Some(Description {
                moniker: format!("candidate-{index}"),
                ..Default::default()
            }),
            commission: Some(CommissionRates {
                rate: Decimal::from_bps(rate_bps).0.to_string(),
                max_rate: Decimal::from_bps(2_000).0.to_string(),
                max_change_rate: Decimal::from_bps(100).0.to_string(),
            }),
            min_self_delegation: "1".into(),
            delegator_address: operator.to_string(),
            validator_address: valoper(&operator),
            pubkey: Some(rampart_staking::validator::pubkey_to_any(
                &candidate.consensus_pubkey(),
            )),
            value: Some(coin(&stake.to_string(), DENOM)),
        };
        Some(self.operator_tx(
            index,
            Action::CreateValidator,
            any("/cosmos.staking.v1beta1.MsgCreateValidator", &msg),
            format!("create {} with {stake}", valoper(&operator)),
        ))
    }

    /// Withdraw commission or edit the commission rate of a random existing validator.
    fn plan_validator_action(
        &mut self,
        action: Action,
        busy: &mut BTreeSet<Address>,
    ) -> Option<Planned> {
        let free: Vec<usize> = self
            .existing_validators()
            .into_iter()
            .filter(|i| !busy.contains(&self.operators[*i].operator()))
            .collect();
        let index = *self.rng.pick(&free)?;
        let operator = self.operators[index].operator();
        busy.insert(operator);
        let (msg, summary) = if action == Action::WithdrawCommission {
            let msg = MsgWithdrawValidatorCommission {
                validator_address: valoper(&operator),
            };
            (
                any(
                    "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission",
                    &msg,
                ),
                format!("withdraw commission of {}", valoper(&operator)),
            )
        } else {
            let v = self
                .chain
                .storage
                .snapshot()
                .validator(&operator.0)
                .expect("reads")
                .expect("exists");
            // Within the allowed change (0–1 %, up or down) and the validator's range.
            let step = Decimal::from_bps(u32::try_from(self.rng.between(1, 100)).expect("small"));
            let up = v.commission.rate.checked_add(step).expect("small");
            let rate = match v.commission.rate.checked_sub(step) {
                Ok(down) if self.rng.chance(50) || up > v.commission.max_rate => down,
                _ => up,
            };
            let msg = MsgEditValidator {
                description: None,
                validator_address: valoper(&operator),
                commission_rate: rate.0.to_string(),
                min_self_delegation: String::new(),
            };
            (
                any("/cosmos.staking.v1beta1.MsgEditValidator", &msg),
                format!("set commission of {} to {rate}", valoper(&operator)),
            )
        };
        Some(self.operator_tx(index, action, msg, summary))
    }

    /// A fee-less transaction signed by operator `index`.
    fn operator_tx(&self, index: usize, action: Action, msg: Any, summary: String) -> Planned {
        let validator = &self.operators[index];
        let (number, sequence, _) = self
            .chain
            .account(&validator.operator())
            .expect("operators are funded at genesis");
        let body = TxBody {
            messages: vec![msg],
            ..Default::default()
        };
        Planned {
            action,
            bytes: validator.sign_tx(CHAIN_ID, number, sequence, body, GAS),
            fee: None,
            effect: Effect::None,
            summary,
        }
    }

    /// The delegations of `delegator` with the tokens they are worth now.
    fn delegations(&self, delegator: &Address) -> Vec<(Address, u128)> {
        let snapshot = self.chain.storage.snapshot();
        snapshot
            .delegations_of(&delegator.0)
            .expect("reads")
            .into_iter()
            .map(|(op, shares)| {
                let v = snapshot.validator(&op).expect("reads").expect("exists");
                (Address(op), v.tokens_for_shares(shares).expect("fits").0)
            })
            .collect()
    }

    /// An amount to take out of something worth `value`: usually part of it, sometimes all of
    /// it, now and then a little more (which must fail).
    fn portion(&mut self, value: u128) -> u128 {
        match self.rng.next() % 10 {
            0 => value + self.rng.between(1, 1_000),
            1 | 2 => value.max(1),
            _ => self.rng.between(1, value.max(1)),
        }
    }

    /// Plans a delegator's action (which operators may take too, fee-less) for `actor`.
    fn plan_stake_action(&mut self, action: Action, actor: Actor) -> Option<Planned> {
        let me = self.address_of(actor);
        let mut fee = if matches!(actor, Actor::Delegator(_)) && self.rng.chance(40) {
            self.rng.between(500, 5_000)
        } else {
            0
        };
        let mut effect = Effect::None;
        let (msg, summary) = match action {
            Action::Delegate => {
                // An operator often tops up its own validator (restoring a self-delegation it
                // took out lets it unjail).
                let op = match actor {
                    Actor::Operator(index)
                        if self.existing_validators().contains(&index) && self.rng.chance(50) =>
                    {
                        me
                    }
                    _ => self.random_validator()?,
                };
                let amount = self.rng.between(100_000, 6_000_000);
                effect = Effect::Spend { from: me, amount };
                let msg = MsgDelegate {
                    delegator_address: me.to_string(),
                    validator_address: valoper(&op),
                    amount: Some(coin(&amount.to_string(), DENOM)),
                };
                (
                    any("/cosmos.staking.v1beta1.MsgDelegate", &msg),
                    format!("{me} delegates {amount} to {}", valoper(&op)),
                )
            }
            Action::Undelegate => {
                let (op, value) = *self.rng.pick(&self.delegations(&me))?;
                let amount = self.portion(value);
                let msg = MsgUndelegate {
                    delegator_address: me.to_string(),
                    validator_address: valoper(&op),
                    amount: Some(coin(&amount.to_string(), DENOM)),
                };
                (
                    any("/cosmos.staking.v1beta1.MsgUndelegate", &msg),
                    format!("{me} undelegates {amount} of {value} from {}", valoper(&op)),
                )
            }
            Action::Redelegate => {
                let (src, value) = *self.rng.pick(&self.delegations(&me))?;
                let dst = self.random_validator()?;
                if dst == src {
                    return None;
                }
                let amount = self.portion(value);
                let msg = MsgBeginRedelegate {
                    delegator_address: me.to_string(),
                    validator_src_address: valoper(&src),
                    validator_dst_address: valoper(&dst),
                    amount: Some(coin(&amount.to_string(), DENOM)),
                };
                (
                    any("/cosmos.staking.v1beta1.MsgBeginRedelegate", &msg),
                    format!(
                        "{me} redelegates {amount} of {value} from {} to {}",
                        valoper(&src),
                        valoper(&dst)
                    ),
                )
            }
            Action::CancelUnbonding => {
                // Entries at unjailed validators mostly (at a jailed one, cancelling fails).
                let snapshot = self.chain.storage.snapshot();
                let mut entries: [Vec<(Address, i64, u128)>; 2] = Default::default();
                for op in snapshot.validator_operators() {
                    let Some(ubd) =
                        rampart_staking::unbonding::load(&snapshot, &me.0, &op).expect("reads")
                    else {
                        continue;
                    };
                    let jailed = snapshot
                        .validator(&op)
                        .expect("reads")
                        .is_some_and(|v| v.jailed);
                    for entry in &ubd.entries {
                        let balance: u128 = entry.balance.parse().expect("integer balance");
                        entries[usize::from(jailed)].push((
                            Address(op),
                            entry.creation_height,
                            balance,
                        ));
                    }
                }
                let [unjailed, jailed] = entries;
                let pool = if unjailed.is_empty() || self.rng.chance(15) {
                    jailed
                } else {
                    unjailed
                };
                let (op, creation_height, balance) = *self.rng.pick(&pool)?;
                let amount = self.portion(balance);
                let msg = MsgCancelUnbondingDelegation {
                    delegator_address: me.to_string(),
                    validator_address: valoper(&op),
                    amount: Some(coin(&amount.to_string(), DENOM)),
                    creation_height,
                };
                (
                    any(
                        "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
                        &msg,
                    ),
                    format!(
                        "{me} cancels {amount} of {balance} unbonding from {} (height {creation_height})",
                        valoper(&op)
                    ),
                )
            }
            Action::WithdrawRewards => {
                let delegations = self.delegations(&me);
                let op = match self.rng.pick(&delegations) {
                    Some((op, _)) if !self.rng.chance(10) => *op,
                    _ => self.random_validator()?,
                };
                let msg = MsgWithdrawDelegatorReward {
                    delegator_address: me.to_string(),
                    validator_address: valoper(&op),
                };
                (
                    any(
                        "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
                        &msg,
                    ),
                    format!("{me} withdraws rewards from {}", valoper(&op)),
                )
            }
            Action::SetWithdrawAddress => {
                let mut targets: Vec<Address> = self.delegators.iter().map(Key::address).collect();
                targets.extend(self.reward_sinks.iter().copied());
                let to = *self.rng.pick(&targets)?;
                effect = Effect::SetWithdraw { delegator: me, to };
                let msg = MsgSetWithdrawAddress {
                    delegator_address: me.to_string(),
                    withdraw_address: to.to_string(),
                };
                (
                    any("/cosmos.distribution.v1beta1.MsgSetWithdrawAddress", &msg),
                    format!("{me} sends its rewards to {to}"),
                )
            }
            Action::BankSend => {
                let others: Vec<Address> = self
                    .delegators
                    .iter()
                    .map(Key::address)
                    .filter(|a| *a != me)
                    .collect();
                let to = *self.rng.pick(&others)?;
                let amount = self.rng.between(1, 3_000_000);
                fee = self.rng.between(1_000, 5_000);
                effect = Effect::Transfer {
                    from: me,
                    to,
                    amount,
                };
                (
                    msg_send(&me, &to, vec![coin(&amount.to_string(), DENOM)]),
                    format!("{me} sends {amount} to {to}"),
                )
            }
            Action::CreateValidator
            | Action::WithdrawCommission
            | Action::EditCommission
            | Action::Unjail => unreachable!("operator actions"),
        };
        let index = match actor {
            Actor::Operator(index) => {
                return Some(Planned {
                    effect,
                    ..self.operator_tx(index, action, msg, format!("operator {summary}"))
                })
            }
            Actor::Delegator(index) => index,
        };
        let mut messages = vec![msg];
        let mut summary = summary;
        // Now and then a second message: a reward withdrawal from a random validator, which
        // fails without a delegation there and must then undo the first message too (rewards its
        // hooks paid included).
        if self.rng.chance(15) {
            let op = self.random_validator()?;
            let msg = MsgWithdrawDelegatorReward {
                delegator_address: me.to_string(),
                validator_address: valoper(&op),
            };
            messages.push(any(
                "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
                &msg,
            ));
            summary = format!("{summary}, then withdraws rewards from {}", valoper(&op));
        }
        let mut tx = TxBuilder::new(messages, vec![self.chain.signer(&self.delegators[index])]);
        tx.gas_limit = GAS;
        tx.fee = if fee == 0 {
            Vec::new()
        } else {
            vec![coin(&fee.to_string(), DENOM)]
        };
        Some(Planned {
            action,
            bytes: tx.build(),
            fee: Some((me, fee)),
            effect,
            summary: format!("{summary} (fee {fee})"),
        })
    }

    /// Books a block's events and results into the model and the statistics, then checks the
    /// supply and every modelled balance against the bank.
    fn settle(&mut self, response: &FinalizeBlock, planned: &[Planned]) {
        let height = self.chain.driver.height;
        self.app_hashes.push(response.app_hash.as_bytes().to_vec());
        // Begin- and end-block events first: rewards withdrawn there (a redelegation slashed at
        // its destination) go to the withdraw address set before this block's transactions.
        for event in &response.events {
            match event.kind.as_str() {
                "mint" => {
                    self.stats.minted += attr(event, "amount").parse::<u128>().expect("amount");
                }
                "slash" => {
                    let burned = uramp(attr(event, "burned"));
                    self.stats.burned += burned;
                    match attr(event, "reason") {
                        "missing_signature" => self.stats.downtime_slashes += 1,
                        "double_sign" => self.stats.double_sign_slashes += 1,
                        other => panic!("unknown slash reason {other}"),
                    }
                    if self.trace {
                        println!(
                            "  {height}: slash {} ({}), burned {burned}",
                            attr(event, "address"),
                            attr(event, "reason")
                        );
                    }
                }
                "complete_unbonding" => {
                    self.stats.unbondings_completed += 1;
                    let delegator = attr(event, "delegator");
                    if let Some(address) = self.modelled(delegator) {
                        self.credit(address, uramp(attr(event, "amount")));
                    }
                }
                _ => self.book_rewards(event),
            }
        }
        assert_eq!(response.tx_results.len(), planned.len());
        for (p, result) in planned.iter().zip(&response.tx_results) {
            *self.stats.attempts.entry(p.action).or_default() += 1;
            if let Some((payer, fee)) = p.fee {
                if ante_passed(result) {
                    self.debit(payer, fee);
                }
            }
            let ok = result.code.is_ok();
            if self.trace {
                let outcome = if ok { "ok" } else { result.log.as_str() };
                println!("  {height}: {:?}: {} → {outcome}", p.action, p.summary);
            }
            if !ok {
                assert!(
                    result.events.iter().all(|e| e.kind == "tx"
                        || e.kind == "coin_spent"
                        || e.kind == "coin_received"
                        || e.kind == "transfer"
                        || e.kind == "message"),
                    "block {height}: a failed {:?} kept message events: {:?}",
                    p.action,
                    result.events
                );
                continue;
            }
            *self.stats.successes.entry(p.action).or_default() += 1;
            match p.effect {
                Effect::None => {}
                Effect::Spend { from, amount } => self.debit(from, amount),
                Effect::Transfer { from, to, amount } => {
                    self.debit(from, amount);
                    self.credit(to, amount);
                }
                Effect::SetWithdraw { delegator, to } => {
                    self.withdraw_to.insert(delegator, to);
                }
            }
            for event in &result.events {
                self.book_rewards(event);
            }
        }
        self.check_books(height);
        self.check_validator_set(height);
    }

    /// The set CometBFT will use two heights on (the diffs FinalizeBlock returned, applied by
    /// the driver) is staking's active set: bonded, unjailed validators with their power.
    fn check_validator_set(&self, height: u64) {
        let snapshot = self.chain.storage.snapshot();
        let mut active = BTreeMap::new();
        for (op, power) in snapshot.active_set() {
            let v = snapshot
                .validator(&op)
                .expect("reads")
                .unwrap_or_else(|| panic!("block {height}: active validator {op:?} is gone"));
            assert!(
                !v.jailed && v.status == BondStatus::Bonded && v.power().expect("fits") == power,
                "block {height}: active {} is jailed, not bonded or not at power {power}: {v:?}",
                valoper(&Address(op))
            );
            active.insert(v.consensus_address(), (v.pubkey, power));
        }
        assert!(active.len() <= MAX_VALIDATORS as usize);
        assert_eq!(
            Some(&active),
            self.chain.driver.validators_at(height + 2),
            "block {height}: CometBFT's next set differs from staking's active set"
        );
    }

    /// Credits a `withdraw_rewards` event of a modelled delegator to its withdraw address.
    fn book_rewards(&mut self, event: &Event) {
        if event.kind != "withdraw_rewards" {
            return;
        }
        let Some(delegator) = self.modelled(attr(event, "delegator")) else {
            return;
        };
        let amount = uramp(attr(event, "amount"));
        self.stats.rewards_withdrawn += amount;
        let to = self
            .withdraw_to
            .get(&delegator)
            .copied()
            .unwrap_or(delegator);
        self.credit(to, amount);
    }

    /// The modelled address with bech32 form `text`.
    fn modelled(&self, text: &str) -> Option<Address> {
        self.expected
            .keys()
            .find(|address| address.to_string() == text)
            .copied()
    }

    /// Adds `amount` to the modelled balance of `address` (operators are not modelled).
    fn credit(&mut self, address: Address, amount: u128) {
        if let Some(balance) = self.expected.get_mut(&address) {
            *balance += i128::try_from(amount).expect("fits");
        }
    }

    /// Takes `amount` from the modelled balance of `address` (operators are not modelled).
    fn debit(&mut self, address: Address, amount: u128) {
        if let Some(balance) = self.expected.get_mut(&address) {
            *balance -= i128::try_from(amount).expect("fits");
        }
    }

    /// Supply = genesis + minted − burned; every modelled balance matches the bank.
    fn check_books(&self, height: u64) {
        assert_eq!(
            self.chain.supply(DENOM).0,
            self.initial_supply + self.stats.minted - self.stats.burned,
            "block {height}: supply ≠ genesis {} + minted {} − burned {}",
            self.initial_supply,
            self.stats.minted,
            self.stats.burned
        );
        for (address, expected) in &self.expected {
            let balance = self.chain.balance(address, DENOM);
            assert_eq!(
                i128::try_from(balance).expect("fits"),
                *expected,
                "block {height}: bank balance of {address} differs from the model"
            );
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `seed` twice on fresh stores — the second time restarting the application halfway —,
/// checks that both runs agree block by block and that the run exercised every transaction kind
/// and both kinds of slash, and prints what it did.
fn simulate_twice(seed: u64) {
    let first = Sim::new(seed, None).run(BLOCKS);
    let second = Sim::new(seed, Some(BLOCKS / 2 + seed % 10)).run(BLOCKS);
    assert_eq!(first.app_hashes.len(), second.app_hashes.len());
    if let Some(block) = first
        .app_hashes
        .iter()
        .zip(&second.app_hashes)
        .position(|(a, b)| a != b)
    {
        panic!(
            "seed {seed:#x}: app hashes diverge at block {}",
            block as u64 + 1
        );
    }
    assert_eq!(first.stats, second.stats, "seed {seed:#x}");
    let stats = first.stats;
    println!("seed {seed:#x} after {BLOCKS} blocks:");
    for action in Action::ALL {
        println!(
            "  {action:?}: {} of {}",
            stats.successes.get(&action).copied().unwrap_or(0),
            stats.attempts.get(&action).copied().unwrap_or(0)
        );
    }
    println!(
        "  slashes: {} downtime, {} double sign; minted {}, burned {}, rewards withdrawn {}, \
         unbondings completed {}",
        stats.downtime_slashes,
        stats.double_sign_slashes,
        stats.minted,
        stats.burned,
        stats.rewards_withdrawn,
        stats.unbondings_completed
    );
    for action in Action::ALL {
        assert!(
            stats.successes.get(&action).copied().unwrap_or(0) > 0,
            "seed {seed:#x}: no {action:?} succeeded: {stats:?}"
        );
    }
    assert!(
        stats.downtime_slashes > 0,
        "seed {seed:#x}: no downtime slash"
    );
    assert!(
        stats.double_sign_slashes > 0,
        "seed {seed:#x}: no double-sign slash"
    );
    assert!(
        stats.rewards_withdrawn > 0 && stats.unbondings_completed > 0,
        "seed {seed:#x}: no rewards withdrawn or no unbonding matured: {stats:?}"
    );
}

#[test]
fn simulation_seed_1() {
    simulate_twice(0x5EED_0001);
}

#[test]
fn simulation_seed_2() {
    simulate_twice(0x5EED_0002);
}

#[test]
fn simulation_seed_3() {
    simulate_twice(0x5EED_0003);
}
