//! Consumer rewards: paid every block from the funded pool with the consumer commission, paused
//! when the pool runs dry and resumed when it is funded again.

mod restaking_support;

use rampart_testkit::events::*;
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;

#[test]
fn an_empty_reward_pool_pauses_payments_until_funded() {
    let owner = Key::secp(94);
    let v = TestValidator::new(47);
    let mut net = Net::provider(&[(&v, 10_000_000)], &[&owner], restaking_params("1", 4));
    let spawn = net.chain.driver.height + 3;
    net.free_ok(
        &owner,
        vec![
            register(
                &owner,
                "paying",
                Some(spawn),
                Some(consumer_params(1, 0, "0.05", 400)),
            ),
            fund_rewards(&owner, 0, 1_000, OTHER),
            fund_rewards(&owner, 0, 1_000, DENOM),
        ],
    );
    net.operator_ok(&v, vec![opt_in(&v, 0, 10_000, None)]);
    // Set a consumer commission of 50 % (provider commission is 10 %).
    net.operator_ok(&v, vec![set_consumer_commission(&v, 0, "0.5")]);
    net.until(spawn);
    // 400 + 400 + 200 then empty: paused once.
    let mut paused = 0;
    let mut commission = 0u128;
    for _ in 0..5 {
        let block = net.block(vec![]);
        paused += events_of(&block, "consumer_rewards_paused").len();
        for e in events_of(&block, "commission") {
            commission += leading_amount(attr(e, "amount"));
        }
    }
    assert_eq!(net.paid["0"], 1_000);
    assert_eq!(paused, 1);
    assert_eq!(commission, 500, "the consumer commission applied");
    assert!(net.consumer(0).rewards_paused);
    net.free_ok(&owner, vec![fund_rewards(&owner, 0, 400, DENOM)]);
    let block = net.block(vec![]);
    assert_eq!(events_of(&block, "consumer_rewards_resumed").len(), 1);
    assert_eq!(net.paid["0"], 1_400);
}
