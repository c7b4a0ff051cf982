//! The `rampart.consumer.v1` messages: decoding, stateless checks, signers and execution.

use prost::Message;
use rampart_auth::{AuthRead, AuthWrite};
use rampart_bank::{format_coins, BankWrite, Coin};
use rampart_core::coins::parse_coins;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::{decode_msg as decode, unknown_msg};
use rampart_core::{Address, ChainProfile, ModuleMsg};
use rampart_core::{Decimal, Event, Events, MsgContext, StateWrite};
use rampart_proto::rampart::consumer::v1 as pb;
use rampart_staking::StakingRead;
use tendermint_proto::google::protobuf::Any;

use crate::ack::AcknowledgeVsc;
use crate::downtime::SubmitDowntime;
use crate::entry::Consumer;
use crate::errors::{err, ConsumerCode};
use crate::hooks::ConsumerHooks;
use crate::lifecycle;
use crate::lists::{self, ConsumerLists};
use crate::params;
use crate::sets;
use crate::state::{self, module_address, ConsumerWrite};
use crate::types::{check_chain_id, check_metadata, parse_decimal, ConsumerParams, Phase};
pub use crate::urls::{
    ACKNOWLEDGE_VSC, FUND_CONSUMER_REWARDS, REGISTER_CONSUMER, REMOVE_CONSUMER,
    SET_CONSUMER_COMMISSION, SUBMIT_CONSUMER_DOWNTIME, TYPE_URLS, UPDATE_CONSUMER,
};
use rampart_core::coins;
use rampart_core::wire::{add_seconds, block_time};

/// How far ahead of the block time a spawn time set by `MsgUpdateConsumer` must lie (10
/// minutes): each spawn time that comes costs one set selection (a launch attempt), so an owner
/// can force at most one per 10 minutes — the work of a launched consumer's epoch, not one per
/// block. (A registration's spawn time is paid for by its deposit, and used once: a failed launch
/// clears it.)
pub const MIN_SPAWN_LEAD_SECONDS: u64 = 600;

/// A decoded consumer message.
#[derive(Debug, Clone, PartialEq)]
pub enum ConsumerMsg {
    /// Register a consumer.
    Register(pb::MsgRegisterConsumer),
    /// Update a consumer.
    Update(pb::MsgUpdateConsumer),
    /// Remove a consumer.
    Remove(pb::MsgRemoveConsumer),
    /// Fund a reward pool.
    Fund(pb::MsgFundConsumerRewards),
    /// Set a per-consumer commission.
    SetCommission(pb::MsgSetConsumerCommission),
    /// Acknowledge applied packets (decoded and checked when decoded).
    Acknowledge(Box<AcknowledgeVsc>),
    /// Submit a proven downtime record (decoded and checked when decoded).
    Downtime(Box<SubmitDowntime>),
}

fn response<M: Message>(type_url: &str, msg: &M) -> Any {
    Any {
        type_url: format!("{type_url}Response"),
        value: msg.encode_to_vec(),
    }
}

/// Positive, valid, sorted coins (`sdk/10` otherwise).
fn funding(amount: &[cosmos_sdk_proto::cosmos::base::v1beta1::Coin]) -> AppResult<Vec<Coin>> {
    let coins = parse_coins(amount)?;
    if coins.is_empty() {
        return Err(AppError::sdk(
            SdkCode::InvalidCoins,
            "empty amount: invalid coins",
        ));
    }
    Ok(coins)
}

