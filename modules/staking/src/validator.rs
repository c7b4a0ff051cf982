//! Validators in checked types, their storage (with the consensus-key and power indexes kept in
//! step) and the token/share exchange rate.

use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    BondStatus, Commission, CommissionRates, Description, Validator as ProtoValidator,
};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::math::mul_div;
use rampart_core::{
    Amount, BlockTime, Decimal, StateRead, StateReadExt, StateWrite, StateWriteExt,
};

use crate::bank::Pool;
pub use crate::consensus_key::{
    new_pubkey_from_any, pubkey_from_any, pubkey_to_any, ED25519_PUBKEY_URL,
};
use crate::errors::{err, StakingCode};
use crate::keys;
use rampart_core::profile::RAMPART_POWER_REDUCTION;
use rampart_core::wire::{
    block_time, dec_from_wire, dec_to_wire, int_from_wire, int_to_wire, timestamp,
};
use rampart_core::{Address, ChainProfile};

/// Commission rates and the time of the last change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommissionState {
    /// Current rate.
    pub rate: Decimal,
    /// Rate ceiling, fixed at creation.
    pub max_rate: Decimal,
    /// Largest change per edit, fixed at creation.
    pub max_change_rate: Decimal,
    /// Block time of the last change (creation counts).
    pub update_time: BlockTime,
}

/// A validator in checked types.
#[derive(Debug, Clone, PartialEq)]
pub struct Validator {
    /// Operator address bytes (the operator's account).
    pub operator: Address,
    /// ed25519 consensus public key.
    pub pubkey: [u8; 32],
    /// Whether the validator is jailed (out of the active set).
    pub jailed: bool,
    /// Bonded / Unbonding / Unbonded.
    pub status: BondStatus,
    /// Tokens backing all shares.
    pub tokens: Amount,
    /// Total shares issued to delegators.
    pub delegator_shares: Decimal,
    /// Description, verbatim.
    pub description: Description,
    /// Commission.
    pub commission: CommissionState,
    /// Minimum self-delegation in tokens.
    pub min_self_delegation: Amount,
    /// Height at which unbonding began.
    pub unbonding_height: i64,
    /// Time at which unbonding completes.
    pub unbonding_time: BlockTime,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::sdk(
        SdkCode::Logic,
        format!("corrupt staking state ({what}): {e}"),
    )
}

impl Validator {
    /// Consensus power: tokens / 10^6 (the power reduction); an error if it exceeds u64.
    pub fn power(&self) -> AppResult<u64> {
        u64::try_from(self.tokens.0 / RAMPART_POWER_REDUCTION)
            .map_err(|_| AppError::sdk(SdkCode::Logic, "consensus power overflows u64"))
    }

    /// Its tokens backing consumer `id`: all of them less those of the delegations whose
    /// delegators chose not to back `id` ([`crate::backing`]; never overstated).
    pub fn backing_tokens(&self, state: &dyn StateRead, id: u64) -> AppResult<Amount> {
        crate::backing::backing_tokens(
            state,
            &self.operator,
            self.tokens,
            self.delegator_shares,
            id,
        )
    }

    /// The CometBFT address of the consensus key.
    pub fn consensus_address(&self) -> [u8; 20] {
        rampart_core::address::consensus_address(&self.pubkey)
    }

    /// The pool that holds this validator's tokens.
    pub fn pool(&self) -> Pool {
        if self.status == BondStatus::Bonded {
            Pool::Bonded
        } else {
            Pool::NotBonded
        }
    }

    /// Shares issued for `amount` new tokens at the current exchange rate (rounded down, so a
    /// delegator never gets more value than paid); 1:1 for a validator with no shares.
    pub fn shares_for_tokens(&self, amount: Amount) -> AppResult<Decimal> {
        if self.delegator_shares == Decimal::ZERO {
            return Decimal::from_ratio(amount.0, 1);
        }
        if self.tokens.is_zero() {
            return Err(err(
                StakingCode::DelegatorShareExRateInvalid,
                "cannot delegate to validators with invalid (zero) ex-rate",
            ));
        }
        mul_div(amount.0, self.delegator_shares.0, self.tokens.0, false).map(Decimal)
    }

    /// Shares that `amount` tokens correspond to, rounded up (for withdrawals).
    pub fn shares_for_tokens_ceil(&self, amount: Amount) -> AppResult<Decimal> {
        if self.tokens.is_zero() {
            return Err(err(
                StakingCode::DelegatorShareExRateInvalid,
                "validator has no tokens",
            ));
        }
        mul_div(amount.0, self.delegator_shares.0, self.tokens.0, true).map(Decimal)
    }

