//! The `app_state.mint` genesis section:
//!
//! ```json
//! {
//!   "params": { "mint_denom": "uramp", "inflation": "0.070000000000000000" },
//!   "minter": { "last_block_time": "2024-01-01T00:00:00Z", "carry": "0" }
//! }
//! ```
//!
//! Both parts are optional. Without `minter` the previous block time is the genesis time and the
//! carry zero (a new chain). Minting never counts time before the genesis time: the clock starts
//! at the later of `minter.last_block_time` and the genesis time, so a template written before
//! its genesis time was chosen (as `rampartd init` does) mints nothing for the years in between,
//! and a chain restarted from an export does not mint the halt.

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{GenesisContext, StateRead, StateWrite};
use rampart_proto::rampart::mint::v1 as pb;

use crate::state::{self, MintParams, Minter};

/// The genesis section, `rampart.mint.v1.GenesisState` in proto3 JSON (proto field names,
/// unknown fields refused).
pub type MintGenesis = pb::GenesisState;

fn bad(why: String) -> AppError {
    AppError::sdk(SdkCode::JsonUnmarshal, format!("app_state.mint: {why}"))
}

/// Validates and writes the section; the genesis time starts the clock when `minter` is absent.
pub fn init(state: &mut dyn StateWrite, ctx: &GenesisContext, g: &MintGenesis) -> AppResult<()> {
    let params = match &g.params {
        None => MintParams::default(),
        Some(p) => MintParams {
            mint_denom: p.mint_denom.clone(),
            inflation: p
                .inflation
                .parse()
                .map_err(|e: AppError| bad(format!("inflation: {}", e.log)))?,
        },
    };
    params.validate().map_err(|e| bad(e.log))?;
    state::set_params(state, &params)?;
    let minter = match &g.minter {
        None => Minter {
            last_block_time: ctx.genesis_time,
            carry: 0,
        },
        Some(m) => Minter {
            last_block_time: rampart_core::wire::parse_rfc3339(
                &m.last_block_time,
                "app_state.mint: last_block_time",
            )?
            .max(ctx.genesis_time),
            carry: m
                .carry
                .parse()
                .map_err(|e| bad(format!("carry {:?}: {e}", m.carry)))?,
        },
    };
    state::set_minter(state, &minter).map_err(|e| bad(e.log))
}

/// Reads the section back (always with the minter).
pub fn export(state: &dyn StateRead) -> AppResult<MintGenesis> {
    let params = state::params(state)?;
    let minter = state::minter(state)?;
    Ok(MintGenesis {
        params: Some(pb::Params {
            mint_denom: params.mint_denom,
            inflation: params.inflation.to_string(),
        }),
        minter: Some(pb::Minter {
            last_block_time: rampart_core::wire::rfc3339(minter.last_block_time),
            carry: minter.carry.to_string(),
        }),
    })
}
