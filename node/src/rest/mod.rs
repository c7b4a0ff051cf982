//! The REST API: the Cosmos SDK's gRPC-gateway paths and JSON over the same answers the gRPC
//! server gives. A request is matched against the one route table ([`routes`]), turned into the
//! method's protobuf request ([`convert`]) and dispatched by gRPC method path into the same code
//! the gRPC server runs (`Queries` for module queries and simulation, [`NodeServices`] for the
//! node services), so both transports always agree; the answer is written as proto-JSON.
//!
//! Errors use the gateway's body `{"code": <gRPC code>, "message": "…", "details": []}` with its
//! HTTP status mapping (`INVALID_ARGUMENT` 400, `NOT_FOUND` 404, `UNAVAILABLE` 503, …); an unknown
//! path is 404, a body over [`MAX_BODY_BYTES`] 413. The height header `x-cosmos-block-height`
//! selects a retained height for module queries, and the answer's height comes back in
//! `grpc-metadata-x-cosmos-block-height`, as from the SDK.

// Handlers fail with `tonic::Status`, the type the shared query path answers; boxing it would
// only move the allocation (as in `crate::services`).
#![allow(clippy::result_large_err)]

mod convert;
mod cors;
pub mod routes;
pub mod web;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use http::{header, HeaderMap, Method, Request, Response, StatusCode};
use prost_reflect::DescriptorPool;
use rampart_app::Queries;
use tonic::Status;

pub use cors::Cors;
use routes::{Found, Route, Router};

use crate::grpc;
use crate::services::{self, NodeServices};

/// The largest request body accepted (a 1 MiB transaction in base64 JSON fits).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The response header carrying the height an answer was read at.
const HEIGHT_RESPONSE_HEADER: &str = "grpc-metadata-x-cosmos-block-height";

/// The descriptor set every request and answer is converted with: Rampart's, with every type
/// that appears inside an `Any`.
pub fn pool() -> anyhow::Result<DescriptorPool> {
    Ok(DescriptorPool::decode(rampart_proto::FILE_DESCRIPTOR_SET)?)
}

/// What answers REST requests: the routes of the served methods and the two query paths.
struct Api {
    router: Router,
    queries: Queries,
    node: NodeServices,
    cors: Cors,
}

/// The REST service for `queries` (the module queries and simulation of this node's
/// composition) and `node` (the node services), with `cors` applied to every answer.
pub fn app(queries: Queries, node: NodeServices, cors: Cors) -> anyhow::Result<axum::Router> {
    let mut served = queries.paths();
    served.extend_from_slice(services::PATHS);
    let router = Router::new(&served, &pool()?)?;
    for method in router.unrouted() {
        tracing::warn!(%method, "gRPC method has no REST route");
    }
    let api = Arc::new(Api {
        router,
        queries,
        node,
        cors,
    });
    Ok(axum::Router::new().fallback(handle).with_state(api))
}

/// A running REST server (see [`spawn`]).
pub struct Running {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Stops accepting requests, lets those in flight finish and waits for the server.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await?
    }
}

/// Binds `config.address` and serves the REST API there when `config.enable` (app.toml `[api]`);
/// `None` when it is off.
pub async fn spawn(
    config: &crate::config::Api,
    queries: Queries,
    node: NodeServices,
) -> anyhow::Result<Option<Running>> {
    if !config.enable {
        return Ok(None);
    }
    let cors = Cors {
        any: config.enabled_unsafe_cors,
        origins: config.cors_allowed_origins.clone(),
    };
    let mut app = app(queries, node, cors)?;
    if config.web {
        app = app.merge(web::router());
        tracing::info!(url = %format!("http://{}/", config.address), "web view served");
    }
    let listener = tokio::net::TcpListener::bind(config.address)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot listen on {} (api.address in app.toml): {e}; is port {} already in use?",
                config.address,
                config.address.port()
            )
        })?;
    tracing::info!(address = %config.address, "REST API listening");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, app, async {
        let _ = stopped.await;
    }));
    Ok(Some(Running { stop, task }))
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// Answers one request, CORS headers included.
async fn handle(State(api): State<Arc<Api>>, request: Request<Body>) -> Response<Body> {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut response = if request.method() == Method::OPTIONS {
        api.cors.preflight(request.headers())
    } else {
        answer(&api, request).await.unwrap_or_else(error_response)
    };
    api.cors.decorate(origin.as_ref(), response.headers_mut());
    response
}

/// A gateway error: the HTTP status and the `{code, message, details}` body.
#[derive(Debug)]
struct Failure {
    http: StatusCode,
    status: Status,
}

impl From<Status> for Failure {
    fn from(status: Status) -> Self {
        Self {
            http: http_status(status.code()),
            status,
        }
    }
}

