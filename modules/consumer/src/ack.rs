//! `MsgAcknowledgeVsc` in checked types (domain part: builds without `component`): the stateless
//! checks of an acknowledgement and the ICS-23 proof of the consumer's `ccv/applied_vsc` against
//! a verified header's app hash. The header itself is a [`ConsumerHeader`]; which sets, chain id,
//! times and ids the provider accepts is the registry's decision ([`crate::msgs`]).
//!
//! Header, set, signature and proof defects carry the `ccv` codes the consumer side uses for the
//! same defects of provider headers ([`rampart_ccv::CcvCode`]); `vsc_id = 0` is `consumer/15`
//! (the launch set, acknowledged by the launch itself).

use rampart_ccv::proven::{applied_vsc_value, APPLIED_VSC};
use rampart_core::error::AppResult;
use rampart_core::{Address, ChainProfile};
use rampart_proto::rampart::consumer::v1 as pb;

use crate::errors::{err, ConsumerCode};
use crate::header::{decode_proof, prove, ConsumerHeader, VerifiedHeader};

/// A decoded, statelessly checked `MsgAcknowledgeVsc`.
#[derive(Debug, Clone, PartialEq)]
pub struct AcknowledgeVsc {
    /// The submitter; signs.
    pub signer: Address,
    /// The consumer.
    pub consumer_id: u64,
    /// The highest vsc id the consumer applied (positive).
    pub vsc_id: u64,
    /// The consumer header, its commit and the set that signed it.
    pub header: ConsumerHeader,
    /// The ICS-23 proof of `ccv/applied_vsc` against the header's app hash.
    pub proof: ics23::CommitmentProof,
}

impl AcknowledgeVsc {
    /// Decodes and checks `m`: the signer with `profile` (`sdk/7`); a positive `vsc_id`
    /// (`consumer/15`); the header and its set ([`ConsumerHeader::from_proto`]: `ccv/8`,
    /// `ccv/9`, `ccv/14`); a proof of at most [`MAX_PROOF_BYTES`](crate::header::MAX_PROOF_BYTES) (`ccv/14`) that decodes as a
    /// non-empty `CommitmentProof` (`ccv/13`).
    pub fn from_proto(m: &pb::MsgAcknowledgeVsc, profile: &ChainProfile) -> AppResult<Self> {
        let signer = profile.account(&m.signer, "signer")?;
        if m.vsc_id == 0 {
            return Err(err(
                ConsumerCode::AlreadyAcknowledged,
                "vsc id 0 is the launch set: the launch acknowledged it",
            ));
        }
        let header =
            ConsumerHeader::from_proto(m.signed_header.as_ref(), m.validator_set.as_ref())?;
        let proof = decode_proof(&m.proof)?;
        Ok(Self {
            signer,
            consumer_id: m.consumer_id,
            vsc_id: m.vsc_id,
            header,
            proof,
        })
    }

    /// Verifies the ICS-23 proof that the consumer's state committed by `verified`'s app hash
    /// (the state after height `verified.height - 1`) holds `vsc_id` under `ccv/applied_vsc`
    /// (`ccv/13` otherwise).
    pub fn verify_proof(&self, verified: &VerifiedHeader) -> AppResult<()> {
        prove(
            &self.proof,
            verified,
            APPLIED_VSC,
            &applied_vsc_value(self.vsc_id),
            &format!("applied vsc id {}", self.vsc_id),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_ccv::errors::CcvCode;

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
                signatures: vec![Default::default(); rampart_ccv::header::MAX_VALIDATORS + 1],
                ..Default::default()
            }),
        });
        assert_eq!(code(&m), ("ccv", CcvCode::MessageTooLarge as u32));
        let mut m = base;
        m.signed_header = Some(Default::default());
        assert_eq!(code(&m), ("ccv", CcvCode::InvalidHeader as u32));
    }
}
