//! The `app_state.restaking` genesis section:
//!
//! ```json
//! {
//!   "params": {"max_slash_exposure": "1.000000000000000000",
//!              "max_consumers_per_validator": 16, "blocks_per_epoch": 600},
//!   "pledges": [{"validator": "rampartvaloper1…", "consumer_id": 0, "pledge_bps": 5000,
//!                "status": "active", "opt_in_height": 3,
//!                "in_set": {"validator_power": 20, "pledge_bps": 5000,
//!                           "pledged_tokens": "10000000", "consumer_power": 10,
//!                           "provider_height": 10, "slashable_until": null},
//!                "departed": null}],
//!   "consumer_keys": [{"validator": "rampartvaloper1…", "consumer_id": 0,
//!                      "consumer_pubkey": "hex", "retired_until": null}],
//!   "jails": [{"validator": "rampartvaloper1…", "consumer_id": 0,
//!              "jailed_until": "2026-01-01T00:01:00Z", "tombstoned": true}],
//!   "evidence": [{"consumer_id": 0, "validator": "rampartvaloper1…", "height": 7,
//!                 "round": 0, "vote_type": 2}]
//! }
//! ```
//!
//! Import runs after the consumer section (module order) and checks that every record names a
//! consumer that exists and is not deleted, that pledges are within range and unique, and that
//! every (consumer, validator) has at most one current key.

use std::collections::BTreeSet;

use rampart_consumer::{ConsumerRead, Phase};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{block_time, timestamp};
use rampart_core::wire::{parse_rfc3339, rfc3339};
use rampart_core::ChainProfile;
use rampart_core::{StateRead, StateWrite};
use serde::{Deserialize, Serialize};

use crate::consumer_keys::{self, KeyRecord};
use crate::keys;
use crate::msgs::MAX_PLEDGE_BPS;
use crate::params::{self, RestakingParams};
use crate::pledge::{self, JailRecord, Pledge, Stake, Status};

/// The restaking genesis section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestakingGenesis {
    /// Parameters.
    #[serde(default)]
    pub params: RestakingParams,
    /// Every pledge.
    #[serde(default)]
    pub pledges: Vec<GenesisPledge>,
    /// Every consumer key (current and retired).
    #[serde(default)]
    pub consumer_keys: Vec<GenesisKey>,
    /// Jail records on consumers.
    #[serde(default)]
    pub jails: Vec<GenesisJail>,
    /// Punished infractions.
    #[serde(default)]
    pub evidence: Vec<GenesisEvidence>,
}

/// Slashable stake in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisStake {
    /// Provider power.
    pub validator_power: u64,
    /// Basis points.
    pub pledge_bps: u32,
    /// Integer text.
    pub pledged_tokens: String,
    /// Consumer power.
    pub consumer_power: u64,
    /// Height counted at.
    pub provider_height: u64,
    /// RFC 3339, departed stake only.
    #[serde(default)]
    pub slashable_until: Option<String>,
}

/// A pledge in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisPledge {
    /// `rampartvaloper1…`.
    pub validator: String,
    /// Consumer id.
    pub consumer_id: u64,
    /// Basis points (0 once opted out).
    pub pledge_bps: u32,
    /// `active`, `opting_out` or `exiting`.
    pub status: String,
    /// Height of the opt-in.
    #[serde(default)]
    pub opt_in_height: u64,
    /// Stake in the set.
    #[serde(default)]
    pub in_set: Option<GenesisStake>,
    /// Departed stake.
    #[serde(default)]
    pub departed: Option<GenesisStake>,
}

/// A consumer key in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisKey {
    /// `rampartvaloper1…`.
    pub validator: String,
    /// Consumer id.
    pub consumer_id: u64,
    /// Hex of the 32-byte key.
    pub consumer_pubkey: String,
    /// RFC 3339 for a replaced key.
    #[serde(default)]
    pub retired_until: Option<String>,
}

/// A jail record in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisJail {
    /// `rampartvaloper1…`.
    pub validator: String,
    /// Consumer id.
    pub consumer_id: u64,
    /// RFC 3339.
    pub jailed_until: String,
    /// Tombstoned.
    #[serde(default)]
    pub tombstoned: bool,
}

/// A punished infraction in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisEvidence {
    /// Consumer id.
    pub consumer_id: u64,
    /// `rampartvaloper1…`.
    pub validator: String,
    /// Consumer height.
    pub height: u64,
    /// Round.
    pub round: u32,
    /// CometBFT vote type (1 prevote, 2 precommit).
    pub vote_type: u8,
}

