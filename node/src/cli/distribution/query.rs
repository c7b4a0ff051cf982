//! `rampartd query distribution …`: rewards, commission, the withdraw address, the community
//! pool and the parameters (`cosmos.distribution.v1beta1`).

use clap::Subcommand;
use cosmos_sdk_proto::cosmos::base::v1beta1::DecCoin;
use rampart_client::address;

use crate::cli::args::QueryOptions;
use crate::cli::output::{missing, Doc, Printer};

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
    let out = Printer::plain(options.output.output);
    out.print(&Doc::Map(vec![(
        key,
        Doc::Map(vec![(key, out.dec_coins(coins))]),
    )]))
}

impl DistributionQuery {
    /// Checks the addresses, queries the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        let delegator_arg = |text: &str| address::account(text, "delegator address");
        let validator_arg = |text: &str| address::validator(text, "validator address");
        match self {
            DistributionQuery::Params { options } => {
                let r = options.node.client()?.distribution().params().await?;
                let p = r.params.ok_or_else(|| missing("params"))?;
                let out = Printer::plain(options.output.output);
                // Still part of the SDK's params JSON, though no longer used by the SDK.
                #[allow(deprecated)]
                let (base, bonus) = (&p.base_proposer_reward, &p.bonus_proposer_reward);
                out.print(&Doc::Map(vec![(
                    "params",
                    Doc::Map(vec![
                        ("community_tax", out.dec(&p.community_tax)),
                        ("base_proposer_reward", out.dec(base)),
                        ("bonus_proposer_reward", out.dec(bonus)),
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
                let node = options.node.client()?;
                let r = node
                    .distribution()
                    .delegation_total_rewards(delegator.as_ref())
                    .await?;
                let out = Printer::plain(options.output.output);
                let rewards = r
                    .rewards
                    .iter()
                    .map(|reward| {
                        Doc::Map(vec![
                            ("validator_address", Doc::str(&reward.validator_address)),
                            ("reward", out.dec_coins(&reward.reward)),
                        ])
                    })
                    .collect();
                out.print(&Doc::Map(vec![
                    ("rewards", Doc::List(rewards)),
                    ("total", out.dec_coins(&r.total)),
                ]))
            }
            DistributionQuery::Rewards {
                delegator,
                validator: Some(validator),
                options,
            } => {
                let (delegator, validator) =
                    (delegator_arg(&delegator)?, validator_arg(&validator)?);
                let node = options.node.client()?;
                let r = node
                    .distribution()
                    .delegation_rewards(delegator.as_ref(), validator.as_ref())
                    .await?;
                let out = Printer::plain(options.output.output);
                out.print(&Doc::Map(vec![("rewards", out.dec_coins(&r.rewards))]))
            }
            DistributionQuery::Commission { validator, options } => {
                let validator = validator_arg(&validator)?;
                let node = options.node.client()?;
                let r = node
                    .distribution()
                    .validator_commission(validator.as_ref())
                    .await?;
                nested_dec_coins(
                    &options,
                    "commission",
                    &r.commission.unwrap_or_default().commission,
                )
            }
            DistributionQuery::OutstandingRewards { validator, options } => {
                let validator = validator_arg(&validator)?;
                let node = options.node.client()?;
                let r = node
                    .distribution()
                    .validator_outstanding_rewards(validator.as_ref())
                    .await?;
                nested_dec_coins(&options, "rewards", &r.rewards.unwrap_or_default().rewards)
            }
            DistributionQuery::WithdrawAddr { delegator, options } => {
                let delegator = delegator_arg(&delegator)?;
                let node = options.node.client()?;
                let r = node
                    .distribution()
                    .delegator_withdraw_address(delegator.as_ref())
                    .await?;
                let out = Printer::plain(options.output.output);
                out.print(&Doc::Map(vec![(
                    "withdraw_address",
                    Doc::Str(r.withdraw_address),
                )]))
            }
            DistributionQuery::CommunityPool { options } => {
                let r = options
                    .node
                    .client()?
                    .distribution()
                    .community_pool()
                    .await?;
                let out = Printer::plain(options.output.output);
                out.print(&Doc::Map(vec![("pool", out.dec_coins(&r.pool))]))
            }
        }
    }
}
