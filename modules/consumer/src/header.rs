//! A consumer header with the validator set that signed it, in checked types (domain part:
//! builds without `component`): what the provider needs to trust a statement about a consumer's
//! state — an acknowledgement today, evidence and downtime records next. Here are the stateless
//! checks and the cryptography that needs no state; whether the provider accepts the signing set
//! (one it sent, still within its period) and the header's chain id and time is the registry's
//! decision ([`crate::sets::verify_consumer_header`]).
//!
//! Defects carry the `ccv` codes the consumer side uses for the same defects of provider headers
//! ([`rampart_ccv::CcvCode`]).

use rampart_ccv::errors::{err as ccv_err, CcvCode};
use rampart_ccv::header::{too_large, validator_set as decode_set, verdict_error, MAX_VALIDATORS};
use rampart_core::error::AppResult;
use tendermint::block::signed_header::SignedHeader;
use tendermint::block::CommitSig;
use tendermint::validator::Set;
use tendermint::vote::{self, ValidatorIndex, Vote};
use tendermint_light_client_verifier::types::UntrustedBlockState;
use tendermint_light_client_verifier::{ProdVerifier, Verdict};

/// A consumer header, its commit and the set that signed it, decoded and size-checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerHeader {
    /// The consumer header and its commit.
    pub signed_header: SignedHeader,
    /// The set that signed it.
    pub validator_set: Set,
}

impl ConsumerHeader {
    /// Decodes `signed_header` (`ccv/9` when missing or malformed; `ccv/14` beyond 10,000
    /// commit signatures) and `validator_set` (through `Set::try_from`, `ccv/8`; `ccv/14` beyond
    /// 10,000 validators); the field names are `signed_header` and `validator_set`.
    pub fn from_proto(
        raw_header: Option<&tendermint_proto::types::SignedHeader>,
        raw_set: Option<&tendermint_proto::types::ValidatorSet>,
    ) -> AppResult<Self> {
        Self::from_fields((raw_header, "signed_header"), (raw_set, "validator_set"))
    }

    /// [`Self::from_proto`] for a message whose fields have other names (errors name them).
    pub fn from_fields(
        (raw_header, header_field): (Option<&tendermint_proto::types::SignedHeader>, &str),
        (raw_set, set_field): (Option<&tendermint_proto::types::ValidatorSet>, &str),
    ) -> AppResult<Self> {
        let raw = raw_header
            .ok_or_else(|| ccv_err(CcvCode::InvalidHeader, format!("{header_field}: missing")))?;
        let signatures = raw.commit.as_ref().map_or(0, |c| c.signatures.len());
        if signatures > MAX_VALIDATORS {
            return Err(too_large(
                &format!("{header_field}.commit.signatures"),
                signatures,
            ));
        }
        let signed_header = SignedHeader::try_from(raw.clone())
            .map_err(|e| ccv_err(CcvCode::InvalidHeader, format!("{header_field}: {e}")))?;
        Ok(Self {
            signed_header,
            validator_set: decode_set(raw_set, set_field)?,
        })
    }

    /// The consumer chain id the header names.
    pub fn chain_id(&self) -> &str {
        self.signed_header.header.chain_id.as_str()
    }

    /// The header's height.
    pub fn height(&self) -> u64 {
        self.signed_header.header.height.value()
    }

    /// The CometBFT hash of the carried validator set when it is the header's
    /// `validators_hash`; `ccv/8` otherwise.
    pub fn signing_set_hash(&self) -> AppResult<[u8; 32]> {
        let hash = self.validator_set.hash();
        if hash != self.signed_header.header.validators_hash {
            return Err(ccv_err(
                CcvCode::InvalidValidatorSet,
                format!(
                    "validator_set hashes to {hash}, the header's validators_hash is {}",
                    self.signed_header.header.validators_hash
                ),
            ));
        }
        match hash {
            tendermint::Hash::Sha256(bytes) => Ok(bytes),
            tendermint::Hash::None => Err(ccv_err(
                CcvCode::InvalidValidatorSet,
                "validator_set: no hash",
            )),
        }
    }

    /// The commit signatures a verification checks (every vote that is not absent): what a
    /// handler charges gas for before verifying.
    pub fn signature_count(&self) -> u64 {
        let count = self
            .signed_header
            .commit
            .signatures
            .iter()
            .filter(|s| !matches!(s, CommitSig::BlockIdFlagAbsent))
            .count();
        u64::try_from(count).unwrap_or(u64::MAX)
    }

