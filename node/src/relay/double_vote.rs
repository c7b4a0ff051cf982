//! Provider transactions of a round carrying the consumer's double votes: the relayer scans the
//! consumer's committed blocks for CometBFT `DuplicateVoteEvidence` (a block's evidence list, at
//! most [`MAX_BLOCKS_PER_ROUND`] blocks a round, from the last height scanned; a relayer that
//! scanned nothing yet starts at the first block within the consumer's unbonding period, older
//! evidence being expired on the provider) and submits each
//! as `MsgSubmitConsumerDoubleVote` with the consumer's signed header and validator set at the
//! votes' height, which place the infraction on the provider.
//!
//! Evidence the provider already punished (`restaking/14`) or whose validator is tombstoned on
//! the consumer (`restaking/16`) is skipped; so is evidence it refuses for good (any other
//! `restaking` or `consumer` code but `consumer/22`), with a warning. A throttled submission
//! (`consumer/22`) or a failure that may pass (a node down, a timeout) leaves the block to be
//! scanned again.

use std::ops::Range;
use std::time::Duration;

use anyhow::Context;
use rampart_client::msgs::restaking::double_vote_msg;
use rampart_client::TxOutcome;
use rampart_consumer::errors::ConsumerCode;
use rampart_restaking::errors::RestakingCode;
use serde::Serialize;
use tendermint::block::Height;
use tendermint::evidence::{Evidence, List};
use tendermint::vote::Vote;
use tendermint_rpc::Client;

use super::light;
use super::view::View;
use super::{chain_error, wall_clock, Relayer};

/// The most consumer blocks one round scans for evidence.
pub const MAX_BLOCKS_PER_ROUND: u64 = 50;

/// One double vote the provider punished.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForwardedDoubleVote {
    /// The consumer block whose evidence list held it.
    pub evidence_height: u64,
    /// The height of the two votes (the infraction header's).
    pub vote_height: u64,
    /// The offender's consensus address on the consumer (hex).
    pub validator_address: String,
    /// The committed provider transaction.
    pub tx: TxOutcome,
}

/// What one round's scan did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DoubleVotePass {
    /// The last consumer height whose evidence is fully handled.
    pub scanned_height: u64,
    /// The double votes forwarded.
    pub forwarded: Vec<ForwardedDoubleVote>,
    /// Evidence skipped: already punished, tombstoned, or refused for good.
    pub skipped: u64,
}

/// The consumer heights a round scans after `scanned`, up to `latest`, at most `max`.
pub fn scan_range(scanned: u64, latest: u64, max: u64) -> Range<u64> {
    let start = scanned.saturating_add(1);
    let end = latest.min(scanned.saturating_add(max)).saturating_add(1);
    start..end.max(start)
}

/// A binary search for the first height of `[lo, hi)` where a monotone property holds (`hi`
/// when it holds nowhere below): [`FirstTrue::probe`] names the height to test,
/// [`FirstTrue::answer`] takes the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstTrue {
    lo: u64,
    hi: u64,
}

impl FirstTrue {
    /// A search over `[lo, hi)`.
    pub fn new(lo: u64, hi: u64) -> Self {
        Self { lo, hi }
    }

    /// The height to test next; `None` once found.
    pub fn probe(&self) -> Option<u64> {
        (self.lo < self.hi).then(|| self.lo + (self.hi - self.lo) / 2)
    }

    /// Whether the property holds at `height` (the last probe).
    pub fn answer(&mut self, height: u64, holds: bool) {
        if holds {
            self.hi = height;
        } else {
            self.lo = height.saturating_add(1);
        }
    }

    /// The first height where the property holds (meaningful once [`FirstTrue::probe`] is
    /// `None`).
    pub fn found(&self) -> u64 {
        self.lo
    }
}

/// Where a relayer that has scanned nothing yet starts: the first block the consumer node keeps
/// whose time is within the consumer's unbonding period of now. An older block's evidence is
/// about votes older still, which the provider refuses as expired (`restaking/13`), so a
/// restarted relayer does not rescan a long chain from its first block.
async fn first_unexpired_height(r: &Relayer, view: &View) -> anyhow::Result<u64> {
    let status = r
        .consumer
        .rpc()
        .status()
        .await
        .map_err(|e| r.consumer.rpc_error("/status", e))?;
    let earliest = status.sync_info.earliest_block_height.value().max(1);
    let window = Duration::from_secs(view.unbonding_period_seconds);
    let Some(cutoff) = wall_clock()?.checked_sub(window) else {
        return Ok(earliest);
    };
    let mut search = FirstTrue::new(earliest, view.consumer_height.saturating_add(1));
    while let Some(height) = search.probe() {
        let at = Height::try_from(height).context("consumer height")?;
        let header = r
            .consumer
            .rpc()
            .header(at)
            .await
            .map_err(|e| r.consumer.rpc_error(&format!("/header at {height}"), e))?
            .header;
        search.answer(height, header.time >= cutoff);
    }
    Ok(search.found())
}

