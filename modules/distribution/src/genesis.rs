//! The `app_state.distribution` genesis section, `rampart.distribution.v1.GenesisState` in proto3
//! JSON with the proto field names (unknown fields refused). Every part is optional:
//!
//! ```json
//! {
//!   "params": {
//!     "community_tax": "0.020000000000000000",
//!     "base_proposer_reward": "0.010000000000000000",
//!     "bonus_proposer_reward": "0.040000000000000000",
//!     "withdraw_addr_enabled": true
//!   },
//!   "community_pool": [{"denom": "uramp", "amount": "12.500000000000000000"}],
//!   "withdraw_addresses": [{"delegator_address": "rampart1…", "withdraw_address": "rampart1…"}],
//!   "previous_proposer": "rampartvalcons1…",
//!   "validators": [{
//!     "validator_address": "rampartvaloper1…",
//!     "reward_index": [{"denom": "uramp", "amount": "0.000123000000000000"}],
//!     "accumulated_commission": [{"denom": "uramp", "amount": "10.000000000000000000"}],
//!     "outstanding_rewards": [{"denom": "uramp", "amount": "110.500000000000000000"}]
//!   }],
//!   "delegations": [{
//!     "delegator_address": "rampart1…",
//!     "validator_address": "rampartvaloper1…",
//!     "settled_index": [{"denom": "uramp", "amount": "0.000100000000000000"}]
//!   }]
//! }
//! ```
//!
//! Import runs after staking's (module order) and checks: valid parameters and denoms, no
//! duplicates, commission within outstanding, settled indexes only for existing staking
//! delegations and never ahead of their validator's index, and a `distribution` module account
//! balance (restored by bank genesis) covering the community pool and every outstanding reward.
//! A staking delegation with no entry settles at its validator's index (it earns from genesis
//! on). Export writes the same shape back, so export → import → export is the identity.

use rampart_auth::AuthWrite;
use rampart_bank::BankRead;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Address, ChainProfile};
use rampart_core::{Decimal, StateRead, StateWrite};
use rampart_proto::rampart::distribution::v1 as pb;
use rampart_staking::StakingRead;

use crate::dec_coins::{DecCoins, JsonDecCoin};
use crate::params::{self, DistributionParams};
use crate::state::{self, module_address, ValidatorRewards};

/// The genesis section.
pub type DistributionGenesis = pb::GenesisState;

fn bad(why: impl std::fmt::Display) -> AppError {
    AppError::sdk(
        SdkCode::JsonUnmarshal,
        format!("app_state.distribution: {why}"),
    )
}

fn coins(list: &[JsonDecCoin], field: &str) -> AppResult<DecCoins> {
    DecCoins::from_json(list, field).map_err(|e| bad(e.log))
}

