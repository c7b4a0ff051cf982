//! Backing classes: delegators who back only some of their validator's consumers.
//!
//! A delegation backs every consumer of its validator (the default, class 0) unless its
//! delegator chose otherwise: [`Backing`] `only {ids}` or `except {ids}`. Delegations with the
//! same choice to the same validator form a [`Class`], a pool inside the validator with its own
//! exchange rate, so that a slash for consumer C can fall on C's backers only while every
//! delegation is still priced by the validator's one token/share rate:
//!
//! - the validator's `delegator_shares` are *weighted* shares, all worth the same tokens;
//! - class 0 delegations hold weighted shares directly (nothing changes for a validator whose
//!   delegators never chose — the state is byte for byte what it was without classes);
//! - a class holds `weighted_shares` of the validator and issues its members `class_shares`; a
//!   member's stored delegation shares are class shares, worth
//!   `class_shares_held × weighted_shares / class_shares` weighted shares ([`Class::weighted`]).
//!
//! This file is the class store (no dependency on validators or delegations). A delegation moves
//! between classes through [`crate::delegation::set_backing`]; a slash for C
//! ([`crate::slash_with_moved`]) cuts the validator's tokens and then raises the weighted shares
//! of every class not backing C so that their tokens are what they were: the backers' rate
//! falls, the others' holdings keep their value. A provider slash cuts every class alike.
//! Every step is O(classes of the validator), at most [`MAX_CLASSES_PER_VALIDATOR`]; a class is
//! never deleted while its validator exists, and an empty one is reused for a new choice.

use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::math::mul_div;
use rampart_core::{Address, Amount, ChainProfile, Decimal, StateRead, StateWrite};
use rampart_proto::rampart::staking::v1 as pb;
use std::collections::BTreeMap;

use crate::errors::{err, StakingCode};
use crate::keys;

/// The most backing classes (distinct choices) one validator holds.
pub const MAX_CLASSES_PER_VALIDATOR: usize = 32;

/// How a delegation picks the consumers it backs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// Every consumer of the validator, present and future (the default).
    All,
    /// Only the listed consumers.
    Only,
    /// Every consumer but the listed ones.
    Except,
}

impl Mode {
    /// The wire number (`rampart.restaking.v1.BackingMode`).
    pub fn number(self) -> u32 {
        match self {
            Mode::All => 1,
            Mode::Only => 2,
            Mode::Except => 3,
        }
    }

    /// From the wire number.
    pub fn from_number(n: u32) -> Option<Self> {
        [Mode::All, Mode::Only, Mode::Except]
            .into_iter()
            .find(|m| m.number() == n)
    }

    /// Lower-case name (events, genesis, CLI).
    pub fn name(self) -> &'static str {
        match self {
            Mode::All => "all",
            Mode::Only => "only",
            Mode::Except => "except",
        }
    }
}

/// A delegation's choice of consumers: a mode and a sorted, duplicate-free list of ids (empty
/// for `All`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Backing {
    /// The mode.
    pub mode: Mode,
    /// The consumers named, ascending.
    pub consumers: Vec<u64>,
}

impl Backing {
    /// The default: every consumer.
    pub fn all() -> Self {
        Self {
            mode: Mode::All,
            consumers: Vec::new(),
        }
    }

    /// A choice with its list sorted and deduplicated; `except {}` is `all`.
    pub fn new(mode: Mode, mut consumers: Vec<u64>) -> Self {
        consumers.sort_unstable();
        consumers.dedup();
        if mode == Mode::All || (mode == Mode::Except && consumers.is_empty()) {
            return Self::all();
        }
        Self { mode, consumers }
    }

    /// Whether stake with this choice backs consumer `id`.
    pub fn backs(&self, id: u64) -> bool {
        let named = self.consumers.binary_search(&id).is_ok();
        match self.mode {
            Mode::All => true,
            Mode::Only => named,
            Mode::Except => !named,
        }
    }

    /// Whether this is the default.
    pub fn is_all(&self) -> bool {
        self.mode == Mode::All
    }

    fn key_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.mode.number() as u8];
        for id in &self.consumers {
            out.extend_from_slice(&id.to_be_bytes());
        }
        out
    }
}

/// The stored form of a class.
#[derive(Clone, PartialEq, prost::Message)]
struct ClassRecord {
    #[prost(uint32, tag = "1")]
    mode: u32,
    #[prost(uint64, repeated, tag = "2")]
    consumers: Vec<u64>,
    /// Atto-units of the class shares issued to members.
    #[prost(string, tag = "3")]
    class_shares: String,
    /// Atto-units of the validator's weighted shares the class holds.
    #[prost(string, tag = "4")]
    weighted_shares: String,
    #[prost(uint64, tag = "5")]
    members: u64,
}

