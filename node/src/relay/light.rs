//! Light blocks of the provider and the path of client updates from the consumer's trusted
//! height to a target header. Each hop is checked here first with the verifier the consumer runs
//! (`ProdVerifier`, trust 1/3, the client's trusting period and clock drift; the wall clock as
//! "now"); when the trusted validators signed too little of the target (`ccv/10`, "not enough
//! trust"), the [`Bisection`] verifies an intermediate height first, as CometBFT's light client
//! does. The consumer verifies every hop again: these checks only plan the transaction.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use rampart_ccv::header::{validator_set, verdict_error};
use rampart_ccv::{CcvCode, CODESPACE};
use tendermint::block::signed_header::SignedHeader;
use tendermint::block::Height;
use tendermint::validator::Set;
use tendermint_light_client_verifier::options::Options;
use tendermint_light_client_verifier::types::{
    TrustThreshold, TrustedBlockState, UntrustedBlockState,
};
use tendermint_light_client_verifier::{ProdVerifier, Verifier};
use tendermint_rpc::{Client, Paging};

use super::Chain;

/// The most hops one round plans (each halves the distance still untrusted).
pub const MAX_HOPS: usize = 32;

/// A header with its commit and the validator sets that sign it and the next height.
#[derive(Debug, Clone, PartialEq)]
pub struct LightBlock {
    /// The header and its commit.
    pub signed_header: SignedHeader,
    /// The set that signed it.
    pub validators: Set,
    /// The set that signs the next height (its `next_validators_hash`).
    pub next_validators: Set,
}

impl LightBlock {
    /// The header's height.
    pub fn height(&self) -> u64 {
        self.signed_header.header.height.value()
    }
}

/// The header of `height` and the commit that signs it (`/commit`).
pub async fn signed_header(chain: &Chain, height: u64) -> anyhow::Result<SignedHeader> {
    let response = chain
        .rpc()
        .commit(rpc_height(height)?)
        .await
        .map_err(|e| chain.rpc_error(&format!("/commit at {height}"), e))?;
    let got = response.signed_header.header.height.value();
    if got != height {
        bail!(
            "{} answered /commit at {height} with the header of height {got}",
            chain.url()
        );
    }
    Ok(response.signed_header)
}

/// The validator set of `height` (`/validators`, every page), checked as the chains check one
/// from a relayer (`Set::try_from`, at most 10,000 validators).
pub async fn validators(chain: &Chain, height: u64) -> anyhow::Result<Set> {
    let response = chain
        .rpc()
        .validators(rpc_height(height)?, Paging::All)
        .await
        .map_err(|e| chain.rpc_error(&format!("/validators at {height}"), e))?;
    let raw = tendermint_proto::types::ValidatorSet {
        validators: response.validators.into_iter().map(Into::into).collect(),
        proposer: None,
        total_voting_power: 0,
    };
    validator_set(Some(&raw), "validators").map_err(|e| {
        anyhow!(
            "{} answered a bad validator set at {height}: {}",
            chain.url(),
            e.log
        )
    })
}

/// A header with its commit and the set that signed it: how the provider's messages carry a
/// consumer header (an acknowledgement's, a downtime record's, a double vote's).
#[derive(Debug, Clone, PartialEq)]
pub struct CommittedHeader {
    /// The header and its commit.
    pub signed_header: SignedHeader,
    /// The set that signed it.
    pub validators: Set,
}

impl CommittedHeader {
    /// The chain id the header names.
    pub fn chain_id(&self) -> &str {
        self.signed_header.header.chain_id.as_str()
    }

    /// The header in its wire form.
    pub fn raw_header(&self) -> tendermint_proto::types::SignedHeader {
        self.signed_header.clone().into()
    }

    /// The set in its wire form.
    pub fn raw_validators(&self) -> tendermint_proto::types::ValidatorSet {
        self.validators.clone().into()
    }
}

/// The header of `height` with its commit and the set that signed it.
pub async fn committed_header(chain: &Chain, height: u64) -> anyhow::Result<CommittedHeader> {
    Ok(CommittedHeader {
        signed_header: signed_header(chain, height).await?,
        validators: validators(chain, height).await?,
    })
}

