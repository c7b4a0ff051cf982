//! The modules themselves, without the app: genesis, begin block, messages and end block run
//! directly over an in-memory [`Overlay`], block by block. Staking's tokens are held by the
//! production bank pools ([`BankPools`]: the `bonded_tokens_pool` and `not_bonded_tokens_pool`
//! module accounts of the real bank), so module tests exercise the same custody as the app; the
//! chain-wide invariants ([`rampart_app::invariants`]) are checked after every end block.

use std::sync::Arc;

use prost::Message;
use rampart_app::staking_bank::BankPools;
use rampart_auth::AuthModule;
use rampart_bank::{BankModule, BankRead, BankWrite, Coin};
use rampart_core::context::{ExecMode, VoteInfo};
use rampart_core::state::{apply_changes, EmptyState};
use rampart_core::QueryContext;
use rampart_core::{
    AppError, AppResult, BlockContext, BlockTime, ChainProfile, Events, GenesisContext, Module,
    MsgContext, Overlay, StateRead, ValidatorUpdate,
};
use rampart_staking::{StakingHooks, StakingModule, StakingRead};
use tendermint_proto::google::protobuf::Any;

use crate::party::Party;
use crate::tx::{CHAIN_ID, DENOM};

/// The genesis time of every module chain.
pub const GENESIS_TIME: BlockTime = BlockTime {
    seconds: 1_700_000_000,
    nanos: 0,
};

/// The genesis context of every module chain: [`CHAIN_ID`], height 1, [`GENESIS_TIME`].
pub fn genesis_ctx() -> GenesisContext {
    GenesisContext {
        chain_id: CHAIN_ID.into(),
        profile: ChainProfile::rampart(),
        initial_height: 1,
        genesis_time: GENESIS_TIME,
        validators: vec![],
    }
}

/// Staking over the production bank seam, announcing to `hooks` (`None`: no hooks).
pub fn staking_module(hooks: Option<Arc<dyn StakingHooks>>) -> StakingModule {
    match hooks {
        Some(hooks) => StakingModule::with_hooks(Arc::new(BankPools), hooks),
        None => StakingModule::new(Arc::new(BankPools)),
    }
}

/// A check run over the state after every end block, besides the chain-wide invariants.
pub type Check = fn(&dyn StateRead);

/// A chain of modules in the app's order over an in-memory overlay.
pub struct ModuleChain {
    /// Committed state.
    pub state: Overlay<EmptyState>,
    /// The staking module (also in [`ModuleChain::modules`]), for its entry points.
    pub staking: StakingModule,
    /// The modules, in the app's order.
    pub modules: Vec<Box<dyn Module>>,
    /// Current block height.
    pub height: u64,
    /// Current block time.
    pub time: BlockTime,
    /// The proposer's consensus address of the current block.
    pub proposer: [u8; 20],
    /// Further checks after every end block.
    pub checks: Vec<Check>,
}

impl ModuleChain {
    /// auth, bank and `staking` (or, with `more`, those modules after them), genesis from
    /// `app_state` sections (missing sections take defaults), at height 1, no block begun.
    pub fn with_modules(
        staking: StakingModule,
        more: Vec<Box<dyn Module>>,
        app_state: &serde_json::Value,
    ) -> AppResult<Self> {
        let mut modules: Vec<Box<dyn Module>> = vec![
            Box::new(AuthModule),
            Box::new(BankModule),
            Box::new(staking.clone()),
        ];
        modules.extend(more);
        let state = init_state(&modules, app_state)?;
        Ok(Self {
            state,
            staking,
            modules,
            height: 1,
            time: GENESIS_TIME,
            proposer: [0; 20],
            checks: Vec::new(),
        })
    }

    /// auth, bank and staking (no hooks) with staking genesis `staking`, at height 1.
    pub fn staking(staking: serde_json::Value) -> Self {
        Self::with_modules(
            staking_module(None),
            Vec::new(),
            &serde_json::json!({ "staking": staking }),
        )
        .unwrap_or_else(|e| panic!("genesis: {e}"))
    }

