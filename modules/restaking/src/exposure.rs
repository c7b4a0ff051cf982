//! Bounded contagion. A validator's worst case on consumer C is `slashable pledge(C) × C's
//! double-sign fraction`, where the slashable pledge is the largest of its active pledge, the
//! pledge counted in C's current set and stake that left C's set within C's unbonding period,
//! and the fraction is the larger of C's current one and a pending one. The sum over the
//! validator's consumers must stay at most `max_slash_exposure`, and the number of consumers
//! (pledges of any status) at most `max_consumers_per_validator`. Opt-ins, pledge increases and
//! raises of a consumer's fraction that would break either bound are refused.
//!
//! The sum is computed exactly: `Σ bps × fraction_attos ≤ max_attos × 10,000`.

use rampart_consumer::{ConsumerRead, Phase};
use rampart_core::error::AppResult;
use rampart_core::{Address, ChainProfile};
use rampart_core::{BlockTime, Decimal, StateRead};

use crate::errors::{err, RestakingCode};
use crate::params::RestakingParams;
use crate::pledge::{self, Pledge};

/// One consumer's term in a validator's exposure.
#[derive(Debug, Clone)]
pub struct Term {
    /// The pledge.
    pub pledge: Pledge,
    /// The consumer's chain id.
    pub chain_id: String,
    /// The largest slashable pledge in basis points.
    pub slashable_bps: u32,
    /// The consumer's double-sign fraction bound.
    pub fraction: Decimal,
}

impl Term {
    /// `bps × fraction` in units of 10^-22 (exact).
    fn weight(&self) -> u128 {
        u128::from(self.slashable_bps).saturating_mul(self.fraction.0)
    }

    /// `slashable_bps / 10,000 × fraction`, rounded up.
    pub fn worst_case(&self) -> Decimal {
        Decimal(self.weight().div_ceil(10_000))
    }
}

/// The exposure terms of validator `op` at `now` (`None`: count every recorded departed stake,
/// for queries that do not know the block time). Pledges to deleted consumers are skipped.
pub fn terms(state: &dyn StateRead, op: &Address, now: Option<BlockTime>) -> AppResult<Vec<Term>> {
    let mut out = Vec::new();
    for pledge in pledge::of_validator(state, op)? {
        let Some(consumer) = state.consumer(pledge.consumer_id)? else {
            continue;
        };
        if consumer.phase == Phase::Deleted {
            continue;
        }
        out.push(Term {
            slashable_bps: pledge.slashable_bps(now),
            chain_id: consumer.chain_id.clone(),
            fraction: consumer.double_sign_fraction_bound(),
            pledge,
        });
    }
    Ok(out)
}

/// Σ worst cases, rounded up.
pub fn total(terms: &[Term]) -> Decimal {
    let weight: u128 = terms
        .iter()
        .fold(0u128, |acc, t| acc.saturating_add(t.weight()));
    Decimal(weight.div_ceil(10_000))
}

/// Checks both bounds for `op` if its pledge to consumer `id` becomes `bps` and/or consumer
/// `id`'s fraction bound becomes `fraction` (both optional).
pub fn check(
    state: &dyn StateRead,
    params: &RestakingParams,
    op: &Address,
    id: u64,
    bps: Option<u32>,
    fraction: Option<Decimal>,
    now: Option<BlockTime>,
) -> AppResult<()> {
    let profile = ChainProfile::rampart();
    let mut terms = terms(state, op, now)?;
    let mut found = false;
    for term in terms.iter_mut().filter(|t| t.pledge.consumer_id == id) {
        found = true;
        if let Some(bps) = bps {
            term.slashable_bps = term.slashable_bps.max(bps);
        }
        if let Some(fraction) = fraction {
            term.fraction = term.fraction.max(fraction);
        }
    }
    if !found {
        if let Some(bps) = bps {
            let consumer = state.must_consumer(id)?;
            if terms.len() >= params.max_consumers_per_validator as usize {
                return Err(err(
                    RestakingCode::TooManyConsumers,
                    format!(
                        "validator {} already pledges to {} consumers (max_consumers_per_validator {})",
                        profile.to_valoper(op),
                        terms.len(),
                        params.max_consumers_per_validator
                    ),
                ));
            }
            terms.push(Term {
                pledge: Pledge {
                    validator: *op,
                    consumer_id: id,
                    pledge_bps: bps,
                    status: pledge::Status::Active,
                    in_set: None,
                    departed: None,
                    opt_in_height: 0,
                },
                chain_id: consumer.chain_id.clone(),
                slashable_bps: bps,
                fraction: fraction
                    .unwrap_or_default()
                    .max(consumer.double_sign_fraction_bound()),
            });
        }
    }
    let weight: u128 = terms
        .iter()
        .fold(0u128, |acc, t| acc.saturating_add(t.weight()));
    let bound = params.max_slash_exposure.0.saturating_mul(10_000);
    if weight > bound {
        return Err(err(
            RestakingCode::ExposureExceeded,
            format!(
                "validator {} would risk {} of its stake to slashing across its consumers, above max_slash_exposure {}",
                profile.to_valoper(op),
                total(&terms),
                params.max_slash_exposure
            ),
        ));
    }
    Ok(())
}
