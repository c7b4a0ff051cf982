//! `cosmos.staking.v1beta1.Query`: protobuf requests in, protobuf responses out, read from
//! committed state, with Cosmos pagination where the SDK has it.

use cosmos_sdk_proto::cosmos::base::query::v1beta1::{PageRequest, PageResponse};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::staking::v1beta1 as pb;
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::decode_query as req;
use rampart_core::QueryContext;
use rampart_core::{Decimal, StateRead};

use crate::bank::{Pool, StakingBank};
pub use crate::urls::{
    PATHS, QUERY_DELEGATION, QUERY_DELEGATOR_DELEGATIONS, QUERY_DELEGATOR_UNBONDING_DELEGATIONS,
    QUERY_DELEGATOR_VALIDATOR, QUERY_DELEGATOR_VALIDATORS, QUERY_HISTORICAL_INFO, QUERY_PARAMS,
    QUERY_POOL, QUERY_REDELEGATIONS, QUERY_UNBONDING_DELEGATION, QUERY_VALIDATOR, QUERY_VALIDATORS,
    QUERY_VALIDATOR_DELEGATIONS, QUERY_VALIDATOR_UNBONDING_DELEGATIONS,
};
use crate::validator::{self, Validator};
use crate::{delegation, keys, params, redelegation, unbonding};
use rampart_core::pagination::paginate_prefix_with;
use rampart_core::wire::int_to_wire;
use rampart_core::{Address, ChainProfile};

const SERVICE: &str = "/cosmos.staking.v1beta1.Query/";

fn not_found(what: String) -> AppError {
    AppError::sdk(SdkCode::KeyNotFound, format!("{what}: key not found"))
}

fn delegation_response(
    delegator: &Address,
    v: &Validator,
    shares: Decimal,
    denom: &str,
) -> AppResult<pb::DelegationResponse> {
    Ok(pb::DelegationResponse {
        delegation: Some(delegation::to_proto(delegator, &v.operator, shares)),
        balance: Some(Coin {
            denom: denom.into(),
            amount: int_to_wire(v.tokens_for_shares(shares)?),
        }),
    })
}

