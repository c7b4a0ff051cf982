//! `rampartd tx restaking …` and `rampartd query restaking …`: pledges of provider validators
//! to consumer chains, consumer keys, consumer double-vote evidence and the on-chain security
//! metrics (`rampart.restaking.v1`).
//!
//! Pledges are written with a unit: `25%` (up to two decimals, `12.5%`) or `2500bps`; the chain
//! stores basis points, 1 to 10,000.
//!
//! `tx restaking submit-double-vote FILE` sends the two votes of an evidence file written by
//! `rampartd debug double-sign --output-evidence FILE` (CometBFT's JSON form) as
//! `MsgSubmitConsumerDoubleVote` with `tendermint.types.Vote`s; the consumer is found by the
//! file's chain id unless `--consumer-id` names it.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use clap::Subcommand;
use cosmrs::{AccountId, Any};
use rampart_proto::rampart::consumer::v1 as consumer_pb;
use rampart_proto::rampart::restaking::v1 as pb;

use super::consumer::{
    base64_key, fetch_consumer, fetch_consumers, percent, table, valcons, View, VALCONS_PREFIX,
};
use super::query::QueryOptions;
use super::staking::{any, ask, read_consensus_pubkey, Doc};
use super::tx::FromOptions;
use crate::client::address;
use crate::debug::EvidenceFile;
use rampart_auth::PubKey as ConsensusKey;

/// Type URL of `MsgOptIn`.
pub const OPT_IN: &str = "/rampart.restaking.v1.MsgOptIn";
/// Type URL of `MsgSetPledge`.
pub const SET_PLEDGE: &str = "/rampart.restaking.v1.MsgSetPledge";
/// Type URL of `MsgOptOut`.
pub const OPT_OUT: &str = "/rampart.restaking.v1.MsgOptOut";
/// Type URL of `MsgAssignConsumerKey`.
pub const ASSIGN_CONSUMER_KEY: &str = "/rampart.restaking.v1.MsgAssignConsumerKey";
/// Type URL of `MsgSubmitConsumerDoubleVote`.
pub const SUBMIT_CONSUMER_DOUBLE_VOTE: &str = "/rampart.restaking.v1.MsgSubmitConsumerDoubleVote";

/// The largest pledge: 100 % in basis points.
pub const MAX_PLEDGE_BPS: u32 = 10_000;

const QUERY: &str = "/rampart.restaking.v1.Query/";

