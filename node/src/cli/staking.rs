//! `rampartd tx staking …` and `rampartd query staking …`: the `cosmos.staking.v1beta1`
//! messages and queries, plus the message builders tools use directly (the localnet's `join`
//! creates its validator with [`NewValidator`]), and the query output shared with
//! `distribution` ([`Doc`], [`Render`]).

use std::path::Path;

use anyhow::{anyhow, bail, Context};
use base64::Engine as _;
use clap::{Args, Subcommand, ValueEnum};
use cosmos_sdk_proto::cosmos::base::query::v1beta1::{PageRequest, PageResponse};
use cosmos_sdk_proto::cosmos::base::v1beta1::{Coin, DecCoin};
use cosmos_sdk_proto::cosmos::crypto::ed25519::PubKey;
use cosmos_sdk_proto::cosmos::staking::v1beta1 as pb;
use cosmos_sdk_proto::Timestamp;
use cosmrs::{AccountId, Any};
use prost::Message;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::Serialize;

use super::query::QueryOptions;
use super::tx::FromOptions;
use super::{print_json, Output};
use crate::client::coins::{format_coins, parse_coin};
use crate::client::decimal::{self, DecStyle};
use crate::client::{address, NodeClient};
use crate::genutil::node_keys::consensus_key;
use crate::genutil::Commission;
use crate::home::Home;
use rampart_auth::PubKey as ConsensusKey;
use rampart_core::Decimal;

/// Type URL of `MsgCreateValidator`.
pub use crate::genutil::gentx::CREATE_VALIDATOR_TYPE_URL as CREATE_VALIDATOR;
/// Type URL of `MsgEditValidator`.
pub const EDIT_VALIDATOR: &str = "/cosmos.staking.v1beta1.MsgEditValidator";
/// Type URL of `MsgDelegate`.
pub const DELEGATE: &str = "/cosmos.staking.v1beta1.MsgDelegate";
/// Type URL of `MsgUndelegate`.
pub const UNDELEGATE: &str = "/cosmos.staking.v1beta1.MsgUndelegate";
/// Type URL of `MsgBeginRedelegate`.
pub const BEGIN_REDELEGATE: &str = "/cosmos.staking.v1beta1.MsgBeginRedelegate";
/// Type URL of `MsgCancelUnbondingDelegation`.
pub const CANCEL_UNBONDING: &str = "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation";
/// Type URL of an ed25519 consensus public key.
pub use crate::genutil::gentx::ED25519_PUBKEY_TYPE_URL as ED25519_PUBKEY_URL;
/// The SDK's "leave this description field unchanged" marker.
pub const DO_NOT_MODIFY: &str = "[do-not-modify]";

/// `create-validator`'s default commission rate.
pub const DEFAULT_COMMISSION_RATE: &str = "0.10";
/// `create-validator`'s default maximum commission rate.
pub const DEFAULT_COMMISSION_MAX_RATE: &str = "0.20";
/// `create-validator`'s default maximum daily commission change.
pub const DEFAULT_COMMISSION_MAX_CHANGE_RATE: &str = "0.01";

const QUERY: &str = "/cosmos.staking.v1beta1.Query/";

// ---------------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------------

