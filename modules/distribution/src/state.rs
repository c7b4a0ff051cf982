//! Distribution records in state: per-validator rewards, per-delegation settled index, the
//! community pool, withdraw addresses and the previous proposer.

use cosmos_sdk_proto::cosmos::base::v1beta1::DecCoin as ProtoDecCoin;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::Address;
use rampart_core::{StateRead, StateReadExt, StateWrite, StateWriteExt};

use crate::dec_coins::DecCoins;
use crate::keys;
use rampart_staking::{Class, StakingRead};

/// The name of the module account that holds every undistributed and unwithdrawn reward.
pub const MODULE_ACCOUNT: &str = "distribution";

/// The distribution module account's address.
pub fn module_address() -> Address {
    Address::module(MODULE_ACCOUNT)
}

/// What distribution keeps per validator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidatorRewards {
    /// Cumulative delegator reward per delegator share, per denom, since the validator's first
    /// reward. Only grows.
    pub index: DecCoins,
    /// Commission accumulated and not yet withdrawn.
    pub commission: DecCoins,
    /// Everything allocated to the validator and not yet paid out: the commission, the
    /// delegators' pending rewards and the rounding dust of the index (the SDK's
    /// `ValidatorOutstandingRewards`).
    pub outstanding: DecCoins,
    /// The validator's backing classes ([`rampart_staking::backing`]) with their reward
    /// indexes, by class id; empty unless some delegators chose their consumers.
    pub classes: Vec<ClassRewards>,
}

/// A backing class and its reward index: cumulative reward per *class* share, per denom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassRewards {
    /// The class as staking keeps it (its shares and choice).
    pub class: Class,
    /// Reward per class share. Only grows.
    pub index: DecCoins,
}