/// One backing class of a validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    /// The validator.
    pub validator: Address,
    /// Its number at the validator (1, 2, …; 0 is the default class, never stored).
    pub id: u32,
    /// The choice its members made.
    pub backing: Backing,
    /// Class shares issued to members (Σ of their stored delegation shares).
    pub class_shares: Decimal,
    /// The validator's weighted shares the class holds.
    pub weighted_shares: Decimal,
    /// Delegators whose choice this is (with or without a delegation now).
    pub members: u64,
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::sdk(
        SdkCode::Logic,
        format!("corrupt staking state (backing class): {e}"),
    )
}

impl Class {
    fn decode(validator: Address, id: u32, bytes: &[u8]) -> AppResult<Self> {
        let r = ClassRecord::decode(bytes).map_err(corrupt)?;
        let mode = Mode::from_number(r.mode).ok_or_else(|| corrupt("mode"))?;
        let dec =
            |s: &str| -> AppResult<Decimal> { s.parse::<u128>().map(Decimal).map_err(corrupt) };
        Ok(Self {
            validator,
            id,
            backing: Backing::new(mode, r.consumers),
            class_shares: dec(&r.class_shares)?,
            weighted_shares: dec(&r.weighted_shares)?,
            members: r.members,
        })
    }

    /// Stores the class and its index entry.
    pub(crate) fn save(&self, state: &mut dyn StateWrite) {
        let record = ClassRecord {
            mode: self.backing.mode.number(),
            consumers: self.backing.consumers.clone(),
            class_shares: self.class_shares.0.to_string(),
            weighted_shares: self.weighted_shares.0.to_string(),
            members: self.members,
        };
        state.put(
            keys::backing_class(&self.validator, self.id),
            record.encode_to_vec(),
        );
        state.put(
            keys::backing_class_by_choice(&self.validator, &self.backing.key_bytes()),
            self.id.to_be_bytes().to_vec(),
        );
    }

    /// Weighted shares worth `class_shares` of this class (rounded down).
    pub fn weighted(&self, class_shares: Decimal) -> AppResult<Decimal> {
        if self.class_shares == Decimal::ZERO {
            return Ok(Decimal::ZERO);
        }
        mul_div(
            class_shares.0,
            self.weighted_shares.0,
            self.class_shares.0,
            false,
        )
        .map(Decimal)
    }

    /// Adds `weighted` shares bought by a member; returns the class shares issued (1:1 in an
    /// empty class, rounded down otherwise).
    pub fn credit(&mut self, weighted: Decimal) -> AppResult<Decimal> {
        let issued = if self.class_shares == Decimal::ZERO || self.weighted_shares == Decimal::ZERO
        {
            weighted
        } else {
            Decimal(mul_div(
                weighted.0,
                self.class_shares.0,
                self.weighted_shares.0,
                false,
            )?)
        };
        self.class_shares = self.class_shares.checked_add(issued)?;
        self.weighted_shares = self.weighted_shares.checked_add(weighted)?;
        Ok(issued)
    }

    /// Takes `weighted` shares out for a member holding `held` class shares: returns the class
    /// shares it gives up (rounded up, at most `held`) and the weighted shares that leave (the
    /// class's whole holding when its last class shares leave, so no weighted share stays
    /// without an owner).
    pub fn debit(&mut self, weighted: Decimal, held: Decimal) -> AppResult<(Decimal, Decimal)> {
        let given = if self.weighted_shares == Decimal::ZERO {
            held
        } else {
            Decimal(mul_div(
                weighted.0,
                self.class_shares.0,
                self.weighted_shares.0,
                true,
            )?)
            .min(held)
        };
        let leaving = if given >= self.class_shares {
            self.weighted_shares
        } else {
            weighted.min(self.weighted_shares)
        };
        self.class_shares = self
            .class_shares
            .checked_sub(given.min(self.class_shares))?;
        self.weighted_shares = self.weighted_shares.checked_sub(leaving)?;
        Ok((given, leaving))
    }
}

/// Class `id` of validator `op`.
pub fn load(state: &dyn StateRead, op: &Address, id: u32) -> AppResult<Option<Class>> {
    state
        .get(&keys::backing_class(op, id))
        .map(|bytes| Class::decode(*op, id, &bytes))
        .transpose()
}

