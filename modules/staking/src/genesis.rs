//! The `app_state.staking` genesis section: parameters, validators, delegations and pending
//! unbonding and redelegation entries, as JSON with decimal strings. Import rebuilds every
//! index and queue; export writes the same shape back.

use base64::Engine;
use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    BondStatus, Description, Redelegation, RedelegationEntry, UnbondingDelegation,
    UnbondingDelegationEntry,
};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{Decimal, StateRead, StateWrite};
use serde::{Deserialize, Serialize};

use crate::keys;
use crate::params::{self, StakingParams};
use crate::validator::{self, CommissionState, Validator};
use crate::{delegation, redelegation, unbonding};
use rampart_core::wire::{
    dec_from_wire, dec_to_wire, int_from_wire, parse_rfc3339, rfc3339, timestamp,
};
use rampart_core::{Address, ChainProfile};

/// The staking genesis section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StakingGenesis {
    /// Parameters (defaults when absent).
    #[serde(default)]
    pub params: StakingParams,
    /// Validators.
    #[serde(default)]
    pub validators: Vec<GenesisValidator>,
    /// Delegations.
    #[serde(default)]
    pub delegations: Vec<GenesisDelegation>,
    /// Pending unbonding entries.
    #[serde(default)]
    pub unbonding_entries: Vec<GenesisEntry>,
    /// Pending redelegation entries (`validator` is the source).
    #[serde(default)]
    pub redelegation_entries: Vec<GenesisEntry>,
}

/// A validator in genesis JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisValidator {
    /// `rampartvaloper1…`.
    pub operator_address: String,
    /// Base64 of the 32-byte ed25519 consensus key.
    pub consensus_pubkey: String,
    /// Jailed flag.
    #[serde(default)]
    pub jailed: bool,
    /// `BOND_STATUS_BONDED`, `BOND_STATUS_UNBONDING` or `BOND_STATUS_UNBONDED`.
    pub status: String,
    /// Tokens (integer string).
    pub tokens: String,
    /// Delegator shares (decimal string).
    pub delegator_shares: String,
    /// Moniker.
    #[serde(default)]
    pub moniker: String,
    /// Commission rate, max rate, max change rate (decimal strings).
    pub commission: [String; 3],
    /// Commission update time, RFC 3339.
    pub commission_update_time: String,
    /// Minimum self-delegation (integer string).
    pub min_self_delegation: String,
    /// Height at which unbonding began.
    #[serde(default)]
    pub unbonding_height: i64,
    /// Unbonding completion time, RFC 3339.
    pub unbonding_time: String,
}

/// A delegation in genesis JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisDelegation {
    /// `rampart1…`.
    pub delegator_address: String,
    /// `rampartvaloper1…`.
    pub validator_address: String,
    /// Shares (decimal string).
    pub shares: String,
}

/// A pending unbonding or redelegation entry in genesis JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisEntry {
    /// `rampart1…`.
    pub delegator_address: String,
    /// `rampartvaloper1…` (the source, for redelegations).
    pub validator_address: String,
    /// Destination `rampartvaloper1…` (redelegations only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub destination_address: String,
    /// Creation height.
    pub creation_height: i64,
    /// Completion time, RFC 3339.
    pub completion_time: String,
    /// Initial balance (integer string).
    pub initial_balance: String,
    /// Balance (unbonding) or destination shares (redelegation, decimal string).
    pub balance: String,
}

fn bad(what: String) -> AppError {
    AppError::sdk(SdkCode::JsonUnmarshal, format!("app_state.staking: {what}"))
}

fn status_from(text: &str) -> AppResult<BondStatus> {
    BondStatus::from_str_name(text).ok_or_else(|| bad(format!("unknown status {text:?}")))
}

fn import_validator(profile: &ChainProfile, g: &GenesisValidator) -> AppResult<Validator> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(&g.consensus_pubkey)
        .map_err(|e| bad(format!("consensus_pubkey: {e}")))?;
    let pubkey: [u8; 32] = key
        .try_into()
        .map_err(|_| bad("consensus_pubkey must be 32 bytes".into()))?;
    let [rate, max_rate, max_change_rate] = &g.commission;
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

fn export_validator(v: &Validator) -> GenesisValidator {
    GenesisValidator {
        operator_address: ChainProfile::rampart().to_valoper(&v.operator),
        consensus_pubkey: base64::engine::general_purpose::STANDARD.encode(v.pubkey),
        jailed: v.jailed,
        status: v.status.as_str_name().into(),
        tokens: v.tokens.to_string(),
        delegator_shares: v.delegator_shares.to_string(),
        moniker: v.description.moniker.clone(),
        commission: [
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
    params::store(state, &genesis.params)?;
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
        *total = total.checked_add(shares)?;
        delegation::set_shares(state, &delegator, &op, shares);
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
    e: &GenesisEntry,
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
    e: &GenesisEntry,
) -> AppResult<()> {
    let delegator = profile.account(&e.delegator_address, "delegator_address")?;
    let src = profile.valoper(&e.validator_address, "validator_address")?;
    let dst = profile.valoper(&e.destination_address, "destination_address")?;
    let done = parse_rfc3339(&e.completion_time, "completion_time")?;
    let mut red =
        redelegation::load(state, &delegator, &src, &dst)?.unwrap_or_else(|| Redelegation {
            delegator_address: e.delegator_address.clone(),
            validator_src_address: e.validator_address.clone(),
            validator_dst_address: e.destination_address.clone(),
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
pub fn export(state: &dyn StateRead) -> AppResult<StakingGenesis> {
    let profile = ChainProfile::rampart();
    let params = StakingParams::from_proto(&params::load(state)?)?;
    let mut validators = Vec::new();
    let mut delegations = Vec::new();
    for (key, _) in state.scan_prefix(keys::VALIDATOR) {
        let Some(op) = keys::addr_at(&key, keys::VALIDATOR.len()) else {
            continue;
        };
        let v = validator::must_load(state, &op)?;
        validators.push(export_validator(&v));
        for (delegator, shares) in delegation::of_validator(state, &op)? {
            delegations.push(GenesisDelegation {
                delegator_address: profile.to_account(&delegator),
                validator_address: profile.to_valoper(&op),
                shares: shares.to_string(),
            });
        }
    }
    let mut unbonding_entries = Vec::new();
    for ubd in unbonding::list(state, keys::UNBONDING, false)? {
        for entry in &ubd.entries {
            unbonding_entries.push(GenesisEntry {
                delegator_address: ubd.delegator_address.clone(),
                validator_address: ubd.validator_address.clone(),
                destination_address: String::new(),
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
            redelegation_entries.push(GenesisEntry {
                delegator_address: red.delegator_address.clone(),
                validator_address: red.validator_src_address.clone(),
                destination_address: red.validator_dst_address.clone(),
                creation_height: entry.creation_height,
                completion_time: rfc3339(redelegation::completion(entry)?),
                initial_balance: entry.initial_balance.clone(),
                balance: dec_from_wire(&entry.shares_dst, "shares_dst")?.to_string(),
            });
        }
    }
    Ok(StakingGenesis {
        params,
        validators,
        delegations,
        unbonding_entries,
        redelegation_entries,
    })
}