/// `rampartd tx staking`.
#[derive(Debug, Subcommand)]
pub enum StakingTx {
    /// Create a validator operated by the --from key, with a self-delegation of --amount and this
    /// node's consensus key.
    CreateValidator(CreateValidatorArgs),
    /// Change the description, commission rate or minimum self-delegation of the --from key's
    /// validator.
    EditValidator(EditValidatorArgs),
    /// Delegate tokens to a validator.
    Delegate(BondArgs),
    /// Start unbonding tokens from a validator (they arrive after the unbonding time).
    Unbond(BondArgs),
    /// Move a delegation from one validator to another without unbonding.
    Redelegate {
        /// The source validator's operator address.
        src_validator: String,
        /// The destination validator's operator address.
        dst_validator: String,
        /// The amount, e.g. 1000000uramp.
        amount: String,
        /// The signer (--from) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
    /// Return unbonding tokens to the validator they came from.
    CancelUnbond {
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// The amount, e.g. 1000000uramp.
        amount: String,
        /// The height at which the unbonding started (see `query staking unbonding-delegation`).
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        creation_height: i64,
        /// The signer (--from) and the transaction options.
        #[command(flatten)]
        options: FromOptions,
    },
}

/// A validator and an amount, signed by --from: `delegate` and `unbond`.
#[derive(Debug, Args)]
pub struct BondArgs {
    /// The validator's operator address (rampartvaloper1…).
    pub validator: String,
    /// The amount, e.g. 1000000uramp.
    pub amount: String,
    /// The signer (--from) and the transaction options.
    #[command(flatten)]
    pub options: FromOptions,
}

impl BondArgs {
    /// Sends the message `build` makes from the delegator, the validator and the amount;
    /// `verb` words the confirmation line.
    async fn send(
        self,
        verb: &str,
        build: fn(&AccountId, &AccountId, Coin) -> Any,
    ) -> anyhow::Result<()> {
        at_validator(
            &self.validator,
            &self.amount,
            &self.options,
            |amount, delegator, validator| {
                let summary = format!(
                    "{verb} {} (delegator {delegator}, validator {validator})",
                    coin_text(&amount)
                );
                (summary, build(delegator, validator, amount))
            },
        )
        .await
    }
}

/// Description fields besides the moniker, shared by create and edit.
#[derive(Debug, Clone, Default, Args)]
pub struct DescriptionArgs {
    /// Identity signature (e.g. a Keybase key id).
    #[arg(long)]
    pub identity: Option<String>,
    /// Website.
    #[arg(long)]
    pub website: Option<String>,
    /// Security contact email.
    #[arg(long)]
    pub security_contact: Option<String>,
    /// Free-form details.
    #[arg(long)]
    pub details: Option<String>,
}

/// Options of `tx staking create-validator`.
#[derive(Debug, Args)]
pub struct CreateValidatorArgs {
    /// The self-delegation, e.g. 1000000uramp.
    #[arg(long)]
    pub amount: String,
    /// The consensus public key: base64 of an ed25519 key, the SDK's JSON
    /// ({"@type":"/cosmos.crypto.ed25519.PubKey","key":"…"}) or a path to a
    /// priv_validator_key.json; by default `<home>/config/priv_validator_key.json`.
    #[arg(long)]
    pub pubkey: Option<String>,
    /// The validator's name.
    #[arg(long)]
    pub moniker: String,
    /// Description fields besides the moniker.
    #[command(flatten)]
    pub description: DescriptionArgs,
    /// Commission rate, e.g. 0.10.
    #[arg(long, default_value = DEFAULT_COMMISSION_RATE)]
    pub commission_rate: String,
    /// Highest commission rate the validator may ever charge.
    #[arg(long, default_value = DEFAULT_COMMISSION_MAX_RATE)]
    pub commission_max_rate: String,
    /// Largest commission change per day.
    #[arg(long, default_value = DEFAULT_COMMISSION_MAX_CHANGE_RATE)]
    pub commission_max_change_rate: String,
    /// Minimum self-delegation (in the bond denom's base unit) the validator must keep.
    #[arg(long, default_value = "1")]
    pub min_self_delegation: String,
    /// The signer (--from) and the transaction options.
    #[command(flatten)]
    pub options: FromOptions,
}

/// Options of `tx staking edit-validator`.
#[derive(Debug, Args)]
pub struct EditValidatorArgs {
    /// New name.
    #[arg(long)]
    pub moniker: Option<String>,
    /// Description fields besides the moniker.
    #[command(flatten)]
    pub description: DescriptionArgs,
    /// New commission rate (at most once per 24 h, within the max change rate).
    #[arg(long)]
    pub commission_rate: Option<String>,
    /// New minimum self-delegation (may only grow).
    #[arg(long)]
    pub min_self_delegation: Option<String>,
    /// The signer (--from) and the transaction options.
    #[command(flatten)]
    pub options: FromOptions,
}

/// The protobuf form of `commission`: `LegacyDec` travels as its integer attos.
fn commission_rates(commission: &Commission) -> pb::CommissionRates {
    pb::CommissionRates {
        rate: commission.rate.0.to_string(),
        max_rate: commission.max_rate.0.to_string(),
        max_change_rate: commission.max_change_rate.0.to_string(),
    }
}

/// Everything a `MsgCreateValidator` carries besides the operator.
#[derive(Debug, Clone, PartialEq)]
pub struct NewValidator {
    /// The ed25519 consensus public key (CometBFT's `priv_validator_key.json`).
    pub pubkey: [u8; 32],
    /// The self-delegation.
    pub amount: Coin,
    /// Moniker and other description fields.
    pub description: pb::Description,
    /// Commission rates.
    pub commission: Commission,
    /// Minimum self-delegation, a positive integer.
    pub min_self_delegation: u128,
}

impl NewValidator {
    /// A validator with only a moniker and `create-validator`'s defaults: commission 0.10,
    /// at most 0.20, changing by at most 0.01 a day ([`Commission::default`]); minimum
    /// self-delegation 1.
    pub fn with_defaults(pubkey: [u8; 32], amount: Coin, moniker: &str) -> anyhow::Result<Self> {
        Ok(Self {
            pubkey,
            amount,
            description: pb::Description {
                moniker: moniker.to_owned(),
                ..Default::default()
            },
            commission: Commission::default(),
            min_self_delegation: 1,
        })
    }

    /// The `MsgCreateValidator` for the validator operated by `operator` (its account address;
    /// the message carries the `rampartvaloper1…` form).
    pub fn message(&self, operator: &AccountId) -> anyhow::Result<Any> {
        if self.min_self_delegation == 0 {
            bail!("the minimum self-delegation must be positive");
        }
        self.commission.check()?;
        let validator_address = address::operator_of(operator)?.to_string();
        Ok(any(
            CREATE_VALIDATOR,
            &pb::MsgCreateValidator {
                description: Some(self.description.clone()),
                commission: Some(commission_rates(&self.commission)),
                min_self_delegation: self.min_self_delegation.to_string(),
                // Deprecated and ignored since SDK v0.50, still filled as `gentx` does.
                #[allow(deprecated)]
                delegator_address: operator.to_string(),
                validator_address,
                pubkey: Some(ConsensusKey::Ed25519(self.pubkey).to_any()),
                value: Some(self.amount.clone()),
            },
        ))
    }
}

/// Packs `msg` as an `Any` with `type_url`.
pub fn any(type_url: &str, msg: &impl Message) -> Any {
    Any {
        type_url: type_url.into(),
        value: msg.encode_to_vec(),
    }
}

/// Reads an ed25519 consensus public key from `arg`: a path to a `priv_validator_key.json` (or
/// any file holding one of the JSON forms below), the SDK's JSON
/// `{"@type":"/cosmos.crypto.ed25519.PubKey","key":"<base64>"}`, CometBFT's
/// `{"type":"tendermint/PubKeyEd25519","value":"<base64>"}`, or bare base64.
pub fn read_consensus_pubkey(arg: &str) -> anyhow::Result<[u8; 32]> {
    let path = Path::new(arg);
    if path.is_file() {
        return pubkey_file(path);
    }
    let trimmed = arg.trim();
    if trimmed.starts_with('{') {
        return pubkey_from_json(trimmed).context("--pubkey");
    }
    pubkey_from_base64(trimmed).map_err(|e| {
        anyhow!("--pubkey {arg:?} is neither a file nor a base64 ed25519 public key: {e}")
    })
}

/// The consensus public key in `<home>/config/priv_validator_key.json`.
pub fn home_consensus_pubkey(home: &Path) -> anyhow::Result<[u8; 32]> {
    consensus_key(&Home::new(home))
        .context("no consensus key: give --pubkey, or the --home of an initialised node")
}

fn pubkey_file(path: &Path) -> anyhow::Result<[u8; 32]> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    pubkey_from_json(&text)
        .with_context(|| format!("{} holds no ed25519 consensus key", path.display()))
}

