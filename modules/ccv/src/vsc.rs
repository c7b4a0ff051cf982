//! Validator-set-change packets on the consumer: `MsgRecvVscPacket`, proven against a verified
//! provider header and received in strict vsc id order, and the end block that turns the received
//! updates into CometBFT validator updates.
//!
//! A packet received at consumer height `h` is queued (`ccv/pending/`) and applied at the end of
//! `h`: CometBFT's set changes at `h + 2`. `ccv/applied_vsc` (proven to the provider by
//! `MsgAcknowledgeVsc`) advances when the packet is received; `ccv/height_vsc/` records that the
//! packet is in force from `h + 1` on (the consumer-infractions work ties an infraction at a
//! consumer height to the provider height of the vsc in force there).

use std::collections::BTreeMap;

use prost::Message;
use rampart_core::context::BlockTime;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{
    Address, BlockScope, ChainProfile, Event, Events, StateRead, StateReadExt, StateWrite,
    StateWriteExt, ValidatorUpdate,
};
use rampart_proto::rampart::ccv::v1 as pb;
use rampart_proto::rampart::consumer::v1::ValidatorSetChangePacket;

use crate::errors::{err, CcvCode};
use crate::header::MAX_VALIDATORS;
use crate::{keys, liveness, proof, proven};

/// The largest packet (and proof) a message may carry, in bytes.
pub const MAX_PACKET_BYTES: usize = 1 << 20;

/// CometBFT's bound on the total voting power of a set (`MaxTotalVotingPower`, `i64::MAX / 8`).
pub const MAX_TOTAL_POWER: u64 = (i64::MAX / 8) as u64;

/// A decoded, statelessly checked `MsgRecvVscPacket`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecvVscPacket {
    /// The submitter; signs.
    pub signer: Address,
    /// The provider height whose state holds the packet.
    pub proof_height: u64,
    /// The packet's bytes, exactly as the provider stores them (what the proof proves).
    pub packet_bytes: Vec<u8>,
    /// The decoded packet.
    pub packet: ValidatorSetChangePacket,
    /// The ICS-23 proof.
    pub proof: Vec<u8>,
}

fn invalid(why: impl Into<String>) -> AppError {
    err(CcvCode::InvalidPacket, why)
}

/// The 32-byte ed25519 key of an update, checked to be a valid point.
fn update_key(
    update: &rampart_proto::rampart::consumer::v1::ValidatorUpdate,
) -> AppResult<[u8; 32]> {
    let key: [u8; 32] = update
        .consumer_pubkey
        .as_slice()
        .try_into()
        .map_err(|_| invalid("update with a consumer key that is not 32 bytes"))?;
    tendermint::PublicKey::from_raw_ed25519(&key)
        .ok_or_else(|| invalid("update with an invalid ed25519 key"))?;
    Ok(key)
}

impl RecvVscPacket {
    /// Decodes and checks the message: the signer with `profile`, sizes, the packet and every
    /// update's key and power.
    pub fn from_proto(m: &pb::MsgRecvVscPacket, profile: &ChainProfile) -> AppResult<Self> {
        let signer = profile.account(&m.signer, "signer")?;
        for (what, len) in [("packet", m.packet.len()), ("proof", m.proof.len())] {
            if len == 0 {
                return Err(invalid(format!("{what}: empty")));
            }
            if len > MAX_PACKET_BYTES {
                return Err(err(
                    CcvCode::MessageTooLarge,
                    format!("{what}: {len} bytes, at most {MAX_PACKET_BYTES}"),
                ));
            }
        }
        let packet = ValidatorSetChangePacket::decode(m.packet.as_slice())
            .map_err(|e| invalid(format!("packet does not decode: {e}")))?;
        if packet.vsc_id == 0 {
            return Err(invalid("vsc id 0 is the genesis set, never a packet"));
        }
        if packet.updates.len() > MAX_VALIDATORS {
            return Err(err(
                CcvCode::MessageTooLarge,
                format!(
                    "packet: {} updates, at most {MAX_VALIDATORS}",
                    packet.updates.len()
                ),
            ));
        }
        for update in &packet.updates {
            update_key(update)?;
            if update.power > MAX_TOTAL_POWER {
                return Err(invalid(format!(
                    "update power {} is too large",
                    update.power
                )));
            }
        }
        if packet
            .slash_acks
            .iter()
            .any(|ack| liveness::parse_address(ack).is_none())
        {
            return Err(invalid(
                "a slash acknowledgement that is not a 20-byte address",
            ));
        }
        Ok(Self {
            signer,
            proof_height: m.proof_height,
            packet_bytes: m.packet.clone(),
            packet,
            proof: m.proof.clone(),
        })
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("corrupt ccv state ({what}): {e}"))
}

