//! [`withheld_events`]: the outermost layer around the app's ABCI service on a node that
//! withholds its events from CometBFT (app.toml `[events] emit = false`, for a validator that
//! serves no queries). It empties the events of FinalizeBlock's answer — the block's and every
//! transaction's — after the node's own metrics have read them, so its CometBFT stores, indexes,
//! publishes and serves none. Consensus is unchanged: CometBFT's results hash covers each
//! result's code, data and gas, never its events.

use tendermint::v0_38::abci::{Request, Response};
use tower::util::MapResponse;
use tower::ServiceExt;

/// The app's service with FinalizeBlock's answers passed through [`without_events`] when
/// `withhold` is set (`!emit` of app.toml's `[events]`), unchanged otherwise.
pub fn withheld_events<S>(inner: S, withhold: bool) -> MapResponse<S, fn(Response) -> Response>
where
    S: tower::Service<Request, Response = Response>,
{
    let answer: fn(Response) -> Response = if withhold {
        without_events
    } else {
        std::convert::identity
    };
    inner.map_response(answer)
}

/// `response` with no events if it is FinalizeBlock's: neither the block's nor any
/// transaction's. Every other answer, and every other field, is returned as it was.
pub fn without_events(mut response: Response) -> Response {
    if let Response::FinalizeBlock(block) = &mut response {
        block.events.clear();
        for result in &mut block.tx_results {
            result.events.clear();
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use tendermint::abci::types::ExecTxResult;
    use tendermint::abci::{response, Code, Event};
    use tower::Service;
    use tower_abci::BoxError;

    fn block() -> response::FinalizeBlock {
        let result = |code: u32| ExecTxResult {
            code: Code::from(code),
            data: vec![1, 2].into(),
            gas_wanted: 10,
            gas_used: 7,
            events: vec![Event::new("transfer", [("recipient", "a", true)])],
            ..ExecTxResult::default()
        };
        response::FinalizeBlock {
            events: vec![Event::new("mint", [("amount", "5", false)])],
            tx_results: vec![result(0), result(5)],
            validator_updates: vec![],
            consensus_param_updates: None,
            app_hash: vec![9; 32].try_into().expect("32 bytes"),
        }
    }

    async fn answer(withhold: bool, request: Request) -> Response {
        let app = tower::service_fn(|request: Request| async move {
            Ok::<_, BoxError>(match request {
                Request::FinalizeBlock(_) => Response::FinalizeBlock(block()),
                _ => Response::Echo(response::Echo {
                    message: "echo".into(),
                }),
            })
        });
        let mut service = withheld_events(app, withhold);
        let ready = service.ready().await.expect("ready");
        ready.call(request).await.expect("answers")
    }

    fn finalize_request() -> Request {
        Request::FinalizeBlock(tendermint::abci::request::FinalizeBlock {
            txs: vec![],
            decided_last_commit: tendermint::abci::types::CommitInfo {
                round: 0u8.into(),
                votes: vec![],
            },
            misbehavior: vec![],
            hash: tendermint::Hash::None,
            height: 1u32.into(),
            time: tendermint::Time::unix_epoch(),
            next_validators_hash: tendermint::Hash::None,
            proposer_address: vec![0; 20].try_into().expect("20 bytes"),
        })
    }

    /// A withholding node answers FinalizeBlock with every consensus-relevant field intact and
    /// no events; other answers, and a node that emits, pass unchanged.
    #[tokio::test]
    async fn empties_only_finalize_blocks_events() {
        let Response::FinalizeBlock(lean) = answer(true, finalize_request()).await else {
            panic!("a FinalizeBlock answer");
        };
        let full = block();
        assert!(lean.events.is_empty());
        assert_eq!(lean.app_hash, full.app_hash);
        assert_eq!(lean.tx_results.len(), 2);
        for (lean, full) in lean.tx_results.iter().zip(&full.tx_results) {
            assert!(lean.events.is_empty() && !full.events.is_empty());
            assert_eq!(
                (lean.code, &lean.data, lean.gas_wanted, lean.gas_used),
                (full.code, &full.data, full.gas_wanted, full.gas_used)
            );
        }
        assert_eq!(
            answer(false, finalize_request()).await,
            Response::FinalizeBlock(full)
        );
        let echo = Request::Echo(tendermint::abci::request::Echo {
            message: "hi".into(),
        });
        assert!(matches!(answer(true, echo).await, Response::Echo(_)));
    }
}
