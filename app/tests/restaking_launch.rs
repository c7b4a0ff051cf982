//! Launching a consumer: a launch below its thresholds fails naming the threshold and waits for a
//! new spawn time; allow and deny lists, the minimum stake, the validator cap and the power cap
//! shape the launched set; parameter updates after launch are refused or wait one provider
//! unbonding period.

mod restaking_support;

use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_testkit::events::*;
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;
use tendermint_proto::google::protobuf::Timestamp;

#[test]
fn a_launch_below_the_thresholds_fails_and_names_the_threshold() {
    let owner = Key::secp(93);
    let v: Vec<TestValidator> = (45..=46).map(TestValidator::new).collect();
    let mut net = Net::provider(
        &[(&v[0], 10_000_000), (&v[1], 10_000_000)],
        &[&owner],
        restaking_params("1", 4),
    );
    let spawn = net.chain.driver.height + 4;
    net.free_ok(
        &owner,
        vec![
            register(
                &owner,
                "few-validators",
                Some(spawn),
                Some(consumer_params(2, 0, "0.05", 0)),
            ),
            register(
                &owner,
                "small-pledge",
                Some(spawn),
                Some(consumer_params(1, 20_000_000, "0.05", 0)),
            ),
        ],
    );
    net.operator_ok(
        &v[0],
        vec![
            opt_in(&v[0], 0, 10_000, None),
            opt_in(&v[0], 1, 10_000, None),
        ],
    );
    let launch = net.until(spawn).pop().expect("block");
    let failed = events_of(&launch, "consumer_launch_failed");
    assert_eq!(failed.len(), 2);
    assert!(
        attr(failed[0], "reason").starts_with("min_validators: 1 validators qualify, 2 required")
    );
    assert!(attr(failed[1], "reason").starts_with("min_total_pledge: 10000000 tokens pledged"));
    let consumer = net.consumer(0);
    assert_eq!(consumer.phase, cpb::ConsumerPhase::Registered as i32);
    assert_eq!(
        consumer.spawn_time, None,
        "the owner schedules a new launch"
    );
    // A new spawn time once a second validator pledged (at least MIN_SPAWN_LEAD_SECONDS after
    // the block that sets it; blocks are 1 s apart): it launches.
    net.operator_ok(&v[1], vec![opt_in(&v[1], 0, 5_000, None)]);
    let spawn = net.chain.driver.height + 1 + rampart_consumer::msgs::MIN_SPAWN_LEAD_SECONDS;
    net.free_ok(
        &owner,
        vec![update_consumer(
            &owner,
            cpb::MsgUpdateConsumer {
                consumer_id: 0,
                spawn_time: Some(timestamp_of(spawn)),
                ..Default::default()
            },
        )],
    );
    let launch = net.until(spawn).pop().expect("block");
    assert_eq!(events_of(&launch, "consumer_launched").len(), 1);
    assert_eq!(
        sorted(net.consumer_validators(0)),
        sorted(vec![
            (v[0].consensus_pubkey(), 10),
            (v[1].consensus_pubkey(), 5)
        ])
    );
}

#[test]
fn lists_min_stake_max_validators_and_the_power_cap_shape_the_set_and_updates_wait() {
    let owner = Key::secp(101);
    let v: Vec<TestValidator> = (55..=58).map(TestValidator::new).collect();
    let mut net = Net::provider(
        &[
            (&v[0], 40_000_000),
            (&v[1], 20_000_000),
            (&v[2], 20_000_000),
            (&v[3], 5_000_000),
        ],
        &[&owner],
        restaking_params("1", 4),
    );
    let spawn = net.chain.driver.height + 7;
    let mut params = consumer_params(2, 0, "0.05", 0);
    params.denylist = vec![valoper(&v[3])];
    params.min_validator_stake = "6000000".into();
    params.max_validators = 2;
    params.validator_power_cap = "0.6".into();
    net.free_ok(
        &owner,
        vec![register(
            &owner,
            "shaped",
            Some(spawn),
            Some(params.clone()),
        )],
    );
    for validator in &v {
        net.operator_ok(validator, vec![opt_in(validator, 0, 10_000, None)]);
    }
    net.until(spawn);
    // v3 is denied; of v1 and v2 (equal power) the lower operator address stays; v0's 40 is
    // capped to 30 so that it holds 60 % of 50.
    let second = if v[1].operator().0 < v[2].operator().0 {
        &v[1]
    } else {
        &v[2]
    };
    assert_eq!(
        sorted(net.consumer_validators(0)),
        sorted(vec![
            (v[0].consensus_pubkey(), 30),
            (second.consensus_pubkey(), 20)
        ])
    );

    // After launch: the spawn time and the unbonding period are fixed; a raised double-sign
    // fraction waits one provider unbonding period (and counts in exposures at once).
    let update = |params: Option<cpb::ConsumerParams>, spawn_time: Option<Timestamp>| {
        update_consumer(
            &owner,
            cpb::MsgUpdateConsumer {
                consumer_id: 0,
                params,
                spawn_time,
                ..Default::default()
            },
        )
    };
    let tx = net
        .chain
        .free_tx(&owner, vec![update(None, Some(timestamp_of(500)))], GAS);
    refused(&mut net, tx, "consumer", 9);
    let mut longer = params.clone();
    longer.unbonding_period_seconds = CONSUMER_UNBONDING + 1;
    let tx = net
        .chain
        .free_tx(&owner, vec![update(Some(longer), None)], GAS);
    refused(&mut net, tx, "consumer", 9);
    let mut raised = params.clone();
    raised.double_sign = Some(infraction("0.08", 20, true));
    let result = net.free_ok(&owner, vec![update(Some(raised), None)]);
    let updated_at = net.chain.driver.height;
    assert!(tx_attr(&result, "update_consumer", "infraction_params_effective").is_some());
    let consumer = net.consumer(0);
    assert_eq!(
        consumer
            .params
            .as_ref()
            .and_then(|p| p.double_sign.as_ref())
            .map(|d| d.slash_fraction.as_str()),
        Some("0.050000000000000000"),
        "not yet"
    );
    assert!(consumer.pending_infraction_params.is_some());
    let exposure = net.exposure(&v[0]);
    assert_eq!(exposure.total_worst_case_fraction, "0.080000000000000000");
    let responses = net.until(updated_at + PROVIDER_UNBONDING);
    assert_eq!(
        events_of(responses.last().expect("block"), "consumer_params_applied").len(),
        1
    );
    let consumer = net.consumer(0);
    assert!(consumer.pending_infraction_params.is_none());
    assert_eq!(
        consumer
            .params
            .and_then(|p| p.double_sign)
            .map(|d| d.slash_fraction),
        Some("0.080000000000000000".to_owned())
    );
}
