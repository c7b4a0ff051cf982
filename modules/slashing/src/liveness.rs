//! Downtime: every vote of the previous block's commit moves its validator's window by one
//! block (O(1): one signing-info record and one bitmap chunk). A validator that has been tracked
//! for a whole window and missed more than `window − ⌊window × min_signed⌋` of its blocks is
//! slashed `slash_fraction_downtime` of its stake at the infraction, jailed for
//! `downtime_jail_duration` (staking then removes it from the CometBFT set) and its window reset.

use rampart_core::error::AppResult;
use rampart_core::wire::add_duration;
use rampart_core::{BlockScope, Event};
use rampart_staking::{Infraction, StakingRead};
use tendermint_proto::google::protobuf::Duration;

use crate::module::Judge;
use crate::signing::{self, SigningInfo};

impl Judge<'_> {
    /// Applies the previous block's commit (`ctx.last_commit`) to every voter's window.
    pub fn handle_votes(&self, mut block: BlockScope<'_>) -> AppResult<()> {
        let (params, ctx) = (self.params, block.ctx);
        let window = params.signed_blocks_window;
        let max_missed = params.max_missed()?;
        for vote in &ctx.last_commit {
            let Some(validator) = block.state.validator_by_consensus_address(&vote.address)? else {
                continue;
            };
            // A jailed validator's window stands still, as in the SDK.
            if validator.jailed {
                continue;
            }
            let mut info = signing::load(block.state, &vote.address)?
                .unwrap_or_else(|| SigningInfo::new(vote.address, ctx.height));
            let index = info.index_offset % window;
            info.index_offset = info.index_offset.saturating_add(1);
            let was_missed = signing::missed(block.state, &vote.address, index);
            let missed = !vote.signed;
            if missed != was_missed {
                signing::set_missed(block.state, &vote.address, index, missed);
                info.missed_blocks_counter = if missed {
                    info.missed_blocks_counter.saturating_add(1)
                } else {
                    info.missed_blocks_counter.saturating_sub(1)
                };
            }
            let address = ctx.profile.to_valcons(&vote.address);
            if missed {
                block.events.push(
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
                    consumer: None,
                    height: ctx.height.saturating_sub(2),
                    power: vote.power,
                    fraction: params.slash_fraction_downtime,
                };
                self.punish(
                    block.reborrow(),
                    &validator,
                    infraction,
                    "missing_signature",
                )?;
                let jail = Duration {
                    seconds: i64::try_from(params.downtime_jail_duration_seconds)
                        .unwrap_or(i64::MAX),
                    nanos: 0,
                };
                info.jailed_until = add_duration(ctx.time, &jail)?;
                info.missed_blocks_counter = 0;
                info.index_offset = 0;
                signing::clear_missed(block.state, &vote.address);
            }
            signing::save(block.state, &info);
        }
        Ok(())
    }
}
