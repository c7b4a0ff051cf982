//! The tower service CometBFT talks to. Requests are handled one at a time, in order, by the
//! single [`App`]; `tower_abci::v038::split` fans them out to the four ABCI connections.
//!
//! The service never returns `Err` (tower-abci would drop the connection): every failure is an
//! ABCI result code, and corrupt consensus state halts the process deliberately.

use std::task::{Context, Poll};

use futures::future::{ready, Ready};
use tendermint::abci::response as rsp;
use tendermint::v0_38::abci::{Request, Response};
use tower_abci::BoxError;

use crate::app::App;

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
