//! Human-readable output: the summary table, the status table and the live
//! one-line status.

use crate::network::{Localnet, NodeStatus};

/// Pads `cells` into aligned columns separated by two spaces.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| format!("{cell:<width$}", width = widths[c]))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Nodes with their addresses and log files.
pub fn summary(net: &Localnet) -> String {
    let mut rows = vec![vec![
        "node".to_string(),
        "RPC".into(),
        "gRPC".into(),
        "P2P".into(),
        "ABCI".into(),
        "logs".into(),
    ]];
    for node in net.nodes() {
        rows.push(vec![
            node.name.clone(),
            node.rpc.clone(),
            node.grpc.clone(),
            node.p2p.clone(),
            node.abci.clone(),
            format!("{}/logs/{{rampartd,cometbft}}.log", node.home.display()),
        ]);
    }
    let mut text = format!(
        "chain {} — {} validator(s), home {}\n{}",
        net.manifest().chain_id,
        net.nodes().len(),
        net.home().display(),
        table(&rows)
    );
    if let Some(faucet) = &net.manifest().faucet {
        text.push_str(&format!(
            "\nfaucet {} (mnemonic: {})\nvalidator operator keys: `rampartd keys list --keyring-backend test --home <node home>`",
            faucet.address, faucet.mnemonic
        ));
    }
    text
}

/// The first 8 hex digits of an app hash, or `-`.
fn short_hash(hash: Option<&str>) -> String {
    match hash {
        Some("") => "(empty)".into(),
        Some(hash) => hash.chars().take(8).collect(),
        None => "-".into(),
    }
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// A full status table.
pub fn status_table(statuses: &[NodeStatus]) -> String {
    let mut rows = vec![vec![
        "node".to_string(),
        "cometbft".into(),
        "rampartd".into(),
        "height".into(),
        "app hash".into(),
        "peers".into(),
        "note".into(),
    ]];
    let state = |up: bool| if up { "running" } else { "stopped" }.to_string();
    for s in statuses {
        let note = match (&s.error, s.catching_up) {
            (Some(err), _) if s.running.cometbft => err.clone(),
            (_, Some(true)) => "catching up".into(),
            _ => String::new(),
        };
        rows.push(vec![
            s.name.clone(),
            state(s.running.cometbft),
            state(s.running.rampartd),
            opt(s.height),
            short_hash(s.app_hash.as_deref()),
            opt(s.peers),
            note,
        ]);
    }
    table(&rows)
}

/// One line: `node0 h=12 app=AB12CD34 peers=3 | node1 …`.
pub fn status_line(statuses: &[NodeStatus]) -> String {
    statuses
        .iter()
        .map(|s| {
            if !s.running.cometbft {
                format!("{} down", s.name)
            } else {
                format!(
                    "{} h={} app={} peers={}",
                    s.name,
                    opt(s.height),
                    short_hash(s.app_hash.as_deref()),
                    opt(s.peers)
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Running;

    #[test]
    fn renders_tables_and_lines() {
        let up = NodeStatus {
            index: 0,
            name: "node0".into(),
            running: Running {
                cometbft: true,
                rampartd: true,
            },
            height: Some(12),
            app_hash: Some("AB12CD34EF".into()),
            catching_up: Some(false),
            peers: Some(3),
            error: None,
        };
        let down = NodeStatus {
            index: 1,
            name: "node1".into(),
            running: Running::default(),
            height: None,
            app_hash: None,
            catching_up: None,
            peers: None,
            error: Some("cometbft is not running".into()),
        };
        let statuses = [up, down];
        assert_eq!(
            status_line(&statuses),
            "node0 h=12 app=AB12CD34 peers=3 | node1 down"
        );
        let table = status_table(&statuses);
        assert!(table
            .lines()
            .nth(1)
            .unwrap_or("")
            .starts_with("node0  running   running   12"));
        assert!(table.contains("node1  stopped   stopped   -"));
    }
}
