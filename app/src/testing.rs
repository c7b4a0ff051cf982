//! An in-process consensus driver for tests and benchmarks: it sends the ABCI requests CometBFT
//! would send (InitChain, FinalizeBlock, Commit, CheckTx, Query) straight to an [`App`], with
//! deterministic block times. Enabled by the `testing` feature; never used by `rampartd`.

use bytes::Bytes;
use rampart_core::AppResult;
use rampart_store::Storage;
use tendermint::abci::{request, response, types::CommitInfo};
use tendermint::{account, block, Hash, Time};

use crate::app::{App, AppConfig};

/// Genesis time of every driven chain: 2026-01-01T00:00:00Z.
pub const GENESIS_UNIX: i64 = 1_767_225_600;

/// Drives an [`App`] block by block, like CometBFT with a single honest validator.
pub struct MockConsensus {
    /// The application under test.
    pub app: App,
    /// The last committed height (0 before the first block).
    pub height: u64,
    chain_id: String,
}

impl MockConsensus {
    /// Runs InitChain on a fresh store; returns the driver and the genesis app hash.
    pub fn init(
        storage: Storage,
        chain_id: &str,
        initial_height: u64,
        app_state: &serde_json::Value,
    ) -> AppResult<(Self, Vec<u8>)> {
        let mut app = App::new(storage, AppConfig::default());
        let response = app.init_chain(init_chain_request(chain_id, initial_height, app_state))?;
        let driver = Self {
            app,
            height: initial_height.saturating_sub(1),
            chain_id: chain_id.to_owned(),
        };
        Ok((driver, response.app_hash.as_bytes().to_vec()))
    }

    /// Re-attaches to a store that already holds committed blocks (a restarted node).
    pub fn resume(storage: Storage, chain_id: &str) -> Self {
        let app = App::new(storage, AppConfig::default());
        let height = app.info().last_block_height.value();
        Self {
            app,
            height,
            chain_id: chain_id.to_owned(),
        }
    }

    /// The chain id.
    pub fn chain_id(&self) -> &str {
        &self.chain_id
    }

    /// Block time of `height`: genesis plus one second per block.
    pub fn time_of(height: u64) -> Time {
        let seconds = GENESIS_UNIX.saturating_add(i64::try_from(height).unwrap_or(i64::MAX));
        // Years around 2026 are always representable.
        Time::from_unix_timestamp(seconds, 0).unwrap_or_else(|_| Time::unix_epoch())
    }

    /// Finalizes the next block with `txs` without committing it.
    pub fn finalize(&mut self, txs: Vec<Vec<u8>>) -> response::FinalizeBlock {
        let height = self.height.saturating_add(1);
        self.app.finalize_block(request::FinalizeBlock {
            txs: txs.into_iter().map(Bytes::from).collect(),
            decided_last_commit: CommitInfo {
                round: block::Round::default(),
                votes: Vec::new(),
            },
            misbehavior: Vec::new(),
            hash: Hash::None,
            height: block::Height::try_from(height).unwrap_or_default(),
            time: Self::time_of(height),
            next_validators_hash: Hash::None,
            proposer_address: account::Id::new([0; 20]),
        })
    }

    /// Finalizes and commits the next block with `txs`.
    pub fn block(&mut self, txs: Vec<Vec<u8>>) -> response::FinalizeBlock {
        let response = self.finalize(txs);
        self.app.commit();
        self.height = self.height.saturating_add(1);
        response
    }

    /// Runs CheckTx on `tx` (a new transaction, not a recheck).
    pub fn check_tx(&mut self, tx: &[u8]) -> response::CheckTx {
        self.app.check_tx(request::CheckTx {
            tx: Bytes::copy_from_slice(tx),
            kind: request::CheckTxKind::New,
        })
    }

    /// Runs an ABCI query at `height` (0 = latest).
    pub fn query(&self, path: &str, data: &[u8], height: u64, prove: bool) -> response::Query {
        self.app.query(request::Query {
            data: Bytes::copy_from_slice(data),
            path: path.to_owned(),
            height: block::Height::try_from(height).unwrap_or_default(),
            prove,
        })
    }
}

/// The InitChain request CometBFT sends for a genesis with `app_state`.
pub fn init_chain_request(
    chain_id: &str,
    initial_height: u64,
    app_state: &serde_json::Value,
) -> request::InitChain {
    request::InitChain {
        time: MockConsensus::time_of(0),
        chain_id: chain_id.to_owned(),
        consensus_params: default_consensus_params(),
        validators: Vec::new(),
        app_state_bytes: serde_json::to_vec(app_state).unwrap_or_default().into(),
        initial_height: block::Height::try_from(initial_height).unwrap_or_default(),
    }
}

/// CometBFT v0.38's default consensus parameters.
pub fn default_consensus_params() -> tendermint::consensus::Params {
    let json = serde_json::json!({
        "block": {"max_bytes": "22020096", "max_gas": "-1"},
        "evidence": {"max_age_num_blocks": "100000", "max_age_duration": "172800000000000", "max_bytes": "1048576"},
        "validator": {"pub_key_types": ["ed25519"]},
        "version": {"app": "0"},
        "abci": {"vote_extensions_enable_height": "0"}
    });
    // A literal that matches CometBFT's own JSON encoding of its defaults.
    serde_json::from_value(json).expect("default consensus params are valid")
}
