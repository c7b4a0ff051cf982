//! Native shared security end to end, driven like CometBFT: consumer registration, opt-ins with
//! partial pledges, the security report, launch at the spawn time, rewards, epoch
//! validator-set-change packets proven with ICS-23 against the app hash, consumer double-vote
//! evidence signed in the test, key rotation, opt-out, removal, genesis export and import, and
//! deletion. The driver checks staking, bank and distribution invariants after every block;
//! [`restaking_support::Net`] adds the consumer module account's.

mod restaking_support;

use ed25519_consensus::SigningKey;
use prost::Message;
use rampart_app::query::{PROOF_OP_TYPE, STORE_KEY_PATH};
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_proto::rampart::restaking::v1 as rpb;
use rampart_staking::StakingRead;
use rampart_testkit::events::*;
use rampart_testkit::msgs::delegate;
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;

/// The scenario of the issue, end to end.
#[test]
fn register_launch_packets_evidence_opt_out_removal_and_deletion() {
    let (owner, delegator, reporter) = (Key::secp(90), Key::secp(91), Key::secp(92));
    let v: Vec<TestValidator> = (41..=44).map(TestValidator::new).collect();
    let stakes = [30_000_000u128, 20_000_000, 40_000_000, 10_000_000];
    let mut net = Net::provider(
        &[
            (&v[0], stakes[0]),
            (&v[1], stakes[1]),
            (&v[2], stakes[2]),
            (&v[3], stakes[3]),
        ],
        &[&owner, &delegator, &reporter],
        restaking_params("1", 4),
    );
    let k2 = SigningKey::from([0xc1; 32]);
    let k2b = SigningKey::from([0xc2; 32]);
    let owner_start = net.chain.balance(&owner.address(), DENOM);

    // Registration: consumer 0 needs 3 validators and 50 M pledged; consumer 1 needs one.
    let spawn = net.chain.driver.height + 10;
    let result = net.free_ok(
        &owner,
        vec![
            register(
                &owner,
                "consumer-1",
                Some(spawn),
                Some(consumer_params(3, 50_000_000, "0.05", 1_000)),
            ),
            register(
                &owner,
                "consumer-2",
                Some(spawn),
                Some(consumer_params(1, 0, "0.1", 0)),
            ),
        ],
    );
    assert_eq!(
        tx_attr(&result, "register_consumer", "consumer_id").as_deref(),
        Some("0")
    );
    assert_eq!(
        net.chain.balance(&owner.address(), DENOM),
        owner_start - 2 * DEPOSIT,
        "two deposits paid"
    );
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Registered as i32);

    // Three of four validators opt in to consumer 0 with 100 %, 50 % and 25 %; validator 2
    // brings its own consumer key and also pledges 40 % to consumer 1.
    net.operator_ok(&v[0], vec![opt_in(&v[0], 0, 10_000, None)]);
    net.operator_ok(
        &v[1],
        vec![
            opt_in(&v[1], 0, 5_000, Some(&k2)),
            opt_in(&v[1], 1, 4_000, Some(&k2b)),
        ],
    );
    net.operator_ok(&v[2], vec![opt_in(&v[2], 0, 2_500, None)]);
    net.operator_ok(&v[0], vec![opt_in(&v[0], 1, 10_000, None)]);
    net.free_ok(&owner, vec![fund_rewards(&owner, 0, 1_000_000, DENOM)]);

    // Before launch the security report describes the set consumer 0 would launch with.
    let report = net.security_report(0);
    assert_eq!((report.validator_count, report.total_power), (3, 50));

    // Launch at the spawn time with powers 30, 10 and 10.
    let responses = net.until(spawn);
    let launch = responses.last().expect("blocks");
    assert_eq!(
        events_of(launch, "consumer_launched").len(),
        2,
        "{:?}",
        launch.events
    );
    assert!(responses[..responses.len() - 1]
        .iter()
        .all(|r| events_of(r, "consumer_launched").is_empty()));
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
    let genesis = net.consumer_genesis(0);
    let initial: Vec<([u8; 32], u64)> = genesis
        .initial_validators
        .iter()
        .map(|u| {
            (
                u.consumer_pubkey.as_slice().try_into().expect("32"),
                u.power,
            )
        })
        .collect();
    assert_eq!(
        initial,
        sorted(vec![
            (v[0].consensus_pubkey(), 30),
            (k2.verification_key().to_bytes(), 10),
            (v[2].consensus_pubkey(), 10),
        ])
    );
    assert_eq!(genesis.chain_id, "consumer-1");
    assert_eq!(genesis.provider_chain_id, CHAIN_ID);
    assert_eq!(genesis.provider_height, spawn);
    assert_eq!(genesis.provider_time, Some(timestamp_of(spawn)));
    assert_eq!(genesis.provider_validator_set_hash.len(), 32);
    assert_eq!(genesis.initial_validator_set_hash.len(), 32);
    assert_eq!(genesis.params.as_ref().map(|p| p.min_validators), Some(3));
    assert_eq!(sorted(net.consumer_validators(0)), initial);

    // Attack cost: v0 alone holds > 1/3, v0 and one more > 2/3; 5 % of their pledges.
    let report = net.security_report(0);
    assert_eq!(report.total_pledged_tokens, "50000000");
    assert_eq!(report.largest_validator_share, "0.600000000000000000");
    assert_eq!(
        (
            report.halt_min_validators,
            report.halt_min_pledged_tokens.as_str(),
            report.halt_slashable_tokens.as_str()
        ),
        // More than 1/3 of power 50 is 17: a lower bound of 17 M at 1 M per unit of power
        // (the cheapest real coalition, the two 10 M validators, needs 20 M).
        (1, "17000000", "850000")
    );
    assert_eq!(
        (
            report.control_min_validators,
            report.control_min_pledged_tokens.as_str(),
            report.control_slashable_tokens.as_str()
        ),
        // More than 2/3 of power 50 is 34.
        (2, "34000000", "1700000")
    );
    // Validator 1's exposure: 50 % × 5 % + 40 % × 10 %.
    let exposure = net.exposure(&v[1]);
    assert_eq!(exposure.total_worst_case_fraction, "0.065000000000000000");
    assert_eq!(exposure.total_worst_case_tokens, "1300000");
    assert_eq!(exposure.consumer_count, 2);

    // Rewards flow each block to consumer 0's validators by power.
    let block = net.block(vec![]);
    assert_eq!(
        attr(events_of(&block, "consumer_rewards")[0], "amount"),
        "1000uramp"
    );

    // A delegation to validator 2 (25 % pledge) raises its consumer power 10 → 12 at the next
    // epoch, which stores packet 1.
    net.free_ok(&delegator, vec![delegate(&delegator, &v[2], 8_000_000)]);
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), Some(1));
    assert_eq!(Net::packet_event(&epoch, 1), None, "consumer 1 unchanged");
    let answer = net.chain.query::<cpb::QueryPacketResponse>(
        "/rampart.consumer.v1.Query/Packet",
        &cpb::QueryPacketRequest {
            consumer_id: 0,
            vsc_id: 1,
        },
    );
    let packet = answer.packet.expect("packet");
    assert_eq!(
        updates(&packet),
        vec![(v[2].consensus_pubkey().to_vec(), 12)]
    );
    assert_eq!(packet.provider_height, net.chain.driver.height);
    let mut expected_key = b"consumer/vsc/".to_vec();
    expected_key.extend_from_slice(&0u64.to_be_bytes());
    expected_key.extend_from_slice(&1u64.to_be_bytes());
    assert_eq!(answer.state_key, expected_key, "the documented key layout");
    // The packet is provable against the app hash with ICS-23.
    let proven = net
        .chain
        .driver
        .query(STORE_KEY_PATH, &answer.state_key, 0, true);
    assert_eq!(proven.code.value(), 0, "{}", proven.log);
    assert_eq!(proven.height.value(), net.chain.driver.height);
    let ops = &proven.proof.as_ref().expect("proof").ops;
    assert_eq!(ops[0].field_type, PROOF_OP_TYPE);
    let proof = ics23::CommitmentProof::decode(ops[0].data.as_slice()).expect("proof decodes");
    let app_hash = net.chain.app_hash();
    assert_eq!(app_hash, epoch.app_hash.as_bytes());
    assert!(ics23::verify_membership::<ics23::HostFunctionsManager>(
        &proof,
        &rampart_store::proof_spec(),
        &app_hash,
        &answer.state_key,
        &proven.value
    ));
    assert_eq!(
        cpb::ValidatorSetChangePacket::decode(proven.value.as_ref()).expect("packet"),
        packet
    );
    let mut tampered = proven.value.to_vec();
    tampered[0] ^= 1;
    assert!(!ics23::verify_membership::<ics23::HostFunctionsManager>(
        &proof,
        &rampart_store::proof_spec(),
        &app_hash,
        &answer.state_key,
        &tampered
    ));

    // Forged double vote by validator 1's consumer key on consumer 0: 5 % of its 50 % pledge of
    // 20 M = 500,000 burned, nothing else.
    let supply = net.chain.supply(DENOM).0;
    let c1_before: Vec<rpb::Pledge> = net
        .pledges_of(&v[1])
        .into_iter()
        .filter(|p| p.consumer_id == 1)
        .collect();
    // The consumer header at the votes' height 7 places them: signed by the set of packet 1,
    // which counted validator 1's power 20 with its 50 % pledge.
    let now = timestamp_of(net.chain.driver.height);
    let vote_a = signed_vote(&k2, "consumer-1", 7, 0xaa, now);
    let vote_b = signed_vote(&k2, "consumer-1", 7, 0xbb, now);
    let header = net.consumer_header(0, 7, MockConsensus::time_of(net.chain.driver.height));
    let counted = net.recorded_member(0, 1, &k2.verification_key().to_bytes());
    assert_eq!((counted.validator_power, counted.pledge_bps), (20, 5_000));
    let result = net.free_ok(
        &reporter,
        vec![double_vote(
            &reporter,
            0,
            vote_a.clone(),
            vote_b.clone(),
            &header,
        )],
    );
    assert_eq!(
        tx_attr(&result, "consumer_slash", "vsc_id").as_deref(),
        Some("1")
    );
    assert_eq!(
        tx_attr(&result, "consumer_slash", "burned").as_deref(),
        Some("500000uramp")
    );
    assert_eq!(net.tokens(&v[1]), stakes[1] - 500_000);
    assert_eq!(net.chain.supply(DENOM).0, supply - 500_000, "burned");
    for (i, other) in [0usize, 2, 3].into_iter().enumerate() {
        let expected = [stakes[0], stakes[2] + 8_000_000, stakes[3]][i];
        assert_eq!(
            net.tokens(&v[other]),
            expected,
            "validator {other} untouched"
        );
    }
    let snapshot = net.chain.storage.snapshot();
    assert!(
        !snapshot
            .validator(&v[1].operator())
            .expect("reads")
            .expect("exists")
            .jailed,
        "consumer infractions do not jail on the provider"
    );
    let c1_after: Vec<rpb::Pledge> = net
        .pledges_of(&v[1])
        .into_iter()
        .filter(|p| p.consumer_id == 1)
        .collect();
    assert_eq!(c1_after, c1_before, "its pledge to consumer 1 is untouched");
    // The same evidence again: refused.
    let again = net.deliver(net.chain.free_tx(
        &reporter,
        vec![double_vote(&reporter, 0, vote_a, vote_b, &header)],
        GAS,
    ));
    assert_eq!(code(&again), ("restaking".into(), 14), "{}", again.log);

    // Next epoch: validator 1 leaves consumer 0 (with a slash ack) and its consumer-1 power
    // follows its slashed tokens: 19.5 M × 40 % = 7.8 M → 7.
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), Some(2));
    assert_eq!(Net::packet_event(&epoch, 1), Some(1));
    let packet = net.packet(0, 2);
    assert_eq!(
        updates(&packet),
        vec![(k2.verification_key().to_bytes().to_vec(), 0)]
    );
    assert_eq!(
        packet.slash_acks,
        vec![consensus_address(&k2.verification_key().to_bytes()).to_vec()]
    );
    assert!(net
        .consumer_validators(1)
        .contains(&(k2b.verification_key().to_bytes(), 7)));

    // Validator 0 rotates its consumer-1 key; the old (provider) key stays attributable.
    let k0b = SigningKey::from([0xc3; 32]);
    net.operator_ok(
        &v[0],
        vec![assign_consumer_key(&v[0], 1, consumer_pubkey(&k0b))],
    );
    let retired = net
        .chain
        .query::<rpb::QueryValidatorByConsumerKeyResponse>(
            "/rampart.restaking.v1.Query/ValidatorByConsumerKey",
            &rpb::QueryValidatorByConsumerKeyRequest {
                consumer_id: 1,
                consumer_address: rampart_auth::Address(v[0].consensus_address())
                    .to_bech32(rampart_core::profile::RAMPART_CONSENSUS_PREFIX),
            },
        )
        .key
        .expect("key");
    assert_eq!(retired.validator, valoper(&v[0]));
    assert!(retired.retired_until.is_some());

    // Opt-out of validator 2: effective at the next epoch, which removes it from consumer 0.
    let result = net.operator_ok(&v[2], vec![opt_out(&v[2], 0)]);
    assert_eq!(
        tx_attr(&result, "opt_out", "effective").as_deref(),
        Some("next_epoch")
    );
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), Some(3));
    assert_eq!(
        net.consumer_validators(0),
        vec![(v[0].consensus_pubkey(), 30)]
    );
    let exiting = net
        .pledges_of(&v[2])
        .into_iter()
        .find(|p| p.consumer_id == 0)
        .expect("kept while slashable");
    assert_eq!(exiting.status, rpb::PledgeStatus::Exiting as i32);
    let departed = exiting.departed.expect("departed stake");
    assert_eq!(departed.pledged_tokens, "12000000");
    assert!(departed.slashable_until.is_some());

    // Removal: consumer 0 stops; deletion one provider unbonding period later.
    let result = net.free_ok(&owner, vec![remove_consumer(&owner, 0)]);
    let stopped_at = net.chain.driver.height;
    assert!(tx_attr(&result, "consumer_stopped", "delete_time").is_some());
    let stopped = net.consumer(0);
    assert_eq!(stopped.phase, cpb::ConsumerPhase::Stopped as i32);
    let paid = net.paid["0"];
    let packets = net.chain.query::<cpb::QueryPendingPacketsResponse>(
        "/rampart.consumer.v1.Query/PendingPackets",
        &cpb::QueryPendingPacketsRequest {
            consumer_id: 0,
            pagination: None,
        },
    );
    assert_eq!(
        packets.packets.iter().map(|p| p.vsc_id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let pool = net.chain.query::<cpb::QueryRewardPoolResponse>(
        "/rampart.consumer.v1.Query/RewardPool",
        &cpb::QueryRewardPoolRequest { consumer_id: 0 },
    );
    assert_eq!(
        pool.pool,
        vec![coin(&(1_000_000 - paid).to_string(), DENOM)]
    );
    // Stopped: no packets, no rewards.
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), None);
    assert!(events_of(&epoch, "consumer_rewards").is_empty());

    // Genesis export → import reproduces the consumer and restaking state exactly.
    let exported = net.chain.driver.app.export().expect("exports");
    let again = Chain::from_genesis(&exported, true);
    let reexported = again.driver.app.export().expect("exports");
    assert_eq!(reexported["consumer"], exported["consumer"]);
    assert_eq!(reexported["restaking"], exported["restaking"]);
    drop(again);

    // Deletion after the window: the deposit back to the owner, the rest of the pool (anyone may
    // have funded it) to the community pool; only the registry entry stays, and with it the
    // chain id: chain ids are never reused.
    let before = net.chain.balance(&owner.address(), DENOM);
    let responses = net.until(stopped_at + PROVIDER_UNBONDING);
    let deleted = responses.last().expect("blocks");
    let deletion = events_of(deleted, "consumer_deleted");
    assert_eq!(deletion.len(), 1);
    assert_eq!(
        attr(deletion[0], "to_community_pool"),
        format!("{}{DENOM}", 1_000_000 - paid)
    );
    assert_eq!(net.chain.balance(&owner.address(), DENOM), before + DEPOSIT);
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Deleted as i32);
    assert!(net.consumer_validators(0).is_empty());
    let pledges = net.chain.query::<rpb::QueryConsumerPledgesResponse>(
        "/rampart.restaking.v1.Query/ConsumerPledges",
        &rpb::QueryConsumerPledgesRequest {
            consumer_id: 0,
            pagination: None,
        },
    );
    assert!(pledges.pledges.is_empty());
    assert!(net.pledges_of(&v[2]).is_empty());
    let again = |chain_id: &str| {
        vec![register(
            &owner,
            chain_id,
            None,
            Some(consumer_params(1, 0, "0.05", 0)),
        )]
    };
    let reused = net.deliver(net.chain.free_tx(&owner, again("consumer-1"), GAS));
    assert_eq!(code(&reused), ("consumer".into(), 18), "{}", reused.log);
    let result = net.free_ok(&owner, again("consumer-3"));
    assert_eq!(
        tx_attr(&result, "register_consumer", "consumer_id").as_deref(),
        Some("2")
    );
    let list = |phase: cpb::ConsumerPhase, limit: u64| {
        net.chain.query::<cpb::QueryConsumersResponse>(
            "/rampart.consumer.v1.Query/Consumers",
            &cpb::QueryConsumersRequest {
                phase: phase as i32,
                pagination: Some(
                    cosmos_sdk_proto::cosmos::base::query::v1beta1::PageRequest {
                        limit,
                        count_total: true,
                        ..Default::default()
                    },
                ),
            },
        )
    };
    let deleted = list(cpb::ConsumerPhase::Deleted, 10);
    assert_eq!(
        deleted
            .consumers
            .iter()
            .map(|c| c.consumer_id)
            .collect::<Vec<_>>(),
        [0]
    );
    let page = list(cpb::ConsumerPhase::Unspecified, 2);
    assert_eq!(page.consumers.len(), 2);
    let pagination = page.pagination.expect("pagination");
    assert_eq!(pagination.total, 3);
    assert!(!pagination.next_key.is_empty());
    // Opting in to the deleted consumer is refused.
    let refused = net.deliver(
        net.chain
            .operator_tx(&v[3], vec![opt_in(&v[3], 0, 100, None)], GAS),
    );
    assert_eq!(code(&refused), ("restaking".into(), 4), "{}", refused.log);
    // The whole history is pinned: this scenario's final app hash. A change meant to alter what
    // it commits updates it and says why. Changed by issue 11 (provider side): consumer params
    // gained the liveness window, epoch length, ccv timeout and clock drift, registry entries
    // `last_heard_from` and a ccv-timeout queue, the consumer genesis its trust anchor. Last
    // changed by issue 11, item 2 (acknowledgements): every validator update in packets and in
    // the genesis' `initial_validators` names its `provider_operator`, and the hash of each set
    // sent (at launch and with every packet) is stored under `consumer/sethash/`. Last changed by
    // issue 12, items 1 and 3: each set sent is recorded with the time it was sent
    // (`consumer/setlock/`) and a replaced one queued for the end of its period
    // (`consumer/setexpiry/`); a deleted consumer keeps its chain id (`consumer/chain/`), so the
    // re-registration of `consumer-1` above is refused and `consumer-3` registered instead.
    // Last changed by issue 12, double votes placed by consumer headers: each set sent also
    // records its members with the stake counted for them (`consumer/setmember/`: consumer 1's
    // two members remain; consumer 0's went with its deletion, like its evidence record, which
    // now holds the vsc id of the set charged); and by the consumer slash meter: module params
    // `slash_meter_fraction` and `slash_meter_period_seconds`, and each live consumer's meter
    // (`consumer/meter/`, `consumer/meterdue/`). Checked: the final state without exactly these
    // keys and fields hashes to the previous pin, b067be3d…fbd9a9. Then the meter's record also
    // stores its allowance (08b4a558… before). Then issue 13 (findings 1, 7, 9): module params
    // `registration_expiry_seconds` and `expired_deposit_forfeit`; registry entries carry
    // `expire_time` (registration + 30 days); the due-work queues `consumer/expirydue/` (the
    // registered `consumer-3`), `consumer/epochdue/` and `consumer/epochat/` (launched consumer
    // 1), `consumer/paying/` (launched consumers with a reward rate); and consumer 0's deletion
    // sends what was left of its pool to the community pool (distribution's pool and module
    // account) instead of the owner (6fe92039…ce3920 before). Then issue 17: the liquid module
    // stores `liquid/params` at genesis and claims its module account (`auth/acc/‖liquid`,
    // `auth/next_num` + 1), so every account created after its genesis has a number one higher
    // (checked: without the module the scenario hashes to 0e1d274f…cd6e58, the previous pin).
    let app_hash: String = net
        .chain
        .app_hash()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        app_hash,
        "74ef63695145b37be7c312f5eab8464541635fd206e05985e0605f2266d406b1"
    );
}