impl ModuleMsg for ConsumerMsg {
    /// Decodes one of [`TYPE_URLS`].
    fn decode(any: &Any, profile: &ChainProfile) -> AppResult<Self> {
        Ok(match any.type_url.as_str() {
            REGISTER_CONSUMER => Self::Register(decode(any)?),
            UPDATE_CONSUMER => Self::Update(decode(any)?),
            REMOVE_CONSUMER => Self::Remove(decode(any)?),
            FUND_CONSUMER_REWARDS => Self::Fund(decode(any)?),
            SET_CONSUMER_COMMISSION => Self::SetCommission(decode(any)?),
            ACKNOWLEDGE_VSC => Self::Acknowledge(Box::new(AcknowledgeVsc::from_proto(
                &decode(any)?,
                profile,
            )?)),
            SUBMIT_CONSUMER_DOWNTIME => Self::Downtime(Box::new(SubmitDowntime::from_proto(
                &decode(any)?,
                profile,
            )?)),
            other => return Err(unknown_msg("consumer", other)),
        })
    }

    /// Checks what needs no state (addresses `sdk/7`, coins `sdk/10`, parameters
    /// `consumer/2`, metadata `consumer/8`; an acknowledgement was checked when decoded,
    /// [`AcknowledgeVsc::from_proto`]) and returns the signer.
    fn signers(&self, profile: &ChainProfile) -> AppResult<Vec<Address>> {
        let signer = match self {
            Self::Register(m) => {
                check_metadata(&m.name, &m.description, &m.metadata_url)?;
                ConsumerParams::from_proto(m.params.as_ref())?;
                profile.account(&m.owner, "owner")?
            }
            Self::Update(m) => {
                if let Some(new_owner) = &m.new_owner {
                    profile.account(new_owner, "new_owner")?;
                }
                if m.params.is_some() {
                    ConsumerParams::from_proto(m.params.as_ref())?;
                }
                profile.account(&m.owner, "owner")?
            }
            Self::Remove(m) => profile.account(&m.owner, "owner")?,
            Self::Fund(m) => {
                funding(&m.amount)?;
                profile.account(&m.funder, "funder")?
            }
            Self::SetCommission(m) => {
                parse_decimal(&m.rate, "rate")
                    .map_err(|e| err(ConsumerCode::InvalidCommission, e.log))?;
                profile.valoper(&m.validator, "validator")?
            }
            Self::Acknowledge(m) => m.signer,
            Self::Downtime(m) => m.signer,
        };
        Ok(vec![signer])
    }
}

/// Executes `msg` and returns its response.
pub fn execute(
    state: &mut dyn StateWrite,
    hooks: &dyn ConsumerHooks,
    ctx: &MsgContext<'_>,
    msg: &ConsumerMsg,
    events: &mut Events,
) -> AppResult<Any> {
    msg.signers(&ctx.block.profile)?;
    match msg {
        ConsumerMsg::Register(m) => register(state, ctx, m, events),
        ConsumerMsg::Update(m) => update(state, hooks, ctx, m, events),
        ConsumerMsg::Remove(m) => remove(state, hooks, ctx, m, events),
        ConsumerMsg::Fund(m) => fund(state, ctx, m, events),
        ConsumerMsg::SetCommission(m) => set_commission(state, ctx, m, events),
        ConsumerMsg::Acknowledge(m) => acknowledge(state, ctx, m, events),
        ConsumerMsg::Downtime(m) => submit_downtime(state, hooks, ctx, m, events),
    }
}

fn provider_unbonding_seconds(state: &dyn StateWrite) -> AppResult<i64> {
    Ok(state.unbonding_time()?.seconds)
}

