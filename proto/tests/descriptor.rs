//! The reflection descriptor set: every served service and every type that travels inside an
//! `Any` is described, with the Cosmos SDK's names and field numbers.

use std::collections::BTreeSet;
use std::fmt::Debug;

use cosmos_sdk_proto::cosmos::base::query::v1beta1::PageResponse;
use cosmos_sdk_proto::cosmos::base::v1beta1::{Coin, DecCoin};
use cosmos_sdk_proto::cosmos::{distribution, mint, slashing, staking};
use cosmos_sdk_proto::{Any, Timestamp};
use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, ReflectMessage, Value};
use prost_types::{DescriptorProto, FileDescriptorSet};
use tendermint_proto::google::protobuf::Duration;

fn descriptor_set() -> FileDescriptorSet {
    FileDescriptorSet::decode(rampart_proto::FILE_DESCRIPTOR_SET).expect("valid descriptor set")
}

/// `package.Name` of every top-level message.
fn message_names(set: &FileDescriptorSet) -> BTreeSet<String> {
    set.file
        .iter()
        .flat_map(|file| {
            file.message_type
                .iter()
                .map(move |message| format!("{}.{}", file.package(), message.name()))
        })
        .collect()
}

fn message<'a>(set: &'a FileDescriptorSet, full_name: &str) -> &'a DescriptorProto {
    set.file
        .iter()
        .flat_map(|file| {
            file.message_type
                .iter()
                .map(move |message| (format!("{}.{}", file.package(), message.name()), message))
        })
        .find(|(name, _)| name == full_name)
        .map(|(_, message)| message)
        .unwrap_or_else(|| panic!("{full_name} is not in the descriptor set"))
}

fn fields(message: &DescriptorProto) -> Vec<(String, i32)> {
    message
        .field
        .iter()
        .map(|field| (field.name().to_string(), field.number()))
        .collect()
}

