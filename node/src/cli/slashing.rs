//! `rampartd tx slashing unjail` and `rampartd query slashing signing-info|signing-infos|params`:
//! the `cosmos.slashing.v1beta1` message and queries.

use anyhow::{anyhow, Context};
use clap::Subcommand;
use cosmos_sdk_proto::cosmos::slashing::v1beta1 as pb;
use cosmos_sdk_proto::cosmos::staking::v1beta1::{QueryValidatorRequest, QueryValidatorResponse};
use sha2::{Digest, Sha256};

use super::query::QueryOptions;
use super::staking::{any, ask, Doc, Render};
use super::tx::FromOptions;
use crate::client::address;

/// Type URL of `MsgUnjail`.
pub const UNJAIL: &str = "/cosmos.slashing.v1beta1.MsgUnjail";

const QUERY: &str = "/cosmos.slashing.v1beta1.Query/";

/// Bech32 prefix of consensus addresses.
const VALCONS_PREFIX: &str = "rampartvalcons";

/// `rampartd tx slashing`.
#[derive(Debug, Subcommand)]
pub enum SlashingTx {
    /// Unjail the validator the --from key operates (after its jail period; never when
    /// tombstoned).
    Unjail {
        /// The operator key (--from) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
}

impl SlashingTx {
    /// Builds, signs and broadcasts the transaction.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            SlashingTx::Unjail { options } => {
                options
                    .send(|signer| {
                        let validator = signer.operator()?;
                        Ok((
                            format!("unjail {validator}"),
                            vec![any(
                                UNJAIL,
                                &pb::MsgUnjail {
                                    validator_addr: validator.to_string(),
                                },
                            )],
                        ))
                    })
                    .await
            }
        }
    }
}

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

fn signing_info(render: &Render, info: &pb::ValidatorSigningInfo) -> Doc {
    Doc::Map(vec![
        ("address", Doc::str(&info.address)),
        ("start_height", render.int(info.start_height)),
        ("index_offset", render.int(info.index_offset)),
        ("jailed_until", render.time(info.jailed_until.as_ref())),
        ("tombstoned", Doc::Bool(info.tombstoned)),
        (
            "missed_blocks_counter",
            render.int(info.missed_blocks_counter),
        ),
    ])
}

/// The `LegacyDec` bytes of slashing's params as a decimal.
fn dec_bytes(render: &Render, bytes: &[u8]) -> Doc {
    render.dec(&String::from_utf8_lossy(bytes))
}

/// The consensus address of `text`: itself when it is a `rampartvalcons1…`, else the address of
/// the consensus key of the validator it operates.
async fn consensus_address(options: &QueryOptions, text: &str) -> anyhow::Result<String> {
    if text.starts_with(VALCONS_PREFIX) {
        return Ok(text.to_owned());
    }
    let validator = address::validator(text, "validator address")?;
    let response: QueryValidatorResponse = ask(
        options,
        "/cosmos.staking.v1beta1.Query/Validator",
        &QueryValidatorRequest {
            validator_addr: validator.to_string(),
        },
    )
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
    let digest = Sha256::digest(raw);
    Ok(cosmrs::AccountId::new(VALCONS_PREFIX, &digest[..20])
        .map_err(|e| anyhow!("consensus address: {e}"))?
        .to_string())
}

impl SlashingQuery {
    /// Asks the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        let path = |method: &str| format!("{QUERY}{method}");
        match self {
            SlashingQuery::Params { options } => {
                let response: pb::QueryParamsResponse =
                    ask(&options, &path("Params"), &pb::QueryParamsRequest {}).await?;
                let params = response.params.unwrap_or_default();
                let render = Render::plain(options.output.output);
                let jail = params
                    .downtime_jail_duration
                    .map(|d| format!("{}s", d.seconds))
                    .unwrap_or_default();
                render.print(&Doc::Map(vec![(
                    "params",
                    Doc::Map(vec![
                        (
                            "signed_blocks_window",
                            render.int(params.signed_blocks_window),
                        ),
                        (
                            "min_signed_per_window",
                            dec_bytes(&render, &params.min_signed_per_window),
                        ),
                        ("downtime_jail_duration", Doc::str(jail)),
                        (
                            "slash_fraction_double_sign",
                            dec_bytes(&render, &params.slash_fraction_double_sign),
                        ),
                        (
                            "slash_fraction_downtime",
                            dec_bytes(&render, &params.slash_fraction_downtime),
                        ),
                    ]),
                )]))
            }
            SlashingQuery::SigningInfo { validator, options } => {
                let cons_address = consensus_address(&options, &validator).await?;
                let response: pb::QuerySigningInfoResponse = ask(
                    &options,
                    &path("SigningInfo"),
                    &pb::QuerySigningInfoRequest { cons_address },
                )
                .await?;
                let render = Render::plain(options.output.output);
                let info = response.val_signing_info.unwrap_or_default();
                render.print(&Doc::Map(vec![(
                    "val_signing_info",
                    signing_info(&render, &info),
                )]))
            }
            SlashingQuery::SigningInfos { options } => {
                let infos = options
                    .node
                    .client()?
                    .grpc_query_pages(
                        &path("SigningInfos"),
                        |pagination| pb::QuerySigningInfosRequest {
                            pagination: Some(pagination),
                        },
                        |r: pb::QuerySigningInfosResponse| (r.info, r.pagination),
                    )
                    .await?;
                let render = Render::plain(options.output.output);
                let list = infos.iter().map(|i| signing_info(&render, i)).collect();
                render.print(&Doc::Map(vec![("info", Doc::List(list))]))
            }
        }
    }
}
