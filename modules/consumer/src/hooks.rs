//! The seam to the module that keeps pledges (restaking), which depends on this one: the app
//! gives the consumer module an implementation of [`ConsumerHooks`], so the registry can ask
//! about pledges without naming restaking.

use rampart_core::{Address, Amount, AppResult, BlockTime, Decimal, Events, StateRead, StateWrite};

use crate::sets::CountedStake;

/// What the consumer registry asks of the pledge keeper.
pub trait ConsumerHooks: Send + Sync {
    /// Called before consumer `consumer_id`'s double-sign slash fraction bound rises to
    /// `fraction` (an update before launch, or a pending update after it). `Err` refuses the
    /// update, e.g. because a pledged validator's worst-case exposure would exceed its bound.
    fn before_slash_fraction_raised(
        &self,
        state: &dyn StateRead,
        consumer_id: u64,
        fraction: Decimal,
    ) -> AppResult<()>;

    /// Called after consumer `consumer_id` was deleted, to drop everything kept for it
    /// (pledges, keys, jail records).
    fn after_consumer_deleted(
        &self,
        state: &mut dyn StateWrite,
        consumer_id: u64,
        events: &mut Events,
    ) -> AppResult<()>;

    /// Keeps `operator` out of consumer `consumer_id`'s set until at least `until` (a proven
    /// downtime on that consumer): never shortens a longer jail, never lifts a tombstone, and
    /// touches nothing on the provider. Without a pledge keeper: nothing to do.
    fn jail_on_consumer(
        &self,
        _state: &mut dyn StateWrite,
        _consumer_id: u64,
        _operator: &Address,
        _until: BlockTime,
        _events: &mut Events,
    ) -> AppResult<()> {
        Ok(())
    }

    /// Slashes `stake` — a member's provider power at its provider height, counted in a set of a
    /// consumer — by `fraction` of its pledge (a proven downtime with a non-zero downtime
    /// fraction): at most `fraction` × the pledged tokens, cutting only entries created after
    /// that height. Returns the tokens burned. Without a pledge keeper: nothing.
    fn slash_pledge(
        &self,
        _state: &mut dyn StateWrite,
        _stake: &CountedStake,
        _fraction: Decimal,
        _now: BlockTime,
        _events: &mut Events,
    ) -> AppResult<Amount> {
        Ok(Amount::ZERO)
    }
}

/// Hooks that allow everything and keep nothing (a registry with no pledge keeper).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHooks;

impl ConsumerHooks for NoHooks {
    fn before_slash_fraction_raised(
        &self,
        _state: &dyn StateRead,
        _consumer_id: u64,
        _fraction: Decimal,
    ) -> AppResult<()> {
        Ok(())
    }

    fn after_consumer_deleted(
        &self,
        _state: &mut dyn StateWrite,
        _consumer_id: u64,
        _events: &mut Events,
    ) -> AppResult<()> {
        Ok(())
    }
}
