//! The `app_state.consumer` genesis section. Every consumer is one JSON object carrying its
//! registry entry and everything kept for it (genesis document, the set last sent, packets,
//! pending slash acks, reward pool, commissions), so export → import reproduces the state
//! exactly:
//!
//! It is `rampart.consumer.v1.GenesisState` in proto3 JSON with the proto field names (64-bit
//! integers as decimal strings, numbers accepted; absent optional parts absent; unknown fields
//! refused):
//!
//! ```json
//! {
//!   "params": {"registration_deposit": [{"denom": "uramp", "amount": "10000000"}],
//!              "max_consumer_slash_fraction": "0.100000000000000000",
//!              "slash_meter_fraction": "0.05", "slash_meter_period_seconds": "3600",
//!              "registration_expiry_seconds": "2592000", "expired_deposit_forfeit": "0.1"},
//!   "next_consumer_id": "1",
//!   "consumers": [{
//!     "consumer_id": "0", "chain_id": "consumer-1", "owner": "rampart1…", "name": "…",
//!     "description": "", "metadata_url": "", "spawn_time": "2026-01-01T00:00:10Z",
//!     "phase": "launched",
//!     "params": {"min_validators": 1, "min_total_pledge": "0", "max_validators": 10,
//!                "validator_power_cap": "1.000000000000000000", "allowlist": [], "denylist": [],
//!                "min_validator_stake": "0", "unbonding_period_seconds": "100",
//!                "double_sign": {"slash_fraction": "0.05", "jail_duration_seconds": "60",
//!                                "tombstone": true},
//!                "downtime": {…}, "reward_rate_per_block": []},
//!     "deposit": […], "registration_height": "2", "launch_height": "10", "launch_time": "…",
//!     "rewards_paused": false,
//!     "genesis": {…}, "validators": [{"operator": "rampartvaloper1…", "consumer_pubkey": "hex",
//!                 "power": "20", "pledged_tokens": "20000000", "pledge_bps": 10000,
//!                 "validator_power": "20", "provider_height": "10"}],
//!     "next_vsc_id": "2", "packets": [{"vsc_id": "1", "updates": [{"consumer_pubkey": "hex",
//!                 "power": "20", "provider_operator": "rampartvaloper1…"}], …}],
//!     "last_acknowledged_vsc": "0",
//!     "set_hashes": [{"vsc_id": "0", "hash": "hex", "locked_at": "2026-01-01T00:00:10Z",
//!                     "members": [{"operator": "rampartvaloper1…", …}]},
//!                    {"vsc_id": "1", "hash": "hex", "locked_at": "2026-01-01T00:00:15Z",
//!                     "members": […]}],
//!     "pending_slash_acks": ["hex"], "last_downtime_seq": "0",
//!     "slash_meter": {"meter": "5", "next_replenish": "2026-01-01T01:00:10Z"},
//!     "reward_pool": [], "commissions": [{"validator": "rampartvaloper1…", "rate": "0.05"}]
//!   }]
//! }
//! ```
//!
//! Import checks ids (unique, below `next_consumer_id`), chain ids (unique over every consumer,
//! deleted ones included: chain ids are never reused), every record's fields
//! (`last_acknowledged_vsc` below `next_vsc_id`, set hashes of 32 bytes, at a vsc id sent, with
//! their `locked_at` time and members that hash to them, provider operators valid or empty), and that the consumer module
//! account holds (at least) the deposits plus the reward pools, and that no owner is a module
//! account (it would receive the deletion refund past the bank's check). The set-expiry queue is
//! rebuilt from the set hashes ([`crate::sets::queue_imported`]), and every queue of
//! [`crate::queues`] from the registry entries as they are stored (launched consumers wait in the
//! epoch queue at height 0: the first end block finds their next epoch height). The allow/deny
//! lists in `params` are stored apart ([`crate::lists`]); pending parameters carry the reward
//! rate (`reward_rate_changed`, `reward_rate_per_block`) and lists (`lists_changed`,
//! `allowlist`, `denylist`) that wait with them; a registered consumer without `expire_time`
//! expires `registration_expiry_seconds` after the genesis time.

use std::collections::BTreeSet;

use rampart_auth::{AuthRead, AuthWrite};
use rampart_bank::{BankRead, Coin};
use rampart_core::coins::parse_coins;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{parse_rfc3339, rfc3339};
use rampart_core::{ChainProfile, GenesisContext};
use rampart_core::{Decimal, StateRead, StateWrite, StateWriteExt};
use rampart_proto::rampart::base::v1 as base;
use rampart_proto::rampart::consumer::v1 as pb;

