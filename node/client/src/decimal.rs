//! Showing Cosmos `LegacyDec` numbers, which protobuf carries as the integer count of 10^-18
//! units without a decimal point (`50000000000000000` is 0.05). Parsing what people type is
//! [`rampart_core::Decimal`]'s `FromStr`.

use rampart_core::Decimal;

/// How a decimal is written for people or tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecStyle {
    /// Trailing zeros trimmed: `0.1`, `5`, `12.345`.
    Short,
    /// The Cosmos SDK's JSON form, always 18 places: `0.100000000000000000`.
    Full,
}

/// Writes a decimal given in its wire form (integer attos). A value that already has a decimal
/// point is normalised the same way; anything else (or a value beyond `u128`) is returned
/// unchanged, so a surprising answer from a node is shown rather than hidden.
pub fn format(wire: &str, style: DecStyle) -> String {
    let value = if wire.contains('.') {
        wire.parse::<Decimal>().ok()
    } else if !wire.is_empty() && wire.bytes().all(|b| b.is_ascii_digit()) {
        wire.parse::<u128>().ok().map(Decimal)
    } else {
        None
    };
    let Some(value) = value else {
        return wire.to_owned();
    };
    let full = value.to_string();
    match style {
        DecStyle::Full => full,
        DecStyle::Short => full.trim_end_matches('0').trim_end_matches('.').to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_wire_values() {
        assert_eq!(format("100000000000000000", DecStyle::Short), "0.1");
        assert_eq!(
            format("100000000000000000", DecStyle::Full),
            "0.100000000000000000"
        );
        assert_eq!(format("0", DecStyle::Short), "0");
        assert_eq!(format("12345000000000000000000", DecStyle::Short), "12345");
        assert_eq!(format("10000000000000000000", DecStyle::Short), "10");
        assert_eq!(
            format("1500000000000000001", DecStyle::Short),
            "1.500000000000000001"
        );
        assert_eq!(format("0.500", DecStyle::Short), "0.5");
        assert_eq!(format("0.5", DecStyle::Full), "0.500000000000000000");
        assert_eq!(format("odd", DecStyle::Short), "odd");
        assert_eq!(format("-5", DecStyle::Short), "-5");
    }
}
