//! `MsgSubmitConsumerDowntime` in checked types (domain part: builds without `component`): the
//! stateless checks of a proven downtime record and the ICS-23 proof of the consumer's
//! `ccv/downtime/ ‖ seq` against a verified header's app hash. Which header the provider accepts
//! ([`crate::sets::verify_consumer_header`] with [`crate::sets::ANY_SET`]), the seq order and the
//! jail on the consumer are the registry's decision ([`crate::msgs`]).

use prost::Message;
use rampart_ccv::errors::{err as ccv_err, CcvCode};
use rampart_ccv::proven::{downtime_key, downtime_value};
use rampart_core::error::AppResult;
use rampart_core::{Address, ChainProfile};
use rampart_proto::rampart::ccv::v1::DowntimeRecord;
use rampart_proto::rampart::consumer::v1 as pb;

use crate::errors::{err, ConsumerCode};
use crate::header::{decode_proof, prove, ConsumerHeader, VerifiedHeader};

/// The largest encoded downtime record accepted, in bytes (a real one is under 80).
pub const MAX_RECORD_BYTES: usize = 256;

/// A decoded, statelessly checked `MsgSubmitConsumerDowntime`.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitDowntime {
    /// The submitter; signs.
    pub signer: Address,
    /// The consumer.
    pub consumer_id: u64,
    /// The consumer header, its commit and the set that signed it.
    pub header: ConsumerHeader,
    /// The record's exact stored bytes.
    pub record_bytes: Vec<u8>,
    /// The decoded record.
    pub record: DowntimeRecord,
    /// Its consumer consensus address.
    pub consumer_address: [u8; 20],
    /// The ICS-23 proof of `ccv/downtime/ ‖ seq` against the header's app hash.
    pub proof: ics23::CommitmentProof,
}

impl SubmitDowntime {
    /// Decodes and checks `m`: the signer with `profile` (`sdk/7`); the header and its set
    /// ([`ConsumerHeader::from_proto`]: `ccv/8`, `ccv/9`, `ccv/14`); a record of at most
    /// [`MAX_RECORD_BYTES`] (`ccv/14`) that decodes as a `DowntimeRecord` with a positive seq and
    /// a 20-byte consumer address and re-encodes to the same bytes — the bytes the consumer
    /// stores (`consumer/19`); a proof of at most [`MAX_PROOF_BYTES`](crate::header::MAX_PROOF_BYTES) (`ccv/14`) that decodes as
    /// a non-empty `CommitmentProof` (`ccv/13`).
    pub fn from_proto(
        m: &pb::MsgSubmitConsumerDowntime,
        profile: &ChainProfile,
    ) -> AppResult<Self> {
        let signer = profile.account(&m.signer, "signer")?;
        let header =
            ConsumerHeader::from_proto(m.signed_header.as_ref(), m.validator_set.as_ref())?;
        if m.record.len() > MAX_RECORD_BYTES {
            return Err(ccv_err(
                CcvCode::MessageTooLarge,
                format!(
                    "record: {} bytes, at most {MAX_RECORD_BYTES}",
                    m.record.len()
                ),
            ));
        }
        let bad = |why: &str| {
            err(
                ConsumerCode::InvalidDowntimeRecord,
                format!("record: {why}"),
            )
        };
        let record = DowntimeRecord::decode(m.record.as_slice())
            .map_err(|_| bad("not an encoded DowntimeRecord"))?;
        if downtime_value(&record) != m.record {
            return Err(bad(
                "not in its canonical encoding (the bytes the consumer stores)",
            ));
        }
        if record.seq == 0 {
            return Err(bad("seq 0 (records are numbered from 1)"));
        }
        let consumer_address: [u8; 20] = record
            .consumer_address
            .as_slice()
            .try_into()
            .map_err(|_| bad("the consumer address must be 20 bytes"))?;
        let proof = decode_proof(&m.proof)?;
        Ok(Self {
            signer,
            consumer_id: m.consumer_id,
            header,
            record_bytes: m.record.clone(),
            record,
            consumer_address,
            proof,
        })
    }

    /// Verifies the ICS-23 proof that the consumer's state committed by `verified`'s app hash
    /// holds the record's bytes under `ccv/downtime/ ‖ seq` (`ccv/13` otherwise).
    pub fn verify_proof(&self, verified: &VerifiedHeader) -> AppResult<()> {
        prove(
            &self.proof,
            verified,
            &downtime_key(self.record.seq),
            &self.record_bytes,
            &format!("downtime record {}", self.record.seq),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(m: &pb::MsgSubmitConsumerDowntime) -> (&'static str, u32) {
        let e = SubmitDowntime::from_proto(m, &ChainProfile::rampart()).expect_err("refused");
        assert!(!e.log.is_empty());
        (e.codespace, e.code)
    }

    #[test]
    fn malformed_records_are_refused_statelessly() {
        let spec = rampart_ccv::testing::HeaderSpec {
            chain_id: "c-1".into(),
            height: 5,
            time: tendermint::Time::from_unix_timestamp(1_000, 0).expect("time"),
            app_hash: vec![1; 32],
            validators: vec![rampart_ccv::testing::member(
                &rampart_ccv::testing::key(1),
                10,
            )],
            next_validators: vec![rampart_ccv::testing::member(
                &rampart_ccv::testing::key(1),
                10,
            )],
            signers: None,
        };
        let record = DowntimeRecord {
            seq: 1,
            consumer_address: vec![7; 20],
            infraction_height: 9,
            time: None,
            vsc_id: 0,
            missed: 5,
            window: 10,
        };
        let base = pb::MsgSubmitConsumerDowntime {
            signer: ChainProfile::rampart().to_account(&Address([1; 20])),
            consumer_id: 0,
            signed_header: Some(spec.signed()),
            validator_set: Some(spec.validator_set()),
            record: downtime_value(&record),
            proof: vec![1],
        };
        assert_eq!(code(&base), ("ccv", CcvCode::InvalidProof as u32));
        let mut m = base.clone();
        m.record = vec![0xff; 3];
        assert_eq!(
            code(&m),
            ("consumer", ConsumerCode::InvalidDowntimeRecord as u32)
        );
        let mut m = base.clone();
        m.record = downtime_value(&DowntimeRecord {
            seq: 0,
            ..record.clone()
        });
        assert_eq!(
            code(&m),
            ("consumer", ConsumerCode::InvalidDowntimeRecord as u32)
        );
        let mut m = base.clone();
        m.record = downtime_value(&DowntimeRecord {
            consumer_address: vec![7; 19],
            ..record.clone()
        });
        assert_eq!(
            code(&m),
            ("consumer", ConsumerCode::InvalidDowntimeRecord as u32)
        );
        let mut m = base.clone();
        // A non-canonical encoding (field 1 written twice) is not what the consumer stores.
        m.record = [vec![0x08, 0x01], downtime_value(&record)].concat();
        assert_eq!(
            code(&m),
            ("consumer", ConsumerCode::InvalidDowntimeRecord as u32)
        );
        let mut m = base.clone();
        m.record = vec![0; MAX_RECORD_BYTES + 1];
        assert_eq!(code(&m), ("ccv", CcvCode::MessageTooLarge as u32));
        let mut m = base;
        m.signed_header = None;
        assert_eq!(code(&m), ("ccv", CcvCode::InvalidHeader as u32));
    }
}