use crate::entry::Consumer;
use crate::keys;
use crate::lists::{self, ConsumerLists};
use crate::params::{self, ModuleParams};
use crate::state::{self, module_address};
use crate::types::{pubkey32, ConsumerValidator, Phase};
use crate::{meter, sets};
use rampart_core::coins;
use rampart_core::wire::{block_time, timestamp};

/// The consumer genesis section.
pub type ConsumerGenesisState = pb::GenesisState;

fn invalid(why: impl Into<String>) -> AppError {
    AppError::sdk(
        SdkCode::JsonUnmarshal,
        format!("app_state.consumer: {}", why.into()),
    )
}

fn json_coins(coins: &[Coin]) -> Vec<base::Coin> {
    coins
        .iter()
        .map(|c| base::Coin {
            denom: c.denom.clone(),
            amount: c.amount.to_string(),
        })
        .collect()
}

type ProtoCoin = cosmos_sdk_proto::cosmos::base::v1beta1::Coin;

fn coins_to_json(coins: &[ProtoCoin]) -> Vec<base::Coin> {
    coins
        .iter()
        .map(|c| base::Coin {
            denom: c.denom.clone(),
            amount: c.amount.clone(),
        })
        .collect()
}

fn proto_coins(coins: &[base::Coin]) -> Vec<ProtoCoin> {
    coins
        .iter()
        .map(|c| ProtoCoin {
            denom: c.denom.clone(),
            amount: c.amount.clone(),
        })
        .collect()
}

/// Consumer parameters to JSON (infraction parameters always written).
fn params_to_json(p: &pb::ConsumerParams) -> pb::GenesisConsumerParams {
    pb::GenesisConsumerParams {
        min_validators: p.min_validators,
        min_total_pledge: p.min_total_pledge.clone(),
        max_validators: p.max_validators,
        validator_power_cap: p.validator_power_cap.clone(),
        allowlist: p.allowlist.clone(),
        denylist: p.denylist.clone(),
        min_validator_stake: p.min_validator_stake.clone(),
        unbonding_period_seconds: p.unbonding_period_seconds,
        double_sign: Some(p.double_sign.clone().unwrap_or_default()),
        downtime: Some(p.downtime.clone().unwrap_or_default()),
        reward_rate_per_block: coins_to_json(&p.reward_rate_per_block),
        signed_blocks_window: p.signed_blocks_window,
        min_signed_per_window: p.min_signed_per_window.clone(),
        blocks_per_epoch: p.blocks_per_epoch,
        ccv_timeout_seconds: p.ccv_timeout_seconds,
        max_clock_drift_seconds: p.max_clock_drift_seconds,
    }
}

/// Consumer parameters from JSON.
fn params_from_json(j: &pb::GenesisConsumerParams) -> pb::ConsumerParams {
    pb::ConsumerParams {
        min_validators: j.min_validators,
        min_total_pledge: j.min_total_pledge.clone(),
        max_validators: j.max_validators,
        validator_power_cap: j.validator_power_cap.clone(),
        allowlist: j.allowlist.clone(),
        denylist: j.denylist.clone(),
        min_validator_stake: j.min_validator_stake.clone(),
        unbonding_period_seconds: j.unbonding_period_seconds,
        double_sign: j.double_sign.clone(),
        downtime: j.downtime.clone(),
        reward_rate_per_block: proto_coins(&j.reward_rate_per_block),
        signed_blocks_window: j.signed_blocks_window,
        min_signed_per_window: j.min_signed_per_window.clone(),
        blocks_per_epoch: j.blocks_per_epoch,
        ccv_timeout_seconds: j.ccv_timeout_seconds,
        max_clock_drift_seconds: j.max_clock_drift_seconds,
    }
}

fn time_json(
    t: &Option<tendermint_proto::google::protobuf::Timestamp>,
) -> AppResult<Option<String>> {
    t.as_ref().map(|t| block_time(t).map(rfc3339)).transpose()
}

fn time_proto(
    t: &Option<String>,
    field: &str,
) -> AppResult<Option<tendermint_proto::google::protobuf::Timestamp>> {
    t.as_ref()
        .map(|t| parse_rfc3339(t, field).map(timestamp))
        .transpose()
}

