//! Coin lists as written on the command line: `100uramp` or `5uatom,100uramp`.

use anyhow::{anyhow, bail};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;

/// Parses a comma-separated coin list. Amounts must be positive integers; denoms follow the
/// Cosmos SDK rule (`[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`). The result is sorted by denom, as the SDK
/// requires; a denom listed twice is refused. An empty string is the empty list.
pub fn parse_coins(text: &str) -> anyhow::Result<Vec<Coin>> {
    let mut coins = vec![];
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        coins.push(parse_coin(part)?);
    }
    coins.sort_by(|a, b| a.denom.cmp(&b.denom));
    if let Some(pair) = coins.windows(2).find(|w| w[0].denom == w[1].denom) {
        bail!(
            "invalid coins {text:?}: denom {} appears twice",
            pair[0].denom
        );
    }
    Ok(coins)
}

/// Parses one coin such as `100uramp`.
pub fn parse_coin(text: &str) -> anyhow::Result<Coin> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| anyhow!("invalid coin {text:?}: missing denom (e.g. 100uramp)"))?;
    let (amount, denom) = text.split_at(split);
    if amount.is_empty() {
        bail!("invalid coin {text:?}: missing amount (e.g. 100uramp)");
    }
    let value: u128 = amount
        .parse()
        .map_err(|_| anyhow!("invalid coin {text:?}: amount does not fit in 128 bits"))?;
    if value == 0 {
        bail!("invalid coin {text:?}: amount must be positive");
    }
    validate_denom(denom).map_err(|e| anyhow!("invalid coin {text:?}: {e}"))?;
    Ok(Coin {
        denom: denom.to_owned(),
        amount: value.to_string(),
    })
}

/// Checks a denom against the Cosmos SDK rule `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
pub fn validate_denom(denom: &str) -> anyhow::Result<()> {
    let mut chars = denom.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c));
    if !first_ok || !rest_ok || !(3..=128).contains(&denom.len()) {
        bail!("invalid denom {denom:?}");
    }
    Ok(())
}

/// Formats coins as `5uatom,100uramp`.
pub fn format_coins(coins: &[Coin]) -> String {
    coins
        .iter()
        .map(|c| format!("{}{}", c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sorts_and_formats() {
        let coins = parse_coins("100uramp, 5uatom").expect("valid");
        assert_eq!(format_coins(&coins), "5uatom,100uramp");
        assert_eq!(parse_coins("").expect("empty"), vec![]);
        let ibc = parse_coin("7ibc/27394FB092D2ECCD").expect("ibc denom");
        assert_eq!(ibc.denom, "ibc/27394FB092D2ECCD");
    }

    #[test]
    fn refuses_bad_coins() {
        for bad in [
            "uramp",
            "100",
            "0uramp",
            "-5uramp",
            "1.5uramp",
            "10u",
            "10 uramp",
            "1uramp,2uramp",
            "999999999999999999999999999999999999999999uramp",
        ] {
            assert!(parse_coins(bad).is_err(), "{bad} should be refused");
        }
    }
}
