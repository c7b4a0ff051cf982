//! Test fixture: a chain of the real auth, bank, staking, mint and distribution modules over an
//! `Overlay<EmptyState>`, with a bank-backed `StakingBank`, driven block by block.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmos_sdk_proto::cosmos::distribution::v1beta1 as dpb;
use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    CommissionRates, Description, MsgBeginRedelegate, MsgCreateValidator, MsgDelegate,
    MsgUndelegate,
};
use prost::Message;
use rampart_auth::{Address, AuthModule, FEE_COLLECTOR};
use rampart_bank::{BankModule, BankRead, BankWrite, Coin};
use rampart_core::context::{ExecMode, VoteInfo};
use rampart_core::error::{AppError, AppResult};
use rampart_core::state::{apply_changes, EmptyState};
use rampart_core::{
    Amount, BlockContext, BlockTime, Decimal, Events, GenesisContext, Module, MsgContext, Overlay,
    StateRead, StateWrite,
};
use rampart_distribution::{invariants, DistributionHooks, DistributionModule};
use rampart_mint::MintModule;
use rampart_staking::address::{consensus_address, encode, ACCOUNT_PREFIX, VALOPER_PREFIX};
use rampart_staking::convert::dec_to_wire;
use rampart_staking::validator::pubkey_to_any;
use rampart_staking::{msgs, Pool, StakingBank, StakingModule, StakingRead};
use tendermint_proto::google::protobuf::Any;

/// The bond denom.
pub const DENOM: &str = "uramp";

/// Staking's pools as bank module accounts, as the app wires them.
#[derive(Debug, Default)]
pub struct BankPools;

/// The module account of `pool`.
pub fn pool_address(pool: Pool) -> Address {
    Address::module(match pool {
        Pool::Bonded => "bonded_tokens_pool",
        Pool::NotBonded => "not_bonded_tokens_pool",
    })
}

fn bond(state: &dyn StateRead, amount: Amount) -> AppResult<Vec<Coin>> {
    Ok(vec![Coin {
        denom: state.bond_denom()?,
        amount,
    }])
}

impl StakingBank for BankPools {
    fn delegate_coins(
        &self,
        state: &mut dyn StateWrite,
        delegator: &[u8; 20],
        pool: Pool,
        amount: Amount,
    ) -> AppResult<()> {
        let coins = bond(state, amount)?;
        state.send(
            &Address(*delegator),
            &pool_address(pool),
            &coins,
            &mut Events::new(),
        )
    }
    fn undelegate_coins(
        &self,
        state: &mut dyn StateWrite,
        pool: Pool,
        delegator: &[u8; 20],
        amount: Amount,
    ) -> AppResult<()> {
        let coins = bond(state, amount)?;
        state.send(
            &pool_address(pool),
            &Address(*delegator),
            &coins,
            &mut Events::new(),
        )
    }
    fn move_pool(
        &self,
        state: &mut dyn StateWrite,
        from: Pool,
        to: Pool,
        amount: Amount,
    ) -> AppResult<()> {
        let coins = bond(state, amount)?;
        state.send(
            &pool_address(from),
            &pool_address(to),
            &coins,
            &mut Events::new(),
        )
    }
    fn burn_from_pool(
        &self,
        state: &mut dyn StateWrite,
        pool: Pool,
        amount: Amount,
    ) -> AppResult<()> {
        let coins = bond(state, amount)?;
        state.burn(&pool_address(pool), &coins, &mut Events::new())
    }
    fn pool_balance(&self, state: &dyn StateRead, pool: Pool) -> Amount {
        state
            .bond_denom()
            .and_then(|d| state.balance(&pool_address(pool), &d))
            .unwrap_or_default()
    }
}

/// Address `n`.
pub fn addr(n: u8) -> [u8; 20] {
    [n; 20]
}

/// `rampart1…` of `n`.
pub fn acc(n: u8) -> String {
    encode(ACCOUNT_PREFIX, &addr(n))
}

/// `rampartvaloper1…` of `n`.
pub fn valoper(n: u8) -> String {
    encode(VALOPER_PREFIX, &addr(n))
}

/// The consensus address of validator `n` (key byte `n`).
pub fn cons(n: u8) -> [u8; 20] {
    consensus_address(&[n; 32])
}

/// `amount` of the bond denom as a protobuf coin.
pub fn uramp(amount: u128) -> Option<ProtoCoin> {
    Some(ProtoCoin {
        denom: DENOM.into(),
        amount: amount.to_string(),
    })
}

