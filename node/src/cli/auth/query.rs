//! `rampartd query auth account`.

use anyhow::anyhow;
use clap::Subcommand;
use cosmos_sdk_proto::cosmos::auth::v1beta1::BaseAccount;
use rampart_auth::account::BASE_ACCOUNT_TYPE_URL;
use serde::Serialize;

use crate::cli::args::{check_bech32, QueryOptions};
use crate::cli::output::{print_json, Output};

/// `rampartd query auth`.
#[derive(Debug, Subcommand)]
pub enum AuthQuery {
    /// An account's number, sequence and public key.
    Account {
        /// The account address (rampart1…).
        address: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
}

impl AuthQuery {
    /// Queries the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            AuthQuery::Account { address, options } => account(&address, &options).await,
        }
    }
}

/// `query auth account` output, shaped as the SDK's JSON for a `BaseAccount`.
#[derive(Serialize)]
struct AccountJson {
    #[serde(rename = "@type")]
    type_url: &'static str,
    address: String,
    pub_key: Option<serde_json::Value>,
    account_number: String,
    sequence: String,
}

async fn account(address: &str, options: &QueryOptions) -> anyhow::Result<()> {
    check_bech32(address)?;
    let account = options
        .node
        .client()?
        .auth()
        .account(address)
        .await?
        .ok_or_else(|| anyhow!("account {address} not found: key not found"))?;
    let out = account_json(account)?;
    match options.output.output {
        Output::Json => print_json(&out),
        Output::Text => {
            println!("'@type': {}", out.type_url);
            println!("address: {}", out.address);
            println!("account_number: \"{}\"", out.account_number);
            println!("sequence: \"{}\"", out.sequence);
            match &out.pub_key {
                Some(pk) => println!("pub_key: '{pk}'"),
                None => println!("pub_key: null"),
            }
            Ok(())
        }
    }
}

fn account_json(account: BaseAccount) -> anyhow::Result<AccountJson> {
    let pub_key = account
        .pub_key
        .map(|any| {
            let key = cosmrs::crypto::PublicKey::try_from(any)
                .map_err(|e| anyhow!("the account's public key cannot be decoded: {e}"))?;
            Ok::<_, anyhow::Error>(serde_json::from_str(&key.to_json())?)
        })
        .transpose()?;
    Ok(AccountJson {
        type_url: BASE_ACCOUNT_TYPE_URL,
        address: account.address,
        pub_key,
        account_number: account.account_number.to_string(),
        sequence: account.sequence.to_string(),
    })
}
