//! `rampartd debug double-sign`: evidence tooling for tests and operators. It signs two
//! conflicting prevotes (same height and round, different block ids) with a CometBFT validator
//! key and either submits them to a node as `DuplicateVoteEvidence` through CometBFT's
//! `broadcast_evidence` RPC (chain id, validator set, powers and block time taken from that
//! node), or, offline, writes the two signed votes as JSON (`tx restaking submit-double-vote
//! FILE --consumer-node URL` submits such a file as consumer-chain evidence, with the consumer's
//! signed header at the votes' height). Submitted to a consumer node, the evidence is committed
//! in a consumer block, and the relayer carries it to the provider.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tendermint::block::{self, parts};
use tendermint::chain;
use tendermint::evidence::{DuplicateVoteEvidence, Evidence};
use tendermint::vote::{self, Vote};
use tendermint::{Hash, Time};
use tendermint_rpc::{Client, HttpClient, Paging};

use crate::home::Home;
use crate::validator_key::ValidatorKey;

/// Where and as whom the conflicting votes are cast.
#[derive(Debug, Clone)]
pub struct VoteSpec {
    /// Chain the votes are for.
    pub chain_id: chain::Id,
    /// Height of both votes.
    pub height: u64,
    /// The validator's index in the set at that height.
    pub validator_index: u32,
    /// Timestamp written into both votes.
    pub timestamp: Time,
}

/// Two prevotes for different blocks at the same height and round, signed by `key`, ordered as
/// CometBFT requires (vote A's block id sorts first).
pub fn conflicting_votes(key: &ValidatorKey, spec: &VoteSpec) -> anyhow::Result<(Vote, Vote)> {
    let height = block::Height::try_from(spec.height).context("height")?;
    let vote_for = |label: &[u8]| -> anyhow::Result<Vote> {
        let mut seed = label.to_vec();
        seed.extend_from_slice(&spec.height.to_be_bytes());
        let hash = Hash::Sha256(Sha256::digest(&seed).into());
        let unsigned = Vote {
            vote_type: vote::Type::Prevote,
            height,
            round: block::Round::default(),
            block_id: Some(block::Id {
                hash,
                part_set_header: parts::Header::new(1, hash).context("part set header")?,
            }),
            timestamp: Some(spec.timestamp),
            validator_address: key.address(),
            validator_index: vote::ValidatorIndex::try_from(spec.validator_index)
                .context("validator index")?,
            signature: None,
            extension: Vec::new(),
            extension_signature: None,
        };
        key.sign(unsigned, &spec.chain_id)
    };
    let (a, b) = (
        vote_for(b"rampart-double-sign-a")?,
        vote_for(b"rampart-double-sign-b")?,
    );
    let hash = |v: &Vote| v.block_id.map(|id| id.hash.as_bytes().to_vec());
    Ok(if hash(&a) < hash(&b) { (a, b) } else { (b, a) })
}

/// The offline evidence file: the two votes in CometBFT's JSON form.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// The chain the votes were signed for.
    pub chain_id: String,
    /// Their height.
    pub height: u64,
    /// The signer's CometBFT address (hex).
    pub validator_address: String,
    /// The vote whose block id sorts first.
    pub vote_a: Vote,
    /// The other vote.
    pub vote_b: Vote,
}

/// Signs the votes offline and writes them to `output`.
pub fn write_evidence_file(
    key_file: &Path,
    chain_id: &str,
    height: u64,
    output: &Path,
) -> anyhow::Result<EvidenceFile> {
    let key = ValidatorKey::read(key_file)?;
    let spec = VoteSpec {
        chain_id: chain_id
            .parse()
            .map_err(|e| anyhow!("chain id {chain_id:?}: {e}"))?,
        height,
        validator_index: 0,
        // Offline there is no block to take the time from: the votes say "now", which keeps
        // them inside a consumer's evidence window (a tool, not consensus code).
        timestamp: Time::now(),
    };
    let (vote_a, vote_b) = conflicting_votes(&key, &spec)?;
    let file = EvidenceFile {
        chain_id: chain_id.to_owned(),
        height,
        validator_address: key.address().to_string(),
        vote_a,
        vote_b,
    };
    let mut text = serde_json::to_string_pretty(&file)?;
    text.push('\n');
    std::fs::write(output, text).with_context(|| format!("writing {}", output.display()))?;
    Ok(file)
}