/// Answers `path` with `request`.
pub fn answer(
    ctx: QueryContext<'_>,
    bank: &dyn StakingBank,
    path: &str,
    request: &[u8],
) -> AppResult<Vec<u8>> {
    let QueryContext { state, profile } = ctx;
    let method = path.strip_prefix(SERVICE).unwrap_or("");
    let denom = params::load(state)?.bond_denom;
    Ok(match method {
        "Validators" => {
            let r: pb::QueryValidatorsRequest = req(request)?;
            let wanted = if r.status.is_empty() {
                None
            } else {
                Some(pb::BondStatus::from_str_name(&r.status).ok_or_else(|| {
                    AppError::sdk(
                        SdkCode::InvalidRequest,
                        format!("invalid validator status {}", r.status),
                    )
                })?)
            };
            let (validators, page) = paginate_prefix_with(
                state,
                keys::VALIDATOR,
                r.pagination.as_ref(),
                |suffix, _| {
                    let Some(op) = keys::addr_at(suffix, 0) else {
                        return Ok(None);
                    };
                    let v = validator::must_load(state, &op)?;
                    Ok(wanted.is_none_or(|s| s == v.status).then(|| v.to_proto()))
                },
            )?;
            pb::QueryValidatorsResponse {
                validators,
                pagination: Some(page),
            }
            .encode_to_vec()
        }
        "Validator" => {
            let r: pb::QueryValidatorRequest = req(request)?;
            let op = profile.valoper(&r.validator_addr, "validator address")?;
            let v = validator::load(state, &op)?
                .ok_or_else(|| not_found(format!("validator {} not found", r.validator_addr)))?;
            pb::QueryValidatorResponse {
                validator: Some(v.to_proto()),
            }
            .encode_to_vec()
        }
        "ValidatorDelegations" => {
            let r: pb::QueryValidatorDelegationsRequest = req(request)?;
            let op = profile.valoper(&r.validator_addr, "validator address")?;
            let v = validator::must_load(state, &op)?;
            let prefix = keys::join(keys::DELEGATION_BY_VAL, &[&op]);
            let (delegation_responses, page) =
                paginate_prefix_with(state, &prefix, r.pagination.as_ref(), |suffix, _| {
                    let Some(delegator) = keys::addr_at(suffix, 0) else {
                        return Ok(None);
                    };
                    delegation::shares(state, &delegator, &op)?
                        .map(|shares| delegation_response(&delegator, &v, shares, &denom))
                        .transpose()
                })?;
            pb::QueryValidatorDelegationsResponse {
                delegation_responses,
                pagination: Some(page),
            }
            .encode_to_vec()
        }
        "ValidatorUnbondingDelegations" => {
            let r: pb::QueryValidatorUnbondingDelegationsRequest = req(request)?;
            let op = profile.valoper(&r.validator_addr, "validator address")?;
            let prefix = keys::join(keys::UNBONDING_BY_VAL, &[&op]);
            let (unbonding_responses, page) =
                unbonding_page(state, &prefix, r.pagination.as_ref(), |delegator| {
                    (delegator, op)
                })?;
            pb::QueryValidatorUnbondingDelegationsResponse {
                unbonding_responses,
                pagination: Some(page),
            }
            .encode_to_vec()
        }
        "Delegation" => {
            let r: pb::QueryDelegationRequest = req(request)?;
            let delegator = profile.account(&r.delegator_addr, "delegator address")?;
            let op = profile.valoper(&r.validator_addr, "validator address")?;
            let missing = || {
                not_found(format!(
                    "delegation with delegator {} not found for validator {}",
                    r.delegator_addr, r.validator_addr
                ))
            };
            let v = validator::load(state, &op)?.ok_or_else(missing)?;
            let shares = delegation::shares(state, &delegator, &op)?.ok_or_else(missing)?;
            pb::QueryDelegationResponse {
                delegation_response: Some(delegation_response(&delegator, &v, shares, &denom)?),
            }
            .encode_to_vec()
        }
        "UnbondingDelegation" => {
            let r: pb::QueryUnbondingDelegationRequest = req(request)?;
            let delegator = profile.account(&r.delegator_addr, "delegator address")?;
            let op = profile.valoper(&r.validator_addr, "validator address")?;
            let ubd = unbonding::load(state, &delegator, &op)?.ok_or_else(|| {
                not_found(format!(
                    "unbonding delegation with delegator {} not found for validator {}",
                    r.delegator_addr, r.validator_addr
                ))
            })?;
            pb::QueryUnbondingDelegationResponse { unbond: Some(ubd) }.encode_to_vec()
        }
        "DelegatorDelegations" => {
            let r: pb::QueryDelegatorDelegationsRequest = req(request)?;
            let delegator = profile.account(&r.delegator_addr, "delegator address")?;
            let (delegation_responses, page) =
                delegations_page(state, &delegator, r.pagination.as_ref(), |op, shares| {
                    let v = validator::must_load(state, &op)?;
                    delegation_response(&delegator, &v, shares, &denom)
                })?;
            pb::QueryDelegatorDelegationsResponse {
                delegation_responses,
                pagination: Some(page),
            }
            .encode_to_vec()
        }
        "DelegatorUnbondingDelegations" => {
            let r: pb::QueryDelegatorUnbondingDelegationsRequest = req(request)?;
            let delegator = profile.account(&r.delegator_addr, "delegator address")?;
            let prefix = keys::join(keys::UNBONDING, &[&delegator]);
            let (unbonding_responses, page) =
                unbonding_page(state, &prefix, r.pagination.as_ref(), |op| (delegator, op))?;
            pb::QueryDelegatorUnbondingDelegationsResponse {
                unbonding_responses,
                pagination: Some(page),
            }
            .encode_to_vec()
        }
        "Redelegations" => redelegations(state, profile, req(request)?)?.encode_to_vec(),
        "DelegatorValidators" => {
            let r: pb::QueryDelegatorValidatorsRequest = req(request)?;
            let delegator = profile.account(&r.delegator_addr, "delegator address")?;
            let (validators, page) =
                delegations_page(state, &delegator, r.pagination.as_ref(), |op, _| {
                    Ok(validator::must_load(state, &op)?.to_proto())
                })?;
            pb::QueryDelegatorValidatorsResponse {
                validators,
                pagination: Some(page),
            }
            .encode_to_vec()
        }
        "DelegatorValidator" => {
            let r: pb::QueryDelegatorValidatorRequest = req(request)?;
            let delegator = profile.account(&r.delegator_addr, "delegator address")?;
            let op = profile.valoper(&r.validator_addr, "validator address")?;
            if delegation::shares(state, &delegator, &op)?.is_none() {
                return Err(not_found(format!(
                    "delegation with delegator {} not found for validator {}",
                    r.delegator_addr, r.validator_addr
                )));
            }
            let v = validator::must_load(state, &op)?;
            pb::QueryDelegatorValidatorResponse {
                validator: Some(v.to_proto()),
            }
            .encode_to_vec()
        }
        "HistoricalInfo" => {
            let r: pb::QueryHistoricalInfoRequest = req(request)?;
            let info = u64::try_from(r.height)
                .ok()
                .map(|height| crate::historical::load(state, height))
                .transpose()?
                .flatten()
                .ok_or_else(|| not_found(format!("historical info for height {}", r.height)))?;
            pb::QueryHistoricalInfoResponse { hist: Some(info) }.encode_to_vec()
        }
        "Pool" => {
            req::<pb::QueryPoolRequest>(request)?;
            pb::QueryPoolResponse {
                pool: Some(pb::Pool {
                    not_bonded_tokens: int_to_wire(bank.pool_balance(state, Pool::NotBonded)),
                    bonded_tokens: int_to_wire(bank.pool_balance(state, Pool::Bonded)),
                }),
            }
            .encode_to_vec()
        }
        "Params" => {
            req::<pb::QueryParamsRequest>(request)?;
            pb::QueryParamsResponse {
                params: Some(params::load(state)?),
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

/// One page of `delegator`'s delegations, in operator order, each made into an item by `item`
/// (given the operator and the shares).
fn delegations_page<T>(
    state: &dyn StateRead,
    delegator: &Address,
    request: Option<&PageRequest>,
    mut item: impl FnMut(Address, Decimal) -> AppResult<T>,
) -> AppResult<(Vec<T>, PageResponse)> {
    let prefix = keys::join(keys::DELEGATION, &[delegator]);
    paginate_prefix_with(state, &prefix, request, |suffix, _| {
        let Some(op) = keys::addr_at(suffix, 0) else {
            return Ok(None);
        };
        delegation::shares(state, delegator, &op)?
            .map(|shares| item(op, shares))
            .transpose()
    })
}

/// One page of the unbonding delegations listed under `prefix`, whose keys end with the address
/// `pair` completes into `(delegator, operator)`.
fn unbonding_page(
    state: &dyn StateRead,
    prefix: &[u8],
    request: Option<&PageRequest>,
    pair: impl Fn(Address) -> (Address, Address),
) -> AppResult<(Vec<pb::UnbondingDelegation>, PageResponse)> {
    paginate_prefix_with(state, prefix, request, |suffix, _| {
        let Some(address) = keys::addr_at(suffix, 0) else {
            return Ok(None);
        };
        let (delegator, op) = pair(address);
        unbonding::load(state, &delegator, &op)
    })
}

fn redelegations(
    state: &dyn StateRead,
    profile: &ChainProfile,
    r: pb::QueryRedelegationsRequest,
) -> AppResult<pb::QueryRedelegationsResponse> {
    let optional = |text: &str, field: &str| -> AppResult<Option<Address>> {
        if text.is_empty() {
            Ok(None)
        } else {
            profile.valoper(text, field).map(Some)
        }
    };
    let src = optional(&r.src_validator_addr, "source validator address")?;
    let dst = optional(&r.dst_validator_addr, "destination validator address")?;
    // Keys under REDELEGATION_BY_SRC are `src ‖ delegator ‖ dst`, under REDELEGATION
    // `delegator ‖ src ‖ dst`.
    let (prefix, by_src) = if r.delegator_addr.is_empty() {
        let src = src.ok_or_else(|| {
            AppError::sdk(
                SdkCode::InvalidRequest,
                "delegator or source validator address required",
            )
        })?;
        (keys::join(keys::REDELEGATION_BY_SRC, &[&src]), true)
    } else {
        let delegator = profile.account(&r.delegator_addr, "delegator address")?;
        let mut parts: Vec<&[u8]> = vec![&delegator];
        if let Some(src) = &src {
            parts.push(src);
        }
        (keys::join(keys::REDELEGATION, &parts), false)
    };
    let base = if by_src {
        keys::REDELEGATION_BY_SRC.len()
    } else {
        keys::REDELEGATION.len()
    };
    let select = |suffix: &[u8], _| {
        let key = [prefix.as_slice(), suffix].concat();
        let Some([a, b, c]) = unbonding::addresses(&key, base) else {
            return Ok(None);
        };
        let (delegator, red_src, red_dst) = if by_src { (b, a, c) } else { (a, b, c) };
        if dst.is_some_and(|d| d != red_dst) {
            return Ok(None);
        }
        redelegation::load(state, &delegator, &red_src, &red_dst)?
            .map(|red| redelegation_response(state, &red_dst, red))
            .transpose()
    };
    let (redelegation_responses, page) =
        paginate_prefix_with(state, &prefix, r.pagination.as_ref(), select)?;
    Ok(pb::QueryRedelegationsResponse {
        redelegation_responses,
        pagination: Some(page),
    })
}

/// A redelegation to `dst` with each entry's balance at `dst`'s current exchange rate (zero once
/// `dst` is gone).
fn redelegation_response(
    state: &dyn StateRead,
    dst: &Address,
    red: pb::Redelegation,
) -> AppResult<pb::RedelegationResponse> {
    let dest = validator::load(state, dst)?;
    let mut entries = Vec::new();
    for entry in &red.entries {
        let shares = rampart_core::wire::dec_from_wire(&entry.shares_dst, "shares_dst")?;
        let balance = match &dest {
            Some(v) => v.tokens_for_shares(shares)?,
            None => Default::default(),
        };
        entries.push(pb::RedelegationEntryResponse {
            redelegation_entry: Some(entry.clone()),
            balance: int_to_wire(balance),
        });
    }
    Ok(pb::RedelegationResponse {
        redelegation: Some(red),
        entries,
    })
}
