//! Executes decoded staking messages against state, emitting the SDK's events.

use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    BondStatus, Description, MsgBeginRedelegate, MsgBeginRedelegateResponse,
    MsgCancelUnbondingDelegation, MsgCancelUnbondingDelegationResponse, MsgCreateValidator,
    MsgCreateValidatorResponse, MsgDelegate, MsgDelegateResponse, MsgEditValidator,
    MsgEditValidatorResponse, MsgUndelegate, MsgUndelegateResponse,
};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Amount, Decimal, Event, Events, MsgContext, StateWrite};
use tendermint_proto::google::protobuf::Any;

use crate::commission;
use crate::delegation::{self, Funding};
use crate::errors::{err, StakingCode};
use crate::hooks::StakingPorts;
use crate::msgs::{self, coin, StakingMsg};
use crate::params;
use crate::redelegation;
use crate::unbonding;
use crate::validator::{self, pubkey_from_any, CommissionState, Validator};
use rampart_core::wire::{coin_string, dec_from_wire, int_from_wire, rfc3339, timestamp};
use rampart_core::{Address, ChainProfile};

/// The SDK's "leave this description field unchanged" marker.
const DO_NOT_MODIFY: &str = "[do-not-modify]";

/// Executes `msg` (already decoded) and returns its response.
pub fn execute(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &MsgContext<'_>,
    msg: &StakingMsg,
    events: &mut Events,
) -> AppResult<Any> {
    msg.signers()?;
    let denom = params::load(state)?.bond_denom;
    match msg {
        StakingMsg::CreateValidator(m) => create_validator(state, ports, ctx, m, &denom, events),
        StakingMsg::EditValidator(m) => edit_validator(state, ctx, m, events),
        StakingMsg::Delegate(m) => delegate(state, ports, ctx, m, &denom, events),
        StakingMsg::Undelegate(m) => undelegate(state, ports, ctx, m, &denom, events),
        StakingMsg::BeginRedelegate(m) => redelegate(state, ports, ctx, m, &denom, events),
        StakingMsg::CancelUnbonding(m) => cancel(state, ports, ctx, m, &denom, events),
    }
}

/// The amount of `c` after checking its denom against the bond denom (`sdk/18`).
fn bond_amount(c: Option<&Coin>, denom: &str) -> AppResult<Amount> {
    let (amount, got) = coin(c, "amount")?;
    if got != denom {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            format!("invalid coin denomination: got {got}, expected {denom}"),
        ));
    }
    Ok(amount)
}

fn create_validator(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &MsgContext<'_>,
    m: &MsgCreateValidator,
    denom: &str,
    events: &mut Events,
) -> AppResult<Any> {
    let op = ctx
        .block
        .profile
        .valoper(&m.validator_address, "validator address")?;
    let amount = bond_amount(m.value.as_ref(), denom)?;
    let rates = m.commission.clone().unwrap_or_default();
    let rate = dec_from_wire(&rates.rate, "commission rate")?;
    let max_rate = dec_from_wire(&rates.max_rate, "commission max rate")?;
    let max_change_rate = dec_from_wire(&rates.max_change_rate, "commission max change rate")?;
    let min_rate = params::min_commission_rate(&params::load(state)?)?;
    commission::validate_new(rate, max_rate, max_change_rate, min_rate)?;
    let min_self = int_from_wire(&m.min_self_delegation, "min self delegation")?;
    if min_self.is_zero() {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "minimum self delegation must be a positive integer",
        ));
    }
    if amount < min_self {
        return Err(err(
            StakingCode::SelfDelegationBelowMinimum,
            "validator's self delegation must be greater than their minimum self delegation",
        ));
    }
    // Presence and lengths were checked with the signers.
    let description = m.description.clone().unwrap_or_default();
    if validator::load(state, &op)?.is_some() {
        return Err(err(
            StakingCode::ValidatorOwnerExists,
            "validator already exist for this operator address; must use new validator operator address",
        ));
    }
    let pubkey = pubkey_from_any(m.pubkey.as_ref())?;
    if validator::operator_by_consensus(state, &rampart_core::address::consensus_address(&pubkey))
        .is_some()
    {
        return Err(err(
            StakingCode::ValidatorPubKeyExists,
            "validator already exist for this pubkey; must use new validator pubkey",
        ));
    }
    let mut v = Validator {
        operator: op,
        pubkey,
        jailed: false,
        status: BondStatus::Unbonded,
        tokens: Amount::ZERO,
        delegator_shares: Decimal::ZERO,
        description,
        commission: CommissionState {
            rate,
            max_rate,
            max_change_rate,
            update_time: ctx.block.time,
        },
        min_self_delegation: min_self,
        unbonding_height: 0,
        unbonding_time: Default::default(),
    };
    validator::save(state, &v)?;
    delegation::delegate(state, ports, &op, &mut v, amount, Funding::Account, events)?;
    events.push(
        Event::new("create_validator")
            .attr("validator", &m.validator_address)
            .attr("amount", coin_string(amount, denom)),
    );
    Ok(msgs::response(
        msgs::CREATE_VALIDATOR,
        &MsgCreateValidatorResponse {},
    ))
}

