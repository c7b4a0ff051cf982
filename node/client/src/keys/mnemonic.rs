//! BIP-39 mnemonic phrases (English word list).

use anyhow::anyhow;
use bip39::Mnemonic;
use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

/// Words in a newly generated mnemonic (256 bits of entropy).
pub const NEW_MNEMONIC_WORDS: usize = 24;

/// A fresh 24-word mnemonic from the operating system's random source.
pub fn generate() -> Mnemonic {
    let mut entropy = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(entropy.as_mut());
    // 32 bytes is 256 bits of entropy, a size BIP-39 defines (24 words), so this cannot fail.
    Mnemonic::from_entropy(entropy.as_ref()).expect("32 bytes of entropy is a valid BIP-39 size")
}

/// Parses a phrase, tolerating surrounding and repeated whitespace; checks the words and the
/// checksum.
pub fn parse(phrase: &str) -> anyhow::Result<Mnemonic> {
    let normalised = Zeroizing::new(phrase.split_whitespace().collect::<Vec<_>>().join(" "));
    if normalised.is_empty() {
        return Err(anyhow!("invalid mnemonic: it is empty"));
    }
    Mnemonic::parse_in_normalized(bip39::Language::English, &normalised)
        .map_err(|e| anyhow!("invalid mnemonic: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_mnemonics_have_24_words_and_parse_back() {
        let m = generate();
        assert_eq!(m.word_count(), NEW_MNEMONIC_WORDS);
        let again = parse(&m.to_string()).expect("own output parses");
        assert_eq!(again, m);
        assert_ne!(generate(), m, "two mnemonics from the OS RNG differ");
    }

    #[test]
    fn bad_phrases_are_refused_with_a_clear_error() {
        let bad_checksum = "abandon ".repeat(12);
        let err = parse(&bad_checksum).expect_err("checksum");
        assert!(err.to_string().starts_with("invalid mnemonic"), "{err}");
        assert!(parse("not a mnemonic").is_err());
        assert!(parse("   ").is_err());
    }
}
