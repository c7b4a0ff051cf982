//! JSON helpers for genesis sections: integers as the SDK writes them (decimal strings), also
//! accepting plain numbers.

use serde::{Deserialize, Deserializer, Serializer};

/// `u64` as a JSON string (`"256"`); reads strings or numbers.
pub mod u64_text {
    use super::*;

    /// Writes `value` as a decimal string.
    pub fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.to_string())
    }

    /// Reads a decimal string or a number.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Text {
            Number(u64),
            String(String),
        }
        match Text::deserialize(deserializer)? {
            Text::Number(n) => Ok(n),
            Text::String(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}
