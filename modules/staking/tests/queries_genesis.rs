//! `cosmos.staking.v1beta1.Query` answers and the genesis export/import round trip.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use cosmos_sdk_proto::cosmos::base::query::v1beta1::PageRequest;
use cosmos_sdk_proto::cosmos::staking::v1beta1 as pb;
use prost::Message;
use rampart_core::state::EmptyState;
use rampart_core::{
    AppResult, ChainProfile, GenesisContext, Module, Overlay, QueryContext, StateRead,
};

/// Asks `method` of the staking query service on the Rampart profile.
fn ask(chain: &Chain, method: &str, request: &[u8]) -> AppResult<Vec<u8>> {
    let ctx = QueryContext {
        state: &chain.state,
        profile: &ChainProfile::rampart(),
    };
    let path = format!("/cosmos.staking.v1beta1.Query/{method}");
    chain.staking.query(ctx, &path, request)
}

fn query<Req: Message, Resp: Message + Default>(chain: &Chain, method: &str, req: Req) -> Resp {
    let bytes =
        ask(chain, method, &req.encode_to_vec()).unwrap_or_else(|e| panic!("{method}: {e}"));
    Resp::decode(bytes.as_slice()).unwrap()
}

fn populated() -> Chain {
    let mut chain = Chain::with_max(2);
    chain.time.nanos = 123_456_789; // genesis export keeps sub-second times exactly
    for (n, stake) in [(1u8, 3_000_000u128), (2, 2_000_000), (3, 1_000_000)] {
        chain.fund(n, 10_000_000);
        chain.deliver(&create_validator(n, stake));
    }
    chain.fund(9, 10_000_000);
    chain.deliver(&delegate(9, 1, 1_000_000));
    chain.deliver(&delegate(9, 3, 500_000));
    chain.end_block(5);
    chain.deliver(&undelegate(9, 1, 250_000));
    chain.deliver(&redelegate(9, 1, 2, 250_000));
    chain.end_block(5);
    chain
}

