//! `rampartd testnet`: the homes of a new network whose validators run on separate machines,
//! one ready home per host — keys, one genesis built from every validator's gentx
//! ([`crate::genutil::network`], as `cargo localnet` builds its own), `persistent_peers` by host
//! address, ports and `app.toml`. Copy `DIR/<host>` to each host and run `rampartd start` and
//! `cometbft start` there (docs/DEPLOY.md).

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use rampart_client::keys::hd::{AccountKey, KeyType};
use rampart_client::keys::keyring::{Backend, Keyring};
use rampart_client::keys::mnemonic;
use toml_edit::{value, DocumentMut};

use crate::config::AppToml;
use crate::genutil::network::{write_shared_genesis, GenesisNode, NetworkGenesis};
use crate::genutil::{node_keys, Peer};
use crate::home::Home;

/// The operator key's name in each home's `test` keyring.
pub const OPERATOR_KEY: &str = "validator";
/// CometBFT's P2P port on every host.
pub const P2P_PORT: u16 = 26656;
/// CometBFT's RPC port on every host.
pub const RPC_PORT: u16 = 26657;
/// rampartd's ABCI port on every host.
pub const ABCI_PORT: u16 = 26658;
/// rampartd's gRPC port on every host.
pub const GRPC_PORT: u16 = 9090;

/// `rampartd testnet`: write one validator home per host.
///
/// Each host gets `DIR/<host>/`: CometBFT's config and keys, rampartd's app.toml, the operator
/// key `validator` in the home's `test` keyring (unencrypted: move the funds to a real key
/// for anything but a test network), and the shared genesis, whose validators come from every
/// operator's gentx. P2P listens on the host's address (port 26656) and dials the others at
/// theirs; RPC (26657), ABCI (26658) and gRPC (9090) stay on 127.0.0.1, except for loopback
/// hosts (a rehearsal on one machine), where they listen on the host's own address.
#[derive(Debug, Args)]
pub struct TestnetCommand {
    /// Number of validators: one per host.
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u16).range(1..=100))]
    pub validators: u16,
    /// The hosts' addresses as the other validators reach them (IP addresses or DNS names),
    /// comma-separated, one per validator.
    #[arg(long, value_delimiter = ',', required = true)]
    pub hosts: Vec<String>,
    /// Directory to write the homes to (`DIR/<host>/`); must not exist yet or be empty.
    #[arg(long, value_name = "DIR")]
    pub output: PathBuf,
    /// Chain id of the new network.
    #[arg(long, default_value = "rampart-testnet")]
    pub chain_id: String,
    /// Each operator's genesis balance, in uramp.
    #[arg(long, default_value_t = 1_000_000_000_000)]
    pub operator_funds: u128,
    /// Each validator's self-delegation, in uramp (100 RAMP is consensus power 100).
    #[arg(long, default_value_t = 100_000_000)]
    pub self_delegation: u128,
}

/// One host's home, as written.
#[derive(Debug, Clone)]
pub struct HostHome {
    /// The host's address.
    pub host: String,
    /// The home directory.
    pub home: PathBuf,
    /// Its CometBFT node id.
    pub node_id: String,
    /// Its operator account (`rampart1…`).
    pub operator: String,
}

impl TestnetCommand {
    /// Writes the homes and prints where each goes.
    pub fn run(self) -> Result<()> {
        let homes = self.write()?;
        println!(
            "wrote {} validator home(s) for chain {} in {}:",
            homes.len(),
            self.chain_id,
            self.output.display()
        );
        for home in &homes {
            println!(
                "  {}: {} (node {}, operator {})",
                home.host,
                home.home.display(),
                home.node_id,
                home.operator
            );
        }
        println!(
            "next: copy each home to its host, then there run `rampartd start --home H` and \
             `cometbft start --home H` (docs/DEPLOY.md)"
        );
        Ok(())
    }

    /// Writes every host's home; returns them in `--hosts` order.
    pub fn write(&self) -> Result<Vec<HostHome>> {
        self.check()?;
        let mut homes = Vec::with_capacity(self.hosts.len());
        for (index, host) in self.hosts.iter().enumerate() {
            let home = self.output.join(host);
            let moniker = format!("validator{index}");
            crate::init::init(&Home::new(&home), &moniker, &self.chain_id, false)
                .with_context(|| format!("initialising the home of {host}"))?;
            let key = AccountKey::from_mnemonic(&mnemonic::generate(), KeyType::Secp256k1)?;
            let operator = Keyring::open(&home, Backend::Test)
                .add(OPERATOR_KEY, &key, None)
                .with_context(|| format!("storing the operator key of {host}"))?
                .address;
            homes.push(HostHome {
                host: host.clone(),
                node_id: node_keys::node_id(&Home::new(&home))?,
                home,
                operator,
            });
        }
        let monikers: Vec<String> = (0..homes.len()).map(|i| format!("validator{i}")).collect();
        let nodes: Vec<GenesisNode<'_>> = homes
            .iter()
            .zip(&monikers)
            .map(|(h, name)| GenesisNode {
                name,
                home: &h.home,
                ip: &h.host,
                p2p_port: P2P_PORT,
            })
            .collect();
        let accounts: Vec<(String, Coin)> = homes
            .iter()
            .map(|h| (h.operator.clone(), uramp(self.operator_funds)))
            .collect();
        write_shared_genesis(
            &nodes,
            &NetworkGenesis {
                operator_key: OPERATOR_KEY,
                self_delegation: uramp(self.self_delegation),
                genesis_time: tendermint::Time::now().to_rfc3339(),
                accounts: &accounts,
            },
            |_| Ok(()),
        )?;
        let peers: Vec<Peer> = homes
            .iter()
            .map(|h| Peer::new(&h.node_id, &h.host, P2P_PORT))
            .collect::<Result<_>>()?;
        let loopback_rehearsal = self.hosts.iter().any(|h| is_loopback(h));
        for home in &homes {
            let others = crate::genutil::peer::persistent_peers(&peers, &home.node_id);
            configure(home, &others, loopback_rehearsal)?;
        }
        Ok(homes)
    }

