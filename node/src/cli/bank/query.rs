//! `rampartd query bank balances`.

use clap::Subcommand;
use serde::Serialize;

use crate::cli::args::{check_bech32, QueryOptions};
use crate::cli::output::{print_json, Output};

/// `rampartd query bank`.
#[derive(Debug, Subcommand)]
pub enum BankQuery {
    /// All balances of an address.
    Balances {
        /// The account address (rampart1…).
        address: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
}

impl BankQuery {
    /// Queries the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            BankQuery::Balances { address, options } => balances(&address, &options).await,
        }
    }
}

/// A coin in JSON output.
#[derive(Serialize)]
struct CoinJson {
    denom: String,
    amount: String,
}

/// `query bank balances` output.
#[derive(Serialize)]
struct Balances {
    balances: Vec<CoinJson>,
}

async fn balances(address: &str, options: &QueryOptions) -> anyhow::Result<()> {
    check_bech32(address)?;
    let coins = options.node.client()?.bank().all_balances(address).await?;
    let out = Balances {
        balances: coins
            .into_iter()
            .map(|c| CoinJson {
                denom: c.denom,
                amount: c.amount,
            })
            .collect(),
    };
    match options.output.output {
        Output::Json => print_json(&out),
        Output::Text => {
            if out.balances.is_empty() {
                println!("balances: []");
            } else {
                println!("balances:");
            }
            for coin in &out.balances {
                println!("- amount: \"{}\"\n  denom: {}", coin.amount, coin.denom);
            }
            Ok(())
        }
    }
}