fn pubkey_from_json(text: &str) -> anyhow::Result<[u8; 32]> {
    let value: serde_json::Value = serde_json::from_str(text).context("not valid JSON")?;
    let candidates = [
        // priv_validator_key.json
        (&value["pub_key"]["type"], &value["pub_key"]["value"]),
        // cometbft show-validator
        (&value["type"], &value["value"]),
        // the SDK's JSON of an Any
        (&value["@type"], &value["key"]),
    ];
    for (kind, key) in candidates {
        let (Some(kind), Some(key)) = (kind.as_str(), key.as_str()) else {
            continue;
        };
        if kind != "tendermint/PubKeyEd25519" && kind != ED25519_PUBKEY_URL {
            bail!("unsupported consensus key type {kind:?}: validators use ed25519");
        }
        return pubkey_from_base64(key);
    }
    bail!("expected pub_key.value, value or key holding a base64 ed25519 public key")
}

fn pubkey_from_base64(text: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| anyhow!("invalid base64: {e}"))?;
    let len = bytes.len();
    bytes
        .try_into()
        .map_err(|_| anyhow!("an ed25519 public key has 32 bytes, got {len}"))
}

/// Parses a positive integer amount such as a minimum self-delegation.
fn positive_int(text: &str, flag: &str) -> anyhow::Result<u128> {
    match text.trim().parse::<u128>() {
        Ok(0) => bail!("--{flag}: must be positive"),
        Ok(value) => Ok(value),
        Err(_) => bail!("--{flag}: {text:?} is not a positive integer"),
    }
}

fn description(moniker: Option<String>, extra: DescriptionArgs, fill: &str) -> pb::Description {
    let or_fill = |value: Option<String>| value.unwrap_or_else(|| fill.to_owned());
    pb::Description {
        moniker: or_fill(moniker),
        identity: or_fill(extra.identity),
        website: or_fill(extra.website),
        security_contact: or_fill(extra.security_contact),
        details: or_fill(extra.details),
    }
}

impl CreateValidatorArgs {
    /// The validator these options describe (reads the consensus key from --pubkey or the home).
    pub fn new_validator(&self) -> anyhow::Result<NewValidator> {
        let pubkey = match &self.pubkey {
            Some(arg) => read_consensus_pubkey(arg)?,
            None => home_consensus_pubkey(self.options.tx.home())?,
        };
        if self.moniker.trim().is_empty() {
            bail!("--moniker must not be empty");
        }
        Ok(NewValidator {
            pubkey,
            amount: parse_coin(&self.amount).map_err(|e| anyhow!("--amount: {e}"))?,
            description: description(Some(self.moniker.clone()), self.description.clone(), ""),
            commission: Commission::parse(
                &self.commission_rate,
                &self.commission_max_rate,
                &self.commission_max_change_rate,
            )?,
            min_self_delegation: positive_int(&self.min_self_delegation, "min-self-delegation")?,
        })
    }
}

impl EditValidatorArgs {
    /// The `MsgEditValidator` of `operator`'s validator: description fields not given stay as
    /// they are (`[do-not-modify]`), and so do the rate and minimum when not given.
    pub fn message(&self, operator: &AccountId) -> anyhow::Result<Any> {
        let d = &self.description;
        let any_description = self.moniker.is_some()
            || d.identity.is_some()
            || d.website.is_some()
            || d.security_contact.is_some()
            || d.details.is_some();
        if !any_description && self.commission_rate.is_none() && self.min_self_delegation.is_none()
        {
            bail!(
                "nothing to edit: give --moniker, --identity, --website, --security-contact, \
                 --details, --commission-rate or --min-self-delegation"
            );
        }
        let commission_rate = match &self.commission_rate {
            Some(rate) => {
                let value: Decimal = rate.parse().map_err(|_| {
                    anyhow!("--commission-rate {rate:?} is not a decimal such as 0.10")
                })?;
                if value > Decimal::ONE {
                    bail!("--commission-rate {rate} is more than 1 (100%)");
                }
                value.0.to_string()
            }
            None => String::new(),
        };
        let min_self_delegation = match &self.min_self_delegation {
            Some(text) => positive_int(text, "min-self-delegation")?.to_string(),
            None => String::new(),
        };
        Ok(any(
            EDIT_VALIDATOR,
            &pb::MsgEditValidator {
                description: any_description
                    .then(|| description(self.moniker.clone(), d.clone(), DO_NOT_MODIFY)),
                validator_address: address::operator_of(operator)?.to_string(),
                commission_rate,
                min_self_delegation,
            },
        ))
    }
}

/// A `MsgDelegate` of `amount` from `delegator` to `validator`.
pub fn delegate_msg(delegator: &AccountId, validator: &AccountId, amount: Coin) -> Any {
    any(
        DELEGATE,
        &pb::MsgDelegate {
            delegator_address: delegator.to_string(),
            validator_address: validator.to_string(),
            amount: Some(amount),
        },
    )
}

/// A `MsgUndelegate` of `amount` from `validator`.
pub fn undelegate_msg(delegator: &AccountId, validator: &AccountId, amount: Coin) -> Any {
    any(
        UNDELEGATE,
        &pb::MsgUndelegate {
            delegator_address: delegator.to_string(),
            validator_address: validator.to_string(),
            amount: Some(amount),
        },
    )
}

/// A `MsgBeginRedelegate` of `amount` from `src` to `dst`.
pub fn redelegate_msg(
    delegator: &AccountId,
    src: &AccountId,
    dst: &AccountId,
    amount: Coin,
) -> Any {
    any(
        BEGIN_REDELEGATE,
        &pb::MsgBeginRedelegate {
            delegator_address: delegator.to_string(),
            validator_src_address: src.to_string(),
            validator_dst_address: dst.to_string(),
            amount: Some(amount),
        },
    )
}

