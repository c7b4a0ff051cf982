//! The `app_state.slashing` genesis section: parameters, signing infos and missed-block bitmaps
//! (as lists of missed window positions). Import checks that each bitmap agrees with its
//! counter and fits the window; export writes the same shape back.

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{parse_rfc3339, rfc3339};
use rampart_core::ChainProfile;
use rampart_core::{StateRead, StateWrite};
use serde::{Deserialize, Serialize};

use crate::params::{self, SlashingParams};
use crate::signing::{self, SigningInfo};

/// The slashing genesis section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlashingGenesis {
    /// Parameters (production defaults when absent).
    #[serde(default)]
    pub params: SlashingParams,
    /// Liveness records.
    #[serde(default)]
    pub signing_infos: Vec<GenesisSigningInfo>,
}

/// A validator's liveness record in genesis JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisSigningInfo {
    /// `rampartvalcons1…`.
    pub address: String,
    /// Height tracking started.
    pub start_height: u64,
    /// Blocks counted in the window so far.
    pub index_offset: u64,
    /// Jailed until, RFC 3339.
    pub jailed_until: String,
    /// Tombstoned for double signing.
    #[serde(default)]
    pub tombstoned: bool,
    /// Missed positions in the window, ascending.
    #[serde(default)]
    pub missed: Vec<u64>,
}

fn invalid(why: String) -> AppError {
    AppError::sdk(SdkCode::JsonUnmarshal, format!("app_state.slashing: {why}"))
}

/// Writes the section into `state`.
pub fn import(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    genesis: &SlashingGenesis,
) -> AppResult<()> {
    params::save(state, &genesis.params)?;
    let window = genesis.params.signed_blocks_window;
    for entry in &genesis.signing_infos {
        let address = profile.valcons(&entry.address, "address")?;
        if signing::load(state, &address)?.is_some() {
            return Err(invalid(format!("duplicate signing info {}", entry.address)));
        }
        if entry.missed.windows(2).any(|w| w[0] >= w[1])
            || entry.missed.last().is_some_and(|last| *last >= window)
        {
            return Err(invalid(format!(
                "{}: missed positions must be ascending and below the window {window}",
                entry.address
            )));
        }
        for index in &entry.missed {
            signing::set_missed(state, &address, *index, true);
        }
        signing::save(
            state,
            &SigningInfo {
                address,
                start_height: entry.start_height,
                index_offset: entry.index_offset,
                jailed_until: parse_rfc3339(&entry.jailed_until, "jailed_until")?,
                tombstoned: entry.tombstoned,
                missed_blocks_counter: entry.missed.len() as u64,
            },
        );
    }
    Ok(())
}

/// Reads the section back from `state`.
pub fn export(state: &dyn StateRead) -> AppResult<SlashingGenesis> {
    let signing_infos = signing::all(state)?
        .into_iter()
        .map(|info| GenesisSigningInfo {
            address: ChainProfile::rampart().to_valcons(&info.address),
            start_height: info.start_height,
            index_offset: info.index_offset,
            jailed_until: rfc3339(info.jailed_until),
            tombstoned: info.tombstoned,
            missed: signing::missed_indices(state, &info.address),
        })
        .collect();
    Ok(SlashingGenesis {
        params: params::load(state)?,
        signing_infos,
    })
}
