//! Queries over committed state, shared by ABCI `Query` and the gRPC server so that both answer
//! from one handler set at the same gRPC method paths.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData;
use prost::Message;
use rampart_core::context::ExecMode;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::state::Overlay;
use rampart_core::{BlockContext, BlockTime, QueryContext};
use rampart_store::{Snapshot, Storage, StorageError};
use tendermint::abci::{request, response, Code};
use tendermint::merkle;

use crate::composition::Modules;
use crate::convert::{app_hash, height};
use crate::exec::{apply_tx, TxEnv};
use crate::simulate::{self, SimulateResult, SIMULATE_PATH};

/// ABCI query path for a raw state key (`data` = the key); with `prove` it returns an ICS-23
/// proof against the app hash of the answered height.
pub const STORE_KEY_PATH: &str = "/store/key";

/// `ProofOp.type` of Rampart's ICS-23 proofs over the Jellyfish Merkle Tree.
pub const PROOF_OP_TYPE: &str = "ics23:jmt";

/// An answer read from one committed height.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryAnswer {
    /// Protobuf response bytes (or the raw value for [`STORE_KEY_PATH`]).
    pub value: Vec<u8>,
    /// The committed height the answer was read at (never 0).
    pub height: u64,
    /// The ICS-23 proof, for proven raw-key queries.
    pub proof: Option<ics23::CommitmentProof>,
}

/// Read-only access to committed state for queries; cheap to clone and safe to share across the
/// ABCI and gRPC servers.
#[derive(Clone)]
pub struct Queries {
    storage: Storage,
    modules: Arc<Modules>,
    /// The time of the last committed block, which simulation runs at (as CheckTx does): a
    /// message that reads the block time (a light-client update) simulates as it will execute.
    /// Zero until this process commits a block.
    block_time: Arc<Mutex<BlockTime>>,
}

impl Queries {
    /// Queries over `storage`, routed to `modules`.
    pub fn new(storage: Storage, modules: Arc<Modules>) -> Self {
        Self {
            storage,
            modules,
            block_time: Arc::default(),
        }
    }

    /// Records the time of the block just committed (the app calls this at Commit).
    pub fn record_block_time(&self, time: BlockTime) {
        // A poisoned lock only means another thread panicked mid-write of a Copy value: the
        // value is still whole, so take it over.
        *self.block_time.lock().unwrap_or_else(|e| e.into_inner()) = time;
    }

    fn block_time(&self) -> BlockTime {
        *self.block_time.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every gRPC method path that can be queried: the modules' paths and simulation.
    pub fn paths(&self) -> Vec<&'static str> {
        let mut paths: Vec<_> = self.modules.query_paths().collect();
        paths.push(SIMULATE_PATH);
        paths
    }

    /// ABCI Info: the last committed height and app hash, which CometBFT's handshake replays
    /// blocks from. The app answers Info with this too, so the two cannot diverge.
    pub fn abci_info(&self) -> response::Info {
        let latest = self.storage.latest();
        response::Info {
            data: "rampart".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            app_version: 1,
            last_block_height: height(latest.map_or(0, |c| c.height)),
            last_block_app_hash: latest.map(|c| app_hash(c.app_hash)).unwrap_or_default(),
        }
    }

    /// ABCI Query: a gRPC method path, or [`STORE_KEY_PATH`] for a raw key with an optional
    /// proof; failures are the error's code, codespace and log at the latest height.
    pub fn abci_query(&self, req: request::Query) -> response::Query {
        let requested = req.height.value();
        let answer = if req.path == STORE_KEY_PATH {
            self.raw_key(&req.data, requested, req.prove)
        } else {
            self.query(&req.path, &req.data, requested)
        };
        match answer {
            Ok(QueryAnswer {
                value,
                height: answered,
                proof,
            }) => response::Query {
                key: if proof.is_some() {
                    req.data.clone()
                } else {
                    Bytes::new()
                },
                value: value.into(),
                proof: proof.map(|p| merkle::proof::ProofOps {
                    ops: vec![merkle::proof::ProofOp {
                        field_type: PROOF_OP_TYPE.into(),
                        key: req.data.to_vec(),
                        data: p.encode_to_vec(),
                    }],
                }),
                height: height(answered),
                ..Default::default()
            },
            Err(e) => self.query_error(e),
        }
    }

