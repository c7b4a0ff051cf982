//! [`DecCoins`]: amounts of several denoms with 18 decimals (the SDK's `DecCoins`), with checked
//! arithmetic, truncation to whole coins, and the protobuf, JSON and text forms.
//!
//! On the wire (protobuf) a `DecCoin` amount is a `LegacyDec`: the value in attos as an integer
//! string without a point (`"1500000000000000000"` for 1.5). In genesis JSON and in event
//! attributes it is the text form with 18 decimals (`"1.500000000000000000"`), as the SDK
//! writes them.

use std::collections::BTreeMap;
use std::fmt;

use cosmos_sdk_proto::cosmos::base::v1beta1::DecCoin as ProtoDecCoin;
use rampart_core::coins::{validate_denom, Coin};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::math::mul_div;
use rampart_core::wire::{dec_from_wire, dec_to_wire};
use rampart_core::{Amount, Decimal};

/// Non-zero decimal amounts by denom, in denom order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecCoins(BTreeMap<String, Decimal>);

/// A `DecCoin` in genesis JSON: `{"denom": "uramp", "amount": "1.500000000000000000"}`.
pub use rampart_proto::rampart::base::v1::DecCoin as JsonDecCoin;

fn overflow(what: &str) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("arithmetic overflow in {what}"))
}

impl DecCoins {
    /// No coins.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whole coins as decimals; `Err` when an amount exceeds the decimal range (3.4·10^20).
    pub fn from_coins(coins: &[Coin]) -> AppResult<Self> {
        let mut out = Self::new();
        for coin in coins {
            out.add_amount(&coin.denom, Decimal::from_ratio(coin.amount.0, 1)?)?;
        }
        Ok(out)
    }

    /// The amount of `denom` (zero when absent).
    pub fn amount_of(&self, denom: &str) -> Decimal {
        self.0.get(denom).copied().unwrap_or_default()
    }

    /// Whether every amount is zero.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(denom, amount)` in denom order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Decimal)> + '_ {
        self.0.iter().map(|(d, a)| (d.as_str(), *a))
    }

    /// Adds `amount` of `denom`.
    pub fn add_amount(&mut self, denom: &str, amount: Decimal) -> AppResult<()> {
        if amount == Decimal::ZERO {
            return Ok(());
        }
        let sum = self.amount_of(denom).checked_add(amount)?;
        self.0.insert(denom.to_owned(), sum);
        Ok(())
    }

    /// Subtracts `amount` of `denom`; `Err` when it would go negative.
    pub fn sub_amount(&mut self, denom: &str, amount: Decimal) -> AppResult<()> {
        if amount == Decimal::ZERO {
            return Ok(());
        }
        let left = self.amount_of(denom).checked_sub(amount).map_err(|_| {
            AppError::sdk(
                SdkCode::Logic,
                format!("negative decimal coins: {self} minus {amount}{denom}"),
            )
        })?;
        if left == Decimal::ZERO {
            self.0.remove(denom);
        } else {
            self.0.insert(denom.to_owned(), left);
        }
        Ok(())
    }

    /// `self + other`.
    pub fn checked_add(&self, other: &DecCoins) -> AppResult<DecCoins> {
        let mut out = self.clone();
        for (denom, amount) in other.iter() {
            out.add_amount(denom, amount)?;
        }
        Ok(out)
    }

    /// `self − other`; `Err` when any denom would go negative.
    pub fn checked_sub(&self, other: &DecCoins) -> AppResult<DecCoins> {
        let mut out = self.clone();
        for (denom, amount) in other.iter() {
            out.sub_amount(denom, amount)?;
        }
        Ok(out)
    }

    /// Every amount × `fraction`, rounded down to the atto (the SDK's `MulDecTruncate`).
    pub fn mul_dec_floor(&self, fraction: Decimal) -> AppResult<DecCoins> {
        let mut out = Self::new();
        for (denom, amount) in self.iter() {
            out.add_amount(denom, amount.checked_mul(fraction)?)?;
        }
        Ok(out)
    }

    /// Every amount × `numerator / denominator`, rounded down, with a 256-bit intermediate.
    pub fn mul_ratio_floor(&self, numerator: u128, denominator: u128) -> AppResult<DecCoins> {
        let mut out = Self::new();
        for (denom, amount) in self.iter() {
            out.add_amount(
                denom,
                Decimal(mul_div(amount.0, numerator, denominator, false)?),
            )?;
        }
        Ok(out)
    }

    /// The whole coins and the fractional remainder (the SDK's `TruncateDecimal`).
    pub fn truncate(&self) -> (Vec<Coin>, DecCoins) {
        let mut whole = Vec::new();
        let mut rest = Self::new();
        for (denom, amount) in self.iter() {
            let units = amount.0 / Decimal::ONE_ATTOS;
            if units > 0 {
                whole.push(Coin {
                    denom: denom.to_owned(),
                    amount: Amount(units),
                });
            }
            let fraction = amount.0 % Decimal::ONE_ATTOS;
            if fraction > 0 {
                rest.0.insert(denom.to_owned(), Decimal(fraction));
            }
        }
        (whole, rest)
    }

    /// Whether `self ≥ other` in every denom.
    pub fn covers(&self, other: &DecCoins) -> bool {
        other.iter().all(|(d, a)| self.amount_of(d) >= a)
    }

    /// The protobuf form (amounts in attos).
    pub fn to_proto(&self) -> Vec<ProtoDecCoin> {
        self.iter()
            .map(|(denom, amount)| ProtoDecCoin {
                denom: denom.to_owned(),
                amount: dec_to_wire(amount),
            })
            .collect()
    }

    /// Parses the protobuf form; `field` names it in errors. Denoms must be valid and distinct.
    pub fn from_proto(coins: &[ProtoDecCoin], field: &str) -> AppResult<DecCoins> {
        let parsed = coins
            .iter()
            .map(|c| Ok((c.denom.as_str(), dec_from_wire(&c.amount, field)?)))
            .collect::<AppResult<Vec<_>>>()?;
        Self::from_parts(parsed, field)
    }

    /// The genesis JSON form.
    pub fn to_json(&self) -> Vec<JsonDecCoin> {
        self.iter()
            .map(|(denom, amount)| JsonDecCoin {
                denom: denom.to_owned(),
                amount: amount.to_string(),
            })
            .collect()
    }

    /// Parses the genesis JSON form; `field` names it in errors.
    pub fn from_json(coins: &[JsonDecCoin], field: &str) -> AppResult<DecCoins> {
        let parsed = coins
            .iter()
            .map(|c| {
                let amount: Decimal = c.amount.parse().map_err(|e: AppError| {
                    AppError::sdk(SdkCode::InvalidRequest, format!("{field}: {}", e.log))
                })?;
                Ok((c.denom.as_str(), amount))
            })
            .collect::<AppResult<Vec<_>>>()?;
        Self::from_parts(parsed, field)
    }

    fn from_parts(parts: Vec<(&str, Decimal)>, field: &str) -> AppResult<DecCoins> {
        let mut out = Self::new();
        for (denom, amount) in parts {
            validate_denom(denom)?;
            if out.0.contains_key(denom) {
                return Err(AppError::sdk(
                    SdkCode::InvalidCoins,
                    format!("{field}: duplicate denom {denom}: invalid coins"),
                ));
            }
            out.add_amount(denom, amount)
                .map_err(|_| overflow("decimal coins"))?;
        }
        Ok(out)
    }
}

