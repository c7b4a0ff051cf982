//! Read-only views of committed state at one height, and the pins that keep that height from
//! being pruned while a view is alive.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use rampart_core::state::{KeyValue, KvIter, StateRead};

use crate::cache::{Held, ValueCache};
use crate::{fatal, history};

/// Heights that live snapshots (or proofs in progress) are reading, with reference counts.
/// Pruning never removes a pinned height; it catches up once the pin is released.
#[derive(Default)]
pub(crate) struct Pins {
    counts: Mutex<BTreeMap<u64, usize>>,
}

impl Pins {
    /// Pins `height` until the returned guard is dropped. The caller must hold the storage state
    /// lock and have checked that `height` is retained, so pruning cannot race past it.
    pub(crate) fn pin(self: &Arc<Self>, height: u64) -> PinGuard {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(height).or_insert(0);
        *count = count.saturating_add(1);
        PinGuard {
            pins: Arc::clone(self),
            height,
        }
    }

    /// The lowest pinned height, if any.
    pub(crate) fn lowest(&self) -> Option<u64> {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.keys().next().copied()
    }
}

/// Releases one pin on drop.
pub(crate) struct PinGuard {
    pins: Arc<Pins>,
    height: u64,
}

impl Drop for PinGuard {
    fn drop(&mut self) {
        let mut counts = self
            .pins
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.height) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.height);
            }
        }
    }
}

/// A committed height's state.
struct View {
    tree: sled::Tree,
    height: u64,
    version: u64,
    _pin: PinGuard,
    /// The store's values of its latest height (used while that is this view's height).
    values: Arc<ValueCache>,
}

/// A read-only view of committed state as of one height (or the empty state before the first
/// commit). Cheap to clone; while any clone is alive its height is not pruned.
///
/// Implements [`StateRead`]. A read that fails on committed data halts the process (see
/// `fatal` in the crate root). A snapshot shares the database handle, so the store's directory
/// stays open (and locked) until every snapshot and [`crate::Storage`] clone is dropped.
#[derive(Clone)]
pub struct Snapshot {
    view: Option<Arc<View>>,
}

impl Snapshot {
    /// The empty state (before the first commit).
    pub(crate) fn empty() -> Self {
        Self { view: None }
    }

    /// A view of `height` (JMT `version`), kept alive by `pin`, reading through `values`
    /// while `version` is the latest.
    pub(crate) fn at(
        tree: sled::Tree,
        height: u64,
        version: u64,
        pin: PinGuard,
        values: Arc<ValueCache>,
    ) -> Self {
        Self {
            view: Some(Arc::new(View {
                tree,
                height,
                version,
                _pin: pin,
                values,
            })),
        }
    }

    /// The height this snapshot reads at; `None` for the empty pre-genesis state.
    pub fn height(&self) -> Option<u64> {
        self.view.as_ref().map(|view| view.height)
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("height", &self.height())
            .finish()
    }
}

impl StateRead for Snapshot {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let view = self.view.as_ref()?;
        if let Some(value) = view.values.get(key, view.version) {
            return value;
        }
        match history::entry_at(&view.tree, key, view.version) {
            Ok(entry) => {
                let held = Held {
                    newest: entry.as_ref().map(|entry| entry.version),
                    value: entry.and_then(|entry| entry.value),
                };
                let value = held.value.clone();
                view.values.fill(key, view.version, held);
                value
            }
            Err(err) => fatal("reading a committed value", err),
        }
    }

    fn scan_from<'a>(&'a self, prefix: &[u8], start: Option<&[u8]>) -> KvIter<'a> {
        match self.view.as_ref() {
            None => Box::new(std::iter::empty()),
            Some(view) => Box::new(ScanIter(history::Scan::new(
                &view.tree,
                prefix,
                start,
                view.version,
            ))),
        }
    }
}

/// Adapts a history scan to an infallible iterator (halting on unreadable committed data).
struct ScanIter<'a>(history::Scan<'a>);

impl Iterator for ScanIter<'_> {
    type Item = KeyValue;

    fn next(&mut self) -> Option<KeyValue> {
        match self.0.try_next() {
            Ok(item) => item,
            Err(err) => fatal("scanning committed state", err),
        }
    }
}
