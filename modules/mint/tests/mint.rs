//! The mint module over the real auth and bank modules: per-block provisions into the fee
//! collector, the carry, halts, genesis round trips, bad parameters and the queries.
#![allow(clippy::unwrap_used)]

use cosmos_sdk_proto::cosmos::mint::v1beta1 as pb;
use prost::Message;
use rampart_auth::{AuthModule, AuthRead, FEE_COLLECTOR};
use rampart_bank::{BankModule, BankRead};
use rampart_core::state::EmptyState;
use rampart_core::Address;
use rampart_core::{
    Amount, BlockContext, BlockTime, Events, GenesisContext, Module, Overlay, StateRead,
};
use rampart_mint::math::YEAR_SECONDS;
use rampart_mint::{MintModule, BONDED_POOL};

const GENESIS_SECONDS: i64 = 1_700_000_000;

fn ctx() -> GenesisContext {
    GenesisContext {
        chain_id: "rampart-test".into(),
        profile: rampart_core::ChainProfile::rampart(),
        initial_height: 1,
        genesis_time: BlockTime {
            seconds: GENESIS_SECONDS,
            nanos: 0,
        },
        validators: vec![],
    }
}

/// A chain with `supply` uramp (a quarter of it in the bonded pool) and the given mint section.
fn chain(supply: u128, mint: Option<serde_json::Value>) -> Overlay<EmptyState> {
    let mut state = Overlay::new(EmptyState);
    AuthModule.init_genesis(&mut state, &ctx(), None).unwrap();
    let holder = Address([1; 20]).to_string();
    let pool = Address::module(BONDED_POOL).to_string();
    let bank = serde_json::json!({"balances": [
        {"address": holder, "coins": [{"denom": "uramp", "amount": (supply - supply / 4).to_string()}]},
        {"address": pool, "coins": [{"denom": "uramp", "amount": (supply / 4).to_string()}]},
    ]});
    BankModule
        .init_genesis(&mut state, &ctx(), Some(&bank))
        .unwrap();
    MintModule
        .init_genesis(&mut state, &ctx(), mint.as_ref())
        .unwrap();
    state
}

fn block(height: u64, seconds: i64) -> BlockContext {
    BlockContext::bare(
        "rampart-test".into(),
        rampart_core::ChainProfile::rampart(),
        height,
        BlockTime { seconds, nanos: 0 },
    )
}

fn begin(state: &mut Overlay<EmptyState>, height: u64, seconds: i64) -> Events {
    let mut events = Events::new();
    MintModule
        .begin_block(state, &block(height, seconds), &mut events)
        .unwrap();
    events
}

fn fees(state: &Overlay<EmptyState>) -> u128 {
    state
        .balance(&Address::module(FEE_COLLECTOR), "uramp")
        .unwrap()
        .0
}

#[test]
fn mints_by_elapsed_time_into_the_fee_collector_and_carries_fractions() {
    // 1e12 uramp at 7 %: 70e9 a year, 70e9 × 5 / 31_557_600 ≈ 11_091.33 per 5-second block.
    let mut state = chain(1_000_000_000_000, None);
    let events = begin(&mut state, 1, GENESIS_SECONDS);
    let mint = events.iter().find(|e| e.kind == "mint").unwrap();
    assert_eq!(
        mint.attributes,
        vec![
            ("bonded_ratio".into(), "0.250000000000000000".into()),
            ("inflation".into(), "0.070000000000000000".into()),
            (
                "annual_provisions".into(),
                "70000000000.000000000000000000".into()
            ),
            ("amount".into(), "0".into()),
        ],
        "first block at genesis time mints nothing"
    );
    let mut expected_total = 0u128;
    let mut seconds = GENESIS_SECONDS;
    for height in 2..=4 {
        seconds += 5;
        let supply = state.supply_of("uramp").unwrap().0;
        let events = begin(&mut state, height, seconds);
        let exact = supply * 7 * 5 * 1_000_000_000 / (100 * YEAR_SECONDS * 1_000_000_000);
        let minted: u128 = events.iter().find(|e| e.kind == "mint").unwrap().attributes[3]
            .1
            .parse()
            .unwrap();
        assert!(
            minted == exact || minted == exact + 1,
            "{minted} vs {exact}"
        );
        expected_total += minted;
        assert!(events.iter().any(|e| e.kind == "coinbase"));
        assert!(events.iter().any(|e| e.kind == "transfer"));
    }
    assert_eq!(fees(&state), expected_total);
    assert_eq!(
        state.supply_of("uramp").unwrap().0,
        1_000_000_000_000 + expected_total
    );
    assert_eq!(
        state
            .balance(&Address::module(rampart_mint::MINT_ACCOUNT), "uramp")
            .unwrap(),
        Amount::ZERO,
        "the mint account passes everything on"
    );
    let account = state
        .account(&Address::module(rampart_mint::MINT_ACCOUNT))
        .unwrap()
        .unwrap();
    assert_eq!(account.module.unwrap().permissions, vec!["minter"]);
}

