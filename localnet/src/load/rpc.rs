//! The load generator's CometBFT RPC: JSON-RPC batches over plain HTTP/1.0 `POST`s on
//! loopback (`broadcast_tx_sync` ten at a time, `block` with `block_results`), answers parsed
//! as untyped JSON.
//!
//! CometBFT refuses batches of more than [`MAX_BATCH`] requests (`max_request_batch_size`).

use rampart_client::node_status::u64_field;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context, Result};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The most requests CometBFT accepts in one JSON-RPC batch.
pub const MAX_BATCH: usize = 10;

/// Upper bound of one RPC round trip (a node busy with CheckTx answers slowly).
const RPC_TIMEOUT: Duration = Duration::from_secs(20);

/// One entry of a batch answer: the `result`, or the node's `error` as text.
pub type Answer = std::result::Result<Value, String>;

/// POSTs `requests` (at most [`MAX_BATCH`]) as one JSON-RPC batch to `addr` and returns the
/// answers in request order.
pub async fn batch(addr: SocketAddr, requests: &[(&str, Value)]) -> Result<Vec<Answer>> {
    if requests.len() > MAX_BATCH {
        bail!("a JSON-RPC batch holds at most {MAX_BATCH} requests");
    }
    let body: Vec<Value> = requests
        .iter()
        .enumerate()
        .map(|(id, (method, params))| {
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        })
        .collect();
    let answer = tokio::time::timeout(RPC_TIMEOUT, post(addr, &Value::Array(body)))
        .await
        .with_context(|| format!("RPC batch to {addr} timed out after {RPC_TIMEOUT:?}"))?
        .with_context(|| format!("RPC batch to {addr} failed"))?;
    split_batch(answer, requests.len())
}

/// Puts a batch answer back in request order (CometBFT may answer in any order).
fn split_batch(answer: Value, count: usize) -> Result<Vec<Answer>> {
    // CometBFT answers a batch of one with a bare object (WriteRPCResponseArrayHTTP).
    let items = match answer {
        Value::Array(items) => items,
        single @ Value::Object(_) if count == 1 => vec![single],
        other => bail!("the node answered a batch with {other}"),
    };
    let mut out: Vec<Option<Answer>> = vec![None; count];
    for item in items {
        let id = item["id"]
            .as_u64()
            .and_then(|id| usize::try_from(id).ok())
            .filter(|&id| id < count)
            .with_context(|| format!("batch answer with a bad id: {item}"))?;
        out[id] = Some(match item.get("error") {
            Some(error) => Err(error_text(error)),
            None => Ok(item["result"].clone()),
        });
    }
    out.into_iter()
        .enumerate()
        .map(|(id, a)| a.with_context(|| format!("the batch answer misses request {id}")))
        .collect()
}

/// A JSON-RPC error as one line (`message: data`).
fn error_text(error: &Value) -> String {
    let message = error["message"].as_str().unwrap_or("error");
    match error["data"].as_str() {
        Some(data) if !data.is_empty() => format!("{message}: {data}"),
        _ => message.to_string(),
    }
}

async fn post(addr: SocketAddr, body: &Value) -> Result<Value> {
    let body = serde_json::to_vec(body)?;
    let mut stream = TcpStream::connect(addr).await.context("connect failed")?;
    let head = format!(
        "POST / HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .await
        .context("send failed")?;
    stream.write_all(&body).await.context("send failed")?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .context("read failed")?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("malformed HTTP response (no header terminator)")?;
    serde_json::from_slice(&response[split + 4..]).with_context(|| {
        let status = String::from_utf8_lossy(&response[..split.min(80)]).into_owned();
        format!("{status}: the body is not JSON")
    })
}

/// What `broadcast_tx_sync` answered for one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ack {
    /// CheckTx passed: the tx is in the mempool (or CometBFT already had it in its cache).
    Accepted,
    /// CheckTx refused it: `codespace/code` and the log.
    Refused {
        /// `codespace/code` (`/code` when the codespace is empty).
        code: String,
        /// The log.
        log: String,
    },
    /// CometBFT refused it before or after CheckTx (e.g. `mempool is full`).
    Error(String),
}

/// Sends `txs` (at most [`MAX_BATCH`]) with `broadcast_tx_sync` in one batch.
pub async fn broadcast(addr: SocketAddr, txs: &[&[u8]]) -> Result<Vec<Ack>> {
    let engine = base64::engine::general_purpose::STANDARD;
    let requests: Vec<(&str, Value)> = txs
        .iter()
        .map(|tx| ("broadcast_tx_sync", json!({"tx": engine.encode(tx)})))
        .collect();
    Ok(batch(addr, &requests)
        .await?
        .into_iter()
        .map(|answer| match answer {
            Ok(result) => ack_of(&result),
            Err(error) if error.contains("already exists in cache") => Ack::Accepted,
            Err(error) => Ack::Error(error),
        })
        .collect())
}

fn ack_of(result: &Value) -> Ack {
    let code = result["code"].as_u64().unwrap_or(0);
    if code == 0 {
        return Ack::Accepted;
    }
    Ack::Refused {
        code: format!("{}/{code}", result["codespace"].as_str().unwrap_or("")),
        log: result["log"].as_str().unwrap_or("").to_string(),
    }
}