/// What [`submit_double_sign`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
    /// Evidence hash as CometBFT reports it.
    pub hash: String,
    /// Height of the conflicting votes.
    pub height: u64,
    /// The validator's CometBFT address.
    pub validator_address: String,
    /// Its power at that height.
    pub validator_power: u64,
}

/// Signs two conflicting prevotes for `height` (default: the node's latest height − 1) and
/// submits them to the node at `rpc` as `DuplicateVoteEvidence`.
pub async fn submit_double_sign(
    key_file: &Path,
    rpc: &str,
    height: Option<u64>,
) -> anyhow::Result<Submitted> {
    let key = ValidatorKey::read(key_file)?;
    let client = HttpClient::new(rpc).with_context(|| format!("RPC address {rpc}"))?;
    let status = client
        .status()
        .await
        .with_context(|| format!("reaching the node at {rpc}"))?;
    let latest = status.sync_info.latest_block_height.value();
    let height = match height {
        Some(h) if h == 0 || h > latest => {
            bail!("height {h} is not a committed height (latest {latest})")
        }
        Some(h) => h,
        None => latest.saturating_sub(1).max(1),
    };
    let at = block::Height::try_from(height)?;
    let validators = client
        .validators(at, Paging::All)
        .await
        .with_context(|| format!("validator set at height {height}"))?;
    let address = key.address();
    let (index, validator) = validators
        .validators
        .iter()
        .enumerate()
        .find(|(_, v)| v.address == address)
        .ok_or_else(|| anyhow!("{address} is not in the validator set at height {height}"))?;
    let total: u64 = validators.validators.iter().map(|v| v.power.value()).sum();
    let header = client
        .commit(at)
        .await
        .with_context(|| format!("block header at height {height}"))?
        .signed_header
        .header;
    let spec = VoteSpec {
        chain_id: header.chain_id.clone(),
        height,
        validator_index: u32::try_from(index)?,
        timestamp: header.time,
    };
    let (vote_a, vote_b) = conflicting_votes(&key, &spec)?;
    let evidence = DuplicateVoteEvidence {
        vote_a,
        vote_b,
        total_voting_power: vote::Power::try_from(total)?,
        validator_power: validator.power,
        timestamp: header.time,
    };
    let response = client
        .perform(EvidenceRequest::new(evidence)?)
        .await
        .context("the node refused the evidence")?;
    Ok(Submitted {
        hash: response.hash.to_string(),
        height,
        validator_address: address.to_string(),
        validator_power: validator.power.value(),
    })
}

/// `broadcast_evidence` with the JSON CometBFT reads. Two tendermint-rs 0.40 defects are worked
/// around: its JSON names the ABCI fields of `DuplicateVoteEvidence` in snake case, but CometBFT's
/// Go struct has no JSON tags on them (`TotalVotingPower`, `ValidatorPower`, `Timestamp`), so it
/// would read zeros and refuse the evidence ("different time to the block"); and its conversion
/// to the wire type writes the total voting power as the validator's power. This request writes
/// the three fields itself, from the evidence.
#[derive(Debug, Serialize, Deserialize)]
struct EvidenceRequest {
    evidence: serde_json::Value,
}

