//! Native shared security through the whole app, driven like CometBFT: consumer registration,
//! opt-ins with partial pledges, launch at the spawn time, epoch validator-set-change packets
//! proven with ICS-23 against the app hash, consumer double-vote evidence signed in the test,
//! opt-out, removal and deletion; bad input with stable codes and no state change; and a
//! property test that no slash exceeds its pledge bound and no validator its exposure bound.
//! The driver checks staking, bank and distribution invariants after every block; these tests
//! add the consumer module account's.

mod tx_support;

use cosmos_sdk_proto::cosmos::staking::v1beta1::MsgDelegate;
use ed25519_consensus::SigningKey;
use prost::Message;
use rampart_app::query::{PROOF_OP_TYPE, STORE_KEY_PATH};
use rampart_app::testing::{
    add_genesis_validators, consensus_address, MockConsensus, TestValidator,
};
use rampart_auth::address::VALIDATOR_PREFIX;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_proto::rampart::restaking::v1 as rpb;
use rampart_staking::StakingRead;
use rampart_store::{Storage, StorageConfig};
use tendermint::abci::response::FinalizeBlock;
use tendermint::abci::types::ExecTxResult;
use tendermint_proto::google::protobuf::{Any, Timestamp};
use tx_support::*;

/// Provider unbonding time in seconds (the driver makes one-second blocks).
const PROVIDER_UNBONDING: u64 = 100;
/// Consumer unbonding period in seconds.
const CONSUMER_UNBONDING: u64 = 50;
/// Blocks per epoch.
const EPOCH: u64 = 5;
/// The registration deposit.
const DEPOSIT: u128 = 1_000_000;
/// Funds of the test accounts.
const RICH: u128 = 1_000_000_000;

fn genesis(
    validators: &[(&TestValidator, u128)],
    funded: &[&Key],
    restaking: serde_json::Value,
) -> serde_json::Value {
    let balances: Vec<_> = funded
        .iter()
        .map(|k| {
            serde_json::json!({
                "address": k.address().to_string(),
                "coins": [
                    {"denom": OTHER, "amount": RICH.to_string()},
                    {"denom": DENOM, "amount": RICH.to_string()},
                ],
            })
        })
        .collect();
    let mut app_state = serde_json::json!({
        "bank": {"balances": balances},
        "mint": {"params": {"mint_denom": DENOM, "inflation": "0"}},
        "staking": {"params": {
            "unbonding_time_seconds": PROVIDER_UNBONDING,
            "max_validators": 100,
            "max_entries": 7,
            "bond_denom": DENOM,
            "min_commission_rate": "0",
        }},
        "consumer": {"params": {
            "registration_deposit": [{"denom": DENOM, "amount": DEPOSIT.to_string()}],
            "max_consumer_slash_fraction": "0.1",
        }},
        "restaking": {"params": restaking},
    });
    add_genesis_validators(&mut app_state, CHAIN_ID, validators);
    app_state
}

fn restaking_params(max_exposure: &str, max_consumers: u32) -> serde_json::Value {
    serde_json::json!({
        "max_slash_exposure": max_exposure,
        "max_consumers_per_validator": max_consumers,
        "blocks_per_epoch": EPOCH,
    })
}

fn any<M: Message>(type_url: &str, msg: &M) -> Any {
    Any {
        type_url: type_url.into(),
        value: msg.encode_to_vec(),
    }
}

fn valoper(v: &TestValidator) -> String {
    v.operator().to_bech32(VALIDATOR_PREFIX)
}

/// `msgs` signed by validator `v`'s operator, no fee.
fn val_tx(chain: &Chain, v: &TestValidator, msgs: Vec<Any>) -> Vec<u8> {
    let (number, sequence, _) = chain.account(&v.operator()).expect("operator account");
    let body = cosmos_sdk_proto::cosmos::tx::v1beta1::TxBody {
        messages: msgs,
        ..Default::default()
    };
    v.sign_tx(CHAIN_ID, number, sequence, body, 5_000_000)
}

/// `msgs` signed by `key`, no fee.
fn key_tx(chain: &Chain, key: &Key, msgs: Vec<Any>) -> Vec<u8> {
    let mut tx = TxBuilder::new(msgs, vec![chain.signer(key)]);
    tx.fee = Vec::new();
    tx.gas_limit = 5_000_000;
    tx.build()
}

fn ok(result: &ExecTxResult) {
    assert_eq!(
        result.code.value(),
        0,
        "{}: {}",
        result.codespace,
        result.log
    );
}

fn code(result: &ExecTxResult) -> (String, u32) {
    (result.codespace.clone(), result.code.value())
}

fn query<R: Message + Default>(chain: &Chain, path: &str, request: &impl Message) -> R {
    let answer = chain.driver.query(path, &request.encode_to_vec(), 0, false);
    assert_eq!(answer.code.value(), 0, "{path}: {}", answer.log);
    R::decode(answer.value.as_ref()).expect("decodes")
}

fn infraction(fraction: &str, jail: u64, tombstone: bool) -> cpb::InfractionParams {
    cpb::InfractionParams {
        slash_fraction: fraction.into(),
        jail_duration_seconds: jail,
        tombstone,
    }
}

fn consumer_params(
    min_validators: u32,
    min_total_pledge: u128,
    double_sign: &str,
    reward: u128,
) -> cpb::ConsumerParams {
    cpb::ConsumerParams {
        min_validators,
        min_total_pledge: min_total_pledge.to_string(),
        max_validators: 10,
        validator_power_cap: String::new(),
        allowlist: vec![],
        denylist: vec![],
        min_validator_stake: String::new(),
        unbonding_period_seconds: CONSUMER_UNBONDING,
        double_sign: Some(infraction(double_sign, 20, true)),
        downtime: Some(infraction("0.01", 10, false)),
        reward_rate_per_block: if reward == 0 {
            vec![]
        } else {
            vec![coin(&reward.to_string(), DENOM)]
        },
    }
}

fn timestamp_of(height: u64) -> Timestamp {
    let t = MockConsensus::time_of(height);
    Timestamp {
        seconds: t.unix_timestamp(),
        nanos: 0,
    }
}

