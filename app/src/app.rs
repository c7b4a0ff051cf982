//! The Rampart state machine behind ABCI: genesis, the transaction pipeline, blocks, commits and
//! queries. CometBFT drives it through [`crate::abci::AbciService`]; tests drive it directly.
//!
//! State layers: committed [`Snapshot`] ← block overlay (FinalizeBlock, persisted only at Commit)
//! ← per transaction, an ante overlay (fee, sequence; kept once the ante handler passes) and a
//! message overlay (kept only if every message succeeds), see [`crate::exec`]. CheckTx has its
//! own overlay over the committed snapshot that accumulates the ante handler's writes across
//! CheckTx calls and is rebuilt after every Commit, so it never touches the state being
//! finalized or committed.

use std::sync::Arc;

use bytes::Bytes;
use rampart_core::consensus::EvidenceMaxAge;
use rampart_core::context::{ConsensusAddress, ExecMode};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::state::{Changes, Overlay};
use rampart_core::{BlockContext, BlockTime, Decimal, Events, GenesisContext};
use rampart_store::crash::{self, CrashPoint};
use rampart_store::{PendingCommit, Snapshot, Storage};
use tendermint::abci::request::CheckTxKind;
use tendermint::abci::{request, response, types::ExecTxResult, Code};

use crate::composition::Modules;
use crate::convert::{app_hash, height};
use crate::exec::{apply_decoded, apply_decoded_signers, recheck_routed, TxEnv};
use crate::query::Queries;
use crate::recheck::{RecheckMemo, Routed};
use crate::sigcache::{self, VerifiedSignatures};
use crate::{convert, genesis, proposal, tx, EventIndex};

/// Settings of the state machine that are local to a node (not consensus-relevant).
#[derive(Debug, Clone, Default)]
pub struct AppConfig {
    /// Blocks CometBFT must keep (reported as `retain_height`); 0 keeps every block so that new
    /// nodes can block-sync from genesis.
    pub retain_blocks: u64,
    /// Minimum gas prices (denom, price per gas unit) this node requires in CheckTx; empty
    /// accepts any fee. Parse the SDK's `minimum-gas-prices` text with
    /// [`AppConfig::parse_min_gas_prices`].
    pub min_gas_prices: Vec<(String, Decimal)>,
    /// The event attributes CometBFT's tx indexer indexes (app.toml `[events] index`).
    pub index_events: EventIndex,
}

impl AppConfig {
    /// Parses the SDK's `minimum-gas-prices` text, e.g. `"0.025uramp,1stake"` (empty = none).
    pub fn parse_min_gas_prices(text: &str) -> AppResult<Vec<(String, Decimal)>> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                let split = part
                    .find(|c: char| c.is_ascii_alphabetic())
                    .ok_or_else(|| {
                        AppError::sdk(
                            SdkCode::InvalidRequest,
                            format!("invalid minimum gas price {part:?}: no denom"),
                        )
                    })?;
                let (price, denom) = part.split_at(split);
                rampart_bank::validate_denom(denom)?;
                Ok((denom.to_owned(), price.parse::<Decimal>()?))
            })
            .collect()
    }
}

/// A block between FinalizeBlock and Commit.
struct FinalizedBlock {
    pending: PendingCommit,
}

/// The application.
pub struct App {
    storage: Storage,
    modules: Arc<Modules>,
    queries: Queries,
    config: AppConfig,
    /// Chain id: from committed state, or from InitChain before the first commit.
    chain_id: Option<String>,
    /// Genesis writes from InitChain, applied under the first block.
    genesis: Option<Changes>,
    /// The block finalized but not yet committed.
    finalized: Option<FinalizedBlock>,
    /// The mempool's view: committed state plus the transactions admitted since.
    check_state: Overlay<Snapshot>,
    /// The last finalized block, used as CheckTx's context.
    last_block: Option<BlockContext>,
    /// CometBFT's `block.max_gas` (`None`: unlimited), recorded at InitChain
    /// ([`crate::proposal`]).
    max_block_gas: Option<u64>,
    /// Signatures verified by CheckTx or ahead of a block, not yet executed
    /// ([`crate::sigcache`]).
    signatures: VerifiedSignatures,
    /// Transactions that passed a first CheckTx, decoded and routed, for the mempool's
    /// re-checks ([`crate::recheck`]).
    rechecks: RecheckMemo,
}

