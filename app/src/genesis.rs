//! Genesis `app_state`: a JSON object with one section per module, dispatched in module order,
//! plus the `genutil` section of genesis transactions delivered after them.

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{GenesisContext, StateRead, StateWrite, ValidatorUpdate};

use crate::composition::Modules;
use crate::genutil;

/// Parses `app_state` (empty bytes mean `{}`), refuses sections no module owns, runs every
/// module's `init_genesis`, delivers the genesis transactions and returns the validator set the
/// validator-set owner starts with (`None`: no module owns it, CometBFT's genesis validators
/// stand; an owned but empty set is refused). On `Err` the caller discards `state`.
pub fn init_genesis<S: StateWrite>(
    modules: &Modules,
    state: &mut S,
    ctx: &GenesisContext,
    app_state: &[u8],
) -> AppResult<Option<Vec<ValidatorUpdate>>> {
    let sections = init_modules(modules, state, ctx, app_state)?;
    genutil::deliver(modules, state, ctx, sections.get(genutil::SECTION))?;
    let owned = match modules.validator_set_owner() {
        Some(owner) => owner.genesis_validators(state, ctx)?,
        None => None,
    };
    if owned.as_ref().is_some_and(Vec::is_empty) {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "genesis has no bonded validator: add genesis validators with `rampartd genesis gentx` \
             and `rampartd genesis collect-gentxs` (each needs a self-delegation of at least one \
             unit of consensus power, 1000000 of the bond denom)",
        ));
    }
    Ok(owned)
}

/// The first half of [`init_genesis`]: parses `app_state` and runs every module's
/// `init_genesis` only (no genesis transactions, no validator set); returns the parsed sections.
pub fn init_modules(
    modules: &Modules,
    state: &mut dyn StateWrite,
    ctx: &GenesisContext,
    app_state: &[u8],
) -> AppResult<serde_json::Map<String, serde_json::Value>> {
    let sections = parse_sections(modules, app_state)?;
    for module in modules.iter() {
        module.init_genesis(state, ctx, sections.get(module.name()))?;
    }
    Ok(sections)
}

/// Exports every module's state as an `app_state` object (with an empty `genutil` section: the
/// genesis transactions' effects are in the modules' state).
pub fn export_genesis(modules: &Modules, state: &dyn StateRead) -> AppResult<serde_json::Value> {
    let profile = modules.chain_profile();
    let mut sections = serde_json::Map::new();
    for module in modules.iter() {
        sections.insert(
            module.name().to_owned(),
            module.export_genesis(state, &profile)?,
        );
        rampart_store::crash::reached(rampart_store::crash::CrashPoint::Export);
    }
    sections.insert(
        genutil::SECTION.to_owned(),
        serde_json::json!({ "gen_txs": [] }),
    );
    Ok(serde_json::Value::Object(sections))
}

fn parse_sections(
    modules: &Modules,
    app_state: &[u8],
) -> AppResult<serde_json::Map<String, serde_json::Value>> {
    if app_state.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    let value: serde_json::Value = serde_json::from_slice(app_state).map_err(|e| {
        AppError::sdk(
            SdkCode::JsonUnmarshal,
            format!("genesis app_state is not valid JSON: {e}"),
        )
    })?;
    let serde_json::Value::Object(sections) = value else {
        return Err(AppError::sdk(
            SdkCode::JsonUnmarshal,
            "genesis app_state must be a JSON object with one section per module",
        ));
    };
    if let Some(unknown) = sections
        .keys()
        .find(|name| *name != genutil::SECTION && !modules.iter().any(|m| m.name() == *name))
    {
        let known: Vec<_> = modules.iter().map(|m| m.name()).collect();
        return Err(AppError::sdk(
            SdkCode::JsonUnmarshal,
            format!(
                "unknown module section app_state.{unknown} (known: {})",
                known.join(", ")
            ),
        ));
    }
    Ok(sections)
}
