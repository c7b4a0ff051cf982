//! CometBFT's status endpoints (`/status`, `/net_info`, `/block`, `/validators`) for tools that
//! watch a network (the localnet, the end-to-end tests): a minimal client for CometBFT's JSON
//! RPC over loopback HTTP, with a short timeout per request.
//!
//! Requests are plain `GET /<method>?<params> HTTP/1.0`, so the server closes
//! the connection after the (unchunked) response. Responses are parsed as
//! untyped JSON, which keeps us independent of field-level changes between
//! CometBFT releases.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Upper bound for one RPC round trip.
pub const RPC_TIMEOUT: Duration = Duration::from_secs(3);

/// Calls `GET /<path>` on the RPC server at `addr` and returns the JSON-RPC
/// `result` object.
pub async fn get(addr: SocketAddr, path: &str) -> Result<Value> {
    timeout(RPC_TIMEOUT, get_inner(addr, path))
        .await
        .with_context(|| format!("RPC {addr}/{path} timed out after {RPC_TIMEOUT:?}"))?
        .with_context(|| format!("RPC {addr}/{path} failed"))
}

async fn get_inner(addr: SocketAddr, path: &str) -> Result<Value> {
    let mut stream = TcpStream::connect(addr).await.context("connect failed")?;
    let request =
        format!("GET /{path} HTTP/1.0\r\nHost: {addr}\r\nAccept: application/json\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .context("send failed")?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .context("read failed")?;
    parse_response(&response)
}

/// Splits an HTTP response, checks the status and extracts `result`.
fn parse_response(response: &[u8]) -> Result<Value> {
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("malformed HTTP response (no header terminator)")?;
    let head = String::from_utf8_lossy(&response[..split]);
    let body = &response[split + 4..];
    let status_line = head.lines().next().unwrap_or("");
    let json: Value = serde_json::from_slice(body).with_context(|| {
        format!(
            "{status_line}: body is not JSON: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        )
    })?;
    if let Some(error) = json.get("error") {
        bail!("{status_line}: RPC error {error}");
    }
    if !status_line.contains(" 200") {
        bail!("unexpected HTTP status {status_line:?}");
    }
    json.get("result")
        .cloned()
        .context("JSON-RPC response has no result")
}

/// Latest height and app hash from `/status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncInfo {
    /// `sync_info.latest_block_height`.
    pub height: u64,
    /// `sync_info.latest_app_hash` (upper-case hex, may be empty).
    pub app_hash: String,
    /// `sync_info.catching_up`.
    pub catching_up: bool,
}

/// Queries `/status`.
pub async fn sync_info(addr: SocketAddr) -> Result<SyncInfo> {
    let result = get(addr, "status").await?;
    let info = &result["sync_info"];
    Ok(SyncInfo {
        height: u64_field(&info["latest_block_height"])
            .context("/status: bad sync_info.latest_block_height")?,
        app_hash: info["latest_app_hash"].as_str().unwrap_or("").to_string(),
        catching_up: info["catching_up"].as_bool().unwrap_or(false),
    })
}

/// Queries `/net_info` for the number of connected peers.
pub async fn peer_count(addr: SocketAddr) -> Result<u64> {
    let result = get(addr, "net_info").await?;
    u64_field(&result["n_peers"]).context("/net_info: bad n_peers")
}

/// The identity of a committed block, from `/block?height=H`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockSummary {
    /// Block height.
    pub height: u64,
    /// `block_id.hash`.
    pub block_hash: String,
    /// `block.header.app_hash`: the app state after block `height - 1`.
    pub app_hash: String,
}

/// Queries `/block?height=H`.
pub async fn block(addr: SocketAddr, height: u64) -> Result<BlockSummary> {
    let result = get(addr, &format!("block?height={height}")).await?;
    let header = &result["block"]["header"];
    Ok(BlockSummary {
        height: u64_field(&header["height"]).context("/block: bad header.height")?,
        block_hash: result["block_id"]["hash"]
            .as_str()
            .context("/block: missing block_id.hash")?
            .to_string(),
        app_hash: header["app_hash"]
            .as_str()
            .context("/block: missing header.app_hash")?
            .to_string(),
    })
}

/// The voting power of `address` (upper-case hex) in `/validators` at the latest height, with that height.
pub async fn validator_power(addr: SocketAddr, address: &str) -> Result<Option<(u64, u64)>> {
    let result = get(addr, "validators?per_page=100").await?;
    let height = u64_field(&result["block_height"]).context("/validators: bad block_height")?;
    let validators = result["validators"]
        .as_array()
        .context("/validators: no validators list")?;
    for v in validators {
        if v["address"]
            .as_str()
            .is_some_and(|a| a.eq_ignore_ascii_case(address))
        {
            let power = u64_field(&v["voting_power"]).context("/validators: bad voting_power")?;
            return Ok(Some((power, height)));
        }
    }
    Ok(None)
}

/// A 64-bit integer of a CometBFT JSON answer (CometBFT encodes them as strings).
pub fn u64_field(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_results_and_errors() -> Result<()> {
        let ok = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":{\"n_peers\":\"3\"}}";
        assert_eq!(u64_field(&parse_response(ok)?["n_peers"]), Some(3));
        let err = b"HTTP/1.0 500 Internal Server Error\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":-1,\"error\":{\"code\":-32603,\"data\":\"height 99 must be less than or equal to the current blockchain height 5\"}}";
        let msg = format!(
            "{:#}",
            parse_response(err).err().context("expected an error")?
        );
        assert!(msg.contains("current blockchain height"), "{msg}");
        assert!(parse_response(b"garbage").is_err());
        Ok(())
    }
}
