//! Bad restaking and consumer input — registrations, updates by strangers, pledges beyond the
//! bounds, keys in use, funding without coins, malformed or repeated evidence (the votes, or the
//! consumer header that places them), opting in to a stopped consumer — is refused with stable codes and changes neither module's state.

mod restaking_support;

use ed25519_consensus::SigningKey;
use rampart_ccv::testing::member;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_testkit::events::*;
use rampart_testkit::light_block::HeaderSpec;
use rampart_testkit::msgs::any;
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;

#[test]
fn bad_input_is_refused_with_stable_codes_and_changes_nothing() {
    let (owner, stranger, poor) = (Key::secp(95), Key::secp(96), Key::secp(97));
    let v: Vec<TestValidator> = (48..=50).map(TestValidator::new).collect();
    let mut net = Net::provider(
        &[
            (&v[0], 20_000_000),
            (&v[1], 20_000_000),
            (&v[2], 20_000_000),
        ],
        &[&owner, &stranger],
        restaking_params("0.08", 2),
    );
    let good = consumer_params(1, 0, "0.05", 0);
    // Late enough for every refused transaction below (one block each) to land before it.
    let spawn = net.chain.driver.height + 60;

    // Registration: no parameters, bad parameters, a taken or malformed chain id.
    let bad = |change: fn(&mut cpb::ConsumerParams)| {
        let mut params = good.clone();
        change(&mut params);
        Some(params)
    };
    let registrations = [
        ("c-1", None, 2),
        (
            "c-1",
            bad(|p| p.double_sign = Some(infraction("0.2", 1, false))),
            2,
        ),
        (
            "c-1",
            bad(|p| p.unbonding_period_seconds = PROVIDER_UNBONDING + 1),
            2,
        ),
        ("c-1", bad(|p| p.min_validators = 0), 2),
        (CHAIN_ID, Some(good.clone()), 4),
        ("bad chain id", Some(good.clone()), 4),
    ];
    for (chain_id, params, code) in registrations {
        let tx = net.chain.free_tx(
            &owner,
            vec![register(&owner, chain_id, Some(spawn), params)],
            GAS,
        );
        refused(&mut net, tx, "consumer", code);
    }
    // The poor registrant cannot pay the deposit (it only holds what it gets now).
    net.free_ok(
        &owner,
        vec![msg_send(
            owner.address(),
            poor.address(),
            vec![coin("10", DENOM)],
        )],
    );
    let tx = net.chain.free_tx(
        &poor,
        vec![register(&poor, "c-1", Some(spawn), Some(good.clone()))],
        GAS,
    );
    refused(&mut net, tx, "sdk", 5);
    for (chain_id, fraction) in [("c-1", "0.05"), ("c-2", "0.05"), ("c-3", "0.05")] {
        net.free_ok(
            &owner,
            vec![register(
                &owner,
                chain_id,
                Some(spawn),
                Some(consumer_params(1, 0, fraction, 0)),
            )],
        );
    }
    let tx = net.chain.free_tx(
        &owner,
        vec![register(&owner, "c-1", Some(spawn), Some(good.clone()))],
        GAS,
    );
    refused(&mut net, tx, "consumer", 3);

    // Updates by a non-owner.
    let update = |signer: &Key| {
        update_consumer(
            signer,
            cpb::MsgUpdateConsumer {
                consumer_id: 0,
                name: Some("hijacked".into()),
                ..Default::default()
            },
        )
    };
    let tx = net.chain.free_tx(&stranger, vec![update(&stranger)], GAS);
    refused(&mut net, tx, "consumer", 6);
    // A module account as the new owner (the deletion refund would bypass the bank's check that
    // module accounts receive only through their module): sdk/4.
    let to_module = update_consumer(
        &owner,
        cpb::MsgUpdateConsumer {
            consumer_id: 0,
            new_owner: Some(rampart_consumer::module_address().to_string()),
            ..Default::default()
        },
    );
    let tx = net.chain.free_tx(&owner, vec![to_module], GAS);
    refused(&mut net, tx, "sdk", 4);

    // Pledges: unknown consumer, 0, above 100 %.
    for (consumer_id, pledge, codespace, code) in [
        (99, 1_000, "consumer", 5),
        (0, 0, "restaking", 2),
        (0, 10_001, "restaking", 2),
    ] {
        let tx = net
            .chain
            .operator_tx(&v[0], vec![opt_in(&v[0], consumer_id, pledge, None)], GAS);
        refused(&mut net, tx, codespace, code);
    }

    // Exposure bound 8 %: 100 % × 5 % on c-1, then 100 % × 5 % on c-2 would be 10 %.
    net.operator_ok(&v[0], vec![opt_in(&v[0], 0, 10_000, None)]);
    let tx = net
        .chain
        .operator_tx(&v[0], vec![opt_in(&v[0], 1, 10_000, None)], GAS);
    refused(&mut net, tx, "restaking", 7);
    net.operator_ok(&v[0], vec![opt_in(&v[0], 1, 5_000, None)]);
    // 5 % + 70 % × 5 % = 8.5 %: the increase is refused; a decrease is fine.
    let tx = net
        .chain
        .operator_tx(&v[0], vec![set_pledge(&v[0], 1, 7_000)], GAS);
    refused(&mut net, tx, "restaking", 7);
    net.operator_ok(&v[0], vec![set_pledge(&v[0], 1, 1_000)]);
    // At most two consumers per validator.
    let tx = net
        .chain
        .operator_tx(&v[0], vec![opt_in(&v[0], 2, 100, None)], GAS);
    refused(&mut net, tx, "restaking", 8);
    // A raise of c-1's fraction that would break validator 0's bound is refused too.
    let mut raised = good.clone();
    raised.double_sign = Some(infraction("0.08", 20, true));
    let tx = net.params_update(&owner, 0, raised);
    refused(&mut net, tx, "restaking", 7);
    // Already opted in; opting out without a pledge.
    let tx = net
        .chain
        .operator_tx(&v[0], vec![opt_in(&v[0], 0, 10, None)], GAS);
    refused(&mut net, tx, "restaking", 5);
    let tx = net.chain.operator_tx(&v[1], vec![opt_out(&v[1], 0)], GAS);
    refused(&mut net, tx, "restaking", 6);

    // Keys in use: another validator's provider key, another validator's consumer key.
    let k1 = SigningKey::from([0xd1; 32]);
    net.operator_ok(&v[1], vec![opt_in(&v[1], 0, 1_000, Some(&k1))]);
    let assign = |validator: &TestValidator, key: tendermint_proto::google::protobuf::Any| {
        assign_consumer_key(validator, 0, key)
    };
    let provider_key_of_2 = ed25519_any(&v[2].consensus_pubkey());
    for (validator, msg) in [
        (&v[0], assign(&v[0], provider_key_of_2)),
        (&v[0], assign(&v[0], consumer_pubkey(&k1))),
        (&v[2], opt_in(&v[2], 0, 1_000, Some(&k1))),
    ] {
        let tx = net.chain.operator_tx(validator, vec![msg], GAS);
        refused(&mut net, tx, "restaking", 9);
    }

    // Funding with coins the funder lacks, or nothing.
    let balance = net.chain.balance(&stranger.address(), DENOM);
    let tx = net.chain.free_tx(
        &stranger,
        vec![fund_rewards(&stranger, 0, RICH + 1, DENOM)],
        GAS,
    );
    refused(&mut net, tx, "sdk", 5);
    assert_eq!(net.chain.balance(&stranger.address(), DENOM), balance);
    let tx = net.chain.free_tx(
        &stranger,
        vec![any(
            "/rampart.consumer.v1.MsgFundConsumerRewards",
            &cpb::MsgFundConsumerRewards {
                funder: stranger.address().to_string(),
                consumer_id: 0,
                amount: vec![],
            },
        )],
        GAS,
    );
    refused(&mut net, tx, "sdk", 10);

    // Evidence against a registered (not launched) consumer.
    let t = timestamp_of(net.chain.driver.height);
    let unlaunched = consumer_header_at(
        "c-1",
        3,
        MockConsensus::time_of(net.chain.driver.height),
        &[member(&k1, 2)],
    );
    let tx = net.chain.free_tx(
        &stranger,
        vec![double_vote(
            &stranger,
            0,
            signed_vote(&k1, "c-1", 3, 1, t),
            signed_vote(&k1, "c-1", 3, 2, t),
            &unlaunched,
        )],
        GAS,
    );
    refused(&mut net, tx, "restaking", 4);

    // Launch c-1 (validators 0 and 1), then malformed evidence, each with the header of c-1's
    // height 3 signed by its launch set unless the case is about the header.
    net.until(spawn);
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
    let now = timestamp_of(net.chain.driver.height);
    let now_time = MockConsensus::time_of(net.chain.driver.height);
    let at_3 = net.consumer_header(0, 3, now_time);
    let evidence = |a, b, header: &HeaderSpec| double_vote(&stranger, 0, a, b, header);
    let cases: Vec<(
        tendermint_proto::types::Vote,
        tendermint_proto::types::Vote,
        HeaderSpec,
        &str,
        u32,
    )> = vec![
        // Equal block ids.
        (
            signed_vote(&k1, "c-1", 3, 1, now),
            signed_vote(&k1, "c-1", 3, 1, now),
            at_3.clone(),
            "restaking",
            10,
        ),
        // Different heights.
        (
            signed_vote(&k1, "c-1", 3, 1, now),
            signed_vote(&k1, "c-1", 4, 2, now),
            at_3.clone(),
            "restaking",
            10,
        ),
        // The header of another height.
        (
            signed_vote(&k1, "c-1", 3, 1, now),
            signed_vote(&k1, "c-1", 3, 2, now),
            net.consumer_header(0, 4, now_time),
            "restaking",
            10,
        ),
        // The header of another chain (c-2), signed by c-1's set.
        (
            signed_vote(&k1, "c-1", 3, 1, now),
            signed_vote(&k1, "c-1", 3, 2, now),
            HeaderSpec {
                chain_id: "c-2".into(),
                ..at_3.clone()
            },
            "consumer",
            16,
        ),
        // Signed for another chain id.
        (
            signed_vote(&k1, "c-2", 3, 1, now),
            signed_vote(&k1, "c-2", 3, 2, now),
            at_3.clone(),
            "restaking",
            11,
        ),
        // Unknown key.
        (
            signed_vote(&SigningKey::from([0xee; 32]), "c-1", 3, 1, now),
            signed_vote(&SigningKey::from([0xee; 32]), "c-1", 3, 2, now),
            at_3.clone(),
            "restaking",
            12,
        ),
    ];
    for (a, b, header, codespace, expected) in cases {
        let tx = net
            .chain
            .free_tx(&stranger, vec![evidence(a, b, &header)], GAS);
        refused(&mut net, tx, codespace, expected);
    }
    // No infraction header at all.
    let tx = net.chain.free_tx(
        &stranger,
        vec![double_vote_with(
            &stranger,
            0,
            [
                signed_vote(&k1, "c-1", 3, 1, now),
                signed_vote(&k1, "c-1", 3, 2, now),
            ],
            None,
            Some(at_3.validator_set()),
        )],
        GAS,
    );
    refused(&mut net, tx, "ccv", 9);
    // A bad signature.
    let mut forged = signed_vote(&k1, "c-1", 3, 1, now);
    forged.signature[0] ^= 1;
    let tx = net.chain.free_tx(
        &stranger,
        vec![evidence(forged, signed_vote(&k1, "c-1", 3, 2, now), &at_3)],
        GAS,
    );
    refused(&mut net, tx, "restaking", 11);
    // Validator 1 raises its pledge to 20 %: packet 1 sends c-1 a new set. The launch set is
    // still within its period, and validator 1's real double vote in it is punished with the
    // stake counted there: 5 % × 10 % × 20 M = 100,000.
    net.operator_ok(&v[1], vec![set_pledge(&v[1], 0, 2_000)]);
    assert_eq!(Net::packet_event(&net.next_epoch(), 0), Some(1));
    let result = net.free_ok(
        &stranger,
        vec![evidence(
            signed_vote(&k1, "c-1", 3, 1, now),
            signed_vote(&k1, "c-1", 3, 2, now),
            &at_3,
        )],
    );
    assert_eq!(
        tx_attr(&result, "consumer_slash", "burned").as_deref(),
        Some("100000uramp")
    );
    assert_eq!(
        tx_attr(&result, "consumer_slash", "vsc_id").as_deref(),
        Some("0")
    );
    // Tombstoned on c-1: its double vote in set 1 (a set not punished yet) is refused.
    let at_5 = net.consumer_header(0, 5, MockConsensus::time_of(net.chain.driver.height));
    let tx = net.chain.free_tx(
        &stranger,
        vec![evidence(
            signed_vote(&k1, "c-1", 5, 1, now),
            signed_vote(&k1, "c-1", 5, 2, now),
            &at_5,
        )],
        GAS,
    );
    refused(&mut net, tx, "restaking", 16);

    // Opting in to a stopped consumer.
    net.free_ok(&owner, vec![remove_consumer(&owner, 0)]);
    let tx = net
        .chain
        .operator_tx(&v[2], vec![opt_in(&v[2], 0, 100, None)], GAS);
    refused(&mut net, tx, "restaking", 4);
    let tx = net.chain.free_tx(&owner, vec![update(&owner)], GAS);
    refused(&mut net, tx, "consumer", 7);
}