    /// Tokens that `shares` are worth, rounded down.
    pub fn tokens_for_shares(&self, shares: Decimal) -> AppResult<Amount> {
        if self.delegator_shares == Decimal::ZERO {
            return Ok(Amount::ZERO);
        }
        mul_div(shares.0, self.tokens.0, self.delegator_shares.0, false).map(Amount)
    }

    /// Adds tokens and the shares issued for them; returns the shares.
    pub fn add_tokens(&mut self, amount: Amount) -> AppResult<Decimal> {
        let shares = self.shares_for_tokens(amount)?;
        self.tokens = self.tokens.checked_add(amount)?;
        self.delegator_shares = self.delegator_shares.checked_add(shares)?;
        Ok(shares)
    }

    /// Removes `shares` and returns the tokens they were worth (all remaining tokens when the
    /// last shares leave, so no dust stays behind without owners).
    pub fn remove_shares(&mut self, shares: Decimal) -> AppResult<Amount> {
        let remaining = self.delegator_shares.checked_sub(shares)?;
        let tokens = if remaining == Decimal::ZERO {
            self.tokens
        } else {
            self.tokens_for_shares(shares)?
        };
        self.tokens = self.tokens.checked_sub(tokens)?;
        self.delegator_shares = remaining;
        Ok(tokens)
    }

    /// The SDK `Validator` message.
    pub fn to_proto(&self) -> ProtoValidator {
        ProtoValidator {
            operator_address: ChainProfile::rampart().to_valoper(&self.operator),
            consensus_pubkey: Some(pubkey_to_any(&self.pubkey)),
            jailed: self.jailed,
            status: self.status as i32,
            tokens: int_to_wire(self.tokens),
            delegator_shares: dec_to_wire(self.delegator_shares),
            description: Some(self.description.clone()),
            unbonding_height: self.unbonding_height,
            unbonding_time: Some(timestamp(self.unbonding_time)),
            commission: Some(Commission {
                commission_rates: Some(CommissionRates {
                    rate: dec_to_wire(self.commission.rate),
                    max_rate: dec_to_wire(self.commission.max_rate),
                    max_change_rate: dec_to_wire(self.commission.max_change_rate),
                }),
                update_time: Some(timestamp(self.commission.update_time)),
            }),
            min_self_delegation: int_to_wire(self.min_self_delegation),
            unbonding_on_hold_ref_count: 0,
            unbonding_ids: Vec::new(),
        }
    }

    /// Parses an SDK `Validator` message.
    pub fn from_proto(v: &ProtoValidator) -> AppResult<Self> {
        let rates = v
            .commission
            .as_ref()
            .and_then(|c| c.commission_rates.as_ref())
            .cloned()
            .unwrap_or_default();
        let update_time = v
            .commission
            .as_ref()
            .and_then(|c| c.update_time.as_ref())
            .map(block_time)
            .transpose()?
            .unwrap_or_default();
        Ok(Self {
            operator: ChainProfile::rampart().valoper(&v.operator_address, "operator_address")?,
            pubkey: pubkey_from_any(v.consensus_pubkey.as_ref())?,
            jailed: v.jailed,
            status: BondStatus::try_from(v.status)
                .map_err(|_| AppError::sdk(SdkCode::InvalidRequest, "invalid validator status"))?,
            tokens: int_from_wire(&v.tokens, "tokens")?,
            delegator_shares: dec_from_wire(&v.delegator_shares, "delegator_shares")?,
            description: v.description.clone().unwrap_or_default(),
            commission: CommissionState {
                rate: dec_from_wire(&rates.rate, "commission rate")?,
                max_rate: dec_from_wire(&rates.max_rate, "commission max_rate")?,
                max_change_rate: dec_from_wire(&rates.max_change_rate, "max_change_rate")?,
                update_time,
            },
            min_self_delegation: int_from_wire(&v.min_self_delegation, "min_self_delegation")?,
            unbonding_height: v.unbonding_height,
            unbonding_time: v
                .unbonding_time
                .as_ref()
                .map(block_time)
                .transpose()?
                .unwrap_or_default(),
        })
    }

    /// The power-index key, when the validator belongs in the index (not jailed).
    fn index_key(&self) -> AppResult<Option<Vec<u8>>> {
        if self.jailed {
            return Ok(None);
        }
        Ok(Some(keys::power(self.power()?, &self.operator)))
    }
}

/// Loads a validator, if it exists.
pub fn load(state: &dyn StateRead, op: &Address) -> AppResult<Option<Validator>> {
    state
        .get_proto::<ProtoValidator>(&keys::validator(op))
        .map_err(|e| corrupt("validator", e))?
        .map(|v| Validator::from_proto(&v).map_err(|e| corrupt("validator", e.log)))
        .transpose()
}

