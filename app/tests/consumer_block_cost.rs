//! Block cost of the consumer registry (issue 13, finding 1): the consumer module's begin block
//! (timeouts, deletions, expiries, pending parameters, set expiry, slash meters, rewards), its
//! per-block rewards on their own, and restaking's end block (launches and epochs) read the same
//! state with 1,000 idle consumers — registered without a spawn time, or launched with no reward
//! rate, each with long allow/deny lists — as with 1: only what is due is read. Reads are counted
//! like staking's end-block cost test (`modules/staking/tests/end_block_cost.rs`): a [`Counting`]
//! state on the way to the real state.
#![allow(clippy::unwrap_used)]

use rampart_consumer::ConsumerModule;
use rampart_core::state::{EmptyState, Overlay};
use rampart_core::{
    Address, BlockContext, BlockScope, BlockTime, ChainProfile, Component, Counting, Events,
    GenesisContext, ReadCount,
};
use rampart_proto::rampart::consumer::v1 as pb;
use rampart_restaking::params::RestakingParams;

const GENESIS: i64 = 1_800_000_000;

fn at(seconds: i64) -> BlockTime {
    BlockTime { seconds, nanos: 0 }
}

fn rfc3339(seconds: i64) -> String {
    rampart_core::wire::rfc3339(at(seconds))
}

fn infraction() -> pb::InfractionParams {
    pb::InfractionParams {
        slash_fraction: "0".into(),
        jail_duration_seconds: 60,
        tombstone: false,
    }
}

/// An idle consumer: registered without a spawn time (even ids) or launched without a reward
/// rate (odd ids), with 100-operator allow and deny lists.
fn idle(id: u64) -> pb::GenesisConsumer {
    let profile = ChainProfile::rampart();
    let ops = |base: u8| -> Vec<String> {
        (0..100u8)
            .map(|i| profile.to_valoper(&Address([base.wrapping_add(i); 20])))
            .collect()
    };
    let launched = id % 2 == 1;
    pb::GenesisConsumer {
        consumer_id: id,
        chain_id: format!("idle-{id}"),
        owner: profile.to_account(&Address([200; 20])),
        name: format!("idle {id}"),
        phase: if launched { "launched" } else { "registered" }.into(),
        params: Some(pb::GenesisConsumerParams {
            min_validators: 1,
            max_validators: 10,
            unbonding_period_seconds: 100,
            allowlist: ops(0),
            denylist: ops(100),
            double_sign: Some(infraction()),
            downtime: Some(infraction()),
            ..Default::default()
        }),
        launch_height: u64::from(launched),
        launch_time: launched.then(|| rfc3339(GENESIS)),
        last_heard_from: launched.then(|| rfc3339(GENESIS)),
        ..Default::default()
    }
}

/// A state holding `n` idle consumers, after one block has run every hook (what the import
/// queued for the first block is done).
fn registry(n: u64) -> Overlay<EmptyState> {
    let mut state = Overlay::new(EmptyState);
    let ctx = GenesisContext {
        chain_id: "rampart-test".into(),
        profile: ChainProfile::rampart(),
        initial_height: 1,
        genesis_time: at(GENESIS),
        validators: Vec::new(),
    };
    let genesis = pb::GenesisState {
        params: Some(pb::GenesisParams {
            max_consumer_slash_fraction: "0.1".into(),
            ..Default::default()
        }),
        next_consumer_id: n,
        consumers: (0..n).map(idle).collect(),
    };
    rampart_consumer::genesis::import(&mut state, &ctx, &genesis).unwrap();
    run(&mut state, 2, None);
    state
}

fn block(height: u64) -> BlockContext {
    BlockContext::bare(
        "rampart-test".into(),
        ChainProfile::rampart(),
        height,
        at(GENESIS + i64::try_from(height).unwrap()),
    )
}

/// Which hook [`run`] measures.
#[derive(Debug, Clone, Copy)]
enum Hook {
    ConsumerBeginBlock,
    Rewards,
    RestakingEndBlock,
}

/// Runs the consumer begin block, the rewards and restaking's end block at `height`, counting
/// the reads of `measured`.
fn run(state: &mut Overlay<EmptyState>, height: u64, measured: Option<Hook>) -> ReadCount {
    let ctx = block(height);
    let mut cost = ReadCount::default();
    for hook in [
        Hook::ConsumerBeginBlock,
        Hook::Rewards,
        Hook::RestakingEndBlock,
    ] {
        let mut counting = Counting::new(&mut *state);
        let mut events = Events::new();
        match hook {
            Hook::ConsumerBeginBlock => ConsumerModule::new()
                .begin_block(BlockScope {
                    state: &mut counting,
                    ctx: &ctx,
                    events: &mut events,
                })
                .unwrap(),
            Hook::Rewards => {
                rampart_consumer::rewards::pay_all(&mut counting, &ctx.profile, &mut events)
                    .unwrap()
            }
            Hook::RestakingEndBlock => rampart_restaking::epoch::end_block(
                &mut counting,
                &RestakingParams::default(),
                &ctx,
                &mut events,
            )
            .unwrap(),
        }
        if measured.is_some_and(|m| std::mem::discriminant(&m) == std::mem::discriminant(&hook)) {
            cost = counting.count();
        }
    }
    cost
}

#[test]
fn block_hooks_with_1000_idle_consumers_cost_what_they_cost_with_1() {
    let mut one = registry(1);
    let mut thousand = registry(1_000);
    // Height 7 is no epoch height (the provider's epoch is 600 blocks).
    let mut grew = Vec::new();
    for hook in [
        Hook::ConsumerBeginBlock,
        Hook::Rewards,
        Hook::RestakingEndBlock,
    ] {
        let small = run(&mut one, 7, Some(hook));
        let big = run(&mut thousand, 7, Some(hook));
        eprintln!("{hook:?}: 1 consumer {small:?}, 1,000 consumers {big:?}");
        if big.gets > small.gets + 2
            || big.scanned > small.scanned + 2
            || big.bytes > small.bytes + 64
        {
            grew.push(hook);
        }
    }
    assert!(
        grew.is_empty(),
        "{grew:?} read more with 1,000 idle consumers than with 1"
    );
}