/// Parses a pledge: `25%`, `12.5%` (at most two decimals) or `2500bps`, between 0.01 % and 100 %;
/// returns basis points.
pub fn parse_pledge(text: &str) -> anyhow::Result<u32> {
    let text = text.trim();
    let usage = || {
        anyhow!(
            "invalid pledge {text:?}: write a percentage (25%, 12.5%) or basis points (2500bps)"
        )
    };
    let bps = if let Some(number) = text.strip_suffix("bps") {
        number.trim().parse::<u32>().map_err(|_| usage())?
    } else if let Some(number) = text.strip_suffix('%') {
        let (whole, frac) = number.trim().split_once('.').unwrap_or((number.trim(), ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !(frac.is_empty() || digits(frac)) {
            return Err(usage());
        }
        if frac.len() > 2 {
            bail!("invalid pledge {text:?}: at most two decimals (0.01% is one basis point)");
        }
        let whole: u32 = whole.parse().map_err(|_| usage())?;
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| usage())?;
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .ok_or_else(usage)?
    } else {
        return Err(usage());
    };
    if bps == 0 || bps > MAX_PLEDGE_BPS {
        bail!("invalid pledge {text:?}: must be between 0.01% (1bps) and 100% (10000bps)");
    }
    Ok(bps)
}

/// A `MsgOptIn` of `validator` (an operator address) with `pledge_bps` and, when given, a
/// consumer key (otherwise the validator's provider consensus key, unless one is assigned).
pub fn opt_in_msg(
    validator: &AccountId,
    consumer_id: u64,
    pledge_bps: u32,
    consumer_pubkey: Option<[u8; 32]>,
) -> Any {
    any(
        OPT_IN,
        &pb::MsgOptIn {
            validator: validator.to_string(),
            consumer_id,
            pledge_bps,
            consumer_pubkey: consumer_pubkey.map(|k| ConsensusKey::Ed25519(k).to_any()),
        },
    )
}

/// A `MsgSetPledge`.
pub fn set_pledge_msg(validator: &AccountId, consumer_id: u64, pledge_bps: u32) -> Any {
    any(
        SET_PLEDGE,
        &pb::MsgSetPledge {
            validator: validator.to_string(),
            consumer_id,
            pledge_bps,
        },
    )
}

/// A `MsgOptOut`.
pub fn opt_out_msg(validator: &AccountId, consumer_id: u64) -> Any {
    any(
        OPT_OUT,
        &pb::MsgOptOut {
            validator: validator.to_string(),
            consumer_id,
        },
    )
}

/// A `MsgAssignConsumerKey` of an ed25519 key.
pub fn assign_key_msg(validator: &AccountId, consumer_id: u64, pubkey: [u8; 32]) -> Any {
    any(
        ASSIGN_CONSUMER_KEY,
        &pb::MsgAssignConsumerKey {
            validator: validator.to_string(),
            consumer_id,
            consumer_pubkey: Some(ConsensusKey::Ed25519(pubkey).to_any()),
        },
    )
}

/// Reads an evidence file written by `rampartd debug double-sign --output-evidence`.
pub fn read_evidence(path: &Path) -> anyhow::Result<EvidenceFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read evidence file {}", path.display()))?;
    let file: EvidenceFile = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not an evidence file of `rampartd debug double-sign --output-evidence` \
             ({{chain_id, height, validator_address, vote_a, vote_b}})",
            path.display()
        )
    })?;
    if file.vote_a.height != file.vote_b.height || file.vote_a.round != file.vote_b.round {
        bail!(
            "{}: the two votes are not at the same height and round",
            path.display()
        );
    }
    Ok(file)
}

/// The `MsgSubmitConsumerDoubleVote` of `evidence` against consumer `consumer_id`, the votes
/// converted to `tendermint.types.Vote`.
pub fn double_vote_msg(submitter: &AccountId, consumer_id: u64, evidence: &EvidenceFile) -> Any {
    any(
        SUBMIT_CONSUMER_DOUBLE_VOTE,
        &pb::MsgSubmitConsumerDoubleVote {
            submitter: submitter.to_string(),
            consumer_id,
            vote_a: Some(evidence.vote_a.clone().into()),
            vote_b: Some(evidence.vote_b.clone().into()),
        },
    )
}

