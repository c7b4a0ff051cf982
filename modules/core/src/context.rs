//! What a module knows about the block being executed, in plain deterministic types (taken from
//! CometBFT's `FinalizeBlock` request, never from the local clock) and what chain it runs on.

use crate::profile::ChainProfile;

/// A point in block time: seconds and nanoseconds since the Unix epoch, as CometBFT reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockTime {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    pub seconds: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub nanos: u32,
}

impl BlockTime {
    /// Nanoseconds since the epoch, for duration arithmetic.
    pub fn unix_nanos(&self) -> i128 {
        i128::from(self.seconds) * 1_000_000_000 + i128::from(self.nanos)
    }
}

pub use crate::address::ConsensusAddress;

/// One validator's participation in the previous block's commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteInfo {
    /// The validator's consensus address.
    pub address: ConsensusAddress,
    /// Its voting power at that height.
    pub power: u64,
    /// Whether its precommit was included in the commit.
    pub signed: bool,
}

/// Kinds of misbehaviour that CometBFT reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MisbehaviorKind {
    /// Two conflicting votes at the same height and round.
    DuplicateVote,
    /// A light-client attack.
    LightClientAttack,
}

/// Evidence of misbehaviour committed in the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misbehavior {
    /// What happened.
    pub kind: MisbehaviorKind,
    /// The offender's consensus address.
    pub address: ConsensusAddress,
    /// Its power at the infraction height.
    pub power: u64,
    /// The infraction height.
    pub height: u64,
    /// The infraction's block time.
    pub time: BlockTime,
    /// Total voting power at the infraction height.
    pub total_voting_power: u64,
}

/// The block being executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockContext {
    /// The chain id from genesis.
    pub chain_id: String,
    /// The chain's vocabulary (address prefixes, bond denom, power reduction), chosen by the
    /// app's composition.
    pub profile: ChainProfile,
    /// This block's height.
    pub height: u64,
    /// This block's time (from the proposer, checked by CometBFT).
    pub time: BlockTime,
    /// The proposer's consensus address.
    pub proposer: ConsensusAddress,
    /// Participation in the previous block's commit.
    pub last_commit: Vec<VoteInfo>,
    /// Misbehaviour committed in this block.
    pub misbehavior: Vec<Misbehavior>,
    /// This block's header hash (zeros when CometBFT sent none: CheckTx, genesis, tests).
    pub hash: [u8; 32],
    /// This block's header `next_validators_hash`: the hash of the validator set that signs the
    /// next height, i.e. the set after the updates the app returned at the end of the previous
    /// height (CometBFT applies updates returned at height h from height h + 2). Zeros when
    /// CometBFT sent none.
    pub next_validators_hash: [u8; 32],
}

impl BlockContext {
    /// A block known only by its chain, height and time: no proposer, commit, misbehaviour or
    /// header hashes. The context of work that runs outside a FinalizeBlock — genesis
    /// transactions, CheckTx, simulation — and of tests.
    pub fn bare(chain_id: String, profile: ChainProfile, height: u64, time: BlockTime) -> Self {
        Self {
            chain_id,
            profile,
            height,
            time,
            proposer: [0; 20],
            last_commit: Vec::new(),
            misbehavior: Vec::new(),
            hash: [0; 32],
            next_validators_hash: [0; 32],
        }
    }
}

/// A consensus key and power for CometBFT; power 0 removes the validator.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ValidatorUpdate {
    /// The ed25519 consensus public key.
    pub ed25519_pubkey: [u8; 32],
    /// The new voting power.
    pub power: u64,
}

/// What genesis initialisation knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenesisContext {
    /// The chain id.
    pub chain_id: String,
    /// The chain's vocabulary, chosen by the app's composition.
    pub profile: ChainProfile,
    /// The first block height.
    pub initial_height: u64,
    /// Genesis time.
    pub genesis_time: BlockTime,
    /// Validators from CometBFT's genesis file (modules may replace them).
    pub validators: Vec<ValidatorUpdate>,
}

impl GenesisContext {
    /// The block genesis runs in, as a [`BlockContext`]: the chain id and profile, the initial
    /// height and the genesis time, with no proposer, commit, misbehaviour or header hashes (the
    /// context of the genesis transactions and of the validator set computed at `InitChain`).
    pub fn block(&self) -> BlockContext {
        BlockContext::bare(
            self.chain_id.clone(),
            self.profile,
            self.initial_height,
            self.genesis_time,
        )
    }
}

/// How a transaction is being executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecMode {
    /// Mempool admission (`CheckTx`) on the check state.
    Check,
    /// Gas estimation on a throwaway overlay.
    Simulate,
    /// Block execution (`FinalizeBlock`).
    Deliver,
    /// A genesis transaction (gentx) delivered during `InitChain`: signatures are checked with
    /// account number 0, as the Cosmos SDK does at genesis.
    Genesis,
}

/// What a message handler knows about the transaction it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsgContext<'a> {
    /// The enclosing block (for `Check`, the next block as far as known).
    pub block: &'a BlockContext,
    /// sha256 of the transaction bytes.
    pub tx_hash: [u8; 32],
    /// Position of the message in the transaction.
    pub msg_index: u32,
    /// Execution mode.
    pub mode: ExecMode,
}
