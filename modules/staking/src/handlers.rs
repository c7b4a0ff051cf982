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
use crate::validator::{self, new_pubkey_from_any, CommissionState, Validator};
use rampart_core::wire::{coin_string, dec_from_wire, int_from_wire, rfc3339, timestamp};
use rampart_core::Address;

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
    rampart_core::ModuleMsg::signers(msg, &ctx.block.profile)?;
    let denom = params::load(state)?.bond_denom;
    let mut exec = Exec {
        state,
        ports,
        ctx,
        denom: &denom,
        events,
    };
    match msg {
        StakingMsg::CreateValidator(m) => exec.create_validator(m),
        StakingMsg::EditValidator(m) => exec.edit_validator(m),
        StakingMsg::Delegate(m) => exec.delegate(m),
        StakingMsg::Undelegate(m) => exec.undelegate(m),
        StakingMsg::BeginRedelegate(m) => exec.redelegate(m),
        StakingMsg::CancelUnbonding(m) => exec.cancel(m),
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

/// What every handler works with: the state, the seams, the message context, the bond denom
/// and the events it appends to.
struct Exec<'a, 'c> {
    state: &'a mut dyn StateWrite,
    ports: StakingPorts<'a>,
    ctx: &'a MsgContext<'c>,
    denom: &'a str,
    events: &'a mut Events,
}

/// A delegator, a validator and an amount of the bond denom, as delegate, undelegate and
/// cancel-unbonding name them.
struct Bond {
    delegator: Address,
    validator: Address,
    amount: Amount,
}

impl Exec<'_, '_> {
    /// Parses a delegator, a validator and an amount, in that order (the first bad one fails).
    fn bond(&self, delegator: &str, validator: &str, amount: Option<&Coin>) -> AppResult<Bond> {
        let profile = &self.ctx.block.profile;
        Ok(Bond {
            delegator: profile.account(delegator, "delegator address")?,
            validator: self.operator(validator)?,
            amount: bond_amount(amount, self.denom)?,
        })
    }

    /// The operator address of a validator message.
    fn operator(&self, validator: &str) -> AppResult<Address> {
        self.ctx
            .block
            .profile
            .valoper(validator, "validator address")
    }

    /// An event of `kind` naming `validator`, `delegator` and `amount` of the bond denom.
    fn bond_event(&self, kind: &str, validator: &str, delegator: &str, amount: Amount) -> Event {
        Event::new(kind)
            .attr("validator", validator)
            .attr("delegator", delegator)
            .attr("amount", coin_string(amount, self.denom))
    }

    fn create_validator(&mut self, m: &MsgCreateValidator) -> AppResult<Any> {
        let ctx = self.ctx;
        let op = self.operator(&m.validator_address)?;
        let amount = bond_amount(m.value.as_ref(), self.denom)?;
        let rates = m.commission.clone().unwrap_or_default();
        let rate = dec_from_wire(&rates.rate, "commission rate")?;
        let max_rate = dec_from_wire(&rates.max_rate, "commission max rate")?;
        let max_change_rate = dec_from_wire(&rates.max_change_rate, "commission max change rate")?;
        let min_rate = params::min_commission_rate(&params::load(self.state)?)?;
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
        if validator::load(self.state, &op)?.is_some() {
            return Err(err(
                StakingCode::ValidatorOwnerExists,
                "validator already exist for this operator address; must use new validator operator address",
            ));
        }
        let pubkey = new_pubkey_from_any(m.pubkey.as_ref())?;
        if validator::operator_by_consensus(
            self.state,
            &rampart_core::address::consensus_address(&pubkey),
        )
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
        validator::save(self.state, &v)?;
        delegation::delegate(
            self.state,
            self.ports,
            &op,
            &mut v,
            amount,
            Funding::Account,
            self.events,
        )?;
        self.events.push(
            Event::new("create_validator")
                .attr("validator", &m.validator_address)
                .attr("amount", coin_string(amount, self.denom)),
        );
        Ok(msgs::response(
            msgs::CREATE_VALIDATOR,
            &MsgCreateValidatorResponse {},
        ))
    }

    fn edit_validator(&mut self, m: &MsgEditValidator) -> AppResult<Any> {
        let ctx = self.ctx;
        let op = self.operator(&m.validator_address)?;
        let mut v = validator::must_load(self.state, &op)?;
        if let Some(description) = &m.description {
            merge_description(&mut v.description, description);
        }
        if !m.commission_rate.is_empty() {
            let rate = dec_from_wire(&m.commission_rate, "commission rate")?;
            let min_rate = params::min_commission_rate(&params::load(self.state)?)?;
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
        validator::save(self.state, &v)?;
        self.events.push(
            Event::new("edit_validator")
                .attr("commission_rate", v.commission.rate.to_string())
                .attr("min_self_delegation", v.min_self_delegation.to_string()),
        );
        Ok(msgs::response(
            msgs::EDIT_VALIDATOR,
            &MsgEditValidatorResponse {},
        ))
    }

    fn delegate(&mut self, m: &MsgDelegate) -> AppResult<Any> {
        let bond = self.bond(
            &m.delegator_address,
            &m.validator_address,
            m.amount.as_ref(),
        )?;
        let mut v = validator::must_load(self.state, &bond.validator)?;
        let shares = delegation::delegate(
            self.state,
            self.ports,
            &bond.delegator,
            &mut v,
            bond.amount,
            Funding::Account,
            self.events,
        )?;
        let event = self
            .bond_event(
                "delegate",
                &m.validator_address,
                &m.delegator_address,
                bond.amount,
            )
            .attr("new_shares", shares.to_string());
        self.events.push(event);
        Ok(msgs::response(msgs::DELEGATE, &MsgDelegateResponse {}))
    }

    fn undelegate(&mut self, m: &MsgUndelegate) -> AppResult<Any> {
        let bond = self.bond(
            &m.delegator_address,
            &m.validator_address,
            m.amount.as_ref(),
        )?;
        let (done, tokens) = unbonding::undelegate(
            self.state,
            self.ports,
            self.ctx.block,
            &bond.delegator,
            &bond.validator,
            bond.amount,
            self.events,
        )?;
        self.events.push(unbonding::unbond_event(
            &self.ctx.block.profile,
            &bond.delegator,
            &bond.validator,
            tokens,
            self.denom,
            done,
        ));
        Ok(msgs::response(
            msgs::UNDELEGATE,
            &MsgUndelegateResponse {
                completion_time: Some(timestamp(done)),
                amount: Some(Coin {
                    denom: self.denom.into(),
                    amount: tokens.to_string(),
                }),
            },
        ))
    }

    fn redelegate(&mut self, m: &MsgBeginRedelegate) -> AppResult<Any> {
        let profile = &self.ctx.block.profile;
        let delegator = profile.account(&m.delegator_address, "delegator address")?;
        let src = profile.valoper(&m.validator_src_address, "source validator address")?;
        let dst = profile.valoper(&m.validator_dst_address, "destination validator address")?;
        let amount = bond_amount(m.amount.as_ref(), self.denom)?;
        let done = redelegation::redelegate(
            self.state,
            self.ports,
            self.ctx.block,
            &delegator,
            &src,
            &dst,
            amount,
            self.events,
        )?;
        self.events.push(
            Event::new("redelegate")
                .attr("source_validator", &m.validator_src_address)
                .attr("destination_validator", &m.validator_dst_address)
                .attr("delegator", &m.delegator_address)
                .attr("amount", coin_string(amount, self.denom))
                .attr("completion_time", rfc3339(done)),
        );
        Ok(msgs::response(
            msgs::BEGIN_REDELEGATE,
            &MsgBeginRedelegateResponse {
                completion_time: Some(timestamp(done)),
            },
        ))
    }

    fn cancel(&mut self, m: &MsgCancelUnbondingDelegation) -> AppResult<Any> {
        let bond = self.bond(
            &m.delegator_address,
            &m.validator_address,
            m.amount.as_ref(),
        )?;
        unbonding::cancel(
            self.state,
            self.ports,
            &bond.delegator,
            &bond.validator,
            bond.amount,
            m.creation_height,
            self.events,
        )?;
        let event = self
            .bond_event(
                "cancel_unbonding_delegation",
                &m.validator_address,
                &m.delegator_address,
                bond.amount,
            )
            .attr("creation_height", m.creation_height.to_string());
        self.events.push(event);
        Ok(msgs::response(
            msgs::CANCEL_UNBONDING,
            &MsgCancelUnbondingDelegationResponse {},
        ))
    }
}
