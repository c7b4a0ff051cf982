//! The staking messages: decoding from `Any`, stateless checks and signers.

use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    Description, MsgBeginRedelegate, MsgCancelUnbondingDelegation, MsgCreateValidator, MsgDelegate,
    MsgEditValidator, MsgUndelegate,
};
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::{decode_msg as decode, unknown_msg};
use rampart_core::Amount;
use tendermint_proto::google::protobuf::Any;

pub use crate::urls::{
    BEGIN_REDELEGATE, CANCEL_UNBONDING, CREATE_VALIDATOR, DELEGATE, EDIT_VALIDATOR, TYPE_URLS,
    UNDELEGATE,
};
use rampart_core::{Address, ChainProfile, ModuleMsg};

/// A decoded staking message.
#[derive(Debug, Clone, PartialEq)]
pub enum StakingMsg {
    /// Create a validator with a self-delegation.
    CreateValidator(MsgCreateValidator),
    /// Edit description, commission or minimum self-delegation.
    EditValidator(MsgEditValidator),
    /// Delegate tokens.
    Delegate(MsgDelegate),
    /// Start unbonding tokens.
    Undelegate(MsgUndelegate),
    /// Move a delegation to another validator.
    BeginRedelegate(MsgBeginRedelegate),
    /// Return unbonding tokens to the delegation.
    CancelUnbonding(MsgCancelUnbondingDelegation),
}

/// The positive amount and denom of a coin field (`sdk/10` otherwise).
pub fn coin(coin: Option<&Coin>, field: &str) -> AppResult<(Amount, String)> {
    let coin =
        coin.ok_or_else(|| AppError::sdk(SdkCode::InvalidCoins, format!("{field}: missing coin")))?;
    let amount: Amount = coin.amount.parse().map_err(|e: AppError| {
        AppError::sdk(SdkCode::InvalidCoins, format!("{field}: {}", e.log))
    })?;
    if amount.is_zero() || coin.denom.is_empty() {
        return Err(AppError::sdk(
            SdkCode::InvalidCoins,
            format!(
                "{field}: invalid amount {}{}: must be positive",
                coin.amount, coin.denom
            ),
        ));
    }
    Ok((amount, coin.denom.clone()))
}

/// Checks the SDK's description field lengths; a new validator needs a non-empty description.
pub fn check_description(description: Option<&Description>, creating: bool) -> AppResult<()> {
    let invalid = |why: String| AppError::sdk(SdkCode::InvalidRequest, why);
    let Some(d) = description else {
        return if creating {
            Err(invalid("description must be included".into()))
        } else {
            Ok(())
        };
    };
    if creating && *d == Description::default() {
        return Err(invalid("empty description".into()));
    }
    let limits = [
        ("moniker", &d.moniker, 70),
        ("identity", &d.identity, 3000),
        ("website", &d.website, 140),
        ("security contact", &d.security_contact, 140),
        ("details", &d.details, 280),
    ];
    for (name, value, max) in limits {
        if value.len() > max {
            return Err(invalid(format!(
                "invalid {name} length; got: {}, max: {max}",
                value.len()
            )));
        }
    }
    Ok(())
}

impl ModuleMsg for StakingMsg {
    /// Decodes one of [`TYPE_URLS`].
    fn decode(any: &Any, _profile: &ChainProfile) -> AppResult<Self> {
        Ok(match any.type_url.as_str() {
            CREATE_VALIDATOR => Self::CreateValidator(decode(any)?),
            EDIT_VALIDATOR => Self::EditValidator(decode(any)?),
            DELEGATE => Self::Delegate(decode(any)?),
            UNDELEGATE => Self::Undelegate(decode(any)?),
            BEGIN_REDELEGATE => Self::BeginRedelegate(decode(any)?),
            CANCEL_UNBONDING => Self::CancelUnbonding(decode(any)?),
            other => return Err(unknown_msg("staking", other)),
        })
    }

    /// Checks addresses and coins and returns the address that must sign: the operator for
    /// validator messages, the delegator otherwise.
    fn signers(&self, profile: &ChainProfile) -> AppResult<Vec<Address>> {
        let signer = match self {
            Self::CreateValidator(m) => {
                // The deprecated `delegator_address` is ignored, as in SDK v0.50: the operator
                // signs and self-delegates.
                check_description(m.description.as_ref(), true)?;
                let op = profile.valoper(&m.validator_address, "validator address")?;
                coin(m.value.as_ref(), "value")?;
                crate::consensus_key::new_pubkey_from_any(m.pubkey.as_ref())?;
                op
            }
            Self::EditValidator(m) => {
                check_description(m.description.as_ref(), false)?;
                profile.valoper(&m.validator_address, "validator address")?
            }
            Self::Delegate(m) => {
                profile.valoper(&m.validator_address, "validator address")?;
                coin(m.amount.as_ref(), "amount")?;
                profile.account(&m.delegator_address, "delegator address")?
            }
            Self::Undelegate(m) => {
                profile.valoper(&m.validator_address, "validator address")?;
                coin(m.amount.as_ref(), "amount")?;
                profile.account(&m.delegator_address, "delegator address")?
            }
            Self::BeginRedelegate(m) => {
                profile.valoper(&m.validator_src_address, "source validator address")?;
                profile.valoper(&m.validator_dst_address, "destination validator address")?;
                coin(m.amount.as_ref(), "amount")?;
                profile.account(&m.delegator_address, "delegator address")?
            }
            Self::CancelUnbonding(m) => {
                profile.valoper(&m.validator_address, "validator address")?;
                coin(m.amount.as_ref(), "amount")?;
                if m.creation_height <= 0 {
                    return Err(AppError::sdk(
                        SdkCode::InvalidRequest,
                        "invalid height: creation height must be positive",
                    ));
                }
                profile.account(&m.delegator_address, "delegator address")?
            }
        };
        Ok(vec![signer])
    }
}

/// Packs a message response as an `Any`.
pub fn response<M: Message>(type_url: &str, message: &M) -> Any {
    Any {
        type_url: format!("{type_url}Response"),
        value: message.encode_to_vec(),
    }
}
