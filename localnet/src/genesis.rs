//! The shared genesis: node0's `genesis.json` with every node as a validator.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde_json::Value;

use crate::keys::ValidatorKey;

/// Voting power of every localnet validator.
pub const VALIDATOR_POWER: u64 = 10;

/// Builds one genesis from node 0's and writes it to every node.
///
/// `nodes` is `(name, home)` in index order. The validator set becomes every
/// node's key from `config/priv_validator_key.json` with power
/// [`VALIDATOR_POWER`], `balances` become the bank's genesis balances, and
/// `genesis_time` is set to now.
pub fn write_shared_genesis(nodes: &[(String, PathBuf)], balances: Value) -> Result<()> {
    let Some((_, first_home)) = nodes.first() else {
        return Ok(());
    };
    let source = genesis_path(first_home);
    let text = fs::read_to_string(&source)
        .with_context(|| format!("failed to read {}", source.display()))?;
    let mut genesis: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", source.display()))?;

    let mut validators = Vec::with_capacity(nodes.len());
    for (name, home) in nodes {
        validators.push(ValidatorKey::read(home)?.genesis_entry(name, VALIDATOR_POWER));
    }
    let object = genesis
        .as_object_mut()
        .with_context(|| format!("{} is not a JSON object", source.display()))?;
    object.insert("validators".into(), Value::Array(validators));
    object.insert("genesis_time".into(), Value::String(rfc3339_now()));
    genesis["app_state"]["bank"]["balances"] = balances;

    let mut out = serde_json::to_string_pretty(&genesis).context("failed to encode genesis")?;
    out.push('\n');
    for (_, home) in nodes {
        let path = genesis_path(home);
        fs::write(&path, &out).with_context(|| format!("failed to write {}", path.display()))?;
    }
    Ok(())
}

/// `<home>/config/genesis.json`.
pub fn genesis_path(node_home: &Path) -> PathBuf {
    node_home.join("config").join("genesis.json")
}

/// The current UTC time as RFC 3339 with nanoseconds, as CometBFT writes it.
pub fn rfc3339_now() -> String {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    rfc3339(since_epoch.as_secs(), since_epoch.subsec_nanos())
}

/// Formats a Unix timestamp as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
fn rfc3339(unix_secs: u64, nanos: u32) -> String {
    let days = unix_secs / 86_400;
    let secs_of_day = unix_secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{nanos:09}Z",
        secs_of_day / 3600,
        secs_of_day % 3600 / 60,
        secs_of_day % 60
    )
}

/// Days since 1970-01-01 → (year, month, day); Howard Hinnant's algorithm.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_timestamps() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(rfc3339(951_782_400, 5), "2000-02-29T00:00:00.000000005Z");
        assert_eq!(
            rfc3339(1_795_756_065, 711_373_092),
            "2026-11-27T05:07:45.711373092Z"
        );
    }
}
