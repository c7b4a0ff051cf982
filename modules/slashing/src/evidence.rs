//! Double signing: misbehaviour that CometBFT committed (duplicate votes and light-client
//! attacks). Evidence within the age limits against a known, not yet tombstoned validator
//! slashes `slash_fraction_double_sign` of the stake at the infraction height (tokens plus the
//! unbonding and redelegation entries created since, through staking), jails the validator
//! forever and tombstones it. Anything else is ignored with an `evidence_ignored` event.

use rampart_core::consensus::EvidenceMaxAge;
use rampart_core::context::Misbehavior;
use rampart_core::error::AppResult;
use rampart_core::ChainProfile;
use rampart_core::{BlockContext, Event, Events, StateWrite};
use rampart_staking::{Infraction, StakingPorts, StakingRead};

use crate::params::SlashingParams;
use crate::signing::{self, SigningInfo, JAILED_FOREVER};
use crate::slash_event;

fn ignored(profile: &ChainProfile, m: &Misbehavior, reason: &str) -> Event {
    Event::new("evidence_ignored")
        .attr("address", profile.to_valcons(&m.address))
        .attr("height", m.height.to_string())
        .attr("reason", reason)
}

/// Handles every piece of misbehaviour in `ctx`.
pub fn handle_misbehavior(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &BlockContext,
    params: &SlashingParams,
    events: &mut Events,
) -> AppResult<()> {
    let limits = EvidenceMaxAge::load(state);
    for m in &ctx.misbehavior {
        if limits.expired(
            m.height,
            m.time.unix_nanos(),
            ctx.height,
            ctx.time.unix_nanos(),
        ) {
            events.push(ignored(&ctx.profile, m, "expired"));
            continue;
        }
        let Some(validator) = state.validator_by_consensus_address(&m.address)? else {
            events.push(ignored(&ctx.profile, m, "unknown_validator"));
            continue;
        };
        let mut info = signing::load(state, &m.address)?
            .unwrap_or_else(|| SigningInfo::new(m.address, ctx.height));
        if info.tombstoned {
            events.push(ignored(&ctx.profile, m, "tombstoned"));
            continue;
        }
        // Stake is counted one block before the infraction (the SDK's ValidatorUpdateDelay).
        let infraction = Infraction {
            height: m.height.saturating_sub(1),
            power: m.power,
            fraction: params.slash_fraction_double_sign,
        };
        let outcome = rampart_staking::slash(
            state,
            ports,
            &validator.operator,
            infraction,
            ctx.time,
            events,
        )?;
        if !validator.jailed && state.validator(&validator.operator)?.is_some() {
            rampart_staking::jail(state, &validator.operator)?;
        }
        info.jailed_until = JAILED_FOREVER;
        info.tombstoned = true;
        signing::save(state, &info);
        events.push(slash_event(
            state,
            &ctx.profile.to_valcons(&m.address),
            m.power,
            "double_sign",
            outcome.burned,
        )?);
    }
    Ok(())
}
