//! What the simulation sends: the transaction kinds, who signs them, what a success does to the
//! modelled balances, and the planning of each block's transactions for random signers.

use std::collections::BTreeSet;

use rampart_core::{Address, Decimal};
use rampart_liquid::LIQUID_DENOM;
use rampart_staking::StakingRead;
use rampart_testkit::msgs::{
    cancel_unbonding, delegate, edit_validator, liquid_stake, liquid_unstake, rates_bps,
    redelegate, set_withdraw_address, undelegate, unjail, withdraw_commission, withdraw_reward,
    CreateValidator,
};
use rampart_testkit::*;
use tendermint_proto::google::protobuf::Any;

use super::{Sim, GAS, GENESIS_STAKES};

/// The transaction kinds the simulation sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Action {
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
    LiquidStake,
    LiquidUnstake,
    // The consumer-chain and restaking kinds, planned by an [`Extension`](super::Extension)
    // only (`restaking_simulation.rs`).
    RegisterConsumer,
    OptIn,
    OptOut,
    SetPledge,
    AssignConsumerKey,
    RemoveConsumer,
    FundConsumerRewards,
    ConsumerDoubleVote,
    ConsumerDowntime,
    SetDelegationConsumers,
}

impl Action {
    pub(crate) const ALL: [Action; 13] = [
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
        Action::LiquidStake,
        Action::LiquidUnstake,
    ];

    /// The kinds an [`Extension`](super::Extension) plans: the driver tries each of them with
    /// its [`Action::weight`] as a percent chance per block.
    pub(crate) const RESTAKING: [Action; 10] = [
        Action::RegisterConsumer,
        Action::OptIn,
        Action::OptOut,
        Action::SetPledge,
        Action::AssignConsumerKey,
        Action::RemoveConsumer,
        Action::FundConsumerRewards,
        Action::ConsumerDoubleVote,
        Action::ConsumerDowntime,
        Action::SetDelegationConsumers,
    ];

    /// Relative frequency of a randomly chosen action of [`Action::ALL`] (unjail is decided
    /// separately, when a validator is jailed); for the [`Action::RESTAKING`] kinds, the percent
    /// chance that a block tries one.
    pub(crate) fn weight(self) -> u64 {
        match self {
            Action::Delegate => 5,
            Action::Undelegate
            | Action::Redelegate
            | Action::CancelUnbonding
            | Action::WithdrawRewards => 4,
            Action::BankSend
            | Action::WithdrawCommission
            | Action::LiquidStake
            | Action::LiquidUnstake => 3,
            Action::CreateValidator | Action::SetWithdrawAddress | Action::EditCommission => 2,
            Action::Unjail => 0,
            Action::OptIn => 70,
            Action::SetDelegationConsumers => 30,
            Action::SetPledge => 20,
            Action::AssignConsumerKey | Action::ConsumerDowntime => 15,
            Action::RegisterConsumer | Action::FundConsumerRewards => 12,
            Action::ConsumerDoubleVote => 8,
            Action::OptOut => 6,
            Action::RemoveConsumer => 5,
        }
    }
}

/// Who signs a transaction: a delegator key or a validator operator (by index).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Actor {
    Delegator(usize),
    Operator(usize),
}

/// What a successful transaction does to the modelled balances (rewards withdrawn on the way
/// are read from its `withdraw_rewards` events).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Effect {
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
pub(crate) struct Planned {
    pub(crate) action: Action,
    pub(crate) bytes: Vec<u8>,
    /// The fee and its payer when the payer's balance is modelled.
    pub(crate) fee: Option<(Address, u128)>,
    pub(crate) effect: Effect,
    /// For the trace.
    pub(crate) summary: String,
}

