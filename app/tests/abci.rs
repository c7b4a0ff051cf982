//! The ABCI state machine driven in process, block by block, as CometBFT would drive it.

use prost::Message;
use rampart_app::query::{PROOF_OP_TYPE, STORE_KEY_PATH};
use std::sync::Arc;

use rampart_app::testing::{init_chain_request, MockConsensus};
use rampart_app::{App, AppConfig, Modules};
use rampart_chain::{CHAIN_INFO_KEY, QUERY_CHAIN_INFO};
use rampart_proto::rampart::chain::v1::QueryChainInfoResponse;
use rampart_store::{Storage, StorageConfig};
use tendermint::abci::{request, response};

fn open(dir: &std::path::Path) -> Storage {
    Storage::open(dir, StorageConfig::default()).expect("store opens")
}

/// The ABCI mechanics are tested on the chain module alone: no validator set to own, and an
/// empty block changes nothing (with the provider set, mint and distribution write every block).
fn modules() -> Arc<Modules> {
    Arc::new(Modules::new(vec![Box::new(rampart_chain::ChainModule)]).expect("one module"))
}

fn genesis() -> serde_json::Value {
    serde_json::json!({"chain": {"name": "Rampart test", "description": "driven in process"}})
}

fn init(storage: Storage, initial_height: u64) -> (MockConsensus, Vec<u8>) {
    MockConsensus::init_with(
        storage,
        modules(),
        "rampart-test",
        initial_height,
        &genesis(),
    )
    .expect("genesis")
}

fn chain_info_at(driver: &MockConsensus, height: u64) -> (u64, String) {
    let answer = driver.query(QUERY_CHAIN_INFO, &[], height, false);
    assert_eq!(answer.code.value(), 0, "{}", answer.log);
    let info = QueryChainInfoResponse::decode(answer.value.as_ref())
        .expect("decodes")
        .info
        .expect("present");
    (answer.height.value(), info.name)
}

#[test]
fn blocks_commit_and_queries_answer_at_committed_heights() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut driver, genesis_hash) = init(open(dir.path()), 1);
    assert_eq!(
        genesis_hash.len(),
        32,
        "InitChain returns a non-empty app hash"
    );

    let before = driver.query(QUERY_CHAIN_INFO, &[], 0, false);
    assert_eq!(
        before.code.value(),
        26,
        "no committed state before the first block"
    );

    let first = driver.block(vec![]);
    assert_eq!(
        first.app_hash.as_bytes(),
        genesis_hash.as_slice(),
        "genesis writes land in block 1"
    );
    for _ in 0..4 {
        let next = driver.block(vec![]);
        assert_eq!(
            next.app_hash, first.app_hash,
            "an empty block keeps the root"
        );
    }
    let info = driver.app.info();
    assert_eq!(info.last_block_height.value(), 5);
    assert_eq!(info.last_block_app_hash.as_bytes(), genesis_hash.as_slice());
    assert_eq!(chain_info_at(&driver, 0), (5, "Rampart test".to_owned()));
    assert_eq!(
        chain_info_at(&driver, 3).0,
        3,
        "historical heights are answered"
    );

    let unknown = driver.query("/rampart.nope.v1.Query/Nothing", &[], 0, false);
    assert_eq!(
        (unknown.codespace.as_str(), unknown.code.value()),
        ("sdk", 6)
    );
    assert_eq!(
        unknown.height.value(),
        5,
        "errors carry the committed height, never 0"
    );
}

#[test]
fn raw_key_queries_return_ics23_proofs_that_verify_against_the_app_hash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut driver, hash) = init(open(dir.path()), 1);
    driver.block(vec![]);
    let spec = rampart_store::proof_spec();
    let decode_proof = |answer: &response::Query| {
        let ops = &answer.proof.as_ref().expect("proof requested").ops;
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].field_type, PROOF_OP_TYPE);
        ics23::CommitmentProof::decode(ops[0].data.as_slice()).expect("proof decodes")
    };

    let present = driver.query(STORE_KEY_PATH, CHAIN_INFO_KEY, 0, true);
    assert_eq!(present.code.value(), 0, "{}", present.log);
    let proof = decode_proof(&present);
    assert!(ics23::verify_membership::<ics23::HostFunctionsManager>(
        &proof,
        &spec,
        &hash,
        CHAIN_INFO_KEY,
        &present.value
    ));
    let mut tampered = present.value.to_vec();
    tampered[0] ^= 1;
    assert!(!ics23::verify_membership::<ics23::HostFunctionsManager>(
        &proof,
        &spec,
        &hash,
        CHAIN_INFO_KEY,
        &tampered
    ));

    let absent = driver.query(STORE_KEY_PATH, b"chain/nothing-here", 0, true);
    assert_eq!(absent.code.value(), 0, "{}", absent.log);
    assert!(absent.value.is_empty());
    assert!(ics23::verify_non_membership::<ics23::HostFunctionsManager>(
        &decode_proof(&absent),
        &spec,
        &hash,
        b"chain/nothing-here"
    ));
}