/// The latest committed height (`/status`).
pub async fn latest_height(addr: SocketAddr) -> Result<u64> {
    let answer = batch(addr, &[("status", json!({}))]).await?;
    let status = first(answer)?;
    u64_field(&status["sync_info"]["latest_block_height"]).context("/status: bad height")
}

/// One committed block as the load report needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockData {
    /// Its height.
    pub height: u64,
    /// Its header time (when the previous block was decided).
    pub time: SystemTime,
    /// sha256 of each transaction, in block order.
    pub tx_hashes: Vec<[u8; 32]>,
    /// The summed size of its transactions.
    pub tx_bytes: u64,
    /// `codespace/code` of each transaction's result (`/0` for success).
    pub codes: Vec<String>,
}

/// Fetches `block` and `block_results` of `height`.
pub async fn block(addr: SocketAddr, height: u64) -> Result<BlockData> {
    let h = height.to_string();
    let answers = batch(
        addr,
        &[
            ("block", json!({ "height": h })),
            ("block_results", json!({ "height": h })),
        ],
    )
    .await?;
    let mut answers = answers.into_iter();
    let block = answers
        .next()
        .context("no block answer")?
        .map_err(|e| anyhow::anyhow!("/block {height}: {e}"))?;
    let results = answers
        .next()
        .context("no block_results answer")?
        .map_err(|e| anyhow::anyhow!("/block_results {height}: {e}"))?;
    parse_block(height, &block, &results)
}

fn parse_block(height: u64, block: &Value, results: &Value) -> Result<BlockData> {
    let header = &block["block"]["header"];
    let time = header["time"]
        .as_str()
        .context("/block: no header.time")
        .and_then(parse_time)?;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut tx_hashes = Vec::new();
    let mut tx_bytes = 0u64;
    for tx in block["block"]["data"]["txs"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let bytes = engine
            .decode(tx.as_str().context("/block: a tx is not a string")?)
            .context("/block: a tx is not base64")?;
        tx_bytes = tx_bytes.saturating_add(bytes.len() as u64);
        tx_hashes.push(Sha256::digest(&bytes).into());
    }
    let codes: Vec<String> = results["txs_results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            format!(
                "{}/{}",
                r["codespace"].as_str().unwrap_or(""),
                r["code"].as_u64().unwrap_or(0)
            )
        })
        .collect();
    if codes.len() != tx_hashes.len() {
        bail!(
            "block {height} has {} txs but {} results",
            tx_hashes.len(),
            codes.len()
        );
    }
    Ok(BlockData {
        height,
        time,
        tx_hashes,
        tx_bytes,
        codes,
    })
}

/// Parses CometBFT's RFC 3339 time (`2026-12-03T22:05:51.123456789Z`).
fn parse_time(text: &str) -> Result<SystemTime> {
    let time = tendermint::Time::parse_from_rfc3339(text)
        .with_context(|| format!("bad block time {text:?}"))?;
    let nanos = u64::try_from(time.unix_timestamp_nanos())
        .with_context(|| format!("block time {text:?} is before 1970"))?;
    Ok(SystemTime::UNIX_EPOCH + Duration::from_nanos(nanos))
}

fn first(answers: Vec<Answer>) -> Result<Value> {
    answers
        .into_iter()
        .next()
        .context("empty batch answer")?
        .map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_answers_come_back_in_request_order() -> Result<()> {
        let answer = json!([
            {"jsonrpc": "2.0", "id": 1, "error": {"code": -32603, "message": "Internal error", "data": "mempool is full"}},
            {"jsonrpc": "2.0", "id": 0, "result": {"code": 0}},
        ]);
        let answers = split_batch(answer, 2)?;
        assert_eq!(answers[0], Ok(json!({"code": 0})));
        assert_eq!(
            answers[1],
            Err("Internal error: mempool is full".to_string())
        );
        assert!(split_batch(json!([{"id": 0, "result": {}}]), 2).is_err());
        assert!(split_batch(json!({"error": "no"}), 1).is_err());
        Ok(())
    }

    #[test]
    fn acks_name_their_code() {
        assert_eq!(ack_of(&json!({"code": 0})), Ack::Accepted);
        assert_eq!(
            ack_of(&json!({"code": 32, "codespace": "sdk", "log": "account sequence mismatch"})),
            Ack::Refused {
                code: "sdk/32".into(),
                log: "account sequence mismatch".into()
            }
        );
    }

    #[test]
    fn parses_a_block_and_its_results() -> Result<()> {
        let block = json!({"block": {"header": {"time": "2026-12-03T22:05:51.5Z"},
            "data": {"txs": ["a2V5PXZhbHVl"]}}});
        let results = json!({"txs_results": [{"code": 0, "codespace": ""}]});
        let data = parse_block(7, &block, &results)?;
        assert_eq!(data.tx_bytes, 9);
        assert_eq!(data.codes, vec!["/0".to_string()]);
        assert_eq!(
            data.tx_hashes[0],
            <[u8; 32]>::from(Sha256::digest(b"key=value"))
        );
        assert!(parse_block(7, &block, &json!({"txs_results": []})).is_err());
        Ok(())
    }
}
