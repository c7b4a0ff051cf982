//! The `app_state.staking` genesis section: parameters, validators, delegations and pending
//! unbonding and redelegation entries: `rampart.staking.v1.GenesisState` in proto3 JSON with the
//! proto field names (64-bit integers as strings, numbers accepted; unknown fields refused).
//! Import rebuilds every index and queue; export writes the same shape back.

use base64::Engine;
use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    BondStatus, Description, Redelegation, RedelegationEntry, UnbondingDelegation,
    UnbondingDelegationEntry,
};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Decimal, StateRead, StateWrite};
use rampart_proto::rampart::staking::v1 as pb;

use crate::keys;
use crate::params::{self, StakingParams};
use crate::validator::{self, CommissionState, Validator};
use crate::{backing, delegation, redelegation, unbonding};
use rampart_core::wire::{
    dec_from_wire, dec_to_wire, int_from_wire, parse_rfc3339, rfc3339, timestamp,
};
use rampart_core::{Address, ChainProfile};

/// The staking genesis section.
pub type StakingGenesis = pb::GenesisState;

fn bad(what: String) -> AppError {
    AppError::sdk(SdkCode::JsonUnmarshal, format!("app_state.staking: {what}"))
}

fn status_from(text: &str) -> AppResult<BondStatus> {
    BondStatus::from_str_name(text).ok_or_else(|| bad(format!("unknown status {text:?}")))
}

fn import_validator(profile: &ChainProfile, g: &pb::Validator) -> AppResult<Validator> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(&g.consensus_pubkey)
        .map_err(|e| bad(format!("consensus_pubkey: {e}")))?;
    let pubkey: [u8; 32] = key
        .try_into()
        .map_err(|_| bad("consensus_pubkey must be 32 bytes".into()))?;
    rampart_core::ed25519::check_consensus_key(&pubkey).map_err(|e| {
        bad(format!(
            "{}: consensus_pubkey: {}",
            g.operator_address, e.log
        ))
    })?;
    let [rate, max_rate, max_change_rate] = g.commission.as_slice() else {
        return Err(bad(format!(
            "{}: commission must be [rate, max_rate, max_change_rate]",
            g.operator_address
        )));
    };
    Ok(Validator {
        operator: profile.valoper(&g.operator_address, "operator_address")?,
        pubkey,
        jailed: g.jailed,
        status: status_from(&g.status)?,
        tokens: g.tokens.parse()?,
        delegator_shares: g.delegator_shares.parse()?,
        description: Description {
            moniker: g.moniker.clone(),
            ..Description::default()
        },
        commission: CommissionState {
            rate: rate.parse()?,
            max_rate: max_rate.parse()?,
            max_change_rate: max_change_rate.parse()?,
            update_time: parse_rfc3339(&g.commission_update_time, "commission_update_time")?,
        },
        min_self_delegation: g.min_self_delegation.parse()?,
        unbonding_height: g.unbonding_height,
        unbonding_time: parse_rfc3339(&g.unbonding_time, "unbonding_time")?,
    })
}

fn export_validator(profile: &ChainProfile, v: &Validator) -> pb::Validator {
    pb::Validator {
        operator_address: profile.to_valoper(&v.operator),
        consensus_pubkey: base64::engine::general_purpose::STANDARD.encode(v.pubkey),
        jailed: v.jailed,
        status: v.status.as_str_name().into(),
        tokens: v.tokens.to_string(),
        delegator_shares: v.delegator_shares.to_string(),
        moniker: v.description.moniker.clone(),
        commission: vec![
            v.commission.rate.to_string(),
            v.commission.max_rate.to_string(),
            v.commission.max_change_rate.to_string(),
        ],
        commission_update_time: rfc3339(v.commission.update_time),
        min_self_delegation: v.min_self_delegation.to_string(),
        unbonding_height: v.unbonding_height,
        unbonding_time: rfc3339(v.unbonding_time),
    }
}