fn register(
    state: &mut dyn StateWrite,
    ctx: &MsgContext<'_>,
    m: &pb::MsgRegisterConsumer,
    events: &mut Events,
) -> AppResult<Any> {
    let owner = ctx.block.profile.account(&m.owner, "owner")?;
    check_chain_id(&m.chain_id, &ctx.block.chain_id)?;
    check_chain_id_free(state, &m.chain_id)?;
    check_metadata(&m.name, &m.description, &m.metadata_url)?;
    let consumer_params = ConsumerParams::from_proto(m.params.as_ref())?;
    let consumer_lists = m
        .params
        .as_ref()
        .map(ConsumerLists::from_proto)
        .transpose()?
        .unwrap_or_default();
    let module_params = params::load(state)?;
    consumer_params.check_provider_bounds(
        module_params.max_consumer_slash_fraction,
        provider_unbonding_seconds(state)?,
    )?;
    let spawn_time = m.spawn_time.as_ref().map(block_time).transpose()?;
    let deposit = module_params.deposit()?;
    if !deposit.is_empty() {
        state.claim_module_account(state::MODULE_ACCOUNT, &[])?;
        state.send(&owner, &module_address(), &deposit, events)?;
    }
    let id = state::next_id(state)?;
    let next = id
        .checked_add(1)
        .ok_or_else(|| AppError::sdk(SdkCode::Logic, "consumer ids exhausted"))?;
    state::set_next_id(state, next);
    let consumer = Consumer {
        id,
        chain_id: m.chain_id.clone(),
        owner,
        name: m.name.clone(),
        description: m.description.clone(),
        metadata_url: m.metadata_url.clone(),
        spawn_time,
        phase: Phase::Registered,
        params: consumer_params,
        pending: None,
        deposit: deposit.clone(),
        registration_height: ctx.block.height,
        launch_height: 0,
        launch_time: None,
        stop_time: None,
        delete_time: None,
        rewards_paused: false,
        last_heard_from: None,
        last_acknowledged_vsc: 0,
        expire_time: Some(add_seconds(
            ctx.block.time,
            module_params.registration_expiry_seconds,
        )?),
    };
    state::save(state, &consumer)?;
    lists::store(state, id, &consumer_lists);
    events.push(
        Event::new("register_consumer")
            .attr("consumer_id", id.to_string())
            .attr("chain_id", m.chain_id.clone())
            .attr("owner", m.owner.clone())
            .attr("deposit", format_coins(&deposit)),
    );
    Ok(response(
        REGISTER_CONSUMER,
        &pb::MsgRegisterConsumerResponse { consumer_id: id },
    ))
}

/// A chain id no consumer ever registered: one a live consumer has is `consumer/3`, one a
/// deleted consumer had is `consumer/18` — chain ids are never reused, so a signature made for a
/// consumer's chain id (a vote, a header) can only ever be about that consumer.
fn check_chain_id_free(state: &dyn StateWrite, chain_id: &str) -> AppResult<()> {
    let Some(bytes) = state.get(&crate::keys::chain_id(chain_id)) else {
        return Ok(());
    };
    let holder = crate::keys::u64_at(&bytes, 0)
        .ok_or_else(|| AppError::sdk(SdkCode::Logic, "corrupt consumer chain-id index"))?;
    let holder = state::must_load(state, holder)?;
    if holder.phase == Phase::Deleted {
        return Err(err(
            ConsumerCode::ChainIdReserved,
            format!(
                "chain id {chain_id} was consumer {}'s, which is deleted: chain ids are never \
                 reused",
                holder.id
            ),
        ));
    }
    Err(err(
        ConsumerCode::ChainIdInUse,
        format!(
            "consumer {} ({}) already has chain id {chain_id}",
            holder.id,
            holder.phase.name()
        ),
    ))
}

fn owned(
    state: &dyn StateWrite,
    ctx: &MsgContext<'_>,
    owner: &str,
    id: u64,
) -> AppResult<Consumer> {
    let signer = ctx.block.profile.account(owner, "owner")?;
    let consumer = state::must_load(state, id)?;
    if consumer.owner != signer {
        return Err(err(
            ConsumerCode::NotOwner,
            format!("{owner} is not the owner of consumer {id}"),
        ));
    }
    Ok(consumer)
}

