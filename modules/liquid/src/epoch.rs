//! The epoch (every `epoch_blocks` blocks, begin block — before staking's end block, which
//! turns the stake it moves into the validator set of the same block): the rewards of the module's delegations
//! are withdrawn into the module account — the provider's own and consumer rewards alike,
//! since consumer rewards reach delegators through distribution's per-share index — then the
//! module account's uramp is re-delegated over the bonded validators it delegates to (or the
//! default targets when none of them is bonded), then the open unbonding batch goes out
//! ([`crate::batch::undelegate_open`]) at the rate that includes the epoch's rewards. Work:
//! O(`max_validators`).
//!
//! Reward denoms other than the bond denom stay in the module account (they cannot be
//! delegated); distributing them is left for later.

use rampart_core::error::AppResult;
use rampart_core::state::Overlay;
use rampart_core::{BlockContext, Event, Events, StateRead, StateWrite};
use rampart_staking::StakingPorts;

use crate::msgs::{default_targets, delegate_spread};
use crate::params::LiquidParams;
use crate::rate::{self, Backing};
use crate::{batch, module_address};

/// Whether the block at `height` ends an epoch.
pub fn is_epoch(params: &LiquidParams, height: u64) -> bool {
    height.is_multiple_of(params.epoch_blocks)
}

/// Runs the epoch's work: compounding and the open batch.
pub fn run(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    params: &LiquidParams,
    ctx: &BlockContext,
    events: &mut Events,
) -> AppResult<()> {
    withdraw_rewards(state, events)?;
    compound(state, ports, params, events)?;
    batch::undelegate_open(state, ports, ctx, events)
}

/// Withdraws the rewards of every indexed delegation into the module account.
fn withdraw_rewards(state: &mut dyn StateWrite, events: &mut Events) -> AppResult<()> {
    let module = module_address();
    for op in rate::indexed_validators(state) {
        if rampart_staking::StakingRead::delegation_shares(state, &module, &op)?.is_some() {
            rampart_distribution::rewards::withdraw_delegation_rewards(
                state, &module, &op, events,
            )?;
        }
    }
    Ok(())
}

/// Re-delegates the module account's uramp; a refusal by staking leaves it for the next epoch
/// (with an event) instead of halting the chain.
fn compound(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    params: &LiquidParams,
    events: &mut Events,
) -> AppResult<()> {
    let backing = Backing::load(state)?;
    if backing.undelegated.is_zero() {
        return Ok(());
    }
    let mut targets = Vec::new();
    for (op, _) in &backing.per_validator {
        if rate::is_bonded(state, op)? {
            targets.push(*op);
        }
    }
    if targets.is_empty() {
        targets = default_targets(state, params)?;
    }
    let total = backing.stake()?;
    let outcome = {
        let base: &dyn StateRead = &*state;
        let mut scratch = Overlay::new(base);
        let mut own = Events::new();
        delegate_spread(
            &mut scratch,
            ports,
            params,
            &targets,
            backing.undelegated,
            total,
            &mut own,
        )
        .map(|delegated| (scratch.into_parts().1, own, delegated))
    };
    match outcome {
        Ok((changes, mut own, delegated)) => {
            rampart_core::state::apply_changes(state, changes);
            events.append(&mut own);
            events.push(
                Event::new("liquid_compound")
                    .attr("delegated", delegated.to_string())
                    .attr("stake", total.to_string()),
            );
        }
        Err(e) => events.push(Event::new("liquid_compound_skipped").attr("reason", e.log)),
    }
    Ok(())
}