impl EvidenceRequest {
    fn new(evidence: DuplicateVoteEvidence) -> anyhow::Result<Self> {
        let (total, power, time) = (
            evidence.total_voting_power.value(),
            evidence.validator_power.value(),
            evidence.timestamp.to_rfc3339(),
        );
        let mut value = serde_json::to_value(tendermint_rpc::endpoint::evidence::Request::<
            tendermint_rpc::dialect::v0_38::Dialect,
        >::new(Evidence::DuplicateVote(Box::new(
            evidence,
        ))))?;
        let mut evidence = value
            .get_mut("evidence")
            .map(serde_json::Value::take)
            .ok_or_else(|| anyhow!("evidence did not serialise"))?;
        let fields = evidence
            .get_mut("value")
            .and_then(serde_json::Value::as_object_mut)
            .ok_or_else(|| anyhow!("evidence JSON without a value object"))?;
        for snake in ["total_voting_power", "validator_power", "timestamp"] {
            fields.remove(snake);
        }
        fields.insert("TotalVotingPower".into(), total.to_string().into());
        fields.insert("ValidatorPower".into(), power.to_string().into());
        fields.insert("Timestamp".into(), time.into());
        Ok(Self { evidence })
    }
}

impl tendermint_rpc::request::RequestMessage for EvidenceRequest {
    fn method(&self) -> tendermint_rpc::Method {
        tendermint_rpc::Method::BroadcastEvidence
    }
}

impl tendermint_rpc::Request for EvidenceRequest {
    type Response = tendermint_rpc::endpoint::evidence::Response;
}

impl tendermint_rpc::SimpleRequest for EvidenceRequest {
    type Output = tendermint_rpc::endpoint::evidence::Response;
}

/// `rampartd debug …` arguments.
#[derive(Debug, clap::Args)]
pub struct DebugCommand {
    #[command(subcommand)]
    command: DebugSubcommand,
}

#[derive(Debug, clap::Subcommand)]
enum DebugSubcommand {
    /// Sign two conflicting prevotes with a validator key and submit them as double-sign
    /// evidence (or, with --output-evidence, write them to a file offline).
    DoubleSign {
        /// The validator's CometBFT key (`config/priv_validator_key.json`).
        #[arg(long)]
        key_file: PathBuf,
        /// CometBFT RPC of a node to submit to (online mode).
        #[arg(long, required_unless_present = "output_evidence")]
        node: Option<String>,
        /// Height of the votes (online: default latest − 1; offline: required).
        #[arg(long)]
        height: Option<u64>,
        /// Chain id to sign for (offline mode).
        #[arg(long, requires = "output_evidence")]
        chain_id: Option<String>,
        /// Write the two signed votes as JSON to this file instead of submitting.
        #[arg(long, requires_all = ["chain_id", "height"])]
        output_evidence: Option<PathBuf>,
    },
    /// Check the chain's invariants (bank supply = Σ balances, staking pools and shares,
    /// distribution and consumer accounts) over the latest committed state of a stopped node.
    Invariants {
        /// The node home (rampartd must be stopped: the store is opened exclusively).
        #[arg(long)]
        home: PathBuf,
    },
}

impl DebugCommand {
    /// Runs the command, printing what happened.
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            DebugSubcommand::Invariants { home } => {
                let height = crate::export::check_invariants(&Home::new(home))?;
                println!("invariants hold at height {height}");
            }
            DebugSubcommand::DoubleSign {
                key_file,
                node,
                height,
                chain_id,
                output_evidence,
            } => match (output_evidence, chain_id, height, node) {
                (Some(output), Some(chain_id), Some(height), _) => {
                    let file = write_evidence_file(&key_file, &chain_id, height, &output)?;
                    println!(
                        "wrote two conflicting prevotes of {} at height {} for {} to {}",
                        file.validator_address,
                        file.height,
                        file.chain_id,
                        output.display()
                    );
                }
                (None, _, height, Some(node)) => {
                    let done = submit_double_sign(&key_file, &node, height).await?;
                    println!(
                        "submitted double-sign evidence {} against {} (power {}) at height {}",
                        done.hash, done.validator_address, done.validator_power, done.height
                    );
                }
                _ => bail!(
                    "give --node (submit) or --chain-id, --height and --output-evidence (offline)"
                ),
            },
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A CometBFT `priv_validator_key.json` (also used by the restaking CLI's tests).
    pub(crate) const PV_KEY: &str = r#"{"address": "85817B1D08D40E071823A48AC00BB2501E6E5BBA",
      "pub_key": {"type": "tendermint/PubKeyEd25519", "value": "hpeEB7nZW32TunyChNhA0pgAdVmFVA9GMFSClpXrcsA="},
      "priv_key": {"type": "tendermint/PrivKeyEd25519", "value": "roXffNYz8YQ1N00NFH1p/TmXdrE5WREWEtTeZM0AeYKGl4QHudlbfZO6fIKE2EDSmAB1WYVUD0YwVIKWletywA=="}}"#;

