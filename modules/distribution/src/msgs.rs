//! The `cosmos.distribution.v1beta1` messages: decoding with stateless checks, signers, and
//! execution with the SDK's responses and events.

use cosmos_sdk_proto::cosmos::distribution::v1beta1::{
    MsgFundCommunityPool, MsgFundCommunityPoolResponse, MsgSetWithdrawAddress,
    MsgSetWithdrawAddressResponse, MsgWithdrawDelegatorReward, MsgWithdrawDelegatorRewardResponse,
    MsgWithdrawValidatorCommission, MsgWithdrawValidatorCommissionResponse,
};
use prost::Message;
use rampart_auth::AuthRead;
use rampart_bank::Coin;
use rampart_core::coins::parse_coins;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::{decode_msg as decode_any, unknown_msg};
use rampart_core::{Address, ChainProfile, ModuleMsg};
use rampart_core::{Event, Events, StateWrite};
use rampart_staking::StakingRead;
use tendermint_proto::google::protobuf::Any;

use crate::errors::{err, DistributionCode};
use crate::params;
use crate::rewards;
use crate::state;
pub use crate::urls::{
    FUND_COMMUNITY_POOL, SET_WITHDRAW_ADDRESS, TYPE_URLS, WITHDRAW_DELEGATOR_REWARD,
    WITHDRAW_VALIDATOR_COMMISSION,
};

/// A decoded and statelessly valid distribution message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DistributionMsg {
    /// Set where `delegator`'s rewards are paid.
    SetWithdrawAddress {
        /// The delegator (signer).
        delegator: Address,
        /// The new withdraw address.
        withdraw: Address,
    },
    /// Withdraw `delegator`'s rewards from `validator`.
    WithdrawDelegatorReward {
        /// The delegator (signer).
        delegator: Address,
        /// The validator's operator.
        validator: Address,
    },
    /// Withdraw `validator`'s commission.
    WithdrawValidatorCommission {
        /// The validator's operator (its account signs).
        validator: Address,
    },
    /// Move `amount` from `depositor` into the community pool.
    FundCommunityPool {
        /// The depositor (signer).
        depositor: Address,
        /// Positive, sorted coins.
        amount: Vec<Coin>,
    },
}

fn delegator(profile: &ChainProfile, text: &str) -> AppResult<Address> {
    if text.is_empty() {
        return Err(err(
            DistributionCode::EmptyDelegatorAddr,
            "delegator address is empty",
        ));
    }
    profile.account(text, "delegator address")
}

fn validator(profile: &ChainProfile, text: &str) -> AppResult<Address> {
    if text.is_empty() {
        return Err(err(
            DistributionCode::EmptyValidatorAddr,
            "validator address is empty",
        ));
    }
    profile.valoper(text, "validator address")
}

impl ModuleMsg for DistributionMsg {
    /// Decodes one of [`TYPE_URLS`] and checks addresses (`distribution/2`–`4` when empty, `sdk/7`
    /// when malformed) and coins (`sdk/10`).
    fn decode(any: &Any, profile: &ChainProfile) -> AppResult<Self> {
        Ok(match any.type_url.as_str() {
            SET_WITHDRAW_ADDRESS => {
                let m: MsgSetWithdrawAddress = decode_any(any)?;
                let delegator = delegator(profile, &m.delegator_address)?;
                if m.withdraw_address.is_empty() {
                    return Err(err(
                        DistributionCode::EmptyWithdrawAddr,
                        "withdraw address is empty",
                    ));
                }
                let withdraw = profile.account(&m.withdraw_address, "withdraw address")?;
                Self::SetWithdrawAddress {
                    delegator,
                    withdraw,
                }
            }
            WITHDRAW_DELEGATOR_REWARD => {
                let m: MsgWithdrawDelegatorReward = decode_any(any)?;
                Self::WithdrawDelegatorReward {
                    delegator: delegator(profile, &m.delegator_address)?,
                    validator: validator(profile, &m.validator_address)?,
                }
            }
            WITHDRAW_VALIDATOR_COMMISSION => {
                let m: MsgWithdrawValidatorCommission = decode_any(any)?;
                Self::WithdrawValidatorCommission {
                    validator: validator(profile, &m.validator_address)?,
                }
            }
            FUND_COMMUNITY_POOL => {
                let m: MsgFundCommunityPool = decode_any(any)?;
                let depositor = profile.account(&m.depositor, "depositor address")?;
                let amount = parse_coins(&m.amount)?;
                if amount.is_empty() {
                    return Err(AppError::sdk(
                        SdkCode::InvalidCoins,
                        "empty amount: invalid coins",
                    ));
                }
                Self::FundCommunityPool { depositor, amount }
            }
            other => return Err(unknown_msg("distribution", other)),
        })
    }