/// Packs a message.
pub fn any<M: Message>(url: &str, m: &M) -> Any {
    Any {
        type_url: url.into(),
        value: m.encode_to_vec(),
    }
}

/// `MsgCreateValidator` by `n` (key byte `n`) with `rate_pct` % commission.
pub fn create_validator(n: u8, amount: u128, rate_pct: u32) -> Any {
    let pct = |p: u32| dec_to_wire(Decimal::from_bps(p * 100));
    #[allow(deprecated)]
    let msg = MsgCreateValidator {
        description: Some(Description {
            moniker: format!("val-{n}"),
            ..Default::default()
        }),
        commission: Some(CommissionRates {
            rate: pct(rate_pct),
            max_rate: pct(100),
            max_change_rate: pct(1),
        }),
        min_self_delegation: "1".into(),
        delegator_address: String::new(),
        validator_address: valoper(n),
        pubkey: Some(pubkey_to_any(&[n; 32])),
        value: uramp(amount),
    };
    any(msgs::CREATE_VALIDATOR, &msg)
}

/// `MsgDelegate`.
pub fn delegate(d: u8, v: u8, amount: u128) -> Any {
    any(
        msgs::DELEGATE,
        &MsgDelegate {
            delegator_address: acc(d),
            validator_address: valoper(v),
            amount: uramp(amount),
        },
    )
}

/// `MsgUndelegate`.
pub fn undelegate(d: u8, v: u8, amount: u128) -> Any {
    any(
        msgs::UNDELEGATE,
        &MsgUndelegate {
            delegator_address: acc(d),
            validator_address: valoper(v),
            amount: uramp(amount),
        },
    )
}

/// `MsgBeginRedelegate`.
pub fn redelegate(d: u8, src: u8, dst: u8, amount: u128) -> Any {
    any(
        msgs::BEGIN_REDELEGATE,
        &MsgBeginRedelegate {
            delegator_address: acc(d),
            validator_src_address: valoper(src),
            validator_dst_address: valoper(dst),
            amount: uramp(amount),
        },
    )
}

/// `MsgWithdrawDelegatorReward`.
pub fn withdraw_reward(d: u8, v: u8) -> Any {
    any(
        rampart_distribution::msgs::WITHDRAW_DELEGATOR_REWARD,
        &dpb::MsgWithdrawDelegatorReward {
            delegator_address: acc(d),
            validator_address: valoper(v),
        },
    )
}

/// `MsgWithdrawValidatorCommission`.
pub fn withdraw_commission(v: u8) -> Any {
    any(
        rampart_distribution::msgs::WITHDRAW_VALIDATOR_COMMISSION,
        &dpb::MsgWithdrawValidatorCommission {
            validator_address: valoper(v),
        },
    )
}

/// `MsgSetWithdrawAddress`.
pub fn set_withdraw_address(d: u8, to: &str) -> Any {
    any(
        rampart_distribution::msgs::SET_WITHDRAW_ADDRESS,
        &dpb::MsgSetWithdrawAddress {
            delegator_address: acc(d),
            withdraw_address: to.into(),
        },
    )
}

/// `MsgFundCommunityPool`.
pub fn fund_community_pool(d: u8, coins: &[(&str, u128)]) -> Any {
    any(
        rampart_distribution::msgs::FUND_COMMUNITY_POOL,
        &dpb::MsgFundCommunityPool {
            amount: coins
                .iter()
                .map(|(denom, amount)| ProtoCoin {
                    denom: (*denom).into(),
                    amount: amount.to_string(),
                })
                .collect(),
            depositor: acc(d),
        },
    )
}

/// Distribution parameters with no tax and no proposer reward (every fee goes to the signers).
pub fn no_tax() -> serde_json::Value {
    serde_json::json!({"params": {
        "community_tax": "0", "base_proposer_reward": "0",
        "bonus_proposer_reward": "0", "withdraw_addr_enabled": true
    }})
}

/// A chain of the real modules.
pub struct Chain {
    /// Committed state.
    pub state: Overlay<EmptyState>,
    /// Staking (with the distribution hooks), for slashing.
    pub staking: StakingModule,
    /// auth, bank, staking, mint, distribution — the app's order.
    pub modules: Vec<Box<dyn Module>>,
    /// Current height.
    pub height: u64,
    /// Current block time.
    pub time: BlockTime,
    /// Proposer of the current block.
    pub proposer: [u8; 20],
}