/// Every class of validator `op`, by id (at most [`MAX_CLASSES_PER_VALIDATOR`]).
pub fn of_validator(state: &dyn StateRead, op: &Address) -> AppResult<Vec<Class>> {
    let prefix = keys::join(keys::BACKING_CLASS, &[op]);
    state
        .scan_prefix(&prefix)
        .map(|(key, value)| {
            let id = key
                .get(prefix.len()..)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_be_bytes)
                .ok_or_else(|| corrupt("class key"))?;
            Class::decode(*op, id, &value)
        })
        .collect()
}

/// The class `delegator`'s delegations to `op` belong to (`None`: the default class).
pub fn class_of(
    state: &dyn StateRead,
    delegator: &Address,
    op: &Address,
) -> AppResult<Option<Class>> {
    match state.get(&keys::backing_choice(delegator, op)) {
        None => Ok(None),
        Some(bytes) => {
            let id = <[u8; 4]>::try_from(bytes.as_slice())
                .map(u32::from_be_bytes)
                .map_err(|_| corrupt("choice"))?;
            load(state, op, id)?
                .map(Some)
                .ok_or_else(|| corrupt(format!("choice names missing class {id}")))
        }
    }
}

/// The choice of `delegator` for its delegations to `op`.
pub fn choice(state: &dyn StateRead, delegator: &Address, op: &Address) -> AppResult<Backing> {
    Ok(class_of(state, delegator, op)?.map_or_else(Backing::all, |c| c.backing))
}

/// Whether `backing` could be given to one more delegator of `op`: it is `all`, its class exists
/// or an empty one can be reused, or fewer than [`MAX_CLASSES_PER_VALIDATOR`] exist.
pub fn has_room(state: &dyn StateRead, op: &Address, backing: &Backing) -> AppResult<bool> {
    if backing.is_all()
        || state
            .get(&keys::backing_class_by_choice(op, &backing.key_bytes()))
            .is_some()
    {
        return Ok(true);
    }
    let classes = of_validator(state, op)?;
    Ok(classes.len() < MAX_CLASSES_PER_VALIDATOR || classes.iter().any(|c| c.members == 0))
}

/// The class for `backing` at `op`: the existing one, an empty one reused, or a new one.
pub(crate) fn class_for(
    state: &mut dyn StateWrite,
    op: &Address,
    backing: &Backing,
) -> AppResult<Class> {
    if let Some(bytes) = state.get(&keys::backing_class_by_choice(op, &backing.key_bytes())) {
        let id = <[u8; 4]>::try_from(bytes.as_slice())
            .map(u32::from_be_bytes)
            .map_err(|_| corrupt("class index"))?;
        return load(state, op, id)?.ok_or_else(|| corrupt("class index names no class"));
    }
    let classes = of_validator(state, op)?;
    if let Some(empty) = classes.iter().find(|c| c.members == 0) {
        // Nobody holds it: its class shares are zero, and so are its weighted shares.
        state.delete(keys::backing_class_by_choice(
            op,
            &empty.backing.key_bytes(),
        ));
        return Ok(Class {
            backing: backing.clone(),
            class_shares: Decimal::ZERO,
            weighted_shares: Decimal::ZERO,
            ..empty.clone()
        });
    }
    if classes.len() >= MAX_CLASSES_PER_VALIDATOR {
        return Err(err(
            StakingCode::TooManyBackingClasses,
            format!(
                "the validator already has {MAX_CLASSES_PER_VALIDATOR} distinct consumer choices"
            ),
        ));
    }
    let id = classes
        .iter()
        .map(|c| c.id)
        .max()
        .unwrap_or(0)
        .checked_add(1)
        .ok_or_else(|| corrupt("class ids exhausted"))?;
    Ok(Class {
        validator: *op,
        id,
        backing: backing.clone(),
        class_shares: Decimal::ZERO,
        weighted_shares: Decimal::ZERO,
        members: 0,
    })
}

/// Of a validator's `tokens` (for `shares` weighted shares), those backing consumer `id`: all
/// less the tokens of its classes that do not back it (rounded so that backing stake is never
/// overstated).
pub fn backing_tokens(
    state: &dyn StateRead,
    op: &Address,
    tokens: Amount,
    shares: Decimal,
    id: u64,
) -> AppResult<Amount> {
    let excluded = excluded_weighted(&of_validator(state, op)?, id)?;
    if excluded == Decimal::ZERO || shares == Decimal::ZERO {
        return Ok(tokens);
    }
    let excluded_tokens = mul_div(excluded.0, tokens.0, shares.0, true)?;
    Ok(Amount(tokens.0.saturating_sub(excluded_tokens)))
}

