//! The shared genesis, built the way a real network builds it (`rampartd genesis …`, called as
//! a library): node 0's `genesis.json` funds the faucet and every operator (`add-account`) and
//! gets the localnet staking profile; every node's operator signs a gentx in its own home
//! (`gentx`); node 0 collects them (`collect-gentxs`) and the result is copied to every node.
//! At InitChain the application creates the validators from those gentxs.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use rampart_client::coins::parse_coin;
use rampartd::genutil::network::{self, NetworkGenesis};
use rampartd::genutil::GenesisFile;
use serde_json::Value;

pub use rampartd::genutil::network::GenesisNode;

use crate::accounts::{self, OPERATOR_KEY};

/// Every localnet validator's self-delegation: 100 RAMP, i.e. consensus power 100.
pub const SELF_DELEGATION: u128 = 100_000_000;

/// The localnet staking profile's unbonding time (the SDK default is 21 days), short enough
/// for end-to-end tests to watch unbonding complete.
pub const UNBONDING_TIME_SECS: i64 = 60;

/// The localnet slashing profile's liveness window (production: 10,000 blocks): with one-second
/// blocks, a stopped validator is jailed about 11 s after it stops.
pub const SIGNED_BLOCKS_WINDOW: u64 = 20;

/// The localnet slashing profile's downtime jail (production: 10 minutes).
pub const DOWNTIME_JAIL_SECS: u64 = 20;

/// The localnet restaking and liquid profiles' epoch (production: 600 blocks): every 5 blocks,
/// about 5 s, the provider recomputes each consumer's validator set, so a pledge change reaches
/// a running consumer chain within seconds (the relayer relays at every epoch), and the liquid
/// module compounds its rewards and sends its unbonding batch out.
pub const BLOCKS_PER_EPOCH: u64 = 5;

/// The localnet's slash-meter replenish period: a throttled consumer's downtime is handled
/// again within seconds (production: an hour).
pub const SLASH_METER_PERIOD_SECS: u64 = 10;