/// `rampartd tx restaking`.
#[derive(Debug, Subcommand)]
pub enum RestakingTx {
    /// Opt the --from key's validator in to a consumer with a pledge of its bonded tokens.
    OptIn {
        /// The consumer's id (registered or launched).
        consumer_id: u64,
        /// The pledged share of the validator's bonded tokens: 25%, 12.5% or 2500bps.
        pledge: String,
        /// The key to sign the consumer's blocks with (base64 ed25519, the SDK's or CometBFT's
        /// JSON, or a priv_validator_key.json) [default: an assigned key, else the validator's
        /// provider consensus key].
        #[arg(long, value_name = "KEY")]
        consumer_pubkey: Option<String>,
        /// The signer (--from, the validator's operator key) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Change the --from key's validator's active pledge to a consumer.
    SetPledge {
        /// The consumer's id.
        consumer_id: u64,
        /// The new pledge: 25%, 12.5% or 2500bps.
        pledge: String,
        /// The signer (--from, the validator's operator key) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Opt the --from key's validator out of a consumer: it leaves the set at the consumer's
    /// next epoch and stays slashable for the consumer's unbonding period.
    OptOut {
        /// The consumer's id.
        consumer_id: u64,
        /// The signer (--from, the validator's operator key) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Assign the key the --from key's validator signs a consumer's blocks with.
    AssignKey {
        /// The consumer's id.
        consumer_id: u64,
        /// The ed25519 key: base64, the SDK's or CometBFT's JSON, or a priv_validator_key.json.
        pubkey: String,
        /// The signer (--from, the validator's operator key) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Submit consumer double-vote evidence from a file written by `rampartd debug double-sign
    /// --output-evidence`; anyone may submit.
    SubmitDoubleVote {
        /// The evidence file ({chain_id, height, validator_address, vote_a, vote_b}).
        evidence_file: PathBuf,
        /// The consumer the votes were cast on [default: the live consumer with the file's
        /// chain id].
        #[arg(long)]
        consumer_id: Option<u64>,
        /// The signer (--from) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
}

/// The consumer evidence for chain `chain_id` belongs to: `id` (checked), or the consumer that
/// is not deleted and has that chain id.
async fn evidence_consumer(
    node: &crate::client::NodeClient,
    id: Option<u64>,
    chain_id: &str,
) -> anyhow::Result<consumer_pb::Consumer> {
    if let Some(id) = id {
        let consumer = fetch_consumer(node, id).await?;
        if consumer.chain_id != chain_id {
            bail!(
                "the evidence was signed for chain {chain_id}, but consumer {id} is {}",
                consumer.chain_id
            );
        }
        return Ok(consumer);
    }
    fetch_consumers(node, consumer_pb::ConsumerPhase::Unspecified)
        .await?
        .into_iter()
        .find(|c| c.chain_id == chain_id && c.phase != consumer_pb::ConsumerPhase::Deleted as i32)
        .ok_or_else(|| {
            anyhow!(
                "no live consumer has chain id {chain_id} (see `rampartd query consumer \
                 consumers`); give --consumer-id"
            )
        })
}

impl RestakingTx {
    /// Checks the arguments, signs with --from and broadcasts.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            RestakingTx::OptIn {
                consumer_id,
                pledge,
                consumer_pubkey,
                options,
            } => {
                let bps = parse_pledge(&pledge)?;
                let key = consumer_pubkey
                    .as_deref()
                    .map(read_consensus_pubkey)
                    .transpose()?;
                options
                    .send(|signer| {
                        let validator = signer.operator()?;
                        let key_text = match key {
                            Some(_) => "with the given consumer key",
                            None => "with its assigned or provider consensus key",
                        };
                        let summary = format!(
                            "opt {validator} in to consumer {consumer_id} pledging {} ({bps} \
                             bps) of its bonded tokens, {key_text}",
                            percent(bps)
                        );
                        Ok((summary, vec![opt_in_msg(&validator, consumer_id, bps, key)]))
                    })
                    .await
            }
            RestakingTx::SetPledge {
                consumer_id,
                pledge,
                options,
            } => {
                let bps = parse_pledge(&pledge)?;
                options
                    .send(|signer| {
                        let validator = signer.operator()?;
                        let summary = format!(
                            "set the pledge of {validator} to consumer {consumer_id} to {} \
                             ({bps} bps)",
                            percent(bps)
                        );
                        Ok((summary, vec![set_pledge_msg(&validator, consumer_id, bps)]))
                    })
                    .await
            }
            RestakingTx::OptOut {
                consumer_id,
                options,
            } => {
                options
                    .send(|signer| {
                        let validator = signer.operator()?;
                        let summary = format!("opt {validator} out of consumer {consumer_id}");
                        Ok((summary, vec![opt_out_msg(&validator, consumer_id)]))
                    })
                    .await
            }
            RestakingTx::AssignKey {
                consumer_id,
                pubkey,
                options,
            } => {
                let key = read_consensus_pubkey(&pubkey)?;
                options
                    .send(|signer| {
                        let validator = signer.operator()?;
                        let summary = format!(
                            "assign consumer key {} ({}) to {validator} on consumer {consumer_id}",
                            base64_text(&key),
                            super::consumer::valcons_of_key(&key)
                        );
                        Ok((summary, vec![assign_key_msg(&validator, consumer_id, key)]))
                    })
                    .await
            }
            RestakingTx::SubmitDoubleVote {
                evidence_file,
                consumer_id,
                options,
            } => {
                let evidence = read_evidence(&evidence_file)?;
                let signer = options.signer()?;
                let consumer =
                    evidence_consumer(&signer.node, consumer_id, &evidence.chain_id).await?;
                let summary = format!(
                    "submit double-vote evidence against {} at height {} of consumer {} ({})",
                    evidence.validator_address,
                    evidence.height,
                    consumer.consumer_id,
                    consumer.chain_id
                );
                let msg = double_vote_msg(&signer.address, consumer.consumer_id, &evidence);
                options.tx.submit(&signer, vec![msg], &summary).await
            }
        }
    }
}

fn base64_text(key: &[u8]) -> String {
    match base64_key(key) {
        Doc::Str(s) => s,
        _ => hex::encode(key),
    }
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

/// `rampartd query restaking`.
#[derive(Debug, Subcommand)]
pub enum RestakingQuery {
    /// Pledges: every pledge of one validator (--validator) or to one consumer (--consumer).
    #[command(group(clap::ArgGroup::new("whose").required(true).args(["validator", "consumer"])))]
    Pledges {
        /// The validator's operator address (rampartvaloper1…).
        #[arg(long)]
        validator: Option<String>,
        /// The consumer's id.
        #[arg(long)]
        consumer: Option<u64>,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The key a validator signs a consumer's blocks with.
    ConsumerKey {
        /// The consumer's id.
        consumer_id: u64,
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The validator behind a consumer consensus address (also a replaced key still
    /// attributable).
    ValidatorByConsumerKey {
        /// The consumer's id.
        consumer_id: u64,
        /// The consumer consensus address: rampartvalcons1… or 40 hex digits (CometBFT's form).
        consumer_address: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// What it takes to attack a consumer: the fewest validators and least pledged stake that
    /// can halt it (> 1/3 of its power) or control it (> 2/3), and what that stake would lose.
    SecurityReport {
        /// The consumer's id.
        consumer_id: u64,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// A validator's worst-case slashing over all its consumers, and the bound on it.
    Exposure {
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Restaking parameters (exposure bound, consumers per validator, epoch length).
    Params {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
}

/// A consumer consensus address typed by a user: bech32 `rampartvalcons1…` or 40 hex digits.
fn consumer_address_arg(text: &str) -> anyhow::Result<String> {
    let text = text.trim();
    if text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        let bytes = hex::decode(text).map_err(|e| anyhow!("invalid hex address {text}: {e}"))?;
        return Ok(valcons(&bytes));
    }
    let id: AccountId = text.parse().map_err(|e| {
        anyhow!(
            "invalid consumer address {text:?}: {e} (expected {VALCONS_PREFIX}1… or 40 hex digits)"
        )
    })?;
    if id.prefix() != VALCONS_PREFIX {
        bail!(
            "invalid consumer address {text}: expected prefix {VALCONS_PREFIX}, got {}",
            id.prefix()
        );
    }
    Ok(id.to_string())
}

impl View {
    fn status(&self, value: i32) -> Doc {
        let status = pb::PledgeStatus::try_from(value).unwrap_or(pb::PledgeStatus::Unspecified);
        let word = match status {
            pb::PledgeStatus::Active => "active",
            pb::PledgeStatus::OptingOut => "opting_out",
            pb::PledgeStatus::Exiting => "exiting",
            pb::PledgeStatus::Unspecified => "unspecified",
        };
        self.enum_value(status.as_str_name(), word)
    }

    fn stake(&self, s: &pb::SlashableStake) -> Doc {
        let mut entries = vec![
            ("validator_power", self.r.int(s.validator_power)),
            ("pledge_bps", self.bps(s.pledge_bps)),
            ("pledged_tokens", self.r.tokens(&s.pledged_tokens)),
            ("consumer_power", self.r.int(s.consumer_power)),
            ("provider_height", self.r.int(s.provider_height)),
        ];
        self.opt_time(&mut entries, "slashable_until", s.slashable_until.as_ref());
        Doc::Map(entries)
    }

    /// A pledge (stakes left out when absent).
    fn pledge(&self, p: &pb::Pledge) -> Doc {
        let mut entries = vec![
            ("validator", Doc::str(&p.validator)),
            ("consumer_id", self.r.int(p.consumer_id)),
            ("pledge_bps", self.bps(p.pledge_bps)),
            ("status", self.status(p.status)),
        ];
        if let Some(s) = &p.in_set {
            entries.push(("in_set", self.stake(s)));
        }
        if let Some(s) = &p.departed {
            entries.push(("departed", self.stake(s)));
        }
        entries.push(("opt_in_height", self.r.int(p.opt_in_height)));
        Doc::Map(entries)
    }

    fn consumer_key(&self, k: &pb::ConsumerKey) -> Doc {
        let mut entries = vec![
            ("validator", Doc::str(&k.validator)),
            ("consumer_id", self.r.int(k.consumer_id)),
            ("consumer_pubkey", base64_key(&k.consumer_pubkey)),
            ("consumer_address", Doc::Str(valcons(&k.consumer_address))),
        ];
        self.opt_time(&mut entries, "retired_until", k.retired_until.as_ref());
        Doc::Map(entries)
    }

    fn report(&self, r: &pb::SecurityReport) -> Doc {
        Doc::Map(vec![
            ("consumer_id", self.r.int(r.consumer_id)),
            ("validator_count", self.r.int(r.validator_count)),
            ("total_power", self.r.int(r.total_power)),
            (
                "total_pledged_tokens",
                self.r.tokens(&r.total_pledged_tokens),
            ),
            (
                "largest_validator_share",
                self.r.dec(&r.largest_validator_share),
            ),
            ("halt_min_validators", self.r.int(r.halt_min_validators)),
            (
                "halt_min_pledged_tokens",
                self.r.tokens(&r.halt_min_pledged_tokens),
            ),
            (
                "halt_slashable_tokens",
                self.r.tokens(&r.halt_slashable_tokens),
            ),
            (
                "control_min_validators",
                self.r.int(r.control_min_validators),
            ),
            (
                "control_min_pledged_tokens",
                self.r.tokens(&r.control_min_pledged_tokens),
            ),
            (
                "control_slashable_tokens",
                self.r.tokens(&r.control_slashable_tokens),
            ),
            (
                "double_sign_slash_fraction",
                self.r.dec(&r.double_sign_slash_fraction),
            ),
        ])
    }

    fn exposure(&self, e: &pb::QueryValidatorExposureResponse) -> Doc {
        let consumers = e
            .consumers
            .iter()
            .map(|c| {
                Doc::Map(vec![
                    ("consumer_id", self.r.int(c.consumer_id)),
                    ("chain_id", Doc::str(&c.chain_id)),
                    ("status", self.status(c.status)),
                    ("pledge_bps", self.bps(c.pledge_bps)),
                    ("slashable_bps", self.bps(c.slashable_bps)),
                    ("slash_fraction", self.r.dec(&c.slash_fraction)),
                    ("worst_case_fraction", self.r.dec(&c.worst_case_fraction)),
                    ("worst_case_tokens", self.r.tokens(&c.worst_case_tokens)),
                ])
            })
            .collect();
        Doc::Map(vec![
            ("consumers", Doc::List(consumers)),
            (
                "total_worst_case_fraction",
                self.r.dec(&e.total_worst_case_fraction),
            ),
            (
                "total_worst_case_tokens",
                self.r.tokens(&e.total_worst_case_tokens),
            ),
            ("max_slash_exposure", self.r.dec(&e.max_slash_exposure)),
            ("bonded_tokens", self.r.tokens(&e.bonded_tokens)),
            ("consumer_count", self.r.int(e.consumer_count)),
            ("max_consumers", self.r.int(e.max_consumers)),
        ])
    }
}

/// A pledge's stake in one table cell: `power 30, 30000000 tokens`, or `-`.
fn stake_cell(s: Option<&pb::SlashableStake>) -> String {
    s.map_or("-".into(), |s| {
        format!("power {}, {} tokens", s.consumer_power, s.pledged_tokens)
    })
}

fn print_pledges(view: &View, pledges: &[pb::Pledge], by_consumer: bool) -> anyhow::Result<()> {
    if view.json {
        let list = pledges.iter().map(|p| view.pledge(p)).collect();
        return view.print(&Doc::Map(vec![("pledges", Doc::List(list))]));
    }
    if pledges.is_empty() {
        println!("no pledges");
        return Ok(());
    }
    let first = if by_consumer { "validator" } else { "consumer" };
    let mut rows = vec![
        [first, "pledge", "status", "in set", "departed (slashable)"]
            .map(String::from)
            .to_vec(),
    ];
    for p in pledges {
        let status = match view.status(p.status) {
            Doc::Str(s) => s,
            _ => String::new(),
        };
        rows.push(vec![
            if by_consumer {
                p.validator.clone()
            } else {
                p.consumer_id.to_string()
            },
            percent(p.pledge_bps),
            status,
            stake_cell(p.in_set.as_ref()),
            stake_cell(p.departed.as_ref()),
        ]);
    }
    print!("{}", table(&rows));
    Ok(())
}

fn missing(what: &str) -> anyhow::Error {
    anyhow!("the node answered without {what}")
}

impl RestakingQuery {
    /// Checks the arguments, queries the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        let path = |method: &str| format!("{QUERY}{method}");
        match self {
            RestakingQuery::Pledges {
                validator,
                consumer,
                options,
            } => match (validator, consumer) {
                (Some(validator), None) => {
                    let validator = address::validator(&validator, "validator address")?;
                    let r: pb::QueryValidatorPledgesResponse = ask(
                        &options,
                        &path("ValidatorPledges"),
                        &pb::QueryValidatorPledgesRequest {
                            validator: validator.to_string(),
                        },
                    )
                    .await?;
                    print_pledges(&View::new(&options).await, &r.pledges, false)
                }
                (None, Some(consumer_id)) => {
                    let pledges = options
                        .node
                        .client()?
                        .grpc_query_pages(
                            &path("ConsumerPledges"),
                            |pagination| pb::QueryConsumerPledgesRequest {
                                consumer_id,
                                pagination: Some(pagination),
                            },
                            |r: pb::QueryConsumerPledgesResponse| (r.pledges, r.pagination),
                        )
                        .await?;
                    print_pledges(&View::new(&options).await, &pledges, true)
                }
                _ => bail!("give exactly one of --validator and --consumer"),
            },
            RestakingQuery::ConsumerKey {
                consumer_id,
                validator,
                options,
            } => {
                let validator = address::validator(&validator, "validator address")?;
                let r: pb::QueryConsumerKeyResponse = ask(
                    &options,
                    &path("ConsumerKey"),
                    &pb::QueryConsumerKeyRequest {
                        validator: validator.to_string(),
                        consumer_id,
                    },
                )
                .await?;
                let key = r.key.ok_or_else(|| missing("a key"))?;
                let view = View::new(&options).await;
                view.print(&Doc::Map(vec![("key", view.consumer_key(&key))]))
            }
            RestakingQuery::ValidatorByConsumerKey {
                consumer_id,
                consumer_address,
                options,
            } => {
                let consumer_address = consumer_address_arg(&consumer_address)?;
                let r: pb::QueryValidatorByConsumerKeyResponse = ask(
                    &options,
                    &path("ValidatorByConsumerKey"),
                    &pb::QueryValidatorByConsumerKeyRequest {
                        consumer_id,
                        consumer_address,
                    },
                )
                .await?;
                let key = r.key.ok_or_else(|| missing("a key"))?;
                let view = View::new(&options).await;
                view.print(&Doc::Map(vec![("key", view.consumer_key(&key))]))
            }
            RestakingQuery::SecurityReport {
                consumer_id,
                options,
            } => {
                let r: pb::QuerySecurityReportResponse = ask(
                    &options,
                    &path("SecurityReport"),
                    &pb::QuerySecurityReportRequest { consumer_id },
                )
                .await?;
                let report = r.report.ok_or_else(|| missing("a report"))?;
                let view = View::new(&options).await;
                view.print(&Doc::Map(vec![("report", view.report(&report))]))
            }
            RestakingQuery::Exposure { validator, options } => {
                let validator = address::validator(&validator, "validator address")?;
                let r: pb::QueryValidatorExposureResponse = ask(
                    &options,
                    &path("ValidatorExposure"),
                    &pb::QueryValidatorExposureRequest {
                        validator: validator.to_string(),
                    },
                )
                .await?;
                let view = View::new(&options).await;
                view.print(&view.exposure(&r))
            }
            RestakingQuery::Params { options } => {
                let r: pb::QueryParamsResponse =
                    ask(&options, &path("Params"), &pb::QueryParamsRequest {}).await?;
                let p = r.params.ok_or_else(|| missing("params"))?;
                let view = View::new(&options).await;
                view.print(&Doc::Map(vec![(
                    "params",
                    Doc::Map(vec![
                        ("max_slash_exposure", view.r.dec(&p.max_slash_exposure)),
                        (
                            "max_consumers_per_validator",
                            view.r.int(p.max_consumers_per_validator),
                        ),
                        ("blocks_per_epoch", view.r.int(p.blocks_per_epoch)),
                    ]),
                )]))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    const PV_KEY: &str = r#"{"address": "85817B1D08D40E071823A48AC00BB2501E6E5BBA",
      "pub_key": {"type": "tendermint/PubKeyEd25519", "value": "hpeEB7nZW32TunyChNhA0pgAdVmFVA9GMFSClpXrcsA="},
      "priv_key": {"type": "tendermint/PrivKeyEd25519", "value": "roXffNYz8YQ1N00NFH1p/TmXdrE5WREWEtTeZM0AeYKGl4QHudlbfZO6fIKE2EDSmAB1WYVUD0YwVIKWletywA=="}}"#;

    #[test]
    fn pledges_parse_with_a_unit() {
        assert_eq!(parse_pledge("25%").ok(), Some(2_500));
        assert_eq!(parse_pledge("12.5%").ok(), Some(1_250));
        assert_eq!(parse_pledge("0.01%").ok(), Some(1));
        assert_eq!(parse_pledge("100%").ok(), Some(10_000));
        assert_eq!(parse_pledge("2500bps").ok(), Some(2_500));
        for bad in [
            "25", "0%", "100.01%", "10001bps", "1.234%", "x%", "%", "-5%",
        ] {
            assert!(parse_pledge(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn consumer_addresses_parse_from_bech32_or_hex() -> anyhow::Result<()> {
        let hex_form = "85817B1D08D40E071823A48AC00BB2501E6E5BBA";
        let bech = consumer_address_arg(hex_form)?;
        assert!(bech.starts_with("rampartvalcons1"));
        assert_eq!(consumer_address_arg(&bech)?, bech);
        let account = AccountId::new("rampart", &[3; 20]).map_err(|e| anyhow!("{e}"))?;
        assert!(consumer_address_arg(account.as_ref()).is_err());
        Ok(())
    }

    #[test]
    fn evidence_files_become_protobuf_votes() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let key_file = dir.path().join("key.json");
        std::fs::write(&key_file, PV_KEY)?;
        let out = dir.path().join("evidence.json");
        crate::debug::write_evidence_file(&key_file, "consumer-1", 7, &out)?;
        let evidence = read_evidence(&out)?;
        let submitter = AccountId::new("rampart", &[9; 20]).map_err(|e| anyhow!("{e}"))?;
        let msg = double_vote_msg(&submitter, 3, &evidence);
        assert_eq!(msg.type_url, SUBMIT_CONSUMER_DOUBLE_VOTE);
        let decoded = pb::MsgSubmitConsumerDoubleVote::decode(msg.value.as_slice())?;
        assert_eq!(decoded.consumer_id, 3);
        let (a, b) = (
            decoded.vote_a.context("vote a")?,
            decoded.vote_b.context("vote b")?,
        );
        assert_eq!((a.height, b.height), (7, 7));
        assert_ne!(a.block_id, b.block_id);
        assert_eq!(a.signature.len(), 64);
        assert_eq!(
            hex::encode_upper(&a.validator_address),
            "85817B1D08D40E071823A48AC00BB2501E6E5BBA"
        );
        // The protobuf votes still verify over the consumer's chain id.
        let vote = tendermint::vote::Vote::try_from(a)?;
        let signature = vote.signature.clone().context("signed")?;
        let bytes = vote.into_signable_vec("consumer-1".parse()?);
        let public = ed25519_consensus::VerificationKey::try_from(read_consensus_pubkey(
            key_file.to_str().context("utf-8")?,
        )?)?;
        public.verify(
            &ed25519_consensus::Signature::try_from(signature.as_bytes())?,
            &bytes,
        )?;

        std::fs::write(&out, "{}")?;
        let err = read_evidence(&out).expect_err("not evidence");
        assert!(format!("{err:#}").contains("debug double-sign"), "{err:#}");
        Ok(())
    }
}
