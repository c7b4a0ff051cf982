//! The gRPC server: every method is one raw-bytes unary route. Module query paths pass the
//! protobuf bytes to the same [`Queries`] ABCI `Query` uses, so both transports always agree;
//! node-level services ([`NodeServices`]: broadcast, transaction lookup, blocks, node info,
//! consensus parameters, simulation) answer from the node's CometBFT RPC. Any other method answers
//! `UNIMPLEMENTED`. Server reflection (v1 and v1alpha) describes every served service and every type
//! that appears inside an `Any`.
//!
//! Height: the request header `x-cosmos-block-height` selects a retained height for module queries
//! (as in the Cosmos SDK); the response carries the height it was answered at in the same header.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, BufMut};
use rampart_app::Queries;
use rampart_core::error::{AppError, SdkCode};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::server::{Grpc, UnaryService};
use tonic::{Request, Response, Status};

use crate::services::{self, NodeServices};

/// The Cosmos SDK's height header.
pub const HEIGHT_HEADER: &str = "x-cosmos-block-height";

/// Builds the router: one route per module query path and per node-service method not already
/// answered by [`Queries`], reflection, and an `UNIMPLEMENTED` fallback. A module query path
/// declared twice is a composition error.
pub fn routes(queries: Queries, node: NodeServices) -> anyhow::Result<tonic::service::Routes> {
    let mut seen = BTreeSet::new();
    let mut router = axum::Router::new();
    for path in queries.paths() {
        anyhow::ensure!(seen.insert(path), "gRPC path {path} is served twice");
        let handler = ModuleQuery {
            queries: queries.clone(),
        };
        router = router.route_service(path, Route { handler, path });
    }
    for &path in services::PATHS {
        anyhow::ensure!(seen.insert(path), "gRPC path {path} is served twice");
        let handler = node.clone();
        router = router.route_service(path, Route { handler, path });
    }
    let descriptors = served_descriptors(&seen)?;
    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_file_descriptor_set(descriptors.clone())
        .build_v1()?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_file_descriptor_set(descriptors)
        .build_v1alpha()?;
    Ok(tonic::service::Routes::from(router.fallback(unimplemented))
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha))
}

/// Answers any method no route serves.
/// The descriptor set of every Rampart protobuf, with each file's `service` declarations reduced
/// to the services this node serves (a service is served when one of its methods is in `paths`):
/// a consumer node describes no staking service, a provider node no ccv service.
fn served_descriptors(paths: &BTreeSet<&str>) -> anyhow::Result<prost_types::FileDescriptorSet> {
    use prost::Message;
    let mut set = prost_types::FileDescriptorSet::decode(rampart_proto::FILE_DESCRIPTOR_SET)?;
    for file in &mut set.file {
        let package = file.package().to_owned();
        file.service.retain(|service| {
            let prefix = format!("/{package}.{}/", service.name());
            paths.iter().any(|path| path.starts_with(&prefix))
        });
    }
    Ok(set)
}

async fn unimplemented(uri: http::Uri) -> http::Response<tonic::body::Body> {
    Status::unimplemented(format!("unknown method {}", uri.path())).into_http()
}

/// Serves `routes` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    routes: tonic::service::Routes,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    tonic::transport::Server::builder()
        .add_routes(routes)
        .serve_with_incoming_shutdown(
            tonic::transport::server::TcpIncoming::from(listener),
            shutdown,
        )
        .await?;
    Ok(())
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// What answers the requests of one route.
trait Handler: Clone + Send + Sync + 'static {
    /// Answers `request` to the method at `path`.
    fn handle(
        &self,
        path: &'static str,
        request: Request<Vec<u8>>,
    ) -> BoxFuture<Result<Response<Vec<u8>>, Status>>;
}

/// The service behind one gRPC method path.
#[derive(Clone)]
struct Route<H> {
    handler: H,
    path: &'static str,
}

impl<H: Handler> tower::Service<http::Request<axum::body::Body>> for Route<H> {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<axum::body::Body>) -> Self::Future {
        let route = self.clone();
        Box::pin(async move { Ok(Grpc::new(RawCodec).unary(route, request).await) })
    }
}

impl<H: Handler> UnaryService<Vec<u8>> for Route<H> {
    type Response = Vec<u8>;
    type Future = BoxFuture<Result<Response<Vec<u8>>, Status>>;

    fn call(&mut self, request: Request<Vec<u8>>) -> Self::Future {
        self.handler.handle(self.path, request)
    }
}

/// Module queries over committed state.
#[derive(Clone)]
struct ModuleQuery {
    queries: Queries,
}

impl Handler for ModuleQuery {
    fn handle(
        &self,
        path: &'static str,
        request: Request<Vec<u8>>,
    ) -> BoxFuture<Result<Response<Vec<u8>>, Status>> {
        let queries = self.queries.clone();
        Box::pin(async move {
            let height = match request.metadata().get(HEIGHT_HEADER) {
                None => 0,
                Some(value) => value
                    .to_str()
                    .ok()
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or_else(|| Status::invalid_argument(format!("invalid {HEIGHT_HEADER}")))?,
            };
            let answer = module_query(queries, path, request.into_inner(), height).await?;
            let mut response = Response::new(answer.value);
            if let Ok(value) = answer.height.to_string().parse() {
                response.metadata_mut().insert(HEIGHT_HEADER, value);
            }
            Ok(response)
        })
    }
}

