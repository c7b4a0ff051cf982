//! `MsgAcknowledgeVsc` in checked types (domain part: builds without `component`): the stateless
//! checks of an acknowledgement and the cryptography that needs no state — the commit of the
//! consumer header by its own validator set, and the ICS-23 proof of the consumer's
//! `ccv/applied_vsc` against the header's app hash. Which sets and ids the provider accepts is
//! the registry's decision ([`crate::msgs`]).
//!
//! Header, set, signature and proof defects carry the `ccv` codes the consumer side uses for the
//! same defects of provider headers ([`rampart_ccv::CcvCode`]); `vsc_id = 0` is
//! `consumer/15` (the launch set, acknowledged by the launch itself).

use prost::Message;
use rampart_ccv::errors::{err as ccv_err, CcvCode};
use rampart_ccv::header::{too_large, validator_set, verdict_error, MAX_VALIDATORS};
use rampart_ccv::proven::{applied_vsc_value, APPLIED_VSC};
use rampart_core::error::AppResult;
use rampart_core::{Address, ChainProfile};
use rampart_proto::rampart::consumer::v1 as pb;
use tendermint::block::signed_header::SignedHeader;
use tendermint::block::CommitSig;
use tendermint::validator::Set;
use tendermint_light_client_verifier::types::UntrustedBlockState;
use tendermint_light_client_verifier::{ProdVerifier, Verdict};

use crate::errors::{err, ConsumerCode};

/// The largest ICS-23 proof an acknowledgement may carry, in bytes (a JMT existence proof is at
/// most 256 sibling hashes and a leaf: under 9 KiB).
pub const MAX_PROOF_BYTES: usize = 16 * 1024;

/// A decoded, statelessly checked `MsgAcknowledgeVsc`.
#[derive(Debug, Clone, PartialEq)]
pub struct AcknowledgeVsc {
    /// The submitter; signs.
    pub signer: Address,
    /// The consumer.
    pub consumer_id: u64,
    /// The highest vsc id the consumer applied (positive).
    pub vsc_id: u64,
    /// The consumer header and its commit.
    pub signed_header: SignedHeader,
    /// The set that signed it.
    pub validator_set: Set,
    /// The ICS-23 proof of `ccv/applied_vsc` against the header's app hash.
    pub proof: ics23::CommitmentProof,
}

impl AcknowledgeVsc {
    /// Decodes and checks `m`: the signer with `profile` (`sdk/7`); a positive `vsc_id`
    /// (`consumer/15`); a signed header that decodes (`ccv/9`) with at most 10,000 commit
    /// signatures; a validator set through `Set::try_from` (`ccv/8`) of at most 10,000
    /// validators (`ccv/14` beyond either limit); a proof of at most [`MAX_PROOF_BYTES`]
    /// (`ccv/14`) that decodes as a non-empty `CommitmentProof` (`ccv/13`).
    pub fn from_proto(m: &pb::MsgAcknowledgeVsc, profile: &ChainProfile) -> AppResult<Self> {
        let signer = profile.account(&m.signer, "signer")?;
        if m.vsc_id == 0 {
            return Err(err(
                ConsumerCode::AlreadyAcknowledged,
                "vsc id 0 is the launch set: the launch acknowledged it",
            ));
        }
        let raw = m
            .signed_header
            .as_ref()
            .ok_or_else(|| ccv_err(CcvCode::InvalidHeader, "signed_header: missing"))?;
        let signatures = raw.commit.as_ref().map_or(0, |c| c.signatures.len());
        if signatures > MAX_VALIDATORS {
            return Err(too_large("signed_header.commit.signatures", signatures));
        }
        let signed_header = SignedHeader::try_from(raw.clone())
            .map_err(|e| ccv_err(CcvCode::InvalidHeader, format!("signed_header: {e}")))?;
        let validator_set = validator_set(m.validator_set.as_ref(), "validator_set")?;
        if m.proof.len() > MAX_PROOF_BYTES {
            return Err(ccv_err(
                CcvCode::MessageTooLarge,
                format!("proof: {} bytes, at most {MAX_PROOF_BYTES}", m.proof.len()),
            ));
        }
        let proof = ics23::CommitmentProof::decode(m.proof.as_slice())
            .ok()
            .filter(|p| p.proof.is_some())
            .ok_or_else(|| {
                ccv_err(
                    CcvCode::InvalidProof,
                    "proof: not an ICS-23 CommitmentProof",
                )
            })?;
        Ok(Self {
            signer,
            consumer_id: m.consumer_id,
            vsc_id: m.vsc_id,
            signed_header,
            validator_set,
            proof,
        })
    }

