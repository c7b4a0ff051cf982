//! Provider transactions of a round carrying the consumer's downtime records: each
//! `MsgSubmitConsumerDowntime` proves, with the consumer's latest header (as an acknowledgement
//! does, [`super::ack`]), that the consumer stored record `seq` under `ccv/downtime/ ‖ seq`.
//!
//! The provider processes records in seq order and refuses a seq at or below the last one it
//! processed (`consumer/20`), so the round starts after the provider's last processed seq (read
//! from its state) and forwards `seq + 1`, `seq + 2`, … one transaction each, until the first
//! seq the consumer has not stored. While the provider's slash meter throttles downtime (its
//! query says so, or a submission is refused with `consumer/22`), the pass sends nothing more:
//! a later round tries again, without a failing transaction per round.

use anyhow::anyhow;
use prost::Message;
use rampart_ccv::proven::downtime_key;
use rampart_client::msgs::consumer::submit_downtime_msg;
use rampart_client::TxOutcome;
use rampart_consumer::errors::ConsumerCode;
use rampart_proto::rampart::ccv::v1::DowntimeRecord;
use serde::Serialize;

use super::light::{self, CommittedHeader};
use super::proofs::prove_key;
use super::view::View;
use super::{is_chain_error, Relayer};

/// The most downtime records one round forwards; the rest go in the next round.
pub const MAX_RECORDS_PER_ROUND: u64 = 20;

/// One downtime record the provider processed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForwardedDowntime {
    /// The record's seq.
    pub seq: u64,
    /// The offender's consensus address on the consumer (hex).
    pub consumer_address: String,
    /// The consumer height whose begin block found the window missed.
    pub infraction_height: u64,
    /// The consumer header proving it.
    pub consumer_height: u64,
    /// The committed provider transaction.
    pub tx: TxOutcome,
}

/// What one round's downtime pass did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DowntimePass {
    /// The records forwarded, in seq order.
    pub forwarded: Vec<ForwardedDowntime>,
    /// Whether the provider's slash meter refused the next record (`consumer/22`): it is
    /// retried in a later round.
    pub throttled: bool,
    /// The last seq known processed by the provider: its own record, or the last one forwarded.
    pub last_seq: u64,
}

/// The provider's last processed downtime seq from the value stored under its key (8 bytes, big
/// endian; absent: none yet, 0).
pub fn last_seq(value: Option<&[u8]>) -> anyhow::Result<u64> {
    let Some(value) = value else {
        return Ok(0);
    };
    let bytes: [u8; 8] = value.try_into().map_err(|_| {
        anyhow!(
            "the provider's last downtime seq is {} bytes, not 8",
            value.len()
        )
    })?;
    Ok(u64::from_be_bytes(bytes))
}

/// The seqs a round tries after the provider's last processed seq `last`, in order: `last + 1`
/// onwards, at most `max`.
pub fn next_seqs(last: u64, max: u64) -> impl Iterator<Item = u64> {
    (1..=max).map_while(move |i| last.checked_add(i))
}

/// Forwards the consumer's downtime records the provider has not processed, in seq order, each
/// proven in the state the consumer's latest header commits. `forwarded` is the last seq an
/// earlier round of this relayer had processed (0: none): the provider's state may not show it
/// yet, and it is not sent twice.
pub async fn forward_downtime(
    r: &Relayer,
    view: &View,
    forwarded: u64,
) -> anyhow::Result<DowntimePass> {
    let mut pass = DowntimePass {
        last_seq: forwarded,
        ..DowntimePass::default()
    };
    if view.consumer_height < 2 || view.provider_height < 2 {
        return Ok(pass);
    }
    // The provider's state at the height below its latest header (the newest it answers
    // queries on, as the delivery proves packets there): a record it processed since is refused
    // with `consumer/20`, which ends the pass.
    let seq_key = rampart_consumer::keys::downtime_seq(r.consumer_id);
    let stored = prove_key(&r.provider, &seq_key, view.provider_height - 1).await?;
    let last = last_seq(stored.as_ref().map(|p| p.value.as_slice()))?.max(forwarded);
    pass.last_seq = last;
    let header_height = view.consumer_height;
    let mut header: Option<CommittedHeader> = None;
    for seq in next_seqs(last, MAX_RECORDS_PER_ROUND) {
        let Some(proven) = prove_key(&r.consumer, &downtime_key(seq), header_height - 1).await?
        else {
            break;
        };
        let record = DowntimeRecord::decode(proven.value.as_slice())
            .map_err(|e| anyhow!("the consumer's downtime record {seq} does not decode: {e}"))?;
        let header = match &header {
            Some(h) => h,
            None => {
                if meter_throttled(r).await {
                    pass.throttled = true;
                    break;
                }
                header.insert(light::committed_header(&r.consumer, header_height).await?)
            }
        };
        let msg = submit_downtime_msg(
            &r.signer()?,
            r.consumer_id,
            header.raw_header(),
            header.raw_validators(),
            proven.value,
            proven.proof,
        );
        let consumer_address = hex::encode_upper(&record.consumer_address);
        match r.provider.send(&r.key, vec![msg], r.tx_timeout).await {
            Ok(tx) => {
                tracing::info!(
                    seq,
                    consumer_address,
                    infraction_height = record.infraction_height,
                    tx = tx.hash,
                    "forwarded downtime record"
                );
                pass.last_seq = seq;
                pass.forwarded.push(ForwardedDowntime {
                    seq,
                    consumer_address,
                    infraction_height: record.infraction_height,
                    consumer_height: header_height,
                    tx,
                });
            }
            Err(e) if is_code(&e, ConsumerCode::Throttled) => {
                tracing::info!(seq, "downtime record throttled by the slash meter: {e:#}");
                pass.throttled = true;
                break;
            }
            Err(e) if is_code(&e, ConsumerCode::DowntimeOutOfOrder) => {
                tracing::info!(seq, "another relayer forwarded downtime first: {e:#}");
                break;
            }
            Err(e) => return Err(e.context(format!("forwarding downtime record {seq}"))),
        }
    }
    Ok(pass)
}

/// Whether the provider's slash meter for the consumer is throttling downtime now: then no
/// transaction is sent (it would fail with `consumer/22`) until it replenishes. An unanswered
/// query counts as not throttled: the provider's answer to the submission decides.
async fn meter_throttled(r: &Relayer) -> bool {
    match r.provider.node.consumer().slash_meter(r.consumer_id).await {
        Ok(meter) => meter.throttled,
        Err(e) => {
            tracing::debug!("provider: slash meter: {e:#}");
            false
        }
    }
}

fn is_code(e: &anyhow::Error, code: ConsumerCode) -> bool {
    is_chain_error(e, rampart_consumer::CODESPACE, code as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seqs_start_after_the_last_processed_one() {
        assert_eq!(last_seq(None).expect("none"), 0);
        assert_eq!(last_seq(Some(&7u64.to_be_bytes())).expect("seq"), 7);
        assert!(last_seq(Some(&[1, 2])).is_err());
        assert_eq!(next_seqs(0, 3).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(next_seqs(41, 2).collect::<Vec<_>>(), vec![42, 43]);
        assert_eq!(next_seqs(5, 0).count(), 0);
        // Never past u64::MAX.
        assert_eq!(
            next_seqs(u64::MAX - 1, 5).collect::<Vec<_>>(),
            vec![u64::MAX]
        );
    }
}
