//! Proven state reads: the ABCI query `/store/key` with `prove = true` answers a raw value and
//! one `ProofOp` of type `ics23:jmt` whose data is the encoded ICS-23 `CommitmentProof` of that
//! value against the app hash committed in the next header. Both chains answer it; the relayer
//! proves the provider's packets to the consumer and the consumer's applied vsc id to the
//! provider.

use anyhow::{anyhow, bail};
use rampart_app::query::{PROOF_OP_TYPE, STORE_KEY_PATH};
use rampart_client::ChainError;
use tendermint::block::Height;
use tendermint_rpc::endpoint::abci_query::AbciQuery;
use tendermint_rpc::Client;

use super::Chain;

/// A value of a chain's state at a height, with its proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proven {
    /// The stored bytes.
    pub value: Vec<u8>,
    /// The encoded ICS-23 `CommitmentProof` of `value` under the key.
    pub proof: Vec<u8>,
}

/// Reads `key` in `chain`'s state after `height`, with its proof; `None` when the key holds no
/// value there.
pub async fn prove_key(chain: &Chain, key: &[u8], height: u64) -> anyhow::Result<Option<Proven>> {
    let at = Height::try_from(height).map_err(|e| anyhow!("height {height}: {e}"))?;
    let answer = chain
        .rpc()
        .abci_query(Some(STORE_KEY_PATH.to_owned()), key, Some(at), true)
        .await
        .map_err(|e| chain.rpc_error(&format!("{STORE_KEY_PATH} at {height}"), e))?;
    proven_value(&answer, key, height).map_err(|e| anyhow!("{} at {height}: {e:#}", chain.url()))
}

/// The proven value of `key` in `answer`, an answer to a `/store/key` query at `height`:
/// `None` for an absent value; `Err` for a refusal (a [`ChainError`], e.g. a pruned height), an
/// answer at another height or for another key, or a missing or foreign proof.
pub fn proven_value(answer: &AbciQuery, key: &[u8], height: u64) -> anyhow::Result<Option<Proven>> {
    ChainError::check(&answer.codespace, answer.code.value(), &answer.log)?;
    if answer.height.value() != height {
        bail!(
            "the node answered for height {} instead of {height}",
            answer.height
        );
    }
    if answer.value.is_empty() {
        return Ok(None);
    }
    let ops = answer
        .proof
        .as_ref()
        .map(|p| p.ops.as_slice())
        .unwrap_or_default();
    let [op] = ops else {
        bail!("expected one proof op, got {}", ops.len());
    };
    if op.field_type != PROOF_OP_TYPE {
        bail!(
            "proof op of type {:?}, expected {PROOF_OP_TYPE:?}",
            op.field_type
        );
    }
    if op.key != key {
        bail!(
            "the proof is for key {}, not {}",
            hex::encode(&op.key),
            hex::encode(key)
        );
    }
    if op.data.is_empty() {
        bail!("empty proof");
    }
    Ok(Some(Proven {
        value: answer.value.clone(),
        proof: op.data.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use tendermint::abci::Code;
    use tendermint::merkle::proof::{ProofOp, ProofOps};

    use super::*;

    fn answer(value: &[u8], ops: Vec<ProofOp>) -> AbciQuery {
        AbciQuery {
            key: b"k".to_vec(),
            value: value.to_vec(),
            proof: Some(ProofOps { ops }),
            height: Height::from(7u32),
            ..Default::default()
        }
    }

    fn op(field_type: &str, key: &[u8], data: &[u8]) -> ProofOp {
        ProofOp {
            field_type: field_type.into(),
            key: key.to_vec(),
            data: data.to_vec(),
        }
    }

    #[test]
    fn the_value_and_proof_come_from_the_one_ics23_op() {
        let a = answer(b"v", vec![op(PROOF_OP_TYPE, b"k", b"proof")]);
        assert_eq!(
            proven_value(&a, b"k", 7).expect("ok"),
            Some(Proven {
                value: b"v".to_vec(),
                proof: b"proof".to_vec(),
            })
        );
        // An absent value is not an error.
        assert_eq!(
            proven_value(&answer(b"", vec![]), b"k", 7).expect("ok"),
            None
        );
    }

    #[test]
    fn malformed_answers_are_errors() {
        let good = || op(PROOF_OP_TYPE, b"k", b"proof");
        let cases = [
            (answer(b"v", vec![good()]), 8, "height 7 instead of 8"),
            (answer(b"v", vec![]), 7, "one proof op, got 0"),
            (answer(b"v", vec![good(), good()]), 7, "one proof op, got 2"),
            (answer(b"v", vec![op("iavl:v", b"k", b"p")]), 7, "of type"),
            (
                answer(b"v", vec![op(PROOF_OP_TYPE, b"x", b"p")]),
                7,
                "not 6b",
            ),
            (
                answer(b"v", vec![op(PROOF_OP_TYPE, b"k", b"")]),
                7,
                "empty proof",
            ),
        ];
        for (a, height, expected) in cases {
            let e = proven_value(&a, b"k", height).expect_err(expected);
            assert!(e.to_string().contains(expected), "{e} / {expected}");
        }
        let mut refused = answer(b"", vec![]);
        refused.code = Code::from(22);
        refused.codespace = "sdk".into();
        refused.log = "height 7 is pruned".into();
        let e = proven_value(&refused, b"k", 7).expect_err("refused");
        assert_eq!(e.downcast_ref::<ChainError>().map(|c| c.code), Some(22));
        let mut no_proof = answer(b"v", vec![]);
        no_proof.proof = None;
        assert!(proven_value(&no_proof, b"k", 7).is_err());
    }
}
