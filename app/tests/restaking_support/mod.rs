//! The provider chain of the restaking scenario tests (`restaking_*.rs`): its genesis, consumer
//! parameters, [`Net`] (a chain that books the rewards each consumer paid and checks the consumer
//! module account after every block) and [`refused`] for bad input. The message builders are in
//! `rampart_testkit::restaking`.

#![allow(dead_code)] // each scenario file uses a different subset

use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    QueryValidatorUnbondingDelegationsRequest, QueryValidatorUnbondingDelegationsResponse,
    UnbondingDelegationEntry,
};
use rampart_consumer::ConsumerValidator;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_proto::rampart::restaking::v1 as rpb;
use rampart_testkit::events::{assert_ok, attr, code, events_of, leading_amount};
use rampart_testkit::light_block::{HeaderSpec, Member};
use rampart_testkit::restaking::{consumer_header_at, infraction, update_consumer};
use rampart_testkit::*;
use tendermint::abci::response::FinalizeBlock;
use tendermint::abci::types::ExecTxResult;
use tendermint_proto::google::protobuf::Any;

/// Provider unbonding time in seconds (the driver makes one-second blocks).
pub const PROVIDER_UNBONDING: u64 = 100;
/// Consumer unbonding period in seconds.
pub const CONSUMER_UNBONDING: u64 = 50;
/// Blocks per epoch.
pub const EPOCH: u64 = 5;
/// The registration deposit.
pub const DEPOSIT: u128 = 1_000_000;
/// Funds of the test accounts.
pub const RICH: u128 = 1_000_000_000;
/// Gas limit of every transaction of these tests.
pub const GAS: u64 = 5_000_000;

/// Genesis of a provider chain with `validators`, `funded` keys holding [`RICH`] of both denoms,
/// no inflation, a [`PROVIDER_UNBONDING`] unbonding time, the consumer [`DEPOSIT`] and the
/// restaking parameters `restaking`.
pub fn provider_genesis(
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
        "staking": staking_section(PROVIDER_UNBONDING, 100),
        "consumer": {"params": {
            "registration_deposit": [{"denom": DENOM, "amount": DEPOSIT.to_string()}],
            "max_consumer_slash_fraction": "0.1",
        }},
        "restaking": {"params": restaking},
    });
    add_genesis_validators(&mut app_state, CHAIN_ID, validators);
    app_state
}

/// Restaking parameters with [`EPOCH`] blocks per epoch.
pub fn restaking_params(max_exposure: &str, max_consumers: u32) -> serde_json::Value {
    serde_json::json!({
        "max_slash_exposure": max_exposure,
        "max_consumers_per_validator": max_consumers,
        "blocks_per_epoch": EPOCH,
    })
}

/// Consumer parameters: thresholds, double-sign fraction (jail 20 s, tombstone), downtime 1 %,
/// up to 10 validators, [`CONSUMER_UNBONDING`], and `reward` uramp per block (0: none).
pub fn consumer_params(
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
        ..Default::default()
    }
}

/// A chain plus the rewards each consumer paid so far (from the block events).
pub struct Net {
    /// The chain.
    pub chain: Chain,
    /// Rewards paid so far by consumer id.
    pub paid: std::collections::BTreeMap<String, u128>,
}

impl Net {
    pub fn new(chain: Chain) -> Self {
        Self {
            chain,
            paid: Default::default(),
        }
    }

    /// The provider chain of [`provider_genesis`] (`validators` with their stakes, `funded`
    /// keys, the restaking parameters `restaking`), invariants checked after every block.
    pub fn provider(
        validators: &[(&TestValidator, u128)],
        funded: &[&Key],
        restaking: serde_json::Value,
    ) -> Self {
        let app_state = provider_genesis(validators, funded, restaking);
        Self::new(Chain::from_genesis(&app_state, true))
    }

    /// Commits a block; checks the consumer module account invariant.
    pub fn block(&mut self, txs: Vec<Vec<u8>>) -> FinalizeBlock {
        let response = self.chain.driver.block(txs);
        for e in events_of(&response, "consumer_rewards") {
            *self
                .paid
                .entry(attr(e, "consumer_id").to_owned())
                .or_default() += leading_amount(attr(e, "amount"));
        }
        rampart_consumer::invariants::check(&self.chain.storage.snapshot())
            .unwrap_or_else(|e| panic!("{}", e.log));
        response
    }

    pub fn deliver(&mut self, tx: Vec<u8>) -> ExecTxResult {
        self.block(vec![tx]).tx_results.remove(0)
    }

    pub fn deliver_ok(&mut self, tx: Vec<u8>) -> ExecTxResult {
        let result = self.deliver(tx);
        assert_ok(&result);
        result
    }