    /// The arguments agree: one distinct host per validator, an empty output directory.
    fn check(&self) -> Result<()> {
        if self.hosts.len() != usize::from(self.validators) {
            bail!(
                "--validators {} needs as many --hosts, got {}",
                self.validators,
                self.hosts.len()
            );
        }
        let mut distinct = std::collections::BTreeSet::new();
        for host in &self.hosts {
            if host.is_empty() || host.contains(['/', ':', '@', ' ']) {
                bail!("--hosts: {host:?} is not a host name or IP address");
            }
            if !distinct.insert(host) {
                bail!("--hosts names {host} twice: one validator per host");
            }
        }
        if self.self_delegation > self.operator_funds {
            bail!("--self-delegation is larger than --operator-funds");
        }
        let occupied = std::fs::read_dir(&self.output).is_ok_and(|mut d| d.next().is_some());
        if occupied {
            bail!("{} is not empty", self.output.display());
        }
        Ok(())
    }
}

/// Points one home's config.toml and app.toml at its host: P2P on the host's address, the
/// other validators as persistent peers, local services on 127.0.0.1 (or on the host's own
/// loopback address in a one-machine rehearsal, where several share the machine).
fn configure(home: &HostHome, peers: &str, loopback_rehearsal: bool) -> Result<()> {
    let local = if is_loopback(&home.host) {
        home.host.clone()
    } else {
        "127.0.0.1".to_string()
    };
    let p2p_listen = match home.host.parse::<IpAddr>() {
        Ok(_) => home.host.clone(),
        Err(_) => "0.0.0.0".to_string(), // a DNS name: listen everywhere
    };
    let h = Home::new(&home.home);
    edit_toml(&h.config_toml(), |doc| {
        doc["proxy_app"] = value(format!("tcp://{local}:{ABCI_PORT}"));
        doc["p2p"]["laddr"] = value(format!("tcp://{p2p_listen}:{P2P_PORT}"));
        doc["p2p"]["external_address"] = value(format!("{}:{P2P_PORT}", home.host));
        doc["p2p"]["persistent_peers"] = value(peers);
        // Loopback and private addresses are fine between these hosts; several nodes of a
        // rehearsal reach each other from 127.0.0.1.
        doc["p2p"]["addr_book_strict"] = value(false);
        doc["p2p"]["allow_duplicate_ip"] = value(loopback_rehearsal);
        doc["rpc"]["laddr"] = value(format!("tcp://{local}:{RPC_PORT}"));
        doc["rpc"]["pprof_laddr"] = value("");
    })?;
    let mut app = AppToml::load(&h.app_toml())?;
    app.abci.address = format!("{local}:{ABCI_PORT}").parse()?;
    app.grpc.address = format!("{local}:{GRPC_PORT}").parse()?;
    app.cometbft.rpc = format!("http://{local}:{RPC_PORT}");
    app.save(&h.app_toml())
}

/// True for an IP address in 127.0.0.0/8 (or ::1).
fn is_loopback(host: &str) -> bool {
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `amount` uramp.
fn uramp(amount: u128) -> Coin {
    Coin {
        denom: crate::genutil::DEFAULT_BOND_DENOM.into(),
        amount: amount.to_string(),
    }
}

/// Reads, edits and rewrites one TOML file, keeping its comments.
fn edit_toml(path: &Path, edit: impl FnOnce(&mut DocumentMut)) -> Result<()> {
    let mut doc: DocumentMut = Home::read_file(path)?
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    edit(&mut doc);
    std::fs::write(path, doc.to_string())
        .with_context(|| format!("failed to write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(hosts: &[&str], output: &Path) -> TestnetCommand {
        TestnetCommand {
            validators: u16::try_from(hosts.len()).unwrap_or(0),
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            output: output.to_path_buf(),
            chain_id: "testnet-test".into(),
            operator_funds: 1_000_000_000,
            self_delegation: 100_000_000,
        }
    }

    #[test]
    fn writes_one_home_per_host_with_peers_by_address() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let homes = command(&["10.0.0.1", "10.0.0.2"], dir.path()).write()?;
        assert_eq!(homes.len(), 2);
        let genesis = |h: &HostHome| std::fs::read_to_string(Home::new(&h.home).genesis());
        assert_eq!(genesis(&homes[0])?, genesis(&homes[1])?);
        let report = crate::genutil::validate_genesis(&Home::new(&homes[1].home).genesis())?;
        assert_eq!(report.validators.len(), 2);
        let config = std::fs::read_to_string(Home::new(&homes[1].home).config_toml())?;
        assert!(
            config.contains(&format!("{}@10.0.0.1:26656", homes[0].node_id)),
            "{config}"
        );
        assert!(config.contains("tcp://10.0.0.2:26656"), "{config}");
        let app = AppToml::load(&Home::new(&homes[1].home).app_toml())?;
        assert_eq!(app.grpc.address.to_string(), "127.0.0.1:9090");
        Ok(())
    }

    #[test]
    fn bad_arguments_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut twice = command(&["10.0.0.1", "10.0.0.1"], dir.path());
        assert!(twice.write().is_err());
        twice.hosts = vec!["10.0.0.1".into()];
        let err = twice
            .write()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("needs as many --hosts"), "{err}");
        assert!(command(&["host:1"], dir.path()).write().is_err());
    }
}
