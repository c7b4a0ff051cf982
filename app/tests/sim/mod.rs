//! The whole-chain simulation driver: [`Sim`] builds a seeded random chain (genesis validators,
//! candidates, delegators), plans each block's transactions ([`actions`]) and faults
//! ([`faults`]), delivers them through [`rampart_testkit::MockConsensus`] and books the results
//! into a model of the balances, checking supply, balances and the validator set after every
//! block. The documentation of `simulation.rs` says what is simulated and checked. An
//! [`Extension`] adds to the genesis, plans more transactions of the [`Action::RESTAKING`] kinds
//! and checks more after each block (`restaking_simulation.rs`); without one, a seed's history
//! is exactly the one `simulation.rs` pins.

mod actions;
mod faults;
mod rng;

use std::collections::{BTreeMap, BTreeSet};

use cosmos_sdk_proto::cosmos::staking::v1beta1::BondStatus;
use rampart_core::Address;
use rampart_liquid::LIQUID_DENOM;
use rampart_staking::StakingRead;
use rampart_testkit::events::attr;
use rampart_testkit::*;
use tendermint::abci::response::FinalizeBlock;
use tendermint::abci::types::ExecTxResult;
use tendermint::abci::Event;

pub(crate) use actions::{Action, Effect, Planned};
use rng::SplitMix64;

/// Blocks simulated per run (one second each).
pub(crate) const BLOCKS: u64 = 150;
/// Self-delegations of the genesis validators (powers 10, 20, 15, 25).
pub(crate) const GENESIS_STAKES: [u128; 4] = [10_000_000, 20_000_000, 15_000_000, 25_000_000];
/// Seeds of the genesis validators' keys; the candidates follow.
pub(crate) const GENESIS_VALIDATOR_SEEDS: std::ops::RangeInclusive<u8> = 1..=4;
/// Seeds of the funded operators that may create a validator during the run.
pub(crate) const CANDIDATE_SEEDS: std::ops::RangeInclusive<u8> = 11..=16;
/// Genesis funds of each candidate operator.
pub(crate) const CANDIDATE_FUNDS: u128 = 40_000_000;
/// Genesis funds of each delegator.
pub(crate) const DELEGATOR_FUNDS: u128 = 50_000_000;
/// Unbonding time: entries and unbonding validators mature within a run.
pub(crate) const UNBONDING_SECONDS: i64 = 20;
/// Active-set size: with four genesis validators and six candidates, some fall out of it.
pub(crate) const MAX_VALIDATORS: u32 = 7;
/// Liveness window (half of it must be signed) and downtime jail.
pub(crate) const WINDOW: u64 = 10;
pub(crate) const JAIL_SECONDS: i64 = 15;
/// How long before the first block the genesis is dated (see the module documentation).
pub(crate) const GENESIS_AGE_SECONDS: i64 = 25 * 3600;
/// The liquid module's epoch: its batches go out every 10 blocks and mature within a run.
pub(crate) const LIQUID_EPOCH_BLOCKS: u64 = 10;
/// Gas limit of every transaction: enough for any message here, never the reason of a failure.
pub(crate) const GAS: u64 = 1_000_000;

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Stats {
    pub(crate) attempts: BTreeMap<Action, u32>,
    pub(crate) successes: BTreeMap<Action, u32>,
    pub(crate) downtime_slashes: u32,
    pub(crate) double_sign_slashes: u32,
    pub(crate) minted: u128,
    pub(crate) burned: u128,
    pub(crate) rewards_withdrawn: u128,
    pub(crate) unbondings_completed: u32,
    /// Liquid unstake requests paid out (`liquid_unbonding_paid` events).
    pub(crate) liquid_paid: u32,
}