/// Builds one genesis from node 0's and writes it to every node, through
/// [`rampartd::genutil::network::write_shared_genesis`] with the localnet profile
/// ([`apply_localnet_profile`]), every node's [`OPERATOR_KEY`] self-delegating
/// [`SELF_DELEGATION`] and its gentx memo at `127.0.0.1`.
///
/// `nodes` are in index order; `accounts` are `(address, amount of uramp)` funded at genesis
/// and must include every node's operator with at least [`SELF_DELEGATION`]. Progress goes to
/// stderr.
pub fn write_shared_genesis(nodes: &[GenesisNode<'_>], accounts: &[(String, u128)]) -> Result<()> {
    let accounts = accounts
        .iter()
        .map(|(address, amount)| Ok((address.clone(), parse_coin(&accounts::coins_text(*amount))?)))
        .collect::<Result<Vec<_>>>()?;
    let network = NetworkGenesis {
        operator_key: OPERATOR_KEY,
        self_delegation: parse_coin(&accounts::coins_text(SELF_DELEGATION))?,
        genesis_time: rfc3339_now(),
        accounts: &accounts,
    };
    network::write_shared_genesis(nodes, &network, apply_localnet_profile)
}

/// Sets the localnet profile, which makes unbonding and slashing observable in a minute or two:
/// unbonding takes [`UNBONDING_TIME_SECS`]; the liveness window is [`SIGNED_BLOCKS_WINDOW`]
/// blocks (half must be signed) and downtime jails for [`DOWNTIME_JAIL_SECS`]. The slash
/// fractions keep their production values (5 % double sign, 0.01 % downtime). Consumer
/// validator sets are recomputed every [`BLOCKS_PER_EPOCH`] blocks (a consumer's own
/// `blocks_per_epoch`, when it sets one, still wins), and so are the liquid module's epochs
/// (compounding, unbonding batches); consumer slash meters replenish every
/// [`SLASH_METER_PERIOD_SECS`].
pub fn apply_localnet_profile(genesis: &mut GenesisFile) -> Result<()> {
    set_params(
        genesis,
        "restaking",
        &[("blocks_per_epoch", Value::from(BLOCKS_PER_EPOCH))],
    )?;
    set_params(
        genesis,
        "liquid",
        &[("epoch_blocks", Value::from(BLOCKS_PER_EPOCH))],
    )?;
    set_params(
        genesis,
        "consumer",
        &[(
            "slash_meter_period_seconds",
            Value::from(SLASH_METER_PERIOD_SECS.to_string()),
        )],
    )?;
    set_params(
        genesis,
        "staking",
        &[("unbonding_time_seconds", Value::from(UNBONDING_TIME_SECS))],
    )?;
    set_params(
        genesis,
        "slashing",
        &[
            ("signed_blocks_window", Value::from(SIGNED_BLOCKS_WINDOW)),
            ("min_signed_per_window", Value::from("0.5")),
            (
                "downtime_jail_duration_seconds",
                Value::from(DOWNTIME_JAIL_SECS),
            ),
        ],
    )
}

fn set_params(genesis: &mut GenesisFile, module: &str, values: &[(&str, Value)]) -> Result<()> {
    let path = genesis.path().display().to_string();
    let params = genesis
        .doc_mut()
        .pointer_mut(&format!("/app_state/{module}/params"))
        .and_then(Value::as_object_mut)
        .with_context(|| {
            format!("{path} has no app_state.{module}.params (is {module} composed into the app?)")
        })?;
    for (key, value) in values {
        params.insert((*key).into(), value.clone());
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
pub(crate) fn rfc3339(unix_secs: u64, nanos: u32) -> String {
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
    use rampartd::genutil;
    use rampartd::home::Home;
    use std::fs;

    #[test]
    fn genesis_validators_come_from_gentxs() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let names = ["node0", "node1"];
        let homes: Vec<PathBuf> = names.iter().map(|n| dir.path().join(n)).collect();
        let mut funded = vec![];
        for (name, home) in names.iter().zip(&homes) {
            rampartd::init::init(&Home::new(home), name, "genesis-test", false)?;
            funded.push((accounts::new_operator(home)?, accounts::OPERATOR_FUNDS));
        }
        funded.push((accounts::new_faucet()?.address, accounts::FAUCET_FUNDS));
        let nodes: Vec<GenesisNode<'_>> = names
            .iter()
            .zip(&homes)
            .zip([26656, 26756])
            .map(|((name, home), p2p_port)| GenesisNode {
                name,
                home,
                ip: "127.0.0.1",
                p2p_port,
            })
            .collect();
        write_shared_genesis(&nodes, &funded)?;

        let text = fs::read_to_string(genesis_path(&homes[0]))?;
        assert_eq!(text, fs::read_to_string(genesis_path(&homes[1]))?);
        let genesis: Value = serde_json::from_str(&text)?;
        assert_eq!(genesis["validators"], serde_json::json!([]));
        assert_eq!(
            genesis["app_state"]["staking"]["params"]["unbonding_time_seconds"],
            UNBONDING_TIME_SECS
        );
        assert_eq!(
            genesis["app_state"]["slashing"]["params"]["signed_blocks_window"],
            SIGNED_BLOCKS_WINDOW
        );
        assert_eq!(
            genesis["app_state"]["restaking"]["params"]["blocks_per_epoch"],
            BLOCKS_PER_EPOCH
        );
        assert_eq!(
            genesis["app_state"]["liquid"]["params"]["epoch_blocks"],
            BLOCKS_PER_EPOCH
        );
        let report = genutil::validate_genesis(&genesis_path(&homes[0]))?;
        let mut monikers: Vec<(String, u64)> = report
            .validators
            .iter()
            .map(|v| (v.moniker.clone(), v.power))
            .collect();
        monikers.sort();
        assert_eq!(monikers, [("node0".into(), 100), ("node1".into(), 100)]);
        let config = fs::read_to_string(homes[0].join("config/config.toml"))?;
        assert!(
            config.contains("@127.0.0.1:26756\""),
            "node0 peers with node1"
        );
        Ok(())
    }

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