fn hex32(text: &str, field: &str) -> AppResult<[u8; 32]> {
    let bytes = hex::decode(text).map_err(|e| invalid(format!("{field}: {e}")))?;
    pubkey32(&bytes).map_err(|e| invalid(format!("{field}: {}", e.log)))
}

fn hex20(text: &str, field: &str) -> AppResult<[u8; 20]> {
    let bytes = hex::decode(text).map_err(|e| invalid(format!("{field}: {e}")))?;
    bytes
        .try_into()
        .map_err(|_| invalid(format!("{field}: expected 20 bytes")))
}

fn validator_to_json(
    profile: &ChainProfile,
    v: &ConsumerValidator,
) -> pb::GenesisConsumerValidator {
    pb::GenesisConsumerValidator {
        operator: profile.to_valoper(&v.operator),
        consumer_pubkey: hex::encode(v.consumer_pubkey),
        power: v.power,
        pledged_tokens: v.pledged_tokens.to_string(),
        pledge_bps: v.pledge_bps,
        validator_power: v.validator_power,
        provider_height: v.provider_height,
    }
}

fn validator_from_json(
    v: &pb::GenesisConsumerValidator,
    field: &str,
) -> AppResult<ConsumerValidator> {
    ConsumerValidator::from_proto(&pb::ConsumerValidator {
        operator: v.operator.clone(),
        consumer_pubkey: hex32(&v.consumer_pubkey, field)?.to_vec(),
        power: v.power,
        pledged_tokens: v.pledged_tokens.clone(),
        pledge_bps: v.pledge_bps,
        validator_power: v.validator_power,
        provider_height: v.provider_height,
    })
    .map_err(|e| invalid(format!("{field}: {}", e.log)))
}

fn updates_to_json(updates: &[pb::ValidatorUpdate]) -> Vec<pb::GenesisValidatorUpdate> {
    updates
        .iter()
        .map(|u| pb::GenesisValidatorUpdate {
            consumer_pubkey: hex::encode(&u.consumer_pubkey),
            power: u.power,
            provider_operator: u.provider_operator.clone(),
        })
        .collect()
}

fn updates_from_json(
    profile: &ChainProfile,
    updates: &[pb::GenesisValidatorUpdate],
    field: &str,
) -> AppResult<Vec<pb::ValidatorUpdate>> {
    updates
        .iter()
        .map(|u| {
            if !u.provider_operator.is_empty() {
                profile
                    .valoper(&u.provider_operator, "provider_operator")
                    .map_err(|e| invalid(format!("{field}: {}", e.log)))?;
            }
            Ok(pb::ValidatorUpdate {
                consumer_pubkey: hex32(&u.consumer_pubkey, field)?.to_vec(),
                power: u.power,
                provider_operator: u.provider_operator.clone(),
            })
        })
        .collect()
}