fn merge_description(old: &mut Description, new: &Description) {
    let fields = [
        (&mut old.moniker, &new.moniker),
        (&mut old.identity, &new.identity),
        (&mut old.website, &new.website),
        (&mut old.security_contact, &new.security_contact),
        (&mut old.details, &new.details),
    ];
    for (old, new) in fields {
        if new != DO_NOT_MODIFY {
            old.clone_from(new);
        }
    }
}

fn edit_validator(
    state: &mut dyn StateWrite,
    ctx: &MsgContext<'_>,
    m: &MsgEditValidator,
    events: &mut Events,
) -> AppResult<Any> {
    let op = ctx
        .block
        .profile
        .valoper(&m.validator_address, "validator address")?;
    let mut v = validator::must_load(state, &op)?;
    if let Some(description) = &m.description {
        merge_description(&mut v.description, description);
    }
    if !m.commission_rate.is_empty() {
        let rate = dec_from_wire(&m.commission_rate, "commission rate")?;
        let min_rate = params::min_commission_rate(&params::load(state)?)?;
        commission::validate_change(&v.commission, rate, min_rate, ctx.block.time)?;
        v.commission.rate = rate;
        v.commission.update_time = ctx.block.time;
    }
    if !m.min_self_delegation.is_empty() {
        let min_self = int_from_wire(&m.min_self_delegation, "min self delegation")?;
        if min_self <= v.min_self_delegation {
            return Err(err(
                StakingCode::MinSelfDelegationDecreased,
                "minimum self delegation cannot be decrease",
            ));
        }
        if min_self > v.tokens {
            return Err(err(
                StakingCode::SelfDelegationBelowMinimum,
                "validator's self delegation must be greater than their minimum self delegation",
            ));
        }
        v.min_self_delegation = min_self;
    }
    validator::save(state, &v)?;
    events.push(
        Event::new("edit_validator")
            .attr("commission_rate", v.commission.rate.to_string())
            .attr("min_self_delegation", v.min_self_delegation.to_string()),
    );
    Ok(msgs::response(
        msgs::EDIT_VALIDATOR,
        &MsgEditValidatorResponse {},
    ))
}

fn delegator_and_validator(
    profile: &ChainProfile,
    delegator: &str,
    op: &str,
) -> AppResult<(Address, Address)> {
    Ok((
        profile.account(delegator, "delegator address")?,
        profile.valoper(op, "validator address")?,
    ))
}

