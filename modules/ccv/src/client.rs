//! The light client of the provider as state: the client record, the trusted consensus states by
//! height, and their expiry queue (pruned in begin block, touching only what is due).

use rampart_core::context::BlockTime;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{add_seconds, block_time, timestamp};
use rampart_core::{StateRead, StateReadExt, StateWrite, StateWriteExt};
use rampart_proto::rampart::ccv::v1 as pb;

use crate::errors::{err, CcvCode};
use crate::keys;

/// The light client of the provider (`rampart.ccv.v1.ProviderClient`).
pub type ProviderClient = pb::ProviderClient;
/// What the consumer trusts about one verified provider header (`rampart.ccv.v1.ConsensusState`).
pub type ConsensusState = pb::ConsensusState;

/// The default maximum clock drift between a provider header and the consumer's block time.
pub const DEFAULT_MAX_CLOCK_DRIFT_SECONDS: u64 = 10;

/// At most this many consensus states are pruned per block; the rest wait for the next block.
pub const MAX_PRUNE_PER_BLOCK: usize = 100;

/// The trusting period for a consumer unbonding period, as Interchain Security computes it
/// (`CalculateTrustPeriod(unbonding, "0.66")`, here exactly 2/3, rounded down).
pub fn trusting_period_seconds(unbonding_period_seconds: u64) -> u64 {
    // u128 cannot overflow: u64::MAX × 2 < u128::MAX; the quotient fits u64 again.
    u64::try_from(u128::from(unbonding_period_seconds) * 2 / 3).unwrap_or(u64::MAX)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("corrupt ccv state ({what}): {e}"))
}

/// The client, if the consumer genesis initialised one.
pub fn load_client(state: &dyn StateRead) -> AppResult<Option<ProviderClient>> {
    state
        .get_proto(keys::CLIENT)
        .map_err(|e| corrupt("client", e))
}

/// The client, or `ccv/2` when there is none.
pub fn client(state: &dyn StateRead) -> AppResult<ProviderClient> {
    load_client(state)?.ok_or_else(|| {
        err(
            CcvCode::ClientNotFound,
            "the light client of the provider is not initialised",
        )
    })
}

/// Writes the client record.
pub fn save_client(state: &mut dyn StateWrite, client: &ProviderClient) {
    state.put_proto(keys::CLIENT.to_vec(), client);
}

/// The trusted consensus state at provider `height`, if stored.
pub fn consensus_state(state: &dyn StateRead, height: u64) -> AppResult<Option<ConsensusState>> {
    state
        .get_proto(&keys::consensus_state(height))
        .map_err(|e| corrupt("consensus state", e))
}

/// The trusted consensus state at provider `height`, or `ccv/6`.
pub fn require_consensus_state(state: &dyn StateRead, height: u64) -> AppResult<ConsensusState> {
    consensus_state(state, height)?.ok_or_else(|| {
        err(
            CcvCode::ConsensusStateNotFound,
            format!("no trusted provider consensus state at height {height}"),
        )
    })
}

/// The stored consensus state with the smallest height above `height`, if any.
pub fn next_consensus_state(
    state: &dyn StateRead,
    height: u64,
) -> AppResult<Option<ConsensusState>> {
    let Some(above) = height.checked_add(1) else {
        return Ok(None);
    };
    let start = keys::consensus_state(above);
    let first = state.scan_from(keys::CONSENSUS_PREFIX, Some(&start)).next();
    first
        .map(|(_, bytes)| {
            <ConsensusState as prost::Message>::decode(bytes.as_slice())
                .map_err(|e| corrupt("consensus state", e))
        })
        .transpose()
}

/// The stored consensus state with the largest height below `height`, searched upwards from
/// `from` (a trusted height below `height`): the states between the trusted header and a new
/// one, which relayers normally leave empty by trusting the latest. Each step is a metered
/// iteration, so a far-back trusted height costs its submitter gas, not the chain.
pub fn previous_consensus_state(
    state: &dyn StateRead,
    from: u64,
    height: u64,
) -> AppResult<Option<ConsensusState>> {
    let start = keys::consensus_state(from);
    let mut previous = None;
    for (key, bytes) in state.scan_from(keys::CONSENSUS_PREFIX, Some(&start)) {
        if keys::height_suffix(&key).is_none_or(|h| h >= height) {
            break;
        }
        previous = Some(bytes);
    }
    previous
        .map(|bytes| {
            <ConsensusState as prost::Message>::decode(bytes.as_slice())
                .map_err(|e| corrupt("consensus state", e))
        })
        .transpose()
}