/// `MsgUpdateConsumer` by the owner (`consumer/6` otherwise): new owner (never a module account:
/// `sdk/4`), name, description, metadata, a spawn time (before launch, at least
/// [`MIN_SPAWN_LEAD_SECONDS`] ahead: `consumer/2`), and parameters as the consumer's phase
/// allows: after launch the infraction parameters, the reward rate and the lists wait one
/// provider unbonding period ([`crate::pending`]).
fn update(
    state: &mut dyn StateWrite,
    hooks: &dyn ConsumerHooks,
    ctx: &MsgContext<'_>,
    m: &pb::MsgUpdateConsumer,
    events: &mut Events,
) -> AppResult<Any> {
    let mut consumer = owned(state, ctx, &m.owner, m.consumer_id)?;
    let launched = match consumer.phase {
        Phase::Registered => false,
        Phase::Launched => true,
        other => {
            return Err(err(
                ConsumerCode::InvalidPhase,
                format!(
                    "consumer {} is {} and can no longer be updated",
                    consumer.id,
                    other.name()
                ),
            ))
        }
    };
    if let Some(new_owner) = &m.new_owner {
        let new_owner = ctx.block.profile.account(new_owner, "new_owner")?;
        // A module account receives only through its module (the bank's blocked addresses):
        // as owner it would get the deletion refund past that check.
        if state
            .account(&new_owner)?
            .is_some_and(|a| a.module.is_some())
        {
            return Err(AppError::sdk(
                SdkCode::Unauthorized,
                format!("new_owner {new_owner} is a module account: unauthorized"),
            ));
        }
        consumer.owner = new_owner;
    }
    if let Some(name) = &m.name {
        consumer.name = name.clone();
    }
    if let Some(description) = &m.description {
        consumer.description = description.clone();
    }
    if let Some(url) = &m.metadata_url {
        consumer.metadata_url = url.clone();
    }
    check_metadata(
        &consumer.name,
        &consumer.description,
        &consumer.metadata_url,
    )?;
    if let Some(spawn_time) = &m.spawn_time {
        if launched {
            return Err(err(
                ConsumerCode::ImmutableAfterLaunch,
                "the spawn time cannot change after launch",
            ));
        }
        let spawn_time = block_time(spawn_time)?;
        let earliest = add_seconds(ctx.block.time, MIN_SPAWN_LEAD_SECONDS)?;
        if spawn_time < earliest {
            return Err(err(
                ConsumerCode::InvalidParams,
                format!(
                    "a new spawn time must be at least {MIN_SPAWN_LEAD_SECONDS} s after the block \
                     time (not before {})",
                    rampart_core::wire::rfc3339(earliest)
                ),
            ));
        }
        consumer.spawn_time = Some(spawn_time);
    }
    let mut pending_from = None;
    if let Some(proto) = &m.params {
        let new = ConsumerParams::from_proto(Some(proto))?;
        let new_lists = ConsumerLists::from_proto(proto)?;
        new.check_provider_bounds(
            params::load(state)?.max_consumer_slash_fraction,
            provider_unbonding_seconds(state)?,
        )?;
        let raised = new.double_sign.slash_fraction;
        if raised > consumer.double_sign_fraction_bound() {
            hooks.before_slash_fraction_raised(&state, consumer.id, raised)?;
        }
        if launched {
            if new.unbonding_period_seconds != consumer.params.unbonding_period_seconds {
                return Err(err(
                    ConsumerCode::ImmutableAfterLaunch,
                    "the unbonding period cannot change after launch",
                ));
            }
            // These are in the consumer genesis: the running consumer chain would not follow.
            let old = &consumer.params;
            if (
                new.signed_blocks_window,
                new.min_signed_per_window,
                new.max_clock_drift_seconds,
            ) != (
                old.signed_blocks_window,
                old.min_signed_per_window,
                old.max_clock_drift_seconds,
            ) {
                return Err(err(
                    ConsumerCode::ImmutableAfterLaunch,
                    "signed_blocks_window, min_signed_per_window and max_clock_drift_seconds \
                     cannot change after launch",
                ));
            }
            let effective_time = add_seconds(
                ctx.block.time,
                u64::try_from(provider_unbonding_seconds(state)?).unwrap_or(0),
            )?;
            let current_lists = lists::load(state, consumer.id)?;
            let (next, pending, waiting) = crate::pending::plan(
                &consumer.params,
                &current_lists,
                new,
                new_lists,
                effective_time,
            );
            pending_from = pending.as_ref().map(|p| p.effective_time);
            consumer.params = next;
            consumer.pending = pending;
            lists::store_pending(state, consumer.id, waiting.as_ref());
        } else {
            consumer.params = new;
            lists::store(state, consumer.id, &new_lists);
        }
    }
    state::save(state, &consumer)?;
    let mut event = Event::new("update_consumer")
        .attr("consumer_id", consumer.id.to_string())
        .attr("owner", ctx.block.profile.to_account(&consumer.owner));
    if let Some(time) = pending_from {
        event = event.attr(
            "infraction_params_effective",
            rampart_core::wire::rfc3339(time),
        );
    }
    events.push(event);
    Ok(response(UPDATE_CONSUMER, &pb::MsgUpdateConsumerResponse {}))
}