/// More of a run, added to the provider chain of the driver: the consumer chains of
/// `restaking_simulation.rs`.
pub(crate) trait Extension {
    /// Adds to the genesis `app_state` (before the genesis validators); returns the tokens it
    /// added to the supply.
    fn genesis(&self, app_state: &mut serde_json::Value) -> u128;
    /// Plans a transaction of kind `action` (one of [`Action::RESTAKING`]) for this block, whose
    /// signer must not be in `busy` (and is added to it); `None` when there is nothing to try.
    fn plan(
        &mut self,
        sim: &mut Sim,
        action: Action,
        busy: &mut BTreeSet<Address>,
    ) -> Option<Planned>;
    /// Checks the block just booked by the driver: `planned` are all its transactions, this
    /// extension's last, in the order of `response.tx_results`.
    fn check(&mut self, sim: &Sim, response: &FinalizeBlock, planned: &[Planned]);
    /// Checks, at the end of a run, that it exercised what the extension is about.
    fn finish(&self, sim: &Sim);
}

/// What a run simulates: a seed (alone: the provider chain of `simulation.rs`) and an optional
/// [`Extension`].
pub(crate) struct Setup {
    /// The seed of the run's random numbers.
    pub(crate) seed: u64,
    /// What the run adds to the provider chain, if anything.
    pub(crate) extension: Option<Box<dyn Extension>>,
}

impl From<u64> for Setup {
    fn from(seed: u64) -> Self {
        Self {
            seed,
            extension: None,
        }
    }
}

/// The outcome of one run: the app hash of every block and the statistics.
pub(crate) struct Run {
    pub(crate) app_hashes: Vec<Vec<u8>>,
    pub(crate) stats: Stats,
}

pub(crate) struct Sim {
    pub(crate) chain: Chain,
    pub(crate) rng: SplitMix64,
    /// Every operator: the genesis validators, then the candidates.
    pub(crate) operators: Vec<TestValidator>,
    pub(crate) delegators: Vec<Key>,
    /// Addresses that only ever receive rewards (withdraw addresses).
    reward_sinks: Vec<Address>,
    /// Modelled uramp balance of every delegator and reward sink (signed: credits and debits of
    /// one block are applied in event order, not in execution order).
    expected: BTreeMap<Address, i128>,
    /// Modelled lsuramp balance of every delegator: minted by its liquid stakes, less what it
    /// unstaked.
    expected_liquid: BTreeMap<Address, u128>,
    /// Withdraw address of each delegator, as the model knows it.
    withdraw_to: BTreeMap<Address, Address>,
    /// Validators missing their votes: consensus address → last height they miss.
    absent_until: BTreeMap<[u8; 20], u64>,
    initial_supply: u128,
    pub(crate) stats: Stats,
    pub(crate) app_hashes: Vec<Vec<u8>>,
    /// Block before which the application is replaced by a fresh one over the same store, as
    /// when rampartd restarts: nothing kept in memory may change the app hashes.
    restart_before: Option<u64>,
    pub(crate) trace: bool,
    /// Taken out while it plans or checks (it gets the simulation itself).
    extension: Option<Box<dyn Extension>>,
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

/// The InitChain request of the run and the tokens `extension` added to the supply.
fn genesis_request(
    genesis_validators: &[&TestValidator],
    candidates: &[&TestValidator],
    delegators: &[Key],
    extension: Option<&dyn Extension>,
) -> (tendermint::abci::request::InitChain, u128) {
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
        "staking": staking_section(UNBONDING_SECONDS, MAX_VALIDATORS),
        "slashing": slashing_section(WINDOW, JAIL_SECONDS),
        "liquid": {"params": {
            "epoch_blocks": LIQUID_EPOCH_BLOCKS,
            "max_validator_share_bps": 2_000,
            "max_validators": 50,
        }},
    });
    let added = extension.map_or(0, |e| e.genesis(&mut app_state));
    let stakes: Vec<(&TestValidator, u128)> = genesis_validators
        .iter()
        .copied()
        .zip(GENESIS_STAKES)
        .collect();
    add_genesis_validators(&mut app_state, CHAIN_ID, &stakes);
    let mut request = init_chain_request(CHAIN_ID, 1, &app_state);
    request.time = tendermint::Time::from_unix_timestamp(GENESIS_UNIX - GENESIS_AGE_SECONDS, 0)
        .expect("representable");
    (request, added)
}

