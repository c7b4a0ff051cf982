//! The one way the CLI prints answers: `--output text|json`, a [`Doc`] tree written as
//! YAML-like text or as JSON, the [`Printer`] that shapes values (decimals, coins, times,
//! enums) for the chosen format, and text [`table`]s.

use std::future::Future;

use base64::Engine as _;
use cosmos_sdk_proto::cosmos::base::v1beta1::{Coin, DecCoin};
use cosmos_sdk_proto::Timestamp;
use rampart_client::coins::format_coins;
use rampart_client::decimal::{self, DecStyle};
use rampart_client::NodeClient;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::Serialize;

use super::args::QueryOptions;

pub use super::args::{Output, OutputArg};

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// The error for an answer that lacks the field holding what was asked for.
pub fn missing(what: &str) -> anyhow::Error {
    anyhow::anyhow!("the node answered without {what}")
}

/// A query answer, printed as YAML-like text or as JSON: an ordered tree of strings, booleans,
/// maps and lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc {
    /// A string (numbers are strings, as in the Cosmos SDK's JSON).
    Str(String),
    /// A boolean.
    Bool(bool),
    /// Fields in order.
    Map(Vec<(&'static str, Doc)>),
    /// Items in order.
    List(Vec<Doc>),
}

impl Serialize for Doc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Doc::Str(s) => serializer.serialize_str(s),
            Doc::Bool(b) => serializer.serialize_bool(*b),
            Doc::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            Doc::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
        }
    }
}

impl Doc {
    /// A string.
    pub fn str(s: impl Into<String>) -> Self {
        Doc::Str(s.into())
    }

    /// The YAML-like text form: `key: value` lines, nested maps indented, list items as `- `.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.write(0, &mut out);
        out
    }

    fn scalar(&self) -> Option<String> {
        match self {
            Doc::Str(s) if s.is_empty() => Some("\"\"".into()),
            Doc::Str(s) => Some(s.clone()),
            Doc::Bool(b) => Some(b.to_string()),
            Doc::Map(m) if m.is_empty() => Some("{}".into()),
            Doc::List(l) if l.is_empty() => Some("[]".into()),
            _ => None,
        }
    }

    fn write(&self, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match self {
            Doc::Map(entries) if !entries.is_empty() => {
                for (key, value) in entries {
                    match (value.scalar(), value) {
                        (Some(s), _) => out.push_str(&format!("{pad}{key}: {s}\n")),
                        (None, Doc::List(_)) => {
                            out.push_str(&format!("{pad}{key}:\n"));
                            value.write(indent, out);
                        }
                        (None, _) => {
                            out.push_str(&format!("{pad}{key}:\n"));
                            value.write(indent + 2, out);
                        }
                    }
                }
            }
            Doc::List(items) if !items.is_empty() => {
                for item in items {
                    match item.scalar() {
                        Some(s) => out.push_str(&format!("{pad}- {s}\n")),
                        None => {
                            let mut inner = String::new();
                            item.write(indent + 2, &mut inner);
                            // The first line's indentation becomes the "- " marker.
                            out.push_str(&pad);
                            out.push_str("- ");
                            out.push_str(inner.get(indent + 2..).unwrap_or_default());
                        }
                    }
                }
            }
            scalar => {
                let s = scalar.scalar().unwrap_or_default();
                out.push_str(&format!("{pad}{s}\n"));
            }
        }
    }
}

/// Asks the node of `options` with `query`, then prints what `doc` makes of the answer: the
/// shape of every query command whose answer is one document. `query` also takes the field it
/// needs out of the response (failing with [`missing`]) before the printer asks for the denom.
pub async fn query_doc<T, Fut>(
    options: &QueryOptions,
    query: impl FnOnce(NodeClient) -> Fut,
    doc: impl FnOnce(&Printer, T) -> Doc,
) -> anyhow::Result<()>
where
    Fut: Future<Output = anyhow::Result<T>>,
{
    let answer = query(options.node.client()?).await?;
    let out = Printer::with_denom(options).await;
    out.print(&doc(&out, answer))
}