/// The two conflicting votes of each `DuplicateVoteEvidence` in a block's evidence list, in
/// order (light-client attack evidence is not a consumer double vote and is left out).
pub fn duplicate_votes(evidence: &List) -> Vec<(Vote, Vote)> {
    evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::DuplicateVote(d) => Some((d.vote_a.clone(), d.vote_b.clone())),
            Evidence::LightClientAttack(_) => None,
        })
        .collect()
}

/// What the provider's refusal of evidence means for the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Already punished or tombstoned: nothing left to do.
    Done,
    /// Refused for good (invalid, expired, outside the consumer's lifetime…): skipped.
    Invalid,
    /// Throttled by the provider's slash meter: the block is scanned again in a later round.
    Throttled,
    /// A failure that may pass (a node down, a timeout, a fee): the round fails.
    Failed,
}

/// Classifies a failed submission by its chain code (`None`: no chain refusal, e.g. a node
/// down).
pub fn refusal(codespace: Option<(&str, u32)>) -> Refusal {
    let done = [
        RestakingCode::DuplicateEvidence as u32,
        RestakingCode::ValidatorTombstoned as u32,
    ];
    match codespace {
        Some((space, code)) if space == rampart_restaking::CODESPACE && done.contains(&code) => {
            Refusal::Done
        }
        Some((space, code))
            if space == rampart_consumer::CODESPACE && code == ConsumerCode::Throttled as u32 =>
        {
            Refusal::Throttled
        }
        Some((space, _))
            if space == rampart_restaking::CODESPACE || space == rampart_consumer::CODESPACE =>
        {
            Refusal::Invalid
        }
        _ => Refusal::Failed,
    }
}

/// Scans the consumer blocks after `scanned` (up to the view's consumer height, at most
/// [`MAX_BLOCKS_PER_ROUND`]) and forwards their double votes. `Err` (nothing recorded as
/// scanned) on a failure that may pass; the blocks are scanned again next round, and evidence
/// forwarded meanwhile is then skipped as punished.
pub async fn forward_double_votes(
    r: &Relayer,
    view: &View,
    scanned: u64,
) -> anyhow::Result<DoubleVotePass> {
    let scanned = if scanned == 0 {
        first_unexpired_height(r, view).await?.saturating_sub(1)
    } else {
        scanned
    };
    let mut pass = DoubleVotePass {
        scanned_height: scanned,
        ..DoubleVotePass::default()
    };
    for height in scan_range(scanned, view.consumer_height, MAX_BLOCKS_PER_ROUND) {
        let at = Height::try_from(height).context("consumer height")?;
        let block = r
            .consumer
            .rpc()
            .block(at)
            .await
            .map_err(|e| r.consumer.rpc_error(&format!("/block at {height}"), e))?
            .block;
        for (vote_a, vote_b) in duplicate_votes(&block.evidence) {
            let vote_height = vote_a.height.value();
            let validator_address = vote_a.validator_address.to_string();
            let header = light::committed_header(&r.consumer, vote_height)
                .await
                .with_context(|| {
                    format!("the consumer's header at the votes' height {vote_height}")
                })?;
            let msg = double_vote_msg(
                &r.signer()?,
                r.consumer_id,
                vote_a.into(),
                vote_b.into(),
                header.raw_header(),
                header.raw_validators(),
            );
            match r.provider.send(&r.key, vec![msg], r.tx_timeout).await {
                Ok(tx) => {
                    tracing::info!(
                        evidence_height = height,
                        vote_height,
                        validator_address,
                        tx = tx.hash,
                        "forwarded double vote"
                    );
                    pass.forwarded.push(ForwardedDoubleVote {
                        evidence_height: height,
                        vote_height,
                        validator_address,
                        tx,
                    });
                }
                Err(e) => {
                    let code = chain_error(&e).map(|c| (c.codespace.as_str(), c.code));
                    match refusal(code) {
                        Refusal::Done => {
                            tracing::info!(
                                vote_height,
                                validator_address,
                                "double vote already punished: {e:#}"
                            );
                            pass.skipped += 1;
                        }
                        Refusal::Invalid => {
                            tracing::warn!(
                                vote_height,
                                validator_address,
                                "the provider refuses the double vote, skipped: {e:#}"
                            );
                            pass.skipped += 1;
                        }
                        Refusal::Throttled => {
                            tracing::info!(vote_height, "double vote throttled: {e:#}");
                            return Ok(pass);
                        }
                        Refusal::Failed => {
                            return Err(e.context(format!(
                                "forwarding the double vote at consumer height {vote_height}"
                            )))
                        }
                    }
                }
            }
        }
        pass.scanned_height = height;
    }
    Ok(pass)
}

