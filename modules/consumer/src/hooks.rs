//! The seam to the module that keeps pledges (restaking), which depends on this one: the app
//! gives the consumer module an implementation of [`ConsumerHooks`], so the registry can ask
//! about pledges without naming restaking.

use rampart_core::{AppResult, Decimal, Events, StateRead, StateWrite};

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
