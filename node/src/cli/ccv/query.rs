//! `rampartd query ccv provider-client|consensus-state|applied-vsc|validators|params`, asked of
//! a consumer chain's node.

use clap::Subcommand;
use rampart_client::address;
use rampart_proto::rampart::ccv::v1 as pb;

use crate::cli::args::QueryOptions;
use crate::cli::output::{consumer_validator, params_doc, query_doc, table, Doc, Printer};

/// `rampartd query ccv`.
#[derive(Debug, Subcommand)]
pub enum CcvQuery {
    /// The light client of the provider: chain id, latest trusted height and time, expiry,
    /// trusting period, clock drift, whether misbehaviour froze it.
    ProviderClient {
        /// The consumer node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// A trusted provider header: time, app hash, next validators hash, header hash.
    ConsensusState {
        /// The provider height (default: the latest trusted).
        height: Option<u64>,
        /// The consumer node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The highest validator-set-change packet applied, and the provider height it was
    /// computed at.
    AppliedVsc {
        /// The consumer node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The consumer's validator set as the provider dictates it, with the provider operators.
    Validators {
        /// The consumer node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The consumer's cross-chain parameters (consumer id, liveness window).
    Params {
        /// The consumer node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
}

impl CcvQuery {
    /// Queries the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            CcvQuery::ProviderClient { options } => {
                query_doc(
                    &options,
                    |node| async move { node.ccv().provider_client().await },
                    provider_client,
                )
                .await
            }
            CcvQuery::ConsensusState { height, options } => {
                query_doc(
                    &options,
                    |node| async move { node.ccv().consensus_state(height.unwrap_or(0)).await },
                    |out, cs| Doc::Map(vec![("consensus_state", consensus_state(out, &cs))]),
                )
                .await
            }
            CcvQuery::AppliedVsc { options } => {
                query_doc(
                    &options,
                    |node| async move { node.ccv().applied_vsc().await },
                    |out, r| {
                        Doc::Map(vec![
                            ("vsc_id", out.int(r.vsc_id)),
                            ("provider_height", out.int(r.provider_height)),
                        ])
                    },
                )
                .await
            }
            CcvQuery::Validators { options } => {
                let validators = options.node.client()?.ccv().validators().await?;
                let out = Printer::plain(options.output.output);
                if out.json() {
                    let list = validators.iter().map(|v| validator(&out, v)).collect();
                    return out.print(&Doc::Map(vec![("validators", Doc::List(list))]));
                }
                print!("{}", validators_table(&validators));
                Ok(())
            }
            CcvQuery::Params { options } => {
                query_doc(
                    &options,
                    |node| async move { node.ccv().params().await },
                    |out, p| {
                        params_doc(vec![
                            ("consumer_id", out.int(p.consumer_id)),
                            ("signed_blocks_window", out.int(p.signed_blocks_window)),
                            ("min_signed_per_window", out.dec(&p.min_signed_per_window)),
                        ])
                    },
                )
                .await
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

fn provider_client(out: &Printer, r: pb::QueryProviderClientResponse) -> Doc {
    let c = r.client.unwrap_or_default();
    let mut entries = vec![
        ("chain_id", Doc::str(&c.chain_id)),
        ("latest_height", out.int(c.latest_height)),
    ];
    out.opt_time(&mut entries, "latest_time", r.latest_time.as_ref());
    out.opt_time(&mut entries, "expires_at", r.expires_at.as_ref());
    entries.extend([
        (
            "trusting_period_seconds",
            out.int(c.trusting_period_seconds),
        ),
        (
            "max_clock_drift_seconds",
            out.int(c.max_clock_drift_seconds),
        ),
        ("frozen", Doc::Bool(r.frozen)),
        ("frozen_height", out.int(c.frozen_height)),
    ]);
    Doc::Map(vec![("provider_client", Doc::Map(entries))])
}

fn consensus_state(out: &Printer, cs: &pb::ConsensusState) -> Doc {
    let mut entries = vec![("height", out.int(cs.height))];
    out.opt_time(&mut entries, "time", cs.time.as_ref());
    entries.extend([
        ("app_hash", Doc::Str(hex::encode_upper(&cs.app_hash))),
        (
            "next_validators_hash",
            Doc::Str(hex::encode_upper(&cs.next_validators_hash)),
        ),
        ("header_hash", Doc::Str(hex::encode_upper(&cs.header_hash))),
    ]);
    Doc::Map(entries)
}

/// A consumer validator, with its consensus address on the consumer (derived from the key).
fn validator(out: &Printer, v: &pb::ConsumerValidator) -> Doc {
    consumer_validator(out, &v.consumer_pubkey, v.power, &v.provider_operator)
}

/// The text answer of `query ccv validators`: a table and the total power.
fn validators_table(validators: &[pb::ConsumerValidator]) -> String {
    if validators.is_empty() {
        return "no validators\n".into();
    }
    let mut rows = vec![["consumer address", "power", "provider operator"]
        .map(String::from)
        .to_vec()];
    let mut total = 0u128;
    for v in validators {
        total = total.saturating_add(u128::from(v.power));
        let operator = if v.provider_operator.is_empty() {
            "-".to_owned()
        } else {
            v.provider_operator.clone()
        };
        rows.push(vec![
            address::consensus_address_of_key(&v.consumer_pubkey),
            v.power.to_string(),
            operator,
        ]);
    }
    format!("{}total power: {total}\n", table(&rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Output;

    #[test]
    fn validators_print_as_a_table_with_the_total_power() {
        let validators = vec![
            pb::ConsumerValidator {
                consumer_pubkey: vec![1; 32],
                power: 30,
                provider_operator: "rampartvaloper1xyz".into(),
            },
            pb::ConsumerValidator {
                consumer_pubkey: vec![2; 32],
                power: 12,
                provider_operator: String::new(),
            },
        ];
        let text = validators_table(&validators);
        assert!(text.starts_with("consumer address"), "{text}");
        assert!(text.contains("rampartvaloper1xyz"), "{text}");
        assert!(text.ends_with("total power: 42\n"), "{text}");
        assert_eq!(validators_table(&[]), "no validators\n");

        let json = serde_json::to_value(validator(&Printer::plain(Output::Json), &validators[1]))
            .expect("json");
        assert_eq!(json["power"], "12");
        assert_eq!(json["provider_operator"], "");
        assert!(json["consumer_address"]
            .as_str()
            .is_some_and(|a| a.starts_with("rampartvalcons1")));
    }

    #[test]
    fn the_client_shows_its_expiry_and_frozen_state() {
        let answer = pb::QueryProviderClientResponse {
            client: Some(pb::ProviderClient {
                chain_id: "provider-1".into(),
                trusting_period_seconds: 100,
                max_clock_drift_seconds: 10,
                latest_height: 7,
                frozen_height: 0,
            }),
            latest_time: Some(tendermint_proto::google::protobuf::Timestamp {
                seconds: 0,
                nanos: 0,
            }),
            expires_at: Some(tendermint_proto::google::protobuf::Timestamp {
                seconds: 100,
                nanos: 0,
            }),
            frozen: false,
        };
        let text = provider_client(&Printer::plain(Output::Text), answer).text();
        assert!(text.contains("latest_height: 7"), "{text}");
        assert!(text.contains("expires_at: 1970-01-01T00:01:40Z"), "{text}");
        assert!(text.contains("frozen: false"), "{text}");
    }
}