    /// A failed ABCI query: the error's code, codespace and log, at the latest height.
    pub(crate) fn query_error(&self, e: AppError) -> response::Query {
        response::Query {
            code: Code::from(e.code),
            log: e.log,
            codespace: e.codespace.into(),
            height: height(self.storage.latest().map_or(0, |c| c.height)),
            ..Default::default()
        }
    }

    /// Answers `path` with request bytes `data` at committed `height` (0 = latest).
    pub fn query(&self, path: &str, data: &[u8], height: u64) -> AppResult<QueryAnswer> {
        if path == SIMULATE_PATH {
            let outcome = self.simulate(&simulate::request_tx_bytes(data)?)?;
            let height = outcome.height;
            return Ok(QueryAnswer {
                value: simulate::response_bytes(outcome),
                height,
                proof: None,
            });
        }
        let module = self.modules.for_query(path).ok_or_else(|| {
            AppError::sdk(
                SdkCode::UnknownRequest,
                format!("unknown query path {path}"),
            )
        })?;
        let snapshot = self.snapshot(height)?;
        let height = snapshot_height(&snapshot)?;
        let profile = self.modules.chain_profile();
        let ctx = QueryContext {
            state: &snapshot,
            profile: &profile,
        };
        let value = module.query(ctx, path, data)?;
        Ok(QueryAnswer {
            value,
            height,
            proof: None,
        })
    }

    /// Runs a transaction (ante handler and messages) on a throwaway overlay over the latest
    /// committed state, as the next block would: signatures are not verified (sign mode
    /// UNSPECIFIED, empty signatures, zero fee and zero gas are accepted) but sequences are
    /// checked, and gas counts everything a real execution charges. `Err` is the code and log
    /// the real transaction would get.
    pub fn simulate(&self, tx_bytes: &[u8]) -> AppResult<SimulateResult> {
        let snapshot = self.storage.snapshot();
        let height = snapshot_height(&snapshot)?;
        let chain_id = rampart_chain::chain_info(&snapshot)?.chain_id;
        let block = BlockContext::bare(
            chain_id,
            self.modules.chain_profile(),
            height.saturating_add(1),
            self.block_time(),
        );
        let env = TxEnv {
            block: &block,
            mode: ExecMode::Simulate,
            min_gas_prices: &[],
            signatures: None,
        };
        let mut state = Overlay::new(snapshot);
        let outcome = apply_tx(&self.modules, &mut state, &env, tx_bytes);
        let data = outcome.result?;
        let msg_responses = TxMsgData::decode(data.as_slice())
            .map_err(|e| AppError::sdk(SdkCode::Logic, format!("simulated TxMsgData: {e}")))?
            .msg_responses;
        Ok(SimulateResult {
            gas_wanted: outcome.gas_wanted,
            gas_used: outcome.gas_used,
            data,
            msg_responses,
            events: outcome.events,
            height,
        })
    }

    /// Reads a raw state key at committed `height` (0 = latest), with an ICS-23 proof if `prove`.
    pub fn raw_key(&self, key: &[u8], height: u64, prove: bool) -> AppResult<QueryAnswer> {
        let height = snapshot_height(&self.snapshot(height)?)?;
        if prove {
            let (value, proof) = self
                .storage
                .get_with_proof(key, height)
                .map_err(store_error)?;
            Ok(QueryAnswer {
                value: value.unwrap_or_default(),
                height,
                proof: Some(proof),
            })
        } else {
            let snapshot = self.storage.snapshot_at(height).map_err(store_error)?;
            Ok(QueryAnswer {
                value: rampart_core::StateRead::get(&snapshot, key).unwrap_or_default(),
                height,
                proof: None,
            })
        }
    }

    fn snapshot(&self, height: u64) -> AppResult<Snapshot> {
        if height == 0 {
            Ok(self.storage.snapshot())
        } else {
            self.storage.snapshot_at(height).map_err(store_error)
        }
    }
}

fn snapshot_height(snapshot: &Snapshot) -> AppResult<u64> {
    snapshot
        .height()
        .ok_or_else(|| AppError::sdk(SdkCode::InvalidHeight, "no block has been committed yet"))
}

fn store_error(e: StorageError) -> AppError {
    AppError::sdk(SdkCode::InvalidHeight, e.to_string())
}
