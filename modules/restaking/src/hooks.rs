//! Restaking's answers to the consumer registry ([`rampart_consumer::ConsumerHooks`]): a raise
//! of a consumer's double-sign fraction is refused when it would push any validator pledged to
//! it above `max_slash_exposure`, a deleted consumer's pledges, keys and records are dropped, a
//! proven downtime jails on that consumer only and slashes the pledge counted in the set when
//! the consumer's downtime fraction is non-zero ([`crate::evidence::slash_counted`]).

use rampart_consumer::sets::CountedStake;
use rampart_consumer::ConsumerHooks;
use rampart_core::wire::{block_time, timestamp};
use rampart_core::{
    Address, Amount, AppResult, BlockTime, Decimal, Event, Events, StateRead, StateWrite,
};
use rampart_staking::StakingModule;

use crate::evidence::slash_counted;

use crate::exposure;
use crate::genesis::clear_consumer;
use crate::params;
use crate::pledge;

/// The hooks the app gives the consumer module; they slash through the staking module the app
/// composes.
#[derive(Clone)]
pub struct RestakingHooks {
    staking: StakingModule,
}

impl std::fmt::Debug for RestakingHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RestakingHooks")
    }
}

impl RestakingHooks {
    /// Hooks slashing through `staking` (the same instance the app composes).
    pub fn new(staking: StakingModule) -> Self {
        Self { staking }
    }
}

impl ConsumerHooks for RestakingHooks {
    fn before_slash_fraction_raised(
        &self,
        state: &dyn StateRead,
        consumer_id: u64,
        fraction: Decimal,
    ) -> AppResult<()> {
        let params = params::load(state)?;
        for p in pledge::of_consumer(state, consumer_id)? {
            exposure::check(
                state,
                &params,
                &p.validator,
                consumer_id,
                None,
                Some(fraction),
                None,
            )?;
        }
        Ok(())
    }

    fn after_consumer_deleted(
        &self,
        state: &mut dyn StateWrite,
        consumer_id: u64,
        events: &mut Events,
    ) -> AppResult<()> {
        let dropped = clear_consumer(state, consumer_id)?;
        events.push(
            Event::new("consumer_pledges_released")
                .attr("consumer_id", consumer_id.to_string())
                .attr("pledges", dropped.to_string()),
        );
        Ok(())
    }

    fn jail_on_consumer(
        &self,
        state: &mut dyn StateWrite,
        consumer_id: u64,
        operator: &Address,
        until: BlockTime,
        _events: &mut Events,
    ) -> AppResult<()> {
        let mut record = pledge::jail_record(state, consumer_id, operator)?.unwrap_or_default();
        let current = record
            .jailed_until
            .as_ref()
            .map(block_time)
            .transpose()?
            .unwrap_or_default();
        if until > current {
            record.jailed_until = Some(timestamp(until));
        }
        pledge::set_jail(state, consumer_id, operator, &record);
        Ok(())
    }

    fn slash_pledge(
        &self,
        state: &mut dyn StateWrite,
        stake: &CountedStake,
        fraction: Decimal,
        now: BlockTime,
        events: &mut Events,
    ) -> AppResult<Amount> {
        Ok(
            slash_counted(state, self.staking.ports(), stake, fraction, now, events)?
                .map_or(Amount::ZERO, |outcome| outcome.burned),
        )
    }
}
