//! Port assignment for localnet nodes.
//!
//! [`PortPlan::Fixed`] is the documented scheme used by `cargo localnet`:
//! node `i` listens on P2P `26656+100·i`, RPC `26657+100·i`, ABCI
//! `26658+100·i`, gRPC `9090+100·i` and REST `1317+100·i`; the consumer node of node `i` on
//! consumer chain `c` ([`NodePorts::consumer_fixed`]) on P2P `28056+1000·c+100·i`, RPC
//! `28057+…`, ABCI `28058+…`, gRPC `28090+…` and REST `28017+…`. [`PortPlan::Free`] picks free loopback ports, so tests never collide
//! with a running localnet or with each other.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};

use anyhow::{bail, Context, Result};

/// The loopback address every localnet process binds to.
pub const LOOPBACK: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// How node ports are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortPlan {
    /// Node `i` uses P2P 26656+100·i, RPC 26657+100·i, ABCI 26658+100·i, gRPC 9090+100·i,
    /// REST 1317+100·i.
    Fixed,
    /// Free loopback ports below the OS's ephemeral range (see [`FREE_RANGE`]).
    Free,
}

/// The TCP ports of one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodePorts {
    /// CometBFT peer-to-peer port.
    pub p2p: u16,
    /// CometBFT RPC port.
    pub rpc: u16,
    /// rampartd ABCI port (CometBFT's `proxy_app`).
    pub abci: u16,
    /// rampartd gRPC port.
    pub grpc: u16,
    /// rampartd REST API port (0: none, in a manifest written before the REST API existed).
    pub rest: u16,
    /// rampartd's Prometheus `/metrics` port (0: none, in a manifest written before it existed).
    pub metrics: u16,
    /// CometBFT's Prometheus port (`instrumentation.prometheus_listen_addr`; 0: none).
    pub cometbft_metrics: u16,
}

impl NodePorts {
    /// The ports of node `index` in the [`PortPlan::Fixed`] scheme.
    pub fn fixed(index: usize) -> Result<Self> {
        let offset = u16::try_from(index)
            .ok()
            .and_then(|i| i.checked_mul(100))
            .filter(|offset| *offset <= 65535 - 26658)
            .with_context(|| format!("node index {index} is too large for the fixed port plan"))?;
        Ok(Self {
            p2p: 26656 + offset,
            rpc: 26657 + offset,
            abci: 26658 + offset,
            grpc: 9090 + offset,
            rest: 1317 + offset,
            cometbft_metrics: 26660 + offset,
            metrics: 26661 + offset,
        })
    }

    /// The ports of the consumer node of provider node `index` on consumer `consumer_id` in the
    /// [`PortPlan::Fixed`] scheme: P2P `28056 + 1000·c + 100·i`, RPC `28057 + …`, ABCI
    /// `28058 + …`, gRPC `28090 + …`, REST `28017 + …` — the provider's last two digits (`…56`,
    /// `…57`, `…58`, `9090`, `1317`), 1,000 ports per consumer, all below 32768 (Linux's ephemeral range) and clear
    /// of the provider's ports for up to 14 validators. Nodes 0 to 9 of consumers 0 to 3 (and
    /// nodes 0 to 6 of consumer 4) fit.
    pub fn consumer_fixed(consumer_id: u64, index: usize) -> Result<Self> {
        let too_large = || {
            format!(
                "consumer {consumer_id}, node {index}: the fixed consumer port plan covers \
                 nodes 0 to {} of consumers 0 to {} (ports 28056 + 1000·consumer + 100·node \
                 must stay below {EPHEMERAL_START})",
                CONSUMER_NODES - 1,
                (u32::from(EPHEMERAL_START) - CONSUMER_BASE - 1) / CONSUMER_SPAN
            )
        };
        let base = u32::try_from(consumer_id)
            .ok()
            .filter(|_| index < CONSUMER_NODES as usize)
            .and_then(|c| c.checked_mul(CONSUMER_SPAN))
            .and_then(|offset| offset.checked_add(CONSUMER_BASE))
            .and_then(|base| base.checked_add(u32::try_from(index).ok()? * 100))
            .filter(|base| base + 90 < u32::from(EPHEMERAL_START))
            .with_context(too_large)?;
        let port = |offset: u32| u16::try_from(base + offset).with_context(too_large);
        Ok(Self {
            p2p: port(56)?,
            rpc: port(57)?,
            abci: port(58)?,
            grpc: port(90)?,
            rest: port(17)?,
            cometbft_metrics: port(60)?,
            metrics: port(61)?,
        })
    }

