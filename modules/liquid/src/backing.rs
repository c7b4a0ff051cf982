//! What the liquid tokens back, and what they risk, with restaking's own pledge and exposure
//! arithmetic ([`rampart_restaking::exposure`]): the module's delegations keep the default
//! consumer choice (all the consumers their validator pledges to), so the module's stake
//! at validator V backs consumer C with `stake × V's pledge to C`, and an infraction on C can
//! cost it `stake × V's slashable pledge to C × C's double-sign fraction`. The worst case of a
//! token is the sum over its validators of `stake × V's total exposure`, over the whole stake.

use std::collections::BTreeMap;

use rampart_core::error::AppResult;
use rampart_core::math::mul_div;
use rampart_core::{Address, Amount, Decimal, StateRead};
use rampart_restaking::exposure;
use rampart_restaking::pledge::Status;
use rampart_restaking::StakeHolder;

use crate::rate::{self, Backing};

/// The module as a [`StakeHolder`] of restaking's security report (the app passes it to
/// `RestakingModule::with_holder`): its stake at a validator backs every consumer the validator
/// pledges to, as in [`per_consumer`].
#[derive(Debug, Clone, Copy, Default)]
pub struct LiquidHolder;

impl StakeHolder for LiquidHolder {
    fn name(&self) -> &'static str {
        crate::NAME
    }

    fn backing(&self, state: &dyn StateRead, op: &Address, _consumer_id: u64) -> AppResult<Amount> {
        rate::stake_at(state, op)
    }
}

/// The module's stake behind one consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerShare {
    /// The consumer.
    pub consumer_id: u64,
    /// Its chain id.
    pub chain_id: String,
    /// Σ stake × pledge over validators with an active (or opting-out) pledge, rounded down.
    pub tokens: Amount,
    /// Σ stake × slashable pledge × double-sign fraction, rounded up.
    pub worst_case_loss: Amount,
}

/// The module's stake per consumer, by consumer id: O(validators × their consumers), both
/// bounded (`max_validators`, `max_consumers_per_validator`).
pub fn per_consumer(state: &dyn StateRead, backing: &Backing) -> AppResult<Vec<ConsumerShare>> {
    let mut out: BTreeMap<u64, ConsumerShare> = BTreeMap::new();
    for (op, stake) in &backing.per_validator {
        if stake.is_zero() {
            continue;
        }
        for term in exposure::terms(state, op, None)? {
            let share = out
                .entry(term.pledge.consumer_id)
                .or_insert_with(|| ConsumerShare {
                    consumer_id: term.pledge.consumer_id,
                    chain_id: term.chain_id.clone(),
                    tokens: Amount::ZERO,
                    worst_case_loss: Amount::ZERO,
                });
            if matches!(term.pledge.status, Status::Active | Status::OptingOut) {
                let pledged = mul_div(stake.0, u128::from(term.pledge.pledge_bps), 10_000, false)?;
                share.tokens = share.tokens.checked_add(Amount(pledged))?;
            }
            let loss = stake.mul_ceil(term.worst_case())?;
            share.worst_case_loss = share.worst_case_loss.checked_add(loss)?;
        }
    }
    Ok(out.into_values().collect())
}

/// The worst case of the whole stake across every consumer, exactly: Σ over validators of
/// `stake × total exposure`, in uramp × 10^-18 (each validator's exposure is restaking's
/// [`exposure::total`], at most 1).
pub fn worst_case_weight(state: &dyn StateRead, backing: &Backing) -> AppResult<u128> {
    let mut weight = 0u128;
    for (op, stake) in &backing.per_validator {
        if stake.is_zero() {
            continue;
        }
        let total = exposure::total(&exposure::terms(state, op, None)?).min(Decimal::ONE);
        let term = stake.0.checked_mul(total.0).ok_or_else(overflow)?;
        weight = weight.checked_add(term).ok_or_else(overflow)?;
    }
    Ok(weight)
}

fn overflow() -> rampart_core::AppError {
    rampart_core::AppError::sdk(rampart_core::SdkCode::Logic, "worst case overflows")
}

/// The worst-case loss in uramp (rounded up) and the fraction of a token's value lost (loss
/// over the whole stake, rounded up, at most 1; zero without stake).
pub fn worst_case(state: &dyn StateRead, backing: &Backing) -> AppResult<(Amount, Decimal)> {
    let weight = worst_case_weight(state, backing)?;
    let stake = backing.stake()?;
    let loss = Amount(weight.div_ceil(Decimal::ONE_ATTOS));
    if stake.is_zero() {
        return Ok((loss, Decimal::ZERO));
    }
    Ok((loss, Decimal(weight.div_ceil(stake.0)).min(Decimal::ONE)))
}