/// The consumer's parameters, if genesis initialised them.
pub fn load_params(state: &dyn StateRead) -> AppResult<Option<pb::Params>> {
    state
        .get_proto(keys::PARAMS)
        .map_err(|e| corrupt("params", e))
}

/// The consumer's parameters, or `ccv/2` before genesis initialised them.
pub fn params(state: &dyn StateRead) -> AppResult<pb::Params> {
    load_params(state)?.ok_or_else(|| {
        err(
            CcvCode::ClientNotFound,
            "the consumer has no ccv parameters",
        )
    })
}

/// Writes the parameters.
pub fn save_params(state: &mut dyn StateWrite, params: &pb::Params) {
    state.put_proto(keys::PARAMS.to_vec(), params);
}

/// The highest applied vsc id and the provider height of its packet (0 and the launch height
/// written at genesis before any packet).
pub fn applied(state: &dyn StateRead) -> AppResult<(u64, u64)> {
    Ok((
        keys::read_u64(state, keys::APPLIED_VSC)?,
        keys::read_u64(state, keys::APPLIED_HEIGHT)?,
    ))
}

/// Records `vsc_id` (computed at `provider_height`) as applied, in force from consumer height
/// `from_height`.
pub fn set_applied(
    state: &mut dyn StateWrite,
    vsc_id: u64,
    provider_height: u64,
    from_height: u64,
) {
    state.put(
        keys::APPLIED_VSC.to_vec(),
        proven::applied_vsc_value(vsc_id).to_vec(),
    );
    state.put(
        keys::APPLIED_HEIGHT.to_vec(),
        provider_height.to_be_bytes().to_vec(),
    );
    state.put(keys::height_vsc(from_height), vsc_id.to_be_bytes().to_vec());
}

/// Every record under `prefix` (the set in force, or the pending updates), by key.
fn records(state: &dyn StateRead, prefix: &[u8]) -> AppResult<Vec<pb::ConsumerValidator>> {
    state
        .scan_prefix(prefix)
        .map(|(_, value)| {
            pb::ConsumerValidator::decode(value.as_slice()).map_err(|e| corrupt("validator", e))
        })
        .collect()
}

/// The validator set in force, ordered by consumer key.
pub fn validators(state: &dyn StateRead) -> AppResult<Vec<pb::ConsumerValidator>> {
    records(state, keys::VALIDATOR_PREFIX)
}

/// Writes `validator` into the set in force (genesis).
pub fn put_validator(
    state: &mut dyn StateWrite,
    validator: &pb::ConsumerValidator,
) -> AppResult<()> {
    let key: [u8; 32] = validator
        .consumer_pubkey
        .as_slice()
        .try_into()
        .map_err(|_| invalid("validator key is not 32 bytes"))?;
    state.put_proto(keys::validator(&key), validator);
    Ok(())
}