/// Stops the node on an inconsistency no input can explain; continuing could fork the chain.
fn halt(reason: impl std::fmt::Display) -> ! {
    tracing::error!("consensus failure, halting: {reason}");
    eprintln!("rampartd: consensus failure, halting: {reason}");
    std::process::exit(70)
}

impl App {
    /// The application over `storage`, with the provider's modules ([`Modules::provider`]).
    pub fn new(storage: Storage, config: AppConfig) -> Self {
        Self::with_modules(storage, config, Arc::new(Modules::provider()))
    }

    /// The application with another composition (tests, the consumer chain's profile).
    pub fn with_modules(storage: Storage, config: AppConfig, modules: Arc<Modules>) -> Self {
        let snapshot = storage.snapshot();
        let chain_id = rampart_chain::chain_info(&snapshot)
            .ok()
            .map(|info| info.chain_id);
        let max_block_gas = proposal::load_max_gas(&snapshot);
        Self {
            queries: Queries::new(storage.clone(), modules.clone()),
            check_state: Overlay::new(snapshot),
            storage,
            modules,
            config,
            chain_id,
            genesis: None,
            finalized: None,
            last_block: None,
            max_block_gas,
            signatures: VerifiedSignatures::default(),
            rechecks: RecheckMemo::default(),
        }
    }

    /// The composed modules.
    pub fn modules(&self) -> &Modules {
        &self.modules
    }

    /// The query handle shared with the gRPC server.
    pub fn queries(&self) -> Queries {
        self.queries.clone()
    }

    /// ABCI Info: the last committed height and app hash ([`Queries::abci_info`], which the
    /// node's info connection answers from too).
    pub fn info(&self) -> response::Info {
        self.queries.abci_info()
    }

    /// ABCI InitChain: records the consensus parameters the app needs (evidence ages, the block
    /// gas limit), runs every module's genesis and returns the genesis app hash. Nothing is
    /// persisted until the first Commit, so a repeated InitChain (CometBFT re-sends it whenever
    /// Info reports height 0) computes the same result.
    pub fn init_chain(&mut self, req: request::InitChain) -> AppResult<response::InitChain> {
        if let Some(latest) = self.storage.latest() {
            halt(format!(
                "InitChain received but the store already holds height {}; the CometBFT data \
                 and the application store are out of step",
                latest.height
            ));
        }
        let ctx = GenesisContext {
            chain_id: req.chain_id.clone(),
            profile: self.modules.chain_profile(),
            initial_height: req.initial_height.value(),
            genesis_time: convert::block_time(req.time),
            validators: Vec::new(),
        };
        let mut state = Overlay::new(self.storage.snapshot());
        let evidence = &req.consensus_params.evidence;
        EvidenceMaxAge {
            blocks: evidence.max_age_num_blocks,
            duration_nanos: u64::try_from(evidence.max_age_duration.0.as_nanos())
                .unwrap_or(u64::MAX),
        }
        .store(&mut state);
        proposal::store_max_gas(&mut state, req.consensus_params.block.max_gas);
        let max_block_gas = proposal::load_max_gas(&state);
        let validators =
            genesis::init_genesis(&self.modules, &mut state, &ctx, &req.app_state_bytes)?;
        let (_, changes) = state.into_parts();
        let pending = self
            .storage
            .prepare(ctx.initial_height.max(1), &changes)
            .map_err(|e| AppError::sdk(SdkCode::Logic, format!("genesis state: {e}")))?;
        tracing::info!(chain_id = %req.chain_id, app_hash = %hex::encode(pending.app_hash()), "genesis initialised");
        self.chain_id = Some(req.chain_id);
        self.max_block_gas = max_block_gas;
        self.genesis = Some(changes);
        let validators = convert::validator_updates(validators.unwrap_or_default())?;
        crash::reached(CrashPoint::InitChain);
        Ok(response::InitChain {
            consensus_params: None,
            validators,
            app_hash: app_hash(pending.app_hash()),
        })
    }

