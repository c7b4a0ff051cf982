//! Human-readable output: the summary table, the status table and the live
//! one-line status, for the provider and for consumer chains.

use crate::consumer::{ConsumerStatus, SetMember};
use crate::manifest::NodeRecord;
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
    let mut text = format!(
        "chain {} — {} validator(s), home {}\n{}",
        net.manifest().chain_id,
        net.nodes().len(),
        net.home().display(),
        node_table(net.nodes())
    );
    text.push_str(&metrics_lines(net.nodes()));
    text.push_str(&web_lines(net.nodes()));
    if let Some(faucet) = &net.manifest().faucet {
        text.push_str(&format!(
            "\nfaucet {} (mnemonic: {})\nvalidator operator keys: `rampartd keys list --keyring-backend test --home <node home>`",
            faucet.address, faucet.mnemonic
        ));
    }
    text
}

/// One line per node with its Prometheus endpoints (rampartd's and CometBFT's), if it has any.
fn metrics_lines(nodes: &[NodeRecord]) -> String {
    nodes
        .iter()
        .filter_map(|node| {
            let rampartd = node.metrics.as_deref()?;
            let cometbft = node.cometbft_metrics.as_deref().unwrap_or("-");
            Some(format!(
                "metrics {}: {rampartd} (CometBFT: {cometbft})\n",
                node.name
            ))
        })
        .collect()
}

/// One line per node with the URL of its live web view of shared security (served at the
/// REST address's `/` when the localnet turns on `[api] web`), if it has a REST address.
fn web_lines(nodes: &[NodeRecord]) -> String {
    nodes
        .iter()
        .filter_map(|node| {
            Some(format!(
                "web view {}: {}/\n",
                node.name,
                node.rest.as_deref()?
            ))
        })
        .collect()
}

/// Consumer `consumer_id`'s nodes with their addresses and logs, and its relayer.
pub fn consumer_summary(net: &Localnet, consumer_id: u64) -> String {
    let Ok(record) = net.consumer(consumer_id) else {
        return format!("no consumer {consumer_id}");
    };
    format!(
        "consumer {consumer_id}: chain {} — {} node(s), home {}\n{}\nrelayer {} (key `{}` in \
         the test keyring of {}), log {}, status {}",
        record.chain_id,
        record.nodes.len(),
        record.home.display(),
        node_table(&record.nodes),
        record.relayer.address,
        crate::consumer::RELAYER_KEY,
        record.relayer.home.display(),
        record.relayer.log.display(),
        record.relayer.status_file.display()
    )
}

/// The addresses and log files of `nodes`.
fn node_table(nodes: &[NodeRecord]) -> String {
    let mut rows = vec![vec![
        "node".to_string(),
        "RPC".into(),
        "gRPC".into(),
        "REST".into(),
        "P2P".into(),
        "ABCI".into(),
        "logs".into(),
    ]];
    for node in nodes {
        rows.push(vec![
            node.name.clone(),
            node.rpc.clone(),
            node.grpc.clone(),
            node.rest.clone().unwrap_or_else(|| "-".into()),
            node.p2p.clone(),
            node.abci.clone(),
            format!("{}/logs/{{rampartd,cometbft}}.log", node.home.display()),
        ]);
    }
    table(&rows)
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

/// The relayer's state in a few words: `running (pid 12), applied vsc 3 of 3 (lag 0)`.
pub fn relayer_line(status: &ConsumerStatus) -> String {
    let process = match status.relayer.pid {
        Some(pid) if status.relayer.running => format!("running (pid {pid})"),
        _ => "stopped".into(),
    };
    let progress = match (status.applied_vsc, status.provider_vsc, status.lag) {
        (Some(applied), Some(sent), Some(lag)) => {
            format!(", applied vsc {applied} of {sent} (lag {lag})")
        }
        (Some(applied), _, _) => format!(", applied vsc {applied}"),
        _ => String::new(),
    };
    format!("relayer {process}{progress}")
}

/// One line per consumer for `cargo localnet status` and the live watch:
/// `consumer 0 (consumer-1): node0 h=12 … | relayer running (pid 12), applied vsc 3 of 3 (lag 0)`.
pub fn consumer_line(status: &ConsumerStatus) -> String {
    format!(
        "consumer {} ({}): {} | {}",
        status.consumer_id,
        status.chain_id,
        status_line(&status.nodes),
        relayer_line(status)
    )
}

/// Everything `cargo localnet consumer status` shows.
pub fn consumer_status(status: &ConsumerStatus) -> String {
    let mut text = format!(
        "consumer {} (chain {})\n{}",
        status.consumer_id,
        status.chain_id,
        status_table(&status.nodes)
    );
    let sets_match = match status.sets_match {
        Some(true) => "equal to the provider's",
        Some(false) => "NOT yet the provider's (a change is on its way)",
        None => "not compared",
    };
    text.push_str(&format!(
        "\nvalidator set at consumer height {}: {sets_match}\n",
        opt(status.consumer_set_height)
    ));
    let mut rows = vec![vec![
        "node".to_string(),
        "operator".into(),
        "consumer key".into(),
        "consumer power".into(),
        "provider power".into(),
    ]];
    let power_in = |set: &Option<Vec<SetMember>>, key: &str| {
        set.as_ref().map_or("?".to_string(), |set| {
            set.iter()
                .find(|m| m.pub_key == key)
                .map_or("-".to_string(), |m| m.power.to_string())
        })
    };
    let mut keys: Vec<&SetMember> = status.consumer_set.iter().flatten().collect();
    for member in status.provider_set.iter().flatten() {
        if !keys.iter().any(|k| k.pub_key == member.pub_key) {
            keys.push(member);
        }
    }
    // By node, validators that are not localnet nodes last.
    keys.sort_by_key(|m| (m.node.is_none(), m.node.clone(), m.pub_key.clone()));
    for member in keys {
        rows.push(vec![
            member.node.clone().unwrap_or_else(|| "-".into()),
            member.operator.clone().unwrap_or_else(|| "-".into()),
            member.pub_key.clone(),
            power_in(&status.consumer_set, &member.pub_key),
            power_in(&status.provider_set, &member.pub_key),
        ]);
    }
    text.push_str(&table(&rows));
    text.push_str(&format!(
        "\n{}; log {}\n",
        relayer_line(status),
        status.relayer.log.display()
    ));
    if let Some(report) = &status.relayer.status {
        text.push_str(&format!("relayer status file: {report}\n"));
    }
    text.push_str(&format!(
        "light client of the provider: trusts height {}, expires {}\n",
        opt(status.client_height),
        status.client_expires.as_deref().unwrap_or("?")
    ));
    for error in &status.errors {
        text.push_str(&format!("note: {error}\n"));
    }
    text
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
