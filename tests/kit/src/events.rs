//! Reading what FinalizeBlock hands back: events by kind, attribute values, transaction results.

use tendermint::abci::response::FinalizeBlock;
use tendermint::abci::types::ExecTxResult;
use tendermint::abci::Event;

/// `(type, key, value)` of every event attribute.
pub fn attributes(events: &[Event]) -> Vec<(String, String, String)> {
    events
        .iter()
        .flat_map(|e| {
            e.attributes.iter().map(move |a| {
                (
                    e.kind.clone(),
                    a.key_str().unwrap_or_default().to_owned(),
                    a.value_str().unwrap_or_default().to_owned(),
                )
            })
        })
        .collect()
}

/// The block events (begin and end block) of `kind`.
pub fn events_of<'a>(response: &'a FinalizeBlock, kind: &str) -> Vec<&'a Event> {
    response.events.iter().filter(|e| e.kind == kind).collect()
}

/// The value of attribute `key` of `event` (empty when absent).
pub fn attr<'a>(event: &'a Event, key: &str) -> &'a str {
    event
        .attributes
        .iter()
        .find(|a| a.key_bytes() == key.as_bytes())
        .and_then(|a| a.value_str().ok())
        .unwrap_or_default()
}

/// The value of attribute `key` of the first event of `kind` a transaction emitted.
pub fn tx_attr(result: &ExecTxResult, kind: &str, key: &str) -> Option<String> {
    attributes(&result.events)
        .into_iter()
        .find(|(k, a, _)| k == kind && a == key)
        .map(|(_, _, v)| v)
}

/// The leading integer of a coin string such as `123uramp` (0 when there is none).
pub fn leading_amount(text: &str) -> u128 {
    text.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

/// Asserts that a transaction succeeded, showing its codespace and log when it did not.
pub fn assert_ok(result: &ExecTxResult) {
    assert_eq!(
        result.code.value(),
        0,
        "{}: {}",
        result.codespace,
        result.log
    );
}

/// The `(codespace, code)` of a transaction result.
pub fn code(result: &ExecTxResult) -> (String, u32) {
    (result.codespace.clone(), result.code.value())
}