    /// The consumer chain id the header names.
    pub fn chain_id(&self) -> &str {
        self.signed_header.header.chain_id.as_str()
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

    /// The commit signatures a verification may check (every vote that is not absent): what
    /// the handler charges gas for before verifying.
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

    /// Verifies that the carried set signed the header: hashes match, the commit is for this
    /// header, every signature is valid and more than 2/3 of the set's power signed — with
    /// `tendermint-light-client-verifier`'s `ProdVerifier` (`ccv/8`, `ccv/9`, `ccv/10`,
    /// `ccv/12`).
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
        verdict_error(verdict).map_or(Ok(()), Err)
    }

    /// Verifies the ICS-23 proof that the consumer's state committed by the header's app hash
    /// (the state after height `header.height - 1`) holds `vsc_id` under `ccv/applied_vsc`
    /// (`ccv/13` otherwise).
    pub fn verify_proof(&self) -> AppResult<()> {
        let app_hash = self.signed_header.header.app_hash.as_bytes();
        if ics23::verify_membership::<ics23::HostFunctionsManager>(
            &self.proof,
            &jmt::ics23_spec(),
            &app_hash.to_vec(),
            APPLIED_VSC,
            &applied_vsc_value(self.vsc_id),
        ) {
            Ok(())
        } else {
            Err(ccv_err(
                CcvCode::InvalidProof,
                format!(
                    "the proof does not prove applied vsc id {} against the app hash of consumer \
                     header {}",
                    self.vsc_id, self.signed_header.header.height
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(m: &pb::MsgAcknowledgeVsc) -> (&'static str, u32) {
        let e = AcknowledgeVsc::from_proto(m, &ChainProfile::rampart()).expect_err("refused");
        assert!(!e.log.is_empty());
        (e.codespace, e.code)
    }

    #[test]
    fn malformed_acknowledgements_are_refused_statelessly() {
        let signer = ChainProfile::rampart().to_account(&Address([1; 20]));
        let base = pb::MsgAcknowledgeVsc {
            signer: signer.clone(),
            consumer_id: 0,
            vsc_id: 1,
            signed_header: None,
            validator_set: None,
            proof: vec![1],
        };
        assert_eq!(code(&base), ("ccv", CcvCode::InvalidHeader as u32));
        let mut m = base.clone();
        m.signer = "nope".into();
        assert_eq!(code(&m).0, "sdk");
        let mut m = base.clone();
        m.vsc_id = 0;
        assert_eq!(
            code(&m),
            ("consumer", ConsumerCode::AlreadyAcknowledged as u32)
        );
        let mut m = base.clone();
        m.signed_header = Some(tendermint_proto::types::SignedHeader {
            header: None,
            commit: Some(tendermint_proto::types::Commit {
                signatures: vec![Default::default(); MAX_VALIDATORS + 1],
                ..Default::default()
            }),
        });
        assert_eq!(code(&m), ("ccv", CcvCode::MessageTooLarge as u32));
        let mut m = base;
        m.signed_header = Some(Default::default());
        assert_eq!(code(&m), ("ccv", CcvCode::InvalidHeader as u32));
    }
}
