//! Coins: denom validation (the SDK's `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`), parsing of protobuf
//! coins into checked amounts, the SDK's text form (`100uramp,5stake`), and checked arithmetic
//! on coin lists (sorted by denom, no zero entries).

use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;

use crate::error::{AppError, AppResult, SdkCode};
use crate::math::Amount;

/// A denom and a checked amount.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Coin {
    /// The denomination.
    pub denom: String,
    /// The amount.
    pub amount: Amount,
}

impl Coin {
    /// A coin.
    pub fn new(denom: impl Into<String>, amount: u128) -> Self {
        Self {
            denom: denom.into(),
            amount: Amount(amount),
        }
    }

    /// The protobuf form.
    pub fn to_proto(&self) -> ProtoCoin {
        ProtoCoin {
            denom: self.denom.clone(),
            amount: self.amount.to_string(),
        }
    }
}

impl std::fmt::Display for Coin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.amount, self.denom)
    }
}

/// Checks a denom against the SDK's pattern; `Err` is `sdk/10`.
pub fn validate_denom(denom: &str) -> AppResult<()> {
    let bytes = denom.as_bytes();
    let valid = (3..=128).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"/:._-".contains(b));
    if valid {
        Ok(())
    } else {
        Err(AppError::sdk(
            SdkCode::InvalidCoins,
            format!("invalid denom: {denom}: invalid coins"),
        ))
    }
}

fn raw_text(coins: &[ProtoCoin]) -> String {
    coins
        .iter()
        .map(|c| format!("{}{}", c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses protobuf coins as the SDK's `Coins.Validate` does: valid denoms, positive amounts
/// that fit, strictly sorted by denom (no duplicates). Empty input is allowed here (callers that
/// need an amount check [`<[Coin]>::is_empty`]). Every refusal is `sdk/10`.
pub fn parse_coins(coins: &[ProtoCoin]) -> AppResult<Vec<Coin>> {
    let invalid = |why: &str| {
        AppError::sdk(
            SdkCode::InvalidCoins,
            format!("{}: {why}: invalid coins", raw_text(coins)),
        )
    };
    let mut parsed: Vec<Coin> = Vec::with_capacity(coins.len());
    for coin in coins {
        validate_denom(&coin.denom)?;
        let amount: Amount = coin.amount.parse().map_err(|e: AppError| invalid(&e.log))?;
        if amount.is_zero() {
            return Err(invalid("amount must be positive"));
        }
        if let Some(last) = parsed.last() {
            if last.denom >= coin.denom {
                return Err(invalid("coins must be sorted by denom without duplicates"));
            }
        }
        parsed.push(Coin {
            denom: coin.denom.clone(),
            amount,
        });
    }
    Ok(parsed)
}

/// The SDK's text form of a coin list: `100uramp,5stake` (empty for no coins).
pub fn format_coins(coins: &[Coin]) -> String {
    coins
        .iter()
        .map(Coin::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The protobuf form of a coin list.
pub fn to_proto(coins: &[Coin]) -> Vec<ProtoCoin> {
    coins.iter().map(Coin::to_proto).collect()
}

/// The amount of `denom` in `coins`.
pub fn amount_of(coins: &[Coin], denom: &str) -> Amount {
    coins
        .iter()
        .find(|c| c.denom == denom)
        .map_or(Amount::ZERO, |c| c.amount)
}

/// `a + b`, sorted by denom, without zero entries.
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

/// `a − b`, without zero entries; `Err` when `b` is not covered by `a`.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn proto(denom: &str, amount: &str) -> ProtoCoin {
        ProtoCoin {
            denom: denom.into(),
            amount: amount.into(),
        }
    }

    #[test]
    fn denoms_follow_the_sdk_pattern() {
        for ok in ["uramp", "ibc/ABC123", "a.b:c_d-e", "abc"] {
            assert!(validate_denom(ok).is_ok(), "{ok}");
        }
        for bad in ["", "ab", "1abc", "u ramp", "uramp!", &"a".repeat(129)] {
            assert!(validate_denom(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn coins_must_be_positive_sorted_and_fit() {
        let ok = parse_coins(&[proto("stake", "5"), proto("uramp", "100")]).expect("valid");
        assert_eq!(format_coins(&ok), "5stake,100uramp");
        for bad in [
            vec![proto("uramp", "0")],
            vec![proto("uramp", "-5")],
            vec![proto("uramp", "1e3")],
            vec![proto("uramp", &format!("{}0", u128::MAX))],
            vec![proto("uramp", "1"), proto("stake", "1")],
            vec![proto("uramp", "1"), proto("uramp", "1")],
            vec![proto("x", "1")],
        ] {
            let err = parse_coins(&bad).expect_err("invalid");
            assert!(err.is(SdkCode::InvalidCoins), "{err}");
            assert!(err.log.ends_with("invalid coins"), "{}", err.log);
        }
    }

    #[test]
    fn add_and_sub_keep_sorted_non_zero_lists() {
        let a = vec![Coin::new("uramp", 5)];
        let b = vec![Coin::new("atom", 2), Coin::new("uramp", 1)];
        let sum = add(&a, &b).expect("fits");
        assert_eq!(sum, vec![Coin::new("atom", 2), Coin::new("uramp", 6)]);
        assert_eq!(sub(&sum, &b).expect("covered"), a);
        assert!(sub(&a, &b).is_err());
        assert_eq!(amount_of(&sum, "atom"), Amount(2));
        assert_eq!(to_proto(&a), vec![a[0].to_proto()]);
    }
}