/// Answers the module query (or simulation) at `path` with request bytes `data` at committed
/// `height` (0 = latest): the one query path of the gRPC server and the REST API.
pub async fn module_query(
    queries: Queries,
    path: &'static str,
    data: Vec<u8>,
    height: u64,
) -> Result<rampart_app::query::QueryAnswer, Status> {
    // Store reads are synchronous; keep them off the async workers.
    tokio::task::spawn_blocking(move || queries.query(path, &data, height))
        .await
        .map_err(|e| Status::internal(format!("query task failed: {e}")))?
        .map_err(status)
}

impl Handler for NodeServices {
    fn handle(
        &self,
        path: &'static str,
        request: Request<Vec<u8>>,
    ) -> BoxFuture<Result<Response<Vec<u8>>, Status>> {
        let node = self.clone();
        Box::pin(async move { node.call(path, request.get_ref()).await.map(Response::new) })
    }
}

/// Maps an application error to the gRPC status clients expect.
pub fn status(e: AppError) -> Status {
    let code = if e.is(SdkCode::KeyNotFound) || e.is(SdkCode::NotFound) {
        tonic::Code::NotFound
    } else if e.is(SdkCode::UnknownRequest) {
        tonic::Code::Unimplemented
    } else if e.is(SdkCode::Logic) {
        tonic::Code::Internal
    } else {
        tonic::Code::InvalidArgument
    };
    Status::new(code, e.log)
}

/// A codec that passes protobuf bytes through untouched (clients of raw method paths use it too).
#[derive(Debug, Clone, Copy, Default)]
pub struct RawCodec;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> RawCodec {
        RawCodec
    }
    fn decoder(&mut self) -> RawCodec {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        let mut bytes = vec![0; src.remaining()];
        src.copy_to_slice(&mut bytes);
        Ok(Some(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmos_sdk_proto::cosmos::tx::v1beta1::{BroadcastMode, BroadcastTxRequest};
    use http::uri::PathAndQuery;
    use prost::Message;

    /// A gRPC server over an empty store whose CometBFT RPC (port 1) is unreachable.
    async fn server() -> (tempfile::TempDir, String, tokio::sync::oneshot::Sender<()>) {
        let (dir, queries, node) = crate::services::unreachable_node_over_empty_store();
        let routes = routes(queries, node).expect("routes");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, routes, async {
            let _ = stopped.await;
        }));
        (dir, address, stop)
    }

    async fn call(address: &str, path: &'static str, request: Vec<u8>) -> Result<Vec<u8>, Status> {
        let channel = tonic::transport::Endpoint::from_shared(address.to_string())
            .expect("endpoint")
            .connect()
            .await
            .expect("connect");
        let mut client = tonic::client::Grpc::new(channel);
        client.ready().await.expect("ready");
        client
            .unary(
                Request::new(request),
                PathAndQuery::from_static(path),
                RawCodec,
            )
            .await
            .map(Response::into_inner)
    }

    #[tokio::test]
    async fn unknown_methods_are_unimplemented() {
        let (_dir, address, _stop) = server().await;
        for path in [
            "/cosmos.tx.v1beta1.Service/GetBlockWithTxs",
            "/cosmos.bank.v1beta1.Query/DenomOwners",
            "/no.such.Service/Method",
        ] {
            let status = call(&address, path, Vec::new()).await.expect_err(path);
            assert_eq!(status.code(), tonic::Code::Unimplemented, "{path}");
            assert!(status.message().contains(path), "{status:?}");
        }
    }

    #[tokio::test]
    async fn bad_requests_and_a_down_cometbft_get_clear_statuses() {
        let (_dir, address, _stop) = server().await;
        let garbage = call(&address, services::GET_TX, vec![0xff, 0xff, 0xff])
            .await
            .expect_err("garbage");
        assert_eq!(garbage.code(), tonic::Code::InvalidArgument, "{garbage:?}");

        let block_mode = BroadcastTxRequest {
            tx_bytes: vec![1, 2, 3],
            mode: BroadcastMode::Block.into(),
        };
        let status = call(&address, services::BROADCAST_TX, block_mode.encode_to_vec())
            .await
            .expect_err("block mode");
        assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
        assert!(
            status.message().contains("BROADCAST_MODE_BLOCK"),
            "{status:?}"
        );

        let status = call(&address, services::GET_SYNCING, Vec::new())
            .await
            .expect_err("no CometBFT");
        assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
    }
}

#[cfg(test)]
mod reflection_tests {
    use super::*;
    use rampart_app::Modules;

    fn described(modules: &Modules) -> BTreeSet<String> {
        let paths: BTreeSet<&str> = modules
            .query_paths()
            .chain(services::PATHS.iter().copied())
            .collect();
        served_descriptors(&paths)
            .expect("descriptors")
            .file
            .iter()
            .flat_map(|f| {
                f.service
                    .iter()
                    .map(move |s| format!("{}.{}", f.package(), s.name()))
            })
            .collect()
    }

    #[test]
    fn reflection_describes_only_the_composition_s_services() {
        let provider = described(&Modules::provider());
        assert!(provider.contains("cosmos.staking.v1beta1.Query"));
        assert!(provider.contains("rampart.restaking.v1.Query"));
        assert!(!provider.contains("rampart.ccv.v1.Query"));
        let consumer = described(&Modules::consumer());
        assert!(consumer.contains("rampart.ccv.v1.Query"));
        assert!(consumer.contains("cosmos.bank.v1beta1.Query"));
        assert!(consumer.contains("cosmos.tx.v1beta1.Service"));
        assert!(!consumer.contains("cosmos.staking.v1beta1.Query"));
        assert!(!consumer.contains("rampart.consumer.v1.Query"));
    }
}