/// The light block of `height`.
pub async fn light_block(chain: &Chain, height: u64) -> anyhow::Result<LightBlock> {
    let next = height
        .checked_add(1)
        .ok_or_else(|| anyhow!("height {height} has no next height"))?;
    Ok(LightBlock {
        signed_header: signed_header(chain, height).await?,
        validators: validators(chain, height).await?,
        next_validators: validators(chain, next).await?,
    })
}

fn rpc_height(height: u64) -> anyhow::Result<Height> {
    Height::try_from(height).map_err(|e| anyhow!("height {height}: {e}"))
}

/// The verifier options of the consumer's client (trust 1/3).
pub fn options(trusting_period_seconds: u64, max_clock_drift_seconds: u64) -> Options {
    Options {
        trust_threshold: TrustThreshold::ONE_THIRD,
        trusting_period: Duration::from_secs(trusting_period_seconds),
        clock_drift: Duration::from_secs(max_clock_drift_seconds),
    }
}

/// What the light-client check says of one hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hop {
    /// The untrusted header verifies against the trusted one.
    Verified,
    /// Too little of the trusted set signed it (`ccv/10`): bisect.
    NotEnoughTrust,
}

/// Checks `untrusted` against `trusted` as the consumer would at `now`. `Err` for every verdict
/// bisecting cannot cure (a bad signature, an expired trusted header, a header from the future…).
pub fn check_hop(
    trusted: &LightBlock,
    untrusted: &LightBlock,
    options: &Options,
    now: tendermint::Time,
) -> anyhow::Result<Hop> {
    let header = &trusted.signed_header.header;
    let trusted_state = TrustedBlockState {
        chain_id: &header.chain_id,
        header_time: header.time,
        height: header.height,
        next_validators: &trusted.next_validators,
        next_validators_hash: header.next_validators_hash,
    };
    let untrusted_state = UntrustedBlockState {
        signed_header: &untrusted.signed_header,
        validators: &untrusted.validators,
        next_validators: None,
    };
    let verdict =
        ProdVerifier::default().verify_update_header(untrusted_state, trusted_state, options, now);
    match verdict_error(verdict) {
        None => Ok(Hop::Verified),
        Some(e) if e.codespace == CODESPACE && e.code == CcvCode::InsufficientTrust as u32 => {
            Ok(Hop::NotEnoughTrust)
        }
        Some(e) => Err(anyhow!(
            "provider header {} does not verify from trusted height {}: code {}/{}: {}",
            untrusted.height(),
            trusted.height(),
            e.codespace,
            e.code,
            e.log
        )),
    }
}

/// The bisection of CometBFT's skipping light client: try the target from the trusted height;
/// on "not enough trust" try the middle first; each verified height becomes the trusted one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bisection {
    trusted: u64,
    /// Heights still to verify; the last is tried next.
    targets: Vec<u64>,
    /// Verified heights, in order.
    hops: Vec<u64>,
}

impl Bisection {
    /// A bisection from `trusted` to `target` (above it).
    pub fn new(trusted: u64, target: u64) -> Self {
        Self {
            trusted,
            targets: vec![target],
            hops: vec![],
        }
    }

    /// The height the next candidate is checked against.
    pub fn trusted(&self) -> u64 {
        self.trusted
    }

    /// The height to check next; `None` once the target is verified.
    pub fn candidate(&self) -> Option<u64> {
        self.targets.last().copied()
    }

    /// The candidate verified: it becomes the trusted height.
    pub fn verified(&mut self) {
        if let Some(height) = self.targets.pop() {
            self.trusted = height;
            self.hops.push(height);
        }
    }

    /// The candidate needs more trust: the middle between the trusted height and it is tried
    /// first. `Err` when the candidate is the very next height (nothing lies between) or the
    /// path would exceed [`MAX_HOPS`].
    pub fn not_enough_trust(&mut self) -> anyhow::Result<()> {
        let Some(candidate) = self.candidate() else {
            bail!("nothing to bisect: the target is verified");
        };
        let middle = self.trusted + (candidate.saturating_sub(self.trusted)) / 2;
        if middle <= self.trusted {
            bail!(
                "provider header {candidate} lacks trust from the adjacent height {}: no height \
                 lies between to bisect",
                self.trusted
            );
        }
        if self.targets.len() + self.hops.len() >= MAX_HOPS {
            bail!(
                "bisecting from {} to {candidate} needs more than {MAX_HOPS} hops",
                self.trusted
            );
        }
        self.targets.push(middle);
        Ok(())
    }

