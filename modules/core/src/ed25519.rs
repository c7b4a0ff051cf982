//! The one check of an ed25519 consensus key, shared by staking (provider consensus keys) and
//! restaking (consumer keys, and the provider key used as the default consumer key).

use crate::error::{AppError, AppResult, SdkCode};

/// Checks that `key` can be a consensus key: a compressed Edwards point that decompresses and
/// is not of small order (`sdk/8` otherwise). ZIP-215 verification, which CometBFT and the
/// evidence checks use, accepts "signatures" by a small-order key that anyone can make, so such
/// a key would let anyone forge votes — and double-vote evidence — in its holder's name.
pub fn check_consensus_key(key: &[u8; 32]) -> AppResult<()> {
    match curve25519_dalek_ng::edwards::CompressedEdwardsY(*key).decompress() {
        None => Err(AppError::sdk(
            SdkCode::InvalidPubKey,
            "not an ed25519 public key: the bytes are no curve point",
        )),
        Some(point) if point.is_small_order() => Err(AppError::sdk(
            SdkCode::InvalidPubKey,
            "weak ed25519 key: a small-order point cannot be a consensus key",
        )),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_order_and_off_curve_keys_are_refused() {
        // The identity (y = 1) and the all-zero encoding (a point of order 4).
        let mut identity = [0u8; 32];
        identity[0] = 1;
        for weak in [identity, [0u8; 32]] {
            let err = check_consensus_key(&weak).expect_err("weak key");
            assert_eq!(err.code, SdkCode::InvalidPubKey as u32);
            assert!(err.log.contains("small-order"), "{}", err.log);
        }
        // y = 2 is no curve point.
        let mut off_curve = [0u8; 32];
        off_curve[0] = 2;
        let err = check_consensus_key(&off_curve).expect_err("off curve");
        assert!(err.log.contains("no curve point"), "{}", err.log);
        // The base point is a real key.
        let base = curve25519_dalek_ng::constants::ED25519_BASEPOINT_COMPRESSED.to_bytes();
        check_consensus_key(&base).expect("real key");
    }
}