    /// Replaces the staking module (e.g. by one with other hooks).
    pub fn set_staking(&mut self, staking: StakingModule) {
        for module in &mut self.modules {
            if module.name() == self.staking.name() {
                *module = Box::new(staking.clone());
            }
        }
        self.staking = staking;
    }

    /// The module called `name`.
    pub fn module(&self, name: &str) -> &dyn Module {
        self.modules
            .iter()
            .find(|m| m.name() == name)
            .unwrap_or_else(|| panic!("no module {name}"))
            .as_ref()
    }

    /// The current block's context with `last_commit`.
    pub fn ctx(&self, last_commit: Vec<VoteInfo>) -> BlockContext {
        BlockContext {
            proposer: self.proposer,
            last_commit,
            ..BlockContext::bare(
                CHAIN_ID.into(),
                ChainProfile::rampart(),
                self.height,
                self.time,
            )
        }
    }

    /// The current block's context, with an empty last commit.
    pub fn block(&self) -> BlockContext {
        self.ctx(vec![])
    }

    /// Runs every module's begin block with `last_commit`; returns the events.
    pub fn begin(&mut self, last_commit: Vec<VoteInfo>) -> Events {
        let ctx = self.ctx(last_commit);
        let mut events = Events::new();
        for m in &self.modules {
            m.begin_block(&mut self.state, &ctx, &mut events)
                .unwrap_or_else(|e| panic!("begin_block of {}: {e}", m.name()));
        }
        events
    }

    /// Runs every module's end block, then checks the invariants; returns the validator updates.
    pub fn end(&mut self) -> Vec<ValidatorUpdate> {
        let ctx = self.block();
        let mut events = Events::new();
        let mut updates = Vec::new();
        for m in &self.modules {
            updates.extend(
                m.end_block(&mut self.state, &ctx, &mut events)
                    .unwrap_or_else(|e| panic!("end_block of {}: {e}", m.name())),
            );
        }
        self.check_invariants();
        updates
    }

    /// Ends the block and moves to the next one `dt` seconds later without beginning it (for
    /// tests of end block alone); returns the validator updates.
    pub fn end_block(&mut self, dt: i64) -> Vec<ValidatorUpdate> {
        let updates = self.end();
        self.height += 1;
        self.time.seconds += dt;
        updates
    }

    /// The votes of the active set, all signed.
    pub fn all_sign(&self) -> Vec<VoteInfo> {
        self.state
            .active_set()
            .into_iter()
            .map(|(op, power)| VoteInfo {
                address: self
                    .state
                    .validator(&op)
                    .expect("reads")
                    .expect("an active validator exists")
                    .consensus_address(),
                power,
                signed: true,
            })
            .collect()
    }

    /// Ends the block and begins the next one, 5 s later, with `last_commit` (the votes for the
    /// block just ended); returns the begin-block events.
    pub fn next_block_with(&mut self, last_commit: Vec<VoteInfo>) -> Events {
        self.end_block(5);
        self.begin(last_commit)
    }

    /// Ends the block and begins the next with every active validator signing.
    pub fn next_block(&mut self) -> Events {
        let votes = self.all_sign();
        self.next_block_with(votes)
    }

    /// Creates `amount` of the bond denom at `who`.
    pub fn fund(&mut self, who: impl Party, amount: u128) {
        self.fund_coins(who, &[(DENOM, amount)]);
    }

    /// Creates `coins` (denom, amount) at `who`.
    pub fn fund_coins(&mut self, who: impl Party, coins: &[(&str, u128)]) {
        let coins: Vec<Coin> = coins.iter().map(|(d, a)| Coin::new(*d, *a)).collect();
        self.state
            .mint(&who.address(), &coins, &mut Events::new())
            .unwrap_or_else(|e| panic!("mint: {e}"));
    }

    /// The bond-denom balance of `who`.
    pub fn balance(&self, who: impl Party) -> u128 {
        self.balance_of(who, DENOM)
    }

    /// The `denom` balance of `who`.
    pub fn balance_of(&self, who: impl Party, denom: &str) -> u128 {
        self.state.balance(&who.address(), denom).expect("reads").0
    }