/// Routes, converts and dispatches `request`.
async fn answer(api: &Api, request: Request<Body>) -> Result<Response<Body>, Failure> {
    let post = match *request.method() {
        Method::GET | Method::HEAD => false,
        Method::POST => true,
        _ => return Err(method_not_allowed()),
    };
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let (route, params) = match api.router.find(post, path) {
        Found::Route(route, params) => (route, params),
        Found::WrongVerb => return Err(method_not_allowed()),
        Found::NotFound => {
            return Err(Failure {
                http: StatusCode::NOT_FOUND,
                status: Status::not_found("Not Found"),
            })
        }
    };
    let params = params
        .into_iter()
        .map(|(field, raw)| {
            percent_encoding::percent_decode_str(raw)
                .decode_utf8()
                .map(|text| (field, text.into_owned()))
                .map_err(|_| Status::invalid_argument(format!("{field} is not UTF-8")))
        })
        .collect::<Result<Vec<_>, Status>>()?;
    let message = if route.post {
        let body = read_body(&parts.headers, body).await?;
        let mut message = convert::request_from_json(&route.input, &body)?;
        // Path parameters win over the body's fields, as in the gateway.
        convert::apply(&mut message, &params, None)?;
        message
    } else {
        convert::request_from_query(&route.input, &params, parts.uri.query())?
    };
    let height = requested_height(&parts.headers)?;
    let (bytes, answered_at) = dispatch(api, route, convert::encode(&message), height).await?;
    let json = convert::response_json(&route.output, &bytes)?;
    let mut response = Response::new(Body::from(json));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    if let Some(value) = answered_at.and_then(|h| http::HeaderValue::from_str(&h.to_string()).ok())
    {
        response.headers_mut().insert(HEIGHT_RESPONSE_HEADER, value);
    }
    Ok(response)
}

/// Runs `route`'s method on the protobuf `request`, as the gRPC server does; the answer's bytes
/// and, for module queries, the height it was read at.
async fn dispatch(
    api: &Api,
    route: &Route,
    request: Vec<u8>,
    height: u64,
) -> Result<(Vec<u8>, Option<u64>), Status> {
    if services::PATHS.contains(&route.method) {
        return Ok((api.node.call(route.method, &request).await?, None));
    }
    let answer = grpc::module_query(api.queries.clone(), route.method, request, height).await?;
    Ok((answer.value, Some(answer.height)))
}

/// The `x-cosmos-block-height` request header (0, the latest height, when absent).
fn requested_height(headers: &HeaderMap) -> Result<u64, Status> {
    match headers.get(grpc::HEIGHT_HEADER) {
        None => Ok(0),
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| Status::invalid_argument(format!("invalid {}", grpc::HEIGHT_HEADER))),
    }
}

/// The whole body, refused with 413 past [`MAX_BODY_BYTES`] (by its announced length first).
async fn read_body(headers: &HeaderMap, body: Body) -> Result<axum::body::Bytes, Failure> {
    let too_large = || Failure {
        http: StatusCode::PAYLOAD_TOO_LARGE,
        status: Status::resource_exhausted(format!(
            "request body is larger than {MAX_BODY_BYTES} bytes"
        )),
    };
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large())
}

fn method_not_allowed() -> Failure {
    Failure {
        http: StatusCode::METHOD_NOT_ALLOWED,
        status: Status::unimplemented("Method Not Allowed"),
    }
}

/// The gateway's error body.
fn error_response(failure: Failure) -> Response<Body> {
    let body = serde_json::json!({
        "code": failure.status.code() as i32,
        "message": failure.status.message(),
        "details": [],
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = failure.http;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// grpc-gateway's mapping of gRPC codes to HTTP statuses.
fn http_status(code: tonic::Code) -> StatusCode {
    use tonic::Code;
    match code {
        Code::Ok => StatusCode::OK,
        Code::Cancelled => StatusCode::REQUEST_TIMEOUT,
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => {
            StatusCode::BAD_REQUEST
        }
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    const WALLET: &str = "https://wallet.example";

    /// The REST service over an empty store whose CometBFT RPC (port 1) is unreachable.
    fn service() -> (tempfile::TempDir, axum::Router) {
        let (dir, queries, node) = crate::services::unreachable_node_over_empty_store();
        let cors = Cors {
            any: false,
            origins: vec![WALLET.into()],
        };
        (dir, app(queries, node, cors).expect("app"))
    }

    async fn call(
        service: &axum::Router,
        method: &str,
        uri: &str,
        body: Vec<u8>,
    ) -> (StatusCode, HeaderMap, serde_json::Value) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::ORIGIN, WALLET)
            .body(Body::from(body))
            .expect("request");
        let response = service.clone().oneshot(request).await.expect("infallible");
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("body");
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (parts.status, parts.headers, json)
    }

    #[tokio::test]
    async fn failures_get_the_gateway_body_and_status_never_a_panic() {
        let (_dir, service) = service();
        let (status, headers, body) = call(&service, "GET", "/no/such/path", Vec::new()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            body,
            serde_json::json!({"code": 5, "message": "Not Found", "details": []})
        );
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], WALLET);

        let node_info = "/cosmos/base/tendermint/v1beta1/node_info";
        let (status, _, body) = call(&service, "GET", node_info, Vec::new()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["code"], 14);

        // A body past the limit, without a Content-Length to refuse it early.
        let txs = "/cosmos/tx/v1beta1/txs";
        let huge = vec![b' '; MAX_BODY_BYTES + 1];
        let (status, _, body) = call(&service, "POST", txs, huge).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert_eq!(body["code"], 8);

        let block = br#"{"tx_bytes":"AQID","mode":"BROADCAST_MODE_BLOCK"}"#.to_vec();
        let (status, _, body) = call(&service, "POST", txs, block).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["message"]
            .as_str()
            .is_some_and(|m| m.contains("unsupported")));

        let (status, _, _) = call(&service, "PUT", txs, Vec::new()).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        let (status, _, body) = call(&service, "GET", txs, Vec::new()).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "GetTxsEvent needs a query: {body}"
        );
    }
}
