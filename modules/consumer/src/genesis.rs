//! The `app_state.consumer` genesis section. Every consumer is one JSON object carrying its
//! registry entry and everything kept for it (genesis document, the set last sent, packets,
//! pending slash acks, reward pool, commissions), so export → import reproduces the state
//! exactly:
//!
//! ```json
//! {
//!   "params": {"registration_deposit": [{"denom": "uramp", "amount": "10000000"}],
//!              "max_consumer_slash_fraction": "0.100000000000000000"},
//!   "next_consumer_id": 1,
//!   "consumers": [{
//!     "consumer_id": 0, "chain_id": "consumer-1", "owner": "rampart1…", "name": "…",
//!     "description": "", "metadata_url": "", "spawn_time": "2026-01-01T00:00:10Z",
//!     "phase": "launched",
//!     "params": {"min_validators": 1, "min_total_pledge": "0", "max_validators": 10,
//!                "validator_power_cap": "1.000000000000000000", "allowlist": [], "denylist": [],
//!                "min_validator_stake": "0", "unbonding_period_seconds": 100,
//!                "double_sign": {"slash_fraction": "0.05", "jail_duration_seconds": 60,
//!                                "tombstone": true},
//!                "downtime": {…}, "reward_rate_per_block": []},
//!     "pending_infraction_params": null, "deposit": […], "registration_height": 2,
//!     "launch_height": 10, "launch_time": "…", "stop_time": null, "delete_time": null,
//!     "rewards_paused": false,
//!     "genesis": {…}, "validators": [{"operator": "rampartvaloper1…", "consumer_pubkey": "hex",
//!                 "power": 20, "pledged_tokens": "20000000", "pledge_bps": 10000,
//!                 "validator_power": 20, "provider_height": 10}],
//!     "next_vsc_id": 2, "packets": [{"vsc_id": 1, …}], "pending_slash_acks": ["hex"],
//!     "reward_pool": [], "commissions": [{"validator": "rampartvaloper1…", "rate": "0.05"}]
//!   }]
//! }
//! ```
//!
//! Import checks ids (unique, below `next_consumer_id`), live chain ids (unique), every record's
//! fields, and that the consumer module account holds (at least) the deposits plus the reward
//! pools.

use std::collections::BTreeSet;

use rampart_auth::AuthWrite;
use rampart_bank::genesis::JsonCoin;
use rampart_bank::{BankRead, Coin};
use rampart_core::coins::parse_coins;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{parse_rfc3339, rfc3339};
use rampart_core::ChainProfile;
use rampart_core::{Decimal, StateRead, StateWrite, StateWriteExt};
use rampart_proto::rampart::consumer::v1 as pb;
use serde::{Deserialize, Serialize};

use crate::keys;
use crate::params::{self, ModuleParams};
use crate::state::{self, module_address};
use crate::types::{pubkey32, Consumer, ConsumerValidator, Phase};
use rampart_core::coins;
use rampart_core::wire::{block_time, timestamp};

/// The consumer genesis section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerGenesisState {
    /// Module parameters.
    #[serde(default)]
    pub params: ModuleParams,
    /// The id the next registration gets.
    #[serde(default)]
    pub next_consumer_id: u64,
    /// Every consumer ever registered, by id.
    #[serde(default)]
    pub consumers: Vec<GenesisConsumer>,
}

/// Infraction parameters in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonInfraction {
    /// Decimal text.
    pub slash_fraction: String,
    /// Seconds.
    pub jail_duration_seconds: u64,
    /// Tombstone.
    pub tombstone: bool,
}

/// Consumer parameters in JSON (the fields of `rampart.consumer.v1.ConsumerParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonConsumerParams {
    /// Fewest validators.
    pub min_validators: u32,
    /// Least total pledge (integer text).
    pub min_total_pledge: String,
    /// Most validators.
    pub max_validators: u32,
    /// Power cap (decimal text).
    pub validator_power_cap: String,
    /// Allowed operators.
    #[serde(default)]
    pub allowlist: Vec<String>,
    /// Refused operators.
    #[serde(default)]
    pub denylist: Vec<String>,
    /// Least bonded stake (integer text).
    pub min_validator_stake: String,
    /// Unbonding period in seconds.
    pub unbonding_period_seconds: u64,
    /// Double signing.
    pub double_sign: JsonInfraction,
    /// Downtime.
    pub downtime: JsonInfraction,
    /// Rewards per block.
    #[serde(default)]
    pub reward_rate_per_block: Vec<JsonCoin>,
}

