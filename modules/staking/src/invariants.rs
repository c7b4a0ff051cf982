//! Staking's invariants, for test harnesses, simulations and audits: the pools hold exactly the
//! tokens staking accounts for, and every validator's shares are the sum of its delegations.

use cosmos_sdk_proto::cosmos::staking::v1beta1::BondStatus;
use rampart_core::ChainProfile;
use rampart_core::{Amount, AppResult, Decimal, StateRead};

use crate::bank::{Pool, StakingBank};
use crate::{backing, delegation, keys, read::StakingRead, validator};

/// Token totals staking accounts for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StakedTotals {
    /// Σ tokens of Bonded validators (the bonded pool's balance).
    pub bonded: Amount,
    /// Σ tokens of Unbonding/Unbonded validators + Σ unbonding entries (the not-bonded pool).
    pub not_bonded: Amount,
}

/// Checks that the bonded pool holds Σ tokens of bonded validators, the not-bonded pool holds
/// Σ tokens of the other validators plus every unbonding entry, and each validator's
/// `delegator_shares` is Σ of its default-class delegations' shares and its backing classes'
/// weighted shares, each class's shares being Σ of its members'. `Err` describes the first violation.
pub fn check(
    state: &dyn StateRead,
    bank: &dyn StakingBank,
) -> AppResult<Result<StakedTotals, String>> {
    let mut totals = StakedTotals::default();
    let base = keys::VALIDATOR.len();
    for (key, _) in state.scan_prefix(keys::VALIDATOR) {
        let Some(op) = keys::addr_at(&key, base) else {
            return Ok(Err(format!("malformed validator key {key:?}")));
        };
        let v = validator::must_load(state, &op)?;
        if v.status == BondStatus::Bonded {
            totals.bonded = totals.bonded.checked_add(v.tokens)?;
        } else {
            totals.not_bonded = totals.not_bonded.checked_add(v.tokens)?;
        }
        let classes = backing::of_validator(state, &op)?;
        let mut class_shares = vec![Decimal::ZERO; classes.len()];
        let mut shares = Decimal::ZERO;
        for (delegator, s) in delegation::stored_of_validator(state, &op)? {
            match backing::class_of(state, &delegator, &op)? {
                None => shares = shares.checked_add(s)?,
                Some(class) => {
                    if let Some(i) = classes.iter().position(|c| c.id == class.id) {
                        class_shares[i] = class_shares[i].checked_add(s)?;
                    }
                }
            }
        }
        for (class, held) in classes.iter().zip(class_shares) {
            if held != class.class_shares {
                return Ok(Err(format!(
                    "validator {} class {}: Σ members' shares {held} ≠ class shares {}",
                    ChainProfile::rampart().to_valoper(&op),
                    class.id,
                    class.class_shares
                )));
            }
            shares = shares.checked_add(class.weighted_shares)?;
        }
        if shares != v.delegator_shares {
            return Ok(Err(format!(
                "validator {}: Σ delegation shares {shares} ≠ delegator_shares {}",
                ChainProfile::rampart().to_valoper(&op),
                v.delegator_shares
            )));
        }
    }
    totals.not_bonded = totals.not_bonded.checked_add(state.unbonding_total()?)?;
    let bonded_pool = bank.pool_balance(state, Pool::Bonded);
    if bonded_pool != totals.bonded {
        return Ok(Err(format!(
            "bonded pool holds {bonded_pool}, bonded validators have {}",
            totals.bonded
        )));
    }
    let not_bonded_pool = bank.pool_balance(state, Pool::NotBonded);
    if not_bonded_pool != totals.not_bonded {
        return Ok(Err(format!(
            "not-bonded pool holds {not_bonded_pool}, unbonding/unbonded validators and entries have {}",
            totals.not_bonded
        )));
    }
    Ok(Ok(totals))
}
