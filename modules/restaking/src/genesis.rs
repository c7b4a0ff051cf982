//! The `app_state.restaking` genesis section, `rampart.restaking.v1.GenesisState` in proto3 JSON
//! with the proto field names (64-bit integers as strings, numbers accepted; absent optional
//! parts absent; unknown fields refused):
//!
//! ```json
//! {
//!   "params": {"max_slash_exposure": "1.000000000000000000",
//!              "max_consumers_per_validator": 16, "blocks_per_epoch": "600",
//!              "max_pledges_per_consumer_factor": 4},
//!   "pledges": [{"validator": "rampartvaloper1…", "consumer_id": "0", "pledge_bps": 5000,
//!                "status": "active", "opt_in_height": "3",
//!                "in_set": {"validator_power": "20", "pledge_bps": 5000,
//!                           "pledged_tokens": "10000000", "consumer_power": "10",
//!                           "provider_height": "10"}}],
//!   "consumer_keys": [{"validator": "rampartvaloper1…", "consumer_id": "0",
//!                      "consumer_pubkey": "hex"}],
//!   "jails": [{"validator": "rampartvaloper1…", "consumer_id": "0",
//!              "jailed_until": "2026-01-01T00:01:00Z", "tombstoned": true}],
//!   "evidence": [{"consumer_id": "0", "validator": "rampartvaloper1…", "height": "7",
//!                 "round": 0, "vote_type": 2, "vsc_id": "3"}]
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
use rampart_proto::rampart::restaking::v1 as pb;

use crate::choice;
use crate::consumer_keys::{self, KeyRecord};
use crate::msgs::MAX_PLEDGE_BPS;
use crate::params::{self, RestakingParams};
use crate::pledge::{self, JailRecord, Pledge, Stake, Status};
use crate::{keys, removal};

/// The restaking genesis section.
pub type RestakingGenesis = pb::GenesisState;

fn invalid(why: impl Into<String>) -> AppError {
    AppError::sdk(
        SdkCode::JsonUnmarshal,
        format!("app_state.restaking: {}", why.into()),
    )
}

fn stake_to_json(s: &Stake) -> pb::GenesisStake {
    pb::GenesisStake {
        validator_power: s.validator_power,
        pledge_bps: s.pledge_bps,
        pledged_tokens: s.pledged_tokens.to_string(),
        consumer_power: s.consumer_power,
        provider_height: s.provider_height,
        slashable_until: s.slashable_until.map(rfc3339),
    }
}

fn stake_from_json(j: &pb::GenesisStake) -> AppResult<Stake> {
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
    let params = match &genesis.params {
        Some(p) => RestakingParams {
            max_slash_exposure: p
                .max_slash_exposure
                .parse()
                .map_err(|e: AppError| invalid(format!("params.max_slash_exposure: {}", e.log)))?,
            max_consumers_per_validator: p.max_consumers_per_validator,
            blocks_per_epoch: p.blocks_per_epoch,
            // Absent (0): the default, so sections written before the parameter still load.
            max_pledges_per_consumer_factor: match p.max_pledges_per_consumer_factor {
                0 => params::DEFAULT_PLEDGES_PER_CONSUMER_FACTOR,
                n => n,
            },
        },
        None => RestakingParams::default(),
    };
    params::store(state, &params)?;
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
        )?;
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
        let vote_type = u8::try_from(g.vote_type).map_err(|_| {
            invalid(format!(
                "evidence[{i}]: vote_type {} too large",
                g.vote_type
            ))
        })?;
        state.put(
            keys::evidence(g.consumer_id, &op, g.height, g.round, vote_type),
            g.vsc_id.to_be_bytes().to_vec(),
        );
    }
    for (i, g) in genesis.removals.iter().enumerate() {
        let op = profile.valoper(&g.validator, "validator")?;
        live_consumer(state, g.consumer_id, &format!("removals[{i}]"))?;
        removal::record(state, g.consumer_id, &op, g.vsc_id);
    }
    choice::import_genesis(
        state,
        profile,
        &genesis.pending_choices,
        &genesis.moved_stake,
    )
}

