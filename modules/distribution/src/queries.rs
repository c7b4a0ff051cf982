//! `cosmos.distribution.v1beta1.Query`: protobuf requests in, protobuf responses out, decimal
//! amounts in the SDK's wire form (`LegacyDec` as integer attos). Refusals follow the SDK v0.50
//! query server: empty addresses `distribution/2` and `/4`, malformed ones `sdk/7`, an unknown
//! validator `distribution/12` (`<valoper>: validator does not exist`), a missing delegation
//! `distribution/13` (`delegation does not exist`).

use cosmos_sdk_proto::cosmos::distribution::v1beta1 as pb;
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::decode_query as req;
use rampart_core::QueryContext;
use rampart_core::StateRead;
use rampart_core::{Address, ChainProfile};
use rampart_staking::StakingRead;

use crate::dec_coins::DecCoins;
use crate::errors::{err, DistributionCode};
use crate::params;
use crate::rewards::delegation_rewards;
use crate::state;
pub use crate::urls::{
    PATHS, QUERY_COMMUNITY_POOL, QUERY_DELEGATION_REWARDS, QUERY_DELEGATION_TOTAL_REWARDS,
    QUERY_DELEGATOR_VALIDATORS, QUERY_DELEGATOR_WITHDRAW_ADDRESS, QUERY_PARAMS,
    QUERY_VALIDATOR_COMMISSION, QUERY_VALIDATOR_DISTRIBUTION_INFO,
    QUERY_VALIDATOR_OUTSTANDING_REWARDS,
};

const SERVICE: &str = "/cosmos.distribution.v1beta1.Query/";

fn delegator(profile: &ChainProfile, text: &str) -> AppResult<Address> {
    if text.is_empty() {
        return Err(err(
            DistributionCode::EmptyDelegatorAddr,
            "empty delegator address",
        ));
    }
    profile.account(text, "delegator address")
}

/// The operator of an existing validator.
fn existing_validator(
    state: &dyn StateRead,
    profile: &ChainProfile,
    text: &str,
) -> AppResult<Address> {
    if text.is_empty() {
        return Err(err(
            DistributionCode::EmptyValidatorAddr,
            "empty validator address",
        ));
    }
    let op = profile.valoper(text, "validator address")?;
    if state.validator(&op)?.is_none() {
        return Err(err(
            DistributionCode::NoValidatorExists,
            format!("{text}: validator does not exist"),
        ));
    }
    Ok(op)
}

fn no_delegation() -> AppError {
    err(
        DistributionCode::NoDelegationExists,
        "delegation does not exist",
    )
}

/// Answers `path` with `request`.
pub fn answer(ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
    let QueryContext { state, profile } = ctx;
    let method = path.strip_prefix(SERVICE).unwrap_or("");
    Ok(match method {
        "Params" => {
            req::<pb::QueryParamsRequest>(request)?;
            pb::QueryParamsResponse {
                params: Some(params::load(state)?.to_proto()),
            }
            .encode_to_vec()
        }
        "ValidatorDistributionInfo" => {
            let r: pb::QueryValidatorDistributionInfoRequest = req(request)?;
            let op = existing_validator(state, profile, &r.validator_address)?;
            if state.delegation_shares(&op, &op)?.is_none() {
                return Err(no_delegation());
            }
            pb::QueryValidatorDistributionInfoResponse {
                // As the SDK: the operator's account address.
                operator_address: profile.to_account(&op),
                self_bond_rewards: delegation_rewards(state, &op, &op)?.to_proto(),
                commission: state::validator_rewards(state, &op)?.commission.to_proto(),
            }
            .encode_to_vec()
        }
        "ValidatorOutstandingRewards" => {
            let r: pb::QueryValidatorOutstandingRewardsRequest = req(request)?;
            let op = existing_validator(state, profile, &r.validator_address)?;
            pb::QueryValidatorOutstandingRewardsResponse {
                rewards: Some(pb::ValidatorOutstandingRewards {
                    rewards: state::validator_rewards(state, &op)?.outstanding.to_proto(),
                }),
            }
            .encode_to_vec()
        }
        "ValidatorCommission" => {
            let r: pb::QueryValidatorCommissionRequest = req(request)?;
            let op = existing_validator(state, profile, &r.validator_address)?;
            pb::QueryValidatorCommissionResponse {
                commission: Some(pb::ValidatorAccumulatedCommission {
                    commission: state::validator_rewards(state, &op)?.commission.to_proto(),
                }),
            }
            .encode_to_vec()
        }
        "DelegationRewards" => {
            let r: pb::QueryDelegationRewardsRequest = req(request)?;
            let d = delegator(profile, &r.delegator_address)?;
            let op = existing_validator(state, profile, &r.validator_address)?;
            if state.delegation_shares(&d, &op)?.is_none() {
                return Err(no_delegation());
            }
            pb::QueryDelegationRewardsResponse {
                rewards: delegation_rewards(state, &d, &op)?.to_proto(),
            }
            .encode_to_vec()
        }
        "DelegationTotalRewards" => {
            let r: pb::QueryDelegationTotalRewardsRequest = req(request)?;
            let d = delegator(profile, &r.delegator_address)?;
            let mut total = DecCoins::new();
            let mut rewards = Vec::new();
            for (op, _) in state.delegations_of(&d)? {
                let owed = delegation_rewards(state, &d, &op)?;
                total = total.checked_add(&owed)?;
                rewards.push(pb::DelegationDelegatorReward {
                    validator_address: profile.to_valoper(&op),
                    reward: owed.to_proto(),
                });
            }
            pb::QueryDelegationTotalRewardsResponse {
                rewards,
                total: total.to_proto(),
            }
            .encode_to_vec()
        }
        "DelegatorValidators" => {
            let r: pb::QueryDelegatorValidatorsRequest = req(request)?;
            let d = delegator(profile, &r.delegator_address)?;
            pb::QueryDelegatorValidatorsResponse {
                validators: state
                    .delegations_of(&d)?
                    .iter()
                    .map(|(op, _)| profile.to_valoper(op))
                    .collect(),
            }
            .encode_to_vec()
        }
        "DelegatorWithdrawAddress" => {
            let r: pb::QueryDelegatorWithdrawAddressRequest = req(request)?;
            let d = delegator(profile, &r.delegator_address)?;
            pb::QueryDelegatorWithdrawAddressResponse {
                withdraw_address: profile.to_account(&state::withdraw_address(state, &d)?),
            }
            .encode_to_vec()
        }
        "CommunityPool" => {
            req::<pb::QueryCommunityPoolRequest>(request)?;
            pb::QueryCommunityPoolResponse {
                pool: state::community_pool(state)?.to_proto(),
            }
            .encode_to_vec()
        }
        _ => {
            return Err(AppError::sdk(
                SdkCode::UnknownRequest,
                format!("unknown query path {path}"),
            ))
        }
    })
}
