//! `rampartd tx restaking …`: opting in and out of consumers, pledges, consumer keys and
//! consumer double-vote evidence (messages built by `rampart_client::msgs::restaking`).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use clap::Subcommand;
use cosmrs::{AccountId, Any};
use rampart_client::address;
use rampart_client::msgs::restaking::{
    self as restaking_msgs, assign_key_msg, opt_in_msg, opt_out_msg, set_delegation_consumers_msg,
    set_pledge_msg,
};
use rampart_client::submit::TxSettings;
use rampart_proto::rampart::consumer::v1 as consumer_pb;
use rampart_proto::rampart::restaking::v1::BackingMode;
use tendermint_proto::types::{SignedHeader, ValidatorSet};

use crate::cli::args::{read_consensus_pubkey, FromOptions};
use crate::cli::output::{base64_key, cell, percent};
use crate::debug::EvidenceFile;
use crate::relay::light::{committed_header, CommittedHeader};
use crate::relay::Chain;

/// The largest pledge: 100 % in basis points.
pub const MAX_PLEDGE_BPS: u32 = 10_000;

/// Parses a pledge: `25%`, `12.5%` (at most two decimals) or `2500bps`, between 0.01 % and 100 %;
/// returns basis points.
pub fn parse_pledge(text: &str) -> anyhow::Result<u32> {
    let text = text.trim();
    let usage = || {
        anyhow!(
            "invalid pledge {text:?}: write a percentage (25%, 12.5%) or basis points (2500bps)"
        )
    };
    let bps = if let Some(number) = text.strip_suffix("bps") {
        number.trim().parse::<u32>().map_err(|_| usage())?
    } else if let Some(number) = text.strip_suffix('%') {
        let (whole, frac) = number.trim().split_once('.').unwrap_or((number.trim(), ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !(frac.is_empty() || digits(frac)) {
            return Err(usage());
        }
        if frac.len() > 2 {
            bail!("invalid pledge {text:?}: at most two decimals (0.01% is one basis point)");
        }
        let whole: u32 = whole.parse().map_err(|_| usage())?;
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| usage())?;
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .ok_or_else(usage)?
    } else {
        return Err(usage());
    };
    if bps == 0 || bps > MAX_PLEDGE_BPS {
        bail!("invalid pledge {text:?}: must be between 0.01% (1bps) and 100% (10000bps)");
    }
    Ok(bps)
}

/// Parses a delegation's choice of consumers: `all`, `only:1,3` or `except:2` (ids of
/// consumers the validator pledges to); returns the mode and the ids.
pub fn parse_choice(text: &str) -> anyhow::Result<(BackingMode, Vec<u64>)> {
    let text = text.trim();
    let usage = || {
        anyhow!(
            "invalid choice {text:?}: write all, only:ID[,ID…] or except:ID[,ID…] (consumer ids)"
        )
    };
    if text == "all" {
        return Ok((BackingMode::All, Vec::new()));
    }
    let (mode, ids) = text.split_once(':').ok_or_else(usage)?;
    let mode = match mode {
        "only" => BackingMode::Only,
        "except" => BackingMode::Except,
        _ => return Err(usage()),
    };
    let ids = ids
        .split(',')
        .map(|id| id.trim().parse::<u64>().map_err(|_| usage()))
        .collect::<anyhow::Result<Vec<u64>>>()?;
    Ok((mode, ids))
}

/// Reads an evidence file written by `rampartd debug double-sign --output-evidence`.
pub fn read_evidence(path: &Path) -> anyhow::Result<EvidenceFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read evidence file {}", path.display()))?;
    let file: EvidenceFile = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not an evidence file of `rampartd debug double-sign --output-evidence` \
             ({{chain_id, height, validator_address, vote_a, vote_b}})",
            path.display()
        )
    })?;
    if file.vote_a.height != file.vote_b.height || file.vote_a.round != file.vote_b.round {
        bail!(
            "{}: the two votes are not at the same height and round",
            path.display()
        );
    }
    Ok(file)
}

