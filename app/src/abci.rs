//! The tower services CometBFT talks to. [`AbciService`] handles requests one at a time, in
//! order, with the single [`App`]; `tower_abci::v038::split` fans it out to the consensus,
//! mempool and snapshot connections. The info connection (Echo, Info, Query; tower-abci
//! answers Flush itself) is [`InfoService`]: it answers from committed snapshots through
//! [`Queries`] on tokio's blocking pool, so a slow query never delays a block and a busy block
//! never delays a query.
//!
//! The services never return `Err` (tower-abci would drop the connection): every failure is an
//! ABCI result code, and corrupt consensus state halts the process deliberately.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::{ready, Ready};
use rampart_core::error::{AppError, SdkCode};
use tendermint::abci::response as rsp;
use tendermint::v0_38::abci::{InfoRequest, InfoResponse, Request, Response};
use tower_abci::v038::split;
use tower_abci::BoxError;

use crate::app::App;
use crate::query::Queries;

/// ABCI service over an [`App`].
pub struct AbciService {
    app: App,
}

impl AbciService {
    /// Serves `app`.
    pub fn new(app: App) -> Self {
        Self { app }
    }
}

impl tower::Service<Request> for AbciService {
    type Response = Response;
    type Error = BoxError;
    type Future = Ready<Result<Response, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        ready(Ok(handle(&mut self.app, request)))
    }
}

/// Answers one ABCI request.
pub fn handle(app: &mut App, request: Request) -> Response {
    match request {
        Request::Echo(echo) => Response::Echo(rsp::Echo {
            message: echo.message,
        }),
        Request::Flush => Response::Flush,
        Request::Info(_) => Response::Info(app.info()),
        Request::InitChain(init) => match app.init_chain(init) {
            Ok(response) => Response::InitChain(response),
            // An invalid genesis cannot start a chain: report it and let CometBFT stop.
            Err(e) => {
                tracing::error!("InitChain failed: {e}");
                Response::Exception(rsp::Exception {
                    error: format!("invalid genesis: {e}"),
                })
            }
        },
        Request::Query(query) => Response::Query(app.query(query)),
        Request::CheckTx(check) => Response::CheckTx(app.check_tx(check)),
        Request::Commit => Response::Commit(app.commit()),
        Request::ListSnapshots => Response::ListSnapshots(Default::default()),
        Request::OfferSnapshot(_) => Response::OfferSnapshot(rsp::OfferSnapshot::Reject),
        Request::LoadSnapshotChunk(_) => Response::LoadSnapshotChunk(Default::default()),
        Request::ApplySnapshotChunk(_) => Response::ApplySnapshotChunk(rsp::ApplySnapshotChunk {
            result: rsp::ApplySnapshotChunkResult::Abort,
            refetch_chunks: Vec::new(),
            reject_senders: Vec::new(),
        }),
        Request::PrepareProposal(prepare) => {
            Response::PrepareProposal(app.prepare_proposal(prepare))
        }
        Request::ProcessProposal(process) => {
            Response::ProcessProposal(app.process_proposal(process))
        }
        Request::ExtendVote(_) => Response::ExtendVote(rsp::ExtendVote {
            vote_extension: Default::default(),
        }),
        Request::VerifyVoteExtension(_) => {
            Response::VerifyVoteExtension(rsp::VerifyVoteExtension::Accept)
        }
        Request::FinalizeBlock(block) => Response::FinalizeBlock(app.finalize_block(block)),
    }
}

/// The node's four ABCI connection services: consensus, mempool and snapshot through one worker
/// over `app` (an [`AbciService`] in the node), requests handled in order; info through an
/// [`InfoService`] over `queries`, which never waits for that worker. Call inside a tokio
/// runtime (the worker is a task).
pub fn connections<S>(
    app: S,
    queries: Queries,
) -> (
    split::Consensus<S>,
    split::Mempool<S>,
    split::Snapshot<S>,
    InfoService,
)
where
    S: tower::Service<Request, Response = Response, Error = BoxError> + Send + 'static,
    S::Future: Send + 'static,
{
    let (consensus, mempool, snapshot, _) = split::service(app, 1);
    (consensus, mempool, snapshot, InfoService::new(queries))
}

/// The info connection's service over [`Queries`], without the [`App`]: Echo, Info (the same
/// [`Queries::abci_info`] the app answers, so CometBFT's handshake sees the last committed
/// height and app hash either way) and Query ([`Queries::abci_query`], simulation included),
/// each run on tokio's blocking pool against a committed snapshot.
#[derive(Clone)]
pub struct InfoService {
    queries: Queries,
}

impl InfoService {
    /// Serves `queries` (the app's, [`App::queries`]).
    pub fn new(queries: Queries) -> Self {
        Self { queries }
    }
}

impl tower::Service<InfoRequest> for InfoService {
    type Response = InfoResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<InfoResponse, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: InfoRequest) -> Self::Future {
        let queries = self.queries.clone();
        Box::pin(async move {
            Ok(match request {
                InfoRequest::Echo(echo) => InfoResponse::Echo(rsp::Echo {
                    message: echo.message,
                }),
                InfoRequest::Info(_) => {
                    let reading = queries.clone();
                    let info = tokio::task::spawn_blocking(move || reading.abci_info()).await;
                    // Only a pool that refused the task (shutting down) fails: answer inline.
                    InfoResponse::Info(info.unwrap_or_else(|_| queries.abci_info()))
                }
                InfoRequest::Query(query) => {
                    let answering = queries.clone();
                    let answer = tokio::task::spawn_blocking(move || answering.abci_query(query));
                    // A query that panicked is a bug: report it to the caller, keep the
                    // connection.
                    InfoResponse::Query(answer.await.unwrap_or_else(|e| {
                        tracing::error!("ABCI query failed: {e}");
                        queries.query_error(AppError::sdk(
                            SdkCode::Logic,
                            format!("query failed: {e}"),
                        ))
                    }))
                }
            })
        })
    }
}
