//! The provider transaction of a round: `MsgAcknowledgeVsc`, proving with a consumer header `Y`
//! (and the consumer validators that signed it) that the consumer's `ccv/applied_vsc` held a vsc
//! id in the state `Y` commits (the state after `Y - 1`).

use anyhow::anyhow;
use rampart_ccv::proven::APPLIED_VSC;
use rampart_client::msgs::consumer::acknowledge_vsc_msg;
use rampart_client::TxOutcome;
use rampart_consumer::errors::ConsumerCode;
use serde::Serialize;

use super::light;
use super::proofs::prove_key;
use super::view::View;
use super::{is_chain_error, Relayer};

/// What one provider transaction acknowledged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Acknowledgement {
    /// The vsc id acknowledged.
    pub vsc_id: u64,
    /// The consumer header proving it.
    pub consumer_height: u64,
    /// The committed transaction.
    pub tx: TxOutcome,
}

/// The vsc id stored under the consumer's [`APPLIED_VSC`] (8 bytes, big endian).
pub fn applied_vsc_id(value: &[u8]) -> anyhow::Result<u64> {
    let bytes: [u8; 8] = value.try_into().map_err(|_| {
        anyhow!(
            "the consumer's applied vsc id is {} bytes, not 8",
            value.len()
        )
    })?;
    Ok(u64::from_be_bytes(bytes))
}

/// Acknowledges on the provider the highest vsc id the consumer's latest header proves, when it
/// is above the provider's record; `None` when there is nothing new to prove yet, or another
/// relayer acknowledged it first (`consumer/15`).
pub async fn acknowledge(r: &Relayer, view: &View) -> anyhow::Result<Option<Acknowledgement>> {
    if view.applied_vsc <= view.acknowledged_vsc || view.consumer_height < 2 {
        return Ok(None);
    }
    let header_height = view.consumer_height;
    let Some(proven) = prove_key(&r.consumer, APPLIED_VSC, header_height - 1).await? else {
        return Ok(None);
    };
    let vsc_id = applied_vsc_id(&proven.value)?;
    if vsc_id <= view.acknowledged_vsc {
        // Applied after the proven state: a later header proves it.
        return Ok(None);
    }
    let header = light::committed_header(&r.consumer, header_height).await?;
    let msg = acknowledge_vsc_msg(
        &r.signer()?,
        r.consumer_id,
        vsc_id,
        header.raw_header(),
        header.raw_validators(),
        proven.proof,
    );
    match r.provider.send(&r.key, vec![msg], r.tx_timeout).await {
        Ok(tx) => Ok(Some(Acknowledgement {
            vsc_id,
            consumer_height: header_height,
            tx,
        })),
        Err(e)
            if is_chain_error(
                &e,
                rampart_consumer::CODESPACE,
                ConsumerCode::AlreadyAcknowledged as u32,
            ) =>
        {
            tracing::info!(vsc_id, "another relayer acknowledged first: {e:#}");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use rampart_ccv::proven::applied_vsc_value;

    use super::*;

    #[test]
    fn the_applied_vsc_id_is_eight_big_endian_bytes() {
        assert_eq!(applied_vsc_id(&applied_vsc_value(258)).expect("id"), 258);
        assert!(applied_vsc_id(&[1, 2, 3]).is_err());
        assert!(applied_vsc_id(&[0; 9]).is_err());
    }
}