/// `params:` and the module parameters `entries` under it: the answer of every `params` query.
pub fn params_doc(entries: Vec<(&'static str, Doc)>) -> Doc {
    Doc::Map(vec![("params", Doc::Map(entries))])
}

/// How query answers are written: `--output`, and the bond denom shown after bare token
/// amounts in text.
#[derive(Debug, Clone)]
pub struct Printer {
    output: Output,
    bond_denom: Option<String>,
}

impl Printer {
    /// A printer for the output format of `options`. For text, the node is asked for the bond
    /// denom (shown after bare token amounts); a node that cannot say leaves them bare.
    pub async fn with_denom(options: &QueryOptions) -> Self {
        let output = options.output.output;
        let bond_denom = match (output, options.node.client()) {
            (Output::Text, Ok(node)) => node
                .staking()
                .params()
                .await
                .ok()
                .and_then(|p| p.params)
                .map(|p| p.bond_denom),
            _ => None,
        };
        Self { output, bond_denom }
    }

    /// A printer that never asks a node (no denom after bare token amounts).
    pub fn plain(output: Output) -> Self {
        Self {
            output,
            bond_denom: None,
        }
    }

    /// Whether this prints JSON (`--output json`).
    pub fn json(&self) -> bool {
        self.output == Output::Json
    }

    /// A `LegacyDec` from its wire form: trimmed in text, 18 places in JSON.
    pub fn dec(&self, wire: &str) -> Doc {
        let style = if self.json() {
            DecStyle::Full
        } else {
            DecStyle::Short
        };
        Doc::Str(decimal::format(wire, style))
    }

    /// A bare amount of the bond denom (`tokens`): `1000uramp` in text when the denom is known.
    pub fn tokens(&self, amount: &str) -> Doc {
        match (&self.bond_denom, self.json()) {
            (Some(denom), false) => Doc::Str(format!("{amount}{denom}")),
            _ => Doc::str(amount),
        }
    }

    /// A coin: `{denom, amount}` in JSON, `100uramp` in text.
    pub fn coin(&self, coin: Option<&Coin>) -> Doc {
        let coin = coin.cloned().unwrap_or_default();
        if self.json() {
            Doc::Map(vec![
                ("denom", Doc::Str(coin.denom)),
                ("amount", Doc::Str(coin.amount)),
            ])
        } else {
            Doc::Str(format!("{}{}", coin.amount, coin.denom))
        }
    }

    /// Coins: a list of `{denom, amount}` in JSON, `5uatom,100uramp` in text.
    pub fn coins(&self, coins: &[Coin]) -> Doc {
        if self.json() {
            Doc::List(coins.iter().map(|c| self.coin(Some(c))).collect())
        } else if coins.is_empty() {
            Doc::str("none")
        } else {
            Doc::Str(format_coins(coins))
        }
    }

    /// Decimal coins (rewards): a list of `{denom, amount}` with 18 places in JSON,
    /// `12.5uramp,0.25uatom` in text.
    pub fn dec_coins(&self, coins: &[DecCoin]) -> Doc {
        if self.json() {
            return Doc::List(
                coins
                    .iter()
                    .map(|c| {
                        Doc::Map(vec![
                            ("denom", Doc::str(&c.denom)),
                            ("amount", self.dec(&c.amount)),
                        ])
                    })
                    .collect(),
            );
        }
        if coins.is_empty() {
            return Doc::str("none");
        }
        let text: Vec<String> = coins
            .iter()
            .map(|c| format!("{}{}", decimal::format(&c.amount, DecStyle::Short), c.denom))
            .collect();
        Doc::Str(text.join(","))
    }

    /// A timestamp as RFC 3339.
    pub fn time(&self, ts: Option<&Timestamp>) -> Doc {
        let ts = ts.cloned().unwrap_or_default();
        let text = u32::try_from(ts.nanos)
            .ok()
            .and_then(|nanos| tendermint::Time::from_unix_timestamp(ts.seconds, nanos).ok())
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| format!("{}s {}ns since 1970", ts.seconds, ts.nanos));
        Doc::Str(text)
    }

    /// A height or count (a string in JSON, as the SDK writes 64-bit integers).
    pub fn int(&self, value: impl ToString) -> Doc {
        Doc::Str(value.to_string())
    }

    /// Prints `doc` as JSON or text.
    pub fn print(&self, doc: &Doc) -> anyhow::Result<()> {
        match self.output {
            Output::Json => print_json(doc),
            Output::Text => {
                print!("{}", doc.text());
                Ok(())
            }
        }
    }

    /// A timestamp, or nothing when absent (pushed only when present).
    pub fn opt_time(
        &self,
        entries: &mut Vec<(&'static str, Doc)>,
        key: &'static str,
        ts: Option<&Timestamp>,
    ) {
        if let Some(ts) = ts {
            entries.push((key, self.time(Some(ts))));
        }
    }

    /// A protobuf enum: its name in JSON, `word` in text.
    pub fn enum_value(&self, proto_name: &str, word: &str) -> Doc {
        if self.json() {
            Doc::str(proto_name)
        } else {
            Doc::str(word)
        }
    }

    /// A pledge in basis points: a string in JSON, `25% (2500 bps)` in text.
    pub fn bps(&self, bps: u32) -> Doc {
        if self.json() {
            self.int(bps)
        } else {
            Doc::Str(format!("{} ({bps} bps)", percent(bps)))
        }
    }
}

/// The text of a string [`Doc`] (a table cell); empty for anything else.
pub fn cell(doc: Doc) -> String {
    match doc {
        Doc::Str(s) => s,
        _ => String::new(),
    }
}

/// RFC 3339 text of a protobuf timestamp.
pub fn timestamp_text(ts: &Timestamp) -> String {
    match Printer::plain(Output::Text).time(Some(ts)) {
        Doc::Str(s) => s,
        _ => format!("{}s", ts.seconds),
    }
}

/// A key as base64.
pub fn base64_key(key: &[u8]) -> Doc {
    Doc::Str(base64::engine::general_purpose::STANDARD.encode(key))
}

/// A consumer chain's validator as the provider dictates it (a packet's update, a consumer's
/// set): its ed25519 `key`, the consensus address derived from it, its `power` and its provider
/// operator.
pub fn consumer_validator(out: &Printer, key: &[u8], power: u64, provider_operator: &str) -> Doc {
    Doc::Map(vec![
        ("consumer_pubkey", base64_key(key)),
        (
            "consumer_address",
            Doc::Str(rampart_client::address::consensus_address_of_key(key)),
        ),
        ("power", out.int(power)),
        ("provider_operator", Doc::str(provider_operator)),
    ])
}

/// Basis points as a percentage: `25%`, `12.5%`, `0.01%`.
pub fn percent(bps: u32) -> String {
    let whole = bps / 100;
    let frac = bps % 100;
    if frac == 0 {
        format!("{whole}%")
    } else {
        let text = format!("{whole}.{frac:02}");
        format!("{}%", text.trim_end_matches('0'))
    }
}

/// Left-aligned columns separated by two spaces, the first row a header.
pub fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_addresses_print() {
        assert_eq!(percent(2_500), "25%");
        assert_eq!(percent(1_250), "12.5%");
        assert_eq!(percent(1), "0.01%");
        assert!(rampart_client::address::consensus_address(&[1; 20]).starts_with("rampartvalcons1"));
        assert_eq!(
            table(&[
                vec!["a".into(), "bb".into()],
                vec!["ccc".into(), "d".into()]
            ]),
            "a    bb\nccc  d\n"
        );
    }
}