#[derive(Clone, PartialEq, prost::Message)]
struct StoredValidator {
    #[prost(message, repeated, tag = "1")]
    index: Vec<ProtoDecCoin>,
    #[prost(message, repeated, tag = "2")]
    commission: Vec<ProtoDecCoin>,
    #[prost(message, repeated, tag = "3")]
    outstanding: Vec<ProtoDecCoin>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct StoredCoins {
    #[prost(message, repeated, tag = "1")]
    coins: Vec<ProtoDecCoin>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::sdk(
        SdkCode::Logic,
        format!("corrupt distribution state ({what}): {e}"),
    )
}

fn load_coins(state: &dyn StateRead, key: &[u8], what: &str) -> AppResult<Option<DecCoins>> {
    state
        .get_proto::<StoredCoins>(key)
        .map_err(|e| corrupt(what, e))?
        .map(|s| DecCoins::from_proto(&s.coins, what).map_err(|e| corrupt(what, e.log)))
        .transpose()
}

fn store_coins(state: &mut dyn StateWrite, key: Vec<u8>, coins: &DecCoins) {
    state.put_proto(
        key,
        &StoredCoins {
            coins: coins.to_proto(),
        },
    );
}

/// The record of validator `op`, if one exists.
pub fn validator_rewards_opt(
    state: &dyn StateRead,
    op: &Address,
) -> AppResult<Option<ValidatorRewards>> {
    let Some(stored) = state
        .get_proto::<StoredValidator>(&keys::join(keys::VALIDATOR, &[op]))
        .map_err(|e| corrupt("validator rewards", e))?
    else {
        return Ok(None);
    };
    let parse = |coins: &[ProtoDecCoin], what: &str| {
        DecCoins::from_proto(coins, what).map_err(|e| corrupt(what, e.log))
    };
    Ok(Some(ValidatorRewards {
        index: parse(&stored.index, "reward index")?,
        commission: parse(&stored.commission, "commission")?,
        outstanding: parse(&stored.outstanding, "outstanding rewards")?,
        classes: class_rewards(state, op)?,
    }))
}

/// The backing classes of `op` with their reward indexes.
fn class_rewards(state: &dyn StateRead, op: &Address) -> AppResult<Vec<ClassRewards>> {
    state
        .backing_classes(op)?
        .into_iter()
        .map(|class| {
            let key = keys::join(keys::CLASS_INDEX, &[op, &class.id.to_be_bytes()]);
            let index = load_coins(state, &key, "class reward index")?.unwrap_or_default();
            Ok(ClassRewards { class, index })
        })
        .collect()
}

/// The record of validator `op` (empty, with its backing classes, when none exists yet).
pub fn validator_rewards(state: &dyn StateRead, op: &Address) -> AppResult<ValidatorRewards> {
    match validator_rewards_opt(state, op)? {
        Some(record) => Ok(record),
        None => Ok(ValidatorRewards {
            classes: class_rewards(state, op)?,
            ..ValidatorRewards::default()
        }),
    }
}

/// Stores the record of validator `op`.
pub fn set_validator_rewards(state: &mut dyn StateWrite, op: &Address, rewards: &ValidatorRewards) {
    state.put_proto(
        keys::join(keys::VALIDATOR, &[op]),
        &StoredValidator {
            index: rewards.index.to_proto(),
            commission: rewards.commission.to_proto(),
            outstanding: rewards.outstanding.to_proto(),
        },
    );
    for class in &rewards.classes {
        if !class.index.is_empty() {
            let key = keys::join(keys::CLASS_INDEX, &[op, &class.class.id.to_be_bytes()]);
            store_coins(state, key, &class.index);
        }
    }
}

/// Every validator record, in operator order.
pub fn all_validator_rewards(state: &dyn StateRead) -> AppResult<Vec<(Address, ValidatorRewards)>> {
    let mut out = Vec::new();
    let ops: Vec<Address> = state
        .scan_prefix(keys::VALIDATOR)
        .filter_map(|(key, _)| keys::addr_at(&key, keys::VALIDATOR.len()))
        .collect();
    for op in ops {
        out.push((op, validator_rewards(state, &op)?));
    }
    Ok(out)
}

/// The index at which `delegator`'s delegation to `op` last settled, if recorded.
pub fn settled_index(
    state: &dyn StateRead,
    delegator: &Address,
    op: &Address,
) -> AppResult<Option<DecCoins>> {
    load_coins(
        state,
        &keys::join(keys::DELEGATION, &[delegator, op]),
        "settled index",
    )
}

/// Records the index at which `delegator`'s delegation to `op` settled.
pub fn set_settled_index(
    state: &mut dyn StateWrite,
    delegator: &Address,
    op: &Address,
    index: &DecCoins,
) {
    store_coins(state, keys::join(keys::DELEGATION, &[delegator, op]), index);
}

/// Every settled-index record as `(delegator, operator, index)`, in key order.
pub fn all_settled_indexes(state: &dyn StateRead) -> AppResult<Vec<(Address, Address, DecCoins)>> {
    let base = keys::DELEGATION.len();
    let pairs: Vec<(Address, Address)> = state
        .scan_prefix(keys::DELEGATION)
        .filter_map(|(key, _)| Some((keys::addr_at(&key, base)?, keys::addr_at(&key, base + 20)?)))
        .collect();
    let mut out = Vec::new();
    for (delegator, op) in pairs {
        if let Some(index) = settled_index(state, &delegator, &op)? {
            out.push((delegator, op, index));
        }
    }
    Ok(out)
}

/// The community pool.
pub fn community_pool(state: &dyn StateRead) -> AppResult<DecCoins> {
    Ok(load_coins(state, keys::COMMUNITY_POOL, "community pool")?.unwrap_or_default())
}

/// Stores the community pool.
pub fn set_community_pool(state: &mut dyn StateWrite, pool: &DecCoins) {
    store_coins(state, keys::COMMUNITY_POOL.to_vec(), pool);
}

/// The consensus address of the previous block's proposer, once a block has run.
pub fn previous_proposer(state: &dyn StateRead) -> AppResult<Option<[u8; 20]>> {
    state
        .get(keys::PREVIOUS_PROPOSER)
        .map(|bytes| {
            <[u8; 20]>::try_from(bytes.as_slice())
                .map_err(|_| corrupt("previous proposer", "length"))
        })
        .transpose()
}

/// Records the proposer of the current block for the next block's allocation.
pub fn set_previous_proposer(state: &mut dyn StateWrite, cons: &[u8; 20]) {
    state.put(keys::PREVIOUS_PROPOSER.to_vec(), cons.to_vec());
}

/// Where `delegator`'s rewards (and, for an operator, its commission) are paid: the address set
/// with `MsgSetWithdrawAddress`, else the delegator itself.
pub fn withdraw_address(state: &dyn StateRead, delegator: &Address) -> AppResult<Address> {
    match state.get(&keys::join(keys::WITHDRAW, &[delegator])) {
        None => Ok(*delegator),
        Some(bytes) => {
            Address::try_from(bytes.as_slice()).map_err(|_| corrupt("withdraw address", "length"))
        }
    }
}

/// Sets `delegator`'s withdraw address (setting it to the delegator itself removes the record).
pub fn set_withdraw_address(state: &mut dyn StateWrite, delegator: &Address, withdraw: &Address) {
    let key = keys::join(keys::WITHDRAW, &[delegator]);
    if withdraw == delegator {
        state.delete(key);
    } else {
        state.put(key, withdraw.0.to_vec());
    }
}

/// Every explicit withdraw address as `(delegator, withdraw address)`, in delegator order.
pub fn all_withdraw_addresses(state: &dyn StateRead) -> AppResult<Vec<(Address, Address)>> {
    let base = keys::WITHDRAW.len();
    state
        .scan_prefix(keys::WITHDRAW)
        .map(|(key, value)| {
            let delegator =
                keys::addr_at(&key, base).ok_or_else(|| corrupt("withdraw key", "length"))?;
            let withdraw = Address::try_from(value.as_slice())
                .map_err(|_| corrupt("withdraw address", "length"))?;
            Ok((delegator, withdraw))
        })
        .collect()
}