    /// The address that must sign: the delegator, the operator's account, or the depositor.
    fn signers(&self, _profile: &ChainProfile) -> AppResult<Vec<Address>> {
        Ok(vec![*match self {
            Self::SetWithdrawAddress { delegator, .. } => delegator,
            Self::WithdrawDelegatorReward { delegator, .. } => delegator,
            Self::WithdrawValidatorCommission { validator } => validator,
            Self::FundCommunityPool { depositor, .. } => depositor,
        }])
    }
}

fn response<M: Message>(type_url: &str, message: &M) -> Any {
    Any {
        type_url: format!("{type_url}Response"),
        value: message.encode_to_vec(),
    }
}

fn protos(coins: &[Coin]) -> Vec<cosmos_sdk_proto::cosmos::base::v1beta1::Coin> {
    coins.iter().map(Coin::to_proto).collect()
}

/// Executes a decoded message. Every refusal happens before the first write.
pub fn execute(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    msg: &DistributionMsg,
    events: &mut Events,
) -> AppResult<Any> {
    match msg {
        DistributionMsg::SetWithdrawAddress {
            delegator,
            withdraw,
        } => {
            if !params::load(state)?.withdraw_addr_enabled {
                return Err(err(
                    DistributionCode::SetWithdrawAddrDisabled,
                    "set withdraw address disabled",
                ));
            }
            let withdraw = *withdraw;
            if state
                .account(&withdraw)?
                .is_some_and(|a| a.module.is_some())
            {
                return Err(AppError::sdk(
                    SdkCode::Unauthorized,
                    format!(
                        "{} is not allowed to receive external funds: unauthorized",
                        profile.to_account(&withdraw)
                    ),
                ));
            }
            state::set_withdraw_address(state, delegator, &withdraw);
            events.push(
                Event::new("set_withdraw_address")
                    .attr("withdraw_address", profile.to_account(&withdraw)),
            );
            Ok(response(
                SET_WITHDRAW_ADDRESS,
                &MsgSetWithdrawAddressResponse {},
            ))
        }
        DistributionMsg::WithdrawDelegatorReward {
            delegator,
            validator,
        } => {
            if state.validator(validator)?.is_none() {
                return Err(err(
                    DistributionCode::NoValidatorExists,
                    format!(
                        "{}: validator does not exist",
                        profile.to_valoper(validator)
                    ),
                ));
            }
            if state.delegation_shares(delegator, validator)?.is_none() {
                return Err(err(
                    DistributionCode::NoDelegationExists,
                    "delegation does not exist",
                ));
            }
            let amount = rewards::withdraw_delegation_rewards(state, delegator, validator, events)?;
            Ok(response(
                WITHDRAW_DELEGATOR_REWARD,
                &MsgWithdrawDelegatorRewardResponse {
                    amount: protos(&amount),
                },
            ))
        }
        DistributionMsg::WithdrawValidatorCommission { validator } => {
            let amount = rewards::withdraw_validator_commission(state, validator, events)?;
            Ok(response(
                WITHDRAW_VALIDATOR_COMMISSION,
                &MsgWithdrawValidatorCommissionResponse {
                    amount: protos(&amount),
                },
            ))
        }
        DistributionMsg::FundCommunityPool { depositor, amount } => {
            crate::allocation::fund_community_pool(state, depositor, amount, events)?;
            Ok(response(
                FUND_COMMUNITY_POOL,
                &MsgFundCommunityPoolResponse {},
            ))
        }
    }
}