#[test]
fn exactly_the_served_services_are_described() {
    let services: BTreeSet<String> = descriptor_set()
        .file
        .iter()
        .flat_map(|file| {
            file.service
                .iter()
                .map(move |service| format!("{}.{}", file.package(), service.name()))
        })
        .collect();
    let expected: BTreeSet<String> = [
        "cosmos.auth.v1beta1.Query",
        "cosmos.bank.v1beta1.Query",
        "cosmos.base.tendermint.v1beta1.Service",
        "cosmos.consensus.v1.Query",
        "cosmos.distribution.v1beta1.Query",
        "cosmos.mint.v1beta1.Query",
        "cosmos.slashing.v1beta1.Query",
        "cosmos.staking.v1beta1.Query",
        "cosmos.tx.v1beta1.Service",
        "rampart.ccv.v1.Query",
        "rampart.chain.v1.Query",
        "rampart.consumer.v1.Query",
        "rampart.liquid.v1.Query",
        "rampart.restaking.v1.Query",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(services, expected);
}

#[test]
fn every_any_payload_is_described() {
    let names = message_names(&descriptor_set());
    for name in [
        "cosmos.auth.v1beta1.BaseAccount",
        "cosmos.auth.v1beta1.ModuleAccount",
        "cosmos.crypto.secp256k1.PubKey",
        "cosmos.crypto.ed25519.PubKey",
        "cosmos.crypto.multisig.LegacyAminoPubKey",
        "cosmos.bank.v1beta1.MsgSend",
        "cosmos.bank.v1beta1.MsgSendResponse",
        "cosmos.bank.v1beta1.MsgMultiSend",
        "cosmos.bank.v1beta1.MsgMultiSendResponse",
        "cosmos.staking.v1beta1.MsgCreateValidator",
        "cosmos.staking.v1beta1.MsgCreateValidatorResponse",
        "cosmos.staking.v1beta1.MsgEditValidator",
        "cosmos.staking.v1beta1.MsgEditValidatorResponse",
        "cosmos.staking.v1beta1.MsgDelegate",
        "cosmos.staking.v1beta1.MsgDelegateResponse",
        "cosmos.staking.v1beta1.MsgUndelegate",
        "cosmos.staking.v1beta1.MsgUndelegateResponse",
        "cosmos.staking.v1beta1.MsgBeginRedelegate",
        "cosmos.staking.v1beta1.MsgBeginRedelegateResponse",
        "cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
        "cosmos.staking.v1beta1.MsgCancelUnbondingDelegationResponse",
        "cosmos.distribution.v1beta1.MsgSetWithdrawAddress",
        "cosmos.distribution.v1beta1.MsgSetWithdrawAddressResponse",
        "cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
        "cosmos.distribution.v1beta1.MsgWithdrawDelegatorRewardResponse",
        "cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission",
        "cosmos.distribution.v1beta1.MsgWithdrawValidatorCommissionResponse",
        "cosmos.distribution.v1beta1.MsgFundCommunityPool",
        "cosmos.distribution.v1beta1.MsgFundCommunityPoolResponse",
        "cosmos.slashing.v1beta1.MsgUnjail",
        "cosmos.slashing.v1beta1.MsgUnjailResponse",
        "rampart.consumer.v1.MsgRegisterConsumer",
        "rampart.consumer.v1.MsgRegisterConsumerResponse",
        "rampart.consumer.v1.MsgUpdateConsumer",
        "rampart.consumer.v1.MsgUpdateConsumerResponse",
        "rampart.consumer.v1.MsgRemoveConsumer",
        "rampart.consumer.v1.MsgRemoveConsumerResponse",
        "rampart.consumer.v1.MsgFundConsumerRewards",
        "rampart.consumer.v1.MsgFundConsumerRewardsResponse",
        "rampart.consumer.v1.MsgSetConsumerCommission",
        "rampart.consumer.v1.MsgSetConsumerCommissionResponse",
        "rampart.restaking.v1.MsgOptIn",
        "rampart.restaking.v1.MsgOptInResponse",
        "rampart.restaking.v1.MsgSetPledge",
        "rampart.restaking.v1.MsgSetPledgeResponse",
        "rampart.restaking.v1.MsgOptOut",
        "rampart.restaking.v1.MsgOptOutResponse",
        "rampart.restaking.v1.MsgAssignConsumerKey",
        "rampart.restaking.v1.MsgAssignConsumerKeyResponse",
        "rampart.restaking.v1.MsgSubmitConsumerDoubleVote",
        "rampart.restaking.v1.MsgSubmitConsumerDoubleVoteResponse",
        "cosmos.tx.v1beta1.Tx",
        "cosmos.tx.v1beta1.TxRaw",
        "cosmos.tx.v1beta1.SignDoc",
        "cosmos.base.abci.v1beta1.TxMsgData",
        "google.protobuf.Any",
    ] {
        assert!(names.contains(name), "{name} is missing");
    }
}

#[test]
fn field_numbers_are_the_sdk_ones() {
    let set = descriptor_set();
    let owned = |pairs: &[(&str, i32)]| -> Vec<(String, i32)> {
        pairs.iter().map(|(n, i)| (n.to_string(), *i)).collect()
    };
    assert_eq!(
        fields(message(&set, "cosmos.auth.v1beta1.BaseAccount")),
        owned(&[
            ("address", 1),
            ("pub_key", 2),
            ("account_number", 3),
            ("sequence", 4)
        ])
    );
    assert_eq!(
        fields(message(&set, "cosmos.tx.v1beta1.TxBody")),
        owned(&[
            ("messages", 1),
            ("memo", 2),
            ("timeout_height", 3),
            ("extension_options", 1023),
            ("non_critical_extension_options", 2047)
        ])
    );
    assert_eq!(
        fields(message(&set, "cosmos.tx.v1beta1.SimulateRequest")),
        owned(&[("tx", 1), ("tx_bytes", 2)])
    );
    assert_eq!(
        fields(message(&set, "cosmos.base.abci.v1beta1.TxResponse")).len(),
        13
    );
}

#[test]
fn the_descriptor_set_is_self_contained() {
    let set = descriptor_set();
    let files: BTreeSet<&str> = set.file.iter().map(|file| file.name()).collect();
    for file in &set.file {
        for dependency in &file.dependency {
            assert!(
                files.contains(dependency.as_str()),
                "{} imports {dependency}, which is not in the set",
                file.name()
            );
        }
    }
}

/// The top-level `(field, value)` entries of a prost message's pretty `Debug` output, in
/// declaration order: prost names each entry after the Rust field, i.e. the SDK's field name.
fn debug_entries(value: &impl Debug) -> Vec<(String, String)> {
    let text = format!("{value:#?}");
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in text.lines().skip(1) {
        let field = line
            .strip_prefix("    ")
            .filter(|rest| !rest.starts_with(' '))
            .and_then(|rest| rest.split_once(": "))
            .filter(|(name, _)| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        match (field, entries.last_mut()) {
            (Some((name, value)), _) => entries.push((name.to_string(), value.to_string())),
            (None, Some((_, value))) => {
                value.push('\n');
                value.push_str(line);
            }
            (None, None) => {}
        }
    }
    entries
}

/// Every field of `message` (and of every message nested in it) is set, and none is unknown to
/// the descriptor.
fn assert_fully_known(message: &DynamicMessage, path: &str) {
    assert_eq!(
        message.unknown_fields().count(),
        0,
        "{path} carries field numbers the descriptor lacks"
    );
    for field in message.descriptor().fields() {
        let at = format!("{path}.{}", field.name());
        assert!(
            message.has_field(&field),
            "{at} = {} is unset: the descriptor has a field the SDK type lacks (or the test \
             value is not fully populated)",
            field.number()
        );
        assert_values_known(&message.get_field(&field), &at);
    }
}

fn assert_values_known(value: &Value, path: &str) {
    match value {
        Value::Message(message) => assert_fully_known(message, path),
        Value::List(items) => items
            .iter()
            .for_each(|item| assert_values_known(item, path)),
        _ => {}
    }
}

/// `value`, a fully populated cosmos-sdk-proto 0.27 (SDK v0.50) message, decodes against the
/// descriptor of `full_name` with no unknown and no missing field at any depth; the descriptor's
/// field names are the Rust type's, in the same order; each field number carries the Rust field of
/// the same name; and the dynamic message encodes back to `value`.
fn assert_sdk_layout<T: Message + Default + PartialEq + Debug>(
    pool: &DescriptorPool,
    full_name: &str,
    value: &T,
) {
    let descriptor = pool
        .get_message_by_name(full_name)
        .unwrap_or_else(|| panic!("{full_name} is not in the descriptor set"));
    let dynamic = DynamicMessage::decode(descriptor.clone(), value.encode_to_vec().as_slice())
        .unwrap_or_else(|e| panic!("{full_name}: the SDK encoding does not decode: {e}"));
    assert_fully_known(&dynamic, full_name);

    let original = debug_entries(value);
    let rust_names: Vec<&str> = original.iter().map(|(name, _)| name.as_str()).collect();
    let proto_names: Vec<String> = descriptor
        .fields()
        .map(|field| field.name().to_string())
        .collect();
    assert_eq!(proto_names, rust_names, "{full_name}: field names");

    for field in descriptor.fields() {
        let mut without = dynamic.clone();
        without.clear_field(&field);
        let decoded = T::decode(without.encode_to_vec().as_slice()).expect("decodes");
        let changed: Vec<String> = debug_entries(&decoded)
            .into_iter()
            .zip(&original)
            .filter(|(now, before)| now != *before)
            .map(|(now, _)| now.0)
            .collect();
        assert_eq!(
            changed,
            [field.name()],
            "{full_name}: field number {} is not the SDK's `{}`",
            field.number(),
            field.name()
        );
    }

    let round_trip = T::decode(dynamic.encode_to_vec().as_slice()).expect("decodes");
    assert_eq!(&round_trip, value, "{full_name}: round trip");
}

/// Bytes that are not UTF-8, so a `bytes` field described as `string` fails to decode.
fn raw(tag: u8) -> Vec<u8> {
    vec![0xff, 0xfe, tag]
}

fn timestamp() -> Timestamp {
    Timestamp {
        seconds: 1_700_000_000,
        nanos: 5,
    }
}

fn duration() -> Duration {
    Duration {
        seconds: 1_814_400,
        nanos: 7,
    }
}

fn coin() -> Coin {
    Coin {
        denom: "urpt".into(),
        amount: "1000".into(),
    }
}

fn dec_coin() -> DecCoin {
    DecCoin {
        denom: "urpt".into(),
        amount: "12.500000000000000000".into(),
    }
}

fn page() -> PageResponse {
    PageResponse {
        next_key: raw(1),
        total: 2,
    }
}

fn pubkey() -> Any {
    Any {
        type_url: "/cosmos.crypto.ed25519.PubKey".into(),
        value: raw(2),
    }
}

fn description() -> staking::v1beta1::Description {
    staking::v1beta1::Description {
        moniker: "moniker".into(),
        identity: "identity".into(),
        website: "website".into(),
        security_contact: "security_contact".into(),
        details: "details".into(),
    }
}

fn commission_rates() -> staking::v1beta1::CommissionRates {
    staking::v1beta1::CommissionRates {
        rate: "0.1".into(),
        max_rate: "0.2".into(),
        max_change_rate: "0.01".into(),
    }
}

fn validator() -> staking::v1beta1::Validator {
    staking::v1beta1::Validator {
        operator_address: "operator_address".into(),
        consensus_pubkey: Some(pubkey()),
        jailed: true,
        status: staking::v1beta1::BondStatus::Bonded.into(),
        tokens: "tokens".into(),
        delegator_shares: "delegator_shares".into(),
        description: Some(description()),
        unbonding_height: 8,
        unbonding_time: Some(timestamp()),
        commission: Some(staking::v1beta1::Commission {
            commission_rates: Some(commission_rates()),
            update_time: Some(timestamp()),
        }),
        min_self_delegation: "min_self_delegation".into(),
        unbonding_on_hold_ref_count: 12,
        unbonding_ids: vec![13, 14],
    }
}

fn header() -> tendermint_proto::types::Header {
    tendermint_proto::types::Header {
        version: Some(tendermint_proto::version::Consensus { block: 11, app: 1 }),
        chain_id: "chain_id".into(),
        height: 3,
        time: Some(timestamp()),
        last_block_id: Some(tendermint_proto::types::BlockId {
            hash: raw(5),
            part_set_header: Some(tendermint_proto::types::PartSetHeader {
                total: 1,
                hash: raw(6),
            }),
        }),
        last_commit_hash: raw(6),
        data_hash: raw(7),
        validators_hash: raw(8),
        next_validators_hash: raw(9),
        consensus_hash: raw(10),
        app_hash: raw(11),
        last_results_hash: raw(12),
        evidence_hash: raw(13),
        proposer_address: raw(14),
    }
}

#[test]
#[allow(deprecated)] // MsgCreateValidator.delegator_address, distribution Params' proposer rewards
fn field_names_and_numbers_are_the_cosmos_sdk_proto_ones() {
    use distribution::v1beta1 as distr;
    use staking::v1beta1 as stk;

    let pool = DescriptorPool::decode(rampart_proto::FILE_DESCRIPTOR_SET).expect("valid pool");

    // staking
    assert_sdk_layout(&pool, "cosmos.staking.v1beta1.Validator", &validator());
    assert_sdk_layout(
        &pool,
        "cosmos.staking.v1beta1.MsgCreateValidator",
        &stk::MsgCreateValidator {
            description: Some(description()),
            commission: Some(commission_rates()),
            min_self_delegation: "min_self_delegation".into(),
            delegator_address: "delegator_address".into(),
            validator_address: "validator_address".into(),
            pubkey: Some(pubkey()),
            value: Some(coin()),
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.staking.v1beta1.MsgEditValidator",
        &stk::MsgEditValidator {
            description: Some(description()),
            validator_address: "validator_address".into(),
            commission_rate: "commission_rate".into(),
            min_self_delegation: "min_self_delegation".into(),
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
        &stk::MsgCancelUnbondingDelegation {
            delegator_address: "delegator_address".into(),
            validator_address: "validator_address".into(),
            amount: Some(coin()),
            creation_height: 4,
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.staking.v1beta1.MsgUndelegateResponse",
        &stk::MsgUndelegateResponse {
            completion_time: Some(timestamp()),
            amount: Some(coin()),
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.staking.v1beta1.QueryValidatorsResponse",
        &stk::QueryValidatorsResponse {
            validators: vec![validator(), validator()],
            pagination: Some(page()),
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.staking.v1beta1.QueryDelegationResponse",
        &stk::QueryDelegationResponse {
            delegation_response: Some(stk::DelegationResponse {
                delegation: Some(stk::Delegation {
                    delegator_address: "delegator_address".into(),
                    validator_address: "validator_address".into(),
                    shares: "shares".into(),
                }),
                balance: Some(coin()),
            }),
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.staking.v1beta1.UnbondingDelegation",
        &stk::UnbondingDelegation {
            delegator_address: "delegator_address".into(),
            validator_address: "validator_address".into(),
            entries: vec![stk::UnbondingDelegationEntry {
                creation_height: 1,
                completion_time: Some(timestamp()),
                initial_balance: "initial_balance".into(),
                balance: "balance".into(),
                unbonding_id: 5,
                unbonding_on_hold_ref_count: 6,
            }],
        },
    );
    let redelegation_entry = stk::RedelegationEntry {
        creation_height: 1,
        completion_time: Some(timestamp()),
        initial_balance: "initial_balance".into(),
        shares_dst: "shares_dst".into(),
        unbonding_id: 5,
        unbonding_on_hold_ref_count: 6,
    };
    assert_sdk_layout(
        &pool,
        "cosmos.staking.v1beta1.RedelegationResponse",
        &stk::RedelegationResponse {
            redelegation: Some(stk::Redelegation {
                delegator_address: "delegator_address".into(),
                validator_src_address: "validator_src_address".into(),
                validator_dst_address: "validator_dst_address".into(),
                entries: vec![redelegation_entry.clone()],
            }),
            entries: vec![stk::RedelegationEntryResponse {
                redelegation_entry: Some(redelegation_entry),
                balance: "balance".into(),
            }],
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.staking.v1beta1.HistoricalInfo",
        &stk::HistoricalInfo {
            header: Some(header()),
            valset: vec![validator()],
        },
    );
    assert_sdk_layout(&pool, "tendermint.types.Header", &header());
    assert_sdk_layout(
        &pool,
        "cosmos.staking.v1beta1.QueryPoolResponse",
        &stk::QueryPoolResponse {
            pool: Some(stk::Pool {
                not_bonded_tokens: "not_bonded_tokens".into(),
                bonded_tokens: "bonded_tokens".into(),
            }),
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.staking.v1beta1.Params",
        &stk::Params {
            unbonding_time: Some(duration()),
            max_validators: 2,
            max_entries: 3,
            historical_entries: 4,
            bond_denom: "bond_denom".into(),
            min_commission_rate: "min_commission_rate".into(),
        },
    );

    // distribution
    assert_sdk_layout(
        &pool,
        "cosmos.distribution.v1beta1.Params",
        &distr::Params {
            community_tax: "community_tax".into(),
            base_proposer_reward: "base_proposer_reward".into(),
            bonus_proposer_reward: "bonus_proposer_reward".into(),
            withdraw_addr_enabled: true,
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.distribution.v1beta1.QueryDelegationTotalRewardsResponse",
        &distr::QueryDelegationTotalRewardsResponse {
            rewards: vec![distr::DelegationDelegatorReward {
                validator_address: "validator_address".into(),
                reward: vec![dec_coin()],
            }],
            total: vec![dec_coin(), dec_coin()],
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.distribution.v1beta1.QueryValidatorDistributionInfoResponse",
        &distr::QueryValidatorDistributionInfoResponse {
            operator_address: "operator_address".into(),
            self_bond_rewards: vec![dec_coin()],
            commission: vec![dec_coin()],
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.distribution.v1beta1.QueryValidatorSlashesResponse",
        &distr::QueryValidatorSlashesResponse {
            slashes: vec![distr::ValidatorSlashEvent {
                validator_period: 1,
                fraction: "fraction".into(),
            }],
            pagination: Some(page()),
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.distribution.v1beta1.QueryValidatorCommissionResponse",
        &distr::QueryValidatorCommissionResponse {
            commission: Some(distr::ValidatorAccumulatedCommission {
                commission: vec![dec_coin()],
            }),
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.distribution.v1beta1.MsgFundCommunityPool",
        &distr::MsgFundCommunityPool {
            amount: vec![coin()],
            depositor: "depositor".into(),
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.distribution.v1beta1.MsgWithdrawDelegatorRewardResponse",
        &distr::MsgWithdrawDelegatorRewardResponse {
            amount: vec![coin()],
        },
    );

    // slashing
    let signing_info = slashing::v1beta1::ValidatorSigningInfo {
        address: "address".into(),
        start_height: 2,
        index_offset: 3,
        jailed_until: Some(timestamp()),
        tombstoned: true,
        missed_blocks_counter: 6,
    };
    assert_sdk_layout(
        &pool,
        "cosmos.slashing.v1beta1.ValidatorSigningInfo",
        &signing_info,
    );
    assert_sdk_layout(
        &pool,
        "cosmos.slashing.v1beta1.QuerySigningInfosResponse",
        &slashing::v1beta1::QuerySigningInfosResponse {
            info: vec![signing_info],
            pagination: Some(page()),
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.slashing.v1beta1.Params",
        &slashing::v1beta1::Params {
            signed_blocks_window: 1,
            min_signed_per_window: raw(2),
            downtime_jail_duration: Some(duration()),
            slash_fraction_double_sign: raw(4),
            slash_fraction_downtime: raw(5),
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.slashing.v1beta1.MsgUnjail",
        &slashing::v1beta1::MsgUnjail {
            validator_addr: "validator_addr".into(),
        },
    );

    // mint
    assert_sdk_layout(
        &pool,
        "cosmos.mint.v1beta1.Params",
        &mint::v1beta1::Params {
            mint_denom: "mint_denom".into(),
            inflation_rate_change: "inflation_rate_change".into(),
            inflation_max: "inflation_max".into(),
            inflation_min: "inflation_min".into(),
            goal_bonded: "goal_bonded".into(),
            blocks_per_year: 6,
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.mint.v1beta1.Minter",
        &mint::v1beta1::Minter {
            inflation: "inflation".into(),
            annual_provisions: "annual_provisions".into(),
        },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.mint.v1beta1.QueryInflationResponse",
        &mint::v1beta1::QueryInflationResponse { inflation: raw(1) },
    );
    assert_sdk_layout(
        &pool,
        "cosmos.mint.v1beta1.QueryAnnualProvisionsResponse",
        &mint::v1beta1::QueryAnnualProvisionsResponse {
            annual_provisions: raw(1),
        },
    );
}
