//! Issue 13, finding 6: CometBFT's `block.max_gas` bounds proposals. PrepareProposal keeps, in
//! order, the transactions whose gas limits fit (skipping one that would exceed, as the SDK does);
//! ProcessProposal rejects a block whose gas limits sum past it; the limit survives a restart.
//! Before the fix both counted bytes only: every transaction below was kept and accepted.

use std::sync::Arc;

use bytes::Bytes;
use rampart_app::testing::init_chain_request;
use rampart_app::{App, AppConfig, Modules};
use rampart_testkit::*;
use tendermint::abci::{request, response};

/// A chain whose genesis consensus parameters set `block.max_gas` to `max_gas`.
fn chain(max_gas: i64, keys: &[&Key]) -> Chain {
    let mut request = init_chain_request(CHAIN_ID, 1, &genesis(keys));
    request.consensus_params.block.max_gas = max_gas;
    Chain::from_request(request).0
}

/// Signed sends from `key` (of 1, 2, … uramp, so that each differs) with the given gas limits.
fn txs(chain: &Chain, key: &Key, gas_limits: &[u64]) -> Vec<Bytes> {
    let to = Key::secp(40).address();
    gas_limits
        .iter()
        .enumerate()
        .map(|(index, gas)| {
            let amount = (index + 1).to_string();
            let send = msg_send(key.address(), to, vec![coin(&amount, DENOM)]);
            TxBuilder::new(vec![send], vec![chain.signer(key)])
                .with_gas(*gas)
                .build()
                .into()
        })
        .collect()
}

/// Where each of `kept` stands in `all`.
fn positions(all: &[Bytes], kept: &[Bytes]) -> Vec<usize> {
    kept.iter()
        .filter_map(|tx| all.iter().position(|candidate| candidate == tx))
        .collect()
}

fn prepare(app: &App, txs: Vec<Bytes>) -> Vec<Bytes> {
    app.prepare_proposal(request::PrepareProposal {
        max_tx_bytes: 1 << 20,
        txs,
        local_last_commit: None,
        misbehavior: vec![],
        height: 2u32.into(),
        time: rampart_app::testing::MockConsensus::time_of(2),
        next_validators_hash: tendermint::Hash::None,
        proposer_address: tendermint::account::Id::new([0; 20]),
    })
    .txs
}

fn process(app: &App, txs: Vec<Bytes>) -> response::ProcessProposal {
    app.process_proposal(request::ProcessProposal {
        txs,
        proposed_last_commit: None,
        misbehavior: vec![],
        hash: tendermint::Hash::None,
        height: 2u32.into(),
        time: rampart_app::testing::MockConsensus::time_of(2),
        next_validators_hash: tendermint::Hash::None,
        proposer_address: tendermint::account::Id::new([0; 20]),
    })
}

#[test]
fn proposals_respect_the_block_gas_limit() {
    let key = Key::secp(41);
    let chain = chain(500_000, &[&key]);
    let all = txs(&chain, &key, &[200_000, 200_000, 200_000, 100_000]);
    let app = &chain.driver.app;
    let kept = prepare(app, all.clone());
    assert_eq!(
        positions(&all, &kept),
        [0, 1, 3],
        "the third would reach 600,000 gas: skipped, and the fourth still fits"
    );
    assert_eq!(process(app, kept), response::ProcessProposal::Accept);
    assert_eq!(
        process(app, all[..3].to_vec()),
        response::ProcessProposal::Reject,
        "600,000 gas in a block limited to 500,000"
    );

    // A restarted node reads the limit from its state.
    let restarted = App::with_modules(
        chain.storage.clone(),
        AppConfig::default(),
        Arc::new(Modules::provider()),
    );
    assert_eq!(
        positions(&all, &prepare(&restarted, all.clone())),
        [0, 1, 3]
    );
    assert_eq!(
        process(&restarted, all[..3].to_vec()),
        response::ProcessProposal::Reject
    );
}

#[test]
fn without_a_limit_only_bytes_count() {
    let key = Key::secp(42);
    let chain = chain(-1, &[&key]);
    let all = txs(&chain, &key, &[u64::MAX, u64::MAX]);
    let app = &chain.driver.app;
    assert_eq!(positions(&all, &prepare(app, all.clone())), [0, 1]);
    assert_eq!(process(app, all), response::ProcessProposal::Accept);
}
