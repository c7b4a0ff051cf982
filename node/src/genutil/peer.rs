//! CometBFT peer addresses `node_id@host:port`: the memo of a gentx and the entries of
//! `p2p.persistent_peers` in `config.toml`.

use std::fmt;
use std::str::FromStr;

use anyhow::{anyhow, bail};

/// Length of a CometBFT node id in hex (20 bytes).
pub const NODE_ID_HEX_LEN: usize = 40;

/// A peer address: node id, host and P2P port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Peer {
    /// Lower-case hex of the first 20 bytes of sha256 of the node's ed25519 public key.
    pub node_id: String,
    /// IP address or host name (an IPv6 address in brackets, `[::1]`).
    pub host: String,
    /// P2P port.
    pub port: u16,
}

impl Peer {
    /// A peer; `node_id` is checked and lower-cased, `host` must be non-empty and free of
    /// `@`, `,` and white space, `port` must not be 0.
    pub fn new(node_id: &str, host: &str, port: u16) -> anyhow::Result<Self> {
        let id_ok =
            node_id.len() == NODE_ID_HEX_LEN && node_id.bytes().all(|b| b.is_ascii_hexdigit());
        if !id_ok {
            bail!("invalid node id {node_id:?}: expected {NODE_ID_HEX_LEN} hex characters");
        }
        let host_ok = !host.is_empty()
            && !host
                .chars()
                .any(|c| c.is_whitespace() || c == '@' || c == ',');
        if !host_ok {
            bail!("invalid host {host:?}: expected an IP address or a host name");
        }
        if port == 0 {
            bail!("invalid P2P port 0");
        }
        Ok(Self {
            node_id: node_id.to_ascii_lowercase(),
            host: host.to_owned(),
            port,
        })
    }
}

impl FromStr for Peer {
    type Err = anyhow::Error;

    /// Parses `node_id@host:port`.
    fn from_str(text: &str) -> anyhow::Result<Self> {
        let expected = || anyhow!("invalid peer address {text:?}: expected <node_id>@<ip>:<port>");
        let (node_id, address) = text.split_once('@').ok_or_else(expected)?;
        let (host, port) = address.rsplit_once(':').ok_or_else(expected)?;
        let port: u16 = port
            .parse()
            .map_err(|_| anyhow!("invalid peer address {text:?}: bad port {port:?}"))?;
        Self::new(node_id, host, port).map_err(|e| anyhow!("invalid peer address {text:?}: {e}"))
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}:{}", self.node_id, self.host, self.port)
    }
}

/// The `persistent_peers` value for the node `own_id`: every other peer, sorted and
/// de-duplicated, joined by commas.
pub fn persistent_peers<'a>(peers: impl IntoIterator<Item = &'a Peer>, own_id: &str) -> String {
    let mut others: Vec<String> = peers
        .into_iter()
        .filter(|p| !p.node_id.eq_ignore_ascii_case(own_id))
        .map(Peer::to_string)
        .collect();
    others.sort();
    others.dedup();
    others.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "15e0ec562e2e10687f264dee0c42a03e9c4f20ed";

    #[test]
    fn parses_and_prints_memos() {
        let peer: Peer = format!("{ID}@127.0.0.1:26656").parse().expect("valid");
        assert_eq!(peer.node_id, ID);
        assert_eq!(peer.host, "127.0.0.1");
        assert_eq!(peer.port, 26656);
        assert_eq!(peer.to_string(), format!("{ID}@127.0.0.1:26656"));

        let upper: Peer = format!("{}@node-1.example:1", ID.to_uppercase())
            .parse()
            .expect("upper-case hex is accepted");
        assert_eq!(upper.node_id, ID, "ids are lower-cased");
        let v6: Peer = format!("{ID}@[::1]:26656").parse().expect("ipv6");
        assert_eq!(v6.host, "[::1]");
    }

    #[test]
    fn refuses_bad_memos() {
        for bad in [
            String::new(),
            "127.0.0.1:26656".into(),
            format!("{ID}@127.0.0.1"),
            format!("{ID}@127.0.0.1:0"),
            format!("{ID}@127.0.0.1:70000"),
            format!("{ID}@127.0.0.1:port"),
            format!("{ID}@:26656"),
            format!("{ID}@my host:26656"),
            format!("{}@127.0.0.1:26656", &ID[..39]),
            format!("{}x@127.0.0.1:26656", &ID[..39]),
            format!("{ID}@a@b:1"),
        ] {
            assert!(bad.parse::<Peer>().is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn persistent_peers_exclude_this_node_and_sort() {
        let other = "aa".repeat(20);
        let third = "0b".repeat(20);
        let peers = [
            Peer::new(&other, "127.0.0.1", 2).expect("peer"),
            Peer::new(ID, "127.0.0.1", 1).expect("peer"),
            Peer::new(&third, "127.0.0.1", 3).expect("peer"),
        ];
        assert_eq!(
            persistent_peers(&peers, &ID.to_uppercase()),
            format!("{third}@127.0.0.1:3,{other}@127.0.0.1:2")
        );
        assert_eq!(persistent_peers(&peers[1..2], ID), "");
    }
}