fn export_one(
    state: &dyn StateRead,
    profile: &ChainProfile,
    consumer: &Consumer,
) -> AppResult<pb::GenesisConsumer> {
    let p = consumer.to_proto();
    let id = consumer.id;
    let mut params = p.params.clone().unwrap_or_default();
    lists::load(state, id)?.fill(&mut params);
    let genesis = state::genesis(state, id)?
        .map(|g| -> AppResult<pb::GenesisConsumerGenesis> {
            Ok(pb::GenesisConsumerGenesis {
                params: Some(params_to_json(&g.params.clone().unwrap_or_default())),
                initial_validators: updates_to_json(&g.initial_validators),
                provider_chain_id: g.provider_chain_id.clone(),
                provider_height: g.provider_height,
                provider_time: time_json(&g.provider_time)?.unwrap_or_default(),
                provider_validator_set_hash: hex::encode(&g.provider_validator_set_hash),
                initial_validator_set_hash: hex::encode(&g.initial_validator_set_hash),
                provider_block_hash: hex::encode(&g.provider_block_hash),
                provider_next_validators_hash: hex::encode(&g.provider_next_validators_hash),
                provider_next_validators: g
                    .provider_next_validators
                    .iter()
                    .map(|v| pb::GenesisProviderValidator {
                        pub_key: hex::encode(&v.pub_key),
                        power: v.power,
                    })
                    .collect(),
                trusting_period_seconds: g.trusting_period_seconds,
                max_clock_drift_seconds: g.max_clock_drift_seconds,
            })
        })
        .transpose()?;
    let validators = state::validators(state, id)?
        .iter()
        .map(|v| validator_to_json(profile, v))
        .collect();
    let mut packets = Vec::new();
    for (vsc_id, packet) in state::packets(state, id)? {
        packets.push(pb::GenesisPacket {
            vsc_id,
            provider_height: packet.provider_height,
            provider_time: time_json(&packet.provider_time)?.unwrap_or_default(),
            updates: updates_to_json(&packet.updates),
            slash_acks: packet.slash_acks.iter().map(hex::encode).collect(),
        });
    }
    let next_vsc = state.get(&keys::next_vsc(id)).map_or(Ok(0), |b| {
        <[u8; 8]>::try_from(b.as_slice())
            .map(u64::from_be_bytes)
            .map_err(|_| invalid("corrupt next vsc id"))
    })?;
    Ok(pb::GenesisConsumer {
        consumer_id: id,
        chain_id: p.chain_id,
        owner: p.owner,
        name: p.name,
        description: p.description,
        metadata_url: p.metadata_url,
        spawn_time: time_json(&p.spawn_time)?,
        phase: consumer.phase.name().to_owned(),
        params: Some(params_to_json(&params)),
        pending_infraction_params: consumer
            .pending
            .as_ref()
            .map(|pending| -> AppResult<pb::GenesisPendingInfractionParams> {
                let waiting = if pending.lists {
                    let mut p = pb::ConsumerParams::default();
                    lists::load_pending(state, id)?.fill(&mut p);
                    (p.allowlist, p.denylist)
                } else {
                    Default::default()
                };
                Ok(pb::GenesisPendingInfractionParams {
                    double_sign: Some(pending.double_sign.to_proto()),
                    downtime: Some(pending.downtime.to_proto()),
                    effective_time: rfc3339(pending.effective_time),
                    reward_rate_changed: pending.reward_rate_per_block.is_some(),
                    reward_rate_per_block: pending
                        .reward_rate_per_block
                        .as_deref()
                        .map(json_coins)
                        .unwrap_or_default(),
                    lists_changed: pending.lists,
                    allowlist: waiting.0,
                    denylist: waiting.1,
                })
            })
            .transpose()?,
        deposit: json_coins(&consumer.deposit),
        registration_height: p.registration_height,
        launch_height: p.launch_height,
        launch_time: time_json(&p.launch_time)?,
        stop_time: time_json(&p.stop_time)?,
        delete_time: time_json(&p.delete_time)?,
        rewards_paused: p.rewards_paused,
        last_heard_from: time_json(&p.last_heard_from)?,
        last_acknowledged_vsc: consumer.last_acknowledged_vsc,
        set_hashes: sets::records(state, id)?
            .into_iter()
            .map(|r| {
                Ok(pb::GenesisSetHash {
                    vsc_id: r.vsc_id,
                    hash: hex::encode(r.hash),
                    locked_at: rfc3339(r.locked_at),
                    members: sets::members(state, id, r.vsc_id)?
                        .iter()
                        .map(|v| validator_to_json(profile, v))
                        .collect(),
                })
            })
            .collect::<AppResult<_>>()?,
        last_downtime_seq: state::last_downtime_seq(state, id)?,
        slash_meter: meter::load(state, id)?.map(|m| pb::GenesisSlashMeter {
            meter: m.meter,
            next_replenish: rfc3339(m.next_replenish),
        }),
        expire_time: time_json(&p.expire_time)?,
        genesis,
        validators,
        next_vsc_id: next_vsc,
        packets,
        pending_slash_acks: state::pending_slash_acks(state, id)
            .iter()
            .map(hex::encode)
            .collect(),
        reward_pool: json_coins(&state::pool(state, id)?),
        commissions: state::commissions(state, id)?
            .into_iter()
            .map(|(op, rate)| pb::GenesisCommission {
                validator: profile.to_valoper(&op),
                rate: rate.to_string(),
            })
            .collect(),
    })
}

/// Reads the section back from `state`.
pub fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<ConsumerGenesisState> {
    let mut consumers = Vec::new();
    for id in state::all_ids(state) {
        consumers.push(export_one(state, profile, &state::must_load(state, id)?)?);
    }
    let params = params::load(state)?.to_proto();
    Ok(ConsumerGenesisState {
        params: Some(pb::GenesisParams {
            registration_deposit: coins_to_json(&params.registration_deposit),
            max_consumer_slash_fraction: params.max_consumer_slash_fraction,
            slash_meter_fraction: params.slash_meter_fraction,
            slash_meter_period_seconds: params.slash_meter_period_seconds,
            registration_expiry_seconds: params.registration_expiry_seconds,
            expired_deposit_forfeit: params.expired_deposit_forfeit,
        }),
        next_consumer_id: state::next_id(state)?,
        consumers,
    })
}