    /// Verifies that the carried set signed the header: with `tendermint-light-client-verifier`'s
    /// `ProdVerifier`, the set hashes to `validators_hash`, the commit is for this header, has one
    /// entry per validator and only the set's members sign it (`ccv/8`, `ccv/9`, `ccv/12`), and
    /// more than 2/3 of the set's power precommitted the block (`ccv/10`); then **every**
    /// signature that is not absent — for the block or for nil, also those past the 2/3 the
    /// verifier stops counting at — verifies over CometBFT's canonical vote sign bytes with its
    /// validator's key (`ccv/12`). A commit that reaches 2/3 only with bad signatures, or that
    /// carries a bad one beside enough good ones, is refused.
    pub fn verify_commit(&self) -> AppResult<()> {
        let untrusted = UntrustedBlockState {
            signed_header: &self.signed_header,
            validators: &self.validator_set,
            next_validators: None,
        };
        let verifier = ProdVerifier::default();
        let verdict = match verifier.verify_validator_sets(&untrusted) {
            Verdict::Success => verifier.verify_commit(&untrusted),
            failed => failed,
        };
        if let Some(e) = verdict_error(verdict) {
            return Err(e);
        }
        self.verify_every_signature()
    }

    /// Checks every signature of the commit that is not absent (`ccv/12` for the first bad one).
    fn verify_every_signature(&self) -> AppResult<()> {
        let header = &self.signed_header.header;
        let commit = &self.signed_header.commit;
        let bad = |why: String| ccv_err(CcvCode::InvalidSignature, why);
        for (index, sig) in commit.signatures.iter().enumerate() {
            let (address, timestamp, signature, block_id) = match sig {
                CommitSig::BlockIdFlagAbsent => continue,
                CommitSig::BlockIdFlagCommit {
                    validator_address,
                    timestamp,
                    signature,
                } => (
                    validator_address,
                    timestamp,
                    signature,
                    Some(commit.block_id),
                ),
                CommitSig::BlockIdFlagNil {
                    validator_address,
                    timestamp,
                    signature,
                } => (validator_address, timestamp, signature, None),
            };
            let validator = self.validator_set.validator(*address).ok_or_else(|| {
                bad(format!(
                    "commit signature {index}: {address} is not in the set"
                ))
            })?;
            let signature = signature
                .as_ref()
                .ok_or_else(|| bad(format!("commit signature {index}: missing")))?;
            let validator_index = ValidatorIndex::try_from(index)
                .map_err(|e| bad(format!("commit signature {index}: {e}")))?;
            let vote = Vote {
                vote_type: vote::Type::Precommit,
                height: commit.height,
                round: commit.round,
                block_id,
                timestamp: Some(*timestamp),
                validator_address: *address,
                validator_index,
                signature: None,
                extension: Vec::new(),
                extension_signature: None,
            };
            let sign_bytes = vote.into_signable_vec(header.chain_id.clone());
            validator
                .verify_signature::<tendermint::crypto::default::signature::Verifier>(
                    &sign_bytes,
                    signature,
                )
                .map_err(|_| {
                    bad(format!(
                        "commit signature {index} by {address} does not verify"
                    ))
                })?;
        }
        Ok(())
    }
}

/// What the provider learned from a consumer header it accepted
/// ([`crate::sets::verify_consumer_header`]): trusted data about the consumer chain, placed in
/// time by the header itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedHeader {
    /// The consumer height.
    pub height: u64,
    /// The header's time (at most the provider's block time plus the consumer's clock drift).
    pub time: rampart_core::BlockTime,
    /// The app hash: the consumer state after `height - 1`, which ICS-23 proofs are checked
    /// against.
    pub app_hash: Vec<u8>,
    /// The vsc id after which the provider sent the set that signed the header (the lowest
    /// accepted one when the same set was sent more than once).
    pub vsc_id_of_set: u64,
}

/// The largest ICS-23 proof a message about consumer state may carry, in bytes (a JMT existence
/// proof is at most 256 sibling hashes and a leaf: under 9 KiB).
pub const MAX_PROOF_BYTES: usize = 16 * 1024;

/// An ICS-23 proof of consumer state from its bytes: at most [`MAX_PROOF_BYTES`] (`ccv/14`), a
/// `CommitmentProof` that carries a proof (`ccv/13`).
pub fn decode_proof(bytes: &[u8]) -> AppResult<ics23::CommitmentProof> {
    use prost::Message;
    if bytes.len() > MAX_PROOF_BYTES {
        return Err(ccv_err(
            CcvCode::MessageTooLarge,
            format!("proof: {} bytes, at most {MAX_PROOF_BYTES}", bytes.len()),
        ));
    }
    ics23::CommitmentProof::decode(bytes)
        .ok()
        .filter(|p| p.proof.is_some())
        .ok_or_else(|| {
            ccv_err(
                CcvCode::InvalidProof,
                "proof: not an ICS-23 CommitmentProof",
            )
        })
}