/// A `MsgCancelUnbondingDelegation` of `amount` of the entry created at `creation_height`.
pub fn cancel_unbond_msg(
    delegator: &AccountId,
    validator: &AccountId,
    amount: Coin,
    creation_height: i64,
) -> Any {
    any(
        CANCEL_UNBONDING,
        &pb::MsgCancelUnbondingDelegation {
            delegator_address: delegator.to_string(),
            validator_address: validator.to_string(),
            amount: Some(amount),
            creation_height,
        },
    )
}

fn amount_arg(text: &str) -> anyhow::Result<Coin> {
    parse_coin(text).map_err(|e| anyhow!("amount: {e}"))
}

fn validator_arg(text: &str) -> anyhow::Result<AccountId> {
    address::validator(text, "validator address")
}

/// `amount` as `100uramp`.
fn coin_text(amount: &Coin) -> String {
    format_coins(std::slice::from_ref(amount))
}

/// One message about `amount` at `validator` (checked first) signed by the --from key: `build`
/// gets the amount, the signer's address and the validator and returns the confirmation line
/// and the message.
async fn at_validator(
    validator: &str,
    amount: &str,
    options: &FromOptions,
    build: impl FnOnce(Coin, &AccountId, &AccountId) -> (String, Any),
) -> anyhow::Result<()> {
    let (validator, amount) = (validator_arg(validator)?, amount_arg(amount)?);
    options
        .send(|signer| {
            let (summary, msg) = build(amount, &signer.address, &validator);
            Ok((summary, vec![msg]))
        })
        .await
}

impl StakingTx {
    /// Checks the arguments, signs with --from and broadcasts.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            StakingTx::CreateValidator(args) => {
                let validator = args.new_validator()?;
                args.options
                    .send(|signer| {
                        let summary = format!(
                            "create validator {} ({}) with a self-delegation of {}",
                            signer.operator()?,
                            validator.description.moniker,
                            coin_text(&validator.amount)
                        );
                        Ok((summary, vec![validator.message(&signer.address)?]))
                    })
                    .await
            }
            StakingTx::EditValidator(args) => {
                args.options
                    .send(|signer| {
                        let summary = format!("edit validator {}", signer.operator()?);
                        Ok((summary, vec![args.message(&signer.address)?]))
                    })
                    .await
            }
            StakingTx::Delegate(args) => args.send("delegate", delegate_msg).await,
            StakingTx::Unbond(args) => args.send("unbond", undelegate_msg).await,
            StakingTx::Redelegate {
                src_validator,
                dst_validator,
                amount,
                options,
            } => {
                let src = address::validator(&src_validator, "source validator address")?;
                let dst = address::validator(&dst_validator, "destination validator address")?;
                if src == dst {
                    bail!("the source and destination validators are the same: {src}");
                }
                let amount = amount_arg(&amount)?;
                options
                    .send(|signer| {
                        let summary = format!(
                            "redelegate {} of {} from {src} to {dst}",
                            coin_text(&amount),
                            signer.address
                        );
                        let msg = redelegate_msg(&signer.address, &src, &dst, amount);
                        Ok((summary, vec![msg]))
                    })
                    .await
            }
            StakingTx::CancelUnbond {
                validator,
                amount,
                creation_height,
                options,
            } => {
                at_validator(
                    &validator,
                    &amount,
                    &options,
                    |amount, delegator, validator| {
                        let what =
                            format!("{} of {delegator} from {validator}", coin_text(&amount));
                        let summary = format!(
                            "cancel the unbonding of {what} started at height {creation_height}"
                        );
                        let msg = cancel_unbond_msg(delegator, validator, amount, creation_height);
                        (summary, msg)
                    },
                )
                .await
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Query output, shared with `distribution`
// ---------------------------------------------------------------------------------------------

/// A query answer, printed as YAML-like text or as JSON: an ordered tree of strings, booleans,
/// maps and lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc {
    /// A string (numbers are strings, as in the Cosmos SDK's JSON).
    Str(String),
    /// A boolean.
    Bool(bool),
    /// Fields in order.
    Map(Vec<(&'static str, Doc)>),
    /// Items in order.
    List(Vec<Doc>),
}

impl Serialize for Doc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Doc::Str(s) => serializer.serialize_str(s),
            Doc::Bool(b) => serializer.serialize_bool(*b),
            Doc::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            Doc::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
        }
    }
}

impl Doc {
    /// A string.
    pub fn str(s: impl Into<String>) -> Self {
        Doc::Str(s.into())
    }

    /// The YAML-like text form: `key: value` lines, nested maps indented, list items as `- `.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.write(0, &mut out);
        out
    }

    fn scalar(&self) -> Option<String> {
        match self {
            Doc::Str(s) if s.is_empty() => Some("\"\"".into()),
            Doc::Str(s) => Some(s.clone()),
            Doc::Bool(b) => Some(b.to_string()),
            Doc::Map(m) if m.is_empty() => Some("{}".into()),
            Doc::List(l) if l.is_empty() => Some("[]".into()),
            _ => None,
        }
    }

    fn write(&self, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match self {
            Doc::Map(entries) if !entries.is_empty() => {
                for (key, value) in entries {
                    match (value.scalar(), value) {
                        (Some(s), _) => out.push_str(&format!("{pad}{key}: {s}\n")),
                        (None, Doc::List(_)) => {
                            out.push_str(&format!("{pad}{key}:\n"));
                            value.write(indent, out);
                        }
                        (None, _) => {
                            out.push_str(&format!("{pad}{key}:\n"));
                            value.write(indent + 2, out);
                        }
                    }
                }
            }
            Doc::List(items) if !items.is_empty() => {
                for item in items {
                    match item.scalar() {
                        Some(s) => out.push_str(&format!("{pad}- {s}\n")),
                        None => {
                            let mut inner = String::new();
                            item.write(indent + 2, &mut inner);
                            // The first line's indentation becomes the "- " marker.
                            out.push_str(&pad);
                            out.push_str("- ");
                            out.push_str(inner.get(indent + 2..).unwrap_or_default());
                        }
                    }
                }
            }
            scalar => {
                let s = scalar.scalar().unwrap_or_default();
                out.push_str(&format!("{pad}{s}\n"));
            }
        }
    }
}

