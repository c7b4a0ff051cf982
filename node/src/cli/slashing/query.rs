//! `rampartd query slashing signing-info|signing-infos|params`: the `cosmos.slashing.v1beta1`
//! queries.

use anyhow::{anyhow, Context};
use clap::Subcommand;
use cosmos_sdk_proto::cosmos::slashing::v1beta1 as pb;
use rampart_client::address::{self, CONSENSUS_PREFIX};

use crate::cli::args::QueryOptions;
use crate::cli::output::{Doc, Printer};

/// `rampartd query slashing`.
#[derive(Debug, Subcommand)]
pub enum SlashingQuery {
    /// The slashing parameters.
    Params {
        /// Node and output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// A validator's liveness record: missed blocks, jail end, tombstone.
    SigningInfo {
        /// The validator's consensus address (rampartvalcons1…) or operator address
        /// (rampartvaloper1…, looked up in staking).
        validator: String,
        /// Node and output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Every validator's liveness record.
    SigningInfos {
        /// Node and output format.
        #[command(flatten)]
        options: QueryOptions,
    },
}

fn signing_info(out: &Printer, info: &pb::ValidatorSigningInfo) -> Doc {
    Doc::Map(vec![
        ("address", Doc::str(&info.address)),
        ("start_height", out.int(info.start_height)),
        ("index_offset", out.int(info.index_offset)),
        ("jailed_until", out.time(info.jailed_until.as_ref())),
        ("tombstoned", Doc::Bool(info.tombstoned)),
        ("missed_blocks_counter", out.int(info.missed_blocks_counter)),
    ])
}

/// The `LegacyDec` bytes of slashing's params as a decimal.
fn dec_bytes(out: &Printer, bytes: &[u8]) -> Doc {
    out.dec(&String::from_utf8_lossy(bytes))
}

/// The consensus address of `text`: itself when it is a `rampartvalcons1…`, else the address of
/// the consensus key of the validator it operates.
async fn consensus_address(options: &QueryOptions, text: &str) -> anyhow::Result<String> {
    if text.starts_with(CONSENSUS_PREFIX) {
        return Ok(text.to_owned());
    }
    let validator = address::validator(text, "validator address")?;
    let response = options
        .node
        .client()?
        .staking()
        .validator(validator.as_ref())
        .await?;
    let key = response
        .validator
        .and_then(|v| v.consensus_pubkey)
        .ok_or_else(|| anyhow!("the node returned {validator} without a consensus key"))?;
    // An ed25519 `PubKey` message: field 1, 32 bytes.
    let raw = key
        .value
        .get(2..34)
        .context("the consensus key is not an ed25519 key")?;
    Ok(address::consensus_address_of_key(raw))
}

impl SlashingQuery {
    /// Asks the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            SlashingQuery::Params { options } => {
                let response = options.node.client()?.slashing().params().await?;
                let params = response.params.unwrap_or_default();
                let out = Printer::plain(options.output.output);
                let jail = params
                    .downtime_jail_duration
                    .map(|d| format!("{}s", d.seconds))
                    .unwrap_or_default();
                out.print(&Doc::Map(vec![(
                    "params",
                    Doc::Map(vec![
                        ("signed_blocks_window", out.int(params.signed_blocks_window)),
                        (
                            "min_signed_per_window",
                            dec_bytes(&out, &params.min_signed_per_window),
                        ),
                        ("downtime_jail_duration", Doc::str(jail)),
                        (
                            "slash_fraction_double_sign",
                            dec_bytes(&out, &params.slash_fraction_double_sign),
                        ),
                        (
                            "slash_fraction_downtime",
                            dec_bytes(&out, &params.slash_fraction_downtime),
                        ),
                    ]),
                )]))
            }
            SlashingQuery::SigningInfo { validator, options } => {
                let cons_address = consensus_address(&options, &validator).await?;
                let node = options.node.client()?;
                let response = node.slashing().signing_info(&cons_address).await?;
                let out = Printer::plain(options.output.output);
                let info = response.val_signing_info.unwrap_or_default();
                out.print(&Doc::Map(vec![(
                    "val_signing_info",
                    signing_info(&out, &info),
                )]))
            }
            SlashingQuery::SigningInfos { options } => {
                let infos = options.node.client()?.slashing().signing_infos().await?;
                let out = Printer::plain(options.output.output);
                let list = infos.iter().map(|i| signing_info(&out, i)).collect();
                out.print(&Doc::Map(vec![("info", Doc::List(list))]))
            }
        }
    }
}