    /// The verified heights, in the order the client must be updated.
    pub fn hops(&self) -> &[u64] {
        &self.hops
    }
}

/// One `MsgUpdateProviderClient`: a header verified from `trusted_height`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientUpdate {
    /// The trusted height it verifies from.
    pub trusted_height: u64,
    /// The set that signs `trusted_height + 1`.
    pub trusted_next_validators: Set,
    /// The new header and its signers.
    pub block: LightBlock,
}

/// The updates that take the consumer's client from `trusted` to the provider header `target`,
/// bisecting where the light-client check asks for it.
pub async fn plan_updates(
    provider: &Chain,
    trusted: u64,
    target: u64,
    options: &Options,
    now: tendermint::Time,
) -> anyhow::Result<Vec<ClientUpdate>> {
    let mut blocks = BTreeMap::new();
    let mut plan = Bisection::new(trusted, target);
    while let Some(candidate) = plan.candidate() {
        for height in [plan.trusted(), candidate] {
            if let Entry::Vacant(slot) = blocks.entry(height) {
                slot.insert(light_block(provider, height).await?);
            }
        }
        let (Some(from), Some(to)) = (blocks.get(&plan.trusted()), blocks.get(&candidate)) else {
            bail!(
                "light blocks {} and {candidate} were not fetched",
                plan.trusted()
            );
        };
        match check_hop(from, to, options, now)? {
            Hop::Verified => plan.verified(),
            Hop::NotEnoughTrust => plan
                .not_enough_trust()
                .context("cannot update the provider client")?,
        }
    }
    let mut updates = vec![];
    let mut from = trusted;
    for &hop in plan.hops() {
        let (Some(trusted_block), Some(block)) = (blocks.get(&from), blocks.get(&hop)) else {
            bail!("light blocks {from} and {hop} were not fetched");
        };
        updates.push(ClientUpdate {
            trusted_height: from,
            trusted_next_validators: trusted_block.next_validators.clone(),
            block: block.clone(),
        });
        from = hop;
    }
    Ok(updates)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a bisection from 10 to 100 where `trusts(from, to)` says whether a hop verifies.
    fn path(trusts: impl Fn(u64, u64) -> bool) -> anyhow::Result<Vec<u64>> {
        let mut plan = Bisection::new(10, 100);
        while let Some(candidate) = plan.candidate() {
            if trusts(plan.trusted(), candidate) {
                plan.verified();
            } else {
                plan.not_enough_trust()?;
            }
        }
        Ok(plan.hops().to_vec())
    }

    #[test]
    fn bisection_goes_straight_to_the_target_when_trusted() {
        assert_eq!(path(|_, _| true).expect("path"), vec![100]);
    }

    #[test]
    fn bisection_verifies_the_middle_first_and_resumes_from_it() {
        // Trust reaches at most 45 heights ahead.
        assert_eq!(
            path(|from, to| to - from <= 45).expect("path"),
            vec![55, 100]
        );
        // At most 20 ahead: 10 → 32 is too far (22), so 21, then 43 is too far (22) → 32, …
        let hops = path(|from, to| to - from <= 20).expect("path");
        assert_eq!(hops.last(), Some(&100));
        let mut from = 10;
        for hop in &hops {
            assert!(hop - from <= 20 && *hop > from, "{hops:?}");
            from = *hop;
        }
    }

    #[test]
    fn bisection_stops_at_adjacent_heights_and_at_the_hop_limit() {
        // Nothing ever verifies: the bisection narrows down to 10 → 11 and gives up.
        let e = path(|_, _| false).expect_err("adjacent");
        assert!(e.to_string().contains("adjacent height 10"), "{e}");
        // Only one height ahead ever verifies: 90 hops would be needed.
        let e = path(|from, to| to - from <= 1).expect_err("too long");
        assert!(e.to_string().contains("more than 32 hops"), "{e}");
    }
}
