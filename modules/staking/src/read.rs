//! The read API for the modules above staking (slashing, restaking, distribution): a
//! documented extension trait over any state. Staking never calls upward.

use cosmos_sdk_proto::cosmos::staking::v1beta1::BondStatus;
use rampart_core::{Amount, AppResult, Decimal, StateRead};
use tendermint_proto::google::protobuf::Duration;

use crate::backing::{self, Class};
use crate::params;
use crate::validator::{self, Validator};
use crate::{delegation, keys, power, unbonding};
use rampart_core::profile::RAMPART_POWER_REDUCTION;
use rampart_core::Address;

/// Staking state as other modules read it, available on every [`StateRead`].
pub trait StakingRead: StateRead {
    /// The validator operated by `op`.
    fn validator(&self, op: &Address) -> AppResult<Option<Validator>> {
        let state: &dyn StateRead = &self;
        validator::load(state, op)
    }

    /// The validator whose consensus key has CometBFT address `cons`.
    fn validator_by_consensus_address(&self, cons: &[u8; 20]) -> AppResult<Option<Validator>> {
        let state: &dyn StateRead = &self;
        match validator::operator_by_consensus(state, cons) {
            Some(op) => validator::load(state, &op),
            None => Ok(None),
        }
    }

    /// The tokens `op` has bonded now: its tokens while Bonded, zero otherwise.
    fn bonded_tokens(&self, op: &Address) -> AppResult<Amount> {
        Ok(self
            .validator(op)?
            .filter(|v| v.status == BondStatus::Bonded)
            .map(|v| v.tokens)
            .unwrap_or_default())
    }

    /// The active set as last sent to CometBFT: `(operator, power)` in operator order.
    fn active_set(&self) -> Vec<(Address, u64)> {
        let state: &dyn StateRead = &self;
        power::last_powers(state).into_iter().collect()
    }

    /// Tokens per unit of consensus power.
    fn power_reduction(&self) -> u128 {
        RAMPART_POWER_REDUCTION
    }

    /// The unbonding period.
    fn unbonding_time(&self) -> AppResult<Duration> {
        let state: &dyn StateRead = &self;
        Ok(params::unbonding_time(&params::load(state)?))
    }

    /// Tokens the operator's own delegation is worth (for unjail's minimum check).
    fn self_delegation_tokens(&self, op: &Address) -> AppResult<Amount> {
        let state: &dyn StateRead = &self;
        let Some(v) = validator::load(state, op)? else {
            return Ok(Amount::ZERO);
        };
        match delegation::shares(state, op, op)? {
            Some(shares) => v.tokens_for_shares(shares),
            None => Ok(Amount::ZERO),
        }
    }

    /// Total balance of pending unbonding entries (held by the not-bonded pool).
    fn unbonding_total(&self) -> AppResult<Amount> {
        let state: &dyn StateRead = &self;
        let mut total = Amount::ZERO;
        for ubd in unbonding::list(state, keys::UNBONDING, false)? {
            for entry in &ubd.entries {
                total = total.checked_add(unbonding::balance(entry)?)?;
            }
        }
        Ok(total)
    }

    /// The bond denom from the parameters.
    fn bond_denom(&self) -> AppResult<String> {
        let state: &dyn StateRead = &self;
        Ok(params::load(state)?.bond_denom)
    }

    /// The shares `delegator` holds in `op`, if it has a delegation.
    fn delegation_shares(&self, delegator: &Address, op: &Address) -> AppResult<Option<Decimal>> {
        let state: &dyn StateRead = &self;
        delegation::shares(state, delegator, op)
    }

    /// Every delegation of `delegator` as `(operator, shares)`, in operator order.
    fn delegations_of(&self, delegator: &Address) -> AppResult<Vec<(Address, Decimal)>> {
        let state: &dyn StateRead = &self;
        let prefix = keys::join(keys::DELEGATION, &[delegator]);
        let mut out = Vec::new();
        for (key, _) in state.scan_prefix(&prefix) {
            let Some(op) = keys::addr_at(&key, prefix.len()) else {
                continue;
            };
            if let Some(shares) = delegation::shares(state, delegator, &op)? {
                out.push((op, shares));
            }
        }
        Ok(out)
    }

    /// Every delegation to `op` as `(delegator, shares)`, in delegator order.
    fn validator_delegations(&self, op: &Address) -> AppResult<Vec<(Address, Decimal)>> {
        let state: &dyn StateRead = &self;
        delegation::of_validator(state, op)
    }

    /// Every delegation as `(delegator, operator, shares)`, in (delegator, operator) order.
    fn all_delegations(&self) -> AppResult<Vec<(Address, Address, Decimal)>> {
        let state: &dyn StateRead = &self;
        let base = keys::DELEGATION.len();
        let mut out = Vec::new();
        for (key, _) in state.scan_prefix(keys::DELEGATION) {
            let (Some(delegator), Some(op)) =
                (keys::addr_at(&key, base), keys::addr_at(&key, base + 20))
            else {
                continue;
            };
            if let Some(shares) = delegation::shares(state, &delegator, &op)? {
                out.push((delegator, op, shares));
            }
        }
        Ok(out)
    }

    /// Tokens of `op` backing consumer `id` ([`Validator::backing_tokens`]): all its tokens
    /// unless some delegators chose not to back `id`. Zero for an unknown validator.
    fn backing_tokens(&self, op: &Address, id: u64) -> AppResult<Amount> {
        let state: &dyn StateRead = &self;
        match validator::load(state, op)? {
            Some(v) => v.backing_tokens(state, id),
            None => Ok(Amount::ZERO),
        }
    }

    /// The backing classes of `op` (delegators' choices other than `all`), by id.
    fn backing_classes(&self, op: &Address) -> AppResult<Vec<Class>> {
        let state: &dyn StateRead = &self;
        backing::of_validator(state, op)
    }

    /// The backing class of `delegator`'s delegation to `op` (`None`: the default) and the
    /// shares its delegation stores (class shares in a class), if it has a delegation.
    fn delegation_class(
        &self,
        delegator: &Address,
        op: &Address,
    ) -> AppResult<(Option<Class>, Option<Decimal>)> {
        let state: &dyn StateRead = &self;
        Ok((
            backing::class_of(state, delegator, op)?,
            delegation::stored_shares(state, delegator, op)?,
        ))
    }

    /// Every validator's operator, in operator order.
    fn validator_operators(&self) -> Vec<Address> {
        let state: &dyn StateRead = &self;
        state
            .scan_prefix(keys::VALIDATOR)
            .filter_map(|(key, _)| keys::addr_at(&key, keys::VALIDATOR.len()))
            .collect()
    }
}

impl<T: StateRead + ?Sized> StakingRead for T {}