fn import_one(
    state: &mut dyn StateWrite,
    ctx: &GenesisContext,
    g: &pb::GenesisConsumer,
) -> AppResult<Vec<Coin>> {
    let profile = &ctx.profile;
    let id = g.consumer_id;
    let at = |field: &str| format!("consumers[{id}].{field}");
    let phase = Phase::from_name(&g.phase)
        .ok_or_else(|| invalid(format!("{}: unknown phase {:?}", at("phase"), g.phase)))?;
    let proto = pb::Consumer {
        consumer_id: id,
        chain_id: g.chain_id.clone(),
        owner: g.owner.clone(),
        name: g.name.clone(),
        description: g.description.clone(),
        metadata_url: g.metadata_url.clone(),
        spawn_time: time_proto(&g.spawn_time, &at("spawn_time"))?,
        phase: phase.to_proto() as i32,
        params: g.params.as_ref().map(params_from_json),
        pending_infraction_params: g
            .pending_infraction_params
            .as_ref()
            .map(|p| -> AppResult<pb::PendingInfractionParams> {
                Ok(pb::PendingInfractionParams {
                    double_sign: p.double_sign.clone(),
                    downtime: p.downtime.clone(),
                    effective_time: Some(timestamp(parse_rfc3339(
                        &p.effective_time,
                        "effective_time",
                    )?)),
                    reward_rate: p.reward_rate_changed.then(|| pb::PendingRewardRate {
                        reward_rate_per_block: proto_coins(&p.reward_rate_per_block),
                    }),
                    lists: p.lists_changed,
                })
            })
            .transpose()?,
        deposit: proto_coins(&g.deposit),
        registration_height: g.registration_height,
        launch_height: g.launch_height,
        launch_time: time_proto(&g.launch_time, &at("launch_time"))?,
        stop_time: time_proto(&g.stop_time, &at("stop_time"))?,
        delete_time: time_proto(&g.delete_time, &at("delete_time"))?,
        rewards_paused: g.rewards_paused,
        last_heard_from: time_proto(&g.last_heard_from, &at("last_heard_from"))?,
        last_acknowledged_vsc: g.last_acknowledged_vsc,
        expire_time: time_proto(&g.expire_time, &at("expire_time"))?,
    };
    let mut consumer =
        Consumer::from_proto(&proto).map_err(|e| invalid(format!("consumers[{id}]: {}", e.log)))?;
    if phase == Phase::Registered && consumer.expire_time.is_none() {
        consumer.expire_time = Some(rampart_core::wire::add_seconds(
            ctx.genesis_time,
            params::load(state)?.registration_expiry_seconds,
        )?);
    }
    // A module account receives only through its module: as owner it would get the deletion
    // refund past the bank's check.
    if consumer.owner == module_address()
        || state
            .account(&consumer.owner)?
            .is_some_and(|a| a.module.is_some())
    {
        return Err(invalid(format!(
            "{}: {} is a module account and cannot own a consumer",
            at("owner"),
            g.owner
        )));
    }
    let param_lists = g.params.as_ref().map(params_from_json).unwrap_or_default();
    let consumer_lists = ConsumerLists::from_proto(&param_lists)
        .map_err(|e| invalid(format!("{}: {}", at("params"), e.log)))?;
    let waiting = match &g.pending_infraction_params {
        Some(p) if p.lists_changed => Some(
            ConsumerLists::from_proto(&pb::ConsumerParams {
                allowlist: p.allowlist.clone(),
                denylist: p.denylist.clone(),
                ..Default::default()
            })
            .map_err(|e| invalid(format!("{}: {}", at("pending_infraction_params"), e.log)))?,
        ),
        _ => None,
    };
    crate::types::check_chain_id(&consumer.chain_id, "")
        .map_err(|e| invalid(format!("{}: {}", at("chain_id"), e.log)))?;
    if state.get(&keys::chain_id(&consumer.chain_id)).is_some() {
        return Err(invalid(format!(
            "{}: chain id {} is used by two consumers (chain ids are never reused)",
            at("chain_id"),
            consumer.chain_id
        )));
    }
    state::save(state, &consumer)?;
    lists::store(state, id, &consumer_lists);
    lists::store_pending(state, id, waiting.as_ref());
    if let Some(genesis) = &g.genesis {
        let doc = pb::ConsumerGenesis {
            consumer_id: id,
            chain_id: consumer.chain_id.clone(),
            params: genesis.params.as_ref().map(params_from_json),
            initial_validators: updates_from_json(
                profile,
                &genesis.initial_validators,
                &at("genesis.initial_validators"),
            )?,
            provider_chain_id: genesis.provider_chain_id.clone(),
            provider_height: genesis.provider_height,
            provider_time: Some(timestamp(parse_rfc3339(
                &genesis.provider_time,
                &at("genesis.provider_time"),
            )?)),
            provider_validator_set_hash: hex::decode(&genesis.provider_validator_set_hash)
                .map_err(|e| invalid(format!("{}: {e}", at("genesis"))))?,
            initial_validator_set_hash: hex::decode(&genesis.initial_validator_set_hash)
                .map_err(|e| invalid(format!("{}: {e}", at("genesis"))))?,
            provider_block_hash: hex::decode(&genesis.provider_block_hash)
                .map_err(|e| invalid(format!("{}: {e}", at("genesis.provider_block_hash"))))?,
            provider_next_validators_hash: hex::decode(&genesis.provider_next_validators_hash)
                .map_err(|e| {
                    invalid(format!(
                        "{}: {e}",
                        at("genesis.provider_next_validators_hash")
                    ))
                })?,
            provider_next_validators: genesis
                .provider_next_validators
                .iter()
                .map(|v| {
                    Ok(pb::ProviderValidator {
                        pub_key: hex32(&v.pub_key, &at("genesis.provider_next_validators"))?
                            .to_vec(),
                        power: v.power,
                    })
                })
                .collect::<AppResult<_>>()?,
            trusting_period_seconds: genesis.trusting_period_seconds,
            max_clock_drift_seconds: genesis.max_clock_drift_seconds,
        };
        state::put_genesis(state, &doc);
    }
    let mut seen = BTreeSet::new();
    for v in &g.validators {
        let parsed = validator_from_json(v, &at("validators"))?;
        if !seen.insert(parsed.operator) {
            return Err(invalid(format!("{}: duplicate operator", at("validators"))));
        }
        state.put_proto(keys::validator(id, &parsed.operator), &parsed.to_proto());
    }
    for packet in &g.packets {
        state::put_packet(
            state,
            &pb::ValidatorSetChangePacket {
                consumer_id: id,
                vsc_id: packet.vsc_id,
                provider_height: packet.provider_height,
                updates: updates_from_json(profile, &packet.updates, &at("packets"))?,
                slash_acks: packet
                    .slash_acks
                    .iter()
                    .map(|a| hex20(a, &at("packets.slash_acks")).map(|a| a.to_vec()))
                    .collect::<AppResult<_>>()?,
                provider_time: Some(timestamp(parse_rfc3339(
                    &packet.provider_time,
                    &at("packets.provider_time"),
                )?)),
            },
        );
    }
    if g.next_vsc_id > 0 {
        state.put(keys::next_vsc(id), g.next_vsc_id.to_be_bytes().to_vec());
    } else {
        state.delete(keys::next_vsc(id));
    }
    if g.last_acknowledged_vsc >= g.next_vsc_id.max(1) {
        return Err(invalid(format!(
            "{}: {} was never sent (next_vsc_id {})",
            at("last_acknowledged_vsc"),
            g.last_acknowledged_vsc,
            g.next_vsc_id
        )));
    }
    for h in &g.set_hashes {
        let hash = hex::decode(&h.hash)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| invalid(format!("{}: expected 32 hex bytes", at("set_hashes"))))?;
        if h.vsc_id >= g.next_vsc_id.max(1) {
            return Err(invalid(format!(
                "{}: vsc id {} was never sent (next_vsc_id {})",
                at("set_hashes"),
                h.vsc_id,
                g.next_vsc_id
            )));
        }
        let record = sets::SetRecord {
            vsc_id: h.vsc_id,
            hash,
            locked_at: parse_rfc3339(&h.locked_at, &at("set_hashes.locked_at"))?,
        };
        let members = h
            .members
            .iter()
            .map(|v| validator_from_json(v, &at("set_hashes.members")))
            .collect::<AppResult<Vec<_>>>()?;
        if sets::set_hash(&members)? != hash {
            return Err(invalid(format!(
                "{}: the members of vsc id {} do not hash to {}",
                at("set_hashes"),
                h.vsc_id,
                h.hash
            )));
        }
        sets::import(state, &consumer, &record, &members);
    }
    sets::queue_imported(state, &consumer)
        .map_err(|e| invalid(format!("{}: {}", at("set_hashes"), e.log)))?;
    for ack in &g.pending_slash_acks {
        state.put(
            keys::slash_ack(id, &hex20(ack, &at("pending_slash_acks"))?),
            Vec::new(),
        );
    }
    state::set_last_downtime_seq(state, id, g.last_downtime_seq);
    match (&g.slash_meter, consumer.phase) {
        (Some(m), Phase::Launched) => {
            let set = state::validators(state, id)?;
            let restored = meter::Meter {
                meter: m.meter,
                allowance: meter::allowance(&params::load(state)?, &set)?,
                next_replenish: parse_rfc3339(
                    &m.next_replenish,
                    &at("slash_meter.next_replenish"),
                )?,
            };
            meter::save(state, id, &restored);
        }
        (None, Phase::Launched) => {
            let set = state::validators(state, id)?;
            meter::start(state, id, &set, ctx.genesis_time)?;
        }
        (Some(_), _) => {
            return Err(invalid(format!(
                "{}: only launched consumers have one",
                at("slash_meter")
            )))
        }
        (None, _) => {}
    }
    let pool = parse_coins(&proto_coins(&g.reward_pool))
        .map_err(|e| invalid(format!("{}: {}", at("reward_pool"), e.log)))?;
    state::set_pool(state, id, &pool);
    for c in &g.commissions {
        let op = profile.valoper(&c.validator, "validator")?;
        let rate: Decimal = c
            .rate
            .parse()
            .map_err(|e: AppError| invalid(format!("{}: {}", at("commissions"), e.log)))?;
        if rate > Decimal::ONE {
            return Err(invalid(format!("{}: rate above 1", at("commissions"))));
        }
        state::set_commission(state, id, &op, rate);
    }
    coins::add(&consumer.deposit, &pool)
}