fn remove(
    state: &mut dyn StateWrite,
    hooks: &dyn ConsumerHooks,
    ctx: &MsgContext<'_>,
    m: &pb::MsgRemoveConsumer,
    events: &mut Events,
) -> AppResult<Any> {
    let consumer = owned(state, ctx, &m.owner, m.consumer_id)?;
    match consumer.phase {
        Phase::Registered => lifecycle::delete(
            state,
            hooks,
            consumer,
            ctx.block.time,
            Decimal::ZERO,
            events,
        )?,
        Phase::Launched => {
            let unbonding = u64::try_from(provider_unbonding_seconds(state)?).unwrap_or(0);
            state::stop(
                state,
                consumer,
                ctx.block.time,
                unbonding,
                "removed",
                events,
            )?;
        }
        other => {
            return Err(err(
                ConsumerCode::InvalidPhase,
                format!("consumer {} is already {}", consumer.id, other.name()),
            ))
        }
    }
    Ok(response(REMOVE_CONSUMER, &pb::MsgRemoveConsumerResponse {}))
}

fn fund(
    state: &mut dyn StateWrite,
    ctx: &MsgContext<'_>,
    m: &pb::MsgFundConsumerRewards,
    events: &mut Events,
) -> AppResult<Any> {
    let funder = ctx.block.profile.account(&m.funder, "funder")?;
    let amount = funding(&m.amount)?;
    let consumer = state::must_load(state, m.consumer_id)?;
    if !matches!(consumer.phase, Phase::Registered | Phase::Launched) {
        return Err(err(
            ConsumerCode::InvalidPhase,
            format!(
                "consumer {} is {}: its reward pool is closed",
                consumer.id,
                consumer.phase.name()
            ),
        ));
    }
    let pool = coins::add(&state::pool(state, consumer.id)?, &amount)?;
    state.claim_module_account(state::MODULE_ACCOUNT, &[])?;
    state.send(&funder, &module_address(), &amount, events)?;
    state::set_pool(state, consumer.id, &pool);
    crate::queues::wake_rewards(state, &consumer);
    events.push(
        Event::new("fund_consumer_rewards")
            .attr("consumer_id", consumer.id.to_string())
            .attr("funder", m.funder.clone())
            .attr("amount", format_coins(&amount)),
    );
    Ok(response(
        FUND_CONSUMER_REWARDS,
        &pb::MsgFundConsumerRewardsResponse {},
    ))
}

