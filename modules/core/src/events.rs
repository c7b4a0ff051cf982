//! Events emitted by the state machine. Every attribute is indexed by CometBFT, so that
//! `tx_search` can find transactions by any attribute; keys are never empty.

/// One ABCI event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The event type, e.g. `transfer`.
    pub kind: String,
    /// `(key, value)` attributes, all indexed.
    pub attributes: Vec<(String, String)>,
}

impl Event {
    /// An event with no attributes yet.
    pub fn new(kind: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            attributes: Vec::new(),
        }
    }

    /// Adds an attribute. An empty key would break CometBFT indexing, so it is replaced by `_`.
    pub fn attr(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let mut key = key.into();
        if key.is_empty() {
            key.push('_');
        }
        self.attributes.push((key, value.into()));
        self
    }
}

/// Events collected while executing one step (a transaction, a begin or end block).
pub type Events = Vec<Event>;
