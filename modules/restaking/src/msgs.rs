//! The `rampart.restaking.v1` messages: decoding, stateless checks, signers and execution.

use cosmos_sdk_proto::cosmos::crypto::ed25519::PubKey as Ed25519PubKey;
use cosmos_sdk_proto::cosmos::staking::v1beta1::BondStatus;
use prost::Message;
use rampart_consumer::{Consumer, ConsumerRead, Phase};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::{decode_msg as decode, unknown_msg};
use rampart_core::{Address, ChainProfile, ModuleMsg};
use rampart_core::{Event, Events, MsgContext, StateWrite};
use rampart_proto::rampart::restaking::v1 as pb;
use rampart_staking::{StakingPorts, StakingRead, Validator};
use tendermint_proto::google::protobuf::Any;

use crate::choice;
use crate::consumer_keys;
use crate::errors::{err, RestakingCode};
use crate::evidence;
use crate::exposure;
use crate::params;
use crate::pledge::{self, Pledge, Status};
pub use crate::urls::{
    ASSIGN_CONSUMER_KEY, OPT_IN, OPT_OUT, SET_DELEGATION_CONSUMERS, SET_PLEDGE,
    SUBMIT_CONSUMER_DOUBLE_VOTE, TYPE_URLS,
};

/// Type URL of an ed25519 public key.
pub const ED25519_PUBKEY_URL: &str = "/cosmos.crypto.ed25519.PubKey";

/// The largest pledge: 100 % in basis points.
pub const MAX_PLEDGE_BPS: u32 = 10_000;

/// A decoded restaking message.
#[derive(Debug, Clone, PartialEq)]
pub enum RestakingMsg {
    /// Opt in with a pledge.
    OptIn(pb::MsgOptIn),
    /// Change a pledge.
    SetPledge(pb::MsgSetPledge),
    /// Opt out.
    OptOut(pb::MsgOptOut),
    /// Assign a consumer key.
    AssignConsumerKey(pb::MsgAssignConsumerKey),
    /// Consumer double-vote evidence.
    SubmitConsumerDoubleVote(Box<pb::MsgSubmitConsumerDoubleVote>),
    /// A delegator's choice of consumers.
    SetDelegationConsumers(pb::MsgSetDelegationConsumers),
}

fn response<M: Message>(type_url: &str, msg: &M) -> Any {
    Any {
        type_url: format!("{type_url}Response"),
        value: msg.encode_to_vec(),
    }
}

/// A pledge in basis points, 1..=10,000 (`restaking/2` otherwise).
pub fn check_pledge(bps: u32) -> AppResult<()> {
    if bps == 0 || bps > MAX_PLEDGE_BPS {
        return Err(err(
            RestakingCode::InvalidPledge,
            format!("pledge {bps} basis points: must be between 1 and {MAX_PLEDGE_BPS} (100 %)"),
        ));
    }
    Ok(())
}

/// The raw ed25519 key of an `Any` (`sdk/8` for another type, a malformed key, or one that
/// fails [`rampart_core::ed25519::check_consensus_key`]).
pub fn ed25519_from_any(any: &Any) -> AppResult<[u8; 32]> {
    if any.type_url != ED25519_PUBKEY_URL {
        return Err(AppError::sdk(
            SdkCode::InvalidPubKey,
            format!(
                "consumer key must be {ED25519_PUBKEY_URL}, got {}",
                any.type_url
            ),
        ));
    }
    let key = Ed25519PubKey::decode(any.value.as_slice())
        .map_err(|e| AppError::sdk(SdkCode::InvalidPubKey, format!("ed25519 key: {e}")))?;
    let bytes: [u8; 32] = key.key.as_slice().try_into().map_err(|_| {
        AppError::sdk(
            SdkCode::InvalidPubKey,
            format!("ed25519 key must be 32 bytes, got {}", key.key.len()),
        )
    })?;
    // A small-order key would let anyone forge double-vote evidence against its validator.
    rampart_core::ed25519::check_consensus_key(&bytes)?;
    Ok(bytes)
}

