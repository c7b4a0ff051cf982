//! Message builders for the bank, staking, distribution, slashing and liquid messages, packed in an
//! `Any` under the type URL the module crate declares. Accounts are any [`Party`]: a test
//! address byte in the module harnesses, a key or a validator in the app harnesses.

use cosmos_sdk_proto::cosmos::bank::v1beta1::MsgSend;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmos_sdk_proto::cosmos::distribution::v1beta1 as dpb;
use cosmos_sdk_proto::cosmos::slashing::v1beta1::MsgUnjail;
use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    CommissionRates, Description, MsgBeginRedelegate, MsgCancelUnbondingDelegation,
    MsgCreateValidator, MsgDelegate, MsgEditValidator, MsgUndelegate,
};
use prost::Message;
use rampart_core::Decimal;
use rampart_proto::rampart::liquid::v1 as lpb;
use rampart_staking::validator::pubkey_to_any;
use tendermint_proto::google::protobuf::Any;

use crate::party::{acc, valoper, Party};
use crate::tx::{coin, DENOM};

/// Packs `msg` under `type_url`.
pub fn any<M: Message>(type_url: &str, msg: &M) -> Any {
    Any {
        type_url: type_url.into(),
        value: msg.encode_to_vec(),
    }
}

/// `amount` of the bond denom as a protobuf coin.
pub fn uramp(amount: u128) -> ProtoCoin {
    coin(&amount.to_string(), DENOM)
}

/// A `MsgSend` of `amount` from `from` to `to`.
pub fn msg_send(from: impl Party, to: impl Party, amount: Vec<ProtoCoin>) -> Any {
    any(
        rampart_bank::msgs::MSG_SEND,
        &MsgSend {
            from_address: acc(from),
            to_address: acc(to),
            amount,
        },
    )
}

/// A decimal in its protobuf `LegacyDec` form (integer attos).
fn wire(value: Decimal) -> String {
    value.0.to_string()
}

/// Commission rates from basis points: the rate, its maximum and its maximum daily change.
pub fn rates_bps(rate: u32, max_rate: u32, max_change_rate: u32) -> CommissionRates {
    CommissionRates {
        rate: wire(Decimal::from_bps(rate)),
        max_rate: wire(Decimal::from_bps(max_rate)),
        max_change_rate: wire(Decimal::from_bps(max_change_rate)),
    }
}

/// Commission rates in percent.
pub fn rates(rate: u32, max_rate: u32, max_change_rate: u32) -> CommissionRates {
    rates_bps(rate * 100, max_rate * 100, max_change_rate * 100)
}

/// A `MsgCreateValidator` to fill in: [`CreateValidator::new`] gives 10 % commission (at most
/// 20 %, changing by 1 % a day) and a minimum self-delegation of 1; change the fields, then
/// [`CreateValidator::to_any`].
#[derive(Debug, Clone)]
pub struct CreateValidator {
    /// The moniker.
    pub moniker: String,
    /// The operator.
    pub operator: rampart_core::Address,
    /// Whether the deprecated `delegator_address` names the operator (or stays empty).
    pub with_delegator_address: bool,
    /// The ed25519 consensus key.
    pub pubkey: [u8; 32],
    /// The self-delegation in the bond denom.
    pub amount: u128,
    /// The minimum self-delegation.
    pub min_self_delegation: u128,
    /// The commission rates.
    pub commission: CommissionRates,
}

impl CreateValidator {
    /// Validator `moniker` of `operator` with consensus key `pubkey`, self-delegating `amount`.
    pub fn new(moniker: &str, operator: impl Party, pubkey: [u8; 32], amount: u128) -> Self {
        Self {
            moniker: moniker.into(),
            operator: operator.address(),
            with_delegator_address: false,
            pubkey,
            amount,
            min_self_delegation: 1,
            commission: rates(10, 20, 1),
        }
    }

    /// The message.
    pub fn to_any(&self) -> Any {
        #[allow(deprecated)]
        let msg = MsgCreateValidator {
            description: Some(Description {
                moniker: self.moniker.clone(),
                ..Default::default()
            }),
            commission: Some(self.commission.clone()),
            min_self_delegation: self.min_self_delegation.to_string(),
            delegator_address: if self.with_delegator_address {
                acc(self.operator)
            } else {
                String::new()
            },
            validator_address: valoper(self.operator),
            pubkey: Some(pubkey_to_any(&self.pubkey)),
            value: Some(uramp(self.amount)),
        };
        any(rampart_staking::msgs::CREATE_VALIDATOR, &msg)
    }
}

/// A `MsgEditValidator` of `validator`'s commission rate and minimum self-delegation (`None`
/// leaves one unchanged); the description stays.
pub fn edit_validator(validator: impl Party, rate: Option<Decimal>, min_self: Option<u128>) -> Any {
    any(
        rampart_staking::msgs::EDIT_VALIDATOR,
        &MsgEditValidator {
            description: None,
            validator_address: valoper(validator),
            commission_rate: rate.map(wire).unwrap_or_default(),
            min_self_delegation: min_self.map(|m| m.to_string()).unwrap_or_default(),
        },
    )
}