/// Every stored consensus state, by height (genesis export, invariants).
pub fn all_consensus_states(state: &dyn StateRead) -> AppResult<Vec<ConsensusState>> {
    state
        .scan_prefix(keys::CONSENSUS_PREFIX)
        .map(|(_, bytes)| {
            <ConsensusState as prost::Message>::decode(bytes.as_slice())
                .map_err(|e| corrupt("consensus state", e))
        })
        .collect()
}

/// The time of a consensus state.
pub fn header_time(cs: &ConsensusState) -> AppResult<BlockTime> {
    let time = cs
        .time
        .as_ref()
        .ok_or_else(|| corrupt("consensus state", "no time"))?;
    block_time(time)
}

/// When a consensus state stops being trusted: its time plus the trusting period.
pub fn expiry(client: &ProviderClient, cs: &ConsensusState) -> AppResult<BlockTime> {
    add_seconds(header_time(cs)?, client.trusting_period_seconds)
}

/// Whether the consensus state has expired at `now` (the verifier's rule: trusted while
/// `time + trusting period > now`).
pub fn is_expired(client: &ProviderClient, cs: &ConsensusState, now: BlockTime) -> AppResult<bool> {
    Ok(expiry(client, cs)? <= now)
}

/// Stores a trusted consensus state and queues it for pruning at its expiry.
pub fn store_consensus_state(
    state: &mut dyn StateWrite,
    client: &ProviderClient,
    cs: &ConsensusState,
) -> AppResult<()> {
    let expires = expiry(client, cs)?;
    state.put_proto(keys::consensus_state(cs.height), cs);
    state.put(keys::expiry(expires, cs.height), Vec::new());
    Ok(())
}

/// Builds a consensus state from a header's fields.
pub fn new_consensus_state(
    height: u64,
    time: BlockTime,
    app_hash: Vec<u8>,
    next_validators_hash: Vec<u8>,
    header_hash: Vec<u8>,
) -> ConsensusState {
    ConsensusState {
        height,
        time: Some(timestamp(time)),
        app_hash,
        next_validators_hash,
        header_hash,
    }
}

/// Removes the consensus states that have expired at `now`, in expiry order, at most
/// [`MAX_PRUNE_PER_BLOCK`]; reads only due queue entries (and the first one not due). The state at
/// the client's latest height is kept (it records when the client expired, and is the only
/// anchor an operator could recover from); only its queue entry goes. Returns how many queue
/// entries were processed.
pub fn prune_expired(state: &mut dyn StateWrite, now: BlockTime) -> AppResult<usize> {
    let Some(client) = load_client(state)? else {
        return Ok(0);
    };
    let bound = keys::expiry_upto(now);
    let due: Vec<Vec<u8>> = state
        .scan_prefix(keys::EXPIRY_PREFIX)
        .map(|(key, _)| key)
        // Entries expiring exactly at `now` have expired too (expiry <= now); their keys extend
        // `bound` with the height, so compare the time part only.
        .take_while(|key| {
            key.get(..bound.len())
                .is_some_and(|t| t <= bound.as_slice())
        })
        .take(MAX_PRUNE_PER_BLOCK)
        .collect();
    for key in &due {
        let height =
            keys::height_suffix(key).ok_or_else(|| corrupt("expiry queue", "short key"))?;
        if height != client.latest_height {
            state.delete(keys::consensus_state(height));
        }
        state.delete(key.clone());
    }
    Ok(due.len())
}

/// The client's invariants: a client has a consensus state at its latest height, every stored
/// state but the latest is queued exactly once at its expiry, and every queue entry names a stored
/// state. `Ok(Some(why))` describes the first violation. Scans everything: audits only.
pub fn check_invariants(state: &dyn StateRead) -> AppResult<Option<String>> {
    let Some(c) = load_client(state)? else {
        return Ok(None);
    };
    if consensus_state(state, c.latest_height)?.is_none() {
        return Ok(Some(format!(
            "ccv: no consensus state at the client's latest height {}",
            c.latest_height
        )));
    }
    let mut queued = std::collections::BTreeSet::new();
    for (key, _) in state.scan_prefix(keys::EXPIRY_PREFIX) {
        let height = keys::height_suffix(&key).unwrap_or(0);
        let Some(cs) = consensus_state(state, height)? else {
            return Ok(Some(format!(
                "ccv: expiry entry for missing height {height}"
            )));
        };
        if key != keys::expiry(expiry(&c, &cs)?, height) || !queued.insert(height) {
            return Ok(Some(format!("ccv: wrong expiry entry for height {height}")));
        }
    }
    for cs in all_consensus_states(state)? {
        if cs.height != c.latest_height && !queued.contains(&cs.height) {
            return Ok(Some(format!("ccv: height {} is never pruned", cs.height)));
        }
    }
    Ok(None)
}