/// Writes the section into `state` (a launched consumer without a slash meter gets a full one,
/// replenishing one period after the genesis time).
pub fn import(
    state: &mut dyn StateWrite,
    ctx: &GenesisContext,
    genesis: &ConsumerGenesisState,
) -> AppResult<()> {
    let params = match &genesis.params {
        Some(p) => ModuleParams::from_proto(&pb::Params {
            registration_deposit: proto_coins(&p.registration_deposit),
            max_consumer_slash_fraction: p.max_consumer_slash_fraction.clone(),
            slash_meter_fraction: p.slash_meter_fraction.clone(),
            slash_meter_period_seconds: p.slash_meter_period_seconds,
            registration_expiry_seconds: p.registration_expiry_seconds,
            expired_deposit_forfeit: p.expired_deposit_forfeit.clone(),
        })
        .map_err(|e| invalid(format!("params: {}", e.log)))?,
        None => ModuleParams::default(),
    };
    params::store(state, &params)?;
    state::set_next_id(state, genesis.next_consumer_id);
    let mut ids = BTreeSet::new();
    let mut held: Vec<Coin> = Vec::new();
    for g in &genesis.consumers {
        if g.consumer_id >= genesis.next_consumer_id || !ids.insert(g.consumer_id) {
            return Err(invalid(format!(
                "consumer id {} is duplicated or not below next_consumer_id {}",
                g.consumer_id, genesis.next_consumer_id
            )));
        }
        held = coins::add(&held, &import_one(state, ctx, g)?)?;
    }
    let account = module_address();
    let balances = state.balances(&account)?;
    if !crate::invariants::covers(&balances, &held) {
        return Err(invalid(format!(
            "the consumer module account {account} holds {} but deposits and reward pools add up to {}",
            rampart_bank::format_coins(&balances),
            rampart_bank::format_coins(&held)
        )));
    }
    // Created with the first deposit otherwise, so a chain without consumers keeps its
    // account numbering.
    if !held.is_empty() || !balances.is_empty() {
        state.claim_module_account(state::MODULE_ACCOUNT, &[])?;
    }
    Ok(())
}
