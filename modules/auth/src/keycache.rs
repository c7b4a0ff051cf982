//! A bounded memory of decompressed secp256k1 public keys, keyed by their 33 compressed bytes.
//!
//! Decompressing a key (`PublicKey::from_slice` of libsecp256k1) costs a field square root, and a signed
//! transaction used to pay it several times: when its signer info's key is checked, each time
//! the signer's account (which stores the key) is decoded, and again for the verification.
//! Decompression is a pure function of the bytes, so remembering its results changes no outcome:
//! only keys that decompressed are remembered (bytes that are not a curve point are refused anew
//! every time), and a remembered key is the very value the bytes decompress to. The memory holds
//! at most [`CAPACITY`] keys (≈ 2 MB), evicting the oldest first; it is shared by the whole
//! process (the parallel signature pass of a block reads it from several threads).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use secp256k1::PublicKey;

/// Most remembered keys: every signer of a few full mempools.
pub const CAPACITY: usize = 16_384;

/// The process-wide memory [`crate::PubKey`] decompresses its secp256k1 keys through.
pub static SECP256K1_KEYS: KeyCache = KeyCache::with_capacity(CAPACITY);

/// Decompressed secp256k1 keys. Membership and lookup only: the map is never iterated, so
/// nothing depends on its order.
#[derive(Debug)]
pub struct KeyCache {
    inner: Mutex<Keys>,
    capacity: usize,
}

#[derive(Debug)]
struct Keys {
    map: BTreeMap<[u8; 33], PublicKey>,
    /// Insertion order, for evicting the oldest.
    order: VecDeque<[u8; 33]>,
}