/// Checks `msg` against the consumer's state at block time `now` and queues its updates for this
/// block's end, at consumer height `height`. Refused, with nothing written: a packet for another
/// consumer (`ccv/17`), a replayed (`ccv/16`) or out-of-order (`ccv/15`) vsc id, a proof that
/// does not verify against a trusted provider header (`ccv/2`–`ccv/6`, `ccv/13`), and a packet
/// that would empty the set (`ccv/19`) or exceed CometBFT's total power (`ccv/18`). The packet's
/// `slash_acks` clear their validators' outstanding downtime records
/// ([`liveness::acknowledge`]).
pub fn receive(
    state: &mut dyn StateWrite,
    now: BlockTime,
    height: u64,
    msg: &RecvVscPacket,
    events: &mut Events,
) -> AppResult<u64> {
    let params = params(state)?;
    let packet = &msg.packet;
    if packet.consumer_id != params.consumer_id {
        return Err(err(
            CcvCode::WrongConsumer,
            format!(
                "packet for consumer {}, this chain is consumer {}",
                packet.consumer_id, params.consumer_id
            ),
        ));
    }
    let (applied, _) = applied(state)?;
    if packet.vsc_id <= applied {
        return Err(err(
            CcvCode::PacketReplayed,
            format!(
                "vsc {} is already applied (applied: {applied})",
                packet.vsc_id
            ),
        ));
    }
    let expected = applied.saturating_add(1);
    if packet.vsc_id != expected {
        return Err(err(
            CcvCode::PacketOutOfOrder,
            format!("vsc {} arrived before vsc {expected}", packet.vsc_id),
        ));
    }
    proof::verify_provider_membership(
        state,
        now,
        msg.proof_height,
        &proven::provider_packet_key(packet.consumer_id, packet.vsc_id),
        &msg.packet_bytes,
        &msg.proof,
    )?;

    let mut next: BTreeMap<[u8; 32], pb::ConsumerValidator> = BTreeMap::new();
    for record in validators(state)?
        .into_iter()
        .chain(records(state, keys::PENDING_PREFIX)?)
    {
        next.insert(record_key(&record)?, record);
    }
    let mut updates = Vec::with_capacity(packet.updates.len());
    for update in &packet.updates {
        let record = pb::ConsumerValidator {
            consumer_pubkey: update.consumer_pubkey.clone(),
            power: update.power,
            provider_operator: update.provider_operator.clone(),
        };
        let key = update_key(update)?;
        next.insert(key, record.clone());
        updates.push((key, record));
    }
    let total = next
        .values()
        .try_fold(0u64, |sum, v| sum.checked_add(v.power))
        .filter(|total| *total <= MAX_TOTAL_POWER)
        .ok_or_else(|| invalid("the resulting set's total power exceeds CometBFT's bound"))?;
    if total == 0 {
        return Err(err(
            CcvCode::EmptyValidatorSet,
            format!(
                "vsc {} would leave the chain without validators",
                packet.vsc_id
            ),
        ));
    }

    for (key, record) in &updates {
        state.put_proto(keys::pending(key), record);
    }
    liveness::acknowledge(state, &packet.slash_acks, events)?;
    set_applied(
        state,
        packet.vsc_id,
        packet.provider_height,
        height.saturating_add(1),
    );
    events.push(
        Event::new("vsc_received")
            .attr("vsc_id", packet.vsc_id.to_string())
            .attr("provider_height", packet.provider_height.to_string())
            .attr("updates", updates.len().to_string()),
    );
    Ok(packet.vsc_id)
}

fn record_key(record: &pb::ConsumerValidator) -> AppResult<[u8; 32]> {
    record
        .consumer_pubkey
        .as_slice()
        .try_into()
        .map_err(|_| corrupt("validator key", hex::encode(&record.consumer_pubkey)))
}

/// Applies the updates received in this block (consumer `height`) to the set in force and returns
/// them as CometBFT validator updates (a 0-power update for a key not in the set is dropped); the
/// liveness windows follow ([`liveness::follow_updates`]). Work is the number of updates
/// received, not the size of the set.
pub fn end_block(
    state: &mut dyn StateWrite,
    height: u64,
    events: &mut Events,
) -> AppResult<Vec<ValidatorUpdate>> {
    let pending: Vec<(Vec<u8>, Vec<u8>)> = state.scan_prefix(keys::PENDING_PREFIX).collect();
    let mut updates = Vec::with_capacity(pending.len());
    for (pending_key, value) in pending {
        state.delete(pending_key);
        let record =
            pb::ConsumerValidator::decode(value.as_slice()).map_err(|e| corrupt("pending", e))?;
        let key = record_key(&record)?;
        let stored = keys::validator(&key);
        if record.power == 0 {
            if state.get(&stored).is_none() {
                continue;
            }
            state.delete(stored);
        } else {
            state.put_proto(stored, &record);
        }
        updates.push(ValidatorUpdate {
            ed25519_pubkey: key,
            power: record.power,
        });
    }
    if !updates.is_empty() {
        events.push(Event::new("validator_set_updated").attr("updates", updates.len().to_string()));
    }
    liveness::follow_updates(state, height, &updates);
    Ok(updates)
}

/// Begin block: counts the last commit into the liveness windows ([`liveness::count_votes`]);
/// nothing before genesis set the parameters or with a window of 0. The vsc id in force at this
/// height is the last applied one: a packet received at height r is in force from r + 1
/// (`ccv/height_vsc/`), and no packet of this height has been received yet, so the height map's
/// entry for this height is its newest, written with `ccv/applied_vsc`.
pub fn count_votes(block: BlockScope<'_>) -> AppResult<()> {
    let Some(params) = load_params(block.state)? else {
        return Ok(());
    };
    let Some(window) = liveness::Window::of(&params)? else {
        return Ok(());
    };
    let (vsc_id, _) = applied(block.state)?;
    liveness::count_votes(block.state, block.ctx, window, vsc_id, block.events)
}

/// The set CometBFT starts with: the set in force after genesis.
pub fn genesis_validators(state: &dyn StateRead) -> AppResult<Vec<ValidatorUpdate>> {
    validators(state)?
        .iter()
        .map(|v| {
            Ok(ValidatorUpdate {
                ed25519_pubkey: record_key(v)?,
                power: v.power,
            })
        })
        .collect()
}
