//! List queries read a page, not the list (issue 13, finding 5): with 10,000 entries under each
//! list's prefix, a page of 10 reads a few dozen values (the page, what each entry points to,
//! the next entry and the parameters), counted by a [`Counting`] state on the way to it; a
//! `limit` of `u64::MAX` gets the 1,000-entry cap, and only `count_total` counts the whole list.
#![allow(clippy::unwrap_used)]

use cosmos_sdk_proto::cosmos::base::query::v1beta1::{PageRequest, PageResponse};
use cosmos_sdk_proto::cosmos::slashing::v1beta1 as slashing_pb;
use cosmos_sdk_proto::cosmos::staking::v1beta1 as staking_pb;
use prost::Message;
use rampart_app::Modules;
use rampart_core::state::{EmptyState, Overlay};
use rampart_core::{
    Address, Amount, BlockTime, ChainProfile, Counting, Decimal, GenesisContext, QueryContext,
    StateRead, StateWrite,
};
use rampart_proto::rampart::consumer::v1 as consumer_pb;
use rampart_proto::rampart::restaking::v1 as restaking_pb;
use rampart_staking::validator::{CommissionState, Validator};

/// Entries under every list.
const N: u32 = 10_000;
/// The page asked for.
const PAGE: u64 = 10;
/// What a page of [`PAGE`] may read: a handful of values per entry, never the list.
const PAGE_BUDGET: usize = 100;

/// Address number `i` of family `tag`.
fn address(tag: u8, i: u32) -> Address {
    let mut bytes = [tag; 20];
    bytes[..4].copy_from_slice(&i.to_be_bytes());
    Address(bytes)
}

/// The validator every delegator delegates to, and the delegator who delegates to every
/// validator (the first of each).
fn hub() -> Address {
    address(1, 0)
}
fn delegator() -> Address {
    address(2, 0)
}

fn validator(operator: Address) -> Validator {
    Validator {
        operator,
        pubkey: [7; 32],
        jailed: false,
        status: staking_pb::BondStatus::Bonded,
        tokens: Amount(1_000_000),
        delegator_shares: Decimal::ONE,
        description: Default::default(),
        commission: CommissionState {
            rate: Decimal::ZERO,
            max_rate: Decimal::ONE,
            max_change_rate: Decimal::ONE,
            update_time: BlockTime::default(),
        },
        min_self_delegation: Amount(1),
        unbonding_height: 0,
        unbonding_time: BlockTime::default(),
    }
}

fn entries<E: Default>(entry: impl Fn() -> E) -> Vec<E> {
    vec![entry()]
}

/// A state with [`N`] entries under every paginated list.
fn populated() -> Overlay<EmptyState> {
    let mut state = Overlay::new(EmptyState);
    let profile = ChainProfile::rampart();
    let one = Decimal::ONE;
    let ubd_entry = || staking_pb::UnbondingDelegationEntry {
        balance: "1".into(),
        initial_balance: "1".into(),
        completion_time: Some(Default::default()),
        ..Default::default()
    };
    let red_entry = || staking_pb::RedelegationEntry {
        shares_dst: "1000000000000000000".into(), // attos
        initial_balance: "1".into(),
        completion_time: Some(Default::default()),
        ..Default::default()
    };
    for i in 0..N {
        let (op, d) = (address(1, i), address(2, i));
        rampart_staking::validator::save(&mut state, &validator(op)).unwrap();
        rampart_staking::delegation::set_stored_shares(&mut state, &d, &hub(), one);
        rampart_staking::delegation::set_stored_shares(&mut state, &delegator(), &op, one);
        for (delegator, op) in [(d, hub()), (delegator(), op)] {
            let ubd = staking_pb::UnbondingDelegation {
                delegator_address: profile.to_account(&delegator),
                validator_address: profile.to_valoper(&op),
                entries: entries(ubd_entry),
            };
            rampart_staking::unbonding::save(&mut state, &delegator, &op, &ubd);
        }
        let red = staking_pb::Redelegation {
            delegator_address: profile.to_account(&delegator()),
            validator_src_address: profile.to_valoper(&hub()),
            validator_dst_address: profile.to_valoper(&op),
            entries: entries(red_entry),
        };
        rampart_staking::redelegation::save(&mut state, &delegator(), &hub(), &op, &red);
        rampart_slashing::signing::save(
            &mut state,
            &rampart_slashing::SigningInfo {
                address: address(4, i).0,
                start_height: 1,
                index_offset: 0,
                jailed_until: BlockTime::default(),
                tombstoned: false,
                missed_blocks_counter: 0,
            },
        );
        rampart_restaking::pledge::save(
            &mut state,
            &rampart_restaking::Pledge {
                validator: op,
                consumer_id: 0,
                pledge_bps: 100,
                status: rampart_restaking::Status::Active,
                in_set: None,
                departed: None,
                opt_in_height: 1,
            },
        );
        state.put(
            rampart_consumer::keys::packet(0, u64::from(i) + 1),
            consumer_pb::ValidatorSetChangePacket::default().encode_to_vec(),
        );
    }
    let consumers = consumer_pb::GenesisState {
        params: Some(consumer_pb::GenesisParams {
            max_consumer_slash_fraction: "0.1".into(),
            ..Default::default()
        }),
        next_consumer_id: u64::from(N),
        consumers: (0..u64::from(N)).map(consumer).collect(),
    };
    let ctx = GenesisContext {
        chain_id: "rampart-test".into(),
        profile,
        initial_height: 1,
        genesis_time: BlockTime::default(),
        validators: Vec::new(),
    };
    rampart_consumer::genesis::import(&mut state, &ctx, &consumers).unwrap();
    state
}