/// The genesis context of every test chain.
pub fn genesis_ctx() -> GenesisContext {
    GenesisContext {
        chain_id: "rampart-test".into(),
        initial_height: 1,
        genesis_time: BlockTime {
            seconds: 1_700_000_000,
            nanos: 0,
        },
        validators: vec![],
    }
}

/// Runs every module's genesis over an empty state.
pub fn init_state(app_state: &serde_json::Value) -> AppResult<Overlay<EmptyState>> {
    let (_, modules) = modules();
    let mut state = Overlay::new(EmptyState);
    let ctx = genesis_ctx();
    for m in &modules {
        m.init_genesis(&mut state, &ctx, app_state.get(m.name()))?;
    }
    Ok(state)
}

/// Exports every module's section from `state`.
pub fn export_state(state: &dyn StateRead) -> serde_json::Value {
    let (_, modules) = modules();
    let mut out = serde_json::Map::new();
    for m in &modules {
        out.insert(m.name().into(), m.export_genesis(state).unwrap());
    }
    serde_json::Value::Object(out)
}

/// The modules in the app's order.
pub fn modules() -> (StakingModule, Vec<Box<dyn Module>>) {
    let staking = StakingModule::with_hooks(Arc::new(BankPools), Arc::new(DistributionHooks));
    let list: Vec<Box<dyn Module>> = vec![
        Box::new(AuthModule),
        Box::new(BankModule),
        Box::new(staking.clone()),
        Box::new(MintModule),
        Box::new(DistributionModule),
    ];
    (staking, list)
}

impl Chain {
    /// A chain from `app_state` sections (missing sections take defaults; mint defaults to no
    /// inflation so that fees are the only rewards), at height 1 with its first block begun.
    pub fn with_genesis(mut app_state: serde_json::Value) -> Self {
        if app_state.get("mint").is_none() {
            app_state["mint"] =
                serde_json::json!({"params": {"mint_denom": DENOM, "inflation": "0"}});
        }
        let (staking, modules) = modules();
        let state = init_state(&app_state).unwrap_or_else(|e| panic!("genesis: {e}"));
        let ctx = genesis_ctx();
        let mut chain = Self {
            state,
            staking,
            modules,
            height: 1,
            time: ctx.genesis_time,
            proposer: [0; 20],
        };
        chain.begin(vec![]);
        chain
    }

    /// A chain with default distribution parameters.
    pub fn new() -> Self {
        Self::with_genesis(serde_json::json!({}))
    }

    /// A chain where signers get every fee (no tax, no proposer reward).
    pub fn untaxed() -> Self {
        Self::with_genesis(serde_json::json!({ "distribution": no_tax() }))
    }

    fn module(&self, name: &str) -> &dyn Module {
        self.modules
            .iter()
            .find(|m| m.name() == name)
            .unwrap()
            .as_ref()
    }

