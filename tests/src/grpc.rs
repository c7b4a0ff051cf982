//! A node's gRPC server as an unmodified client calls it: one unary call per method path, the
//! request and answer as protobuf bytes (`rampartd::grpc::RawCodec`), optionally at a pinned
//! height (`x-cosmos-block-height`).

use anyhow::Result;
use prost::Message;

/// Calls gRPC `method` (`/pkg.Service/Method`) at `address` (`host:port`) with protobuf
/// `request` bytes at `height` (the latest when `None`); the outer error is the transport's,
/// the inner one the node's answer.
pub async fn call(
    address: &str,
    method: &str,
    request: Vec<u8>,
    height: Option<u64>,
) -> Result<Result<Vec<u8>, tonic::Status>> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{address}"))?
        .connect()
        .await?;
    let mut client = tonic::client::Grpc::new(channel);
    client.ready().await?;
    let mut request = tonic::Request::new(request);
    if let Some(height) = height {
        request
            .metadata_mut()
            .insert("x-cosmos-block-height", height.to_string().parse()?);
    }
    let path = http::uri::PathAndQuery::try_from(method.to_string())?;
    Ok(client
        .unary(request, path, rampartd::grpc::RawCodec)
        .await
        .map(tonic::Response::into_inner))
}

/// Calls `method` with `request` at the latest height, which must succeed, and decodes the
/// answer as `R`.
pub async fn query<R: Message + Default>(
    address: &str,
    method: &str,
    request: &impl Message,
) -> Result<R> {
    let bytes = call(address, method, request.encode_to_vec(), None)
        .await?
        .map_err(|status| anyhow::anyhow!("{method}: {status}"))?;
    Ok(R::decode(bytes.as_slice())?)
}