/// Reads the section back from `state`.
pub fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<RestakingGenesis> {
    let pledges = pledge::all(state)?
        .iter()
        .map(|p| pb::GenesisPledge {
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
            consumer_keys_out.push(pb::GenesisConsumerKey {
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
            jails.push(pb::GenesisJail {
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
    for (key, value) in state.scan_prefix(keys::EVIDENCE) {
        let base = keys::EVIDENCE.len();
        let parsed = (|| {
            let id = keys::u64_at(&key, base)?;
            let op = keys::addr_at(&key, base + 8)?;
            let height = keys::u64_at(&key, base + 28)?;
            let round = u32::from_be_bytes(key.get(base + 36..base + 40)?.try_into().ok()?);
            let vote_type = *key.get(base + 40)?;
            let vsc_id = keys::u64_at(&value, 0)?;
            Some((id, op, height, round, vote_type, vsc_id))
        })();
        if let Some((id, op, height, round, vote_type, vsc_id)) = parsed {
            evidence.push(pb::GenesisEvidence {
                consumer_id: id,
                validator: profile.to_valoper(&op),
                height,
                round,
                vote_type: vote_type.into(),
                vsc_id,
            });
        }
    }
    let mut removals = Vec::new();
    for (key, value) in state.scan_prefix(keys::REMOVED) {
        let base = keys::REMOVED.len();
        if let (Some(id), Some(op), Some(vsc_id)) = (
            keys::u64_at(&key, base),
            keys::addr_at(&key, base + 8),
            keys::u64_at(&value, 0),
        ) {
            removals.push(pb::GenesisRemoval {
                consumer_id: id,
                validator: profile.to_valoper(&op),
                vsc_id,
            });
        }
    }
    let (pending_choices, moved_stake) = choice::export_genesis(state, profile)?;
    Ok(RestakingGenesis {
        params: Some(params::load(state)?.to_proto()),
        pledges,
        consumer_keys: consumer_keys_out,
        jails,
        evidence,
        removals,
        pending_choices,
        moved_stake,
    })
}

/// Drops everything kept for consumer `id` (it was deleted): pledges, keys, jail records,
/// punished infractions and removal records. Returns how many pledges were dropped.
pub fn clear_consumer(state: &mut dyn StateWrite, id: u64) -> AppResult<usize> {
    let pledges = pledge::of_consumer(state, id)?;
    for p in &pledges {
        pledge::remove(state, id, &p.validator);
    }
    for prefix in [
        keys::with_id(keys::CONSUMER_KEY_IN_USE, id),
        keys::with_id(keys::CONSUMER_KEY_BY_ADDRESS, id),
        keys::with_id(keys::KEYS_BY_OPERATOR, id),
        keys::with_id(keys::KEY_EXPIRY, id),
        keys::with_id(keys::JAIL, id),
        keys::with_id(keys::EVIDENCE, id),
        keys::with_id(keys::REMOVED, id),
    ] {
        let found: Vec<Vec<u8>> = state.scan_prefix(&prefix).map(|(k, _)| k).collect();
        for key in found {
            state.delete(key);
        }
    }
    Ok(pledges.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: serde_json::Value) -> AppResult<RestakingGenesis> {
        rampart_core::module::genesis_section("restaking", Some(&json))
    }

    #[test]
    fn integers_are_read_as_numbers_or_strings_and_nulls_as_absent() {
        let record = |id: serde_json::Value| {
            serde_json::json!({"evidence": [{"consumer_id": id, "validator": "v", "height": "7",
                "round": 0, "vote_type": 2}],
                "consumer_keys": [{"validator": "v", "consumer_id": 0, "consumer_pubkey": "",
                "retired_until": null}]})
        };
        let number = parse(record(serde_json::json!(3))).expect("number");
        assert_eq!(
            number,
            parse(record(serde_json::json!("3"))).expect("string")
        );
        assert_eq!(number.evidence[0].consumer_id, 3);
        assert_eq!(number.evidence[0].height, 7);
        assert_eq!(number.consumer_keys[0].retired_until, None);
        // Written back: 64-bit integers as strings, absent optional fields left out.
        let written = rampart_core::module::to_section("restaking", &number).expect("json");
        assert_eq!(written["evidence"][0]["consumer_id"], "3");
        assert_eq!(written["evidence"][0]["round"], 0);
        assert!(written["consumer_keys"][0].get("retired_until").is_none());
        assert_eq!(written["jails"], serde_json::json!([]));
    }

    #[test]
    fn unknown_fields_are_refused_with_the_section_named() {
        let err = parse(serde_json::json!({"pledgez": []})).expect_err("unknown field");
        assert_eq!(err.code, SdkCode::JsonUnmarshal as u32);
        assert!(
            err.log.contains("app_state.restaking") && err.log.contains("pledgez"),
            "{}",
            err.log
        );
        let err = parse(
            serde_json::json!({"evidence": [{"consumer_id": 0, "validator": "v",
            "height": 1, "round": 0, "vote_type": 1, "extra": 1}]}),
        )
        .expect_err("unknown nested field");
        assert!(err.log.contains("extra"), "{}", err.log);
    }
}
