//! The staking tests' fixture: a chain of auth, bank and staking run block by block over an
//! in-memory overlay ([`rampart_testkit::ModuleChain`], staking's tokens held by the production
//! bank seam), and the shorthands these tests use (account `n` is the address `[n; 20]`, its
//! consensus key [`consensus_key`]`(key)`).
#![allow(dead_code)] // each test binary (and the benchmark) uses a different subset

use cosmos_sdk_proto::cosmos::staking::v1beta1::CommissionRates;
use rampart_core::{Address, AppResult, Events};
use rampart_staking::params::StakingParams;
use rampart_staking::{slash, Infraction, SlashOutcome};
use tendermint_proto::google::protobuf::Any;

pub use rampart_testkit::module_chain::ModuleChain as Chain;
pub use rampart_testkit::msgs::*;
#[allow(unused_imports)] // the cost test and the benchmark name no account
pub use rampart_testkit::party::*;

/// Staking chains by their parameters.
pub trait StakingChain {
    /// A chain with `params` in staking's genesis, at height 1.
    fn new(params: StakingParams) -> Self;

    /// Short unbonding (100 s), `max_validators`, 7 entries.
    fn with_max(max_validators: u32) -> Self;

    /// [`StakingChain::with_max`] with validators: for every `(n, stake)`, operator `n` funded
    /// with 10,000,000 and its validator created with `stake`.
    fn with_validators(max_validators: u32, validators: &[(u8, u128)]) -> Self;
}

impl StakingChain for Chain {
    fn new(params: StakingParams) -> Self {
        Chain::staking(serde_json::json!({ "params": params }))
    }

    fn with_max(max_validators: u32) -> Self {
        Self::new(StakingParams {
            unbonding_time_seconds: 100,
            max_validators,
            ..StakingParams::default()
        })
    }

    fn with_validators(max_validators: u32, validators: &[(u8, u128)]) -> Self {
        let mut chain = Self::with_max(max_validators);
        for &(n, stake) in validators {
            chain.fund(n, 10_000_000);
            chain.deliver(&create_validator(n, stake));
        }
        chain
    }
}

/// Slashes the validator of operator `n` for `infraction` at the chain's time, as slashing does
/// through staking's ports.
pub fn slash_validator(
    chain: &mut Chain,
    n: u8,
    infraction: Infraction,
) -> AppResult<SlashOutcome> {
    let module = chain.staking.clone();
    let now = chain.time;
    slash(
        &mut chain.state,
        module.ports(),
        &addr(n),
        infraction,
        now,
        &mut Events::new(),
    )
}

/// The consensus key of key byte `key`: a real ed25519 key (staking refuses keys off the curve
/// or of small order), that of [`rampart_testkit::TestValidator`] `key`.
pub fn consensus_key(key: u8) -> [u8; 32] {
    rampart_testkit::TestValidator::new(key).consensus_pubkey()
}

/// MsgCreateValidator by operator `n` with consensus key [`consensus_key`]`(key)`.
pub fn create_validator_with(
    n: u8,
    key: u8,
    amount: u128,
    min_self: u128,
    commission: CommissionRates,
) -> Any {
    CreateValidator {
        min_self_delegation: min_self,
        commission,
        ..CreateValidator::new(&format!("val-{n}"), n, consensus_key(key), amount)
    }
    .to_any()
}

/// MsgCreateValidator by operator `n` (key byte `n`, 10 % commission, min self 1).
pub fn create_validator(n: u8, amount: u128) -> Any {
    create_validator_with(n, n, amount, 1, rates(10, 20, 1))
}

/// The `i`-th of many delegators: `0xd0…` with `i` in its first four bytes.
pub fn delegator(i: u32) -> Address {
    let mut a = [0xd0; 20];
    a[..4].copy_from_slice(&i.to_be_bytes());
    Address(a)
}
