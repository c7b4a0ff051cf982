//! Scraping a node's Prometheus endpoint (`/metrics` of rampartd or CometBFT) and reading
//! samples from the parsed exposition.

use std::io::{Read, Write};

use anyhow::{anyhow, ensure, Context, Result};
use prometheus_parse::{Scrape, Value};

/// `GET url` (`http://host:port/path`) and parses the body as the Prometheus text format.
pub fn scrape(url: &str) -> Result<Scrape> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| anyhow!("{url} is not an http:// URL"))?;
    let (address, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = std::net::TcpStream::connect(address)
        .with_context(|| format!("connecting to {address}"))?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    // HTTP/1.0: the answer comes whole, never chunked (Go's server chunks HTTP/1.1 answers).
    write!(stream, "GET /{path} HTTP/1.0\r\nHost: {address}\r\n\r\n")?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow!("no HTTP head from {url}: {raw}"))?;
    ensure!(head.contains(" 200 "), "{url} answered {head}");
    ensure!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{url} answered chunked; this reader expects a plain body"
    );
    Scrape::parse(body.lines().map(|line| Ok(line.to_string())))
        .with_context(|| format!("parsing the exposition of {url}"))
}

/// The value of the sample `name` whose labels include `labels` (counters, gauges and untyped
/// samples such as a histogram's `_count`).
pub fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .find_map(|s| match s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => Some(v),
            _ => None,
        })
}