/// How query answers are written: `--output`, and the bond denom shown after bare token
/// amounts in text.
#[derive(Debug, Clone)]
pub struct Render {
    output: Output,
    bond_denom: Option<String>,
}

impl Render {
    /// A renderer for the output format of `options`. For text, the node is asked for the bond
    /// denom (shown after bare token amounts); a node that cannot say leaves them bare.
    pub async fn with_denom(options: &QueryOptions) -> Self {
        let output = options.output.output;
        let bond_denom = match output {
            Output::Text => {
                let params: Option<pb::QueryParamsResponse> = ask(
                    options,
                    &format!("{QUERY}Params"),
                    &pb::QueryParamsRequest {},
                )
                .await
                .ok();
                params.and_then(|p| p.params).map(|p| p.bond_denom)
            }
            Output::Json => None,
        };
        Self { output, bond_denom }
    }

    /// A renderer that never asks a node (no denom after bare token amounts).
    pub fn plain(output: Output) -> Self {
        Self {
            output,
            bond_denom: None,
        }
    }

    fn json(&self) -> bool {
        self.output == Output::Json
    }

    /// A `LegacyDec` from its wire form: trimmed in text, 18 places in JSON.
    pub fn dec(&self, wire: &str) -> Doc {
        let style = if self.json() {
            DecStyle::Full
        } else {
            DecStyle::Short
        };
        Doc::Str(decimal::format(wire, style))
    }

    /// A bare amount of the bond denom (`tokens`): `1000uramp` in text when the denom is known.
    pub fn tokens(&self, amount: &str) -> Doc {
        match (&self.bond_denom, self.json()) {
            (Some(denom), false) => Doc::Str(format!("{amount}{denom}")),
            _ => Doc::str(amount),
        }
    }

    /// A coin: `{denom, amount}` in JSON, `100uramp` in text.
    pub fn coin(&self, coin: Option<&Coin>) -> Doc {
        let coin = coin.cloned().unwrap_or_default();
        if self.json() {
            Doc::Map(vec![
                ("denom", Doc::Str(coin.denom)),
                ("amount", Doc::Str(coin.amount)),
            ])
        } else {
            Doc::Str(format!("{}{}", coin.amount, coin.denom))
        }
    }

    /// Coins: a list of `{denom, amount}` in JSON, `5uatom,100uramp` in text.
    pub fn coins(&self, coins: &[Coin]) -> Doc {
        if self.json() {
            Doc::List(coins.iter().map(|c| self.coin(Some(c))).collect())
        } else if coins.is_empty() {
            Doc::str("none")
        } else {
            Doc::Str(format_coins(coins))
        }
    }

    /// Decimal coins (rewards): a list of `{denom, amount}` with 18 places in JSON,
    /// `12.5uramp,0.25uatom` in text.
    pub fn dec_coins(&self, coins: &[DecCoin]) -> Doc {
        if self.json() {
            return Doc::List(
                coins
                    .iter()
                    .map(|c| {
                        Doc::Map(vec![
                            ("denom", Doc::str(&c.denom)),
                            ("amount", self.dec(&c.amount)),
                        ])
                    })
                    .collect(),
            );
        }
        if coins.is_empty() {
            return Doc::str("none");
        }
        let text: Vec<String> = coins
            .iter()
            .map(|c| format!("{}{}", decimal::format(&c.amount, DecStyle::Short), c.denom))
            .collect();
        Doc::Str(text.join(","))
    }