    /// Delivers `msgs` signed by `key` (no fee, [`GAS`]); asserts success.
    pub fn free_ok(&mut self, key: &Key, msgs: Vec<Any>) -> ExecTxResult {
        self.deliver_ok(self.chain.free_tx(key, msgs, GAS))
    }

    /// Delivers `msgs` signed by validator `v`'s operator (no fee, [`GAS`]); asserts success.
    pub fn operator_ok(&mut self, v: &TestValidator, msgs: Vec<Any>) -> ExecTxResult {
        self.deliver_ok(self.chain.operator_tx(v, msgs, GAS))
    }

    /// Commits an empty block when the next one is an epoch block, whose own changes would mix
    /// with those of a transaction in it.
    pub fn off_epoch(&mut self) {
        if (self.chain.driver.height + 1).is_multiple_of(EPOCH) {
            self.block(vec![]);
        }
    }

    /// The time of the provider block that delivers the next transaction (off an epoch block,
    /// as [`refused`] delivers it: one is committed now if it is next) plus `seconds`.
    pub fn next_block_time(&mut self, seconds: i64) -> tendermint::Time {
        self.off_epoch();
        shifted(
            MockConsensus::time_of(self.chain.driver.height + 1),
            seconds,
        )
    }

    /// Commits empty blocks up to and including `height`; returns their responses.
    pub fn until(&mut self, height: u64) -> Vec<FinalizeBlock> {
        let mut out = Vec::new();
        while self.chain.driver.height < height {
            out.push(self.block(vec![]));
        }
        out
    }

    /// Commits empty blocks through the next epoch height; returns the epoch block's response.
    pub fn next_epoch(&mut self) -> FinalizeBlock {
        let next = (self.chain.driver.height / EPOCH + 1) * EPOCH;
        self.until(next).pop().expect("at least one block")
    }

    pub fn tokens(&self, v: &TestValidator) -> u128 {
        self.chain.validator(v).tokens.0
    }

    pub fn consumer(&self, id: u64) -> cpb::Consumer {
        self.chain
            .query::<cpb::QueryConsumerResponse>(
                "/rampart.consumer.v1.Query/Consumer",
                &cpb::QueryConsumerRequest { consumer_id: id },
            )
            .consumer
            .expect("consumer")
    }

    pub fn pledges_of(&self, v: &TestValidator) -> Vec<rpb::Pledge> {
        self.chain
            .query::<rpb::QueryValidatorPledgesResponse>(
                "/rampart.restaking.v1.Query/ValidatorPledges",
                &rpb::QueryValidatorPledgesRequest {
                    validator: valoper(v),
                },
            )
            .pledges
    }