fn set_commission(
    state: &mut dyn StateWrite,
    ctx: &MsgContext<'_>,
    m: &pb::MsgSetConsumerCommission,
    events: &mut Events,
) -> AppResult<Any> {
    let op = ctx.block.profile.valoper(&m.validator, "validator")?;
    if state.validator(&op)?.is_none() {
        return Err(err(
            ConsumerCode::UnknownValidator,
            format!("validator {} does not exist", m.validator),
        ));
    }
    let consumer = state::must_load(state, m.consumer_id)?;
    if !matches!(consumer.phase, Phase::Registered | Phase::Launched) {
        return Err(err(
            ConsumerCode::InvalidPhase,
            format!("consumer {} is {}", consumer.id, consumer.phase.name()),
        ));
    }
    let rate =
        parse_decimal(&m.rate, "rate").map_err(|e| err(ConsumerCode::InvalidCommission, e.log))?;
    let min = rampart_staking::params::min_commission_rate(&rampart_staking::params::load(state)?)?;
    if rate > Decimal::ONE || rate < min {
        return Err(err(
            ConsumerCode::InvalidCommission,
            format!("commission rate {rate} must be between {min} and 1"),
        ));
    }
    state::set_commission(state, consumer.id, &op, rate);
    events.push(
        Event::new("set_consumer_commission")
            .attr("consumer_id", consumer.id.to_string())
            .attr("validator", ctx.block.profile.to_valoper(&op))
            .attr("rate", rate.to_string()),
    );
    Ok(response(
        SET_CONSUMER_COMMISSION,
        &pb::MsgSetConsumerCommissionResponse {},
    ))
}

/// `MsgAcknowledgeVsc`: the consumer proved, with a header of its own chain signed by a set the
/// provider dictated and an ICS-23 proof of its state, that it applied every packet up to
/// `vsc_id`. Checks, in order (each refusal writes nothing):
///
/// 1. the consumer exists (`consumer/5`) and is LAUNCHED (`consumer/7`);
/// 2. `vsc_id` is above `last_acknowledged_vsc` (`consumer/15`: a replay or a racing relayer's
///    duplicate is refused with a stable code, before any signature is checked, so it costs
///    little) and at most the last vsc id sent (`consumer/14`);
/// 3. the header is one the provider accepts as proof of the consumer's state
///    ([`sets::verify_consumer_header`]: chain id `consumer/16`, time within the clock drift
///    `ccv/11`, carried set `ccv/8`, a recorded set within its period `consumer/17`, more than
///    2/3 signed and every signature valid `ccv/9`, `ccv/10`, `ccv/12`, gas per signature
///    charged first) **and** its set is the consumer's set after some vsc id `k` with
///    `last_acknowledged_vsc <= k <= vsc_id` (`consumer/17` otherwise);
/// 4. the header's app hash — the consumer state after `height - 1` — holds `vsc_id` under
///    `ccv/applied_vsc` (`ccv/13`).
///
/// The window of step 3 on top of the period: an honest acknowledgement always satisfies it, and
/// it narrows who can forge one. Honest: the consumer's applied id only grows with its height,
/// and the set that signs its height `h` is the one after the packets applied by `h - 2`
/// (CometBFT applies end-block updates two heights later), so it is the set after
/// `k = applied(h - 2) <= applied(h - 1) = vsc_id`; the last acknowledgement `L` proved
/// `applied(h' - 1) = L` with a header at `h'`, and a new one with `vsc_id > L` proves
/// `applied(h - 1) > L`, so `h - 2 >= h' - 1` and `k >= applied(h' - 1) = L`. Safety: a set
/// before `L` is one the consumer provably replaced — its validators, possibly removed for
/// leaving or misbehaving, no longer run the consumer and have the least at stake there — and
/// though its stake may still be slashable for its period, nothing of an acknowledgement needs
/// its signatures, so they are not accepted for one. (Evidence and downtime records, which may
/// concern those older heights, accept any set still within its period: [`sets::ANY_SET`].)
///
/// Then `last_acknowledged_vsc = vsc_id`, `last_heard_from` = this block's time (never the
/// consumer header's), which moves the consumer's ccv-timeout entry; packets up to `vsc_id`
/// are pruned (the sets stay recorded for their period). Event `vsc_acknowledged{consumer_id,
/// vsc_id, pruned, signed_by_vsc, consumer_height}` (`signed_by_vsc`: the `k` of step 3).
fn acknowledge(
    state: &mut dyn StateWrite,
    ctx: &MsgContext<'_>,
    m: &AcknowledgeVsc,
    events: &mut Events,
) -> AppResult<Any> {
    let mut consumer = state::must_load(state, m.consumer_id)?;
    if consumer.phase != Phase::Launched {
        return Err(err(
            ConsumerCode::InvalidPhase,
            format!(
                "consumer {} is {}: it has no packets to acknowledge",
                consumer.id,
                consumer.phase.name()
            ),
        ));
    }
    let last = consumer.last_acknowledged_vsc;
    if m.vsc_id <= last {
        return Err(err(
            ConsumerCode::AlreadyAcknowledged,
            format!(
                "consumer {} already acknowledged vsc id {last}; {} adds nothing",
                consumer.id, m.vsc_id
            ),
        ));
    }
    let last_sent = crate::sets::last_sent(state, consumer.id)?;
    if m.vsc_id > last_sent {
        return Err(err(
            ConsumerCode::VscNotSent,
            format!(
                "vsc id {} was never sent to consumer {} (last sent: {last_sent})",
                m.vsc_id, consumer.id
            ),
        ));
    }
    let verified =
        sets::verify_consumer_header(state, &consumer, &m.header, ctx.block.time, last..=m.vsc_id)?;
    m.verify_proof(&verified)?;
    consumer.last_acknowledged_vsc = m.vsc_id;
    consumer.last_heard_from = Some(ctx.block.time);
    state::save(state, &consumer)?;
    let pruned = state::prune_acknowledged(state, consumer.id, m.vsc_id);
    events.push(
        Event::new("vsc_acknowledged")
            .attr("consumer_id", consumer.id.to_string())
            .attr("vsc_id", m.vsc_id.to_string())
            .attr("pruned", pruned.to_string())
            .attr("signed_by_vsc", verified.vsc_id_of_set.to_string())
            .attr("consumer_height", verified.height.to_string()),
    );
    Ok(response(
        ACKNOWLEDGE_VSC,
        &pb::MsgAcknowledgeVscResponse { pruned },
    ))
}

