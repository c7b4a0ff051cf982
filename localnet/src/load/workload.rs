//! What the generator sends: its accounts (keys derived from a seed) and the transaction of
//! each account at each sequence.
//!
//! A transaction is a pure function of (account, sequence): re-signing after a
//! resynchronisation gives the very same bytes and hash, so a transaction sent twice is one
//! transaction to CometBFT (its cache answers the second copy) and to the report.

use anyhow::{anyhow, Context, Result};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use rampart_client::keys::hd::{AccountKey, KeyType};
use rampart_client::msgs::staking::delegate_msg;
use rampart_client::tx_builder::{msg_send, sign_tx, TxParams};
use sha2::{Digest, Sha256};

use crate::accounts::DENOM;

/// The gas limit of a load transfer (a first `MsgSend` uses ≈ 60,000 with its key stored).
pub const TRANSFER_GAS: u64 = 100_000;
/// The gas limit of a load delegation.
pub const DELEGATE_GAS: u64 = 300_000;
/// The fee of each load transaction, in [`DENOM`].
pub const FEE: u128 = 1_000;
/// What each load transfer moves, in [`DENOM`].
const TRANSFER_AMOUNT: u128 = 1;
/// What each load delegation bonds, in [`DENOM`].
const DELEGATE_AMOUNT: u128 = 1_000;
/// With `--mix`, one transaction in this many is a delegation (the rest are transfers).
const DELEGATE_EVERY: u64 = 4;

/// What the generator's accounts send.
#[derive(Clone, Debug)]
pub enum Workload {
    /// Signed Rampart transactions: transfers to the next account, and with `mix` every
    /// [`DELEGATE_EVERY`]th one a delegation to one of `validators` (operator addresses).
    Rampart {
        /// The chain id signed.
        chain_id: String,
        /// Validator operator addresses, for `mix`.
        validators: Vec<String>,
        /// Whether to mix delegations in.
        mix: bool,
    },
    /// `key=value` transactions of `size` bytes for CometBFT's kvstore app, unique per run.
    Kvstore {
        /// The byte size of each transaction.
        size: usize,
        /// Makes keys unique across runs.
        run_tag: u64,
    },
}

/// One of the generator's accounts.
#[derive(Clone, Debug)]
pub struct LoadAccount {
    /// Its signing key (unused for kvstore load).
    pub key: AccountKey,
    /// Its `rampart1…` address.
    pub address: String,
    /// Its account number (once funded).
    pub number: u64,
}

/// `count` secp256k1 accounts derived from `seed` (sha256 of the seed and the index).
pub fn derive_accounts(seed: u64, count: usize) -> Result<Vec<LoadAccount>> {
    (0..count)
        .map(|index| {
            let mut counter = 0u32;
            loop {
                let secret: [u8; 32] = Sha256::new()
                    .chain_update(b"rampart-load")
                    .chain_update(seed.to_be_bytes())
                    .chain_update((index as u64).to_be_bytes())
                    .chain_update(counter.to_be_bytes())
                    .finalize()
                    .into();
                // A hash above the curve order (probability ≈ 2^-128) is skipped.
                if let Ok(key) = AccountKey::from_secret(KeyType::Secp256k1, secret) {
                    let address = key.address()?.to_string();
                    return Ok(LoadAccount {
                        key,
                        address,
                        number: 0,
                    });
                }
                counter = counter.checked_add(1).context("no valid key")?;
            }
        })
        .collect()
}

/// A coin of [`DENOM`].
pub fn coin(amount: u128) -> Coin {
    Coin {
        denom: DENOM.into(),
        amount: amount.to_string(),
    }
}

impl Workload {
    /// The transaction of account `index` (of `accounts`) at `sequence`.
    pub fn tx(&self, accounts: &[LoadAccount], index: usize, sequence: u64) -> Result<Vec<u8>> {
        match self {
            Workload::Kvstore { size, run_tag } => Ok(kv_tx(*size, *run_tag, index, sequence)),
            Workload::Rampart {
                chain_id,
                validators,
                mix,
            } => {
                let account = accounts.get(index).context("no such load account")?;
                let delegate = *mix && !validators.is_empty() && sequence % DELEGATE_EVERY == 1;
                let (message, gas_limit) = if delegate {
                    let pick = (index as u64).wrapping_add(sequence) % validators.len() as u64;
                    let validator = &validators[usize::try_from(pick)?];
                    let delegator = rampart_client::address::account(&account.address, "load")?;
                    let operator = validator
                        .parse()
                        .map_err(|e| anyhow!("bad operator {validator}: {e}"))?;
                    (
                        delegate_msg(&delegator, &operator, coin(DELEGATE_AMOUNT)),
                        DELEGATE_GAS,
                    )
                } else {
                    let to = &accounts[(index + 1) % accounts.len()].address;
                    (
                        msg_send(&account.address, to, vec![coin(TRANSFER_AMOUNT)]),
                        TRANSFER_GAS,
                    )
                };
                let params = TxParams {
                    chain_id: chain_id.clone(),
                    account_number: account.number,
                    sequence,
                    fee: vec![coin(FEE)],
                    gas_limit,
                    memo: String::new(),
                    timeout_height: 0,
                };
                Ok(sign_tx(vec![message], &account.key, &params)?.tx_bytes)
            }
        }
    }

    /// Whether transactions carry account sequences (kvstore ones do not).
    pub fn sequenced(&self) -> bool {
        matches!(self, Workload::Rampart { .. })
    }
}

/// A kvstore transaction `load<tag>-<index>-<sequence>=xxx…` of exactly `size` bytes (or the
/// key alone plus `=x` when `size` is smaller).
fn kv_tx(size: usize, run_tag: u64, index: usize, sequence: u64) -> Vec<u8> {
    let mut tx = format!("load{run_tag:x}-{index}-{sequence}=").into_bytes();
    let pad = size.saturating_sub(tx.len()).max(1);
    tx.resize(tx.len() + pad, b'x');
    tx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kv_txs_are_unique_and_sized() {
        let a = kv_tx(300, 7, 1, 2);
        assert_eq!(a.len(), 300);
        assert_eq!(a.iter().filter(|&&b| b == b'=').count(), 1);
        assert_ne!(a, kv_tx(300, 7, 2, 1));
        assert_ne!(a, kv_tx(300, 8, 1, 2));
        assert!(kv_tx(3, 7, 1, 2).ends_with(b"=x"));
    }

    #[test]
    fn signed_txs_are_a_function_of_account_and_sequence() -> Result<()> {
        let mut accounts = derive_accounts(42, 2)?;
        assert_eq!(derive_accounts(42, 2)?[1].address, accounts[1].address);
        accounts[0].number = 9;
        let workload = Workload::Rampart {
            chain_id: "test".into(),
            validators: vec![],
            mix: true,
        };
        let tx = workload.tx(&accounts, 0, 5)?;
        assert_eq!(tx, workload.tx(&accounts, 0, 5)?);
        assert_ne!(tx, workload.tx(&accounts, 0, 6)?);
        Ok(())
    }
}