    /// Executes `msg` as a transaction: its module validates it, writes are committed on success
    /// and discarded on failure (as the app does). On failure also says whether the handler
    /// buffered any writes before failing.
    pub fn try_deliver(&mut self, msg: &Any) -> Result<(Any, Events), (AppError, bool)> {
        let module = self
            .modules
            .iter()
            .find(|m| m.msg_type_urls().contains(&msg.type_url.as_str()))
            .unwrap_or_else(|| panic!("no module handles {}", msg.type_url));
        module
            .validate_msg(&ChainProfile::rampart(), msg)
            .map_err(|e| (e, false))?;
        let block = self.block();
        let ctx = MsgContext {
            block: &block,
            tx_hash: [0; 32],
            msg_index: 0,
            mode: ExecMode::Deliver,
        };
        let mut tx = Overlay::new(&self.state);
        let mut events = Events::new();
        match module.deliver_msg(&mut tx, &ctx, msg, &mut events) {
            Ok(response) => {
                let (_, changes) = tx.into_parts();
                apply_changes(&mut self.state, changes);
                Ok((response, events))
            }
            Err(e) => Err((e, !tx.changes().is_empty())),
        }
    }

    /// Delivers a message that must succeed.
    pub fn deliver(&mut self, msg: &Any) -> (Any, Events) {
        self.try_deliver(msg)
            .unwrap_or_else(|(e, _)| panic!("{} failed: {e}", msg.type_url))
    }

    /// Delivers a message that must fail before writing anything; returns the error.
    pub fn refuse(&mut self, msg: &Any) -> AppError {
        let before = self.dump();
        let (err, wrote) = self
            .try_deliver(msg)
            .err()
            .unwrap_or_else(|| panic!("{} was accepted", msg.type_url));
        assert!(
            !wrote,
            "{} buffered writes before failing: {err}",
            msg.type_url
        );
        assert_eq!(before, self.dump(), "state unchanged");
        err
    }

    /// Answers `request` at the gRPC method `path` from the module serving it.
    pub fn try_query(&self, path: &str, request: &impl Message) -> AppResult<Vec<u8>> {
        let module = self
            .modules
            .iter()
            .find(|m| m.query_paths().contains(&path))
            .unwrap_or_else(|| panic!("no module answers {path}"));
        let ctx = QueryContext {
            state: &self.state,
            profile: &ChainProfile::rampart(),
        };
        module.query(ctx, path, &request.encode_to_vec())
    }

    /// Answers `request` at `path`, which must succeed.
    pub fn query<R: Message + Default>(&self, path: &str, request: &impl Message) -> R {
        let bytes = self
            .try_query(path, request)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        R::decode(bytes.as_slice()).expect("decodes")
    }

    /// Every key-value pair of state, sorted.
    pub fn dump(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.state.scan_prefix(b"").collect()
    }

    /// Exports every module's section.
    pub fn export(&self) -> serde_json::Value {
        export_state(&self.modules, &self.state)
    }

    /// The chain-wide invariants (staking's pools and shares, distribution's and consumer's
    /// module accounts, supply = Σ balances), then [`ModuleChain::checks`].
    pub fn check_invariants(&self) {
        if let Err(violation) =
            rampart_app::invariants::check(self.modules.iter().map(|m| m.as_ref()), &self.state)
                .expect("reads")
        {
            panic!("invariant: {violation}");
        }
        for check in &self.checks {
            check(&self.state);
        }
    }
}

/// Runs `modules`' genesis over an empty state, each with its section of `app_state`.
pub fn init_state(
    modules: &[Box<dyn Module>],
    app_state: &serde_json::Value,
) -> AppResult<Overlay<EmptyState>> {
    let mut state = Overlay::new(EmptyState);
    let ctx = genesis_ctx();
    for m in modules {
        m.init_genesis(&mut state, &ctx, app_state.get(m.name()))?;
    }
    Ok(state)
}

/// Exports every one of `modules`' sections from `state`.
pub fn export_state(modules: &[Box<dyn Module>], state: &dyn StateRead) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for m in modules {
        let section = m
            .export_genesis(state, &ChainProfile::rampart())
            .unwrap_or_else(|e| panic!("export of {}: {e}", m.name()));
        out.insert(m.name().into(), section);
    }
    serde_json::Value::Object(out)
}