/// Verifies that the consumer state committed by `verified`'s app hash (the state after height
/// `verified.height - 1`) holds `value` under `key`; `what` names the value in the `ccv/13`
/// refusal.
pub fn prove(
    proof: &ics23::CommitmentProof,
    verified: &VerifiedHeader,
    key: &[u8],
    value: &[u8],
    what: &str,
) -> AppResult<()> {
    if ics23::verify_membership::<ics23::HostFunctionsManager>(
        proof,
        &jmt::ics23_spec(),
        &verified.app_hash,
        key,
        value,
    ) {
        Ok(())
    } else {
        Err(ccv_err(
            CcvCode::InvalidProof,
            format!(
                "the proof does not prove {what} against the app hash of consumer header {}",
                verified.height
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_ccv::testing::{key, member, raw_set, HeaderSpec};

    /// A header of three validators (70, 20 and 10) signed by all of them.
    fn spec() -> HeaderSpec {
        let validators = vec![
            member(&key(1), 70),
            member(&key(2), 20),
            member(&key(3), 10),
        ];
        HeaderSpec {
            chain_id: "c-1".into(),
            height: 5,
            time: tendermint::Time::from_unix_timestamp(1_000, 0).expect("time"),
            app_hash: vec![1; 32],
            validators: validators.clone(),
            next_validators: validators,
            signers: None,
        }
    }

    /// The commit entry of the validator with power `power` in `raw`.
    fn entry(
        raw: &mut tendermint_proto::types::SignedHeader,
        power: u64,
    ) -> &mut tendermint_proto::types::CommitSig {
        let index = spec()
            .validators
            .iter()
            .position(|(_, p)| *p == power)
            .expect("member");
        &mut raw.commit.as_mut().expect("commit").signatures[index]
    }

    fn verdict(raw: &tendermint_proto::types::SignedHeader) -> AppResult<()> {
        let header =
            ConsumerHeader::from_proto(Some(raw), Some(&spec().validator_set())).expect("decodes");
        header.verify_commit()
    }

    fn prod_verifier_accepts(raw: &tendermint_proto::types::SignedHeader) -> bool {
        let header =
            ConsumerHeader::from_proto(Some(raw), Some(&spec().validator_set())).expect("decodes");
        let untrusted = UntrustedBlockState {
            signed_header: &header.signed_header,
            validators: &header.validator_set,
            next_validators: None,
        };
        matches!(
            ProdVerifier::default().verify_commit(&untrusted),
            Verdict::Success
        )
    }

    fn code(result: AppResult<()>) -> (&'static str, u32) {
        let e = result.expect_err("refused");
        (e.codespace, e.code)
    }

    #[test]
    fn every_signature_is_checked_not_only_those_up_to_two_thirds() {
        let good = spec().signed();
        verdict(&good).expect("a real commit verifies");
        let header = ConsumerHeader::from_proto(Some(&good), Some(&raw_set(&spec().validators)))
            .expect("decodes");
        assert_eq!(header.signature_count(), 3);
        assert_eq!(header.height(), 5);
        assert_eq!(header.chain_id(), "c-1");

        // A bad signature past the 2/3 the verifier stops counting at (70 of 100 is enough):
        // the verifier alone accepts it, the provider does not.
        let mut late = good.clone();
        entry(&mut late, 10).signature[0] ^= 1;
        assert!(prod_verifier_accepts(&late));
        assert_eq!(
            code(verdict(&late)),
            ("ccv", CcvCode::InvalidSignature as u32)
        );

        // 2/3 reached only with a bad signature: 20 + 10 good, 70 forged.
        let mut forged = good.clone();
        entry(&mut forged, 70).signature[0] ^= 1;
        assert_eq!(
            code(verdict(&forged)),
            ("ccv", CcvCode::InvalidSignature as u32)
        );

        // A nil vote is a signature too: one over the block's sign bytes does not verify as nil.
        let mut nil = good.clone();
        entry(&mut nil, 10).block_id_flag = tendermint_proto::types::BlockIdFlag::Nil as i32;
        assert!(prod_verifier_accepts(&nil));
        assert_eq!(
            code(verdict(&nil)),
            ("ccv", CcvCode::InvalidSignature as u32)
        );

        // A real precommit for nil verifies (CometBFT's canonical vote without a block id).
        let mut real_nil = nil.clone();
        let sig = entry(&mut real_nil, 10);
        let vote = Vote {
            vote_type: vote::Type::Precommit,
            height: tendermint::block::Height::from(5u32),
            round: tendermint::block::Round::default(),
            block_id: None,
            timestamp: Some(spec().time),
            validator_address: tendermint::account::Id::try_from(sig.validator_address.clone())
                .expect("address"),
            validator_index: ValidatorIndex::try_from(2usize).expect("index"),
            signature: None,
            extension: Vec::new(),
            extension_signature: None,
        };
        let chain_id = tendermint::chain::Id::try_from("c-1".to_owned()).expect("chain id");
        sig.signature = key(3)
            .sign(&vote.into_signable_vec(chain_id))
            .to_bytes()
            .to_vec();
        verdict(&real_nil).expect("a signed nil vote verifies");

        // Absent signers are not checked, and 70 + 20 of 100 is enough.
        let mut absent = good;
        *entry(&mut absent, 10) = tendermint_proto::types::CommitSig {
            block_id_flag: tendermint_proto::types::BlockIdFlag::Absent as i32,
            ..Default::default()
        };
        verdict(&absent).expect("absent signers are not checked");
        let header = ConsumerHeader::from_proto(Some(&absent), Some(&spec().validator_set()))
            .expect("decodes");
        assert_eq!(header.signature_count(), 2);
    }
}