    pub fn consumer_validators(&self, id: u64) -> Vec<([u8; 32], u64)> {
        self.chain
            .query::<cpb::QueryConsumerValidatorsResponse>(
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

    /// The vsc id of the set last sent to consumer `id` (0: the launch set).
    pub fn last_sent(&self, id: u64) -> u64 {
        rampart_consumer::sets::last_sent(&self.chain.storage.snapshot(), id).expect("reads")
    }

    /// Consumer `id`'s set recorded as sent after `vsc_id`: its members with the stake counted
    /// for them (empty when not recorded).
    pub fn recorded_set(&self, id: u64, vsc_id: u64) -> Vec<ConsumerValidator> {
        rampart_consumer::sets::members(&self.chain.storage.snapshot(), id, vsc_id).expect("reads")
    }

    /// The member with consumer key `key` of consumer `id`'s set recorded after `vsc_id`.
    pub fn recorded_member(&self, id: u64, vsc_id: u64, key: &[u8; 32]) -> ConsumerValidator {
        self.recorded_set(id, vsc_id)
            .into_iter()
            .find(|m| &m.consumer_pubkey == key)
            .unwrap_or_else(|| panic!("no member {} after vsc id {vsc_id}", hex(key)))
    }

    /// The vsc ids of consumer `id`'s recorded sets (those the provider still accepts headers
    /// of), ascending.
    pub fn recorded_vsc_ids(&self, id: u64) -> Vec<u64> {
        rampart_consumer::sets::records(&self.chain.storage.snapshot(), id)
            .expect("reads")
            .iter()
            .map(|r| r.vsc_id)
            .collect()
    }

    /// The unbonding entries from validator `v` as (delegator, entry), in key order.
    pub fn unbonding_entries(&self, v: &TestValidator) -> Vec<(String, UnbondingDelegationEntry)> {
        self.chain
            .query::<QueryValidatorUnbondingDelegationsResponse>(
                "/cosmos.staking.v1beta1.Query/ValidatorUnbondingDelegations",
                &QueryValidatorUnbondingDelegationsRequest {
                    validator_addr: valoper(v),
                    pagination: None,
                },
            )
            .unbonding_responses
            .into_iter()
            .flat_map(|u| {
                let delegator = u.delegator_address;
                u.entries.into_iter().map(move |e| (delegator.clone(), e))
            })
            .collect()
    }

    /// A header of consumer `id`'s chain at consumer `height` and `time`, signed by its set
    /// recorded after `vsc_id` (every member's key is a test key or a test validator's).
    pub fn set_header(
        &self,
        id: u64,
        vsc_id: u64,
        height: u64,
        time: tendermint::Time,
    ) -> HeaderSpec {
        let set: Vec<Member> = self
            .recorded_set(id, vsc_id)
            .iter()
            .map(|m| (m.consumer_pubkey, m.power))
            .collect();
        assert!(
            !set.is_empty(),
            "consumer {id} has no set after vsc id {vsc_id}"
        );
        consumer_header_at(&self.consumer(id).chain_id, height, time, &set)
    }

    /// [`Net::set_header`] signed by the set last sent, the one the consumer signs with now.
    pub fn consumer_header(&self, id: u64, height: u64, time: tendermint::Time) -> HeaderSpec {
        self.set_header(id, self.last_sent(id), height, time)
    }

    pub fn packet_event(response: &FinalizeBlock, consumer_id: u64) -> Option<u64> {
        events_of(response, "vsc_packet")
            .into_iter()
            .find(|e| attr(e, "consumer_id") == consumer_id.to_string())
            .map(|e| attr(e, "vsc_id").parse().expect("vsc id"))
    }

    /// Consumer `id`'s genesis (written at launch).
    pub fn consumer_genesis(&self, id: u64) -> cpb::ConsumerGenesis {
        self.chain
            .query::<cpb::QueryConsumerGenesisResponse>(
                "/rampart.consumer.v1.Query/ConsumerGenesis",
                &cpb::QueryConsumerGenesisRequest { consumer_id: id },
            )
            .genesis
            .expect("genesis")
    }

    /// Consumer `id`'s security report.
    pub fn security_report(&self, id: u64) -> rpb::SecurityReport {
        self.chain
            .query::<rpb::QuerySecurityReportResponse>(
                "/rampart.restaking.v1.Query/SecurityReport",
                &rpb::QuerySecurityReportRequest { consumer_id: id },
            )
            .report
            .expect("report")
    }

    /// Validator `v`'s exposure over all its consumers.
    pub fn exposure(&self, v: &TestValidator) -> rpb::QueryValidatorExposureResponse {
        self.chain.query(
            "/rampart.restaking.v1.Query/ValidatorExposure",
            &rpb::QueryValidatorExposureRequest {
                validator: valoper(v),
            },
        )
    }

    /// The stored packet `vsc_id` of consumer `id`.
    pub fn packet(&self, id: u64, vsc_id: u64) -> cpb::ValidatorSetChangePacket {
        self.chain
            .query::<cpb::QueryPacketResponse>(
                "/rampart.consumer.v1.Query/Packet",
                &cpb::QueryPacketRequest {
                    consumer_id: id,
                    vsc_id,
                },
            )
            .packet
            .expect("packet")
    }

    /// `owner`'s transaction setting consumer `id`'s parameters to `params`.
    pub fn params_update(&self, owner: &Key, id: u64, params: cpb::ConsumerParams) -> Vec<u8> {
        let update = cpb::MsgUpdateConsumer {
            consumer_id: id,
            params: Some(params),
            ..Default::default()
        };
        self.chain
            .free_tx(owner, vec![update_consumer(owner, update)], GAS)
    }

    pub fn export_sections(&self) -> (serde_json::Value, serde_json::Value) {
        let exported = self.chain.driver.app.export().expect("exports");
        (exported["consumer"].clone(), exported["restaking"].clone())
    }
}

/// `time` plus `seconds`.
pub fn shifted(time: tendermint::Time, seconds: i64) -> tendermint::Time {
    tendermint::Time::from_unix_timestamp(time.unix_timestamp() + seconds, 0).expect("time")
}

/// `bytes` in hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A packet's validator updates as (consumer key, power).
pub fn updates(packet: &cpb::ValidatorSetChangePacket) -> Vec<(Vec<u8>, u64)> {
    let update = |u: &cpb::ValidatorUpdate| (u.consumer_pubkey.clone(), u.power);
    packet.updates.iter().map(update).collect()
}

/// `set` sorted.
pub fn sorted(mut set: Vec<([u8; 32], u64)>) -> Vec<([u8; 32], u64)> {
    set.sort();
    set
}

/// Asserts that `msg` signed by `signer` fails with `(codespace, code)` and changes neither the
/// consumer nor the restaking state.
pub fn refused(net: &mut Net, tx: Vec<u8>, codespace: &str, expected: u32) {
    // Epoch blocks change the state by themselves: keep the transaction out of them.
    net.off_epoch();
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