fn invalid(why: impl Into<String>) -> AppError {
    AppError::sdk(
        SdkCode::JsonUnmarshal,
        format!("app_state.restaking: {}", why.into()),
    )
}

fn stake_to_json(s: &Stake) -> GenesisStake {
    GenesisStake {
        validator_power: s.validator_power,
        pledge_bps: s.pledge_bps,
        pledged_tokens: s.pledged_tokens.to_string(),
        consumer_power: s.consumer_power,
        provider_height: s.provider_height,
        slashable_until: s.slashable_until.map(rfc3339),
    }
}

fn stake_from_json(j: &GenesisStake) -> AppResult<Stake> {
    Ok(Stake {
        validator_power: j.validator_power,
        pledge_bps: j.pledge_bps,
        pledged_tokens: rampart_consumer::types::parse_amount(&j.pledged_tokens, "pledged_tokens")?,
        consumer_power: j.consumer_power,
        provider_height: j.provider_height,
        slashable_until: j
            .slashable_until
            .as_ref()
            .map(|t| parse_rfc3339(t, "slashable_until"))
            .transpose()?,
    })
}

fn live_consumer(state: &dyn StateRead, id: u64, what: &str) -> AppResult<()> {
    match state.consumer(id)? {
        Some(c) if c.phase != Phase::Deleted => Ok(()),
        _ => Err(invalid(format!(
            "{what}: consumer {id} does not exist or is deleted"
        ))),
    }
}

/// Writes the section into `state`.
pub fn import(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    genesis: &RestakingGenesis,
) -> AppResult<()> {
    params::store(state, &genesis.params)?;
    let mut seen = BTreeSet::new();
    for (i, g) in genesis.pledges.iter().enumerate() {
        let what = format!("pledges[{i}]");
        let op = profile.valoper(&g.validator, "validator")?;
        live_consumer(state, g.consumer_id, &what)?;
        if !seen.insert((g.consumer_id, op)) {
            return Err(invalid(format!("{what}: duplicate pledge")));
        }
        let status = Status::from_name(&g.status)
            .ok_or_else(|| invalid(format!("{what}: unknown status {:?}", g.status)))?;
        if g.pledge_bps > MAX_PLEDGE_BPS || (status == Status::Active && g.pledge_bps == 0) {
            return Err(invalid(format!("{what}: pledge out of range")));
        }
        pledge::save(
            state,
            &Pledge {
                validator: op,
                consumer_id: g.consumer_id,
                pledge_bps: g.pledge_bps,
                status,
                in_set: g.in_set.as_ref().map(stake_from_json).transpose()?,
                departed: g.departed.as_ref().map(stake_from_json).transpose()?,
                opt_in_height: g.opt_in_height,
            },
        );
    }
    let mut current = BTreeSet::new();
    let mut addresses = BTreeSet::new();
    for (i, g) in genesis.consumer_keys.iter().enumerate() {
        let what = format!("consumer_keys[{i}]");
        let op = profile.valoper(&g.validator, "validator")?;
        live_consumer(state, g.consumer_id, &what)?;
        let bytes = hex::decode(&g.consumer_pubkey).map_err(|e| invalid(format!("{what}: {e}")))?;
        let pubkey = rampart_consumer::types::pubkey32(&bytes)
            .map_err(|e| invalid(format!("{what}: {}", e.log)))?;
        let retired_until = g
            .retired_until
            .as_ref()
            .map(|t| parse_rfc3339(t, "retired_until"))
            .transpose()?;
        if retired_until.is_none() && !current.insert((g.consumer_id, op)) {
            return Err(invalid(format!("{what}: two current keys")));
        }
        let address = rampart_core::address::consensus_address(&pubkey);
        if !addresses.insert((g.consumer_id, address)) {
            return Err(invalid(format!("{what}: key listed twice")));
        }
        consumer_keys::import(
            state,
            g.consumer_id,
            &KeyRecord {
                operator: op,
                pubkey,
                retired_until,
            },
        );
    }
    for (i, g) in genesis.jails.iter().enumerate() {
        let op = profile.valoper(&g.validator, "validator")?;
        live_consumer(state, g.consumer_id, &format!("jails[{i}]"))?;
        pledge::set_jail(
            state,
            g.consumer_id,
            &op,
            &JailRecord {
                jailed_until: Some(timestamp(parse_rfc3339(&g.jailed_until, "jailed_until")?)),
                tombstoned: g.tombstoned,
            },
        );
    }
    for (i, g) in genesis.evidence.iter().enumerate() {
        let op = profile.valoper(&g.validator, "validator")?;
        live_consumer(state, g.consumer_id, &format!("evidence[{i}]"))?;
        state.put(
            keys::evidence(g.consumer_id, &op, g.height, g.round, g.vote_type),
            Vec::new(),
        );
    }
    Ok(())
}

