//! `rampartd tx distribution …`: withdrawing rewards and commission, the withdraw address
//! (messages built by `rampart_client::msgs::distribution`).

use anyhow::{anyhow, bail};
use clap::Subcommand;
use rampart_client::address;
use rampart_client::msgs::distribution::{
    set_withdraw_address_msg, withdraw_reward_msg, withdraw_rewards_msgs,
};

use crate::cli::args::FromOptions;

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
                let delegations = signer
                    .node
                    .staking()
                    .delegator_delegations(signer.address.as_ref())
                    .await?;
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
