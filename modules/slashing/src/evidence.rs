//! Double signing: misbehaviour that CometBFT committed (duplicate votes and light-client
//! attacks). Evidence within the age limits against a known, not yet tombstoned validator
//! slashes `slash_fraction_double_sign` of the stake at the infraction height (tokens plus the
//! unbonding and redelegation entries created since, through staking), jails the validator
//! forever and tombstones it. Anything else is ignored with an `evidence_ignored` event.

use rampart_core::consensus::EvidenceMaxAge;
use rampart_core::context::Misbehavior;
use rampart_core::error::AppResult;
use rampart_core::ChainProfile;
use rampart_core::{BlockScope, Event};
use rampart_staking::{Infraction, StakingRead};

use crate::module::Judge;
use crate::signing::{self, SigningInfo, JAILED_FOREVER};

fn ignored(profile: &ChainProfile, m: &Misbehavior, reason: &str) -> Event {
    Event::new("evidence_ignored")
        .attr("address", profile.to_valcons(&m.address))
        .attr("height", m.height.to_string())
        .attr("reason", reason)
}

impl Judge<'_> {
    /// Handles every piece of misbehaviour in `ctx`.
    pub fn handle_misbehavior(&self, mut block: BlockScope<'_>) -> AppResult<()> {
        let (params, ctx) = (self.params, block.ctx);
        let limits = EvidenceMaxAge::load(block.state);
        for m in &ctx.misbehavior {
            if limits.expired(
                m.height,
                m.time.unix_nanos(),
                ctx.height,
                ctx.time.unix_nanos(),
            ) {
                block.events.push(ignored(&ctx.profile, m, "expired"));
                continue;
            }
            let Some(validator) = block.state.validator_by_consensus_address(&m.address)? else {
                block
                    .events
                    .push(ignored(&ctx.profile, m, "unknown_validator"));
                continue;
            };
            let mut info = signing::load(block.state, &m.address)?
                .unwrap_or_else(|| SigningInfo::new(m.address, ctx.height));
            if info.tombstoned {
                block.events.push(ignored(&ctx.profile, m, "tombstoned"));
                continue;
            }
            // Stake is counted one block before the infraction (the SDK's ValidatorUpdateDelay).
            let infraction = Infraction {
                consumer: None,
                height: m.height.saturating_sub(1),
                power: m.power,
                fraction: params.slash_fraction_double_sign,
            };
            self.punish(block.reborrow(), &validator, infraction, "double_sign")?;
            info.jailed_until = JAILED_FOREVER;
            info.tombstoned = true;
            signing::save(block.state, &info);
        }
        Ok(())
    }
}