/// Loads a validator that must exist (`staking/3` otherwise).
pub fn must_load(state: &dyn StateRead, op: &Address) -> AppResult<Validator> {
    load(state, op)?.ok_or_else(|| {
        err(
            StakingCode::NoValidatorFound,
            format!(
                "validator {} does not exist",
                ChainProfile::rampart().to_valoper(op)
            ),
        )
    })
}

/// The operator whose consensus key has address `cons`.
pub fn operator_by_consensus(state: &dyn StateRead, cons: &[u8; 20]) -> Option<Address> {
    state
        .get(&keys::consensus(cons))
        .and_then(|bytes| bytes.as_slice().try_into().ok())
}

/// Stores `v`, moving its power-index entry and writing the consensus index.
pub fn save(state: &mut dyn StateWrite, v: &Validator) -> AppResult<()> {
    if let Some(old) = load(state, &v.operator)? {
        if let Some(key) = old.index_key()? {
            state.delete(key);
        }
    }
    if let Some(key) = v.index_key()? {
        state.put(key, Vec::new());
    }
    state.put(keys::consensus(&v.consensus_address()), v.operator.to_vec());
    state.put_proto(keys::validator(&v.operator), &v.to_proto());
    Ok(())
}

/// Deletes an unbonded validator without shares, with its indexes and backing classes.
pub fn remove(state: &mut dyn StateWrite, v: &Validator) -> AppResult<()> {
    if let Some(key) = v.index_key()? {
        state.delete(key);
    }
    crate::backing::forget_validator(state, &v.operator);
    state.delete(keys::consensus(&v.consensus_address()));
    state.delete(keys::validator(&v.operator));
    Ok(())
}

/// Saves `v`, or removes it when it is unbonded and has no shares left (as the SDK does) and
/// tells the hooks ([`crate::StakingHooks::after_validator_removed`]).
pub fn save_or_remove(
    state: &mut dyn StateWrite,
    hooks: &dyn crate::StakingHooks,
    v: &Validator,
    events: &mut rampart_core::Events,
) -> AppResult<()> {
    if v.status == BondStatus::Unbonded && v.delegator_shares == Decimal::ZERO {
        // Remove through the stored version so its index entry goes too.
        if let Some(old) = load(state, &v.operator)? {
            remove(state, &old)?;
            hooks.after_validator_removed(state, &v.operator, events)?;
        }
        return Ok(());
    }
    save(state, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator(tokens: u128, shares: u128) -> Validator {
        Validator {
            operator: Address([1; 20]),
            pubkey: [1; 32],
            jailed: false,
            status: BondStatus::Bonded,
            tokens: Amount(tokens),
            delegator_shares: Decimal(shares),
            description: Description::default(),
            commission: CommissionState {
                rate: Decimal::ZERO,
                max_rate: Decimal::ZERO,
                max_change_rate: Decimal::ZERO,
                update_time: BlockTime::default(),
            },
            min_self_delegation: Amount(1),
            unbonding_height: 0,
            unbonding_time: BlockTime::default(),
        }
    }

    #[test]
    fn first_delegation_is_one_to_one_and_a_slash_makes_shares_cheaper() {
        let mut v = validator(0, 0);
        assert_eq!(
            v.add_tokens(Amount(100)).expect("fits"),
            Decimal(100 * Decimal::ONE_ATTOS)
        );
        v.tokens = Amount(50); // slashed by half
        assert_eq!(
            v.add_tokens(Amount(50)).expect("fits"),
            Decimal(100 * Decimal::ONE_ATTOS)
        );
        assert_eq!(
            v.tokens_for_shares(Decimal(100 * Decimal::ONE_ATTOS))
                .expect("fits"),
            Amount(50)
        );
    }

    proptest::proptest! {
        /// Delegating and immediately undelegating never returns more than was paid, and the
        /// other delegators' shares never lose value.
        #[test]
        fn round_trips_never_profit(
            tokens in 1u128..1_000_000_000_000,
            shares_per_token in 1u128..2_000_000_000_000_000_000,
            amount in 1u128..1_000_000_000_000,
        ) {
            let shares = tokens.saturating_mul(shares_per_token).max(1);
            let mut v = validator(tokens, shares);
            let before = v.tokens_for_shares(Decimal(shares)).expect("fits");
            let Ok(new) = v.add_tokens(Amount(amount)) else { return Ok(()) };
            if new == Decimal::ZERO { return Ok(()) }
            let back = v.remove_shares(new).expect("own shares");
            proptest::prop_assert!(back <= Amount(amount), "{back} > {amount}");
            proptest::prop_assert!(v.tokens_for_shares(Decimal(shares)).expect("fits") >= before);
        }
    }
}
