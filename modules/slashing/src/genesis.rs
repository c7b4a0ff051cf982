//! The `app_state.slashing` genesis section: parameters, signing infos and missed-block bitmaps
//! (as lists of missed window positions): `rampart.slashing.v1.GenesisState` in proto3 JSON with
//! the proto field names (64-bit integers as strings, numbers accepted; unknown fields refused).
//! Import checks that each bitmap agrees with its counter and fits the window; export writes the
//! same shape back.

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{parse_rfc3339, rfc3339};
use rampart_core::ChainProfile;
use rampart_core::{Decimal, StateRead, StateWrite};
use rampart_proto::rampart::slashing::v1 as pb;

use crate::params::{self, SlashingParams};
use crate::signing::{self, SigningInfo};

/// The slashing genesis section.
pub type SlashingGenesis = pb::GenesisState;

fn invalid(why: String) -> AppError {
    AppError::sdk(SdkCode::JsonUnmarshal, format!("app_state.slashing: {why}"))
}

/// The section's parameters in checked types (production defaults when absent).
fn import_params(p: Option<&pb::Params>) -> AppResult<SlashingParams> {
    let Some(p) = p else {
        return Ok(SlashingParams::default());
    };
    let dec = |text: &str, field: &str| {
        text.parse::<Decimal>()
            .map_err(|e| invalid(format!("params.{field}: {}", e.log)))
    };
    Ok(SlashingParams {
        signed_blocks_window: p.signed_blocks_window,
        min_signed_per_window: dec(&p.min_signed_per_window, "min_signed_per_window")?,
        downtime_jail_duration_seconds: p.downtime_jail_duration_seconds,
        slash_fraction_double_sign: dec(
            &p.slash_fraction_double_sign,
            "slash_fraction_double_sign",
        )?,
        slash_fraction_downtime: dec(&p.slash_fraction_downtime, "slash_fraction_downtime")?,
    })
}

/// Writes the section into `state`.
pub fn import(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    genesis: &SlashingGenesis,
) -> AppResult<()> {
    let params = import_params(genesis.params.as_ref())?;
    params::save(state, &params)?;
    let window = params.signed_blocks_window;
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
pub fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<SlashingGenesis> {
    let signing_infos = signing::all(state)?
        .into_iter()
        .map(|info| pb::SigningInfo {
            address: profile.to_valcons(&info.address),
            start_height: info.start_height,
            index_offset: info.index_offset,
            jailed_until: rfc3339(info.jailed_until),
            tombstoned: info.tombstoned,
            missed: signing::missed_indices(state, &info.address),
        })
        .collect();
    let params = params::load(state)?;
    Ok(SlashingGenesis {
        params: Some(pb::Params {
            signed_blocks_window: params.signed_blocks_window,
            min_signed_per_window: params.min_signed_per_window.to_string(),
            downtime_jail_duration_seconds: params.downtime_jail_duration_seconds,
            slash_fraction_double_sign: params.slash_fraction_double_sign.to_string(),
            slash_fraction_downtime: params.slash_fraction_downtime.to_string(),
        }),
        signing_infos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::state::{EmptyState, Overlay};
    use serde_json::json;

    const VALCONS: &str = "rampartvalcons1nym4hd7h8y0hpsekjt2r40m62plrhhdrx3846d";

    #[test]
    fn numbers_load_and_export_writes_64_bit_integers_as_strings() {
        let section = json!({
            "params": {
                "signed_blocks_window": 10,
                "min_signed_per_window": "0.5",
                "downtime_jail_duration_seconds": 60,
                "slash_fraction_double_sign": "0.05",
                "slash_fraction_downtime": "0.01",
            },
            "signing_infos": [{
                "address": VALCONS,
                "start_height": 2,
                "index_offset": 7,
                "jailed_until": "1970-01-01T00:00:00Z",
                "missed": [1, 4],
            }],
        });
        let genesis: SlashingGenesis = serde_json::from_value(section).expect("today's JSON");
        let profile = ChainProfile::rampart();
        let mut state = Overlay::new(EmptyState);
        import(&mut state, &profile, &genesis).expect("imports");
        let exported = serde_json::to_value(export(&state, &profile).expect("exports"));
        assert_eq!(
            exported.expect("serializes"),
            json!({
                "params": {
                    "signed_blocks_window": "10",
                    "min_signed_per_window": "0.500000000000000000",
                    "downtime_jail_duration_seconds": "60",
                    "slash_fraction_double_sign": "0.050000000000000000",
                    "slash_fraction_downtime": "0.010000000000000000",
                },
                "signing_infos": [{
                    "address": VALCONS,
                    "start_height": "2",
                    "index_offset": "7",
                    "jailed_until": "1970-01-01T00:00:00Z",
                    "tombstoned": false,
                    "missed": ["1", "4"],
                }],
            })
        );
    }

    #[test]
    fn unknown_fields_and_bad_bitmaps_are_refused() {
        assert!(serde_json::from_value::<SlashingGenesis>(json!({"extra": 1})).is_err());
        let genesis: SlashingGenesis = serde_json::from_value(json!({
            "signing_infos": [{
                "address": VALCONS,
                "jailed_until": "1970-01-01T00:00:00Z",
                "missed": [3, 3],
            }],
        }))
        .expect("parses");
        let mut state = Overlay::new(EmptyState);
        let err = import(&mut state, &ChainProfile::rampart(), &genesis).expect_err("refused");
        assert!(
            err.log.contains("missed positions must be ascending"),
            "{}",
            err.log
        );
    }
}
