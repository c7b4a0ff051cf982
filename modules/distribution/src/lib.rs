//! The distribution module: fees and inflation to the community pool, the block proposer,
//! validators (commission) and delegators, with the Cosmos SDK `x/distribution` messages,
//! queries and events — and a cumulative **reward-per-share index** instead of the SDK's
//! periods and historical records.
//!
//! # Each block ([`allocation::allocate_block`])
//!
//! `begin_block` takes the whole `fee_collector` balance (all denoms: the previous block's fees
//! plus this block's mint, since mint runs first) into the `distribution` module account and
//! splits it as SDK v0.46 `AllocateTokens` does, for the previous block's commit:
//!
//! - the previous block's proposer (recorded at every begin block for the next) gets
//!   `base_proposer_reward + bonus_proposer_reward × signed power / total power` of the fees
//!   (`proposer_reward{amount, validator}`);
//! - `1 − that − community_tax` goes to the validators that **signed** the previous block, each
//!   `power / signed power` of it, with power as reported in the vote;
//! - everything else — the community tax, rounding, the shares of signers or a proposer that are
//!   not staking validators — goes to the community pool. With no signers (first block, empty
//!   commit) the whole balance goes to the pool; an empty collector allocates nothing.
//!
//! Amounts are `DecCoins` with 18 decimals ([`DecCoins`]); every product rounds down, and the
//! community pool takes what rounding leaves, so allocation neither creates nor loses an atto.
//!
//! # Per validator ([`allocation::credit_validator`])
//!
//! `commission = share × commission rate` accumulates as the validator's commission; the rest
//! raises the validator's index, per denom: `index += delegators' part / delegator_shares`. This
//! is O(1) per validator per block — delegators are never iterated. The whole share is added to
//! the validator's *outstanding rewards* (the SDK's `ValidatorOutstandingRewards`), from which
//! every payout is subtracted. Events: `commission{amount, validator}`,
//! `rewards{amount, validator}` (the SDK's, amounts in `DecCoins` text).
//!
//! A validator with no delegator shares (all delegations gone, not yet removed) has nobody to
//! share with: its delegators' part goes to the community pool, as in the SDK. So does the part
//! of a validator whose shares are so few that the index would leave the decimal range.
//!
//! # Per delegation ([`rewards`])
//!
//! A delegation stores the index it last settled at. Its pending rewards are
//! `shares × (index_now − index_settled)`, paid as whole coins on withdrawal; the fraction
//! (and the index's own rounding dust) stays in the module account as part of the validator's
//! outstanding rewards. Staking calls [`DistributionHooks`] before **every** change of a
//! delegation's shares (delegate, undelegate, redelegate on both sides, cancel-unbonding, the
//! slashing of a redelegation): the hook pays the pending rewards to the withdraw address
//! (`withdraw_rewards{amount, validator, delegator}`) and settles the delegation at the current
//! index; a new delegation just records the current index. Between two settlements a
//! delegation's shares are constant, so the formula is exact, and since the delegations' shares
//! sum to the validator's `delegator_shares`, the rewards promised never exceed the rewards
//! allocated.
//!
//! # Why slashing needs no special handling
//!
//! The SDK records slash events because its rewards are per *token* of stake, and a slash
//! changes how many tokens a delegation is worth. Here the index is per *share*. A slash lowers
//! the validator's tokens and leaves every delegation's shares — and `delegator_shares` —
//! unchanged, so both the index increments after the slash and every delegation's claim on them
//! are exactly what they were: a slashed delegator keeps its full share of rewards earned
//! before the slash, and after it earns per share like everyone else (each share is simply
//! backed by fewer tokens, so a new delegation buys more shares for the same tokens). The only
//! slash that changes shares — cutting a redelegation's destination delegation — goes through
//! staking's unbond path, which calls the hook first.
//!
//! # Messages, queries, genesis
//!
//! [`msgs`]: `MsgSetWithdrawAddress`, `MsgWithdrawDelegatorReward`,
//! `MsgWithdrawValidatorCommission`, `MsgFundCommunityPool`, with the SDK's signers, responses
//! and events. [`queries`]: the `cosmos.distribution.v1beta1.Query` methods wallets use.
//! [`genesis`]: parameters, pool, withdraw addresses, previous proposer, the validator records
//! and the settled indexes, round-tripping exactly. [`errors`]: the SDK's `distribution` codes.
//! [`invariants`]: solvency checks for test harnesses. Other modules pay validators through
//! [`allocate_to_validator`].
//!
//! Domain/component split: without the default `component` feature only the domain part
//! builds (errors, [`DecCoins`], [`urls`]); the state machine needs `component`.

pub mod dec_coins;
pub mod errors;
pub mod urls;

// The state machine.
#[cfg(feature = "component")]
pub mod allocation;
#[cfg(feature = "component")]
pub mod genesis;
#[cfg(feature = "component")]
pub mod invariants;
#[cfg(feature = "component")]
pub mod keys;
#[cfg(feature = "component")]
pub mod module;
#[cfg(feature = "component")]
pub mod msgs;
#[cfg(feature = "component")]
pub mod params;
#[cfg(feature = "component")]
pub mod queries;
#[cfg(feature = "component")]
pub mod rewards;
#[cfg(feature = "component")]
pub mod state;

#[cfg(feature = "component")]
pub use allocation::{allocate_to_validator, fund_community_pool, Terms};
pub use dec_coins::DecCoins;
pub use errors::{DistributionCode, CODESPACE};
#[cfg(feature = "component")]
pub use genesis::DistributionGenesis;
#[cfg(feature = "component")]
pub use module::{DistributionModule, NAME};
#[cfg(feature = "component")]
pub use params::DistributionParams;
#[cfg(feature = "component")]
pub use rewards::{delegation_rewards, DistributionHooks};
#[cfg(feature = "component")]
pub use state::{module_address, ValidatorRewards, MODULE_ACCOUNT};