impl ModuleMsg for RestakingMsg {
    /// Decodes one of [`TYPE_URLS`].
    fn decode(any: &Any, _profile: &ChainProfile) -> AppResult<Self> {
        Ok(match any.type_url.as_str() {
            OPT_IN => Self::OptIn(decode(any)?),
            SET_PLEDGE => Self::SetPledge(decode(any)?),
            OPT_OUT => Self::OptOut(decode(any)?),
            ASSIGN_CONSUMER_KEY => Self::AssignConsumerKey(decode(any)?),
            SUBMIT_CONSUMER_DOUBLE_VOTE => Self::SubmitConsumerDoubleVote(Box::new(decode(any)?)),
            SET_DELEGATION_CONSUMERS => Self::SetDelegationConsumers(decode(any)?),
            other => return Err(unknown_msg("restaking", other)),
        })
    }

    /// Checks what needs no state (addresses `sdk/7`, pledges `restaking/2`, keys `sdk/8`) and
    /// returns the signer: the validator's operator account, or the evidence submitter.
    fn signers(&self, profile: &ChainProfile) -> AppResult<Vec<Address>> {
        let signer = match self {
            Self::OptIn(m) => {
                check_pledge(m.pledge_bps)?;
                if let Some(key) = &m.consumer_pubkey {
                    ed25519_from_any(key)?;
                }
                profile.valoper(&m.validator, "validator")?
            }
            Self::SetPledge(m) => {
                check_pledge(m.pledge_bps)?;
                profile.valoper(&m.validator, "validator")?
            }
            Self::OptOut(m) => profile.valoper(&m.validator, "validator")?,
            Self::AssignConsumerKey(m) => {
                let key = m.consumer_pubkey.as_ref().ok_or_else(|| {
                    AppError::sdk(SdkCode::InvalidPubKey, "consumer_pubkey is missing")
                })?;
                ed25519_from_any(key)?;
                profile.valoper(&m.validator, "validator")?
            }
            Self::SubmitConsumerDoubleVote(m) => profile.account(&m.submitter, "submitter")?,
            Self::SetDelegationConsumers(m) => {
                choice::requested(m)?;
                profile.valoper(&m.validator, "validator")?;
                profile.account(&m.delegator, "delegator")?
            }
        };
        Ok(vec![signer])
    }
}

/// Executes `msg` and returns its response.
pub fn execute(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &MsgContext<'_>,
    msg: &RestakingMsg,
    events: &mut Events,
) -> AppResult<Any> {
    msg.signers(&ctx.block.profile)?;
    match msg {
        RestakingMsg::OptIn(m) => {
            opt_in(state, ctx, m, events)?;
            Ok(response(OPT_IN, &pb::MsgOptInResponse {}))
        }
        RestakingMsg::SetPledge(m) => {
            set_pledge(state, &ctx.block.profile, m, events)?;
            Ok(response(SET_PLEDGE, &pb::MsgSetPledgeResponse {}))
        }
        RestakingMsg::OptOut(m) => {
            opt_out(state, &ctx.block.profile, m, events)?;
            Ok(response(OPT_OUT, &pb::MsgOptOutResponse {}))
        }
        RestakingMsg::AssignConsumerKey(m) => {
            assign_key(state, ctx, m, events)?;
            Ok(response(
                ASSIGN_CONSUMER_KEY,
                &pb::MsgAssignConsumerKeyResponse {},
            ))
        }
        RestakingMsg::SubmitConsumerDoubleVote(m) => {
            let r = evidence::submit(state, ports, ctx, m, events)?;
            Ok(response(SUBMIT_CONSUMER_DOUBLE_VOTE, &r))
        }
        RestakingMsg::SetDelegationConsumers(m) => {
            let r = choice::set(state, ctx, m, events)?;
            Ok(response(SET_DELEGATION_CONSUMERS, &r))
        }
    }
}

fn existing_validator(
    state: &dyn StateWrite,
    profile: &ChainProfile,
    text: &str,
) -> AppResult<(Address, Validator)> {
    let op = profile.valoper(text, "validator")?;
    let validator = state.validator(&op)?.ok_or_else(|| {
        err(
            RestakingCode::UnknownValidator,
            format!("validator {text} does not exist"),
        )
    })?;
    Ok((op, validator))
}

