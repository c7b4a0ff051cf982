//! The info connection (Info, Query) answers from committed snapshots without the app's worker:
//! while that worker is stuck in a request (a long block, a slow CheckTx), queries still answer,
//! and Info reports what the app reports.

use std::sync::{mpsc, Arc};
use std::task::{Context, Poll};
use std::time::Duration;

use rampart_app::abci::{connections, AbciService};
use rampart_app::testing::MockConsensus;
use rampart_app::Modules;
use rampart_chain::QUERY_CHAIN_INFO;
use rampart_store::{Storage, StorageConfig};
use tendermint::abci::request;
use tendermint::v0_38::abci::{
    InfoRequest, InfoResponse, MempoolRequest, MempoolResponse, Request, Response,
};
use tower::{Service, ServiceExt};
use tower_abci::BoxError;

/// The app's service, held at a gate: each request waits until the gate opens (its sender is
/// dropped), after saying it arrived (so the test knows the worker is occupied).
struct Gated {
    inner: AbciService,
    gate: mpsc::Receiver<()>,
    arrived: tokio::sync::mpsc::UnboundedSender<()>,
}

impl Service<Request> for Gated {
    type Response = Response;
    type Error = BoxError;
    type Future = <AbciService as Service<Request>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let _ = self.arrived.send(());
        // Blocks the worker, as a long FinalizeBlock would.
        let _ = self.gate.recv();
        self.inner.call(request)
    }
}

async fn ask(
    info: &mut (impl Service<InfoRequest, Response = InfoResponse, Error = BoxError> + Send),
    request: InfoRequest,
) -> InfoResponse {
    let answer = async { info.ready().await?.call(request).await };
    tokio::time::timeout(Duration::from_secs(20), answer)
        .await
        .expect("the info connection answers while the app's worker is busy")
        .expect("the service never fails")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_and_info_answer_while_the_app_worker_is_busy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = Storage::open(dir.path(), StorageConfig::default()).expect("store opens");
    let modules = Arc::new(Modules::new(vec![Box::new(rampart_chain::ChainModule)]).expect("one"));
    let genesis = serde_json::json!({"chain": {"name": "Rampart test", "description": "info"}});
    let (mut driver, _) =
        MockConsensus::init_with(storage, modules, "rampart-test", 1, &genesis).expect("genesis");
    driver.block(vec![]);
    driver.block(vec![]);
    let app = driver.app;
    let app_info = app.info();
    assert_eq!(app_info.last_block_height.value(), 2);

    let (closed, gate) = mpsc::channel();
    let (arrived, mut arrivals) = tokio::sync::mpsc::unbounded_channel();
    let queries = app.queries();
    let gated = Gated {
        inner: AbciService::new(app),
        gate,
        arrived,
    };
    let (_consensus, mut mempool, _snapshot, mut info) = connections(gated, queries);

    // Occupy the app's worker with a CheckTx.
    let check = tokio::spawn(async move {
        let tx = request::CheckTx {
            tx: b"not a transaction".to_vec().into(),
            kind: request::CheckTxKind::New,
        };
        mempool
            .ready()
            .await?
            .call(MempoolRequest::CheckTx(tx))
            .await
    });
    arrivals.recv().await.expect("the worker took the CheckTx");

    let query = request::Query {
        data: Default::default(),
        path: QUERY_CHAIN_INFO.into(),
        height: 0u32.into(),
        prove: false,
    };
    let InfoResponse::Query(answer) = ask(&mut info, InfoRequest::Query(query)).await else {
        panic!("a query answer");
    };
    assert_eq!(answer.code.value(), 0, "{}", answer.log);
    assert_eq!(answer.height.value(), 2);
    assert!(!answer.value.is_empty());
    let InfoResponse::Info(reported) = ask(&mut info, InfoRequest::Info(info_request())).await
    else {
        panic!("an info answer");
    };
    assert_eq!(reported, app_info, "Info is the app's own");
    let echo = request::Echo {
        message: "ping".into(),
    };
    let InfoResponse::Echo(echoed) = ask(&mut info, InfoRequest::Echo(echo)).await else {
        panic!("an echo");
    };
    assert_eq!(echoed.message, "ping");
    assert!(!check.is_finished(), "the worker is still busy");

    drop(closed);
    let MempoolResponse::CheckTx(checked) = check.await.expect("joins").expect("answers");
    assert_ne!(
        checked.code.value(),
        0,
        "garbage is refused once the worker runs"
    );
}

fn info_request() -> request::Info {
    request::Info {
        version: "0.38.0".into(),
        block_version: 11,
        p2p_version: 8,
        abci_version: "2.0.0".into(),
    }
}
