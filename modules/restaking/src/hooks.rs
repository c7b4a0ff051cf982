//! Restaking's answers to the consumer registry ([`rampart_consumer::ConsumerHooks`]): a raise
//! of a consumer's double-sign fraction is refused when it would push any validator pledged to
//! it above `max_slash_exposure`, and a deleted consumer's pledges, keys and records are dropped.

use rampart_consumer::ConsumerHooks;
use rampart_core::{AppResult, Decimal, Event, Events, StateRead, StateWrite};

use crate::exposure;
use crate::genesis::clear_consumer;
use crate::params;
use crate::pledge;

/// The hooks the app gives the consumer module.
#[derive(Debug, Clone, Copy, Default)]
pub struct RestakingHooks;

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
}
