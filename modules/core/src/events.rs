//! Events emitted by the state machine; keys are never empty. Which attributes CometBFT indexes
//! for `tx_search` is the node's choice (app.toml `[events] index`; all by default).

/// One ABCI event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The event type, e.g. `transfer`.
    pub kind: String,
    /// `(key, value)` attributes.
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