/// `MsgSubmitConsumerDowntime`: the consumer proved, with a header of its own chain and an ICS-23
/// proof of its state, that it stored downtime record `seq` against a validator. Checks, in
/// order (each refusal writes nothing):
///
/// 1. the consumer exists (`consumer/5`) and is LAUNCHED (`consumer/7`: a stopped consumer gets
///    no more packets, so a jail there could never take effect nor be acknowledged);
/// 2. `seq` is above the last seq processed for the consumer (`consumer/20`: a replay or an
///    older record, refused before any signature is checked). Acknowledged records are deleted
///    on the consumer, so gaps are normal;
/// 3. the consumer's slash meter is not negative (`consumer/22`, throttled until it replenishes:
///    [`crate::meter`]);
/// 4. the header is one the provider accepts as proof of the consumer's state, signed by any set
///    still within its period ([`sets::verify_consumer_header`] with [`sets::ANY_SET`]: `consumer/16`,
///    `ccv/11`, `ccv/8`, `consumer/17`, `ccv/9`, `ccv/10`, `ccv/12`; gas per signature first);
/// 5. the header's app hash holds exactly the record's bytes under `ccv/downtime/ ‖ seq`
///    (`ccv/13`);
/// 6. the record's vsc id is one the provider sent (`consumer/17`), and its consumer address is
///    a member of the set the provider recorded for that vsc id ([`sets::member`]; `consumer/21`
///    otherwise, also once that set's period has ended and it is forgotten).
///
/// Then the operator is jailed on this consumer only until this block's time plus the
/// consumer's downtime `jail_duration_seconds` (it leaves the consumer's set from the next packet;
/// its provider validator stays bonded and unjailed), the member's consumer power is charged to
/// the slash meter, the pledge counted in the set is slashed by the consumer's downtime fraction
/// when that is not zero ([`ConsumerHooks::slash_pledge`]: at most fraction × pledge), the
/// consumer address is queued as a slash ack for the next packet, and `seq` becomes the last
/// processed. Event `consumer_downtime{consumer_id, seq, validator, consumer_address,
/// infraction_height, vsc_id, missed, window, jailed_until, slash_fraction, burned,
/// consumer_height}`.
fn submit_downtime(
    state: &mut dyn StateWrite,
    hooks: &dyn ConsumerHooks,
    ctx: &MsgContext<'_>,
    m: &SubmitDowntime,
    events: &mut Events,
) -> AppResult<Any> {
    let consumer = state::must_load(state, m.consumer_id)?;
    if consumer.phase != Phase::Launched {
        return Err(err(
            ConsumerCode::InvalidPhase,
            format!(
                "consumer {} is {}: no downtime is judged",
                consumer.id,
                consumer.phase.name()
            ),
        ));
    }
    let seq = m.record.seq;
    let last = state::last_downtime_seq(state, consumer.id)?;
    if seq <= last {
        return Err(err(
            ConsumerCode::DowntimeOutOfOrder,
            format!(
                "consumer {}'s downtime records up to seq {last} were processed; {seq} is a replay \
                 or out of order",
                consumer.id
            ),
        ));
    }
    crate::meter::check(state, consumer.id)?;
    let now = ctx.block.time;
    let verified = sets::verify_consumer_header(state, &consumer, &m.header, now, sets::ANY_SET)?;
    m.verify_proof(&verified)?;
    let vsc_id = m.record.vsc_id;
    let last_sent = sets::last_sent(state, consumer.id)?;
    if vsc_id > last_sent {
        return Err(err(
            ConsumerCode::UnknownValidatorSet,
            format!(
                "downtime record {seq} names vsc id {vsc_id}, never sent to consumer {} (last \
                 sent: {last_sent})",
                consumer.id
            ),
        ));
    }
    let profile = &ctx.block.profile;
    let address = m.consumer_address;
    let not_in_set = || {
        err(
            ConsumerCode::NotInConsumerSet,
            format!(
                "{} is no validator of consumer {}'s set after vsc id {vsc_id}",
                profile.to_valcons(&address),
                consumer.id
            ),
        )
    };
    let member = sets::member(state, consumer.id, vsc_id, &address)?.ok_or_else(not_in_set)?;
    let op = member.operator;
    let downtime = consumer.params.downtime;
    let jailed_until = add_seconds(now, downtime.jail_duration_seconds)?;
    hooks.jail_on_consumer(state, consumer.id, &op, jailed_until, events)?;
    crate::meter::charge(state, consumer.id, member.power)?;
    let burned = if downtime.slash_fraction == rampart_core::Decimal::ZERO {
        rampart_core::Amount::ZERO
    } else {
        let stake = sets::CountedStake {
            consumer_id: consumer.id,
            vsc_id,
            member,
        };
        hooks.slash_pledge(state, &stake, downtime.slash_fraction, now, events)?
    };
    state.add_slash_ack(consumer.id, &address);
    state::set_last_downtime_seq(state, consumer.id, seq);
    let validator = profile.to_valoper(&op);
    let until = rampart_core::wire::rfc3339(jailed_until);
    events.push(
        Event::new("consumer_downtime")
            .attr("consumer_id", consumer.id.to_string())
            .attr("seq", seq.to_string())
            .attr("validator", validator.clone())
            .attr("consumer_address", profile.to_valcons(&address))
            .attr("infraction_height", m.record.infraction_height.to_string())
            .attr("vsc_id", vsc_id.to_string())
            .attr("missed", m.record.missed.to_string())
            .attr("window", m.record.window.to_string())
            .attr("jailed_until", until.clone())
            .attr("slash_fraction", downtime.slash_fraction.to_string())
            .attr("burned", format!("{burned}{}", state.bond_denom()?))
            .attr("consumer_height", verified.height.to_string()),
    );
    Ok(response(
        SUBMIT_CONSUMER_DOWNTIME,
        &pb::MsgSubmitConsumerDowntimeResponse {
            validator,
            jailed_until: until,
            burned: burned.to_string(),
        },
    ))
}