impl KeyCache {
    /// An empty memory holding at most `capacity` keys (at least one).
    pub const fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Keys {
                map: BTreeMap::new(),
                order: VecDeque::new(),
            }),
            capacity: if capacity == 0 { 1 } else { capacity },
        }
    }

    fn lock(&self) -> MutexGuard<'_, Keys> {
        // Only whole entries are inserted or removed under the lock: a panic in between leaves
        // a consistent memory.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The key `bytes` (SEC1, compressed) decompress to, or `None` if they are not a valid point
    /// — exactly `PublicKey::from_slice(bytes).ok()`, computed once per remembered key.
    pub fn secp256k1(&self, bytes: &[u8; 33]) -> Option<PublicKey> {
        if let Some(key) = self.lock().map.get(bytes) {
            return Some(*key);
        }
        // Decompressed outside the lock; a failure is returned, never remembered.
        let key = PublicKey::from_slice(bytes).ok()?;
        let mut keys = self.lock();
        if keys.map.insert(*bytes, key).is_none() {
            keys.order.push_back(*bytes);
            while keys.map.len() > self.capacity {
                let Some(oldest) = keys.order.pop_front() else {
                    break;
                };
                keys.map.remove(&oldest);
            }
        }
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PubKey;
    use k256::ecdsa::signature::{Signer, Verifier};

    fn secret(seed: u8) -> k256::ecdsa::SigningKey {
        let mut bytes = [7u8; 32];
        bytes[0] = 1;
        bytes[31] = seed;
        k256::ecdsa::SigningKey::from_slice(&bytes).expect("a scalar below the order")
    }

    fn compressed(key: &k256::ecdsa::SigningKey) -> [u8; 33] {
        key.verifying_key()
            .to_encoded_point(true)
            .as_bytes()
            .try_into()
            .expect("a compressed point is 33 bytes")
    }

    #[test]
    fn holds_at_most_its_capacity_and_forgets_the_oldest_first() {
        let cache = KeyCache::with_capacity(3);
        let keys: Vec<[u8; 33]> = (0..10).map(|seed| compressed(&secret(seed))).collect();
        for (i, bytes) in keys.iter().enumerate() {
            let key = cache.secp256k1(bytes).expect("a valid point");
            assert_eq!(compressed_of(&key), *bytes);
            assert_eq!(cache.len(), (i + 1).min(3));
        }
        let inner = cache.lock();
        assert_eq!(inner.order.len(), 3);
        assert!(inner.map.contains_key(&keys[9]) && !inner.map.contains_key(&keys[6]));
    }

    fn compressed_of(key: &PublicKey) -> [u8; 33] {
        key.serialize()
    }

    #[test]
    fn a_bad_key_is_never_remembered_and_stays_refused() {
        let cache = KeyCache::with_capacity(8);
        // x = 5 is not the x coordinate of any secp256k1 point (5³ + 7 = 132 is not a square
        // mod p); a prefix other than 02/03 is not a compressed point at all.
        let mut off_curve = [0u8; 33];
        off_curve[0] = 2;
        off_curve[32] = 5;
        let mut bad_prefix = compressed(&secret(1));
        bad_prefix[0] = 4;
        for bytes in [off_curve, bad_prefix, [0u8; 33]] {
            assert!(k256::ecdsa::VerifyingKey::from_sec1_bytes(&bytes).is_err());
            assert!(PublicKey::from_slice(&bytes).is_err());
            for _ in 0..2 {
                assert!(cache.secp256k1(&bytes).is_none());
                assert!(cache.is_empty(), "a failure is never remembered");
            }
            let key = PubKey::Secp256k1(bytes);
            assert!(!key.verify(b"m", &[1; 64]));
            assert!(PubKey::from_any(&key.to_any()).is_err());
        }
    }

    /// Verification through the process-wide memory (cold, then warm) answers exactly what
    /// `k256` (the reference: the SDK's rules, low S) answers from freshly decompressed bytes,
    /// for valid, wrong-message, high-S and malformed signatures.
    #[test]
    fn verification_is_the_same_with_and_without_the_memory() {
        for seed in 20..26u8 {
            let secret = secret(seed);
            let bytes = compressed(&secret);
            let sig: k256::ecdsa::Signature = secret.sign(b"msg");
            let low = sig.normalize_s().unwrap_or(sig);
            let (r, s) = low.split_scalars();
            let high = k256::ecdsa::Signature::from_scalars(r, -*s).expect("non-zero scalars");
            let mut garbled = low.to_bytes().to_vec();
            garbled[5] ^= 0x40;
            let cases: [(&[u8], Vec<u8>); 5] = [
                (b"msg", low.to_bytes().to_vec()),
                (b"other", low.to_bytes().to_vec()),
                (b"msg", high.to_bytes().to_vec()),
                (b"msg", garbled),
                (b"msg", vec![0; 63]),
            ];
            for (message, signature) in &cases {
                let uncached = k256_accepts(&bytes, message, signature);
                let key = PubKey::Secp256k1(bytes);
                assert_eq!(key.verify(message, signature), uncached, "cold or warm");
                assert_eq!(key.verify(message, signature), uncached, "warm");
            }
            assert!(PubKey::Secp256k1(bytes).verify(b"msg", &low.to_bytes()));
            assert_eq!(
                SECP256K1_KEYS.secp256k1(&bytes),
                PublicKey::from_slice(&bytes).ok()
            );
        }
    }

    /// The reference answer: k256 with the SDK's rules (64-byte `r‖s`, low S).
    fn k256_accepts(key: &[u8; 33], message: &[u8], signature: &[u8]) -> bool {
        k256::ecdsa::VerifyingKey::from_sec1_bytes(key).is_ok_and(|key| {
            k256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| sig.normalize_s().is_none() && key.verify(message, &sig).is_ok())
        })
    }

    proptest::proptest! {
        /// libsecp256k1 (through the memory) accepts exactly what k256 accepts, for random keys
        /// and messages: the signature as signed, with S negated (high S), with one bit of the
        /// signature flipped, and over a message with one bit flipped.
        #[test]
        fn libsecp256k1_accepts_exactly_what_k256_accepts(
            scalar in proptest::array::uniform32(proptest::num::u8::ANY),
            message in proptest::collection::vec(proptest::num::u8::ANY, 1..300),
            sig_bit in 0usize..512,
            message_bit in 0usize..8,
        ) {
            let Ok(secret) = k256::ecdsa::SigningKey::from_slice(&scalar) else {
                return Ok(());
            };
            let key = compressed(&secret);
            let sig: k256::ecdsa::Signature = secret.sign(&message);
            let low = sig.normalize_s().unwrap_or(sig);
            let (r, s) = low.split_scalars();
            let high = k256::ecdsa::Signature::from_scalars(r, -*s).expect("non-zero scalars");
            let mut flipped_sig = low.to_bytes().to_vec();
            flipped_sig[sig_bit / 8] ^= 1 << (sig_bit % 8);
            let mut flipped_message = message.clone();
            flipped_message[0] ^= 1 << message_bit;
            let cases: [(&[u8], Vec<u8>); 4] = [
                (&message, low.to_bytes().to_vec()),
                (&message, high.to_bytes().to_vec()),
                (&message, flipped_sig),
                (&flipped_message, low.to_bytes().to_vec()),
            ];
            for (message, signature) in &cases {
                proptest::prop_assert_eq!(
                    PubKey::Secp256k1(key).verify(message, signature),
                    k256_accepts(&key, message, signature)
                );
            }
            proptest::prop_assert!(PubKey::Secp256k1(key).verify(&message, &low.to_bytes()));
        }
    }
}