/// The validator, which must exist (`restaking/3`) and be bonded (`restaking/20`): only stake
/// in the provider's set takes a consumer's seats and keys, so neither is cheap state.
fn bonded_validator(
    state: &dyn StateWrite,
    profile: &ChainProfile,
    text: &str,
) -> AppResult<(Address, Validator)> {
    let (op, validator) = existing_validator(state, profile, text)?;
    if validator.status != BondStatus::Bonded {
        return Err(err(
            RestakingCode::ValidatorNotBonded,
            format!(
                "validator {text} is {}: only bonded validators pledge and assign consumer keys",
                validator.status.as_str_name()
            ),
        ));
    }
    Ok((op, validator))
}

/// The consumer, which must be registered or launched (`restaking/4` otherwise).
fn open_consumer(state: &dyn StateWrite, id: u64) -> AppResult<Consumer> {
    let consumer = state.must_consumer(id)?;
    if !matches!(consumer.phase, Phase::Registered | Phase::Launched) {
        return Err(err(
            RestakingCode::ConsumerNotActive,
            format!(
                "consumer {id} is {}: it takes no new pledges or keys",
                consumer.phase.name()
            ),
        ));
    }
    Ok(consumer)
}

fn opt_in(
    state: &mut dyn StateWrite,
    ctx: &MsgContext<'_>,
    m: &pb::MsgOptIn,
    events: &mut Events,
) -> AppResult<()> {
    let (op, validator) = bonded_validator(state, &ctx.block.profile, &m.validator)?;
    let consumer = open_consumer(state, m.consumer_id)?;
    let id = consumer.id;
    if pledge::tombstoned(state, id, &op)? {
        return Err(err(
            RestakingCode::ValidatorTombstoned,
            format!("validator {} is tombstoned on consumer {id}", m.validator),
        ));
    }
    let existing = pledge::load(state, id, &op)?;
    if existing
        .as_ref()
        .is_some_and(|p| p.status == Status::Active)
    {
        return Err(err(
            RestakingCode::AlreadyOptedIn,
            format!("validator {} already pledges to consumer {id}", m.validator),
        ));
    }
    let params = params::load(state)?;
    // A new pledge takes a place among the consumer's; a returning one (opting out, exiting)
    // has one already.
    let max = params::max_pledges(&params, consumer.params.max_validators);
    if existing.is_none() && pledge::count(state, id) >= max {
        return Err(err(
            RestakingCode::ConsumerFull,
            format!(
                "consumer {id} holds {max} pledges already (max_validators {} × max_pledges_per_consumer_factor {})",
                consumer.params.max_validators, params.max_pledges_per_consumer_factor
            ),
        ));
    }
    // Departed stake counts until an epoch forgets it, as in the exposure query.
    exposure::check(&state, &params, &op, id, Some(m.pledge_bps), None, None)?;
    match &m.consumer_pubkey {
        Some(any) => {
            consumer_keys::assign(
                state,
                &consumer,
                &op,
                ed25519_from_any(any)?,
                ctx.block,
                events,
            )?;
        }
        None => {
            if consumer_keys::current(state, id, &op)?.is_none() {
                // The provider key becomes the consumer key: it gets the check an assigned key
                // gets (staking checks it at creation; this holds for keys from before that).
                rampart_core::ed25519::check_consensus_key(&validator.pubkey)?;
                consumer_keys::assign(state, &consumer, &op, validator.pubkey, ctx.block, events)?;
            }
        }
    }
    let pledge = match existing {
        Some(mut p) => {
            p.status = Status::Active;
            p.pledge_bps = m.pledge_bps;
            p
        }
        None => Pledge {
            validator: op,
            consumer_id: id,
            pledge_bps: m.pledge_bps,
            status: Status::Active,
            in_set: None,
            departed: None,
            opt_in_height: ctx.block.height,
        },
    };
    pledge::save(state, &pledge);
    events.push(
        Event::new("opt_in")
            .attr("consumer_id", id.to_string())
            .attr("validator", m.validator.clone())
            .attr("pledge_bps", m.pledge_bps.to_string()),
    );
    Ok(())
}

fn active_pledge(
    state: &dyn StateWrite,
    profile: &ChainProfile,
    id: u64,
    op: &Address,
) -> AppResult<Pledge> {
    state.must_consumer(id)?;
    pledge::load(state, id, op)?
        .filter(|p| p.status == Status::Active)
        .ok_or_else(|| {
            err(
                RestakingCode::NotOptedIn,
                format!(
                    "validator {} has no active pledge to consumer {id}",
                    profile.to_valoper(op)
                ),
            )
        })
}