#[cfg(test)]
mod tests {
    use tendermint::evidence::DuplicateVoteEvidence;
    use tendermint::vote::Power;

    use super::*;
    use crate::debug::tests::PV_KEY;
    use crate::debug::{conflicting_votes, VoteSpec};
    use crate::validator_key::ValidatorKey;

    #[test]
    fn the_scan_resumes_after_the_last_height_and_is_bounded() {
        assert_eq!(scan_range(0, 10, 50), 1..11);
        assert_eq!(scan_range(10, 200, 50), 11..61);
        assert_eq!(scan_range(10, 10, 50), 11..11);
        assert!(scan_range(12, 10, 50).is_empty());
        assert!(scan_range(u64::MAX, u64::MAX, 50).is_empty());
    }

    /// Runs a search over `[lo, hi)` for the first height at or above `threshold`; returns it
    /// and the number of probes.
    fn search(lo: u64, hi: u64, threshold: u64) -> (u64, u32) {
        let mut s = FirstTrue::new(lo, hi);
        let mut probes = 0;
        while let Some(height) = s.probe() {
            assert!(
                (lo..hi).contains(&height),
                "{height} probed outside [{lo}, {hi})"
            );
            s.answer(height, height >= threshold);
            probes += 1;
        }
        (s.found(), probes)
    }

    #[test]
    fn the_first_unexpired_block_is_found_by_bisection() {
        assert_eq!(search(1, 101, 37).0, 37);
        assert_eq!(search(1, 101, 1).0, 1);
        // Every block expired: the scan starts after the latest.
        assert_eq!(search(1, 101, 500).0, 101);
        assert_eq!(search(5, 5, 1), (5, 0));
        let (found, probes) = search(1, 1_000_001, 765_432);
        assert_eq!(found, 765_432);
        assert!(probes <= 20, "{probes} probes");
    }

    #[test]
    fn duplicate_votes_are_taken_from_a_blocks_evidence() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let key_file = dir.path().join("key.json");
        std::fs::write(&key_file, PV_KEY)?;
        let key = ValidatorKey::read(&key_file)?;
        let spec = |height| VoteSpec {
            chain_id: "consumer-1".parse().expect("chain id"),
            height,
            validator_index: 0,
            timestamp: tendermint::Time::from_unix_timestamp(1_800_000_000, 0).expect("time"),
        };
        let evidence = |height| -> anyhow::Result<Evidence> {
            let (vote_a, vote_b) = conflicting_votes(&key, &spec(height))?;
            Ok(Evidence::DuplicateVote(Box::new(DuplicateVoteEvidence {
                vote_a,
                vote_b,
                total_voting_power: Power::from(10u32),
                validator_power: Power::from(5u32),
                timestamp: spec(height).timestamp,
            })))
        };
        assert!(duplicate_votes(&List::new(vec![])).is_empty());
        let votes = duplicate_votes(&List::new(vec![evidence(7)?, evidence(9)?]));
        let heights: Vec<_> = votes
            .iter()
            .map(|(a, b)| (a.height.value(), b.height.value()))
            .collect();
        assert_eq!(heights, vec![(7, 7), (9, 9)]);
        for (a, b) in &votes {
            assert_ne!(a.block_id, b.block_id);
            assert_eq!(a.validator_address, key.address());
        }
        Ok(())
    }

    #[test]
    fn refusals_are_final_only_for_the_evidence_codespaces() {
        let restaking = rampart_restaking::CODESPACE;
        let consumer = rampart_consumer::CODESPACE;
        assert_eq!(refusal(Some((restaking, 14))), Refusal::Done);
        assert_eq!(refusal(Some((restaking, 16))), Refusal::Done);
        assert_eq!(refusal(Some((restaking, 13))), Refusal::Invalid);
        assert_eq!(refusal(Some((consumer, 17))), Refusal::Invalid);
        assert_eq!(refusal(Some((consumer, 22))), Refusal::Throttled);
        assert_eq!(refusal(Some(("sdk", 11))), Refusal::Failed);
        assert_eq!(refusal(None), Refusal::Failed);
    }
}