    #[test]
    fn offline_votes_conflict_verify_and_are_ordered() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let key_file = dir.path().join("key.json");
        std::fs::write(&key_file, PV_KEY)?;
        let output = dir.path().join("evidence.json");
        let file = write_evidence_file(&key_file, "consumer-1", 42, &output)?;
        assert_eq!(
            file.validator_address,
            "85817B1D08D40E071823A48AC00BB2501E6E5BBA"
        );
        let read: EvidenceFile = serde_json::from_str(&std::fs::read_to_string(&output)?)?;
        let (a, b) = (read.vote_a, read.vote_b);
        assert_eq!(
            (a.height, a.round, a.vote_type),
            (b.height, b.round, b.vote_type)
        );
        let (id_a, id_b) = (a.block_id.expect("id"), b.block_id.expect("id"));
        assert!(
            id_a.hash.as_bytes() < id_b.hash.as_bytes(),
            "CometBFT's order"
        );
        let public = ed25519_consensus::VerificationKey::try_from(
            &base64::Engine::decode(
                &base64::engine::general_purpose::STANDARD,
                "hpeEB7nZW32TunyChNhA0pgAdVmFVA9GMFSClpXrcsA=",
            )?[..],
        )?;
        for vote in [a, b] {
            let signature = vote.signature.clone().expect("signed");
            let bytes = vote.into_signable_vec("consumer-1".parse()?);
            let signature = ed25519_consensus::Signature::try_from(signature.as_bytes())?;
            public.verify(&signature, &bytes)?;
        }
        Ok(())
    }

    #[test]
    fn evidence_json_uses_cometbfts_untagged_field_names() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let key_file = dir.path().join("key.json");
        std::fs::write(&key_file, PV_KEY)?;
        let file = write_evidence_file(&key_file, "c-1", 5, &dir.path().join("e.json"))?;
        let evidence = DuplicateVoteEvidence {
            vote_a: file.vote_a,
            vote_b: file.vote_b,
            total_voting_power: vote::Power::try_from(40u64)?,
            validator_power: vote::Power::try_from(10u64)?,
            timestamp: Time::from_unix_timestamp(1_800_000_000, 0)?,
        };
        let request = EvidenceRequest::new(evidence)?;
        let text = serde_json::to_string(&request.evidence)?;
        for key in [
            "\"TotalVotingPower\":\"40\"",
            "\"ValidatorPower\":\"10\"",
            "\"Timestamp\":",
        ] {
            assert!(text.contains(key), "{key} missing in {text}");
        }
        assert!(!text.contains("total_voting_power"), "{text}");
        assert!(
            text.contains("\"timestamp\""),
            "the votes keep theirs: {text}"
        );
        Ok(())
    }

    #[test]
    fn a_file_that_is_not_a_key_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nope.json");
        std::fs::write(&path, "{}").expect("write");
        let err = ValidatorKey::read(&path).err().expect("refused");
        assert!(format!("{err:#}").contains("is not a CometBFT validator key file"));
    }
}