impl Sim {
    pub(crate) fn new(setup: impl Into<Setup>, restart_before: Option<u64>) -> Self {
        let Setup { seed, extension } = setup.into();
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
        let (request, added) = genesis_request(
            &genesis.iter().collect::<Vec<_>>(),
            &candidates.iter().collect::<Vec<_>>(),
            &delegators,
            extension.as_deref(),
        );
        let (chain, first_block) = Chain::from_request(request);
        let initial_supply = GENESIS_STAKES.iter().sum::<u128>()
            + CANDIDATE_FUNDS * candidates.len() as u128
            + DELEGATOR_FUNDS * delegators.len() as u128
            + added;
        let mut expected = BTreeMap::new();
        for delegator in &delegators {
            expected.insert(delegator.address(), DELEGATOR_FUNDS as i128);
        }
        for sink in &reward_sinks {
            expected.insert(*sink, 0);
        }
        let expected_liquid = delegators.iter().map(|d| (d.address(), 0)).collect();
        let mut sim = Self {
            chain,
            rng: SplitMix64(seed),
            operators,
            delegators,
            reward_sinks,
            expected,
            expected_liquid,
            withdraw_to: BTreeMap::new(),
            absent_until: BTreeMap::new(),
            initial_supply,
            stats: Stats::default(),
            app_hashes: Vec::new(),
            restart_before,
            trace: std::env::var_os("SIM_TRACE").is_some(),
            extension,
        };
        sim.settle(&first_block, &[]);
        sim
    }

    pub(crate) fn run(mut self, blocks: u64) -> Run {
        for _ in 0..blocks {
            self.step();
        }
        if let Some(extension) = &self.extension {
            extension.finish(&self);
        }
        Run {
            app_hashes: self.app_hashes,
            stats: self.stats,
        }
    }

    /// Height of the block being built.
    pub(crate) fn next_height(&self) -> u64 {
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
        // Then each extension kind with its weight as a percent chance, after the others.
        if let Some(mut extension) = self.extension.take() {
            for action in Action::RESTAKING {
                if self.rng.chance(action.weight()) {
                    planned.extend(extension.plan(self, action, &mut busy));
                }
            }
            self.extension = Some(extension);
        }
        let txs = planned.iter().map(|p| p.bytes.clone()).collect();
        let response = self.chain.driver.block_with(txs, misbehavior);
        self.settle(&response, &planned);
    }