fn set_pledge(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    m: &pb::MsgSetPledge,
    events: &mut Events,
) -> AppResult<()> {
    let (op, _) = existing_validator(state, profile, &m.validator)?;
    let consumer = open_consumer(state, m.consumer_id)?;
    let mut pledge = active_pledge(state, profile, consumer.id, &op)?;
    if m.pledge_bps > pledge.pledge_bps {
        let params = params::load(state)?;
        exposure::check(
            &state,
            &params,
            &op,
            consumer.id,
            Some(m.pledge_bps),
            None,
            None,
        )?;
    }
    let old = pledge.pledge_bps;
    pledge.pledge_bps = m.pledge_bps;
    pledge::save(state, &pledge);
    events.push(
        Event::new("set_pledge")
            .attr("consumer_id", consumer.id.to_string())
            .attr("validator", m.validator.clone())
            .attr("old_pledge_bps", old.to_string())
            .attr("pledge_bps", m.pledge_bps.to_string()),
    );
    Ok(())
}

fn opt_out(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    m: &pb::MsgOptOut,
    events: &mut Events,
) -> AppResult<()> {
    let op = profile.valoper(&m.validator, "validator")?;
    let consumer = state.must_consumer(m.consumer_id)?;
    let mut pledge = active_pledge(state, profile, consumer.id, &op)?;
    let effective = match consumer.phase {
        Phase::Registered => {
            pledge::remove(state, consumer.id, &op);
            consumer_keys::remove_validator(state, consumer.id, &op)?;
            "now"
        }
        Phase::Launched => {
            pledge.status = Status::OptingOut;
            pledge.pledge_bps = 0;
            pledge::save(state, &pledge);
            "next_epoch"
        }
        Phase::Stopped => {
            pledge.status = Status::Exiting;
            pledge.pledge_bps = 0;
            pledge::save(state, &pledge);
            "consumer_stopped"
        }
        Phase::Deleted => {
            return Err(err(
                RestakingCode::ConsumerNotActive,
                format!("consumer {} is deleted", consumer.id),
            ))
        }
    };
    events.push(
        Event::new("opt_out")
            .attr("consumer_id", consumer.id.to_string())
            .attr("validator", m.validator.clone())
            .attr("effective", effective),
    );
    Ok(())
}

fn assign_key(
    state: &mut dyn StateWrite,
    ctx: &MsgContext<'_>,
    m: &pb::MsgAssignConsumerKey,
    events: &mut Events,
) -> AppResult<()> {
    let (op, _) = bonded_validator(state, &ctx.block.profile, &m.validator)?;
    let consumer = open_consumer(state, m.consumer_id)?;
    // Keys follow a positive (active) pledge: a rotation is never free of stake at risk.
    active_pledge(state, &ctx.block.profile, consumer.id, &op)?;
    let key = m
        .consumer_pubkey
        .as_ref()
        .ok_or_else(|| AppError::sdk(SdkCode::InvalidPubKey, "consumer_pubkey is missing"))?;
    let key = ed25519_from_any(key)?;
    consumer_keys::assign(state, &consumer, &op, key, ctx.block, events)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_any(bytes: [u8; 32]) -> Any {
        Any {
            type_url: ED25519_PUBKEY_URL.into(),
            value: Ed25519PubKey {
                key: bytes.to_vec(),
            }
            .encode_to_vec(),
        }
    }

    #[test]
    fn small_order_keys_are_refused_and_real_keys_accepted() {
        // The identity (y = 1) and the all-zero encoding (a point of order 4).
        let mut identity = [0u8; 32];
        identity[0] = 1;
        for weak in [identity, [0u8; 32]] {
            let err = ed25519_from_any(&key_any(weak)).expect_err("weak key");
            assert!(err.log.contains("small-order"), "{}", err.log);
        }
        let real = ed25519_consensus::SigningKey::from([7u8; 32])
            .verification_key()
            .to_bytes();
        assert_eq!(ed25519_from_any(&key_any(real)).expect("real key"), real);
    }
}
