//! `rampartd genesis …`: genesis accounts and validators through genesis transactions
//! (`add-account`, `gentx`, `collect-gentxs`, `validate`). The logic is in
//! [`crate::genutil`].

use std::path::PathBuf;

use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};

use super::prompt::KeysCommon;
use super::{print_json, HomeArg, Output, OutputArg};
use crate::genutil::dry_run::ValidatorSource;
use crate::genutil::{self, Commission, GenesisFile, GentxRequest};
use crate::home::Home;
use rampart_client::address::ACCOUNT_PREFIX;
use rampart_client::coins::{format_coins, parse_coin, parse_coins};
use rampart_client::keys::Keyring;
use rampart_core::Address;

/// `rampartd genesis`.
#[derive(Debug, Args)]
pub struct GenesisCommand {
    #[command(subcommand)]
    command: GenesisSubcommand,
}

#[derive(Debug, Subcommand)]
enum GenesisSubcommand {
    /// Give an account a balance in genesis.json (app_state.bank.balances).
    AddAccount {
        /// The account: a rampart1… address or the name of a key in the keyring.
        address_or_key_name: String,
        /// The coins, e.g. 1000000uramp or 5uatom,1000000uramp.
        coins: String,
        /// Add the coins to an existing balance instead of refusing it.
        #[arg(long)]
        append: bool,
        #[command(flatten)]
        common: KeysCommon,
    },
    /// Sign a genesis transaction creating this node's validator (written to
    /// <home>/config/gentx/gentx-<node_id>.json).
    Gentx(GentxArgs),
    /// Put every gentx into genesis.json (app_state.genutil.gen_txs, empty `validators`) and
    /// the other validators' addresses into config.toml's persistent_peers.
    CollectGentxs {
        /// Directory of gentx files (*.json, taken in file-name order); defaults to
        /// <home>/config/gentx.
        #[arg(long)]
        gentx_dir: Option<PathBuf>,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        output: OutputArg,
    },
    /// Check a genesis file by running the application's InitChain on a scratch store, and
    /// show the validator set it yields.
    Validate {
        /// The genesis file; defaults to <home>/config/genesis.json.
        file: Option<PathBuf>,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        output: OutputArg,
    },
}

/// `rampartd genesis gentx`.
#[derive(Debug, Args)]
struct GentxArgs {
    /// Name of the operator key in the keyring (it signs and self-delegates).
    key_name: String,
    /// The self-delegation, e.g. 100000000uramp.
    amount: String,
    /// Chain id; must match genesis.json.
    #[arg(long)]
    chain_id: String,
    /// Validator moniker; defaults to `moniker` in config.toml.
    #[arg(long)]
    moniker: Option<String>,
    /// Initial commission rate.
    #[arg(long, default_value = "0.10")]
    commission_rate: String,
    /// Maximum commission rate.
    #[arg(long, default_value = "0.20")]
    commission_max_rate: String,
    /// Maximum daily change of the commission rate.
    #[arg(long, default_value = "0.01")]
    commission_max_change_rate: String,
    /// Minimum self-delegation the validator must keep (integer, in the bond denom).
    #[arg(long, default_value_t = 1)]
    min_self_delegation: u128,
    /// The node's IP (or host name) other validators dial.
    #[arg(long, default_value = genutil::DEFAULT_IP)]
    ip: String,
    /// The node's P2P port; defaults to the port of p2p.laddr in config.toml.
    #[arg(long)]
    p2p_port: Option<u16>,
    /// Write the gentx here instead of <home>/config/gentx/gentx-<node_id>.json.
    #[arg(long)]
    output_document: Option<PathBuf>,
    #[command(flatten)]
    common: KeysCommon,
}

