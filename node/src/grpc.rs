//! The gRPC server: every module query path is served by one generic unary handler that passes
//! the protobuf bytes to the same [`Queries`] ABCI `Query` uses, so both transports always agree.
//! Server reflection (v1 and v1alpha) describes every served service.
//!
//! Height: the request header `x-cosmos-block-height` selects a retained height (as in the Cosmos
//! SDK); the response carries the height it was answered at in the same header.

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

/// The Cosmos SDK's height header.
pub const HEIGHT_HEADER: &str = "x-cosmos-block-height";

/// Builds the router: one route per query path plus reflection.
pub fn routes(queries: Queries) -> anyhow::Result<tonic::service::Routes> {
    let mut router = axum::Router::new();
    for path in queries.paths() {
        router = router.route_service(
            path,
            QueryRoute {
                queries: queries.clone(),
                path,
            },
        );
    }
    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(rampart_proto::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(rampart_proto::FILE_DESCRIPTOR_SET)
        .build_v1alpha()?;
    Ok(tonic::service::Routes::from(router)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha))
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

/// The service behind one gRPC method path.
#[derive(Clone)]
struct QueryRoute {
    queries: Queries,
    path: &'static str,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl tower::Service<http::Request<axum::body::Body>> for QueryRoute {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<axum::body::Body>) -> Self::Future {
        let handler = self.clone();
        Box::pin(async move { Ok(Grpc::new(RawCodec).unary(handler, request).await) })
    }
}

impl UnaryService<Vec<u8>> for QueryRoute {
    type Response = Vec<u8>;
    type Future = BoxFuture<Result<Response<Vec<u8>>, Status>>;

    fn call(&mut self, request: Request<Vec<u8>>) -> Self::Future {
        let queries = self.queries.clone();
        let path = self.path;
        Box::pin(async move {
            let height = match request.metadata().get(HEIGHT_HEADER) {
                None => 0,
                Some(value) => value
                    .to_str()
                    .ok()
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or_else(|| Status::invalid_argument(format!("invalid {HEIGHT_HEADER}")))?,
            };
            let data = request.into_inner();
            // Store reads are synchronous; keep them off the async workers.
            let answer = tokio::task::spawn_blocking(move || queries.query(path, &data, height))
                .await
                .map_err(|e| Status::internal(format!("query task failed: {e}")))?
                .map_err(status)?;
            let mut response = Response::new(answer.value);
            if let Ok(value) = answer.height.to_string().parse() {
                response.metadata_mut().insert(HEIGHT_HEADER, value);
            }
            Ok(response)
        })
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

/// A codec that passes protobuf bytes through untouched.
#[derive(Debug, Clone, Copy, Default)]
struct RawCodec;

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