/// The `MsgSubmitConsumerDoubleVote` of `evidence` against consumer `consumer_id`, the votes
/// converted to `tendermint.types.Vote`, placed by `infraction` (the consumer's signed header at
/// the votes' height and the set that signed it, [`CommittedHeader::raw_header`] and
/// [`CommittedHeader::raw_validators`]).
pub fn double_vote_msg(
    submitter: &AccountId,
    consumer_id: u64,
    evidence: &EvidenceFile,
    infraction: (SignedHeader, ValidatorSet),
) -> Any {
    restaking_msgs::double_vote_msg(
        submitter,
        consumer_id,
        evidence.vote_a.clone().into(),
        evidence.vote_b.clone().into(),
        infraction.0,
        infraction.1,
    )
}

/// The consumer's signed header and validator set at the evidence's height, fetched from the
/// consumer's CometBFT RPC at `url`; `Err` when that node runs another chain than the one the
/// votes were signed for.
pub async fn evidence_infraction_block(
    url: &str,
    evidence: &EvidenceFile,
) -> anyhow::Result<CommittedHeader> {
    let node = Chain::new(url, TxSettings::default()).context("--consumer-node")?;
    let block = committed_header(&node, evidence.height)
        .await
        .with_context(|| {
            format!(
                "cannot fetch the consumer's header at height {} from --consumer-node {url}",
                evidence.height
            )
        })?;
    if block.chain_id() != evidence.chain_id {
        bail!(
            "--consumer-node {url} runs chain {}, but the evidence was signed for chain {}",
            block.chain_id(),
            evidence.chain_id
        );
    }
    Ok(block)
}

