//! The mint module ([`Component`]): genesis, the per-block provision and the queries.

use rampart_auth::{AuthWrite, FEE_COLLECTOR};
use rampart_bank::{BankRead, BankWrite, Coin};
use std::convert::Infallible;

use rampart_core::error::AppResult;
use rampart_core::{Address, BlockScope, ChainProfile, Component, QueryContext};
use rampart_core::{BlockContext, Decimal, Event, Events, GenesisContext};
use rampart_core::{StateRead, StateWrite};

use crate::genesis::{self, MintGenesis};
use crate::math::provision;
use crate::query::{self, PATHS};
use crate::state::{self, Minter};

/// The module name and genesis section.
pub const NAME: &str = "mint";
/// The module account that mints (permission `minter`).
pub const MINT_ACCOUNT: &str = "mint";
/// The staking module account holding bonded tokens, read for the `bonded_ratio` attribute.
pub const BONDED_POOL: &str = "bonded_tokens_pool";

/// The mint module.
#[derive(Debug, Default, Clone, Copy)]
pub struct MintModule;

/// Runs one block's provision: mints into the `mint` account, sends to the fee collector,
/// advances the minter and emits `mint`. Returns the minted amount.
pub fn mint_block(
    state: &mut dyn StateWrite,
    ctx: &BlockContext,
    events: &mut Events,
) -> AppResult<Coin> {
    let params = state::params(state)?;
    let minter = state::minter(state)?;
    let now = ctx.time;
    let elapsed = now
        .unix_nanos()
        .checked_sub(minter.last_block_time.unix_nanos())
        .and_then(|d| u128::try_from(d).ok())
        .unwrap_or(0);
    let supply = state.supply_of(&params.mint_denom)?;
    let (minted, carry) = provision(supply, params.inflation, elapsed, minter.carry)?;
    let coin = Coin {
        denom: params.mint_denom.clone(),
        amount: minted,
    };
    if !minted.is_zero() {
        let mint_account = Address::module(MINT_ACCOUNT);
        let coins = [coin.clone()];
        state.mint(&mint_account, &coins, events)?;
        state.send(
            &mint_account,
            &Address::module(FEE_COLLECTOR),
            &coins,
            events,
        )?;
    }
    state::set_minter(
        state,
        &Minter {
            last_block_time: now.max(minter.last_block_time),
            carry,
        },
    )?;
    let bonded = state.balance(&Address::module(BONDED_POOL), &params.mint_denom)?;
    let bonded_ratio = if supply.is_zero() {
        Decimal::ZERO
    } else {
        // A pool balance above the supply is impossible; min() keeps the ratio ≤ 1 regardless.
        Decimal::from_ratio(bonded.0.min(supply.0), supply.0)?
    };
    events.push(
        Event::new("mint")
            .attr("bonded_ratio", bonded_ratio.to_string())
            .attr("inflation", params.inflation.to_string())
            .attr(
                "annual_provisions",
                query::annual_provisions(state, &params)?.to_string(),
            )
            .attr("amount", minted.to_string()),
    );
    Ok(coin)
}

impl Component for MintModule {
    const NAME: &'static str = NAME;
    const QUERY_PATHS: &'static [&'static str] = PATHS;
    type Genesis = MintGenesis;
    type Msg = Infallible;

    /// The minter and parameters, then the `mint` module account (permission `minter`).
    fn import(state: &mut dyn StateWrite, ctx: &GenesisContext, g: Self::Genesis) -> AppResult<()> {
        genesis::init(state, ctx, &g)?;
        state.claim_module_account(MINT_ACCOUNT, &["minter"])
    }

    fn export(state: &dyn StateRead, _profile: &ChainProfile) -> AppResult<Self::Genesis> {
        genesis::export(state)
    }

    fn answer(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        query::answer(ctx.state, path, request)
    }

    /// The block's provision ([`mint_block`]).
    fn begin_block(&self, block: BlockScope<'_>) -> AppResult<()> {
        mint_block(block.state, block.ctx, block.events).map(|_| ())
    }
}