#[test]
fn init_chain_is_idempotent_until_the_first_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut driver, first) = init(open(dir.path()), 1);
    // CometBFT re-sends InitChain when Info reports height 0 (e.g. after a crash before Commit).
    let again = driver
        .app
        .init_chain(init_chain_request("rampart-test", 1, &genesis()))
        .expect("second InitChain");
    assert_eq!(again.app_hash.as_bytes(), first.as_slice());
    driver.finalize(vec![]);
    drop(driver); // crash between FinalizeBlock and Commit: nothing was persisted

    let (mut restarted, replayed) = init(open(dir.path()), 1);
    assert_eq!(replayed, first);
    assert_eq!(
        restarted.block(vec![]).app_hash.as_bytes(),
        first.as_slice()
    );
}

#[test]
fn a_restarted_node_continues_with_the_same_app_hashes() {
    let straight_dir = tempfile::tempdir().expect("tempdir");
    let (mut straight, _) = init(open(straight_dir.path()), 7);
    let restarted_dir = tempfile::tempdir().expect("tempdir");
    let (mut before_crash, _) = init(open(restarted_dir.path()), 7);
    for _ in 0..3 {
        assert_eq!(
            straight.block(vec![]).app_hash,
            before_crash.block(vec![]).app_hash
        );
    }
    let info = before_crash.app.info();
    drop(before_crash);

    let mut resumed =
        MockConsensus::resume_with(open(restarted_dir.path()), modules(), "rampart-test");
    assert_eq!(resumed.app.info(), info, "Info survives the restart");
    assert_eq!(resumed.height, 9, "initial height 7 + 3 blocks");
    for _ in 0..3 {
        assert_eq!(
            straight.block(vec![]).app_hash,
            resumed.block(vec![]).app_hash
        );
    }
    assert_eq!(chain_info_at(&resumed, 0).0, 12);
}

#[test]
fn bad_genesis_is_refused_with_the_section_named_and_nothing_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = open(dir.path());
    let mut app = App::with_modules(storage.clone(), AppConfig::default(), modules());
    let bad = serde_json::json!({"chain": {}, "bnak": {}});
    let err = app
        .init_chain(init_chain_request("rampart-test", 1, &bad))
        .expect_err("unknown section");
    assert!(err.log.contains("app_state.bnak"), "{}", err.log);
    let typo = serde_json::json!({"chain": {"nmae": "x"}});
    let err = app
        .init_chain(init_chain_request("rampart-test", 1, &typo))
        .expect_err("unknown field");
    assert!(err.log.contains("nmae"), "{}", err.log);
    assert_eq!(storage.latest(), None, "nothing committed");
    assert_eq!(app.info().last_block_height.value(), 0);
}

#[test]
fn undecodable_transactions_are_refused_everywhere_without_changing_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut driver, hash) = init(open(dir.path()), 1);
    driver.block(vec![]);
    let garbage = vec![0xff, 0xff, 0xff];

    let check = driver.check_tx(&garbage);
    assert_eq!(
        (check.codespace.as_str(), check.code.value()),
        ("sdk", 2),
        "{}",
        check.log
    );

    let process = driver.app.process_proposal(request::ProcessProposal {
        txs: vec![garbage.clone().into()],
        proposed_last_commit: None,
        misbehavior: vec![],
        hash: tendermint::Hash::None,
        height: 2u32.into(),
        time: MockConsensus::time_of(2),
        next_validators_hash: tendermint::Hash::None,
        proposer_address: tendermint::account::Id::new([0; 20]),
    });
    assert_eq!(process, response::ProcessProposal::Reject);

    let prepared = driver.app.prepare_proposal(request::PrepareProposal {
        max_tx_bytes: 1024,
        txs: vec![garbage.clone().into()],
        local_last_commit: None,
        misbehavior: vec![],
        height: 2u32.into(),
        time: MockConsensus::time_of(2),
        next_validators_hash: tendermint::Hash::None,
        proposer_address: tendermint::account::Id::new([0; 20]),
    });
    assert!(
        prepared.txs.is_empty(),
        "undecodable txs are dropped from proposals"
    );

    // A block that carries it anyway (from a faulty proposer) executes it as a failed tx.
    let block = driver.block(vec![garbage]);
    assert_eq!(block.tx_results.len(), 1);
    assert_eq!(block.tx_results[0].code.value(), 2);
    assert_eq!(
        block.app_hash.as_bytes(),
        hash.as_slice(),
        "state unchanged"
    );
}