/// `rampartd tx restaking`.
#[derive(Debug, Subcommand)]
pub enum RestakingTx {
    /// Opt the --from key's validator in to a consumer with a pledge of its bonded tokens.
    OptIn {
        /// The consumer's id (registered or launched).
        consumer_id: u64,
        /// The pledged share of the validator's bonded tokens: 25%, 12.5% or 2500bps.
        pledge: String,
        /// The key to sign the consumer's blocks with (base64 ed25519, the SDK's or CometBFT's
        /// JSON, or a priv_validator_key.json) [default: an assigned key, else the validator's
        /// provider consensus key].
        #[arg(long, value_name = "KEY")]
        consumer_pubkey: Option<String>,
        /// The signer (--from, the validator's operator key) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Change the --from key's validator's active pledge to a consumer.
    SetPledge {
        /// The consumer's id.
        consumer_id: u64,
        /// The new pledge: 25%, 12.5% or 2500bps.
        pledge: String,
        /// The signer (--from, the validator's operator key) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Opt the --from key's validator out of a consumer: it leaves the set at the consumer's
    /// next epoch and stays slashable for the consumer's unbonding period.
    OptOut {
        /// The consumer's id.
        consumer_id: u64,
        /// The signer (--from, the validator's operator key) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Choose which of a validator's consumers the --from key's delegation to it backs: only
    /// the chosen consumers count it, pay it their rewards and can slash it. Takes effect at
    /// the provider's next epoch; stake that stops backing a consumer stays slashable for that
    /// consumer's infractions for its unbonding period.
    SetDelegationConsumers {
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// `all` (the default: every consumer, present and future), `only:1,3` or `except:2`.
        choice: String,
        /// The signer (--from, the delegator) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Assign the key the --from key's validator signs a consumer's blocks with.
    AssignKey {
        /// The consumer's id.
        consumer_id: u64,
        /// The ed25519 key: base64, the SDK's or CometBFT's JSON, or a priv_validator_key.json.
        pubkey: String,
        /// The signer (--from, the validator's operator key) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Submit consumer double-vote evidence from a file written by `rampartd debug double-sign
    /// --output-evidence`; anyone may submit. The provider places the infraction by the
    /// consumer's signed header at the votes' height (and the set that signed it), fetched from
    /// --consumer-node, never by the votes' own timestamps.
    SubmitDoubleVote {
        /// The evidence file ({chain_id, height, validator_address, vote_a, vote_b}).
        evidence_file: PathBuf,
        /// The consumer's CometBFT RPC URL (required): the signed header (commit) and validator
        /// set at the evidence's height are fetched from it; its chain id must be the file's.
        #[arg(long, value_name = "URL")]
        consumer_node: Option<String>,
        /// The consumer the votes were cast on [default: the live consumer with the file's
        /// chain id].
        #[arg(long)]
        consumer_id: Option<u64>,
        /// The signer (--from) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
}

/// The consumer evidence for chain `chain_id` belongs to: `id` (checked), or the consumer that
/// is not deleted and has that chain id.
async fn evidence_consumer(
    node: &rampart_client::NodeClient,
    id: Option<u64>,
    chain_id: &str,
) -> anyhow::Result<consumer_pb::Consumer> {
    if let Some(id) = id {
        let consumer = node.consumer().consumer(id).await?;
        if consumer.chain_id != chain_id {
            bail!(
                "the evidence was signed for chain {chain_id}, but consumer {id} is {}",
                consumer.chain_id
            );
        }
        return Ok(consumer);
    }
    node.consumer()
        .consumers(consumer_pb::ConsumerPhase::Unspecified)
        .await?
        .into_iter()
        .find(|c| c.chain_id == chain_id && c.phase != consumer_pb::ConsumerPhase::Deleted as i32)
        .ok_or_else(|| {
            anyhow!(
                "no live consumer has chain id {chain_id} (see `rampartd query consumer \
                 consumers`); give --consumer-id"
            )
        })
}

impl RestakingTx {
    /// Checks the arguments, signs with --from and broadcasts.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            RestakingTx::OptIn {
                consumer_id,
                pledge,
                consumer_pubkey,
                options,
            } => {
                let bps = parse_pledge(&pledge)?;
                let key = consumer_pubkey
                    .as_deref()
                    .map(read_consensus_pubkey)
                    .transpose()?;
                options
                    .send(|signer| {
                        let validator = signer.operator()?;
                        let key_text = match key {
                            Some(_) => "with the given consumer key",
                            None => "with its assigned or provider consensus key",
                        };
                        let summary = format!(
                            "opt {validator} in to consumer {consumer_id} pledging {} ({bps} \
                             bps) of its bonded tokens, {key_text}",
                            percent(bps)
                        );
                        Ok((summary, vec![opt_in_msg(&validator, consumer_id, bps, key)]))
                    })
                    .await
            }
            RestakingTx::SetPledge {
                consumer_id,
                pledge,
                options,
            } => {
                let bps = parse_pledge(&pledge)?;
                options
                    .send(|signer| {
                        let validator = signer.operator()?;
                        let summary = format!(
                            "set the pledge of {validator} to consumer {consumer_id} to {} \
                             ({bps} bps)",
                            percent(bps)
                        );
                        Ok((summary, vec![set_pledge_msg(&validator, consumer_id, bps)]))
                    })
                    .await
            }
            RestakingTx::OptOut {
                consumer_id,
                options,
            } => {
                options
                    .send(|signer| {
                        let validator = signer.operator()?;
                        let summary = format!("opt {validator} out of consumer {consumer_id}");
                        Ok((summary, vec![opt_out_msg(&validator, consumer_id)]))
                    })
                    .await
            }
            RestakingTx::SetDelegationConsumers {
                validator,
                choice,
                options,
            } => {
                let validator = address::validator(&validator, "validator address")?;
                let (mode, ids) = parse_choice(&choice)?;
                options
                    .send(|signer| {
                        let summary = format!(
                            "back {} of {validator}'s consumers with {}'s delegation, from the \
                             next epoch",
                            choice.trim(),
                            signer.address
                        );
                        let msg =
                            set_delegation_consumers_msg(&signer.address, &validator, mode, &ids);
                        Ok((summary, vec![msg]))
                    })
                    .await
            }
            RestakingTx::AssignKey {
                consumer_id,
                pubkey,
                options,
            } => {
                let key = read_consensus_pubkey(&pubkey)?;
                options
                    .send(|signer| {
                        let validator = signer.operator()?;
                        let summary = format!(
                            "assign consumer key {} ({}) to {validator} on consumer {consumer_id}",
                            cell(base64_key(&key)),
                            address::consensus_address_of_key(&key)
                        );
                        Ok((summary, vec![assign_key_msg(&validator, consumer_id, key)]))
                    })
                    .await
            }
            RestakingTx::SubmitDoubleVote {
                evidence_file,
                consumer_node,
                consumer_id,
                options,
            } => {
                let evidence = read_evidence(&evidence_file)?;
                let url = consumer_node.ok_or_else(|| {
                    anyhow!(
                        "give --consumer-node URL: the consumer's CometBFT RPC, to fetch its \
                         signed header at height {} (the chain refuses evidence without it)",
                        evidence.height
                    )
                })?;
                let infraction = evidence_infraction_block(&url, &evidence).await?;
                let signer = options.signer()?;
                let consumer =
                    evidence_consumer(&signer.node, consumer_id, &evidence.chain_id).await?;
                let summary = format!(
                    "submit double-vote evidence against {} at height {} of consumer {} ({})",
                    evidence.validator_address,
                    evidence.height,
                    consumer.consumer_id,
                    consumer.chain_id
                );
                let infraction = (infraction.raw_header(), infraction.raw_validators());
                let msg =
                    double_vote_msg(&signer.address, consumer.consumer_id, &evidence, infraction);
                options.tx.submit(&signer, vec![msg], &summary).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;
    use rampart_client::msgs::restaking::SUBMIT_CONSUMER_DOUBLE_VOTE;
    use rampart_proto::rampart::restaking::v1 as pb;

    use crate::debug::tests::PV_KEY;

    #[test]
    fn pledges_parse_with_a_unit() {
        assert_eq!(parse_pledge("25%").ok(), Some(2_500));
        assert_eq!(parse_pledge("12.5%").ok(), Some(1_250));
        assert_eq!(parse_pledge("0.01%").ok(), Some(1));
        assert_eq!(parse_pledge("100%").ok(), Some(10_000));
        assert_eq!(parse_pledge("2500bps").ok(), Some(2_500));
        for bad in [
            "25", "0%", "100.01%", "10001bps", "1.234%", "x%", "%", "-5%",
        ] {
            assert!(parse_pledge(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn choices_parse_as_a_mode_and_ids() {
        assert_eq!(parse_choice("all").ok(), Some((BackingMode::All, vec![])));
        assert_eq!(
            parse_choice("only:1, 3").ok(),
            Some((BackingMode::Only, vec![1, 3]))
        );
        assert_eq!(
            parse_choice("except:2").ok(),
            Some((BackingMode::Except, vec![2]))
        );
        for bad in [
            "",
            "some",
            "only",
            "only:",
            "except:x",
            "all:1",
            "only:1,,2",
        ] {
            assert!(parse_choice(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn evidence_files_become_protobuf_votes() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let key_file = dir.path().join("key.json");
        std::fs::write(&key_file, PV_KEY)?;
        let out = dir.path().join("evidence.json");
        crate::debug::write_evidence_file(&key_file, "consumer-1", 7, &out)?;
        let evidence = read_evidence(&out)?;
        let submitter = AccountId::new("rampart", &[9; 20]).map_err(|e| anyhow!("{e}"))?;
        let header = SignedHeader {
            header: Some(tendermint_proto::types::Header {
                height: 7,
                ..Default::default()
            }),
            commit: None,
        };
        let msg = double_vote_msg(
            &submitter,
            3,
            &evidence,
            (header.clone(), ValidatorSet::default()),
        );
        assert_eq!(msg.type_url, SUBMIT_CONSUMER_DOUBLE_VOTE);
        let decoded = pb::MsgSubmitConsumerDoubleVote::decode(msg.value.as_slice())?;
        assert_eq!(decoded.consumer_id, 3);
        assert_eq!(decoded.infraction_header, Some(header));
        assert!(decoded.infraction_validator_set.is_some());
        let (a, b) = (
            decoded.vote_a.context("vote a")?,
            decoded.vote_b.context("vote b")?,
        );
        assert_eq!((a.height, b.height), (7, 7));
        assert_ne!(a.block_id, b.block_id);
        assert_eq!(a.signature.len(), 64);
        assert_eq!(
            hex::encode_upper(&a.validator_address),
            "85817B1D08D40E071823A48AC00BB2501E6E5BBA"
        );
        // The protobuf votes still verify over the consumer's chain id.
        let vote = tendermint::vote::Vote::try_from(a)?;
        let signature = vote.signature.clone().context("signed")?;
        let bytes = vote.into_signable_vec("consumer-1".parse()?);
        let public = ed25519_consensus::VerificationKey::try_from(read_consensus_pubkey(
            key_file.to_str().context("utf-8")?,
        )?)?;
        public.verify(
            &ed25519_consensus::Signature::try_from(signature.as_bytes())?,
            &bytes,
        )?;

        std::fs::write(&out, "{}")?;
        let err = read_evidence(&out).expect_err("not evidence");
        assert!(format!("{err:#}").contains("debug double-sign"), "{err:#}");
        Ok(())
    }
}