fn register(
    owner: &Key,
    chain_id: &str,
    spawn_height: Option<u64>,
    params: Option<cpb::ConsumerParams>,
) -> Any {
    any(
        "/rampart.consumer.v1.MsgRegisterConsumer",
        &cpb::MsgRegisterConsumer {
            owner: owner.address().to_string(),
            chain_id: chain_id.into(),
            name: format!("{chain_id} chain"),
            description: "a consumer".into(),
            metadata_url: "https://example.org".into(),
            spawn_time: spawn_height.map(timestamp_of),
            params,
        },
    )
}

fn ed25519_any(key: &SigningKey) -> Any {
    any(
        "/cosmos.crypto.ed25519.PubKey",
        &cosmos_sdk_proto::cosmos::crypto::ed25519::PubKey {
            key: key.verification_key().to_bytes().to_vec(),
        },
    )
}

fn opt_in(v: &TestValidator, consumer_id: u64, bps: u32, key: Option<&SigningKey>) -> Any {
    any(
        "/rampart.restaking.v1.MsgOptIn",
        &rpb::MsgOptIn {
            validator: valoper(v),
            consumer_id,
            pledge_bps: bps,
            consumer_pubkey: key.map(ed25519_any),
        },
    )
}

fn set_pledge(v: &TestValidator, consumer_id: u64, bps: u32) -> Any {
    any(
        "/rampart.restaking.v1.MsgSetPledge",
        &rpb::MsgSetPledge {
            validator: valoper(v),
            consumer_id,
            pledge_bps: bps,
        },
    )
}

fn opt_out(v: &TestValidator, consumer_id: u64) -> Any {
    any(
        "/rampart.restaking.v1.MsgOptOut",
        &rpb::MsgOptOut {
            validator: valoper(v),
            consumer_id,
        },
    )
}

fn fund(funder: &Key, consumer_id: u64, amount: u128, denom: &str) -> Any {
    any(
        "/rampart.consumer.v1.MsgFundConsumerRewards",
        &cpb::MsgFundConsumerRewards {
            funder: funder.address().to_string(),
            consumer_id,
            amount: vec![coin(&amount.to_string(), denom)],
        },
    )
}

fn delegate(delegator: &Key, v: &TestValidator, amount: u128) -> Any {
    any(
        "/cosmos.staking.v1beta1.MsgDelegate",
        &MsgDelegate {
            delegator_address: delegator.address().to_string(),
            validator_address: valoper(v),
            amount: Some(coin(&amount.to_string(), DENOM)),
        },
    )
}

/// A precommit for block `block` at consumer `height`, signed with `key` over `chain_id`.
fn signed_vote(
    key: &SigningKey,
    chain_id: &str,
    height: i64,
    block: u8,
    time: Timestamp,
) -> tendermint_proto::types::Vote {
    use tendermint_proto::types::{BlockId, PartSetHeader, SignedMsgType, Vote};
    let address = consensus_address(&key.verification_key().to_bytes());
    let mut vote = Vote {
        r#type: SignedMsgType::Precommit as i32,
        height,
        round: 0,
        block_id: Some(BlockId {
            hash: vec![block; 32],
            part_set_header: Some(PartSetHeader {
                total: 1,
                hash: vec![block; 32],
            }),
        }),
        timestamp: Some(time),
        validator_address: address.to_vec(),
        validator_index: 0,
        signature: Vec::new(),
        extension: Vec::new(),
        extension_signature: Vec::new(),
    };
    let domain = tendermint::vote::Vote::try_from(vote.clone()).expect("valid vote");
    let chain_id = tendermint::chain::Id::try_from(chain_id.to_owned()).expect("chain id");
    vote.signature = key
        .sign(&domain.into_signable_vec(chain_id))
        .to_bytes()
        .to_vec();
    vote
}

fn double_vote(
    reporter: &Key,
    consumer_id: u64,
    vote_a: tendermint_proto::types::Vote,
    vote_b: tendermint_proto::types::Vote,
) -> Any {
    any(
        "/rampart.restaking.v1.MsgSubmitConsumerDoubleVote",
        &rpb::MsgSubmitConsumerDoubleVote {
            submitter: reporter.address().to_string(),
            consumer_id,
            vote_a: Some(vote_a),
            vote_b: Some(vote_b),
        },
    )
}

fn events_of<'a>(response: &'a FinalizeBlock, kind: &str) -> Vec<&'a tendermint::abci::Event> {
    response.events.iter().filter(|e| e.kind == kind).collect()
}

fn attr(event: &tendermint::abci::Event, key: &str) -> String {
    event
        .attributes
        .iter()
        .find(|a| a.key_bytes() == key.as_bytes())
        .and_then(|a| a.value_str().ok())
        .map(str::to_owned)
        .unwrap_or_default()
}

fn tx_attr(result: &ExecTxResult, kind: &str, key: &str) -> Option<String> {
    attributes(&result.events)
        .into_iter()
        .find(|(k, a, _)| k == kind && a == key)
        .map(|(_, _, v)| v)
}

