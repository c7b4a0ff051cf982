//! The distribution tests' fixture: the app's modules up to distribution (auth, bank, staking
//! with distribution's hooks, mint, distribution) run block by block over an in-memory overlay
//! ([`rampart_testkit::ModuleChain`], staking's tokens held by the production bank seam), with
//! distribution's own exact accounting checked after every block, and the shorthands these tests
//! use (account `n` is the address `[n; 20]`, its consensus key [`consensus_key`]`(n)`).
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use prost::Message;
use rampart_bank::BankRead;
use rampart_core::state::EmptyState;
use rampart_core::{AppResult, Decimal, Events, Module, Overlay, StateRead};
use rampart_distribution::{invariants, DistributionHooks, DistributionModule};
use rampart_mint::MintModule;
use rampart_staking::StakingModule;
use tendermint_proto::google::protobuf::Any;

pub use rampart_testkit::module_chain::ModuleChain as Chain;
pub use rampart_testkit::msgs::*;
pub use rampart_testkit::party::*;
pub use rampart_testkit::DENOM;

/// The consensus key of validator `n`: a real ed25519 key (staking refuses keys off the curve
/// or of small order), that of [`rampart_testkit::TestValidator`] `n`.
pub fn consensus_key(n: u8) -> [u8; 32] {
    rampart_testkit::TestValidator::new(n).consensus_pubkey()
}

/// The consensus address of validator `n`.
pub fn cons(n: u8) -> [u8; 20] {
    rampart_testkit::consensus_address(&consensus_key(n))
}

/// `MsgCreateValidator` by `n` (key [`consensus_key`]`(n)`) with `rate_pct` % commission.
pub fn create_validator(n: u8, amount: u128, rate_pct: u32) -> Any {
    CreateValidator {
        commission: rates(rate_pct, 100, 1),
        ..CreateValidator::new(&format!("val-{n}"), n, consensus_key(n), amount)
    }
    .to_any()
}

/// Distribution parameters with no tax and no proposer reward (every fee goes to the signers).
pub fn no_tax() -> serde_json::Value {
    serde_json::json!({"params": {
        "community_tax": "0", "base_proposer_reward": "0",
        "bonus_proposer_reward": "0", "withdraw_addr_enabled": true
    }})
}

/// Staking with distribution's hooks, and the modules in the app's order (auth, bank, staking,
/// mint, distribution).
pub fn modules() -> (StakingModule, Vec<Box<dyn Module>>) {
    let staking = rampart_testkit::module_chain::staking_module(Some(Arc::new(DistributionHooks)));
    let list: Vec<Box<dyn Module>> = vec![
        Box::new(rampart_auth::AuthModule),
        Box::new(rampart_bank::BankModule),
        Box::new(staking.clone()),
        Box::new(MintModule),
        Box::new(DistributionModule),
    ];
    (staking, list)
}

/// Runs every module's genesis over an empty state.
pub fn init_state(app_state: &serde_json::Value) -> AppResult<Overlay<EmptyState>> {
    rampart_testkit::module_chain::init_state(&modules().1, app_state)
}

/// Exports every module's section from `state`.
pub fn export_state(state: &dyn StateRead) -> serde_json::Value {
    rampart_testkit::module_chain::export_state(&modules().1, state)
}

/// Distribution's module account holds exactly what it owes (nothing sends to it from outside).
fn module_account_is_exact(state: &dyn StateRead) {
    let owed = invariants::owed_total(state).unwrap();
    let account = rampart_distribution::module_address();
    for coin in state.balances(&account).unwrap() {
        assert_eq!(
            Decimal::from_ratio(coin.amount.0, 1).unwrap(),
            owed.amount_of(&coin.denom),
            "module balance of {} equals what it owes",
            coin.denom
        );
    }
    for (denom, amount) in owed.iter() {
        assert_eq!(
            Decimal::from_ratio(state.balance(&account, denom).unwrap().0, 1).unwrap(),
            amount
        );
    }
}

/// Distribution chains and what these tests ask of them.
pub trait DistributionChain {
    /// A chain from `app_state` sections (missing sections take defaults; mint defaults to no
    /// inflation so that fees are the only rewards), at height 1 with its first block begun.
    fn with_genesis(app_state: serde_json::Value) -> Self;

    /// A chain with default distribution parameters.
    fn new() -> Self;

    /// A chain where signers get every fee (no tax, no proposer reward).
    fn untaxed() -> Self;

    /// Makes validator `n` the proposer of the following blocks (a block's proposer is paid in
    /// the block after it).
    fn propose(&mut self, n: u8);

    /// Puts `coins` into the fee collector, as the ante handler does with transaction fees.
    fn pay_fees(&mut self, coins: &[(&str, u128)]);

    /// Queries distribution at `Query/<method>`.
    fn query_distribution<Resp: Message + Default>(&self, method: &str, req: impl Message) -> Resp;

    /// Queries distribution, returning the error.
    fn try_query_distribution(&self, method: &str, req: impl Message) -> AppResult<Vec<u8>>;

    /// The pending rewards of `d` at `v` (decimal, in `denom`).
    fn pending(&self, d: u8, v: u8, denom: &str) -> Decimal;
}

impl DistributionChain for Chain {
    fn with_genesis(mut app_state: serde_json::Value) -> Self {
        if app_state.get("mint").is_none() {
            app_state["mint"] =
                serde_json::json!({"params": {"mint_denom": DENOM, "inflation": "0"}});
        }
        // Auth, bank and staking come first in every module chain.
        let (staking, mut more) = modules();
        let more = more.split_off(3);
        let mut chain = Chain::with_modules(staking, more, &app_state)
            .unwrap_or_else(|e| panic!("genesis: {e}"));
        chain.checks.push(module_account_is_exact);
        chain.begin(vec![]);
        chain
    }

    fn new() -> Self {
        Self::with_genesis(serde_json::json!({}))
    }

    fn untaxed() -> Self {
        Self::with_genesis(serde_json::json!({ "distribution": no_tax() }))
    }

    fn propose(&mut self, n: u8) {
        self.proposer = cons(n);
    }

    fn pay_fees(&mut self, coins: &[(&str, u128)]) {
        let collector = rampart_core::Address::module(rampart_auth::FEE_COLLECTOR);
        self.fund_coins(collector, coins);
    }

    fn query_distribution<Resp: Message + Default>(&self, method: &str, req: impl Message) -> Resp {
        let bytes = self
            .try_query_distribution(method, req)
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        Resp::decode(bytes.as_slice()).unwrap()
    }

    fn try_query_distribution(&self, method: &str, req: impl Message) -> AppResult<Vec<u8>> {
        self.try_query(
            &format!("/cosmos.distribution.v1beta1.Query/{method}"),
            &req,
        )
    }

    fn pending(&self, d: u8, v: u8, denom: &str) -> Decimal {
        rampart_distribution::delegation_rewards(&self.state, &addr(d), &addr(v))
            .unwrap()
            .amount_of(denom)
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
