//! `cosmos.slashing.v1beta1.MsgUnjail`: the operator brings its jailed validator back once the
//! jail period is over — never when tombstoned, never with a self-delegation below its minimum.

use cosmos_sdk_proto::cosmos::slashing::v1beta1::{MsgUnjail, MsgUnjailResponse};
use prost::Message;
use rampart_core::error::AppResult;
use rampart_core::{Address, ChainProfile, ModuleMsg};
use rampart_core::{Event, Events, MsgContext, StateWrite};
use rampart_staking::StakingRead;
use tendermint_proto::google::protobuf::Any;

use crate::errors::{err, SlashingCode};
use crate::signing;
pub use crate::urls::MSG_UNJAIL;

/// A decoded `MsgUnjail`: the operator of the validator to unjail, who must sign it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unjail {
    /// The validator's operator address.
    pub operator: Address,
}

impl ModuleMsg for Unjail {
    /// Decodes a `MsgUnjail`, reading its validator with `profile`'s operator prefix.
    fn decode(msg: &Any, profile: &ChainProfile) -> AppResult<Self> {
        let m: MsgUnjail = rampart_core::module::decode_msg(msg)?;
        let operator = profile.valoper(&m.validator_addr, "validator address")?;
        Ok(Self { operator })
    }

    /// The operator.
    fn signers(&self, _profile: &ChainProfile) -> AppResult<Vec<Address>> {
        Ok(vec![self.operator])
    }
}

/// Unjails the validator of `msg` (signed by its operator, checked by the app).
pub fn execute(
    state: &mut dyn StateWrite,
    ctx: &MsgContext<'_>,
    msg: &Unjail,
    events: &mut Events,
) -> AppResult<Any> {
    let op = msg.operator;
    let validator = state.validator(&op)?.ok_or_else(|| {
        err(
            SlashingCode::NoValidatorForAddress,
            "address is not associated with any known validator",
        )
    })?;
    if rampart_staking::delegation::shares(state, &op, &op)?.is_none() {
        return Err(err(
            SlashingCode::MissingSelfDelegation,
            "validator has no self-delegation; cannot be unjailed",
        ));
    }
    if state.self_delegation_tokens(&op)? < validator.min_self_delegation {
        return Err(err(
            SlashingCode::SelfDelegationTooLowToUnjail,
            "validator's self delegation less than minimum; cannot be unjailed",
        ));
    }
    if !validator.jailed {
        return Err(err(
            SlashingCode::ValidatorNotJailed,
            "validator not jailed; cannot be unjailed",
        ));
    }
    if let Some(info) = signing::load(state, &validator.consensus_address())? {
        if info.tombstoned {
            return Err(err(
                SlashingCode::ValidatorJailed,
                "validator is tombstoned: validator still jailed; cannot be unjailed",
            ));
        }
        if ctx.block.time < info.jailed_until {
            return Err(err(
                SlashingCode::ValidatorJailed,
                format!(
                    "jailed until {}: validator still jailed; cannot be unjailed",
                    rampart_core::wire::rfc3339(info.jailed_until)
                ),
            ));
        }
    }
    rampart_staking::unjail(state, &op)?;
    events.push(Event::new("unjail").attr("validator", ctx.block.profile.to_valoper(&op)));
    Ok(Any {
        type_url: "/cosmos.slashing.v1beta1.MsgUnjailResponse".into(),
        value: MsgUnjailResponse {}.encode_to_vec(),
    })
}
