//! `rampartd keys …`: manage account keys in the keyring.

use anyhow::bail;
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use super::prompt::{confirm, read_mnemonic, KeysCommon};
use super::{print_json, Output};
use rampart_client::address::with_prefix;
use rampart_client::address::VALIDATOR_PREFIX;
use rampart_client::keys::{mnemonic, AccountKey, KeyRecord, KeyType};

/// `rampartd keys`.
#[derive(Debug, Args)]
pub struct KeysCommand {
    #[command(subcommand)]
    command: KeysSubcommand,
}

#[derive(Debug, Subcommand)]
enum KeysSubcommand {
    /// Create a key (a new 24-word mnemonic, printed once) or recover one from a mnemonic.
    Add {
        /// Name of the key in the keyring.
        name: String,
        /// Read a BIP-39 mnemonic from stdin instead of generating one.
        #[arg(long)]
        recover: bool,
        /// Signature scheme; both derive at m/44'/118'/0'/0/0.
        #[arg(long, value_enum, default_value_t = KeyType::Secp256k1)]
        key_type: KeyType,
        #[command(flatten)]
        common: KeysCommon,
    },
    /// List the keys in the keyring.
    List {
        #[command(flatten)]
        common: KeysCommon,
    },
    /// Show a key's address and public key.
    Show {
        /// Name of the key.
        name: String,
        /// Address kind to show: account (`rampart1…`) or validator operator
        /// (`rampartvaloper1…`).
        #[arg(long, value_enum, default_value_t = Bech::Acc)]
        bech: Bech,
        /// Print only the address.
        #[arg(long, short = 'a')]
        address: bool,
        #[command(flatten)]
        common: KeysCommon,
    },
    /// Delete a key (asks for confirmation unless --yes).
    Delete {
        /// Name of the key.
        name: String,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
        #[command(flatten)]
        common: KeysCommon,
    },
    /// Print a key's private key in clear (hex); anyone who sees it controls the account.
    Export {
        /// Name of the key.
        name: String,
        #[command(flatten)]
        common: KeysCommon,
    },
}

/// The address kinds of `keys show --bech`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Bech {
    /// Account address (`rampart`).
    Acc,
    /// Validator operator address (`rampartvaloper`).
    Val,
}

/// `keys add` output: the key, plus the mnemonic of a new key.
#[derive(Serialize)]
struct Added<'a> {
    #[serde(flatten)]
    record: &'a KeyRecord,
    #[serde(skip_serializing_if = "Option::is_none")]
    mnemonic: Option<&'a str>,
}

/// `keys export` output.
#[derive(Serialize)]
struct Exported<'a> {
    name: &'a str,
    key_type: KeyType,
    address: &'a str,
    private_key_hex: &'a str,
}

impl KeysCommand {
    /// Runs the subcommand.
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            KeysSubcommand::Add {
                name,
                recover,
                key_type,
                common,
            } => add(&name, recover, key_type, &common),
            KeysSubcommand::List { common } => {
                let records = common.keyring.keyring(&common.home.home).list()?;
                match common.output.output {
                    Output::Json => print_json(&records),
                    Output::Text => {
                        if records.is_empty() {
                            eprintln!(
                                "no keys in the {} keyring",
                                common.keyring.keyring_backend.name()
                            );
                        }
                        records.iter().for_each(|r| println!("{}", record_text(r)));
                        Ok(())
                    }
                }
            }
            KeysSubcommand::Show {
                name,
                bech,
                address,
                common,
            } => show(&name, bech, address, &common),
            KeysSubcommand::Delete { name, yes, common } => {
                let keyring = common.keyring.keyring(&common.home.home);
                let record = keyring.show(&name)?;
                if !yes && !confirm(&format!("Delete key {name} ({})?", record.address))? {
                    bail!("aborted: key {name} was not deleted");
                }
                keyring.delete(&name)?;
                match common.output.output {
                    Output::Json => print_json(&record),
                    Output::Text => {
                        println!("deleted key {name} ({})", record.address);
                        Ok(())
                    }
                }
            }
            KeysSubcommand::Export { name, common } => {
                let keyring = common.keyring.keyring(&common.home.home);
                let record = keyring.show(&name)?;
                let passphrase = common.keyring.passphrase(false)?;
                let key = keyring.private_key(&name, passphrase.as_deref().map(String::as_str))?;
                let private_key_hex = zeroize::Zeroizing::new(hex::encode(key.secret_bytes()));
                eprintln!(
                    "WARNING: this is the unencrypted private key of {name}; keep it secret."
                );
                match common.output.output {
                    Output::Json => print_json(&Exported {
                        name: &name,
                        key_type: record.key_type,
                        address: &record.address,
                        private_key_hex: &private_key_hex,
                    }),
                    Output::Text => {
                        println!("{}", private_key_hex.as_str());
                        Ok(())
                    }
                }
            }
        }
    }
}

fn add(name: &str, recover: bool, key_type: KeyType, common: &KeysCommon) -> anyhow::Result<()> {
    let keyring = common.keyring.keyring(&common.home.home);
    if keyring.show(name).is_ok() {
        bail!(
            "a key named {name:?} already exists in {}",
            keyring.dir().display()
        );
    }
    let phrase = if recover {
        mnemonic::parse(&read_mnemonic()?)?
    } else {
        mnemonic::generate()
    };
    let key = AccountKey::from_mnemonic(&phrase, key_type)?;
    let passphrase = common.keyring.passphrase(true)?;
    let record = keyring.add(name, &key, passphrase.as_deref().map(String::as_str))?;
    let words = zeroize::Zeroizing::new(phrase.to_string());
    let shown_mnemonic = (!recover).then_some(words.as_str());
    match common.output.output {
        Output::Json => print_json(&Added {
            record: &record,
            mnemonic: shown_mnemonic,
        }),
        Output::Text => {
            println!("{}", record_text(&record));
            if let Some(words) = shown_mnemonic {
                println!(
                    "\n**Important** write this mnemonic phrase in a safe place.\n\
                     It is the only way to recover your account if you ever forget your password.\n\n{words}"
                );
            }
            Ok(())
        }
    }
}

fn show(name: &str, bech: Bech, address_only: bool, common: &KeysCommon) -> anyhow::Result<()> {
    let mut record = common.keyring.keyring(&common.home.home).show(name)?;
    if bech == Bech::Val {
        let account: cosmrs::AccountId = record
            .address
            .parse()
            .map_err(|e| anyhow::anyhow!("corrupt address in key {name}: {e}"))?;
        record.address = with_prefix(&account, VALIDATOR_PREFIX)?.to_string();
    }
    if address_only {
        println!("{}", record.address);
        return Ok(());
    }
    match common.output.output {
        Output::Json => print_json(&record),
        Output::Text => {
            println!("{}", record_text(&record));
            Ok(())
        }
    }
}

fn record_text(record: &KeyRecord) -> String {
    format!(
        "- name: {}\n  type: {}\n  address: {}\n  pubkey: '{}'",
        record.name, record.key_type, record.address, record.pubkey
    )
}