    /// The current block's context.
    pub fn ctx(&self, last_commit: Vec<VoteInfo>) -> BlockContext {
        BlockContext {
            chain_id: "rampart-test".into(),
            height: self.height,
            time: self.time,
            proposer: self.proposer,
            last_commit,
            misbehavior: vec![],
        }
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

    /// Runs every module's end block and checks the invariants.
    pub fn end(&mut self) {
        let ctx = self.ctx(vec![]);
        let mut events = Events::new();
        for m in &self.modules {
            m.end_block(&mut self.state, &ctx, &mut events)
                .unwrap_or_else(|e| panic!("end_block of {}: {e}", m.name()));
        }
        self.check_invariants();
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
                    .unwrap()
                    .unwrap()
                    .consensus_address(),
                power,
                signed: true,
            })
            .collect()
    }

    /// Ends the block and starts the next one, 5 s later, with `last_commit` (the votes for the
    /// block just ended); returns the begin-block events.
    pub fn next_block_with(&mut self, last_commit: Vec<VoteInfo>) -> Events {
        self.end();
        self.height += 1;
        self.time.seconds += 5;
        self.begin(last_commit)
    }

    /// Ends the block and starts the next with every active validator signing.
    pub fn next_block(&mut self) -> Events {
        let votes = self.all_sign();
        self.next_block_with(votes)
    }

    /// Makes validator `n` the proposer of the following blocks (a block's proposer is paid in
    /// the block after it).
    pub fn propose(&mut self, n: u8) {
        self.proposer = cons(n);
    }

    /// Creates `coins` in `n`'s account.
    pub fn fund(&mut self, n: u8, coins: &[(&str, u128)]) {
        self.fund_address(&Address(addr(n)), coins);
    }

    /// Creates `coins` at `address`.
    pub fn fund_address(&mut self, address: &Address, coins: &[(&str, u128)]) {
        let coins: Vec<Coin> = coins.iter().map(|(d, a)| Coin::new(*d, *a)).collect();
        self.state
            .mint(address, &coins, &mut Events::new())
            .unwrap();
    }

    /// Puts `coins` into the fee collector, as the ante handler does with transaction fees.
    pub fn pay_fees(&mut self, coins: &[(&str, u128)]) {
        self.fund_address(&Address::module(FEE_COLLECTOR), coins);
    }

    /// Balance of `n`.
    pub fn balance(&self, n: u8, denom: &str) -> u128 {
        self.state.balance(&Address(addr(n)), denom).unwrap().0
    }

    /// Executes `msg` as a transaction: the signers are checked, writes are committed on success
    /// and discarded on failure. On failure also says whether the handler buffered writes.
    pub fn try_deliver(&mut self, msg: &Any) -> Result<(Any, Events), (AppError, bool)> {
        let module = self
            .modules
            .iter()
            .find(|m| m.msg_type_urls().contains(&msg.type_url.as_str()))
            .unwrap();
        module.msg_signers(msg).map_err(|e| (e, false))?;
        let block = self.ctx(vec![]);
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

    /// Delivers a message that must fail without writing; returns the error.
    pub fn refuse(&mut self, msg: &Any) -> AppError {
        let before = self.dump();
        let (err, wrote) = self
            .try_deliver(msg)
            .err()
            .unwrap_or_else(|| panic!("{} was accepted", msg.type_url));
        assert!(!wrote, "{} wrote before failing: {err}", msg.type_url);
        assert_eq!(before, self.dump(), "state unchanged");
        err
    }

    /// Every key-value pair, sorted.
    pub fn dump(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.state.scan_prefix(b"").collect()
    }

    /// Queries distribution at `Query/<method>`.
    pub fn query<Req: Message, Resp: Message + Default>(&self, method: &str, req: Req) -> Resp {
        let bytes = self
            .try_query(method, req)
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        Resp::decode(bytes.as_slice()).unwrap()
    }

    /// Queries distribution, returning the error.
    pub fn try_query<Req: Message>(&self, method: &str, req: Req) -> AppResult<Vec<u8>> {
        self.module("distribution").query(
            &self.state,
            &format!("/cosmos.distribution.v1beta1.Query/{method}"),
            &req.encode_to_vec(),
        )
    }

    /// The pending rewards of `d` at `v` (decimal, in `denom`).
    pub fn pending(&self, d: u8, v: u8, denom: &str) -> Decimal {
        rampart_distribution::delegation_rewards(&self.state, &addr(d), &addr(v))
            .unwrap()
            .amount_of(denom)
    }

    /// Distribution's invariants, and the exact equality of the module account's balance with
    /// what it owes (nothing sends to the module account from outside).
    pub fn check_invariants(&self) {
        invariants::check(&self.state).unwrap();
        let owed = invariants::owed_total(&self.state).unwrap();
        let account = rampart_distribution::module_address();
        for coin in self.state.balances(&account).unwrap() {
            assert_eq!(
                Decimal::from_ratio(coin.amount.0, 1).unwrap(),
                owed.amount_of(&coin.denom),
                "module balance of {} equals what it owes",
                coin.denom
            );
        }
        for (denom, amount) in owed.iter() {
            assert_eq!(
                Decimal::from_ratio(self.state.balance(&account, denom).unwrap().0, 1).unwrap(),
                amount
            );
        }
    }

    /// Exports every module's section.
    pub fn export(&self) -> serde_json::Value {
        export_state(&self.state)
    }
}

/// Whole units of the bond denom as a decimal.
pub fn units(n: u128) -> Decimal {
    Decimal::from_ratio(n, 1).unwrap()
}

/// The value of attribute `key` of the last event of `kind`.
pub fn attr<'a>(events: &'a Events, kind: &str, key: &str) -> Option<&'a str> {
    events
        .iter()
        .rev()
        .find(|e| e.kind == kind)?
        .attributes
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}