#[test]
fn a_halt_mints_one_lump_and_time_never_runs_backwards() {
    let mut state = chain(1_000_000_000, None);
    begin(&mut state, 1, GENESIS_SECONDS);
    // A year-long halt: exactly 7 % of the supply in one block.
    let year = i64::try_from(YEAR_SECONDS).unwrap();
    begin(&mut state, 2, GENESIS_SECONDS + year);
    assert_eq!(fees(&state), 70_000_000);
    // An earlier block time mints nothing and keeps the later time.
    begin(&mut state, 3, GENESIS_SECONDS);
    assert_eq!(fees(&state), 70_000_000);
    let exported = MintModule
        .export_genesis(&state, &rampart_core::ChainProfile::rampart())
        .unwrap();
    assert_eq!(
        exported["minter"]["last_block_time"],
        "2024-11-14T04:13:20Z"
    );
}

#[test]
fn genesis_round_trips_and_refuses_bad_params() {
    let section = serde_json::json!({
        "params": {"mint_denom": "uramp", "inflation": "0.1"},
        "minter": {"last_block_time": "2023-11-14T22:13:20.5Z", "carry": "12345"}
    });
    let mut state = chain(1_000, Some(section));
    let exported = MintModule
        .export_genesis(&state, &rampart_core::ChainProfile::rampart())
        .unwrap();
    assert_eq!(exported["params"]["inflation"], "0.100000000000000000");
    assert_eq!(exported["minter"]["carry"], "12345");
    assert_eq!(
        exported["minter"]["last_block_time"],
        "2023-11-14T22:13:20.5Z"
    );
    let again = chain(1_000, Some(exported.clone()));
    assert_eq!(
        MintModule
            .export_genesis(&again, &rampart_core::ChainProfile::rampart())
            .unwrap(),
        exported
    );
    begin(&mut state, 1, GENESIS_SECONDS);

    for bad in [
        serde_json::json!({"params": {"mint_denom": "uramp", "inflation": "1.5"}}),
        serde_json::json!({"params": {"mint_denom": "x", "inflation": "0.1"}}),
        serde_json::json!({"params": {"mint_denom": "uramp", "inflation": "-0.1"}}),
        serde_json::json!({"minter": {"last_block_time": "yesterday", "carry": "0"}}),
        serde_json::json!({"minter": {"last_block_time": "2023-11-14T22:13:20Z", "carry": "31557600000000000000000000000000000"}}),
        serde_json::json!({"unknown": 1}),
    ] {
        let mut fresh = Overlay::new(EmptyState);
        AuthModule.init_genesis(&mut fresh, &ctx(), None).unwrap();
        let err = MintModule
            .init_genesis(&mut fresh, &ctx(), Some(&bad))
            .expect_err("refused");
        assert_eq!((err.codespace, err.code), ("sdk", 17), "{bad}: {err}");
    }
}

#[test]
fn queries_answer_like_the_sdk() {
    let state = chain(2_000_000, None);
    let ask = |path: &str, req: &[u8]| {
        let ctx = rampart_core::QueryContext {
            state: &state,
            profile: &rampart_core::ChainProfile::rampart(),
        };
        MintModule.query(ctx, &format!("/cosmos.mint.v1beta1.Query/{path}"), req)
    };
    let query = |path: &str, req: Vec<u8>| ask(path, &req).unwrap();
    let params = pb::QueryParamsResponse::decode(
        query("Params", pb::QueryParamsRequest {}.encode_to_vec()).as_slice(),
    )
    .unwrap()
    .params
    .unwrap();
    assert_eq!(params.mint_denom, "uramp");
    assert_eq!(params.inflation_max, "70000000000000000");
    assert_eq!(params.inflation_min, "70000000000000000");
    assert_eq!(params.inflation_rate_change, "0");
    assert_eq!(params.goal_bonded, "670000000000000000");
    assert_eq!(params.blocks_per_year, 6_311_520);
    let inflation = pb::QueryInflationResponse::decode(
        query("Inflation", pb::QueryInflationRequest {}.encode_to_vec()).as_slice(),
    )
    .unwrap();
    assert_eq!(inflation.inflation, b"70000000000000000");
    let provisions = pb::QueryAnnualProvisionsResponse::decode(
        query(
            "AnnualProvisions",
            pb::QueryAnnualProvisionsRequest {}.encode_to_vec(),
        )
        .as_slice(),
    )
    .unwrap();
    // 2,000,000 × 0.07 = 140,000.
    assert_eq!(provisions.annual_provisions, b"140000000000000000000000");
    let err = ask("Nope", &[]).expect_err("unknown");
    assert_eq!(err.code, 6);
    let err = ask("Params", &[0xff]).expect_err("undecodable");
    assert_eq!(err.code, 2);
    assert!(state.get(b"mint/params").is_some());
}

#[test]
fn time_before_the_genesis_time_is_never_minted() {
    // A template exported before its genesis time was chosen (`rampartd init` writes 1970).
    let section = serde_json::json!({
        "params": {"mint_denom": "uramp", "inflation": "0.07"},
        "minter": {"last_block_time": "1970-01-01T00:00:00Z", "carry": "0"}
    });
    let mut state = chain(1_000_000_000_000, Some(section));
    let year = i64::try_from(YEAR_SECONDS).unwrap();
    // A whole year after genesis: exactly 7 %, not 7 % per year since 1970.
    begin(&mut state, 1, GENESIS_SECONDS + year);
    assert_eq!(fees(&state), 70_000_000_000);
}