/// Reads the section back from `state`.
pub fn export(state: &dyn StateRead) -> AppResult<RestakingGenesis> {
    let profile = ChainProfile::rampart();
    let pledges = pledge::all(state)?
        .iter()
        .map(|p| GenesisPledge {
            validator: profile.to_valoper(&p.validator),
            consumer_id: p.consumer_id,
            pledge_bps: p.pledge_bps,
            status: p.status.name().to_owned(),
            opt_in_height: p.opt_in_height,
            in_set: p.in_set.as_ref().map(stake_to_json),
            departed: p.departed.as_ref().map(stake_to_json),
        })
        .collect();
    let mut consumer_keys_out = Vec::new();
    let mut jails = Vec::new();
    let mut evidence = Vec::new();
    let base = keys::CONSUMER_KEY_BY_ADDRESS.len();
    let mut ids: Vec<u64> = state
        .scan_prefix(keys::CONSUMER_KEY_BY_ADDRESS)
        .filter_map(|(key, _)| keys::u64_at(&key, base))
        .collect();
    ids.dedup();
    for id in ids {
        for record in consumer_keys::all_of_consumer(state, id)? {
            consumer_keys_out.push(GenesisKey {
                validator: profile.to_valoper(&record.operator),
                consumer_id: id,
                consumer_pubkey: hex::encode(record.pubkey),
                retired_until: record.retired_until.map(rfc3339),
            });
        }
    }
    for (key, _) in state.scan_prefix(keys::JAIL) {
        let base = keys::JAIL.len();
        let (Some(id), Some(op)) = (keys::u64_at(&key, base), keys::addr_at(&key, base + 8)) else {
            continue;
        };
        if let Some(record) = pledge::jail_record(state, id, &op)? {
            jails.push(GenesisJail {
                validator: profile.to_valoper(&op),
                consumer_id: id,
                jailed_until: rfc3339(
                    record
                        .jailed_until
                        .as_ref()
                        .map(block_time)
                        .transpose()?
                        .unwrap_or_default(),
                ),
                tombstoned: record.tombstoned,
            });
        }
    }
    for (key, _) in state.scan_prefix(keys::EVIDENCE) {
        let base = keys::EVIDENCE.len();
        let parsed = (|| {
            let id = keys::u64_at(&key, base)?;
            let op = keys::addr_at(&key, base + 8)?;
            let height = keys::u64_at(&key, base + 28)?;
            let round = u32::from_be_bytes(key.get(base + 36..base + 40)?.try_into().ok()?);
            let vote_type = *key.get(base + 40)?;
            Some((id, op, height, round, vote_type))
        })();
        if let Some((id, op, height, round, vote_type)) = parsed {
            evidence.push(GenesisEvidence {
                consumer_id: id,
                validator: profile.to_valoper(&op),
                height,
                round,
                vote_type,
            });
        }
    }
    Ok(RestakingGenesis {
        params: params::load(state)?,
        pledges,
        consumer_keys: consumer_keys_out,
        jails,
        evidence,
    })
}

/// Drops everything kept for consumer `id` (it was deleted): pledges, keys, jail records and
/// punished infractions. Returns how many pledges were dropped.
pub fn clear_consumer(state: &mut dyn StateWrite, id: u64) -> AppResult<usize> {
    let pledges = pledge::of_consumer(state, id)?;
    for p in &pledges {
        pledge::remove(state, id, &p.validator);
    }
    for prefix in [
        keys::with_id(keys::CONSUMER_KEY_IN_USE, id),
        keys::with_id(keys::CONSUMER_KEY_BY_ADDRESS, id),
        keys::with_id(keys::JAIL, id),
        keys::with_id(keys::EVIDENCE, id),
    ] {
        let found: Vec<Vec<u8>> = state.scan_prefix(&prefix).map(|(k, _)| k).collect();
        for key in found {
            state.delete(key);
        }
    }
    Ok(pledges.len())
}
