//! `rampartd tx slashing unjail` (the message built by `rampart_client::msgs::slashing`).

use clap::Subcommand;
use rampart_client::msgs::slashing::unjail_msg;

use crate::cli::args::FromOptions;

/// `rampartd tx slashing`.
#[derive(Debug, Subcommand)]
pub enum SlashingTx {
    /// Unjail the validator the --from key operates (after its jail period; never when
    /// tombstoned).
    Unjail {
        /// The operator key (--from) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
}

impl SlashingTx {
    /// Builds, signs and broadcasts the transaction.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            SlashingTx::Unjail { options } => {
                options
                    .send(|signer| {
                        let validator = signer.operator()?;
                        Ok((format!("unjail {validator}"), vec![unjail_msg(&validator)]))
                    })
                    .await
            }
        }
    }
}