/// Pending infraction parameters in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonPending {
    /// Double signing.
    pub double_sign: JsonInfraction,
    /// Downtime.
    pub downtime: JsonInfraction,
    /// RFC 3339.
    pub effective_time: String,
}

/// A validator update in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonUpdate {
    /// Hex of the 32-byte key.
    pub consumer_pubkey: String,
    /// Power.
    pub power: u64,
}

/// A consumer genesis document in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonConsumerGenesis {
    /// Rules at launch.
    pub params: JsonConsumerParams,
    /// Initial set.
    pub initial_validators: Vec<JsonUpdate>,
    /// The provider's chain id.
    pub provider_chain_id: String,
    /// Launch height.
    pub provider_height: u64,
    /// Launch time, RFC 3339.
    pub provider_time: String,
    /// Hex.
    pub provider_validator_set_hash: String,
    /// Hex.
    pub initial_validator_set_hash: String,
}

/// A consumer validator in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonConsumerValidator {
    /// `rampartvaloper1…`.
    pub operator: String,
    /// Hex.
    pub consumer_pubkey: String,
    /// Consumer power.
    pub power: u64,
    /// Integer text.
    pub pledged_tokens: String,
    /// Basis points.
    pub pledge_bps: u32,
    /// Provider power.
    pub validator_power: u64,
    /// Height counted at.
    pub provider_height: u64,
}

/// A packet in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonPacket {
    /// Vsc id.
    pub vsc_id: u64,
    /// Provider height.
    pub provider_height: u64,
    /// Provider time, RFC 3339.
    pub provider_time: String,
    /// Changes.
    pub updates: Vec<JsonUpdate>,
    /// Hex consumer addresses.
    #[serde(default)]
    pub slash_acks: Vec<String>,
}

/// A per-consumer commission in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonCommission {
    /// `rampartvaloper1…`.
    pub validator: String,
    /// The rate.
    pub rate: Decimal,
}

/// One consumer and everything kept for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisConsumer {
    /// Id.
    pub consumer_id: u64,
    /// Chain id.
    pub chain_id: String,
    /// Owner `rampart1…`.
    pub owner: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Metadata URL.
    #[serde(default)]
    pub metadata_url: String,
    /// RFC 3339.
    #[serde(default)]
    pub spawn_time: Option<String>,
    /// `registered`, `launched`, `stopped` or `deleted`.
    pub phase: String,
    /// Rules in force.
    pub params: JsonConsumerParams,
    /// Pending infraction parameters.
    #[serde(default)]
    pub pending_infraction_params: Option<JsonPending>,
    /// Deposit held.
    #[serde(default)]
    pub deposit: Vec<JsonCoin>,
    /// Registration height.
    #[serde(default)]
    pub registration_height: u64,
    /// Launch height.
    #[serde(default)]
    pub launch_height: u64,
    /// RFC 3339.
    #[serde(default)]
    pub launch_time: Option<String>,
    /// RFC 3339.
    #[serde(default)]
    pub stop_time: Option<String>,
    /// RFC 3339.
    #[serde(default)]
    pub delete_time: Option<String>,
    /// Payments paused.
    #[serde(default)]
    pub rewards_paused: bool,
    /// Genesis document (launched consumers).
    #[serde(default)]
    pub genesis: Option<JsonConsumerGenesis>,
    /// The set last sent.
    #[serde(default)]
    pub validators: Vec<JsonConsumerValidator>,
    /// Next vsc id (0 or 1: none sent yet).
    #[serde(default)]
    pub next_vsc_id: u64,
    /// Stored packets.
    #[serde(default)]
    pub packets: Vec<JsonPacket>,
    /// Hex consumer addresses waiting for the next packet.
    #[serde(default)]
    pub pending_slash_acks: Vec<String>,
    /// Reward pool.
    #[serde(default)]
    pub reward_pool: Vec<JsonCoin>,
    /// Per-consumer commissions.
    #[serde(default)]
    pub commissions: Vec<JsonCommission>,
}

fn invalid(why: impl Into<String>) -> AppError {
    AppError::sdk(
        SdkCode::JsonUnmarshal,
        format!("app_state.consumer: {}", why.into()),
    )
}

fn json_coins(coins: &[Coin]) -> Vec<JsonCoin> {
    coins
        .iter()
        .map(|c| JsonCoin {
            denom: c.denom.clone(),
            amount: c.amount.to_string(),
        })
        .collect()
}

fn proto_coins(coins: &[JsonCoin]) -> Vec<cosmos_sdk_proto::cosmos::base::v1beta1::Coin> {
    coins
        .iter()
        .map(|c| cosmos_sdk_proto::cosmos::base::v1beta1::Coin {
            denom: c.denom.clone(),
            amount: c.amount.clone(),
        })
        .collect()
}

