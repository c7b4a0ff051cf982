//! Verify each signature once: a bounded memory of signatures already verified, and the parallel
//! verification of a block's signatures before the block executes.
//!
//! Whether a signature is valid is a pure function of (sign bytes, public key, signature), so
//! remembering the triples that verified changes no outcome: the ante handler still checks
//! everything else (key bound to the signer, sequence, sign mode, account number inside the sign
//! bytes) and only asks this cache whether *this* signature over *these* bytes under *this* key
//! is valid. An entry is the SHA-256 of all three, so a transaction whose body equals a
//! remembered one but whose signature differs is a miss and is verified (and refused) as before.
//! Failures are never remembered.
//!
//! CheckTx (new and recheck) fills the cache; FinalizeBlock consumes the entries of the
//! transactions it executes (each is then committed and can never verify again: its sequence is
//! spent). Transactions of a block that this node has not checked are verified in parallel by
//! [`preverify`] before the block runs, in a stateless pass over the committed snapshot whose
//! only effect is to add entries; execution stays in block order on one thread. The cache holds
//! at most [`CAPACITY`] entries (about 10 MB), evicting the oldest first.
//!
//! ed25519 batch verification is not used: a batch accepts with random coefficients, and its
//! accept set equals ZIP-215 single verification only up to a negligible probability, so a
//! batch failure would have to fall back to singles anyway; verifying on both cores already
//! halves the cost of unseen signatures without any such argument.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Mutex, PoisonError};

use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{mode_info, SignDoc, SignerInfo};
use prost::Message;
use rampart_auth::{AuthRead, PubKey};
use rampart_core::StateRead;
use sha2::{Digest, Sha256};

use crate::tx::DecodedTx;

/// Most remembered signatures: the mempool's default size (5,000) many times over.
pub const CAPACITY: usize = 65_536;

/// The digest naming one (public key, sign bytes, signature) triple.
type Entry = [u8; 32];