    /// A timestamp as RFC 3339.
    pub fn time(&self, ts: Option<&Timestamp>) -> Doc {
        let ts = ts.cloned().unwrap_or_default();
        let text = u32::try_from(ts.nanos)
            .ok()
            .and_then(|nanos| tendermint::Time::from_unix_timestamp(ts.seconds, nanos).ok())
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| format!("{}s {}ns since 1970", ts.seconds, ts.nanos));
        Doc::Str(text)
    }

    /// A height or count (a string in JSON, as the SDK writes 64-bit integers).
    pub fn int(&self, value: impl ToString) -> Doc {
        Doc::Str(value.to_string())
    }

    /// Prints `doc` as JSON or text.
    pub fn print(&self, doc: &Doc) -> anyhow::Result<()> {
        match self.output {
            Output::Json => print_json(doc),
            Output::Text => {
                print!("{}", doc.text());
                Ok(())
            }
        }
    }

    fn status(&self, status: i32) -> Doc {
        let status = pb::BondStatus::try_from(status).unwrap_or(pb::BondStatus::Unspecified);
        if self.json() {
            Doc::str(status.as_str_name())
        } else {
            Doc::str(status_word(status))
        }
    }

    /// A validator, shaped as the SDK's JSON.
    pub fn validator(&self, v: &pb::Validator) -> Doc {
        let pubkey = v.consensus_pubkey.as_ref().map(|any| {
            let key = PubKey::decode(any.value.as_slice())
                .map(|k| base64::engine::general_purpose::STANDARD.encode(k.key))
                .unwrap_or_else(|_| hex::encode(&any.value));
            if self.json() {
                Doc::Map(vec![
                    ("@type", Doc::str(&any.type_url)),
                    ("key", Doc::Str(key)),
                ])
            } else {
                Doc::Str(key)
            }
        });
        let description = v.description.clone().unwrap_or_default();
        let description_fields = [
            ("moniker", description.moniker),
            ("identity", description.identity),
            ("website", description.website),
            ("security_contact", description.security_contact),
            ("details", description.details),
        ];
        let description = Doc::Map(
            description_fields
                .into_iter()
                .filter(|(_, value)| self.json() || !value.is_empty())
                .map(|(key, value)| (key, Doc::Str(value)))
                .collect(),
        );
        let commission = v.commission.clone().unwrap_or_default();
        let rates = commission.commission_rates.unwrap_or_default();
        Doc::Map(vec![
            ("operator_address", Doc::str(&v.operator_address)),
            ("consensus_pubkey", pubkey.unwrap_or(Doc::str(""))),
            ("jailed", Doc::Bool(v.jailed)),
            ("status", self.status(v.status)),
            ("tokens", self.tokens(&v.tokens)),
            ("delegator_shares", self.dec(&v.delegator_shares)),
            ("description", description),
            ("unbonding_height", self.int(v.unbonding_height)),
            ("unbonding_time", self.time(v.unbonding_time.as_ref())),
            (
                "commission",
                Doc::Map(vec![
                    (
                        "commission_rates",
                        Doc::Map(vec![
                            ("rate", self.dec(&rates.rate)),
                            ("max_rate", self.dec(&rates.max_rate)),
                            ("max_change_rate", self.dec(&rates.max_change_rate)),
                        ]),
                    ),
                    ("update_time", self.time(commission.update_time.as_ref())),
                ]),
            ),
            ("min_self_delegation", self.tokens(&v.min_self_delegation)),
        ])
    }

    /// A delegation with its balance.
    pub fn delegation(&self, d: &pb::DelegationResponse) -> Doc {
        let delegation = d.delegation.clone().unwrap_or_default();
        Doc::Map(vec![
            (
                "delegation",
                Doc::Map(vec![
                    ("delegator_address", Doc::Str(delegation.delegator_address)),
                    ("validator_address", Doc::Str(delegation.validator_address)),
                    ("shares", self.dec(&delegation.shares)),
                ]),
            ),
            ("balance", self.coin(d.balance.as_ref())),
        ])
    }

    /// An unbonding delegation with its entries.
    pub fn unbonding(&self, u: &pb::UnbondingDelegation) -> Doc {
        let entries = u
            .entries
            .iter()
            .map(|e| {
                Doc::Map(vec![
                    ("creation_height", self.int(e.creation_height)),
                    ("completion_time", self.time(e.completion_time.as_ref())),
                    ("initial_balance", self.tokens(&e.initial_balance)),
                    ("balance", self.tokens(&e.balance)),
                    ("unbonding_id", self.int(e.unbonding_id)),
                ])
            })
            .collect();
        Doc::Map(vec![
            ("delegator_address", Doc::str(&u.delegator_address)),
            ("validator_address", Doc::str(&u.validator_address)),
            ("entries", Doc::List(entries)),
        ])
    }

    fn redelegation(&self, r: &pb::RedelegationResponse) -> Doc {
        let red = r.redelegation.clone().unwrap_or_default();
        let entries = r
            .entries
            .iter()
            .map(|e| {
                let entry = e.redelegation_entry.clone().unwrap_or_default();
                Doc::Map(vec![
                    (
                        "redelegation_entry",
                        Doc::Map(vec![
                            ("creation_height", self.int(entry.creation_height)),
                            ("completion_time", self.time(entry.completion_time.as_ref())),
                            ("initial_balance", self.tokens(&entry.initial_balance)),
                            ("shares_dst", self.dec(&entry.shares_dst)),
                        ]),
                    ),
                    ("balance", self.tokens(&e.balance)),
                ])
            })
            .collect();
        Doc::Map(vec![
            (
                "redelegation",
                Doc::Map(vec![
                    ("delegator_address", Doc::Str(red.delegator_address)),
                    ("validator_src_address", Doc::Str(red.validator_src_address)),
                    ("validator_dst_address", Doc::Str(red.validator_dst_address)),
                ]),
            ),
            ("entries", Doc::List(entries)),
        ])
    }

    fn params(&self, p: &pb::Params) -> Doc {
        let unbonding = p.unbonding_time.unwrap_or_default();
        let unbonding = if unbonding.nanos == 0 {
            format!("{}s", unbonding.seconds)
        } else {
            format!("{}.{:09}s", unbonding.seconds, unbonding.nanos)
        };
        Doc::Map(vec![
            ("unbonding_time", Doc::Str(unbonding)),
            ("max_validators", self.int(p.max_validators)),
            ("max_entries", self.int(p.max_entries)),
            ("historical_entries", self.int(p.historical_entries)),
            ("bond_denom", Doc::str(&p.bond_denom)),
            ("min_commission_rate", self.dec(&p.min_commission_rate)),
        ])
    }

    /// A text table of validators: operator, moniker, status, tokens, commission, jailed.
    fn validator_table(&self, validators: &[pb::Validator]) -> String {
        let mut rows = vec![[
            "operator".to_string(),
            "moniker".into(),
            "status".into(),
            "tokens".into(),
            "commission".into(),
            "jailed".into(),
        ]];
        for v in validators {
            let rate = v
                .commission
                .as_ref()
                .and_then(|c| c.commission_rates.as_ref())
                .map(|r| decimal::format(&r.rate, DecStyle::Short))
                .unwrap_or_default();
            let status = pb::BondStatus::try_from(v.status).unwrap_or(pb::BondStatus::Unspecified);
            let tokens = match &self.bond_denom {
                Some(denom) => format!("{}{denom}", v.tokens),
                None => v.tokens.clone(),
            };
            rows.push([
                v.operator_address.clone(),
                v.description
                    .as_ref()
                    .map(|d| d.moniker.clone())
                    .unwrap_or_default(),
                status_word(status).into(),
                tokens,
                rate,
                v.jailed.to_string(),
            ]);
        }
        let widths: Vec<usize> = (0..6)
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for row in &rows {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        out
    }
}

fn status_word(status: pb::BondStatus) -> &'static str {
    match status {
        pb::BondStatus::Bonded => "bonded",
        pb::BondStatus::Unbonding => "unbonding",
        pb::BondStatus::Unbonded => "unbonded",
        pb::BondStatus::Unspecified => "unspecified",
    }
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

