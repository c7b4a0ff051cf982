//! The flow every transaction command shares: load the `--from` key, sign the messages, show
//! the transaction and ask for confirmation (unless `--yes`), broadcast, print the outcome.

use std::time::Duration;

use anyhow::{anyhow, bail};
use cosmrs::{AccountId, Any};
use rampart_client::address;
use rampart_client::coins::parse_coins;
use rampart_client::keys::{AccountKey, Keyring};
use rampart_client::submit::{prepare_tx, TxSettings};
use rampart_client::NodeClient;

use super::args::{FromOptions, TxOptions};
use super::output::{print_json, Output};
use super::prompt::{confirm, KeyringArgs};

/// The key a transaction is signed with, and the node it goes to.
#[derive(Debug)]
pub struct Signer {
    /// The private key.
    pub key: AccountKey,
    /// Its account address (`rampart1…`).
    pub address: AccountId,
    /// The node the transaction is sent to (and account data read from).
    pub node: NodeClient,
}

impl Signer {
    /// The validator operator address (`rampartvaloper1…`) of the signer's account.
    pub fn operator(&self) -> anyhow::Result<AccountId> {
        address::operator_of(&self.address)
    }
}

impl FromOptions {
    /// The `--from` key and the node.
    pub fn signer(&self) -> anyhow::Result<Signer> {
        self.tx.signer(&self.from)
    }

    /// Loads the `--from` key, lets `build` turn it into a one-line summary and the messages,
    /// and [submits](TxOptions::submit) them as one transaction.
    pub async fn send(
        &self,
        build: impl FnOnce(&Signer) -> anyhow::Result<(String, Vec<Any>)>,
    ) -> anyhow::Result<()> {
        let signer = self.signer()?;
        let (summary, messages) = build(&signer)?;
        self.tx.submit(&signer, messages, &summary).await
    }
}

impl TxOptions {
    /// The node home (`--home`): keyring, app.toml and the node's key files.
    pub fn home(&self) -> &std::path::Path {
        self.node.home()
    }

    /// Loads the key `from` names (a key name or a keyring address) and connects to the node.
    pub fn signer(&self, from: &str) -> anyhow::Result<Signer> {
        let keyring = self.keyring.keyring(self.node.home());
        let key = load_key(&keyring, &self.keyring, from)?;
        let address = key.address()?;
        Ok(Signer {
            key,
            address,
            node: self.node.client()?,
        })
    }

    /// Fee, gas, memo, chain id and sequence as the client library takes them.
    pub fn settings(&self) -> anyhow::Result<TxSettings> {
        Ok(TxSettings {
            fees: parse_coins(&self.fees).map_err(|e| anyhow!("--fees: {e}"))?,
            gas: self.gas.gas(self.gas_adjustment),
            memo: self.memo.clone(),
            chain_id: self.chain_id.clone(),
            sequence: self.sequence,
        })
    }

    /// Signs `messages` with `signer`, shows `summary` and the transaction and asks for
    /// confirmation (unless `--yes`), broadcasts, prints the outcome (hash, height, gas; JSON
    /// with `--output json`) and fails with the chain's code and log on a non-zero code.
    pub async fn submit(
        &self,
        signer: &Signer,
        messages: Vec<Any>,
        summary: &str,
    ) -> anyhow::Result<()> {
        let prepared = prepare_tx(&signer.node, &signer.key, messages, &self.settings()?).await?;
        if !self.yes {
            eprintln!("{summary}\n{prepared}");
            if !confirm("confirm transaction before signing and broadcasting")? {
                bail!("aborted: the transaction was not broadcast");
            }
        }
        let outcome = signer
            .node
            .broadcast(
                prepared.tx_bytes,
                self.broadcast_mode,
                Duration::from_secs(self.timeout),
            )
            .await?;
        match self.output.output {
            Output::Json => print_json(&outcome)?,
            Output::Text => {
                println!("txhash: {}", outcome.hash);
                if let Some(height) = outcome.height {
                    println!("height: {height}");
                }
                if let (Some(wanted), Some(used)) = (outcome.gas_wanted, outcome.gas_used) {
                    println!("gas: {used} used of {wanted} wanted");
                }
            }
        }
        Ok(outcome.check()?)
    }
}

/// The key `from` names: a key name, or the address of a key in the keyring.
pub(crate) fn load_key(
    keyring: &Keyring,
    args: &KeyringArgs,
    from: &str,
) -> anyhow::Result<AccountKey> {
    let name = match keyring.list()?.into_iter().find(|r| r.address == from) {
        Some(record) => record.name,
        None => from.to_owned(),
    };
    let passphrase = args.passphrase(false)?;
    keyring.private_key(&name, passphrase.as_deref().map(String::as_str))
}