fn infraction_to_json(p: &Option<pb::InfractionParams>) -> JsonInfraction {
    let p = p.clone().unwrap_or_default();
    JsonInfraction {
        slash_fraction: p.slash_fraction,
        jail_duration_seconds: p.jail_duration_seconds,
        tombstone: p.tombstone,
    }
}

fn infraction_to_proto(j: &JsonInfraction) -> pb::InfractionParams {
    pb::InfractionParams {
        slash_fraction: j.slash_fraction.clone(),
        jail_duration_seconds: j.jail_duration_seconds,
        tombstone: j.tombstone,
    }
}

/// Consumer parameters to JSON.
pub fn params_to_json(p: &pb::ConsumerParams) -> JsonConsumerParams {
    JsonConsumerParams {
        min_validators: p.min_validators,
        min_total_pledge: p.min_total_pledge.clone(),
        max_validators: p.max_validators,
        validator_power_cap: p.validator_power_cap.clone(),
        allowlist: p.allowlist.clone(),
        denylist: p.denylist.clone(),
        min_validator_stake: p.min_validator_stake.clone(),
        unbonding_period_seconds: p.unbonding_period_seconds,
        double_sign: infraction_to_json(&p.double_sign),
        downtime: infraction_to_json(&p.downtime),
        reward_rate_per_block: p
            .reward_rate_per_block
            .iter()
            .map(|c| JsonCoin {
                denom: c.denom.clone(),
                amount: c.amount.clone(),
            })
            .collect(),
    }
}