/// A validator status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    /// In the active set.
    Bonded,
    /// Leaving the active set.
    Unbonding,
    /// Not in the active set.
    Unbonded,
}

impl StatusFilter {
    fn proto_name(self) -> &'static str {
        match self {
            StatusFilter::Bonded => pb::BondStatus::Bonded.as_str_name(),
            StatusFilter::Unbonding => pb::BondStatus::Unbonding.as_str_name(),
            StatusFilter::Unbonded => pb::BondStatus::Unbonded.as_str_name(),
        }
    }
}

/// A delegator and a validator to ask about.
#[derive(Debug, Args)]
pub struct PairArgs {
    /// The delegator address (rampart1…).
    pub delegator: String,
    /// The validator's operator address (rampartvaloper1…).
    pub validator: String,
    /// The node to ask and the output format.
    #[command(flatten)]
    pub options: QueryOptions,
}

impl PairArgs {
    fn delegator(&self) -> anyhow::Result<String> {
        account_arg(&self.delegator).map(|a| a.to_string())
    }

    fn validator(&self) -> anyhow::Result<String> {
        validator_arg(&self.validator).map(|a| a.to_string())
    }
}

/// `rampartd query staking`.
#[derive(Debug, Subcommand)]
pub enum StakingQuery {
    /// All validators (text: a table), optionally only those with one status.
    Validators {
        /// Only validators with this status.
        #[arg(long, value_enum)]
        status: Option<StatusFilter>,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// One validator.
    Validator {
        /// The operator address (rampartvaloper1…).
        validator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// One delegation: shares and their current balance.
    Delegation(PairArgs),
    /// Every delegation of a delegator.
    Delegations {
        /// The delegator address (rampart1…).
        delegator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Every delegation to a validator.
    DelegationsTo {
        /// The validator's operator address (rampartvaloper1…).
        validator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The unbonding entries of one delegator at one validator.
    UnbondingDelegation(PairArgs),
    /// Every unbonding delegation of a delegator.
    UnbondingDelegations {
        /// The delegator address (rampart1…).
        delegator: String,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The redelegations of a delegator, optionally only from or to one validator.
    Redelegations {
        /// The delegator address (rampart1…).
        delegator: String,
        /// Only redelegations from this validator.
        #[arg(long)]
        src_validator: Option<String>,
        /// Only redelegations to this validator.
        #[arg(long)]
        dst_validator: Option<String>,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Bonded and not-bonded token totals.
    Pool {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Staking parameters.
    Params {
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The header and validator set recorded at a height.
    HistoricalInfo {
        /// The height.
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        height: i64,
        /// The node to ask and the output format.
        #[command(flatten)]
        options: QueryOptions,
    },
}

fn account_arg(text: &str) -> anyhow::Result<AccountId> {
    address::account(text, "delegator address")
}

/// The error for an answer that lacks the field holding what was asked for.
fn missing(what: &str) -> anyhow::Error {
    anyhow!("the node answered without {what}")
}

/// Every item of a paginated staking query, from the node `options` names.
async fn pages<Req, Resp, T>(
    options: &QueryOptions,
    method: &str,
    request: impl FnMut(PageRequest) -> Req,
    items: impl FnMut(Resp) -> (Vec<T>, Option<PageResponse>),
) -> anyhow::Result<Vec<T>>
where
    Req: Message,
    Resp: Message + Default,
{
    let node = options.node.client()?;
    node.grpc_query_pages(&format!("{QUERY}{method}"), request, items)
        .await
}

impl StakingQuery {
    /// Checks the addresses, queries the node and prints the answer.
    pub async fn run(self) -> anyhow::Result<()> {
        let path = |method: &str| format!("{QUERY}{method}");
        match self {
            StakingQuery::Validators { status, options } => {
                let status = status.map(StatusFilter::proto_name).unwrap_or_default();
                let validators = pages(
                    &options,
                    "Validators",
                    |pagination| pb::QueryValidatorsRequest {
                        status: status.to_owned(),
                        pagination: Some(pagination),
                    },
                    |r: pb::QueryValidatorsResponse| (r.validators, r.pagination),
                )
                .await?;
                let render = Render::with_denom(&options).await;
                if render.json() {
                    let list = validators.iter().map(|v| render.validator(v)).collect();
                    render.print(&Doc::Map(vec![("validators", Doc::List(list))]))
                } else if validators.is_empty() {
                    println!("no validators");
                    Ok(())
                } else {
                    print!("{}", render.validator_table(&validators));
                    Ok(())
                }
            }
            StakingQuery::Validator { validator, options } => {
                let request = pb::QueryValidatorRequest {
                    validator_addr: validator_arg(&validator)?.to_string(),
                };
                let r: pb::QueryValidatorResponse =
                    ask(&options, &path("Validator"), &request).await?;
                let v = r.validator.ok_or_else(|| missing("a validator"))?;
                let render = Render::with_denom(&options).await;
                render.print(&render.validator(&v))
            }
            StakingQuery::Delegation(pair) => {
                let request = pb::QueryDelegationRequest {
                    delegator_addr: pair.delegator()?,
                    validator_addr: pair.validator()?,
                };
                let r: pb::QueryDelegationResponse =
                    ask(&pair.options, &path("Delegation"), &request).await?;
                let d = r
                    .delegation_response
                    .ok_or_else(|| missing("a delegation"))?;
                let render = Render::plain(pair.options.output.output);
                render.print(&render.delegation(&d))
            }
            StakingQuery::UnbondingDelegation(pair) => {
                let request = pb::QueryUnbondingDelegationRequest {
                    delegator_addr: pair.delegator()?,
                    validator_addr: pair.validator()?,
                };
                let r: pb::QueryUnbondingDelegationResponse =
                    ask(&pair.options, &path("UnbondingDelegation"), &request).await?;
                let u = r.unbond.ok_or_else(|| missing("an unbonding delegation"))?;
                let render = Render::with_denom(&pair.options).await;
                render.print(&Doc::Map(vec![("unbond", render.unbonding(&u))]))
            }
            StakingQuery::Delegations { delegator, options } => {
                let delegator = account_arg(&delegator)?.to_string();
                let list = delegations_of(&options.node.client()?, &delegator).await?;
                print_delegations(&options, &list)
            }
            StakingQuery::DelegationsTo { validator, options } => {
                let validator = validator_arg(&validator)?.to_string();
                let list = pages(
                    &options,
                    "ValidatorDelegations",
                    |pagination| pb::QueryValidatorDelegationsRequest {
                        validator_addr: validator.clone(),
                        pagination: Some(pagination),
                    },
                    |r: pb::QueryValidatorDelegationsResponse| {
                        (r.delegation_responses, r.pagination)
                    },
                )
                .await?;
                print_delegations(&options, &list)
            }
            StakingQuery::UnbondingDelegations { delegator, options } => {
                let delegator = account_arg(&delegator)?.to_string();
                let list = pages(
                    &options,
                    "DelegatorUnbondingDelegations",
                    |pagination| pb::QueryDelegatorUnbondingDelegationsRequest {
                        delegator_addr: delegator.clone(),
                        pagination: Some(pagination),
                    },
                    |r: pb::QueryDelegatorUnbondingDelegationsResponse| {
                        (r.unbonding_responses, r.pagination)
                    },
                )
                .await?;
                let render = Render::with_denom(&options).await;
                let list = list.iter().map(|u| render.unbonding(u)).collect();
                render.print(&Doc::Map(vec![("unbonding_responses", Doc::List(list))]))
            }
            StakingQuery::Redelegations {
                delegator,
                src_validator,
                dst_validator,
                options,
            } => {
                let delegator = account_arg(&delegator)?.to_string();
                let optional = |v: Option<String>, what: &str| {
                    v.map(|v| address::validator(&v, what).map(|a| a.to_string()))
                        .transpose()
                        .map(Option::unwrap_or_default)
                };
                let src = optional(src_validator, "source validator address")?;
                let dst = optional(dst_validator, "destination validator address")?;
                let list = pages(
                    &options,
                    "Redelegations",
                    |pagination| pb::QueryRedelegationsRequest {
                        delegator_addr: delegator.clone(),
                        src_validator_addr: src.clone(),
                        dst_validator_addr: dst.clone(),
                        pagination: Some(pagination),
                    },
                    |r: pb::QueryRedelegationsResponse| (r.redelegation_responses, r.pagination),
                )
                .await?;
                let render = Render::with_denom(&options).await;
                let list = list.iter().map(|r| render.redelegation(r)).collect();
                render.print(&Doc::Map(vec![("redelegation_responses", Doc::List(list))]))
            }
            StakingQuery::Pool { options } => {
                let r: pb::QueryPoolResponse =
                    ask(&options, &path("Pool"), &pb::QueryPoolRequest {}).await?;
                let pool = r.pool.ok_or_else(|| missing("the pool"))?;
                let render = Render::with_denom(&options).await;
                render.print(&Doc::Map(vec![(
                    "pool",
                    Doc::Map(vec![
                        ("not_bonded_tokens", render.tokens(&pool.not_bonded_tokens)),
                        ("bonded_tokens", render.tokens(&pool.bonded_tokens)),
                    ]),
                )]))
            }
            StakingQuery::Params { options } => {
                let r: pb::QueryParamsResponse =
                    ask(&options, &path("Params"), &pb::QueryParamsRequest {}).await?;
                let params = r.params.ok_or_else(|| missing("params"))?;
                let render = Render::plain(options.output.output);
                render.print(&Doc::Map(vec![("params", render.params(&params))]))
            }
            StakingQuery::HistoricalInfo { height, options } => {
                let request = pb::QueryHistoricalInfoRequest { height };
                let r: pb::QueryHistoricalInfoResponse =
                    ask(&options, &path("HistoricalInfo"), &request).await?;
                let info = r
                    .hist
                    .ok_or_else(|| anyhow!("no historical info at height {height}"))?;
                let render = Render::with_denom(&options).await;
                let header = info.header.unwrap_or_default();
                render.print(&Doc::Map(vec![(
                    "hist",
                    Doc::Map(vec![
                        (
                            "header",
                            Doc::Map(vec![
                                ("chain_id", Doc::Str(header.chain_id)),
                                ("height", render.int(header.height)),
                                ("time", render.time(header.time.as_ref())),
                                ("app_hash", Doc::Str(hex::encode_upper(header.app_hash))),
                            ]),
                        ),
                        (
                            "valset",
                            Doc::List(info.valset.iter().map(|v| render.validator(v)).collect()),
                        ),
                    ]),
                )]))
            }
        }
    }
}

/// Calls the gRPC query method at `path` with `request` on the node `options` names.
pub async fn ask<Resp: Message + Default>(
    options: &QueryOptions,
    path: &str,
    request: &impl Message,
) -> anyhow::Result<Resp> {
    options.node.client()?.grpc_query(path, request).await
}

/// Every delegation of `delegator` (all pages), through `DelegatorDelegations`.
pub async fn delegations_of(
    node: &NodeClient,
    delegator: &str,
) -> anyhow::Result<Vec<pb::DelegationResponse>> {
    node.grpc_query_pages(
        &format!("{QUERY}DelegatorDelegations"),
        |pagination| pb::QueryDelegatorDelegationsRequest {
            delegator_addr: delegator.to_owned(),
            pagination: Some(pagination),
        },
        |r: pb::QueryDelegatorDelegationsResponse| (r.delegation_responses, r.pagination),
    )
    .await
}

fn print_delegations(
    options: &QueryOptions,
    list: &[pb::DelegationResponse],
) -> anyhow::Result<()> {
    let render = Render::plain(options.output.output);
    let list = list.iter().map(|d| render.delegation(d)).collect();
    render.print(&Doc::Map(vec![("delegation_responses", Doc::List(list))]))
}