impl fmt::Display for DecCoins {
    /// The SDK's text form: `1.500000000000000000uramp,2.000000000000000000stake` (empty for
    /// none).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (denom, amount)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{amount}{denom}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().expect("valid decimal")
    }

    #[test]
    fn arithmetic_truncation_and_forms() {
        let mut a =
            DecCoins::from_coins(&[Coin::new("stake", 3), Coin::new("uramp", 10)]).expect("fits");
        a.add_amount("uramp", dec("0.75")).expect("fits");
        assert_eq!(
            a.to_string(),
            "3.000000000000000000stake,10.750000000000000000uramp"
        );
        let (whole, rest) = a.truncate();
        assert_eq!(whole, vec![Coin::new("stake", 3), Coin::new("uramp", 10)]);
        assert_eq!(rest.to_string(), "0.750000000000000000uramp");
        let third = a.mul_ratio_floor(1, 3).expect("fits");
        assert_eq!(third.amount_of("stake"), Decimal::ONE);
        assert_eq!(third.amount_of("uramp"), Decimal(3_583_333_333_333_333_333));
        let half = a.mul_dec_floor(dec("0.5")).expect("fits");
        assert_eq!(half.amount_of("uramp"), dec("5.375"));
        let back = a.checked_sub(&half).expect("covers");
        assert!(a.covers(&back) && !half.covers(&a));
        assert!(half.checked_sub(&a).is_err(), "no negative coins");
        assert_eq!(
            back.checked_sub(&back).expect("equal"),
            DecCoins::new(),
            "zero entries vanish"
        );
        let wire = a.to_proto();
        assert_eq!(wire[1].amount, "10750000000000000000");
        assert_eq!(DecCoins::from_proto(&wire, "t").expect("valid"), a);
        assert_eq!(DecCoins::from_json(&a.to_json(), "t").expect("valid"), a);
        let dup = vec![wire[0].clone(), wire[0].clone()];
        assert!(DecCoins::from_proto(&dup, "t").is_err());
        assert!(DecCoins::from_coins(&[Coin::new("uramp", u128::MAX)]).is_err());
    }
}