impl GenesisCommand {
    /// Runs the subcommand.
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            GenesisSubcommand::AddAccount {
                address_or_key_name,
                coins,
                append,
                common,
            } => add_account(&address_or_key_name, &coins, append, &common),
            GenesisSubcommand::Gentx(args) => gentx(args),
            GenesisSubcommand::CollectGentxs {
                gentx_dir,
                home,
                output,
            } => {
                let home = Home::new(home.home);
                let dir = gentx_dir.unwrap_or_else(|| genutil::gentx_dir(&home));
                let collected = genutil::collect_gentxs(&home, &dir)?;
                if output.output == Output::Json {
                    return print_json(&collected);
                }
                for doc in &collected.validators {
                    println!(
                        "- {} {} {} ({})",
                        doc.moniker, doc.operator_address, doc.amount, doc.memo
                    );
                }
                println!(
                    "collected {} gentx(s) from {} into {}",
                    collected.validators.len(),
                    dir.display(),
                    collected.genesis.display()
                );
                println!(
                    "persistent_peers = {:?} in {}",
                    collected.persistent_peers,
                    collected.config_toml.display()
                );
                Ok(())
            }
            GenesisSubcommand::Validate { file, home, output } => {
                let path = file.unwrap_or_else(|| Home::new(home.home).genesis());
                let report = genutil::validate_genesis(&path)?;
                if output.output == Output::Json {
                    return print_json(&report);
                }
                println!(
                    "{} is valid: chain {}, {} gentx(s), app hash {}",
                    report.file.display(),
                    report.chain_id,
                    report.gen_txs,
                    report.app_hash
                );
                println!(
                    "validators ({}):",
                    match report.source {
                        ValidatorSource::App => "from the application's InitChain",
                        ValidatorSource::GenesisFile => "from genesis.json `validators`",
                    }
                );
                for v in &report.validators {
                    println!(
                        "- moniker: {}  operator: {}  power: {}  pubkey: {}",
                        v.moniker, v.operator, v.power, v.consensus_pubkey
                    );
                }
                Ok(())
            }
        }
    }
}

fn add_account(
    account: &str,
    coins: &str,
    append: bool,
    common: &KeysCommon,
) -> anyhow::Result<()> {
    let coins = parse_coins(coins)?;
    if coins.is_empty() {
        return Err(anyhow!("no coins given (e.g. 1000000uramp)"));
    }
    let home = Home::new(&common.home.home);
    let address = resolve_account(account, &common.keyring.keyring(home.root()))?;
    let mut genesis = GenesisFile::load(&home.genesis())?;
    let balance = genesis.add_account(&address, &coins, append)?;
    genesis.save()?;
    match common.output.output {
        Output::Json => print_json(&serde_json::json!({
            "address": address,
            "balance": format_coins(&balance),
            "genesis": genesis.path(),
        })),
        Output::Text => {
            println!(
                "{address} has {} in {}",
                format_coins(&balance),
                genesis.path().display()
            );
            Ok(())
        }
    }
}

/// A `rampart1…` address as given, or the address of the key named `account`.
fn resolve_account(account: &str, keyring: &Keyring) -> anyhow::Result<String> {
    if account.starts_with(&format!("{ACCOUNT_PREFIX}1")) {
        return Address::from_bech32(account, ACCOUNT_PREFIX)
            .map(|a| a.to_bech32(ACCOUNT_PREFIX))
            .map_err(|e| anyhow!("{}", e.log));
    }
    keyring.show(account).map(|r| r.address).with_context(|| {
        format!("{account:?} is neither a {ACCOUNT_PREFIX}1… address nor a key in the keyring")
    })
}

fn gentx(args: GentxArgs) -> anyhow::Result<()> {
    let home = Home::new(&args.common.home.home);
    let amount = parse_coin(&args.amount)?;
    let commission = Commission::parse(
        &args.commission_rate,
        &args.commission_max_rate,
        &args.commission_max_change_rate,
    )?;
    let keyring = args.common.keyring.keyring(home.root());
    let passphrase = args.common.keyring.passphrase(false)?;
    let key = keyring.private_key(&args.key_name, passphrase.as_deref().map(String::as_str))?;
    let request = GentxRequest {
        chain_id: args.chain_id,
        amount,
        moniker: args.moniker,
        commission,
        min_self_delegation: args.min_self_delegation,
        ip: args.ip,
        p2p_port: args.p2p_port,
        output: args.output_document,
    };
    let (path, document) = genutil::create_gentx(&home, &key, &request)?;
    match args.common.output.output {
        Output::Json => print_json(&serde_json::json!({ "file": path, "gentx": document })),
        Output::Text => {
            println!(
                "genesis transaction of {} ({}, {}) written to {}",
                document.moniker,
                document.operator_address,
                document.amount,
                path.display()
            );
            Ok(())
        }
    }
}