/// Σ weighted shares of the classes in `classes` that do not back consumer `id`.
pub fn excluded_weighted(classes: &[Class], id: u64) -> AppResult<Decimal> {
    classes
        .iter()
        .filter(|c| !c.backing.backs(id))
        .try_fold(Decimal::ZERO, |sum, c| sum.checked_add(c.weighted_shares))
}

/// Imports the genesis classes and choices (before the delegations); returns Σ weighted shares
/// of the classes per validator, which with the default-class delegations make up its
/// `delegator_shares`.
pub fn import_genesis(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    classes: &[pb::BackingClass],
    choices: &[pb::BackingChoice],
) -> AppResult<BTreeMap<Address, Decimal>> {
    let bad =
        |what: String| AppError::sdk(SdkCode::JsonUnmarshal, format!("app_state.staking: {what}"));
    let mut weighted = BTreeMap::new();
    for g in classes {
        let op = profile.valoper(&g.validator_address, "validator_address")?;
        let mode = [Mode::Only, Mode::Except]
            .into_iter()
            .find(|m| m.name() == g.mode)
            .ok_or_else(|| {
                bad(format!(
                    "backing class mode {:?}: expected only or except",
                    g.mode
                ))
            })?;
        let backing = Backing::new(mode, g.consumer_ids.clone());
        if g.id == 0 || backing.is_all() || load(state, &op, g.id)?.is_some() {
            return Err(bad(format!(
                "backing class {} of {}: duplicate, zero or naming every consumer",
                g.id, g.validator_address
            )));
        }
        let class = Class {
            validator: op,
            id: g.id,
            backing,
            class_shares: g.class_shares.parse()?,
            weighted_shares: g.weighted_shares.parse()?,
            members: 0,
        };
        let sum: &mut Decimal = weighted.entry(op).or_default();
        *sum = sum.checked_add(class.weighted_shares)?;
        class.save(state);
    }
    for op in weighted.keys() {
        if of_validator(state, op)?.len() > MAX_CLASSES_PER_VALIDATOR {
            return Err(bad(format!(
                "more than {MAX_CLASSES_PER_VALIDATOR} backing classes"
            )));
        }
    }
    for g in choices {
        let delegator = profile.account(&g.delegator_address, "delegator_address")?;
        let op = profile.valoper(&g.validator_address, "validator_address")?;
        let mut class = load(state, &op, g.class_id)?.ok_or_else(|| {
            bad(format!(
                "choice of {} names unknown class {}",
                g.delegator_address, g.class_id
            ))
        })?;
        if state.get(&keys::backing_choice(&delegator, &op)).is_some() {
            return Err(bad(format!("duplicate choice of {}", g.delegator_address)));
        }
        class.members = class.members.saturating_add(1);
        class.save(state);
        state.put(
            keys::backing_choice(&delegator, &op),
            g.class_id.to_be_bytes().to_vec(),
        );
        state.put(keys::backing_member(&op, &delegator), Vec::new());
    }
    Ok(weighted)
}

/// The classes and choices of every validator in `ops`, in the genesis shape.
pub fn export_genesis(
    state: &dyn StateRead,
    profile: &ChainProfile,
    ops: &[Address],
) -> AppResult<(Vec<pb::BackingClass>, Vec<pb::BackingChoice>)> {
    let mut classes = Vec::new();
    let mut choices = Vec::new();
    for op in ops {
        for class in of_validator(state, op)? {
            classes.push(pb::BackingClass {
                validator_address: profile.to_valoper(op),
                id: class.id,
                mode: class.backing.mode.name().to_string(),
                consumer_ids: class.backing.consumers.clone(),
                class_shares: class.class_shares.to_string(),
                weighted_shares: class.weighted_shares.to_string(),
            });
        }
        let prefix = keys::join(keys::BACKING_MEMBER, &[op]);
        for (key, _) in state.scan_prefix(&prefix) {
            let Some(delegator) = keys::addr_at(&key, prefix.len()) else {
                continue;
            };
            if let Some(class) = class_of(state, &delegator, op)? {
                choices.push(pb::BackingChoice {
                    delegator_address: profile.to_account(&delegator),
                    validator_address: profile.to_valoper(op),
                    class_id: class.id,
                });
            }
        }
    }
    Ok((classes, choices))
}