    /// ABCI CheckTx: runs the ante handler on the check state (minimum gas prices enforced); on
    /// success its writes stay there so that the next transaction from the same account sees the
    /// incremented sequence. A re-check of bytes that passed before skips their decoding and
    /// routing ([`crate::recheck`]) and answers exactly what the full path would.
    pub fn check_tx(&mut self, req: request::CheckTx) -> response::CheckTx {
        let ctx = self.check_context();
        let env = TxEnv {
            block: &ctx,
            mode: ExecMode::Check,
            min_gas_prices: &self.config.min_gas_prices,
            signatures: Some(&self.signatures),
        };
        let remembered = match req.kind {
            CheckTxKind::Recheck => self.rechecks.get(&tx::tx_hash(&req.tx)),
            CheckTxKind::New => None,
        };
        let outcome = match remembered {
            Some(routed) => {
                let outcome = recheck_routed(
                    &mut self.check_state,
                    &env,
                    &routed.decoded,
                    &routed.signers,
                    req.tx.len(),
                );
                if outcome.result.is_err() {
                    self.rechecks.forget(&routed.decoded.hash);
                }
                outcome
            }
            None => {
                let decoded = tx::decode(&req.tx);
                let (outcome, signers) = apply_decoded_signers(
                    &self.modules,
                    &mut self.check_state,
                    &env,
                    &decoded,
                    req.tx.len(),
                );
                if let (Ok(_), Ok(decoded), Some(signers)) = (&outcome.result, decoded, signers) {
                    self.rechecks.remember(Routed { decoded, signers });
                }
                outcome
            }
        };
        let (code, data, log, codespace) = result_fields(outcome.result);
        response::CheckTx {
            code,
            data,
            log,
            codespace,
            gas_wanted: gas(outcome.gas_wanted),
            gas_used: gas(outcome.gas_used),
            ..Default::default()
        }
    }

    /// ABCI PrepareProposal: keeps, in order, the transactions that decode and fit `max_tx_bytes`
    /// and the block gas limit ([`proposal::prepare`]).
    pub fn prepare_proposal(&self, req: request::PrepareProposal) -> response::PrepareProposal {
        let max_bytes = u64::try_from(req.max_tx_bytes).unwrap_or(0);
        response::PrepareProposal {
            txs: proposal::prepare(req.txs, max_bytes, self.max_block_gas),
        }
    }

    /// ABCI ProcessProposal: rejects a block carrying a transaction that does not decode, or
    /// whose gas limits sum past the block gas limit ([`proposal::accept`]).
    pub fn process_proposal(&self, req: request::ProcessProposal) -> response::ProcessProposal {
        if proposal::accept(&req.txs, self.max_block_gas) {
            response::ProcessProposal::Accept
        } else {
            response::ProcessProposal::Reject
        }
    }

    /// ABCI FinalizeBlock: begin-block hooks, every transaction in its own overlay, end-block
    /// hooks, then the new app hash. Nothing is persisted until [`App::commit`].
    pub fn finalize_block(&mut self, req: request::FinalizeBlock) -> response::FinalizeBlock {
        let ctx = BlockContext {
            chain_id: self.chain_id.clone().unwrap_or_default(),
            profile: self.modules.chain_profile(),
            height: req.height.value(),
            time: convert::block_time(req.time),
            proposer: proposer(&req.proposer_address),
            last_commit: convert::votes(&req.decided_last_commit),
            misbehavior: convert::misbehavior(&req.misbehavior),
            hash: convert::hash32(&req.hash),
            next_validators_hash: convert::hash32(&req.next_validators_hash),
        };
        let genesis = self.genesis.take().unwrap_or_default();
        let mut block = Overlay::with_changes(self.storage.snapshot(), genesis);
        let mut events = Events::new();
        for module in self.modules.iter() {
            if let Err(e) = module.begin_block(&mut block, &ctx, &mut events) {
                halt(format!(
                    "begin_block of {} at height {}: {e}",
                    module.name(),
                    ctx.height
                ));
            }
        }
        let decoded: Vec<_> = req
            .txs
            .iter()
            .map(|tx_bytes| tx::decode(tx_bytes))
            .collect();
        let valid: Vec<_> = decoded.iter().filter_map(|tx| tx.as_ref().ok()).collect();
        for tx in &valid {
            // Executed now: its sequence is spent, so it never passes a re-check again.
            self.rechecks.forget(&tx.hash);
        }
        sigcache::preverify(&self.signatures, block.base(), &ctx.chain_id, &valid);
        let env = TxEnv {
            block: &ctx,
            mode: ExecMode::Deliver,
            min_gas_prices: &[],
            signatures: Some(&self.signatures),
        };
        let tx_results = req
            .txs
            .iter()
            .zip(&decoded)
            .map(|(tx_bytes, decoded)| {
                let outcome =
                    apply_decoded(&self.modules, &mut block, &env, decoded, tx_bytes.len());
                let (code, data, log, codespace) = result_fields(outcome.result);
                ExecTxResult {
                    code,
                    data,
                    log,
                    codespace,
                    gas_wanted: gas(outcome.gas_wanted),
                    gas_used: gas(outcome.gas_used),
                    events: self.config.index_events.mark(outcome.events),
                    ..Default::default()
                }
            })
            .collect();
        let owner = self.modules.validator_set_owner().map(|m| m.name());
        let mut updates = Vec::new();
        for module in self.modules.iter() {
            match module.end_block(&mut block, &ctx, &mut events) {
                Ok(mut module_updates) if owner == Some(module.name()) => {
                    updates.append(&mut module_updates)
                }
                Ok(module_updates) if module_updates.is_empty() => {}
                Ok(_) => halt(format!(
                    "end_block of {} at height {} changed the validator set it does not own",
                    module.name(),
                    ctx.height
                )),
                Err(e) => halt(format!(
                    "end_block of {} at height {}: {e}",
                    module.name(),
                    ctx.height
                )),
            }
        }
        let validator_updates = convert::validator_updates(updates)
            .unwrap_or_else(|e| halt(format!("validator updates at height {}: {e}", ctx.height)));
        let (_, changes) = block.into_parts();
        let pending = self
            .storage
            .prepare(ctx.height, &changes)
            .unwrap_or_else(|e| {
                halt(format!(
                    "computing the app hash of height {} in the application store \
                     (data/application.db): {e}; if its disk is full, free space and start \
                     rampartd again (nothing of this block was committed: CometBFT replays it)",
                    ctx.height
                ))
            });
        let hash = pending.app_hash();
        self.finalized = Some(FinalizedBlock { pending });
        self.last_block = Some(ctx);
        crash::reached(CrashPoint::FinalizeBlock);
        response::FinalizeBlock {
            events: self.config.index_events.mark(events),
            tx_results,
            validator_updates,
            consensus_param_updates: None,
            app_hash: app_hash(hash),
        }
    }