/// A `MsgDelegate` of `amount` from `delegator` to `validator`.
pub fn delegate(delegator: impl Party, validator: impl Party, amount: u128) -> Any {
    any(
        rampart_staking::msgs::DELEGATE,
        &MsgDelegate {
            delegator_address: acc(delegator),
            validator_address: valoper(validator),
            amount: Some(uramp(amount)),
        },
    )
}

/// A `MsgUndelegate` of `amount` of `delegator`'s delegation to `validator`.
pub fn undelegate(delegator: impl Party, validator: impl Party, amount: u128) -> Any {
    any(
        rampart_staking::msgs::UNDELEGATE,
        &MsgUndelegate {
            delegator_address: acc(delegator),
            validator_address: valoper(validator),
            amount: Some(uramp(amount)),
        },
    )
}

/// A `MsgBeginRedelegate` of `amount` from `src` to `dst`.
pub fn redelegate(delegator: impl Party, src: impl Party, dst: impl Party, amount: u128) -> Any {
    any(
        rampart_staking::msgs::BEGIN_REDELEGATE,
        &MsgBeginRedelegate {
            delegator_address: acc(delegator),
            validator_src_address: valoper(src),
            validator_dst_address: valoper(dst),
            amount: Some(uramp(amount)),
        },
    )
}

/// A `MsgCancelUnbondingDelegation` of `amount` of the entry created at `creation_height`.
pub fn cancel_unbonding(
    delegator: impl Party,
    validator: impl Party,
    amount: u128,
    creation_height: i64,
) -> Any {
    any(
        rampart_staking::msgs::CANCEL_UNBONDING,
        &MsgCancelUnbondingDelegation {
            delegator_address: acc(delegator),
            validator_address: valoper(validator),
            amount: Some(uramp(amount)),
            creation_height,
        },
    )
}

/// A `MsgWithdrawDelegatorReward` of `delegator`'s rewards at `validator`.
pub fn withdraw_reward(delegator: impl Party, validator: impl Party) -> Any {
    any(
        rampart_distribution::msgs::WITHDRAW_DELEGATOR_REWARD,
        &dpb::MsgWithdrawDelegatorReward {
            delegator_address: acc(delegator),
            validator_address: valoper(validator),
        },
    )
}

/// A `MsgWithdrawValidatorCommission` of `validator`.
pub fn withdraw_commission(validator: impl Party) -> Any {
    any(
        rampart_distribution::msgs::WITHDRAW_VALIDATOR_COMMISSION,
        &dpb::MsgWithdrawValidatorCommission {
            validator_address: valoper(validator),
        },
    )
}

/// A `MsgSetWithdrawAddress` sending `delegator`'s rewards to `to` (any text, to test bad ones).
pub fn set_withdraw_address(delegator: impl Party, to: &str) -> Any {
    any(
        rampart_distribution::msgs::SET_WITHDRAW_ADDRESS,
        &dpb::MsgSetWithdrawAddress {
            delegator_address: acc(delegator),
            withdraw_address: to.into(),
        },
    )
}

/// A `MsgFundCommunityPool` of `coins` (denom, amount) from `depositor`.
pub fn fund_community_pool(depositor: impl Party, coins: &[(&str, u128)]) -> Any {
    any(
        rampart_distribution::msgs::FUND_COMMUNITY_POOL,
        &dpb::MsgFundCommunityPool {
            amount: coins
                .iter()
                .map(|(denom, amount)| coin(&amount.to_string(), denom))
                .collect(),
            depositor: acc(depositor),
        },
    )
}

/// A `MsgUnjail` of `validator`.
pub fn unjail(validator: impl Party) -> Any {
    any(
        rampart_slashing::unjail::MSG_UNJAIL,
        &MsgUnjail {
            validator_addr: valoper(validator),
        },
    )
}

/// A `MsgLiquidStake` of `amount` `denom` by `delegator` over `validators` (operator addresses;
/// empty: the module's default spread).
pub fn liquid_stake(
    delegator: impl Party,
    amount: u128,
    denom: &str,
    validators: &[String],
) -> Any {
    any(
        rampart_liquid::urls::LIQUID_STAKE,
        &lpb::MsgLiquidStake {
            delegator: acc(delegator),
            amount: Some(coin(&amount.to_string(), denom)),
            validators: validators.to_vec(),
        },
    )
}

/// A `MsgLiquidUnstake` of `amount` `denom` (normally lsuramp) by `delegator`.
pub fn liquid_unstake(delegator: impl Party, amount: u128, denom: &str) -> Any {
    any(
        rampart_liquid::urls::LIQUID_UNSTAKE,
        &lpb::MsgLiquidUnstake {
            delegator: acc(delegator),
            amount: Some(coin(&amount.to_string(), denom)),
        },
    )
}