/// Signatures known to be valid. Membership only: the set is never iterated, so nothing
/// depends on its order.
#[derive(Debug)]
pub struct VerifiedSignatures {
    inner: Mutex<Remembered>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct Remembered {
    set: BTreeSet<Entry>,
    /// Insertion order, for evicting the oldest; may still name entries already consumed.
    order: VecDeque<Entry>,
}

impl Default for VerifiedSignatures {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl VerifiedSignatures {
    /// An empty cache holding at most `capacity` entries (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Mutex::default(),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Remembered> {
        // Only inserts and removals of whole entries happen under the lock; a panic in between
        // leaves a consistent set.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many signatures are remembered.
    pub fn len(&self) -> usize {
        self.lock().set.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn contains(&self, entry: &Entry) -> bool {
        self.lock().set.contains(entry)
    }

    fn insert(&self, entry: Entry) {
        let mut inner = self.lock();
        if !inner.set.insert(entry) {
            return;
        }
        inner.order.push_back(entry);
        // `order` may also hold consumed entries: bound it too, so it never outgrows twice the
        // capacity.
        while inner.set.len() > self.capacity || inner.order.len() > self.capacity.saturating_mul(2)
        {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            inner.set.remove(&oldest);
        }
    }

    fn take(&self, entry: &Entry) -> bool {
        self.lock().set.remove(entry)
    }

    /// Whether `signature` signs `sign_bytes` under `key`, verifying only what is not
    /// remembered. With `consume`, a remembered entry is forgotten (the transaction is being
    /// executed in a block); otherwise a signature that verifies is remembered.
    pub fn verify(&self, key: &PubKey, sign_bytes: &[u8], signature: &[u8], consume: bool) -> bool {
        let entry = entry(key, sign_bytes, signature);
        if consume {
            self.take(&entry) || key.verify(sign_bytes, signature)
        } else if self.contains(&entry) {
            true
        } else {
            let valid = key.verify(sign_bytes, signature);
            if valid {
                self.insert(entry);
            }
            valid
        }
    }
}

/// The cache entry of a triple: SHA-256 over a domain tag, the key (type byte and its
/// fixed-length bytes), the sign bytes' length and bytes, then the signature.
fn entry(key: &PubKey, sign_bytes: &[u8], signature: &[u8]) -> Entry {
    let mut hasher = Sha256::new().chain_update(b"rampart verified signature v1");
    match key {
        PubKey::Secp256k1(bytes) => {
            hasher.update([1u8]);
            hasher.update(bytes);
        }
        PubKey::Ed25519(bytes) => {
            hasher.update([2u8]);
            hasher.update(bytes);
        }
    }
    hasher.update((sign_bytes.len() as u64).to_be_bytes());
    hasher.update(sign_bytes);
    hasher.update(signature);
    hasher.finalize().into()
}

/// The SIGN_MODE_DIRECT sign bytes of `tx` for `chain_id` and `account_number`.
pub fn sign_bytes(tx: &DecodedTx, chain_id: &str, account_number: u64) -> Vec<u8> {
    SignDoc {
        body_bytes: tx.body_bytes.clone(),
        auth_info_bytes: tx.auth_info_bytes.clone(),
        chain_id: chain_id.to_owned(),
        account_number,
    }
    .encode_to_vec()
}

/// Whether a signer signs in SIGN_MODE_DIRECT (the only mode the ante handler accepts).
pub fn is_direct(info: &SignerInfo) -> bool {
    matches!(
        info.mode_info.as_ref().and_then(|m| m.sum.as_ref()),
        Some(mode_info::Sum::Single(single)) if single.mode == SignMode::Direct as i32
    )
}

/// One signature to check ahead of execution.
struct Job {
    key: PubKey,
    sign_bytes: Vec<u8>,
    signature: Vec<u8>,
    entry: Entry,
}

/// Verifies, on every available core, the signatures of `txs` that the cache does not hold yet
/// and remembers those that are valid, so that executing the block in order finds them.
///
/// Stateless and speculative: each signer's key is the one its signer info offers and its
/// account number is read from `committed` (the state before the block). Whatever this pass
/// gets wrong (an account created within the block, a key that does not match the signer, a
/// bad signature) is simply not remembered and the ante handler verifies it in order as usual,
/// so the block's results do not depend on this pass, nor on thread timing.
pub fn preverify(
    cache: &VerifiedSignatures,
    committed: &dyn StateRead,
    chain_id: &str,
    txs: &[&DecodedTx],
) {
    let mut jobs = Vec::new();
    for tx in txs {
        let signers = tx.auth_info.signer_infos.iter().zip(&tx.signatures);
        for (info, signature) in signers {
            let Some(key) = info
                .public_key
                .as_ref()
                .and_then(|any| PubKey::from_any(any).ok())
            else {
                continue;
            };
            if !is_direct(info) {
                continue;
            }
            let Ok(Some(account)) = committed.account(&key.address()) else {
                continue;
            };
            let sign_bytes = sign_bytes(tx, chain_id, account.account_number);
            let entry = entry(&key, &sign_bytes, signature);
            if !cache.contains(&entry) {
                jobs.push(Job {
                    key,
                    sign_bytes,
                    signature: signature.clone(),
                    entry,
                });
            }
        }
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(jobs.len());
    if threads <= 1 {
        verify_jobs(cache, &jobs);
        return;
    }
    let per_thread = jobs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        for chunk in jobs.chunks(per_thread) {
            scope.spawn(|| verify_jobs(cache, chunk));
        }
    });
}

fn verify_jobs(cache: &VerifiedSignatures, jobs: &[Job]) {
    for job in jobs {
        if job.key.verify(&job.sign_bytes, &job.signature) {
            cache.insert(job.entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(seed: u8, message: &[u8]) -> (PubKey, Vec<u8>) {
        let key = ed25519_consensus::SigningKey::from([seed; 32]);
        let public = PubKey::Ed25519(key.verification_key().to_bytes());
        (public, key.sign(message).to_bytes().to_vec())
    }

    #[test]
    fn remembers_only_valid_signatures_within_its_capacity_and_forgets_consumed_ones() {
        let cache = VerifiedSignatures::with_capacity(3);
        let (key, signature) = signed(1, b"m");
        let mut forged = signature.clone();
        forged[0] ^= 1;
        assert!(!cache.verify(&key, b"m", &forged, false));
        assert!(cache.is_empty(), "a failure is never remembered");
        assert!(cache.verify(&key, b"m", &signature, false));
        assert_eq!(cache.len(), 1);
        assert!(!cache.verify(&key, b"m", &forged, false), "still refused");
        assert!(cache.verify(&key, b"m", &signature, true));
        assert!(cache.is_empty(), "a block consumes what it used");
        for seed in 2..10 {
            let (key, signature) = signed(seed, b"m");
            assert!(cache.verify(&key, b"m", &signature, false));
            assert!(cache.len() <= 3);
        }
        assert_eq!(cache.len(), 3);
        assert!(cache.lock().order.len() <= 6);
    }
}