impl Sim {
    /// `MsgUnjail` for jailed, not tombstoned validators: usually once the jail is over, now and
    /// then too early (which must fail).
    pub(crate) fn plan_unjails(&mut self, busy: &mut BTreeSet<Address>) -> Vec<Planned> {
        let snapshot = self.chain.storage.snapshot();
        let now = GENESIS_UNIX + i64::try_from(self.next_height()).expect("fits");
        let mut planned = Vec::new();
        for index in 0..self.operators.len() {
            let operator = self.operators[index].operator();
            let Some(v) = snapshot.validator(&operator).expect("reads") else {
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
            let self_bonded =
                snapshot.self_delegation_tokens(&operator).expect("reads") >= v.min_self_delegation;
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
            let msg = unjail(operator);
            planned.push(self.operator_tx(
                index,
                Action::Unjail,
                msg,
                format!("unjail {}", valoper(operator)),
            ));
        }
        planned
    }

    /// Plans `action` for a random signer that has no transaction in this block yet (`None`
    /// when there is nothing sensible to try).
    pub(crate) fn plan(&mut self, action: Action, busy: &mut BTreeSet<Address>) -> Option<Planned> {
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

    pub(crate) fn address_of(&self, actor: Actor) -> Address {
        match actor {
            Actor::Delegator(index) => self.delegators[index].address(),
            Actor::Operator(index) => self.operators[index].operator(),
        }
    }

    /// Operators of the validators that exist now, by index into `operators`.
    pub(crate) fn existing_validators(&self) -> Vec<usize> {
        let snapshot = self.chain.storage.snapshot();
        (0..self.operators.len())
            .filter(|i| {
                snapshot
                    .validator(&self.operators[*i].operator())
                    .expect("reads")
                    .is_some()
            })
            .collect()
    }

    pub(crate) fn random_validator(&mut self) -> Option<Address> {
        let existing = self.existing_validators();
        let index = *self.rng.pick(&existing)?;
        Some(self.operators[index].operator())
    }

    pub(crate) fn plan_create_validator(
        &mut self,
        busy: &mut BTreeSet<Address>,
    ) -> Option<Planned> {
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
        let msg = CreateValidator {
            with_delegator_address: true,
            commission: rates_bps(rate_bps, 2_000, 100),
            ..CreateValidator::new(
                &format!("candidate-{index}"),
                operator,
                candidate.consensus_pubkey(),
                stake,
            )
        }
        .to_any();
        Some(self.operator_tx(
            index,
            Action::CreateValidator,
            msg,
            format!("create {} with {stake}", valoper(operator)),
        ))
    }

    /// Withdraw commission or edit the commission rate of a random existing validator.
    pub(crate) fn plan_validator_action(
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
            let msg = withdraw_commission(operator);
            (msg, format!("withdraw commission of {}", valoper(operator)))
        } else {
            let v = self
                .chain
                .storage
                .snapshot()
                .validator(&operator)
                .expect("reads")
                .expect("exists");
            // Within the allowed change (0–1 %, up or down) and the validator's range.
            let step = Decimal::from_bps(u32::try_from(self.rng.between(1, 100)).expect("small"));
            let up = v.commission.rate.checked_add(step).expect("small");
            let rate = match v.commission.rate.checked_sub(step) {
                Ok(down) if self.rng.chance(50) || up > v.commission.max_rate => down,
                _ => up,
            };
            let msg = edit_validator(operator, Some(rate), None);
            (
                msg,
                format!("set commission of {} to {rate}", valoper(operator)),
            )
        };
        Some(self.operator_tx(index, action, msg, summary))
    }

    /// A fee-less transaction signed by operator `index`.
    pub(crate) fn operator_tx(
        &self,
        index: usize,
        action: Action,
        msg: Any,
        summary: String,
    ) -> Planned {
        Planned {
            action,
            bytes: self
                .chain
                .operator_tx(&self.operators[index], vec![msg], GAS),
            fee: None,
            effect: Effect::None,
            summary,
        }
    }

    /// The delegations of `delegator` with the tokens they are worth now.
    pub(crate) fn delegations(&self, delegator: &Address) -> Vec<(Address, u128)> {
        let snapshot = self.chain.storage.snapshot();
        snapshot
            .delegations_of(delegator)
            .expect("reads")
            .into_iter()
            .map(|(op, shares)| {
                let v = snapshot.validator(&op).expect("reads").expect("exists");
                (op, v.tokens_for_shares(shares).expect("fits").0)
            })
            .collect()
    }

    /// An amount to take out of something worth `value`: usually part of it, sometimes all of
    /// it, now and then a little more (which must fail).
    pub(crate) fn portion(&mut self, value: u128) -> u128 {
        match self.rng.next() % 10 {
            0 => value + self.rng.between(1, 1_000),
            1 | 2 => value.max(1),
            _ => self.rng.between(1, value.max(1)),
        }
    }

    /// What a `MsgLiquidStake` of `me` sends: mostly part of its balance over the module's
    /// default spread; now and then over one or two named validators (maybe jailed or
    /// unbonded, maybe named twice), zero, more than the balance or the wrong denom, which must
    /// fail.
    fn liquid_stake_input(&mut self, me: Address) -> (u128, &'static str, Vec<String>) {
        let balance = self.chain.balance(&me, DENOM);
        let mut validators = Vec::new();
        let (amount, denom) = match self.rng.next() % 20 {
            0 => (0, DENOM),
            1 => (balance + self.rng.between(1, 1_000), DENOM),
            2 => (self.rng.between(1, 1_000), LIQUID_DENOM),
            roll => {
                if roll < 6 {
                    for _ in 0..self.rng.between(1, 2) {
                        if let Some(op) = self.random_validator() {
                            validators.push(valoper(op));
                        }
                    }
                }
                (self.rng.between(100_000, 5_000_000), DENOM)
            }
        };
        (amount, denom, validators)
    }

    /// Plans a delegator's action (which operators may take too, fee-less) for `actor`.
    pub(crate) fn plan_stake_action(&mut self, action: Action, actor: Actor) -> Option<Planned> {
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
                let msg = delegate(me, op, amount);
                (msg, format!("{me} delegates {amount} to {}", valoper(op)))
            }
            Action::Undelegate => {
                let (op, value) = *self.rng.pick(&self.delegations(&me))?;
                let amount = self.portion(value);
                let msg = undelegate(me, op, amount);
                (
                    msg,
                    format!("{me} undelegates {amount} of {value} from {}", valoper(op)),
                )
            }
            Action::Redelegate => {
                let (src, value) = *self.rng.pick(&self.delegations(&me))?;
                let dst = self.random_validator()?;
                if dst == src {
                    return None;
                }
                let amount = self.portion(value);
                let msg = redelegate(me, src, dst, amount);
                (
                    msg,
                    format!(
                        "{me} redelegates {amount} of {value} from {} to {}",
                        valoper(src),
                        valoper(dst)
                    ),
                )
            }
            Action::CancelUnbonding => {
                // Entries at unjailed validators mostly (at a jailed one, cancelling fails).
                let snapshot = self.chain.storage.snapshot();
                let mut entries: [Vec<(Address, i64, u128)>; 2] = Default::default();
                for op in snapshot.validator_operators() {
                    let Some(ubd) =
                        rampart_staking::unbonding::load(&snapshot, &me, &op).expect("reads")
                    else {
                        continue;
                    };
                    let jailed = snapshot
                        .validator(&op)
                        .expect("reads")
                        .is_some_and(|v| v.jailed);
                    for entry in &ubd.entries {
                        let balance: u128 = entry.balance.parse().expect("integer balance");
                        entries[usize::from(jailed)].push((op, entry.creation_height, balance));
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
                let msg = cancel_unbonding(me, op, amount, creation_height);
                (
                    msg,
                    format!(
                        "{me} cancels {amount} of {balance} unbonding from {} (height {creation_height})",
                        valoper(op)
                    ),
                )
            }
            Action::WithdrawRewards => {
                let delegations = self.delegations(&me);
                let op = match self.rng.pick(&delegations) {
                    Some((op, _)) if !self.rng.chance(10) => *op,
                    _ => self.random_validator()?,
                };
                let msg = withdraw_reward(me, op);
                (msg, format!("{me} withdraws rewards from {}", valoper(op)))
            }
            Action::SetWithdrawAddress => {
                let mut targets: Vec<Address> = self.delegators.iter().map(Key::address).collect();
                targets.extend(self.reward_sinks.iter().copied());
                let to = *self.rng.pick(&targets)?;
                effect = Effect::SetWithdraw { delegator: me, to };
                let msg = set_withdraw_address(me, &to.to_string());
                (msg, format!("{me} sends its rewards to {to}"))
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
                    msg_send(me, to, vec![coin(&amount.to_string(), DENOM)]),
                    format!("{me} sends {amount} to {to}"),
                )
            }
            Action::LiquidStake => {
                let (amount, denom, validators) = self.liquid_stake_input(me);
                if denom == DENOM {
                    effect = Effect::Spend { from: me, amount };
                }
                let named = validators.len();
                let msg = liquid_stake(me, amount, denom, &validators);
                (
                    msg,
                    format!("{me} liquid-stakes {amount}{denom} over {named} named validators"),
                )
            }
            Action::LiquidUnstake => {
                let held = self.chain.balance(&me, LIQUID_DENOM);
                let amount = match self.rng.next() % 20 {
                    0 => 0,
                    1 => held + 1,
                    _ if held == 0 => return None,
                    _ => self.portion(held),
                };
                let msg = liquid_unstake(me, amount, LIQUID_DENOM);
                (
                    msg,
                    format!("{me} liquid-unstakes {amount}{LIQUID_DENOM} of {held}"),
                )
            }
            Action::CreateValidator
            | Action::WithdrawCommission
            | Action::EditCommission
            | Action::Unjail => unreachable!("operator actions"),
            _ => unreachable!("an extension plans {action:?}"),
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
            let msg = withdraw_reward(me, op);
            messages.push(msg);
            summary = format!("{summary}, then withdraws rewards from {}", valoper(op));
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
}