fn leading_amount(text: &str) -> u128 {
    text.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

/// A chain plus the rewards each consumer paid so far (from the block events).
struct Net {
    chain: Chain,
    paid: std::collections::BTreeMap<String, u128>,
}

impl Net {
    fn new(chain: Chain) -> Self {
        Self {
            chain,
            paid: Default::default(),
        }
    }

    /// Commits a block; checks the consumer module account invariant.
    fn block(&mut self, txs: Vec<Vec<u8>>) -> FinalizeBlock {
        let response = self.chain.driver.block(txs);
        for e in events_of(&response, "consumer_rewards") {
            *self.paid.entry(attr(e, "consumer_id")).or_default() +=
                leading_amount(&attr(e, "amount"));
        }
        rampart_consumer::invariants::check(&self.chain.storage.snapshot())
            .unwrap_or_else(|e| panic!("{}", e.log));
        response
    }

    fn deliver(&mut self, tx: Vec<u8>) -> ExecTxResult {
        self.block(vec![tx]).tx_results.remove(0)
    }

    fn deliver_ok(&mut self, tx: Vec<u8>) -> ExecTxResult {
        let result = self.deliver(tx);
        ok(&result);
        result
    }

    /// Commits empty blocks up to and including `height`; returns their responses.
    fn until(&mut self, height: u64) -> Vec<FinalizeBlock> {
        let mut out = Vec::new();
        while self.chain.driver.height < height {
            out.push(self.block(vec![]));
        }
        out
    }

    /// Commits empty blocks through the next epoch height; returns the epoch block's response.
    fn next_epoch(&mut self) -> FinalizeBlock {
        let next = (self.chain.driver.height / EPOCH + 1) * EPOCH;
        self.until(next).pop().expect("at least one block")
    }

    fn tokens(&self, v: &TestValidator) -> u128 {
        self.chain
            .storage
            .snapshot()
            .validator(&v.operator().0)
            .expect("reads")
            .expect("exists")
            .tokens
            .0
    }

    fn consumer(&self, id: u64) -> cpb::Consumer {
        query::<cpb::QueryConsumerResponse>(
            &self.chain,
            "/rampart.consumer.v1.Query/Consumer",
            &cpb::QueryConsumerRequest { consumer_id: id },
        )
        .consumer
        .expect("consumer")
    }

    fn pledges_of(&self, v: &TestValidator) -> Vec<rpb::Pledge> {
        query::<rpb::QueryValidatorPledgesResponse>(
            &self.chain,
            "/rampart.restaking.v1.Query/ValidatorPledges",
            &rpb::QueryValidatorPledgesRequest {
                validator: valoper(v),
            },
        )
        .pledges
    }

    fn consumer_validators(&self, id: u64) -> Vec<([u8; 32], u64)> {
        query::<cpb::QueryConsumerValidatorsResponse>(
            &self.chain,
            "/rampart.consumer.v1.Query/ConsumerValidators",
            &cpb::QueryConsumerValidatorsRequest { consumer_id: id },
        )
        .validators
        .iter()
        .map(|v| {
            (
                v.consumer_pubkey.as_slice().try_into().expect("32 bytes"),
                v.power,
            )
        })
        .collect()
    }

    fn packet_event(response: &FinalizeBlock, consumer_id: u64) -> Option<u64> {
        events_of(response, "vsc_packet")
            .into_iter()
            .find(|e| attr(e, "consumer_id") == consumer_id.to_string())
            .map(|e| attr(e, "vsc_id").parse().expect("vsc id"))
    }

    fn export_sections(&self) -> (serde_json::Value, serde_json::Value) {
        let exported = self.chain.driver.app.export().expect("exports");
        (exported["consumer"].clone(), exported["restaking"].clone())
    }
}

fn sorted(mut set: Vec<([u8; 32], u64)>) -> Vec<([u8; 32], u64)> {
    set.sort();
    set
}

/// The scenario of the issue, end to end.
#[test]
fn register_launch_packets_evidence_opt_out_removal_and_deletion() {
    let (owner, delegator, reporter) = (Key::secp(90), Key::secp(91), Key::secp(92));
    let v: Vec<TestValidator> = (41..=44).map(TestValidator::new).collect();
    let stakes = [30_000_000u128, 20_000_000, 40_000_000, 10_000_000];
    let app_state = genesis(
        &[
            (&v[0], stakes[0]),
            (&v[1], stakes[1]),
            (&v[2], stakes[2]),
            (&v[3], stakes[3]),
        ],
        &[&owner, &delegator, &reporter],
        restaking_params("1", 4),
    );
    let mut net = Net::new(Chain::from_genesis(&app_state, true));
    let k2 = SigningKey::from([0xc1; 32]);
    let k2b = SigningKey::from([0xc2; 32]);
    let owner_start = net.chain.balance(&owner.address(), DENOM);

    // Registration: consumer 0 needs 3 validators and 50 M pledged; consumer 1 needs one.
    let spawn = net.chain.driver.height + 10;
    let result = net.deliver_ok(key_tx(
        &net.chain,
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
    ));
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
    net.deliver_ok(val_tx(
        &net.chain,
        &v[0],
        vec![opt_in(&v[0], 0, 10_000, None)],
    ));
    net.deliver_ok(val_tx(
        &net.chain,
        &v[1],
        vec![
            opt_in(&v[1], 0, 5_000, Some(&k2)),
            opt_in(&v[1], 1, 4_000, Some(&k2b)),
        ],
    ));
    net.deliver_ok(val_tx(
        &net.chain,
        &v[2],
        vec![opt_in(&v[2], 0, 2_500, None)],
    ));
    net.deliver_ok(val_tx(
        &net.chain,
        &v[0],
        vec![opt_in(&v[0], 1, 10_000, None)],
    ));
    net.deliver_ok(key_tx(
        &net.chain,
        &owner,
        vec![fund(&owner, 0, 1_000_000, DENOM)],
    ));

    // Before launch the security report describes the set consumer 0 would launch with.
    let report = query::<rpb::QuerySecurityReportResponse>(
        &net.chain,
        "/rampart.restaking.v1.Query/SecurityReport",
        &rpb::QuerySecurityReportRequest { consumer_id: 0 },
    )
    .report
    .expect("report");
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
    let genesis = query::<cpb::QueryConsumerGenesisResponse>(
        &net.chain,
        "/rampart.consumer.v1.Query/ConsumerGenesis",
        &cpb::QueryConsumerGenesisRequest { consumer_id: 0 },
    )
    .genesis
    .expect("genesis");
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
    let report = query::<rpb::QuerySecurityReportResponse>(
        &net.chain,
        "/rampart.restaking.v1.Query/SecurityReport",
        &rpb::QuerySecurityReportRequest { consumer_id: 0 },
    )
    .report
    .expect("report");
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
    let exposure = query::<rpb::QueryValidatorExposureResponse>(
        &net.chain,
        "/rampart.restaking.v1.Query/ValidatorExposure",
        &rpb::QueryValidatorExposureRequest {
            validator: valoper(&v[1]),
        },
    );
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
    net.deliver_ok(key_tx(
        &net.chain,
        &delegator,
        vec![delegate(&delegator, &v[2], 8_000_000)],
    ));
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), Some(1));
    assert_eq!(Net::packet_event(&epoch, 1), None, "consumer 1 unchanged");
    let answer = query::<cpb::QueryPacketResponse>(
        &net.chain,
        "/rampart.consumer.v1.Query/Packet",
        &cpb::QueryPacketRequest {
            consumer_id: 0,
            vsc_id: 1,
        },
    );
    let packet = answer.packet.expect("packet");
    assert_eq!(
        packet
            .updates
            .iter()
            .map(|u| (u.consumer_pubkey.clone(), u.power))
            .collect::<Vec<_>>(),
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
    let now = timestamp_of(net.chain.driver.height);
    let vote_a = signed_vote(&k2, "consumer-1", 7, 0xaa, now);
    let vote_b = signed_vote(&k2, "consumer-1", 7, 0xbb, now);
    let result = net.deliver_ok(key_tx(
        &net.chain,
        &reporter,
        vec![double_vote(&reporter, 0, vote_a.clone(), vote_b.clone())],
    ));
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
            .validator(&v[1].operator().0)
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
    let again = net.deliver(key_tx(
        &net.chain,
        &reporter,
        vec![double_vote(&reporter, 0, vote_a, vote_b)],
    ));
    assert_eq!(code(&again), ("restaking".into(), 14), "{}", again.log);

    // Next epoch: validator 1 leaves consumer 0 (with a slash ack) and its consumer-1 power
    // follows its slashed tokens: 19.5 M × 40 % = 7.8 M → 7.
    let epoch = net.next_epoch();
    assert_eq!(Net::packet_event(&epoch, 0), Some(2));
    assert_eq!(Net::packet_event(&epoch, 1), Some(1));
    let packet = query::<cpb::QueryPacketResponse>(
        &net.chain,
        "/rampart.consumer.v1.Query/Packet",
        &cpb::QueryPacketRequest {
            consumer_id: 0,
            vsc_id: 2,
        },
    )
    .packet
    .expect("packet");
    assert_eq!(
        packet
            .updates
            .iter()
            .map(|u| (u.consumer_pubkey.clone(), u.power))
            .collect::<Vec<_>>(),
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
    net.deliver_ok(val_tx(
        &net.chain,
        &v[0],
        vec![any(
            "/rampart.restaking.v1.MsgAssignConsumerKey",
            &rpb::MsgAssignConsumerKey {
                validator: valoper(&v[0]),
                consumer_id: 1,
                consumer_pubkey: Some(ed25519_any(&k0b)),
            },
        )],
    ));
    let retired = query::<rpb::QueryValidatorByConsumerKeyResponse>(
        &net.chain,
        "/rampart.restaking.v1.Query/ValidatorByConsumerKey",
        &rpb::QueryValidatorByConsumerKeyRequest {
            consumer_id: 1,
            consumer_address: rampart_auth::Address(v[0].consensus_address())
                .to_bech32(rampart_auth::address::CONSENSUS_PREFIX),
        },
    )
    .key
    .expect("key");
    assert_eq!(retired.validator, valoper(&v[0]));
    assert!(retired.retired_until.is_some());

    // Opt-out of validator 2: effective at the next epoch, which removes it from consumer 0.
    let result = net.deliver_ok(val_tx(&net.chain, &v[2], vec![opt_out(&v[2], 0)]));
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
    let result = net.deliver_ok(key_tx(
        &net.chain,
        &owner,
        vec![any(
            "/rampart.consumer.v1.MsgRemoveConsumer",
            &cpb::MsgRemoveConsumer {
                owner: owner.address().to_string(),
                consumer_id: 0,
            },
        )],
    ));
    let stopped_at = net.chain.driver.height;
    assert!(tx_attr(&result, "consumer_stopped", "delete_time").is_some());
    let stopped = net.consumer(0);
    assert_eq!(stopped.phase, cpb::ConsumerPhase::Stopped as i32);
    let paid = net.paid["0"];
    let packets = query::<cpb::QueryPendingPacketsResponse>(
        &net.chain,
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
    let pool = query::<cpb::QueryRewardPoolResponse>(
        &net.chain,
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
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = Storage::open(dir.path(), StorageConfig::default()).expect("store");
    let (mut again, _) =
        MockConsensus::init(storage.clone(), CHAIN_ID, 1, &exported).expect("re-imports");
    again.block(vec![]);
    let reexported = again.app.export().expect("exports");
    assert_eq!(reexported["consumer"], exported["consumer"]);
    assert_eq!(reexported["restaking"], exported["restaking"]);
    drop(again);

    // Deletion after the window: deposit and the rest of the pool back to the owner; only the
    // registry entry stays; the chain id is free again.
    let before = net.chain.balance(&owner.address(), DENOM);
    let responses = net.until(stopped_at + PROVIDER_UNBONDING);
    let deleted = responses.last().expect("blocks");
    assert_eq!(events_of(deleted, "consumer_deleted").len(), 1);
    assert_eq!(
        net.chain.balance(&owner.address(), DENOM),
        before + DEPOSIT + 1_000_000 - paid
    );
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Deleted as i32);
    assert!(net.consumer_validators(0).is_empty());
    let pledges = query::<rpb::QueryConsumerPledgesResponse>(
        &net.chain,
        "/rampart.restaking.v1.Query/ConsumerPledges",
        &rpb::QueryConsumerPledgesRequest {
            consumer_id: 0,
            pagination: None,
        },
    );
    assert!(pledges.pledges.is_empty());
    assert!(net.pledges_of(&v[2]).is_empty());
    let result = net.deliver_ok(key_tx(
        &net.chain,
        &owner,
        vec![register(
            &owner,
            "consumer-1",
            None,
            Some(consumer_params(1, 0, "0.05", 0)),
        )],
    ));
    assert_eq!(
        tx_attr(&result, "register_consumer", "consumer_id").as_deref(),
        Some("2")
    );
    let list = |phase: cpb::ConsumerPhase, limit: u64| {
        query::<cpb::QueryConsumersResponse>(
            &net.chain,
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
    let refused = net.deliver(val_tx(&net.chain, &v[3], vec![opt_in(&v[3], 0, 100, None)]));
    assert_eq!(code(&refused), ("restaking".into(), 4), "{}", refused.log);
}

#[test]
fn a_launch_below_the_thresholds_fails_and_names_the_threshold() {
    let owner = Key::secp(93);
    let v: Vec<TestValidator> = (45..=46).map(TestValidator::new).collect();
    let app_state = genesis(
        &[(&v[0], 10_000_000), (&v[1], 10_000_000)],
        &[&owner],
        restaking_params("1", 4),
    );
    let mut net = Net::new(Chain::from_genesis(&app_state, true));
    let spawn = net.chain.driver.height + 4;
    net.deliver_ok(key_tx(
        &net.chain,
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
    ));
    net.deliver_ok(val_tx(
        &net.chain,
        &v[0],
        vec![
            opt_in(&v[0], 0, 10_000, None),
            opt_in(&v[0], 1, 10_000, None),
        ],
    ));
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
    // A new spawn time once a second validator pledged: it launches.
    net.deliver_ok(val_tx(
        &net.chain,
        &v[1],
        vec![opt_in(&v[1], 0, 5_000, None)],
    ));
    let spawn = net.chain.driver.height + 2;
    net.deliver_ok(key_tx(
        &net.chain,
        &owner,
        vec![any(
            "/rampart.consumer.v1.MsgUpdateConsumer",
            &cpb::MsgUpdateConsumer {
                owner: owner.address().to_string(),
                consumer_id: 0,
                spawn_time: Some(timestamp_of(spawn)),
                ..Default::default()
            },
        )],
    ));
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
fn an_empty_reward_pool_pauses_payments_until_funded() {
    let owner = Key::secp(94);
    let v = TestValidator::new(47);
    let app_state = genesis(&[(&v, 10_000_000)], &[&owner], restaking_params("1", 4));
    let mut net = Net::new(Chain::from_genesis(&app_state, true));
    let spawn = net.chain.driver.height + 3;
    net.deliver_ok(key_tx(
        &net.chain,
        &owner,
        vec![
            register(
                &owner,
                "paying",
                Some(spawn),
                Some(consumer_params(1, 0, "0.05", 400)),
            ),
            fund(&owner, 0, 1_000, OTHER),
            fund(&owner, 0, 1_000, DENOM),
        ],
    ));
    net.deliver_ok(val_tx(&net.chain, &v, vec![opt_in(&v, 0, 10_000, None)]));
    // Set a consumer commission of 50 % (provider commission is 10 %).
    net.deliver_ok(val_tx(
        &net.chain,
        &v,
        vec![any(
            "/rampart.consumer.v1.MsgSetConsumerCommission",
            &cpb::MsgSetConsumerCommission {
                validator: valoper(&v),
                consumer_id: 0,
                rate: "0.5".into(),
            },
        )],
    ));
    net.until(spawn);
    // 400 + 400 + 200 then empty: paused once.
    let mut paused = 0;
    let mut commission = 0u128;
    for _ in 0..5 {
        let block = net.block(vec![]);
        paused += events_of(&block, "consumer_rewards_paused").len();
        for e in events_of(&block, "commission") {
            commission += leading_amount(&attr(e, "amount"));
        }
    }
    assert_eq!(net.paid["0"], 1_000);
    assert_eq!(paused, 1);
    assert_eq!(commission, 500, "the consumer commission applied");
    assert!(net.consumer(0).rewards_paused);
    net.deliver_ok(key_tx(
        &net.chain,
        &owner,
        vec![fund(&owner, 0, 400, DENOM)],
    ));
    let block = net.block(vec![]);
    assert_eq!(events_of(&block, "consumer_rewards_resumed").len(), 1);
    assert_eq!(net.paid["0"], 1_400);
}

/// Asserts that `msg` signed by `signer` fails with `(codespace, code)` and changes neither the
/// consumer nor the restaking state.
fn refused(net: &mut Net, tx: Vec<u8>, codespace: &str, expected: u32) {
    // Epoch blocks change the state by themselves: keep the transaction out of them.
    if (net.chain.driver.height + 1).is_multiple_of(EPOCH) {
        net.block(vec![]);
    }
    let before = net.export_sections();
    let result = net.deliver(tx);
    assert_eq!(
        code(&result),
        (codespace.to_owned(), expected),
        "{}",
        result.log
    );
    assert!(!result.log.is_empty());
    assert_eq!(
        net.export_sections(),
        before,
        "state unchanged: {}",
        result.log
    );
}

#[test]
fn bad_input_is_refused_with_stable_codes_and_changes_nothing() {
    let (owner, stranger, poor) = (Key::secp(95), Key::secp(96), Key::secp(97));
    let v: Vec<TestValidator> = (48..=50).map(TestValidator::new).collect();
    let app_state = genesis(
        &[
            (&v[0], 20_000_000),
            (&v[1], 20_000_000),
            (&v[2], 20_000_000),
        ],
        &[&owner, &stranger],
        restaking_params("0.08", 2),
    );
    let mut net = Net::new(Chain::from_genesis(&app_state, true));
    let good = consumer_params(1, 0, "0.05", 0);
    // Late enough for every refused transaction below (one block each) to land before it.
    let spawn = net.chain.driver.height + 60;

    // Registration.
    let tx = key_tx(
        &net.chain,
        &owner,
        vec![register(&owner, "c-1", Some(spawn), None)],
    );
    refused(&mut net, tx, "consumer", 2);
    let mut bad = good.clone();
    bad.double_sign = Some(infraction("0.2", 1, false));
    let tx = key_tx(
        &net.chain,
        &owner,
        vec![register(&owner, "c-1", Some(spawn), Some(bad))],
    );
    refused(&mut net, tx, "consumer", 2);
    let mut bad = good.clone();
    bad.unbonding_period_seconds = PROVIDER_UNBONDING + 1;
    let tx = key_tx(
        &net.chain,
        &owner,
        vec![register(&owner, "c-1", Some(spawn), Some(bad))],
    );
    refused(&mut net, tx, "consumer", 2);
    let mut bad = good.clone();
    bad.min_validators = 0;
    let tx = key_tx(
        &net.chain,
        &owner,
        vec![register(&owner, "c-1", Some(spawn), Some(bad))],
    );
    refused(&mut net, tx, "consumer", 2);
    let tx = key_tx(
        &net.chain,
        &owner,
        vec![register(&owner, CHAIN_ID, Some(spawn), Some(good.clone()))],
    );
    refused(&mut net, tx, "consumer", 4);
    let tx = key_tx(
        &net.chain,
        &owner,
        vec![register(
            &owner,
            "bad chain id",
            Some(spawn),
            Some(good.clone()),
        )],
    );
    refused(&mut net, tx, "consumer", 4);
    // The poor registrant cannot pay the deposit (it only holds what it gets now).
    net.deliver_ok(key_tx(
        &net.chain,
        &owner,
        vec![msg_send(
            &owner.address(),
            &poor.address(),
            vec![coin("10", DENOM)],
        )],
    ));
    let tx = key_tx(
        &net.chain,
        &poor,
        vec![register(&poor, "c-1", Some(spawn), Some(good.clone()))],
    );
    refused(&mut net, tx, "sdk", 5);
    for (chain_id, fraction) in [("c-1", "0.05"), ("c-2", "0.05"), ("c-3", "0.05")] {
        net.deliver_ok(key_tx(
            &net.chain,
            &owner,
            vec![register(
                &owner,
                chain_id,
                Some(spawn),
                Some(consumer_params(1, 0, fraction, 0)),
            )],
        ));
    }
    let tx = key_tx(
        &net.chain,
        &owner,
        vec![register(&owner, "c-1", Some(spawn), Some(good.clone()))],
    );
    refused(&mut net, tx, "consumer", 3);

    // Updates by a non-owner.
    let update = |signer: &Key| {
        any(
            "/rampart.consumer.v1.MsgUpdateConsumer",
            &cpb::MsgUpdateConsumer {
                owner: signer.address().to_string(),
                consumer_id: 0,
                name: Some("hijacked".into()),
                ..Default::default()
            },
        )
    };
    let tx = key_tx(&net.chain, &stranger, vec![update(&stranger)]);
    refused(&mut net, tx, "consumer", 6);

    // Pledges: unknown consumer, 0, above 100 %.
    let tx = val_tx(&net.chain, &v[0], vec![opt_in(&v[0], 99, 1_000, None)]);
    refused(&mut net, tx, "consumer", 5);
    let tx = val_tx(&net.chain, &v[0], vec![opt_in(&v[0], 0, 0, None)]);
    refused(&mut net, tx, "restaking", 2);
    let tx = val_tx(&net.chain, &v[0], vec![opt_in(&v[0], 0, 10_001, None)]);
    refused(&mut net, tx, "restaking", 2);

    // Exposure bound 8 %: 100 % × 5 % on c-1, then 100 % × 5 % on c-2 would be 10 %.
    net.deliver_ok(val_tx(
        &net.chain,
        &v[0],
        vec![opt_in(&v[0], 0, 10_000, None)],
    ));
    let tx = val_tx(&net.chain, &v[0], vec![opt_in(&v[0], 1, 10_000, None)]);
    refused(&mut net, tx, "restaking", 7);
    net.deliver_ok(val_tx(
        &net.chain,
        &v[0],
        vec![opt_in(&v[0], 1, 5_000, None)],
    ));
    // 5 % + 70 % × 5 % = 8.5 %: the increase is refused; a decrease is fine.
    let tx = val_tx(&net.chain, &v[0], vec![set_pledge(&v[0], 1, 7_000)]);
    refused(&mut net, tx, "restaking", 7);
    net.deliver_ok(val_tx(&net.chain, &v[0], vec![set_pledge(&v[0], 1, 1_000)]));
    // At most two consumers per validator.
    let tx = val_tx(&net.chain, &v[0], vec![opt_in(&v[0], 2, 100, None)]);
    refused(&mut net, tx, "restaking", 8);
    // A raise of c-1's fraction that would break validator 0's bound is refused too.
    let mut raised = good.clone();
    raised.double_sign = Some(infraction("0.08", 20, true));
    let tx = key_tx(
        &net.chain,
        &owner,
        vec![any(
            "/rampart.consumer.v1.MsgUpdateConsumer",
            &cpb::MsgUpdateConsumer {
                owner: owner.address().to_string(),
                consumer_id: 0,
                params: Some(raised),
                ..Default::default()
            },
        )],
    );
    refused(&mut net, tx, "restaking", 7);
    // Already opted in; opting out without a pledge.
    let tx = val_tx(&net.chain, &v[0], vec![opt_in(&v[0], 0, 10, None)]);
    refused(&mut net, tx, "restaking", 5);
    let tx = val_tx(&net.chain, &v[1], vec![opt_out(&v[1], 0)]);
    refused(&mut net, tx, "restaking", 6);

    // Keys in use: another validator's provider key, another validator's consumer key.
    let k1 = SigningKey::from([0xd1; 32]);
    net.deliver_ok(val_tx(
        &net.chain,
        &v[1],
        vec![opt_in(&v[1], 0, 1_000, Some(&k1))],
    ));
    let assign = |validator: &TestValidator, key: Any| {
        any(
            "/rampart.restaking.v1.MsgAssignConsumerKey",
            &rpb::MsgAssignConsumerKey {
                validator: valoper(validator),
                consumer_id: 0,
                consumer_pubkey: Some(key),
            },
        )
    };
    let provider_key_of_2 = any(
        "/cosmos.crypto.ed25519.PubKey",
        &cosmos_sdk_proto::cosmos::crypto::ed25519::PubKey {
            key: v[2].consensus_pubkey().to_vec(),
        },
    );
    let tx = val_tx(&net.chain, &v[0], vec![assign(&v[0], provider_key_of_2)]);
    refused(&mut net, tx, "restaking", 9);
    let tx = val_tx(&net.chain, &v[0], vec![assign(&v[0], ed25519_any(&k1))]);
    refused(&mut net, tx, "restaking", 9);
    let tx = val_tx(&net.chain, &v[2], vec![opt_in(&v[2], 0, 1_000, Some(&k1))]);
    refused(&mut net, tx, "restaking", 9);

    // Funding with coins the funder lacks, or nothing.
    let balance = net.chain.balance(&stranger.address(), DENOM);
    let tx = key_tx(
        &net.chain,
        &stranger,
        vec![fund(&stranger, 0, RICH + 1, DENOM)],
    );
    refused(&mut net, tx, "sdk", 5);
    assert_eq!(net.chain.balance(&stranger.address(), DENOM), balance);
    let tx = key_tx(
        &net.chain,
        &stranger,
        vec![any(
            "/rampart.consumer.v1.MsgFundConsumerRewards",
            &cpb::MsgFundConsumerRewards {
                funder: stranger.address().to_string(),
                consumer_id: 0,
                amount: vec![],
            },
        )],
    );
    refused(&mut net, tx, "sdk", 10);

    // Evidence against a registered (not launched) consumer.
    let t = timestamp_of(net.chain.driver.height);
    let tx = key_tx(
        &net.chain,
        &stranger,
        vec![double_vote(
            &stranger,
            0,
            signed_vote(&k1, "c-1", 3, 1, t),
            signed_vote(&k1, "c-1", 3, 2, t),
        )],
    );
    refused(&mut net, tx, "restaking", 4);

    // Launch c-1 (validators 0 and 1), then malformed evidence.
    net.until(spawn);
    assert_eq!(net.consumer(0).phase, cpb::ConsumerPhase::Launched as i32);
    let now = timestamp_of(net.chain.driver.height);
    let evidence = |a, b| double_vote(&stranger, 0, a, b);
    let cases: Vec<(
        tendermint_proto::types::Vote,
        tendermint_proto::types::Vote,
        &str,
        u32,
    )> = vec![
        // Equal block ids.
        (
            signed_vote(&k1, "c-1", 3, 1, now),
            signed_vote(&k1, "c-1", 3, 1, now),
            "restaking",
            10,
        ),
        // Different heights.
        (
            signed_vote(&k1, "c-1", 3, 1, now),
            signed_vote(&k1, "c-1", 4, 2, now),
            "restaking",
            10,
        ),
        // Signed for another chain id.
        (
            signed_vote(&k1, "c-2", 3, 1, now),
            signed_vote(&k1, "c-2", 3, 2, now),
            "restaking",
            11,
        ),
        // Unknown key.
        (
            signed_vote(&SigningKey::from([0xee; 32]), "c-1", 3, 1, now),
            signed_vote(&SigningKey::from([0xee; 32]), "c-1", 3, 2, now),
            "restaking",
            12,
        ),
        // Older than the consumer's unbonding period.
        (
            signed_vote(&k1, "c-1", 3, 1, timestamp_of(0)),
            signed_vote(&k1, "c-1", 3, 2, timestamp_of(0)),
            "restaking",
            13,
        ),
    ];
    for (a, b, codespace, expected) in cases {
        let tx = key_tx(&net.chain, &stranger, vec![evidence(a, b)]);
        refused(&mut net, tx, codespace, expected);
    }
    // A bad signature.
    let mut forged = signed_vote(&k1, "c-1", 3, 1, now);
    forged.signature[0] ^= 1;
    let tx = key_tx(
        &net.chain,
        &stranger,
        vec![evidence(forged, signed_vote(&k1, "c-1", 3, 2, now))],
    );
    refused(&mut net, tx, "restaking", 11);
    // Validator 1's real double vote is punished: 5 % × 10 % × 20 M = 100,000.
    let result = net.deliver_ok(key_tx(
        &net.chain,
        &stranger,
        vec![evidence(
            signed_vote(&k1, "c-1", 3, 1, now),
            signed_vote(&k1, "c-1", 3, 2, now),
        )],
    ));
    assert_eq!(
        tx_attr(&result, "consumer_slash", "burned").as_deref(),
        Some("100000uramp")
    );
    // Tombstoned on c-1: other evidence and a new opt-in are refused.
    let tx = key_tx(
        &net.chain,
        &stranger,
        vec![evidence(
            signed_vote(&k1, "c-1", 5, 1, now),
            signed_vote(&k1, "c-1", 5, 2, now),
        )],
    );
    refused(&mut net, tx, "restaking", 16);

    // Opting in to a stopped consumer.
    net.deliver_ok(key_tx(
        &net.chain,
        &owner,
        vec![any(
            "/rampart.consumer.v1.MsgRemoveConsumer",
            &cpb::MsgRemoveConsumer {
                owner: owner.address().to_string(),
                consumer_id: 0,
            },
        )],
    ));
    let tx = val_tx(&net.chain, &v[2], vec![opt_in(&v[2], 0, 100, None)]);
    refused(&mut net, tx, "restaking", 4);
    let tx = key_tx(&net.chain, &owner, vec![update(&owner)]);
    refused(&mut net, tx, "consumer", 7);
}

/// One step of the property test.
#[derive(Debug, Clone)]
enum Op {
    OptIn { v: usize, c: u64, bps: u32 },
    SetPledge { v: usize, c: u64, bps: u32 },
    OptOut { v: usize, c: u64 },
    Delegate { v: usize, amount: u128 },
    DoubleVote { v: usize, c: u64 },
    Blocks(u64),
}

fn op_strategy() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![
        4 => (0usize..4, 0u64..3, 1u32..=10_000).prop_map(|(v, c, bps)| Op::OptIn { v, c, bps }),
        2 => (0usize..4, 0u64..3, 1u32..=10_000).prop_map(|(v, c, bps)| Op::SetPledge { v, c, bps }),
        1 => (0usize..4, 0u64..3).prop_map(|(v, c)| Op::OptOut { v, c }),
        2 => (0usize..4, 1u128..30_000_000).prop_map(|(v, amount)| Op::Delegate { v, amount }),
        3 => (0usize..4, 0u64..3).prop_map(|(v, c)| Op::DoubleVote { v, c }),
        2 => (1u64..8).prop_map(Op::Blocks),
    ]
}

fn consumer_key(v: usize, c: u64) -> SigningKey {
    SigningKey::from([0x10 + (v as u8) * 4 + c as u8; 32])
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 16, ..Default::default() })]

    /// Over random opt-ins, pledges, delegations and double votes on three consumers: every
    /// consumer slash burns at most its fraction of the pledged tokens it was counted with, and
    /// every validator's worst case stays within `max_slash_exposure` after every block.
    #[test]
    fn no_slash_exceeds_its_bound_and_no_exposure_its_limit(
        ops in proptest::collection::vec(op_strategy(), 15..40),
    ) {
        let (owner, delegator, reporter) = (Key::secp(98), Key::secp(99), Key::secp(100));
        let v: Vec<TestValidator> = (51..=54).map(TestValidator::new).collect();
        let app_state = genesis(
            &[(&v[0], 30_000_000), (&v[1], 20_000_000), (&v[2], 10_000_000), (&v[3], 5_000_000)],
            &[&owner, &delegator, &reporter],
            restaking_params("0.1", 3),
        );
        let mut net = Net::new(Chain::from_genesis(&app_state, true));
        let spawn = net.chain.driver.height + 3;
        let fractions = ["0.1", "0.05", "0.02"];
        // Jailed for 3 s and not tombstoned: slashed validators come back and can be slashed
        // again for new infractions.
        let msgs = (0..3)
            .map(|c| {
                let mut params = consumer_params(1, 0, fractions[c], 0);
                params.double_sign = Some(infraction(fractions[c], 3, false));
                register(&owner, &format!("prop-{c}"), Some(spawn), Some(params))
            })
            .collect();
        net.deliver_ok(key_tx(&net.chain, &owner, msgs));
        // Validator c opts in to consumer c with 10 %, so that every consumer launches.
        let first: Vec<Vec<u8>> = (0..3usize)
            .map(|c| val_tx(&net.chain, &v[c], vec![opt_in(&v[c], c as u64, 1_000, Some(&consumer_key(c, c as u64)))]))
            .collect();
        for result in net.block(first).tx_results {
            ok(&result);
        }
        net.until(spawn);
        for c in 0..3 {
            proptest::prop_assert_eq!(net.consumer(c).phase, cpb::ConsumerPhase::Launched as i32);
        }
        let max = rampart_core::Decimal::from_bps(1_000);
        for op in ops {
            let tx = match &op {
                Op::OptIn { v: i, c, bps } => Some(val_tx(&net.chain, &v[*i], vec![opt_in(&v[*i], *c, *bps, Some(&consumer_key(*i, *c)))])),
                Op::SetPledge { v: i, c, bps } => Some(val_tx(&net.chain, &v[*i], vec![set_pledge(&v[*i], *c, *bps)])),
                Op::OptOut { v: i, c } => Some(val_tx(&net.chain, &v[*i], vec![opt_out(&v[*i], *c)])),
                Op::Delegate { v: i, amount } => Some(key_tx(&net.chain, &delegator, vec![delegate(&delegator, &v[*i], *amount)])),
                Op::DoubleVote { v: i, c } => {
                    let now = timestamp_of(net.chain.driver.height);
                    let key = consumer_key(*i, *c);
                    let chain_id = format!("prop-{c}");
                    let height = i64::try_from(net.chain.driver.height).unwrap_or(1);
                    Some(key_tx(&net.chain, &reporter, vec![double_vote(
                        &reporter,
                        *c,
                        signed_vote(&key, &chain_id, height, 1, now),
                        signed_vote(&key, &chain_id, height, 2, now),
                    )]))
                }
                Op::Blocks(n) => {
                    let target = net.chain.driver.height + n;
                    net.until(target);
                    None
                }
            };
            // The stake a double vote would be slashed against, read before it lands.
            let bound = if let Op::DoubleVote { v: i, c } = &op {
                net.pledges_of(&v[*i])
                    .into_iter()
                    .find(|p| p.consumer_id == *c)
                    .and_then(|p| {
                        let stakes = [p.in_set, p.departed];
                        stakes.into_iter().flatten()
                            .map(|s| s.pledged_tokens.parse::<u128>().expect("amount"))
                            .max()
                    })
            } else {
                None
            };
            if let Some(tx) = tx {
                let result = net.deliver(tx);
                if let Some(burned) = tx_attr(&result, "consumer_slash", "burned") {
                    let Op::DoubleVote { c, .. } = &op else { unreachable!("only evidence slashes") };
                    let fraction: rampart_core::Decimal = fractions[*c as usize].parse().expect("decimal");
                    let pledged = bound.expect("a slash needs counted stake");
                    let limit = rampart_core::Amount(pledged).mul_floor(fraction).expect("fits").0;
                    proptest::prop_assert!(leading_amount(&burned) <= limit, "burned {burned} > {limit} ({op:?})");
                }
            }
            // Every validator's exposure stays within the bound.
            for validator in &v {
                let exposure = query::<rpb::QueryValidatorExposureResponse>(
                    &net.chain,
                    "/rampart.restaking.v1.Query/ValidatorExposure",
                    &rpb::QueryValidatorExposureRequest { validator: valoper(validator) },
                );
                let total: rampart_core::Decimal = exposure.total_worst_case_fraction.parse().expect("decimal");
                proptest::prop_assert!(total <= max, "exposure {total} above {max} after {op:?}");
                proptest::prop_assert!(exposure.consumer_count <= 3);
            }
        }
    }
}

#[test]
fn lists_min_stake_max_validators_and_the_power_cap_shape_the_set_and_updates_wait() {
    let owner = Key::secp(101);
    let v: Vec<TestValidator> = (55..=58).map(TestValidator::new).collect();
    let app_state = genesis(
        &[
            (&v[0], 40_000_000),
            (&v[1], 20_000_000),
            (&v[2], 20_000_000),
            (&v[3], 5_000_000),
        ],
        &[&owner],
        restaking_params("1", 4),
    );
    let mut net = Net::new(Chain::from_genesis(&app_state, true));
    let spawn = net.chain.driver.height + 7;
    let mut params = consumer_params(2, 0, "0.05", 0);
    params.denylist = vec![valoper(&v[3])];
    params.min_validator_stake = "6000000".into();
    params.max_validators = 2;
    params.validator_power_cap = "0.6".into();
    net.deliver_ok(key_tx(
        &net.chain,
        &owner,
        vec![register(
            &owner,
            "shaped",
            Some(spawn),
            Some(params.clone()),
        )],
    ));
    for validator in &v {
        net.deliver_ok(val_tx(
            &net.chain,
            validator,
            vec![opt_in(validator, 0, 10_000, None)],
        ));
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
        any(
            "/rampart.consumer.v1.MsgUpdateConsumer",
            &cpb::MsgUpdateConsumer {
                owner: owner.address().to_string(),
                consumer_id: 0,
                params,
                spawn_time,
                ..Default::default()
            },
        )
    };
    let tx = key_tx(
        &net.chain,
        &owner,
        vec![update(None, Some(timestamp_of(500)))],
    );
    refused(&mut net, tx, "consumer", 9);
    let mut longer = params.clone();
    longer.unbonding_period_seconds = CONSUMER_UNBONDING + 1;
    let tx = key_tx(&net.chain, &owner, vec![update(Some(longer), None)]);
    refused(&mut net, tx, "consumer", 9);
    let mut raised = params.clone();
    raised.double_sign = Some(infraction("0.08", 20, true));
    let result = net.deliver_ok(key_tx(&net.chain, &owner, vec![update(Some(raised), None)]));
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
    let exposure = query::<rpb::QueryValidatorExposureResponse>(
        &net.chain,
        "/rampart.restaking.v1.Query/ValidatorExposure",
        &rpb::QueryValidatorExposureRequest {
            validator: valoper(&v[0]),
        },
    );
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