/// Validates and writes the genesis section.
pub fn import(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    genesis: &StakingGenesis,
) -> AppResult<()> {
    let params = match &genesis.params {
        None => StakingParams::default(),
        Some(p) => StakingParams {
            unbonding_time_seconds: p.unbonding_time_seconds,
            max_validators: p.max_validators,
            max_entries: p.max_entries,
            bond_denom: p.bond_denom.clone(),
            min_commission_rate: p.min_commission_rate.clone(),
            historical_entries: p
                .historical_entries
                .unwrap_or(StakingParams::default().historical_entries),
        },
    };
    params::store(state, &params)?;
    let mut totals: std::collections::BTreeMap<Address, Decimal> = Default::default();
    for g in &genesis.validators {
        let v = import_validator(profile, g)?;
        if validator::load(state, &v.operator)?.is_some()
            || validator::operator_by_consensus(state, &v.consensus_address()).is_some()
        {
            return Err(bad(format!("duplicate validator {}", g.operator_address)));
        }
        if v.status == BondStatus::Unbonding {
            state.put(
                keys::validator_queue(v.unbonding_time, &v.operator),
                Vec::new(),
            );
        }
        validator::save(state, &v)?;
        totals.insert(v.operator, Decimal::ZERO);
    }
    let class_totals = backing::import_genesis(
        state,
        profile,
        &genesis.backing_classes,
        &genesis.backing_choices,
    )?;
    for (op, weighted) in class_totals {
        let total = totals
            .get_mut(&op)
            .ok_or_else(|| bad("backing class of an unknown validator".into()))?;
        *total = total.checked_add(weighted)?;
    }
    for d in &genesis.delegations {
        let delegator = profile.account(&d.delegator_address, "delegator_address")?;
        let op = profile.valoper(&d.validator_address, "validator_address")?;
        let shares: Decimal = d.shares.parse()?;
        let total = totals.get_mut(&op).ok_or_else(|| {
            bad(format!(
                "delegation to unknown validator {}",
                d.validator_address
            ))
        })?;
        // A class member's shares are class shares, counted in its class's weighted shares.
        if backing::class_of(state, &delegator, &op)?.is_none() {
            *total = total.checked_add(shares)?;
        }
        delegation::set_stored_shares(state, &delegator, &op, shares);
    }
    for (op, total) in &totals {
        let v = validator::must_load(state, op)?;
        if v.delegator_shares != *total {
            return Err(bad(format!(
                "validator {} has delegator_shares {} but its delegations sum to {total}",
                profile.to_valoper(op),
                v.delegator_shares
            )));
        }
    }
    for e in &genesis.unbonding_entries {
        import_unbonding(state, profile, e)?;
    }
    for e in &genesis.redelegation_entries {
        import_redelegation(state, profile, e)?;
    }
    Ok(())
}

fn import_unbonding(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    e: &pb::Entry,
) -> AppResult<()> {
    let delegator = profile.account(&e.delegator_address, "delegator_address")?;
    let op = profile.valoper(&e.validator_address, "validator_address")?;
    let done = parse_rfc3339(&e.completion_time, "completion_time")?;
    let mut ubd = unbonding::load(state, &delegator, &op)?.unwrap_or_else(|| UnbondingDelegation {
        delegator_address: e.delegator_address.clone(),
        validator_address: e.validator_address.clone(),
        entries: Vec::new(),
    });
    let id = unbonding::next_unbonding_id(state);
    ubd.entries.push(UnbondingDelegationEntry {
        creation_height: e.creation_height,
        completion_time: Some(timestamp(done)),
        initial_balance: int_from_wire(&e.initial_balance, "initial_balance")?.to_string(),
        balance: int_from_wire(&e.balance, "balance")?.to_string(),
        unbonding_id: id,
        unbonding_on_hold_ref_count: 0,
    });
    unbonding::save(state, &delegator, &op, &ubd);
    state.put(keys::unbonding_queue(done, &delegator, &op), Vec::new());
    Ok(())
}

