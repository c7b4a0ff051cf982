//! Integer coin lists (sorted by denom, no zero entries) with checked arithmetic, and their
//! storage form.

use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use rampart_bank::coins::parse_coins;
use rampart_bank::Coin;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::Amount;

/// A list of coins as stored (`repeated Coin coins = 1`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct StoredCoins {
    /// The coins, sorted by denom.
    #[prost(message, repeated, tag = "1")]
    pub coins: Vec<ProtoCoin>,
}

/// The amount of `denom` in `coins`.
pub fn amount_of(coins: &[Coin], denom: &str) -> Amount {
    coins
        .iter()
        .find(|c| c.denom == denom)
        .map_or(Amount::ZERO, |c| c.amount)
}

/// `a + b`, sorted by denom.
pub fn add(a: &[Coin], b: &[Coin]) -> AppResult<Vec<Coin>> {
    let mut out: Vec<Coin> = a.to_vec();
    for coin in b {
        match out.iter_mut().find(|c| c.denom == coin.denom) {
            Some(existing) => existing.amount = existing.amount.checked_add(coin.amount)?,
            None => out.push(coin.clone()),
        }
    }
    out.retain(|c| !c.amount.is_zero());
    out.sort();
    Ok(out)
}

/// `a − b`; `Err` when `b` is not covered by `a`.
pub fn sub(a: &[Coin], b: &[Coin]) -> AppResult<Vec<Coin>> {
    let mut out: Vec<Coin> = a.to_vec();
    for coin in b {
        let existing = out
            .iter_mut()
            .find(|c| c.denom == coin.denom)
            .ok_or_else(|| {
                AppError::sdk(SdkCode::Logic, format!("no {} to subtract", coin.denom))
            })?;
        existing.amount = existing.amount.checked_sub(coin.amount)?;
    }
    out.retain(|c| !c.amount.is_zero());
    Ok(out)
}

/// Encodes coins for storage.
pub fn store_form(coins: &[Coin]) -> StoredCoins {
    StoredCoins {
        coins: coins.iter().map(Coin::to_proto).collect(),
    }
}

/// Decodes stored coins.
pub fn from_store(bytes: &[u8]) -> AppResult<Vec<Coin>> {
    let stored = <StoredCoins as prost::Message>::decode(bytes)
        .map_err(|e| AppError::sdk(SdkCode::Logic, format!("corrupt coins in state: {e}")))?;
    parse_coins(&stored.coins)
}

/// The protobuf coins.
pub fn to_proto(coins: &[Coin]) -> Vec<ProtoCoin> {
    coins.iter().map(Coin::to_proto).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_and_sub_keep_sorted_non_zero_lists() {
        let a = vec![Coin::new("uramp", 5)];
        let b = vec![Coin::new("atom", 2), Coin::new("uramp", 1)];
        let sum = add(&a, &b).expect("fits");
        assert_eq!(sum, vec![Coin::new("atom", 2), Coin::new("uramp", 6)]);
        assert_eq!(sub(&sum, &b).expect("covered"), a);
        assert!(sub(&a, &b).is_err());
        assert_eq!(amount_of(&sum, "atom"), Amount(2));
        assert_eq!(
            from_store(&prost::Message::encode_to_vec(&store_form(&sum))).expect("decodes"),
            sum
        );
    }
}
