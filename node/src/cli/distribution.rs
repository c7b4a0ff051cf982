//! `rampartd tx distribution …` and `rampartd query distribution …`: withdrawing rewards and
//! commission, the withdraw address, and the `cosmos.distribution.v1beta1` queries.

use anyhow::{anyhow, bail};
use clap::Subcommand;
use cosmos_sdk_proto::cosmos::base::v1beta1::DecCoin;
use cosmos_sdk_proto::cosmos::distribution::v1beta1 as pb;
use cosmrs::{AccountId, Any};

use super::query::QueryOptions;
use super::staking::{any, ask, delegations_of, Doc, Render};
use super::tx::FromOptions;
use crate::client::address;

/// Type URL of `MsgWithdrawDelegatorReward`.
pub const WITHDRAW_DELEGATOR_REWARD: &str =
    "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward";
/// Type URL of `MsgWithdrawValidatorCommission`.
pub const WITHDRAW_VALIDATOR_COMMISSION: &str =
    "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission";
/// Type URL of `MsgSetWithdrawAddress`.
pub const SET_WITHDRAW_ADDRESS: &str = "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress";

const QUERY: &str = "/cosmos.distribution.v1beta1.Query/";

/// `rampartd tx distribution`.
#[derive(Debug, Subcommand)]
pub enum DistributionTx {
    /// Withdraw the --from key's rewards from one validator (and, with --commission, that
    /// validator's commission, when --from operates it).
    WithdrawRewards {
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// Also withdraw the validator's commission (--from must be its operator).
        #[arg(long)]
        commission: bool,
        /// The signer (--from) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Withdraw the --from key's rewards from every validator it delegates to, in one
    /// transaction.
    WithdrawAllRewards {
        /// The signer (--from) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Send the --from key's future rewards to another address.
    SetWithdrawAddr {
        /// The address rewards go to (rampart1…).
        address: String,
        /// The signer (--from) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
}

/// A `MsgWithdrawDelegatorReward` of `delegator`'s rewards from `validator`.
pub fn withdraw_reward_msg(delegator: &AccountId, validator: &AccountId) -> Any {
    any(
        WITHDRAW_DELEGATOR_REWARD,
        &pb::MsgWithdrawDelegatorReward {
            delegator_address: delegator.to_string(),
            validator_address: validator.to_string(),
        },
    )
}

/// A `MsgWithdrawValidatorCommission` of `validator`'s commission.
pub fn withdraw_commission_msg(validator: &AccountId) -> Any {
    any(
        WITHDRAW_VALIDATOR_COMMISSION,
        &pb::MsgWithdrawValidatorCommission {
            validator_address: validator.to_string(),
        },
    )
}

/// A `MsgSetWithdrawAddress` sending `delegator`'s rewards to `withdraw`.
pub fn set_withdraw_address_msg(delegator: &AccountId, withdraw: &AccountId) -> Any {
    any(
        SET_WITHDRAW_ADDRESS,
        &pb::MsgSetWithdrawAddress {
            delegator_address: delegator.to_string(),
            withdraw_address: withdraw.to_string(),
        },
    )
}

/// The messages of `withdraw-rewards`: the reward, then the commission when asked for, which
/// only `validator`'s operator may withdraw.
pub fn withdraw_rewards_msgs(
    delegator: &AccountId,
    validator: &AccountId,
    commission: bool,
) -> anyhow::Result<Vec<Any>> {
    let mut msgs = vec![withdraw_reward_msg(delegator, validator)];
    if commission {
        let own = address::operator_of(delegator)?;
        if own != *validator {
            bail!(
                "--commission: {delegator} operates {own}, not {validator}; only a validator's \
                 operator can withdraw its commission"
            );
        }
        msgs.push(withdraw_commission_msg(validator));
    }
    Ok(msgs)
}

impl DistributionTx {
    /// Checks the arguments, signs with --from and broadcasts.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            DistributionTx::WithdrawRewards {
                validator,
                commission,
                options,
            } => {
                let validator = address::validator(&validator, "validator address")?;
                options
                    .send(|signer| {
                        let msgs = withdraw_rewards_msgs(&signer.address, &validator, commission)?;
                        let and_commission = if commission {
                            " and its commission"
                        } else {
                            ""
                        };
                        let summary = format!(
                            "withdraw the rewards of {} from {validator}{and_commission}",
                            signer.address
                        );
                        Ok((summary, msgs))
                    })
                    .await
            }
            DistributionTx::WithdrawAllRewards { options } => {
                let signer = options.signer()?;
                let delegations = delegations_of(&signer.node, signer.address.as_ref()).await?;
                let mut msgs = Vec::with_capacity(delegations.len());
                for d in &delegations {
                    let delegation = d
                        .delegation
                        .as_ref()
                        .ok_or_else(|| anyhow!("the node answered a delegation without data"))?;
                    let validator = address::validator(
                        &delegation.validator_address,
                        "validator address from the node",
                    )?;
                    msgs.push(withdraw_reward_msg(&signer.address, &validator));
                }
                if msgs.is_empty() {
                    bail!(
                        "{} has no delegations, so there are no rewards to withdraw",
                        signer.address
                    );
                }
                let summary = format!(
                    "withdraw the rewards of {} from {} validator(s)",
                    signer.address,
                    msgs.len()
                );
                options.tx.submit(&signer, msgs, &summary).await
            }
            DistributionTx::SetWithdrawAddr { address, options } => {
                let withdraw = address::account(&address, "withdraw address")?;
                options
                    .send(|signer| {
                        let summary =
                            format!("send the rewards of {} to {withdraw}", signer.address);
                        Ok((
                            summary,
                            vec![set_withdraw_address_msg(&signer.address, &withdraw)],
                        ))
                    })
                    .await
            }
        }
    }
}