/// Consumer parameters from JSON.
pub fn params_from_json(j: &JsonConsumerParams) -> pb::ConsumerParams {
    pb::ConsumerParams {
        min_validators: j.min_validators,
        min_total_pledge: j.min_total_pledge.clone(),
        max_validators: j.max_validators,
        validator_power_cap: j.validator_power_cap.clone(),
        allowlist: j.allowlist.clone(),
        denylist: j.denylist.clone(),
        min_validator_stake: j.min_validator_stake.clone(),
        unbonding_period_seconds: j.unbonding_period_seconds,
        double_sign: Some(infraction_to_proto(&j.double_sign)),
        downtime: Some(infraction_to_proto(&j.downtime)),
        reward_rate_per_block: proto_coins(&j.reward_rate_per_block),
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

fn updates_to_json(updates: &[pb::ValidatorUpdate]) -> Vec<JsonUpdate> {
    updates
        .iter()
        .map(|u| JsonUpdate {
            consumer_pubkey: hex::encode(&u.consumer_pubkey),
            power: u.power,
        })
        .collect()
}

fn updates_from_json(updates: &[JsonUpdate], field: &str) -> AppResult<Vec<pb::ValidatorUpdate>> {
    updates
        .iter()
        .map(|u| {
            Ok(pb::ValidatorUpdate {
                consumer_pubkey: hex32(&u.consumer_pubkey, field)?.to_vec(),
                power: u.power,
            })
        })
        .collect()
}

fn export_one(state: &dyn StateRead, consumer: &Consumer) -> AppResult<GenesisConsumer> {
    let profile = ChainProfile::rampart();
    let p = consumer.to_proto();
    let id = consumer.id;
    let genesis = state::genesis(state, id)?
        .map(|g| -> AppResult<JsonConsumerGenesis> {
            Ok(JsonConsumerGenesis {
                params: params_to_json(&g.params.clone().unwrap_or_default()),
                initial_validators: updates_to_json(&g.initial_validators),
                provider_chain_id: g.provider_chain_id.clone(),
                provider_height: g.provider_height,
                provider_time: time_json(&g.provider_time)?.unwrap_or_default(),
                provider_validator_set_hash: hex::encode(&g.provider_validator_set_hash),
                initial_validator_set_hash: hex::encode(&g.initial_validator_set_hash),
            })
        })
        .transpose()?;
    let validators = state::validators(state, id)?
        .iter()
        .map(|v| JsonConsumerValidator {
            operator: profile.to_valoper(&v.operator),
            consumer_pubkey: hex::encode(v.consumer_pubkey),
            power: v.power,
            pledged_tokens: v.pledged_tokens.to_string(),
            pledge_bps: v.pledge_bps,
            validator_power: v.validator_power,
            provider_height: v.provider_height,
        })
        .collect();
    let mut packets = Vec::new();
    for (vsc_id, packet) in state::packets(state, id)? {
        packets.push(JsonPacket {
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
    Ok(GenesisConsumer {
        consumer_id: id,
        chain_id: p.chain_id,
        owner: p.owner,
        name: p.name,
        description: p.description,
        metadata_url: p.metadata_url,
        spawn_time: time_json(&p.spawn_time)?,
        phase: consumer.phase.name().to_owned(),
        params: params_to_json(&p.params.unwrap_or_default()),
        pending_infraction_params: p
            .pending_infraction_params
            .map(|pending| -> AppResult<JsonPending> {
                Ok(JsonPending {
                    double_sign: infraction_to_json(&pending.double_sign),
                    downtime: infraction_to_json(&pending.downtime),
                    effective_time: time_json(&pending.effective_time)?.unwrap_or_default(),
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
            .map(|(op, rate)| JsonCommission {
                validator: profile.to_valoper(&op),
                rate,
            })
            .collect(),
    })
}

/// Reads the section back from `state`.
pub fn export(state: &dyn StateRead) -> AppResult<ConsumerGenesisState> {
    let mut consumers = Vec::new();
    for id in state::all_ids(state) {
        consumers.push(export_one(state, &state::must_load(state, id)?)?);
    }
    Ok(ConsumerGenesisState {
        params: params::load(state)?,
        next_consumer_id: state::next_id(state)?,
        consumers,
    })
}

fn import_one(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    g: &GenesisConsumer,
) -> AppResult<Vec<Coin>> {
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
        params: Some(params_from_json(&g.params)),
        pending_infraction_params: g
            .pending_infraction_params
            .as_ref()
            .map(|p| -> AppResult<pb::PendingInfractionParams> {
                Ok(pb::PendingInfractionParams {
                    double_sign: Some(infraction_to_proto(&p.double_sign)),
                    downtime: Some(infraction_to_proto(&p.downtime)),
                    effective_time: Some(timestamp(parse_rfc3339(
                        &p.effective_time,
                        "effective_time",
                    )?)),
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
    };
    let consumer =
        Consumer::from_proto(&proto).map_err(|e| invalid(format!("consumers[{id}]: {}", e.log)))?;
    crate::types::check_chain_id(&consumer.chain_id, "")
        .map_err(|e| invalid(format!("{}: {}", at("chain_id"), e.log)))?;
    if phase.is_live() && state.get(&keys::chain_id(&consumer.chain_id)).is_some() {
        return Err(invalid(format!(
            "{}: chain id {} is used by two live consumers",
            at("chain_id"),
            consumer.chain_id
        )));
    }
    state::save(state, &consumer)?;
    if let Some(genesis) = &g.genesis {
        let doc = pb::ConsumerGenesis {
            consumer_id: id,
            chain_id: consumer.chain_id.clone(),
            params: Some(params_from_json(&genesis.params)),
            initial_validators: updates_from_json(
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
        };
        state::put_genesis(state, &doc);
    }
    let mut seen = BTreeSet::new();
    for v in &g.validators {
        let parsed = ConsumerValidator::from_proto(&pb::ConsumerValidator {
            operator: v.operator.clone(),
            consumer_pubkey: hex32(&v.consumer_pubkey, &at("validators"))?.to_vec(),
            power: v.power,
            pledged_tokens: v.pledged_tokens.clone(),
            pledge_bps: v.pledge_bps,
            validator_power: v.validator_power,
            provider_height: v.provider_height,
        })
        .map_err(|e| invalid(format!("{}: {}", at("validators"), e.log)))?;
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
                updates: updates_from_json(&packet.updates, &at("packets"))?,
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
    for ack in &g.pending_slash_acks {
        state.put(
            keys::slash_ack(id, &hex20(ack, &at("pending_slash_acks"))?),
            Vec::new(),
        );
    }
    let pool = parse_coins(&proto_coins(&g.reward_pool))
        .map_err(|e| invalid(format!("{}: {}", at("reward_pool"), e.log)))?;
    state::set_pool(state, id, &pool);
    for c in &g.commissions {
        let op = profile.valoper(&c.validator, "validator")?;
        if c.rate > Decimal::ONE {
            return Err(invalid(format!("{}: rate above 1", at("commissions"))));
        }
        state::set_commission(state, id, &op, c.rate);
    }
    coins::add(&consumer.deposit, &pool)
}

/// Writes the section into `state`.
pub fn import(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    genesis: &ConsumerGenesisState,
) -> AppResult<()> {
    params::store(state, &genesis.params)?;
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
        held = coins::add(&held, &import_one(state, profile, g)?)?;
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
