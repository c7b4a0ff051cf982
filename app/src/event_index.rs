//! Which event attributes CometBFT's tx indexer indexes: the Cosmos SDK's `index-events`.
//!
//! Every event reaches CometBFT in full (`block_results`, `GetTx` show all of them); the `index`
//! flag of each attribute only decides whether `tx_search` can find a transaction by it. An
//! indexed attribute costs the node a write per transaction in CometBFT's indexer, so a busy
//! node lists only what its users search for (wallets: `message.sender`, `transfer.recipient`).
//! The flag is node-local: CometBFT's results hash covers code, data and gas, not events.

use std::collections::BTreeSet;

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::Event;
use tendermint::abci;

/// The `type.key` attributes to index; empty indexes every attribute (the SDK's default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventIndex {
    only: BTreeSet<String>,
}

impl EventIndex {
    /// Indexes only the listed `type.key` attributes (e.g. `message.sender`); an empty list
    /// indexes all. An entry without a type, a key or the dot between them is refused.
    pub fn only<S: AsRef<str>>(entries: impl IntoIterator<Item = S>) -> AppResult<Self> {
        let only = entries
            .into_iter()
            .map(|entry| {
                let entry = entry.as_ref().trim();
                match entry.split_once('.') {
                    Some((kind, key)) if !kind.is_empty() && !key.is_empty() => {
                        Ok(entry.to_owned())
                    }
                    _ => Err(AppError::sdk(
                        SdkCode::InvalidRequest,
                        format!("invalid event to index {entry:?}: expected type.key, e.g. message.sender"),
                    )),
                }
            })
            .collect::<AppResult<_>>()?;
        Ok(Self { only })
    }

    /// True when every attribute is indexed.
    pub fn is_all(&self) -> bool {
        self.only.is_empty()
    }

    /// The events as ABCI events, each attribute flagged for indexing by this list.
    pub fn mark(&self, events: Vec<Event>) -> Vec<abci::Event> {
        // One buffer for every `type.key` looked up.
        let mut name = String::new();
        events
            .into_iter()
            .map(|event| {
                let attributes = event
                    .attributes
                    .into_iter()
                    .map(|(key, value)| {
                        let index = self.is_all() || {
                            name.clear();
                            name.push_str(&event.kind);
                            name.push('.');
                            name.push_str(&key);
                            self.only.contains(&name)
                        };
                        (key, value, index)
                    })
                    .collect::<Vec<_>>();
                abci::Event::new(event.kind, attributes)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer_events() -> Vec<Event> {
        vec![
            Event::new("message")
                .attr("action", "/cosmos.bank.v1beta1.MsgSend")
                .attr("sender", "rampart1a"),
            Event::new("transfer")
                .attr("recipient", "rampart1b")
                .attr("sender", "rampart1a")
                .attr("amount", "5uramp"),
        ]
    }

    /// `(type.key, indexed)` of every attribute, in order.
    fn flags(events: &[abci::Event]) -> Vec<(String, bool)> {
        events
            .iter()
            .flat_map(|event| {
                event.attributes.iter().map(move |attr| {
                    let key = attr.key_str().unwrap_or_default();
                    (format!("{}.{key}", event.kind), attr.index())
                })
            })
            .collect()
    }

    #[test]
    fn an_empty_list_indexes_every_attribute() {
        let index = EventIndex::only(Vec::<String>::new()).expect("empty list");
        assert!(index.is_all());
        assert_eq!(index, EventIndex::default());
        let marked = index.mark(transfer_events());
        assert!(flags(&marked).iter().all(|(_, indexed)| *indexed));
    }

    #[test]
    fn a_list_indexes_exactly_its_attributes_and_keeps_the_others() {
        let index = EventIndex::only(["message.sender", " transfer.recipient "]).expect("list");
        let marked = index.mark(transfer_events());
        assert_eq!(
            flags(&marked),
            [
                ("message.action", false),
                ("message.sender", true),
                ("transfer.recipient", true),
                ("transfer.sender", false),
                ("transfer.amount", false),
            ]
            .map(|(name, indexed)| (name.to_owned(), indexed))
        );
        let values: Vec<_> = marked[1]
            .attributes
            .iter()
            .map(|attr| attr.value_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(values, ["rampart1b", "rampart1a", "5uramp"]);
    }

    #[test]
    fn entries_without_type_key_or_dot_are_refused_by_name() {
        for bad in ["message", ".sender", "message.", "", "  "] {
            let err = EventIndex::only([bad]).expect_err(bad);
            assert!(err.log.contains("type.key"), "{bad:?}: {}", err.log);
        }
    }
}