/// `rampartd query distribution`.
#[derive(Debug, Subcommand)]
pub enum DistributionQuery {
    /// Distribution parameters.
    Params {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// A delegator's rewards: from every validator with their total, or from one validator.
    Rewards {
        /// The delegator address (rampart1…).
        delegator: String,
        /// Only the rewards from this validator (rampartvaloper1…).
        validator: Option<String>,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// A validator's accumulated, not yet withdrawn commission.
    Commission {
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// A validator's outstanding rewards (everything not yet withdrawn by it or its delegators).
    OutstandingRewards {
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The address a delegator's rewards are paid to.
    WithdrawAddr {
        /// The delegator address (rampart1…).
        delegator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The community pool's balance.
    CommunityPool {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
}

/// Prints `{key: {key: coins}}`: the SDK's shape of a validator's commission and of its
/// outstanding rewards.
fn nested_dec_coins(
    options: &QueryOptions,
    key: &'static str,
    coins: &[DecCoin],
) -> anyhow::Result<()> {
    let render = Render::plain(options.output.output);
    render.print(&Doc::Map(vec![(
        key,
        Doc::Map(vec![(key, render.dec_coins(coins))]),
    )]))
}

impl DistributionQuery {
    /// Checks the addresses, queries the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        let path = |method: &str| format!("{QUERY}{method}");
        let delegator_arg = |text: &str| address::account(text, "delegator address");
        let validator_arg = |text: &str| address::validator(text, "validator address");
        match self {
            DistributionQuery::Params { options } => {
                let r: pb::QueryParamsResponse =
                    ask(&options, &path("Params"), &pb::QueryParamsRequest {}).await?;
                let p = r
                    .params
                    .ok_or_else(|| anyhow!("the node answered without params"))?;
                let render = Render::plain(options.output.output);
                // Still part of the SDK's params JSON, though no longer used by the SDK.
                #[allow(deprecated)]
                let (base, bonus) = (&p.base_proposer_reward, &p.bonus_proposer_reward);
                render.print(&Doc::Map(vec![(
                    "params",
                    Doc::Map(vec![
                        ("community_tax", render.dec(&p.community_tax)),
                        ("base_proposer_reward", render.dec(base)),
                        ("bonus_proposer_reward", render.dec(bonus)),
                        ("withdraw_addr_enabled", Doc::Bool(p.withdraw_addr_enabled)),
                    ]),
                )]))
            }
            DistributionQuery::Rewards {
                delegator,
                validator: None,
                options,
            } => {
                let delegator = delegator_arg(&delegator)?;
                let r: pb::QueryDelegationTotalRewardsResponse = ask(
                    &options,
                    &path("DelegationTotalRewards"),
                    &pb::QueryDelegationTotalRewardsRequest {
                        delegator_address: delegator.to_string(),
                    },
                )
                .await?;
                let render = Render::plain(options.output.output);
                let rewards = r
                    .rewards
                    .iter()
                    .map(|reward| {
                        Doc::Map(vec![
                            ("validator_address", Doc::str(&reward.validator_address)),
                            ("reward", render.dec_coins(&reward.reward)),
                        ])
                    })
                    .collect();
                render.print(&Doc::Map(vec![
                    ("rewards", Doc::List(rewards)),
                    ("total", render.dec_coins(&r.total)),
                ]))
            }
            DistributionQuery::Rewards {
                delegator,
                validator: Some(validator),
                options,
            } => {
                let (delegator, validator) =
                    (delegator_arg(&delegator)?, validator_arg(&validator)?);
                let r: pb::QueryDelegationRewardsResponse = ask(
                    &options,
                    &path("DelegationRewards"),
                    &pb::QueryDelegationRewardsRequest {
                        delegator_address: delegator.to_string(),
                        validator_address: validator.to_string(),
                    },
                )
                .await?;
                let render = Render::plain(options.output.output);
                render.print(&Doc::Map(vec![("rewards", render.dec_coins(&r.rewards))]))
            }
            DistributionQuery::Commission { validator, options } => {
                let validator = validator_arg(&validator)?;
                let r: pb::QueryValidatorCommissionResponse = ask(
                    &options,
                    &path("ValidatorCommission"),
                    &pb::QueryValidatorCommissionRequest {
                        validator_address: validator.to_string(),
                    },
                )
                .await?;
                nested_dec_coins(
                    &options,
                    "commission",
                    &r.commission.unwrap_or_default().commission,
                )
            }
            DistributionQuery::OutstandingRewards { validator, options } => {
                let validator = validator_arg(&validator)?;
                let r: pb::QueryValidatorOutstandingRewardsResponse = ask(
                    &options,
                    &path("ValidatorOutstandingRewards"),
                    &pb::QueryValidatorOutstandingRewardsRequest {
                        validator_address: validator.to_string(),
                    },
                )
                .await?;
                nested_dec_coins(&options, "rewards", &r.rewards.unwrap_or_default().rewards)
            }
            DistributionQuery::WithdrawAddr { delegator, options } => {
                let delegator = delegator_arg(&delegator)?;
                let r: pb::QueryDelegatorWithdrawAddressResponse = ask(
                    &options,
                    &path("DelegatorWithdrawAddress"),
                    &pb::QueryDelegatorWithdrawAddressRequest {
                        delegator_address: delegator.to_string(),
                    },
                )
                .await?;
                let render = Render::plain(options.output.output);
                render.print(&Doc::Map(vec![(
                    "withdraw_address",
                    Doc::Str(r.withdraw_address),
                )]))
            }
            DistributionQuery::CommunityPool { options } => {
                let r: pb::QueryCommunityPoolResponse = ask(
                    &options,
                    &path("CommunityPool"),
                    &pb::QueryCommunityPoolRequest {},
                )
                .await?;
                let render = Render::plain(options.output.output);
                render.print(&Doc::Map(vec![("pool", render.dec_coins(&r.pool))]))
            }
        }
    }
}