    /// Books a block's events and results into the model and the statistics, then checks the
    /// supply and every modelled balance against the bank.
    fn settle(&mut self, response: &FinalizeBlock, planned: &[Planned]) {
        let height = self.chain.driver.height;
        self.app_hashes.push(response.app_hash.as_bytes().to_vec());
        // Begin- and end-block events first: rewards withdrawn there (a redelegation slashed at
        // its destination) go to the withdraw address set before this block's transactions —
        // but for those a delegation choice applied in end block settled
        // ([`end_block_withdrawals`]), booked after the transactions.
        let late = end_block_withdrawals(&response.events);
        for (index, event) in response.events.iter().enumerate() {
            if late.contains(&index) {
                continue;
            }
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
                "liquid_unbonding_paid" => {
                    self.stats.liquid_paid += 1;
                    if let Some(owner) = self.modelled(attr(event, "owner")) {
                        self.credit(owner, uramp(attr(event, "amount")));
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
                // A liquid message is refused only for what the simulation sends wrong on
                // purpose (zero, the wrong denom, a validator not bonded or named twice, more
                // than held) or what the chain's state allows (nothing minted at the rate, no
                // stake or no bonded validator); a short balance is the bank's `sdk/5`.
                assert!(
                    result.codespace != "liquid"
                        || matches!(result.code.value(), 2 | 3 | 5 | 7..=11),
                    "block {height}: {:?} refused with liquid/{}: {}",
                    p.action,
                    result.code.value(),
                    result.log
                );
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
                self.book_consumer_burn(event);
                self.book_liquid(event);
            }
        }
        for index in late {
            self.book_rewards(&response.events[index]);
        }
        self.check_books(height);
        self.check_validator_set(height);
        if let Some(mut extension) = self.extension.take() {
            extension.check(self, response, planned);
            self.extension = Some(extension);
        }
    }

    /// Books the tokens a consumer infraction burned (`consumer_slash` and `consumer_downtime`
    /// events of a transaction: slashes of the pledge, not reported as `slash` events).
    fn book_consumer_burn(&mut self, event: &Event) {
        if event.kind == "consumer_slash" || event.kind == "consumer_downtime" {
            let burned = attr(event, "burned");
            let amount = burned
                .strip_suffix(DENOM)
                .unwrap_or_else(|| panic!("{}: burned {burned:?} in {DENOM}", event.kind));
            self.stats.burned += amount
                .parse::<u128>()
                .unwrap_or_else(|_| panic!("{}: burned {burned:?}", event.kind));
        }
    }

    /// Books a liquid stake's minted tokens and an unstake's escrowed ones into the modelled
    /// lsuramp balances.
    fn book_liquid(&mut self, event: &Event) {
        let (who, amount, minted) = match event.kind.as_str() {
            "liquid_stake" => (attr(event, "delegator"), attr(event, "minted"), true),
            "liquid_unstake" => (attr(event, "delegator"), attr(event, "amount"), false),
            _ => return,
        };
        let amount: u128 = amount
            .strip_suffix(LIQUID_DENOM)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{}: not an {LIQUID_DENOM} amount: {amount}", event.kind));
        let Some(address) = self.modelled(who) else {
            return;
        };
        if let Some(held) = self.expected_liquid.get_mut(&address) {
            *held = if minted {
                *held + amount
            } else {
                held.checked_sub(amount)
                    .expect("unstaked more than modelled")
            };
        }
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
                valoper(op)
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
        for (address, expected) in &self.expected_liquid {
            assert_eq!(
                self.chain.balance(address, LIQUID_DENOM),
                *expected,
                "block {height}: {LIQUID_DENOM} balance of {address} differs from the model"
            );
        }
    }
}

impl Run {
    /// Checks that `self` and `again` — the same seed, the second run restarted halfway — agree
    /// at every block and in their statistics, and that the final app hash is `seed`'s in
    /// `pins`; returns that hash (hex).
    pub(crate) fn agrees_and_is_pinned(
        &self,
        again: &Run,
        seed: u64,
        pins: &[(u64, &str)],
    ) -> String {
        assert_eq!(self.app_hashes.len(), again.app_hashes.len());
        if let Some(block) = self
            .app_hashes
            .iter()
            .zip(&again.app_hashes)
            .position(|(a, b)| a != b)
        {
            panic!(
                "seed {seed:#x}: app hashes diverge at block {}",
                block as u64 + 1
            );
        }
        assert_eq!(self.stats, again.stats, "seed {seed:#x}");
        let last = self.app_hashes.last().map(|h| hex(h)).unwrap_or_default();
        let pinned = pins
            .iter()
            .find(|(pinned_seed, _)| *pinned_seed == seed)
            .map(|(_, hash)| *hash);
        assert_eq!(
            Some(last.as_str()),
            pinned,
            "seed {seed:#x}: the history's final app hash moved"
        );
        last
    }
}

/// The indexes in a block's `events` of the `withdraw_rewards` events of its end block: those
/// of the delegations whose consumer choice (`rampart.restaking.v1.MsgSetDelegationConsumers`)
/// took effect in it — moving a delegation to another backing class settles its rewards first,
/// so its `withdraw_rewards` event comes before the `delegation_consumers_applied` event of the
/// same delegation, with no other of either kind for it in between. (Begin- and end-block
/// events come in one list; end block runs after the transactions, so what it pays goes to the
/// withdraw address they set.)
fn end_block_withdrawals(events: &[Event]) -> BTreeSet<usize> {
    let pair = |e: &Event| {
        (
            attr(e, "delegator").to_owned(),
            attr(e, "validator").to_owned(),
        )
    };
    let mut out = BTreeSet::new();
    for (index, event) in events.iter().enumerate() {
        if event.kind != "withdraw_rewards" {
            continue;
        }
        let next = events[index + 1..].iter().find(|e| {
            (e.kind == "withdraw_rewards" || e.kind == "delegation_consumers_applied")
                && pair(e) == pair(event)
        });
        if next.is_some_and(|e| e.kind == "delegation_consumers_applied") {
            out.insert(index);
        }
    }
    out
}

/// `bytes` in lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
