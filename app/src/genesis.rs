//! Genesis `app_state`: a JSON object with one section per module, dispatched in module order.

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{GenesisContext, StateRead, StateWrite};

use crate::composition::Modules;

/// Parses `app_state` (empty bytes mean `{}`), refuses sections no module owns, and runs every
/// module's `init_genesis`. On `Err` the caller discards `state`.
pub fn init_genesis(
    modules: &Modules,
    state: &mut dyn StateWrite,
    ctx: &GenesisContext,
    app_state: &[u8],
) -> AppResult<()> {
    let sections = parse_sections(modules, app_state)?;
    for module in modules.iter() {
        module.init_genesis(state, ctx, sections.get(module.name()))?;
    }
    Ok(())
}

/// Exports every module's state as an `app_state` object.
pub fn export_genesis(modules: &Modules, state: &dyn StateRead) -> AppResult<serde_json::Value> {
    let mut sections = serde_json::Map::new();
    for module in modules.iter() {
        sections.insert(module.name().to_owned(), module.export_genesis(state)?);
    }
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
        .find(|name| !modules.iter().any(|m| m.name() == *name))
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