fn import_redelegation(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    e: &pb::Entry,
) -> AppResult<()> {
    let delegator = profile.account(&e.delegator_address, "delegator_address")?;
    let src = profile.valoper(&e.validator_address, "validator_address")?;
    let destination = e.destination_address.as_deref().unwrap_or_default();
    let dst = profile.valoper(destination, "destination_address")?;
    let done = parse_rfc3339(&e.completion_time, "completion_time")?;
    let mut red =
        redelegation::load(state, &delegator, &src, &dst)?.unwrap_or_else(|| Redelegation {
            delegator_address: e.delegator_address.clone(),
            validator_src_address: e.validator_address.clone(),
            validator_dst_address: destination.to_owned(),
            entries: Vec::new(),
        });
    let id = unbonding::next_unbonding_id(state);
    red.entries.push(RedelegationEntry {
        creation_height: e.creation_height,
        completion_time: Some(timestamp(done)),
        initial_balance: int_from_wire(&e.initial_balance, "initial_balance")?.to_string(),
        shares_dst: dec_to_wire(e.balance.parse()?),
        unbonding_id: id,
        unbonding_on_hold_ref_count: 0,
    });
    redelegation::save(state, &delegator, &src, &dst, &red);
    state.put(
        keys::redelegation_queue(done, &delegator, &src, &dst),
        Vec::new(),
    );
    Ok(())
}

/// Reads the whole staking state back into the genesis shape.
pub fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<StakingGenesis> {
    let params = StakingParams::from_proto(&params::load(state)?)?;
    let mut validators = Vec::new();
    let mut delegations = Vec::new();
    let mut operators = Vec::new();
    for (key, _) in state.scan_prefix(keys::VALIDATOR) {
        let Some(op) = keys::addr_at(&key, keys::VALIDATOR.len()) else {
            continue;
        };
        let v = validator::must_load(state, &op)?;
        validators.push(export_validator(profile, &v));
        operators.push(op);
        for (delegator, shares) in delegation::stored_of_validator(state, &op)? {
            delegations.push(pb::Delegation {
                delegator_address: profile.to_account(&delegator),
                validator_address: profile.to_valoper(&op),
                shares: shares.to_string(),
            });
        }
    }
    let (backing_classes, backing_choices) = backing::export_genesis(state, profile, &operators)?;
    let mut unbonding_entries = Vec::new();
    for ubd in unbonding::list(state, keys::UNBONDING, false)? {
        for entry in &ubd.entries {
            unbonding_entries.push(pb::Entry {
                delegator_address: ubd.delegator_address.clone(),
                validator_address: ubd.validator_address.clone(),
                destination_address: None,
                creation_height: entry.creation_height,
                completion_time: rfc3339(unbonding::completion(entry)?),
                initial_balance: entry.initial_balance.clone(),
                balance: entry.balance.clone(),
            });
        }
    }
    let mut redelegation_entries = Vec::new();
    for red in redelegation::list(state, keys::REDELEGATION, false)? {
        for entry in &red.entries {
            redelegation_entries.push(pb::Entry {
                delegator_address: red.delegator_address.clone(),
                validator_address: red.validator_src_address.clone(),
                destination_address: Some(red.validator_dst_address.clone()),
                creation_height: entry.creation_height,
                completion_time: rfc3339(redelegation::completion(entry)?),
                initial_balance: entry.initial_balance.clone(),
                balance: dec_from_wire(&entry.shares_dst, "shares_dst")?.to_string(),
            });
        }
    }
    Ok(StakingGenesis {
        params: Some(pb::Params {
            unbonding_time_seconds: params.unbonding_time_seconds,
            max_validators: params.max_validators,
            max_entries: params.max_entries,
            bond_denom: params.bond_denom,
            min_commission_rate: params.min_commission_rate,
            historical_entries: Some(params.historical_entries),
        }),
        validators,
        delegations,
        unbonding_entries,
        redelegation_entries,
        backing_classes,
        backing_choices,
    })
}
