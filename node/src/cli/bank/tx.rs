//! `rampartd tx bank send`.

use anyhow::bail;
use clap::Subcommand;
use rampart_client::address;
use rampart_client::coins::{format_coins, parse_coins};
use rampart_client::tx_builder::msg_send;

use crate::cli::args::TxOptions;

/// `rampartd tx bank`.
#[derive(Debug, Subcommand)]
pub enum BankTx {
    /// Send coins from a key in the keyring to an address.
    Send {
        /// The sending key: its name in the keyring, or its address.
        from: String,
        /// The recipient address (rampart1…).
        to: String,
        /// The coins to send, e.g. 100uramp or 5uatom,100uramp.
        coins: String,
        /// Fees, gas, node, keyring, broadcast mode and output.
        #[command(flatten)]
        options: TxOptions,
    },
}

impl BankTx {
    /// Checks the arguments, signs and broadcasts.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            BankTx::Send {
                from,
                to,
                coins,
                options,
            } => bank_send(&from, &to, &coins, options).await,
        }
    }
}

async fn bank_send(from: &str, to: &str, coins: &str, options: TxOptions) -> anyhow::Result<()> {
    let amount = parse_coins(coins)?;
    if amount.is_empty() {
        bail!("nothing to send: the amount is empty");
    }
    let to = address::account(to, "recipient address")?;
    let signer = options.signer(from)?;
    let summary = format!(
        "send {} from {} to {to}",
        format_coins(&amount),
        signer.address
    );
    let msg = msg_send(signer.address.as_ref(), to.as_ref(), amount);
    options.submit(&signer, vec![msg], &summary).await
}
