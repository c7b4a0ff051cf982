//! The shared genesis, built the way a real network builds it (`rampartd genesis …`, called as
//! a library): node 0's `genesis.json` funds the faucet and every operator (`add-account`) and
//! gets the localnet staking profile; every node's operator signs a gentx in its own home
//! (`gentx`); node 0 collects them (`collect-gentxs`) and the result is copied to every node.
//! At InitChain the application creates the validators from those gentxs.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use rampart_client::coins::parse_coin;
use rampart_client::keys::keyring::{Backend, Keyring};
use rampartd::genutil::{self, Commission, GenesisFile, GentxRequest};
use rampartd::home::Home;
use serde_json::Value;

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

/// The localnet restaking profile's epoch (production: 600 blocks): every 5 blocks, about 5 s,
/// the provider recomputes each consumer's validator set, so a pledge change reaches a running
/// consumer chain within seconds (the relayer relays at every epoch).
pub const BLOCKS_PER_EPOCH: u64 = 5;

/// The localnet's slash-meter replenish period: a throttled consumer's downtime is handled
/// again within seconds (production: an hour).
pub const SLASH_METER_PERIOD_SECS: u64 = 10;

/// A node taking part in genesis.
#[derive(Clone, Copy, Debug)]
pub struct GenesisNode<'a> {
    /// Its name (`node{i}`), used as the validator moniker.
    pub name: &'a str,
    /// Its home (initialised, with its operator key in the `test` keyring as [`OPERATOR_KEY`]).
    pub home: &'a Path,
    /// Its P2P port, written in its gentx memo.
    pub p2p_port: u16,
}

/// Builds one genesis from node 0's and writes it to every node (see the module docs).
///
/// `nodes` are in index order; `accounts` are `(address, amount of uramp)` funded at genesis
/// and must include every node's operator with at least [`SELF_DELEGATION`]. Progress goes to
/// stderr.
pub fn write_shared_genesis(nodes: &[GenesisNode<'_>], accounts: &[(String, u128)]) -> Result<()> {
    let Some(first) = nodes.first() else {
        return Ok(());
    };
    let collector = Home::new(first.home);
    let mut genesis = GenesisFile::load(&collector.genesis())?;
    genesis.doc_mut()["genesis_time"] = Value::String(rfc3339_now());
    apply_localnet_profile(&mut genesis)?;
    for (address, amount) in accounts {
        let coins = vec![parse_coin(&accounts::coins_text(*amount))?];
        genesis.add_account(address, &coins, false)?;
    }
    for node in nodes {
        genesis.save_as(&genesis_path(node.home))?;
    }
    let chain_id = genesis.chain_id()?.to_owned();

    let gentx_dir = genutil::gentx_dir(&collector);
    for (index, node) in nodes.iter().enumerate() {
        let home = Home::new(node.home);
        let key = Keyring::open(node.home, Backend::Test).private_key(OPERATOR_KEY, None)?;
        let request = GentxRequest {
            chain_id: chain_id.clone(),
            amount: parse_coin(&accounts::coins_text(SELF_DELEGATION))?,
            moniker: Some(node.name.to_owned()),
            commission: Commission::default(),
            min_self_delegation: 1,
            ip: genutil::DEFAULT_IP.into(),
            p2p_port: Some(node.p2p_port),
            output: None,
        };
        let (path, gentx) = genutil::create_gentx(&home, &key, &request)
            .with_context(|| format!("{}: creating its gentx", node.name))?;
        eprintln!(
            "  {}: gentx {} {} self-delegating {}",
            node.name, gentx.moniker, gentx.operator_address, gentx.amount
        );
        if index > 0 {
            let name = path.file_name().context("a gentx file has a name")?;
            fs::create_dir_all(&gentx_dir)
                .with_context(|| format!("failed to create {}", gentx_dir.display()))?;
            fs::copy(&path, gentx_dir.join(name))
                .with_context(|| format!("failed to copy {} to node0", path.display()))?;
        }
    }
    let collected = genutil::collect_gentxs(&collector, &gentx_dir)?;
    eprintln!(
        "  {}: collected {} gentx(s) into {}",
        first.name,
        collected.validators.len(),
        collected.genesis.display()
    );
    for node in &nodes[1..] {
        let target = genesis_path(node.home);
        fs::copy(&collected.genesis, &target)
            .with_context(|| format!("failed to copy the genesis to {}", target.display()))?;
    }
    Ok(())
}

/// Sets the localnet profile, which makes unbonding and slashing observable in a minute or two:
/// unbonding takes [`UNBONDING_TIME_SECS`]; the liveness window is [`SIGNED_BLOCKS_WINDOW`]
/// blocks (half must be signed) and downtime jails for [`DOWNTIME_JAIL_SECS`]. The slash
/// fractions keep their production values (5 % double sign, 0.01 % downtime). Consumer
/// validator sets are recomputed every [`BLOCKS_PER_EPOCH`] blocks (a consumer's own
/// `blocks_per_epoch`, when it sets one, still wins), and consumer slash meters replenish every
/// [`SLASH_METER_PERIOD_SECS`].
pub fn apply_localnet_profile(genesis: &mut GenesisFile) -> Result<()> {
    set_params(
        genesis,
        "restaking",
        &[("blocks_per_epoch", Value::from(BLOCKS_PER_EPOCH))],
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
