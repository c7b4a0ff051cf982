//! `rampartd tx staking …`: creating and editing validators, delegating, unbonding,
//! redelegating and cancelling an unbonding (messages built by `rampart_client::msgs::staking`).

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::staking::v1beta1 as pb;
use cosmrs::{AccountId, Any};
use rampart_client::address;
use rampart_client::coins::{format_coins, parse_coin};
use rampart_client::msgs::staking::{
    cancel_unbond_msg, delegate_msg, edit_validator_msg, redelegate_msg, undelegate_msg,
    Commission, NewValidator,
};
use rampart_core::Decimal;

use crate::cli::args::{home_consensus_pubkey, read_consensus_pubkey, FromOptions};

/// The SDK's "leave this description field unchanged" marker.
pub const DO_NOT_MODIFY: &str = "[do-not-modify]";

/// `create-validator`'s default commission rate.
pub const DEFAULT_COMMISSION_RATE: &str = "0.10";
/// `create-validator`'s default maximum commission rate.
pub const DEFAULT_COMMISSION_MAX_RATE: &str = "0.20";
/// `create-validator`'s default maximum daily commission change.
pub const DEFAULT_COMMISSION_MAX_CHANGE_RATE: &str = "0.01";

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
        edit_validator_msg(
            operator,
            any_description.then(|| description(self.moniker.clone(), d.clone(), DO_NOT_MODIFY)),
            commission_rate,
            min_self_delegation,
        )
    }
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