    /// `(label, port)` pairs, for messages and checks.
    pub fn labelled(&self) -> [(&'static str, u16); 7] {
        [
            ("P2P", self.p2p),
            ("RPC", self.rpc),
            ("ABCI", self.abci),
            ("gRPC", self.grpc),
            ("REST", self.rest),
            ("metrics", self.metrics),
            ("CometBFT metrics", self.cometbft_metrics),
        ]
    }
}

/// Where consumer chains' fixed ports start ([`NodePorts::consumer_fixed`]).
const CONSUMER_BASE: u32 = 28_000;
/// Ports per consumer chain in the fixed plan.
const CONSUMER_SPAN: u32 = 1_000;
/// Nodes per consumer chain in the fixed plan (100 ports each).
const CONSUMER_NODES: u32 = 10;
/// The first port of Linux's ephemeral range, where no localnet port may be.
const EPHEMERAL_START: u16 = 32_768;

impl PortPlan {
    /// Ports for `count` nodes.
    pub fn allocate(self, count: usize) -> Result<Vec<NodePorts>> {
        match self {
            PortPlan::Fixed => (0..count).map(NodePorts::fixed).collect(),
            PortPlan::Free => allocate_free(count),
        }
    }

    /// Ports for the consumer nodes of the provider nodes `indices` on consumer `consumer_id`.
    pub fn allocate_consumer(self, consumer_id: u64, indices: &[usize]) -> Result<Vec<NodePorts>> {
        match self {
            PortPlan::Fixed => indices
                .iter()
                .map(|&i| NodePorts::consumer_fixed(consumer_id, i))
                .collect(),
            PortPlan::Free => allocate_free(indices.len()),
        }
    }
}

/// Where [`PortPlan::Free`] looks for ports: below Linux's ephemeral range (32768–60999), where
/// outgoing connections (peers dialling each other, RPC clients) take their local ports, and
/// clear of the fixed plan's ports. A port picked by binding `127.0.0.1:0` comes from the
/// ephemeral range and can be taken by an outgoing connection before the node binds it.
const FREE_RANGE: std::ops::Range<u16> = 15_000..26_000;

/// Next candidate offset into [`FREE_RANGE`], shared by every allocation of this process and
/// seeded from the process id, so parallel tests and test binaries start far apart.
static CURSOR: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(u32::MAX);

/// Picks `5·count` distinct free ports from [`FREE_RANGE`]: all listeners stay open until every
/// port is chosen, so no port is handed out twice.
fn allocate_free(count: usize) -> Result<Vec<NodePorts>> {
    use std::sync::atomic::Ordering;
    let span = u32::from(FREE_RANGE.end - FREE_RANGE.start);
    let _ = CURSOR.compare_exchange(
        u32::MAX,
        std::process::id().wrapping_mul(7919) % span,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    let mut listeners = Vec::with_capacity(count * 5);
    let mut next_port = || -> Result<u16> {
        for _ in 0..span {
            let offset = CURSOR.fetch_add(1, Ordering::SeqCst) % span;
            // `offset < span` keeps the sum inside FREE_RANGE.
            let port = FREE_RANGE.start + u16::try_from(offset).unwrap_or(0);
            if let Ok(listener) = TcpListener::bind(SocketAddr::from((LOOPBACK, port))) {
                listeners.push(listener);
                return Ok(port);
            }
        }
        bail!("no free loopback port in {FREE_RANGE:?}")
    };
    let mut plan = Vec::with_capacity(count);
    for _ in 0..count {
        plan.push(NodePorts {
            p2p: next_port()?,
            rpc: next_port()?,
            abci: next_port()?,
            grpc: next_port()?,
            rest: next_port()?,
            metrics: next_port()?,
            cometbft_metrics: next_port()?,
        });
    }
    Ok(plan)
}

/// Fails with a message naming the port and node when one of `ports` is
/// already bound on 127.0.0.1.
pub fn ensure_free(node: &str, ports: &NodePorts) -> Result<()> {
    for (label, port) in ports.labelled() {
        if let Err(err) = TcpListener::bind(SocketAddr::from((LOOPBACK, port))) {
            bail!(
                "port {port} ({node} {label}) is already in use on 127.0.0.1: {err}; stop \
                 whatever listens there (another localnet? try `cargo localnet down`) or use \
                 another --home"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn fixed_scheme() -> Result<()> {
        let ports = PortPlan::Fixed.allocate(2)?;
        assert_eq!(
            ports[1],
            NodePorts {
                p2p: 26756,
                rpc: 26757,
                abci: 26758,
                grpc: 9190,
                rest: 1417,
                cometbft_metrics: 26760,
                metrics: 26761
            }
        );
        assert!(NodePorts::fixed(1000).is_err());
        Ok(())
    }

    #[test]
    fn fixed_consumer_scheme() -> Result<()> {
        assert_eq!(
            NodePorts::consumer_fixed(0, 0)?,
            NodePorts {
                p2p: 28056,
                rpc: 28057,
                abci: 28058,
                grpc: 28090,
                rest: 28017,
                cometbft_metrics: 28060,
                metrics: 28061
            }
        );
        assert_eq!(
            PortPlan::Fixed.allocate_consumer(2, &[1, 3])?[1],
            NodePorts {
                p2p: 30356,
                rpc: 30357,
                abci: 30358,
                grpc: 30390,
                rest: 30317,
                cometbft_metrics: 30360,
                metrics: 30361
            }
        );
        // The highest fitting slots stay below the ephemeral range; the next ones are refused.
        assert!(NodePorts::consumer_fixed(3, 9)?.grpc < 32768);
        assert!(NodePorts::consumer_fixed(4, 6)?.grpc < 32768);
        assert!(NodePorts::consumer_fixed(4, 7).is_err());
        assert!(NodePorts::consumer_fixed(0, 10).is_err());
        let message = NodePorts::consumer_fixed(9, 0)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("consumers 0 to 4"), "{message}");
        // Disjoint from the provider's fixed ports of a 14-validator localnet.
        let provider: HashSet<u16> = PortPlan::Fixed
            .allocate(14)?
            .iter()
            .flat_map(|p| p.labelled().map(|(_, port)| port))
            .collect();
        for c in 0..4 {
            for i in 0..10 {
                let ports = NodePorts::consumer_fixed(c, i)?;
                assert!(ports.labelled().iter().all(|(_, p)| !provider.contains(p)));
            }
        }
        Ok(())
    }

    #[test]
    fn free_ports_are_distinct() -> Result<()> {
        let plan = PortPlan::Free.allocate(4)?;
        let all: HashSet<u16> = plan
            .iter()
            .flat_map(|p| p.labelled().map(|(_, port)| port))
            .collect();
        assert_eq!(all.len(), 28);
        Ok(())
    }

    #[test]
    fn busy_port_is_named() -> Result<()> {
        let listener = TcpListener::bind((LOOPBACK, 0))?;
        let busy = listener.local_addr()?.port();
        // The busy port is the first one checked, so the answer cannot depend on whether the
        // other (merely free-when-allocated) ports were taken since by tests running alongside.
        let mut ports = PortPlan::Free.allocate(1)?[0];
        ports.p2p = busy;
        let err = ensure_free("node7", &ports).err().map(|e| e.to_string());
        let msg = err.unwrap_or_default();
        assert!(msg.contains(&format!("port {busy} (node7 P2P)")), "{msg}");
        Ok(())
    }
}
