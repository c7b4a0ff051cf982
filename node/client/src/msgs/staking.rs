//! `cosmos.staking.v1beta1` messages: creating and editing validators, delegating, unbonding,
//! redelegating, cancelling an unbonding.

use anyhow::{anyhow, bail};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::staking::v1beta1 as pb;
use cosmos_sdk_proto::cosmos::staking::v1beta1::CommissionRates;
use cosmrs::{AccountId, Any};
use rampart_auth::PubKey as ConsensusKey;
use rampart_core::Decimal;
pub use rampart_staking::urls::{
    BEGIN_REDELEGATE, CANCEL_UNBONDING, CREATE_VALIDATOR, DELEGATE, EDIT_VALIDATOR, UNDELEGATE,
};

use super::to_any;
use crate::address;

/// A new validator's commission rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commission {
    /// The initial rate.
    pub rate: Decimal,
    /// The rate can never exceed this.
    pub max_rate: Decimal,
    /// The most the rate may change in one day.
    pub max_change_rate: Decimal,
}

impl Default for Commission {
    /// 10 %, at most 20 %, changing by at most 1 % a day (the `gentx` flag defaults).
    fn default() -> Self {
        Self {
            rate: Decimal::from_bps(1_000),
            max_rate: Decimal::from_bps(2_000),
            max_change_rate: Decimal::from_bps(100),
        }
    }
}

impl Commission {
    /// Parses decimal rates such as `0.10` and checks them as the Cosmos SDK does.
    pub fn parse(rate: &str, max_rate: &str, max_change_rate: &str) -> anyhow::Result<Self> {
        let parse = |text: &str, flag: &str| {
            text.parse::<Decimal>()
                .map_err(|_| anyhow!("--{flag} {text:?} is not a decimal such as 0.10"))
        };
        let commission = Self {
            rate: parse(rate, "commission-rate")?,
            max_rate: parse(max_rate, "commission-max-rate")?,
            max_change_rate: parse(max_change_rate, "commission-max-change-rate")?,
        };
        commission.check()?;
        Ok(commission)
    }

    /// The SDK's rules: max rate ≤ 1, rate ≤ max rate, max change rate ≤ max rate.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.max_rate > Decimal::ONE {
            bail!("commission max rate cannot be more than 100%");
        }
        if self.rate > self.max_rate {
            bail!("commission rate cannot be more than the max rate");
        }
        if self.max_change_rate > self.max_rate {
            bail!("commission change rate cannot be more than the max rate");
        }
        Ok(())
    }

    /// The protobuf form: `LegacyDec` travels as its integer attos.
    pub fn to_proto(self) -> CommissionRates {
        // `LegacyDec` travels as its integer attos.
        CommissionRates {
            rate: self.rate.0.to_string(),
            max_rate: self.max_rate.0.to_string(),
            max_change_rate: self.max_change_rate.0.to_string(),
        }
    }

    /// Reads the protobuf form (integer attos).
    pub fn from_proto(rates: &CommissionRates) -> anyhow::Result<Self> {
        let parse = |text: &str, field: &str| {
            text.parse::<u128>()
                .map(Decimal)
                .map_err(|_| anyhow!("commission {field}: invalid decimal {text:?}"))
        };
        Ok(Self {
            rate: parse(&rates.rate, "rate")?,
            max_rate: parse(&rates.max_rate, "max_rate")?,
            max_change_rate: parse(&rates.max_change_rate, "max_change_rate")?,
        })
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
        Ok(to_any(
            CREATE_VALIDATOR,
            &pb::MsgCreateValidator {
                description: Some(self.description.clone()),
                commission: Some(self.commission.to_proto()),
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

/// A `MsgEditValidator` of `operator`'s validator (its account address): `description`
/// `None`, an empty `commission_rate` (wire form) or an empty `min_self_delegation` leave that
/// part unchanged.
pub fn edit_validator_msg(
    operator: &AccountId,
    description: Option<pb::Description>,
    commission_rate: String,
    min_self_delegation: String,
) -> anyhow::Result<Any> {
    Ok(to_any(
        EDIT_VALIDATOR,
        &pb::MsgEditValidator {
            description,
            validator_address: address::operator_of(operator)?.to_string(),
            commission_rate,
            min_self_delegation,
        },
    ))
}

/// A `MsgDelegate` of `amount` from `delegator` to `validator`.
pub fn delegate_msg(delegator: &AccountId, validator: &AccountId, amount: Coin) -> Any {
    to_any(
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
    to_any(
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
    to_any(
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
    to_any(
        CANCEL_UNBONDING,
        &pb::MsgCancelUnbondingDelegation {
            delegator_address: delegator.to_string(),
            validator_address: validator.to_string(),
            amount: Some(amount),
            creation_height,
        },
    )
}
