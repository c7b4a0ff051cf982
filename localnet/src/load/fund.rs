//! Funding the generator's accounts from the localnet's faucet with `MsgMultiSend`s, then
//! reading their account numbers and sequences back from the chain.

use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use rampart_client::gas::Gas;
use rampart_client::keys::hd::{AccountKey, KeyType};
use rampart_client::keys::mnemonic;
use rampart_client::msgs::bank::multi_send_msg;
use rampart_client::submit::{execute_tx, TxSettings};
use rampart_client::{BroadcastMode, NodeClient};

use super::workload::{coin, LoadAccount};
use crate::accounts::Faucet;

/// Outputs per funding `MsgMultiSend`.
const OUTPUTS_PER_TX: usize = 250;
/// How long a funding transaction may take to commit.
const COMMIT_TIMEOUT: Duration = Duration::from_secs(60);
/// Account queries in flight at once.
const QUERY_CONCURRENCY: usize = 16;

/// Sends `amount` to every account from `faucet`, [`OUTPUTS_PER_TX`] per transaction, each
/// waiting for its block.
pub async fn fund(
    client: &NodeClient,
    faucet: &Faucet,
    accounts: &[LoadAccount],
    amount: u128,
) -> Result<()> {
    let key = AccountKey::from_mnemonic(&mnemonic::parse(&faucet.mnemonic)?, KeyType::Secp256k1)
        .context("the faucet's mnemonic")?;
    let settings = TxSettings {
        fees: vec![coin(20_000)],
        gas: Gas::Auto(1.5),
        ..TxSettings::default()
    };
    for chunk in accounts.chunks(OUTPUTS_PER_TX) {
        let outputs: Vec<(String, _)> = chunk
            .iter()
            .map(|a| (a.address.clone(), vec![coin(amount)]))
            .collect();
        let msg = multi_send_msg(&faucet.address, &outputs)?;
        execute_tx(
            client,
            &key,
            vec![msg],
            &settings,
            BroadcastMode::Block,
            COMMIT_TIMEOUT,
        )
        .await
        .context("funding the load accounts from the faucet")?;
    }
    Ok(())
}

/// Reads every account's number and sequence (in order); an account that does not exist is an
/// error.
pub async fn numbers_and_sequences(
    client: &NodeClient,
    accounts: &[LoadAccount],
) -> Result<Vec<(u64, u64)>> {
    let mut out = Vec::with_capacity(accounts.len());
    for chunk in accounts.chunks(QUERY_CONCURRENCY) {
        let mut tasks = tokio::task::JoinSet::new();
        for (offset, account) in chunk.iter().enumerate() {
            let client = client.clone();
            let address = account.address.clone();
            tasks.spawn(async move {
                let found = client.auth().account(&address).await?;
                let found = found.ok_or_else(|| anyhow!("load account {address} is not funded"))?;
                anyhow::Ok((offset, found.account_number, found.sequence))
            });
        }
        let mut answers = vec![(0, 0); chunk.len()];
        while let Some(answer) = tasks.join_next().await {
            let (offset, number, sequence) = answer.context("an account query panicked")??;
            answers[offset] = (number, sequence);
        }
        out.extend(answers);
    }
    Ok(out)
}