#[test]
fn queries_answer_with_sdk_types_and_pagination() {
    let chain = populated();
    let all: pb::QueryValidatorsResponse =
        query(&chain, "Validators", pb::QueryValidatorsRequest::default());
    assert_eq!(all.validators.len(), 3);
    let bonded: pb::QueryValidatorsResponse = query(
        &chain,
        "Validators",
        pb::QueryValidatorsRequest {
            status: "BOND_STATUS_BONDED".into(),
            pagination: None,
        },
    );
    assert_eq!(bonded.validators.len(), 2);
    assert_eq!(bonded.validators[0].tokens, "3500000");
    assert_eq!(
        bonded.validators[0].delegator_shares,
        "3500000000000000000000000"
    );
    let page: pb::QueryValidatorsResponse = query(
        &chain,
        "Validators",
        pb::QueryValidatorsRequest {
            status: String::new(),
            pagination: Some(PageRequest {
                limit: 2,
                count_total: true,
                ..Default::default()
            }),
        },
    );
    let pagination = page.pagination.unwrap();
    assert_eq!((page.validators.len(), pagination.total), (2, 3));
    assert!(!pagination.next_key.is_empty());

    let one: pb::QueryDelegationResponse = query(
        &chain,
        "Delegation",
        pb::QueryDelegationRequest {
            delegator_addr: acc(9),
            validator_addr: valoper(1),
        },
    );
    assert_eq!(
        one.delegation_response.unwrap().balance.unwrap().amount,
        "500000"
    );
    let missing = ask(
        &chain,
        "Delegation",
        &pb::QueryDelegationRequest {
            delegator_addr: acc(8),
            validator_addr: valoper(1),
        }
        .encode_to_vec(),
    )
    .unwrap_err();
    assert_eq!((missing.codespace, missing.code), ("sdk", 22));
    assert!(missing.log.contains("key not found"), "{missing}");

    let mine: pb::QueryDelegatorDelegationsResponse = query(
        &chain,
        "DelegatorDelegations",
        pb::QueryDelegatorDelegationsRequest {
            delegator_addr: acc(9),
            pagination: None,
        },
    );
    assert_eq!(mine.delegation_responses.len(), 3);
    let vals: pb::QueryDelegatorValidatorsResponse = query(
        &chain,
        "DelegatorValidators",
        pb::QueryDelegatorValidatorsRequest {
            delegator_addr: acc(9),
            pagination: None,
        },
    );
    assert_eq!(vals.validators.len(), 3);
    let ubd: pb::QueryUnbondingDelegationResponse = query(
        &chain,
        "UnbondingDelegation",
        pb::QueryUnbondingDelegationRequest {
            delegator_addr: acc(9),
            validator_addr: valoper(1),
        },
    );
    assert_eq!(ubd.unbond.unwrap().entries[0].balance, "250000");
    let by_val: pb::QueryValidatorUnbondingDelegationsResponse = query(
        &chain,
        "ValidatorUnbondingDelegations",
        pb::QueryValidatorUnbondingDelegationsRequest {
            validator_addr: valoper(1),
            pagination: None,
        },
    );
    assert_eq!(by_val.unbonding_responses.len(), 1);
    let reds: pb::QueryRedelegationsResponse = query(
        &chain,
        "Redelegations",
        pb::QueryRedelegationsRequest {
            delegator_addr: acc(9),
            ..Default::default()
        },
    );
    assert_eq!(reds.redelegation_responses[0].entries[0].balance, "250000");
    let pool: pb::QueryPoolResponse = query(&chain, "Pool", pb::QueryPoolRequest {});
    let pool = pool.pool.unwrap();
    // Bonded: validators 1 (4 M − 0.5 M) and 2 (2 M + 0.25 M); not bonded: 3 (1.5 M) and the
    // 0.25 M unbonding entry.
    assert_eq!(
        (pool.bonded_tokens.as_str(), pool.not_bonded_tokens.as_str()),
        ("5750000", "1750000")
    );
    let params: pb::QueryParamsResponse = query(&chain, "Params", pb::QueryParamsRequest {});
    assert_eq!(params.params.unwrap().bond_denom, "uramp");
    let e = ask(&chain, "Nope", &[]).unwrap_err();
    assert_eq!(e.code, 6);
}

#[test]
fn genesis_export_imports_to_the_same_state() {
    let chain = populated();
    let exported = chain
        .staking
        .export_genesis(&chain.state, &rampart_core::ChainProfile::rampart())
        .unwrap();
    let mut fresh = Overlay::new(EmptyState);
    let ctx = GenesisContext {
        chain_id: "rampart-test".into(),
        profile: rampart_core::ChainProfile::rampart(),
        initial_height: 1,
        genesis_time: chain.time,
        validators: vec![],
    };
    chain
        .staking
        .init_genesis(&mut fresh, &ctx, Some(&exported))
        .unwrap();
    assert_eq!(
        chain
            .staking
            .export_genesis(&fresh, &rampart_core::ChainProfile::rampart())
            .unwrap(),
        exported
    );
    let staking_only = |s: &Overlay<EmptyState>| -> Vec<_> {
        s.scan_prefix(b"staking/")
            .filter(|(k, _)| {
                !k.starts_with(b"staking/last/") && !k.starts_with(b"staking/next_ubd_id")
            })
            .collect()
    };
    assert_eq!(
        staking_only(&fresh),
        staking_only(&chain.state),
        "indexes and queues rebuilt"
    );

    let mut bad = exported.clone();
    bad["delegations"][0]["shares"] = "1".into();
    let e = chain
        .staking
        .init_genesis(&mut Overlay::new(EmptyState), &ctx, Some(&bad))
        .unwrap_err();
    assert!(e.log.contains("sum to"), "{e}");
    let typo = serde_json::json!({"parms": {}});
    let e = chain
        .staking
        .init_genesis(&mut Overlay::new(EmptyState), &ctx, Some(&typo))
        .unwrap_err();
    assert!(e.log.contains("parms"), "{e}");
}
