//! The module through `rampart_core::Module`: genesis from JSON and back, messages routed by type
//! URL, queries by path, pruning in begin block.

use prost::Message;
use rampart_ccv::{CcvModule, MSG_UPDATE_PROVIDER_CLIENT, MSG_UPDATE_PROVIDER_CLIENT_RESPONSE};
use rampart_core::context::{ExecMode, GenesisContext};
use rampart_core::state::{EmptyState, Overlay};
use rampart_core::{BlockContext, BlockTime, ChainProfile, Events, Module, MsgContext};
use rampart_proto::rampart::ccv::v1 as pb;
use tendermint_proto::google::protobuf::Any;

use crate::common::*;

fn block(time: BlockTime) -> BlockContext {
    BlockContext::bare("consumer-1".into(), ChainProfile::rampart(), 5, time)
}

fn any(m: &pb::MsgUpdateProviderClient) -> Any {
    Any {
        type_url: MSG_UPDATE_PROVIDER_CLIENT.into(),
        value: m.encode_to_vec(),
    }
}

#[test]
fn genesis_messages_queries_and_export_through_the_module_trait() {
    let module = CcvModule;
    let profile = ChainProfile::rampart();
    let section = serde_json::to_value(genesis()).expect("json");
    assert_eq!(
        section["trusting_period_seconds"],
        trusting_period().to_string()
    );
    let ctx = GenesisContext {
        chain_id: "consumer-1".into(),
        profile,
        initial_height: 1,
        genesis_time: t(0),
        validators: Vec::new(),
    };
    let mut state = Overlay::new(EmptyState);
    module
        .init_genesis(&mut state, &ctx, Some(&section))
        .expect("genesis");
    assert_eq!(module.check_invariants(&state).expect("invariants"), None);

    // Validation names the signer; an unknown type URL is sdk/6.
    let m = msg(
        &provider_header(ANCHOR + 1, t(5), &[1; 32]),
        ANCHOR,
        &keys(1, 4),
    );
    assert_eq!(
        module.validate_msg(&profile, &any(&m)).expect("valid"),
        vec![rampart_core::Address([5; 20])]
    );
    let unknown = Any {
        type_url: "/rampart.ccv.v1.MsgNope".into(),
        value: Vec::new(),
    };
    assert_eq!(
        module
            .validate_msg(&profile, &unknown)
            .expect_err("unknown")
            .code,
        6
    );

    let blk = block(t(6));
    let mctx = MsgContext {
        block: &blk,
        tx_hash: [0; 32],
        msg_index: 0,
        mode: ExecMode::Deliver,
    };
    let mut events = Events::new();
    let response = module
        .deliver_msg(&mut state, &mctx, &any(&m), &mut events)
        .expect("delivered");
    assert_eq!(response.type_url, MSG_UPDATE_PROVIDER_CLIENT_RESPONSE);
    assert!(
        !pb::MsgUpdateProviderClientResponse::decode(response.value.as_slice())
            .expect("decodes")
            .frozen
    );

    let answer: pb::QueryProviderClientResponse = query(
        &state,
        rampart_ccv::queries::QUERY_PROVIDER_CLIENT,
        &pb::QueryProviderClientRequest {},
    )
    .expect("client");
    let client = answer.client.expect("client");
    assert_eq!(
        (client.chain_id.as_str(), client.latest_height),
        (PROVIDER, ANCHOR + 1)
    );
    assert!(!answer.frozen);
    let period = i64::try_from(trusting_period()).expect("fits");
    assert_eq!(answer.expires_at.expect("expiry").seconds, T0 + 5 + period);
    let latest: pb::QueryConsensusStateResponse = query(
        &state,
        rampart_ccv::queries::QUERY_CONSENSUS_STATE,
        &pb::QueryConsensusStateRequest { height: 0 },
    )
    .expect("latest");
    assert_eq!(latest.consensus_state.expect("cs").app_hash, vec![1; 32]);
    let missing = query::<pb::QueryConsensusStateResponse>(
        &state,
        rampart_ccv::queries::QUERY_CONSENSUS_STATE,
        &pb::QueryConsensusStateRequest { height: 99 },
    )
    .expect_err("missing");
    assert_eq!(
        (missing.codespace, missing.code),
        ("ccv", rampart_ccv::CcvCode::ConsensusStateNotFound as u32)
    );

    // Export → import reproduces the state exactly.
    let exported = module.export_genesis(&state, &profile).expect("export");
    let mut again = Overlay::new(EmptyState);
    module
        .init_genesis(&mut again, &ctx, Some(&exported))
        .expect("reimport");
    assert_eq!(again.changes(), state.changes());

    // Begin block prunes what is due.
    let mut events = Events::new();
    module
        .begin_block(&mut state, &block(t(period)), &mut events)
        .expect("begin block");
    assert!(rampart_ccv::client::consensus_state(&state, ANCHOR)
        .expect("read")
        .is_none());
    assert!(rampart_ccv::client::consensus_state(&state, ANCHOR + 1)
        .expect("read")
        .is_some());
}

#[test]
fn genesis_is_checked() {
    let import = |g: &rampart_ccv::CcvGenesis| {
        let mut state = Overlay::new(EmptyState);
        rampart_ccv::genesis::import(&mut state, 1, g)
    };
    // The next validators must hash to the anchor's next_validators_hash.
    let mut g = genesis();
    g.next_validators.pop();
    assert_eq!(
        import(&g).expect_err("mismatch").code,
        rampart_ccv::CcvCode::TrustedValidatorsMismatch as u32
    );
    let mut g = genesis();
    g.consensus_states.clear();
    assert!(import(&g).is_err());
    let mut g = genesis();
    g.trusting_period_seconds = 0;
    assert!(import(&g).is_err());
    let mut g = genesis();
    g.consensus_states[0].header_hash = "abcd".into();
    assert!(import(&g).is_err());
    let mut g = genesis();
    g.next_validators[0].power = u64::MAX;
    assert!(import(&g).is_err());
    // An absent section leaves the module idle; its messages then fail with ccv/2.
    let mut state = Overlay::new(EmptyState);
    rampart_ccv::genesis::import(&mut state, 1, &Default::default()).expect("idle");
    assert!(state.changes().is_empty());
    let m = msg(
        &provider_header(ANCHOR + 1, t(5), &[1; 32]),
        ANCHOR,
        &keys(1, 4),
    );
    let e = rampart_ccv::update_client(
        &mut state,
        t(6),
        &decode(&m).expect("decodes"),
        &mut Events::new(),
    )
    .expect_err("no client");
    assert_eq!(e.code, rampart_ccv::CcvCode::ClientNotFound as u32);
    // Unknown JSON fields are refused.
    let mut json = serde_json::to_value(genesis()).expect("json");
    json["surprise"] = serde_json::json!(1);
    let section = CcvModule.init_genesis(
        &mut Overlay::new(EmptyState),
        &GenesisContext {
            chain_id: "c".into(),
            profile: ChainProfile::rampart(),
            initial_height: 1,
            genesis_time: t(0),
            validators: Vec::new(),
        },
        Some(&json),
    );
    assert_eq!(section.expect_err("unknown field").code, 17);
}