/// A registered consumer.
fn consumer(id: u64) -> consumer_pb::GenesisConsumer {
    let infraction = || consumer_pb::InfractionParams {
        slash_fraction: "0".into(),
        jail_duration_seconds: 60,
        tombstone: false,
    };
    consumer_pb::GenesisConsumer {
        consumer_id: id,
        chain_id: format!("c-{id}"),
        owner: ChainProfile::rampart().to_account(&address(5, 0)),
        name: format!("consumer {id}"),
        phase: "registered".into(),
        params: Some(consumer_pb::GenesisConsumerParams {
            min_validators: 1,
            max_validators: 10,
            unbonding_period_seconds: 100,
            double_sign: Some(infraction()),
            downtime: Some(infraction()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Answers `request` at `path` over `state`: the response and how many values and entries it
/// read.
fn ask(state: &dyn StateRead, path: &str, request: &[u8]) -> (Vec<u8>, usize) {
    let modules = Modules::provider();
    let counting = Counting::new(state);
    let profile = modules.chain_profile();
    let ctx = QueryContext {
        state: &counting,
        profile: &profile,
    };
    let bytes = modules
        .for_query(path)
        .unwrap()
        .query(ctx, path, request)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    (bytes, counting.count().reads())
}

/// One list query: its path, its request for a page, and the page a response holds.
struct List {
    path: &'static str,
    request: Box<dyn Fn(PageRequest) -> Vec<u8>>,
    page: fn(&[u8]) -> (usize, PageResponse),
}

/// A [`List`] of `$path` built by `$request` (a closure over the page), answered by `$response`
/// with the page's items in field `$items`.
macro_rules! list {
    ($path:expr, $request:expr, $response:ty, $items:ident) => {
        List {
            path: $path,
            request: Box::new(move |page| $request(Some(page)).encode_to_vec()),
            page: |bytes| {
                let r = <$response>::decode(bytes).unwrap();
                (r.$items.len(), r.pagination.unwrap_or_default())
            },
        }
    };
}

/// Every list query that used to load its whole list before paging.
fn lists() -> Vec<List> {
    use rampart_staking::queries as staking;
    let profile = ChainProfile::rampart();
    let hub = profile.to_valoper(&hub());
    let (h1, h2, h3) = (hub.clone(), hub.clone(), hub.clone());
    let delegator = profile.to_account(&delegator());
    let (d1, d2, d3, d4) = (
        delegator.clone(),
        delegator.clone(),
        delegator.clone(),
        delegator.clone(),
    );
    vec![
        list!(
            staking::QUERY_VALIDATORS,
            |pagination| staking_pb::QueryValidatorsRequest {
                status: String::new(),
                pagination,
            },
            staking_pb::QueryValidatorsResponse,
            validators
        ),
        list!(
            staking::QUERY_VALIDATOR_DELEGATIONS,
            |pagination| staking_pb::QueryValidatorDelegationsRequest {
                validator_addr: h1.clone(),
                pagination,
            },
            staking_pb::QueryValidatorDelegationsResponse,
            delegation_responses
        ),
        list!(
            staking::QUERY_VALIDATOR_UNBONDING_DELEGATIONS,
            |pagination| staking_pb::QueryValidatorUnbondingDelegationsRequest {
                validator_addr: h2.clone(),
                pagination,
            },
            staking_pb::QueryValidatorUnbondingDelegationsResponse,
            unbonding_responses
        ),
        list!(
            staking::QUERY_DELEGATOR_DELEGATIONS,
            |pagination| staking_pb::QueryDelegatorDelegationsRequest {
                delegator_addr: d1.clone(),
                pagination,
            },
            staking_pb::QueryDelegatorDelegationsResponse,
            delegation_responses
        ),
        list!(
            staking::QUERY_DELEGATOR_UNBONDING_DELEGATIONS,
            |pagination| staking_pb::QueryDelegatorUnbondingDelegationsRequest {
                delegator_addr: d2.clone(),
                pagination,
            },
            staking_pb::QueryDelegatorUnbondingDelegationsResponse,
            unbonding_responses
        ),
        list!(
            staking::QUERY_DELEGATOR_VALIDATORS,
            |pagination| staking_pb::QueryDelegatorValidatorsRequest {
                delegator_addr: d3.clone(),
                pagination,
            },
            staking_pb::QueryDelegatorValidatorsResponse,
            validators
        ),
        list!(
            staking::QUERY_REDELEGATIONS,
            |pagination| staking_pb::QueryRedelegationsRequest {
                delegator_addr: d4.clone(),
                pagination,
                ..Default::default()
            },
            staking_pb::QueryRedelegationsResponse,
            redelegation_responses
        ),
        list!(
            staking::QUERY_REDELEGATIONS,
            |pagination| staking_pb::QueryRedelegationsRequest {
                src_validator_addr: h3.clone(),
                pagination,
                ..Default::default()
            },
            staking_pb::QueryRedelegationsResponse,
            redelegation_responses
        ),
        list!(
            rampart_slashing::queries::QUERY_SIGNING_INFOS,
            |pagination| slashing_pb::QuerySigningInfosRequest { pagination },
            slashing_pb::QuerySigningInfosResponse,
            info
        ),
        list!(
            rampart_consumer::queries::QUERY_CONSUMERS,
            |pagination| consumer_pb::QueryConsumersRequest {
                phase: 0,
                pagination,
            },
            consumer_pb::QueryConsumersResponse,
            consumers
        ),
        list!(
            rampart_consumer::queries::QUERY_CONSUMERS,
            |pagination| consumer_pb::QueryConsumersRequest {
                phase: consumer_pb::ConsumerPhase::Registered as i32,
                pagination,
            },
            consumer_pb::QueryConsumersResponse,
            consumers
        ),
        list!(
            rampart_consumer::queries::QUERY_PENDING_PACKETS,
            |pagination| consumer_pb::QueryPendingPacketsRequest {
                consumer_id: 0,
                pagination,
            },
            consumer_pb::QueryPendingPacketsResponse,
            packets
        ),
        list!(
            rampart_restaking::queries::QUERY_CONSUMER_PLEDGES,
            |pagination| restaking_pb::QueryConsumerPledgesRequest {
                consumer_id: 0,
                pagination,
            },
            restaking_pb::QueryConsumerPledgesResponse,
            pledges
        ),
    ]
}

#[test]
fn a_page_of_ten_reads_tens_of_entries_not_ten_thousand() {
    let state = populated();
    let mut costs = Vec::new();
    for list in lists() {
        let first = PageRequest {
            limit: PAGE,
            ..Default::default()
        };
        let (bytes, first_reads) = ask(&state, list.path, &(list.request)(first));
        let (len, response) = (list.page)(&bytes);
        assert_eq!(len, 10, "{}", list.path);
        assert!(!response.next_key.is_empty(), "{}", list.path);
        // Resuming from the middle reads no more.
        let resumed = PageRequest {
            key: response.next_key,
            limit: PAGE,
            ..Default::default()
        };
        let (bytes, resumed_reads) = ask(&state, list.path, &(list.request)(resumed));
        assert_eq!((list.page)(&bytes).0, 10, "{}", list.path);
        costs.push((list.path, first_reads, resumed_reads));
    }
    println!("reads of a page of 10 (first, resumed): {costs:#?}");
    let over: Vec<_> = costs
        .iter()
        .filter(|(_, first, resumed)| *first.max(resumed) > PAGE_BUDGET)
        .collect();
    assert!(over.is_empty(), "pages that read the list: {over:#?}");
}

#[test]
fn limits_are_capped_and_only_count_total_reads_everything() {
    let state = populated();
    for list in lists() {
        let huge = PageRequest {
            limit: u64::MAX,
            ..Default::default()
        };
        let (bytes, reads) = ask(&state, list.path, &(list.request)(huge));
        let (len, _) = (list.page)(&bytes);
        assert_eq!(len, 1_000, "{}: u64::MAX gets the cap", list.path);
        assert!(
            reads <= 10 * PAGE_BUDGET * 10,
            "{}: read {reads}",
            list.path
        );

        let counted = PageRequest {
            limit: PAGE,
            count_total: true,
            ..Default::default()
        };
        let (bytes, _) = ask(&state, list.path, &(list.request)(counted));
        let (len, response) = (list.page)(&bytes);
        assert_eq!((len, response.total), (10, u64::from(N)), "{}", list.path);
    }
}
