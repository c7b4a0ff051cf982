//! Genesis transactions (`app_state.genutil.gen_txs`): signed transactions — in practice one
//! `MsgCreateValidator` each, made by `rampartd genesis gentx` — delivered in order during
//! InitChain, after every module's genesis, through the full transaction pipeline with
//! signatures checked against account number 0 (as the Cosmos SDK does).

use base64::Engine;
use rampart_core::context::ExecMode;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{GenesisContext, StateWrite};
use serde::{Deserialize, Serialize};

use crate::composition::Modules;
use crate::exec::{apply_tx, TxEnv};

/// The `app_state` section holding the genesis transactions.
pub const SECTION: &str = "genutil";

/// The `genutil` section: base64-encoded `TxRaw` bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenutilGenesis {
    /// Genesis transactions, delivered in this order.
    #[serde(default)]
    pub gen_txs: Vec<String>,
}

/// Delivers every genesis transaction of `section` over `state`; the first failure names the
/// transaction's index and the error, and the caller discards `state`.
pub fn deliver<S: StateWrite>(
    modules: &Modules,
    state: &mut S,
    ctx: &GenesisContext,
    section: Option<&serde_json::Value>,
) -> AppResult<()> {
    let genesis: GenutilGenesis = rampart_core::module::genesis_section(SECTION, section)?;
    let block = ctx.block();
    let env = TxEnv {
        block: &block,
        mode: ExecMode::Genesis,
        min_gas_prices: &[],
        signatures: None,
    };
    for (index, encoded) in genesis.gen_txs.iter().enumerate() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|e| {
                AppError::sdk(
                    SdkCode::JsonUnmarshal,
                    format!("app_state.genutil.gen_txs[{index}] is not base64: {e}"),
                )
            })?;
        let outcome = apply_tx(modules, state, &env, &bytes);
        if let Err(e) = outcome.result {
            return Err(AppError::new(
                e.codespace,
                e.code,
                format!("app_state.genutil.gen_txs[{index}]: {}", e.log),
            ));
        }
    }
    Ok(())
}