fn delegate(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &MsgContext<'_>,
    m: &MsgDelegate,
    denom: &str,
    events: &mut Events,
) -> AppResult<Any> {
    let (delegator, op) = delegator_and_validator(
        &ctx.block.profile,
        &m.delegator_address,
        &m.validator_address,
    )?;
    let amount = bond_amount(m.amount.as_ref(), denom)?;
    let mut v = validator::must_load(state, &op)?;
    let shares = delegation::delegate(
        state,
        ports,
        &delegator,
        &mut v,
        amount,
        Funding::Account,
        events,
    )?;
    events.push(
        Event::new("delegate")
            .attr("validator", &m.validator_address)
            .attr("delegator", &m.delegator_address)
            .attr("amount", coin_string(amount, denom))
            .attr("new_shares", shares.to_string()),
    );
    Ok(msgs::response(msgs::DELEGATE, &MsgDelegateResponse {}))
}

fn undelegate(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &MsgContext<'_>,
    m: &MsgUndelegate,
    denom: &str,
    events: &mut Events,
) -> AppResult<Any> {
    let (delegator, op) = delegator_and_validator(
        &ctx.block.profile,
        &m.delegator_address,
        &m.validator_address,
    )?;
    let amount = bond_amount(m.amount.as_ref(), denom)?;
    let (done, tokens) =
        unbonding::undelegate(state, ports, ctx.block, &delegator, &op, amount, events)?;
    events.push(unbonding::unbond_event(
        &delegator, &op, tokens, denom, done,
    ));
    Ok(msgs::response(
        msgs::UNDELEGATE,
        &MsgUndelegateResponse {
            completion_time: Some(timestamp(done)),
            amount: Some(Coin {
                denom: denom.into(),
                amount: tokens.to_string(),
            }),
        },
    ))
}

fn redelegate(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &MsgContext<'_>,
    m: &MsgBeginRedelegate,
    denom: &str,
    events: &mut Events,
) -> AppResult<Any> {
    let delegator = ctx
        .block
        .profile
        .account(&m.delegator_address, "delegator address")?;
    let src = ctx
        .block
        .profile
        .valoper(&m.validator_src_address, "source validator address")?;
    let dst = ctx
        .block
        .profile
        .valoper(&m.validator_dst_address, "destination validator address")?;
    let amount = bond_amount(m.amount.as_ref(), denom)?;
    let done = redelegation::redelegate(
        state,
        ports,
        ctx.block.height,
        ctx.block.time,
        &delegator,
        &src,
        &dst,
        amount,
        events,
    )?;
    events.push(
        Event::new("redelegate")
            .attr("source_validator", &m.validator_src_address)
            .attr("destination_validator", &m.validator_dst_address)
            .attr("delegator", &m.delegator_address)
            .attr("amount", coin_string(amount, denom))
            .attr("completion_time", rfc3339(done)),
    );
    Ok(msgs::response(
        msgs::BEGIN_REDELEGATE,
        &MsgBeginRedelegateResponse {
            completion_time: Some(timestamp(done)),
        },
    ))
}

fn cancel(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &MsgContext<'_>,
    m: &MsgCancelUnbondingDelegation,
    denom: &str,
    events: &mut Events,
) -> AppResult<Any> {
    let (delegator, op) = delegator_and_validator(
        &ctx.block.profile,
        &m.delegator_address,
        &m.validator_address,
    )?;
    let amount = bond_amount(m.amount.as_ref(), denom)?;
    unbonding::cancel(
        state,
        ports,
        &delegator,
        &op,
        amount,
        m.creation_height,
        events,
    )?;
    events.push(
        Event::new("cancel_unbonding_delegation")
            .attr("validator", &m.validator_address)
            .attr("delegator", &m.delegator_address)
            .attr("amount", coin_string(amount, denom))
            .attr("creation_height", m.creation_height.to_string()),
    );
    Ok(msgs::response(
        msgs::CANCEL_UNBONDING,
        &MsgCancelUnbondingDelegationResponse {},
    ))
}
