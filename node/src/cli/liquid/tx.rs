//! `rampartd tx liquid …`: stake for liquid tokens and redeem them (messages built by
//! `rampart_client::msgs::liquid`).

use anyhow::bail;
use clap::Subcommand;
use rampart_client::address;
use rampart_client::coins::parse_coins;
use rampart_client::msgs::liquid::{liquid_stake_msg, liquid_unstake_msg, LIQUID_DENOM};

use crate::cli::args::FromOptions;

/// `rampartd tx liquid`.
#[derive(Debug, Subcommand)]
pub enum LiquidTx {
    /// Stake the bond denom through the liquid module and receive lsuramp at the current rate.
    Stake {
        /// The amount, e.g. 1000000uramp.
        amount: String,
        /// Bonded validators to spread over (rampartvaloper1…, repeatable) [default: the bonded
        /// set, capped per validator].
        #[arg(long = "validator", value_name = "VALOPER")]
        validators: Vec<String>,
        /// Signer, fees, gas, node, keyring, broadcast mode and output.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Redeem lsuramp: burned at the next epoch, the underlying paid after the unbonding period.
    Unstake {
        /// The amount, e.g. 400000lsuramp.
        amount: String,
        /// Signer, fees, gas, node, keyring, broadcast mode and output.
        #[command(flatten)]
        options: FromOptions,
    },
}

/// The one coin of `text` (`1000uramp`): its amount and denom.
fn one_coin(text: &str) -> anyhow::Result<(u128, String)> {
    let coins = parse_coins(text)?;
    let [coin] = coins.as_slice() else {
        bail!("give one amount with its denom, e.g. 1000000uramp (got {text:?})");
    };
    Ok((coin.amount.parse()?, coin.denom.clone()))
}

impl LiquidTx {
    /// Checks the arguments, signs and broadcasts.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            LiquidTx::Stake {
                amount,
                validators,
                options,
            } => {
                let (amount, denom) = one_coin(&amount)?;
                let validators = validators
                    .iter()
                    .map(|v| address::validator(v, "--validator"))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                options
                    .send(|signer| {
                        let over = if validators.is_empty() {
                            "the bonded set".to_owned()
                        } else {
                            format!("{} validators", validators.len())
                        };
                        let summary = format!(
                            "liquid stake {amount}{denom} from {} over {over} for {LIQUID_DENOM}",
                            signer.address
                        );
                        let msg = liquid_stake_msg(&signer.address, amount, &denom, &validators);
                        Ok((summary, vec![msg]))
                    })
                    .await
            }
            LiquidTx::Unstake { amount, options } => {
                let (amount, denom) = one_coin(&amount)?;
                if denom != LIQUID_DENOM {
                    bail!("unstake takes {LIQUID_DENOM}, got {denom}");
                }
                options
                    .send(|signer| {
                        let summary = format!(
                            "liquid unstake {amount}{LIQUID_DENOM} of {}",
                            signer.address
                        );
                        Ok((summary, vec![liquid_unstake_msg(&signer.address, amount)]))
                    })
                    .await
            }
        }
    }
}