    /// ABCI Commit: persists the finalized block atomically and resets the check state.
    pub fn commit(&mut self) -> response::Commit {
        let Some(finalized) = self.finalized.take() else {
            halt("Commit received without a finalized block");
        };
        let info = self.storage.commit(finalized.pending).unwrap_or_else(|e| {
            halt(format!(
                "persisting the block to the application store (data/application.db): {e}; \
                     if its disk is full, free space and start rampartd again (the store keeps \
                     the previous height and CometBFT replays the block)"
            ))
        });
        crash::reached(CrashPoint::AfterCommit);
        self.check_state = Overlay::new(self.storage.snapshot());
        if let Some(last) = &self.last_block {
            self.queries.record_block_time(last.time);
        }
        let retain_height = match self.config.retain_blocks {
            0 => 0,
            keep => info.height.saturating_sub(keep).saturating_add(1),
        };
        response::Commit {
            data: Bytes::new(),
            retain_height: height(retain_height),
        }
    }

    /// ABCI Query: a gRPC method path, or [`crate::query::STORE_KEY_PATH`] for a raw key with
    /// an optional proof ([`Queries::abci_query`], which the node's info connection answers
    /// from too).
    pub fn query(&self, req: request::Query) -> response::Query {
        self.queries.abci_query(req)
    }

    /// Exports the committed state as a genesis `app_state`.
    pub fn export(&self) -> AppResult<serde_json::Value> {
        genesis::export_genesis(&self.modules, &self.storage.snapshot())
    }

    /// The context CheckTx runs in: the block after the last finalized (or committed) one.
    fn check_context(&self) -> BlockContext {
        let (height, time) = match &self.last_block {
            Some(last) => (last.height, last.time),
            None => (
                self.storage.latest().map_or(0, |c| c.height),
                BlockTime::default(),
            ),
        };
        BlockContext::bare(
            self.chain_id.clone().unwrap_or_default(),
            self.modules.chain_profile(),
            height.saturating_add(1),
            time,
        )
    }
}

fn result_fields(result: AppResult<Vec<u8>>) -> (Code, Bytes, String, String) {
    match result {
        Ok(data) => (Code::Ok, data.into(), String::new(), String::new()),
        Err(e) => (Code::from(e.code), Bytes::new(), e.log, e.codespace.into()),
    }
}

fn proposer(id: &tendermint::account::Id) -> ConsensusAddress {
    let mut address = [0u8; 20];
    let bytes = id.as_bytes();
    if bytes.len() == address.len() {
        address.copy_from_slice(bytes);
    }
    address
}

/// Gas as ABCI reports it (i64).
fn gas(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
