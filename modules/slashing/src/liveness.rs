//! Downtime: every vote of the previous block's commit moves its validator's window by one
//! block (O(1): one signing-info record and one bitmap chunk). A validator that has been tracked
//! for a whole window and missed more than `window − ⌊window × min_signed⌋` of its blocks is
//! slashed `slash_fraction_downtime` of its stake at the infraction, jailed for
//! `downtime_jail_duration` (staking then removes it from the CometBFT set) and its window reset.

use rampart_core::error::AppResult;
use rampart_core::wire::add_duration;
use rampart_core::{BlockContext, Event, Events, StateWrite};
use rampart_staking::{Infraction, StakingPorts, StakingRead};
use tendermint_proto::google::protobuf::Duration;

use crate::params::SlashingParams;
use crate::signing::{self, SigningInfo};
use crate::slash_event;

/// Applies the previous block's commit (`ctx.last_commit`) to every voter's window.
pub fn handle_votes(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &BlockContext,
    params: &SlashingParams,
    events: &mut Events,
) -> AppResult<()> {
    let window = params.signed_blocks_window;
    let max_missed = params.max_missed()?;
    for vote in &ctx.last_commit {
        let Some(validator) = state.validator_by_consensus_address(&vote.address)? else {
            continue;
        };
        // A jailed validator's window stands still, as in the SDK.
        if validator.jailed {
            continue;
        }
        let mut info = signing::load(state, &vote.address)?
            .unwrap_or_else(|| SigningInfo::new(vote.address, ctx.height));
        let index = info.index_offset % window;
        info.index_offset = info.index_offset.saturating_add(1);
        let was_missed = signing::missed(state, &vote.address, index);
        let missed = !vote.signed;
        if missed != was_missed {
            signing::set_missed(state, &vote.address, index, missed);
            info.missed_blocks_counter = if missed {
                info.missed_blocks_counter.saturating_add(1)
            } else {
                info.missed_blocks_counter.saturating_sub(1)
            };
        }
        let address = ctx.profile.to_valcons(&vote.address);
        if missed {
            events.push(
                Event::new("liveness")
                    .attr("address", &address)
                    .attr("missed_blocks", info.missed_blocks_counter.to_string())
                    .attr("height", ctx.height.to_string()),
            );
        }
        let tracked_long_enough = ctx.height > info.start_height.saturating_add(window);
        if tracked_long_enough && info.missed_blocks_counter > max_missed {
            // The stake that was down is counted two blocks back: validator-set changes take
            // effect one block after they are decided (the SDK's ValidatorUpdateDelay).
            let infraction = Infraction {
                height: ctx.height.saturating_sub(2),
                power: vote.power,
                fraction: params.slash_fraction_downtime,
            };
            let outcome = rampart_staking::slash(
                state,
                ports,
                &validator.operator,
                infraction,
                ctx.time,
                events,
            )?;
            // The slash leaves a bonded validator in place (only an unbonded one without shares
            // is removed), but never assume it.
            if state.validator(&validator.operator)?.is_some() {
                rampart_staking::jail(state, &validator.operator)?;
            }
            let jail = Duration {
                seconds: i64::try_from(params.downtime_jail_duration_seconds).unwrap_or(i64::MAX),
                nanos: 0,
            };
            info.jailed_until = add_duration(ctx.time, &jail)?;
            info.missed_blocks_counter = 0;
            info.index_offset = 0;
            signing::clear_missed(state, &vote.address);
            events.push(slash_event(
                state,
                &address,
                vote.power,
                "missing_signature",
                outcome.burned,
            )?);
        }
        signing::save(state, &info);
    }
    Ok(())
}
