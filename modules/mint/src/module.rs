//! The mint [`Module`]: genesis, the per-block provision and the queries.

use rampart_auth::{AuthWrite, FEE_COLLECTOR};
use rampart_bank::{BankRead, BankWrite, Coin};
use rampart_core::error::AppResult;
use rampart_core::module::{import_section, to_section};
use rampart_core::{Address, ChainProfile, QueryContext};
use rampart_core::{BlockContext, Decimal, Event, Events, GenesisContext, Module};
use rampart_core::{StateRead, StateWrite};
use serde_json::Value;

use crate::genesis;
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

impl Module for MintModule {
    fn name(&self) -> &'static str {
        NAME
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        ctx: &GenesisContext,
        section: Option<&Value>,
    ) -> AppResult<()> {
        import_section(NAME, section, |g| genesis::init(state, ctx, g))?;
        state.claim_module_account(MINT_ACCOUNT, &["minter"])
    }

    fn export_genesis(&self, state: &dyn StateRead, _profile: &ChainProfile) -> AppResult<Value> {
        to_section(self.name(), &genesis::export(state)?)
    }

    fn begin_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockContext,
        events: &mut Events,
    ) -> AppResult<()> {
        mint_block(state, ctx, events).map(|_| ())
    }

    fn query_paths(&self) -> &'static [&'static str] {
        PATHS
    }

    fn query(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        query::answer(ctx.state, path, request)
    }
}