/// Validates and writes the section (see the module documentation for the checks).
pub fn import(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    g: &DistributionGenesis,
) -> AppResult<()> {
    let params = match &g.params {
        None => DistributionParams::default(),
        Some(p) => params_from_json(p).map_err(|e| bad(format!("params: {}", e.log)))?,
    };
    params::store(state, &params)?;
    let pool = coins(&g.community_pool, "community_pool")?;
    state::set_community_pool(state, &pool);

    for w in &g.withdraw_addresses {
        let delegator = profile
            .account(&w.delegator_address, "delegator_address")
            .map_err(|e| bad(e.log))?;
        let withdraw = profile
            .account(&w.withdraw_address, "withdraw_address")
            .map_err(|e| bad(e.log))?;
        if state::withdraw_address(state, &delegator)? != delegator {
            return Err(bad(format!(
                "duplicate withdraw address for {}",
                w.delegator_address
            )));
        }
        state::set_withdraw_address(state, &delegator, &withdraw);
    }

    if !g.previous_proposer.is_empty() {
        let cons = Address::from_bech32(&g.previous_proposer, profile.consensus_prefix)
            .map_err(|e| bad(format!("previous_proposer: {}", e.log)))?;
        state::set_previous_proposer(state, &cons.0);
    }

    let mut needed = pool;
    for v in &g.validators {
        let op = profile
            .valoper(&v.validator_address, "validator_address")
            .map_err(|e| bad(e.log))?;
        if state::validator_rewards_opt(state, &op)?.is_some() {
            return Err(bad(format!(
                "duplicate validator record {}",
                v.validator_address
            )));
        }
        let mut record = ValidatorRewards {
            index: coins(&v.reward_index, "reward_index")?,
            commission: coins(&v.accumulated_commission, "accumulated_commission")?,
            outstanding: coins(&v.outstanding_rewards, "outstanding_rewards")?,
            classes: state::validator_rewards(state, &op)?.classes,
        };
        for c in &v.class_indexes {
            let class = record
                .classes
                .iter_mut()
                .find(|r| r.class.id == c.class_id)
                .ok_or_else(|| {
                    bad(format!(
                        "validator {}: reward index of unknown backing class {}",
                        v.validator_address, c.class_id
                    ))
                })?;
            class.index = coins(&c.reward_index, "class_indexes.reward_index")?;
        }
        if !record.outstanding.covers(&record.commission) {
            return Err(bad(format!(
                "validator {}: commission {} exceeds outstanding rewards {}",
                v.validator_address, record.commission, record.outstanding
            )));
        }
        needed = needed.checked_add(&record.outstanding).map_err(bad_sum)?;
        state::set_validator_rewards(state, &op, &record);
    }

    for d in &g.delegations {
        let delegator = profile
            .account(&d.delegator_address, "delegator_address")
            .map_err(|e| bad(e.log))?;
        let op = profile
            .valoper(&d.validator_address, "validator_address")
            .map_err(|e| bad(e.log))?;
        if state.delegation_shares(&delegator, &op)?.is_none() {
            return Err(bad(format!(
                "settled index for a delegation that staking does not have: {} to {}",
                d.delegator_address, d.validator_address
            )));
        }
        if state::settled_index(state, &delegator, &op)?.is_some() {
            return Err(bad(format!(
                "duplicate settled index for {} to {}",
                d.delegator_address, d.validator_address
            )));
        }
        let index = coins(&d.settled_index, "settled_index")?;
        if !state::validator_rewards(state, &op)?.index.covers(&index) {
            return Err(bad(format!(
                "settled index of {} to {} is ahead of the validator's index",
                d.delegator_address, d.validator_address
            )));
        }
        state::set_settled_index(state, &delegator, &op, &index);
    }
    for (delegator, op, _) in state.all_delegations()? {
        if state::settled_index(state, &delegator, &op)?.is_none() {
            let index = state::validator_rewards(state, &op)?.index;
            state::set_settled_index(state, &delegator, &op, &index);
        }
    }

    state.claim_module_account(state::MODULE_ACCOUNT, &[])?;
    let account = module_address();
    for (denom, amount) in needed.iter() {
        let balance = state.balance(&account, denom)?;
        // A balance beyond the decimal range covers any decimal amount.
        let covered = Decimal::from_ratio(balance.0, 1).map_or(true, |b| b >= amount);
        if !covered {
            return Err(bad(format!(
                "the distribution module account holds {balance}{denom}, less than the \
                 {amount}{denom} owed to the community pool and validators"
            )));
        }
    }
    Ok(())
}

/// Parses and validates the parameters.
fn params_from_json(p: &pb::Params) -> AppResult<DistributionParams> {
    let params = DistributionParams {
        community_tax: p.community_tax.parse()?,
        base_proposer_reward: p.base_proposer_reward.parse()?,
        bonus_proposer_reward: p.bonus_proposer_reward.parse()?,
        withdraw_addr_enabled: p.withdraw_addr_enabled,
    };
    params.validate()?;
    Ok(params)
}

fn bad_sum(e: AppError) -> AppError {
    bad(format!("outstanding rewards overflow: {}", e.log))
}

/// Reads the section back. Settled indexes are exported for existing delegations only (a
/// delegation that was fully removed leaves a record nobody reads).
pub fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<DistributionGenesis> {
    let params = params::load(state)?;
    let withdraw_addresses = state::all_withdraw_addresses(state)?
        .into_iter()
        .map(|(delegator, withdraw)| pb::WithdrawAddress {
            delegator_address: profile.to_account(&delegator),
            withdraw_address: profile.to_account(&withdraw),
        })
        .collect();
    let previous_proposer = state::previous_proposer(state)?
        .map(|cons| profile.to_valcons(&cons))
        .unwrap_or_default();
    let validators = state::all_validator_rewards(state)?
        .into_iter()
        .map(|(op, r)| pb::ValidatorRewards {
            validator_address: profile.to_valoper(&op),
            reward_index: r.index.to_json(),
            accumulated_commission: r.commission.to_json(),
            outstanding_rewards: r.outstanding.to_json(),
            class_indexes: r
                .classes
                .iter()
                .filter(|c| !c.index.is_empty())
                .map(|c| pb::ClassIndex {
                    class_id: c.class.id,
                    reward_index: c.index.to_json(),
                })
                .collect(),
        })
        .collect();
    let mut delegations = Vec::new();
    for (delegator, op, index) in state::all_settled_indexes(state)? {
        if state.delegation_shares(&delegator, &op)?.is_some() {
            delegations.push(pb::DelegationIndex {
                delegator_address: profile.to_account(&delegator),
                validator_address: profile.to_valoper(&op),
                settled_index: index.to_json(),
            });
        }
    }
    Ok(DistributionGenesis {
        params: Some(pb::Params {
            community_tax: params.community_tax.to_string(),
            base_proposer_reward: params.base_proposer_reward.to_string(),
            bonus_proposer_reward: params.bonus_proposer_reward.to_string(),
            withdraw_addr_enabled: params.withdraw_addr_enabled,
        }),
        community_pool: state::community_pool(state)?.to_json(),
        withdraw_addresses,
        previous_proposer,
        validators,
        delegations,
    })
}