/// Forgets every class and choice of a removed validator `op`.
pub fn forget_validator(state: &mut dyn StateWrite, op: &Address) {
    let members = keys::join(keys::BACKING_MEMBER, &[op]);
    let delegators: Vec<Address> = state
        .scan_prefix(&members)
        .filter_map(|(key, _)| keys::addr_at(&key, members.len()))
        .collect();
    for delegator in delegators {
        state.delete(keys::backing_choice(&delegator, op));
        state.delete(keys::backing_member(op, &delegator));
    }
    for prefix in [
        keys::join(keys::BACKING_CLASS, &[op]),
        keys::join(keys::BACKING_CLASS_BY_CHOICE, &[op]),
    ] {
        let stale: Vec<Vec<u8>> = state.scan_prefix(&prefix).map(|(key, _)| key).collect();
        for key in stale {
            state.delete(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(class_shares: u128, weighted: u128) -> Class {
        Class {
            validator: Address([1; 20]),
            id: 1,
            backing: Backing::new(Mode::Except, vec![3]),
            class_shares: Decimal(class_shares),
            weighted_shares: Decimal(weighted),
            members: 1,
        }
    }

    #[test]
    fn a_validator_holds_at_most_its_classes_and_reuses_an_empty_one() {
        use rampart_core::state::{EmptyState, Overlay};
        let mut state = Overlay::new(EmptyState);
        let op = Address([1; 20]);
        // Distinct choices: only {i} for i in 0..MAX.
        let choice = |i: usize| Backing::new(Mode::Only, vec![i as u64]);
        for i in 0..MAX_CLASSES_PER_VALIDATOR {
            assert!(has_room(&state, &op, &choice(i)).expect("reads"));
            let mut class = class_for(&mut state, &op, &choice(i)).expect("room");
            class.members = 1;
            class.save(&mut state);
        }
        let one_more = choice(MAX_CLASSES_PER_VALIDATOR);
        assert!(!has_room(&state, &op, &one_more).expect("reads"));
        assert!(
            has_room(&state, &op, &choice(3)).expect("reads"),
            "an existing class"
        );
        assert!(
            has_room(&state, &op, &Backing::all()).expect("reads"),
            "the default"
        );
        let e = class_for(&mut state, &op, &one_more).expect_err("full");
        assert_eq!(
            (e.codespace, e.code),
            ("staking", StakingCode::TooManyBackingClasses as u32)
        );
        // The last member of class 5 leaves: the new choice takes its place and its id.
        let mut emptied = load(&state, &op, 5).expect("reads").expect("class 5");
        emptied.members = 0;
        emptied.save(&mut state);
        assert!(has_room(&state, &op, &one_more).expect("reads"));
        let reused = class_for(&mut state, &op, &one_more).expect("reuses");
        assert_eq!((reused.id, reused.backing), (5, one_more));
        assert_eq!(
            of_validator(&state, &op).expect("reads").len(),
            MAX_CLASSES_PER_VALIDATOR
        );
    }

    #[test]
    fn a_choice_is_normalised_and_backs_what_it_names() {
        let only = Backing::new(Mode::Only, vec![5, 2, 5]);
        assert_eq!(only.consumers, vec![2, 5]);
        assert!(only.backs(2) && only.backs(5) && !only.backs(3));
        let except = Backing::new(Mode::Except, vec![2]);
        assert!(!except.backs(2) && except.backs(9));
        assert_eq!(Backing::new(Mode::Except, vec![]), Backing::all());
        assert!(Backing::all().backs(u64::MAX));
        assert_eq!(Backing::new(Mode::All, vec![4]), Backing::all());
    }

    #[test]
    fn credit_and_debit_keep_the_class_rate() {
        let mut c = class(0, 0);
        assert_eq!(c.credit(Decimal(100)).expect("fits"), Decimal(100));
        // The class doubled in weighted shares (a rebase): new members get half as many.
        c.weighted_shares = Decimal(200);
        assert_eq!(c.credit(Decimal(50)).expect("fits"), Decimal(25));
        assert_eq!(c.weighted(Decimal(25)).expect("fits"), Decimal(50));
        let (given, leaving) = c.debit(Decimal(50), Decimal(25)).expect("fits");
        assert_eq!((given, leaving), (Decimal(25), Decimal(50)));
        let (given, leaving) = c.debit(Decimal(999), Decimal(100)).expect("fits");
        assert_eq!(
            (given, leaving),
            (Decimal(100), Decimal(200)),
            "the last leave whole"
        );
        assert_eq!(
            (c.class_shares, c.weighted_shares),
            (Decimal::ZERO, Decimal::ZERO)
        );
    }
}
