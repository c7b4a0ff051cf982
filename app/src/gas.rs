//! Deterministic gas: a [`GasMeter`] with the Cosmos SDK's figures, and [`Metered`], a wrapper
//! around a transaction's state that charges every read, write, delete and iteration step, so
//! a module cannot forget to pay for storage.
//!
//! Store reads cannot fail, so a charge that exceeds the limit marks the meter exhausted, and
//! from then on [`Metered`] stops working for the handler: a read returns nothing without
//! touching the store, a scan yields nothing (one in progress stops at the step that crossed the
//! limit), and writes and deletes are dropped. A handler whose loops an attacker can grow thus
//! costs what its gas says: at most one store access past the limit, however long it runs on.
//!
//! What a handler sees after exhaustion ("nothing there") is not the state, but that is
//! harmless: the app checks [`GasMeter::check`] after the ante handler and after every message,
//! before looking at their results, and then fails the transaction with `sdk/11` (as the SDK's
//! out-of-gas panic does) and discards the writes of that overlay — in DeliverTx, CheckTx and
//! simulation alike ([`crate::exec`]). Simulation's meter has no limit.

use std::cell::Cell;

use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::state::{KeyValue, KvIter, StateRead, StateWrite};

/// SDK `KVGasConfig`: flat cost of a read.
pub const READ_COST_FLAT: u64 = 1000;
/// SDK `KVGasConfig`: cost per byte read (key and value).
pub const READ_COST_PER_BYTE: u64 = 3;
/// SDK `KVGasConfig`: flat cost of a write.
pub const WRITE_COST_FLAT: u64 = 2000;
/// SDK `KVGasConfig`: cost per byte written (key and value).
pub const WRITE_COST_PER_BYTE: u64 = 30;
/// SDK `KVGasConfig`: cost of one iteration step.
pub const ITER_NEXT_COST_FLAT: u64 = 30;
/// SDK `KVGasConfig`: cost of a delete.
pub const DELETE_COST: u64 = 1000;

/// Gas consumed by one transaction, against its limit.
#[derive(Debug)]
pub struct GasMeter {
    limit: u64,
    used: Cell<u64>,
    exhausted_at: Cell<Option<&'static str>>,
}

impl GasMeter {
    /// A meter that runs out after `limit` gas.
    pub fn new(limit: u64) -> Self {
        Self {
            limit,
            used: Cell::new(0),
            exhausted_at: Cell::new(None),
        }
    }

    /// A meter without a limit (simulation).
    pub fn infinite() -> Self {
        Self::new(u64::MAX)
    }

    /// Gas consumed so far (it may exceed the limit by the charge that exhausted it).
    pub fn used(&self) -> u64 {
        self.used.get()
    }

    /// Whether a charge has crossed the limit.
    pub fn is_exhausted(&self) -> bool {
        self.exhausted_at.get().is_some()
    }

    /// Adds `amount`; past the limit the meter is exhausted and stays so, and its reading stays
    /// where the exhausting charge left it (the SDK's `gasUsed` at its out-of-gas panic).
    pub fn charge(&self, amount: u64, location: &'static str) {
        if self.is_exhausted() {
            return;
        }
        let used = self.used.get().saturating_add(amount);
        self.used.set(used);
        if used > self.limit {
            self.exhausted_at.set(Some(location));
        }
    }

    /// [`GasMeter::charge`], then [`GasMeter::check`].
    pub fn consume(&self, amount: u64, location: &'static str) -> AppResult<()> {
        self.charge(amount, location);
        self.check()
    }

    /// `Err(sdk/11)` with the SDK's log once the meter is exhausted.
    pub fn check(&self) -> AppResult<()> {
        match self.exhausted_at.get() {
            None => Ok(()),
            Some(location) => Err(AppError::sdk(
                SdkCode::OutOfGas,
                format!(
                    "out of gas in location: {location}; gasWanted: {}, gasUsed: {}: out of gas",
                    self.limit,
                    self.used.get()
                ),
            )),
        }
    }
}

fn byte_cost(per_byte: u64, bytes: usize) -> u64 {
    per_byte.saturating_mul(u64::try_from(bytes).unwrap_or(u64::MAX))
}

/// Charges through `state` exactly what [`Metered`] charges for reading a `key_len`-byte key that
/// holds a `value_len`-byte value (the flat cost, then — if that did not exhaust the meter — the
/// per-byte cost), for a value read earlier in the same transaction and kept decoded: keeping it
/// changes no gas reading and no out-of-gas location. `Err(sdk/11)` once the meter is exhausted.
pub fn charge_read(state: &dyn StateRead, key_len: usize, value_len: usize) -> AppResult<()> {
    state.charge_gas(READ_COST_FLAT, "ReadFlat")?;
    let bytes = key_len.saturating_add(value_len);
    state.charge_gas(byte_cost(READ_COST_PER_BYTE, bytes), "ReadPerByte")
}

/// State that charges `meter` for every access and, once the meter is exhausted, stops
/// accessing `inner` (see the module documentation).
pub struct Metered<'m, S> {
    inner: S,
    meter: &'m GasMeter,
}

impl<'m, S> Metered<'m, S> {
    /// Wraps `inner`.
    pub fn new(inner: S, meter: &'m GasMeter) -> Self {
        Self { inner, meter }
    }
}

impl<S: StateRead> StateRead for Metered<'_, S> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.meter.charge(READ_COST_FLAT, "ReadFlat");
        if self.meter.is_exhausted() {
            return None;
        }
        let value = self.inner.get(key);
        let bytes = key.len().saturating_add(value.as_ref().map_or(0, Vec::len));
        self.meter
            .charge(byte_cost(READ_COST_PER_BYTE, bytes), "ReadPerByte");
        value
    }

    fn scan_from<'a>(&'a self, prefix: &[u8], start: Option<&[u8]>) -> KvIter<'a> {
        if self.meter.is_exhausted() {
            return Box::new(std::iter::empty());
        }
        let meter = self.meter;
        let mut inner = self.inner.scan_from(prefix, start);
        // Each step is paid for after the store yields it (its size is known only then); the
        // step that crosses the limit is not handed out, and no further step is taken.
        Box::new(std::iter::from_fn(move || {
            if meter.is_exhausted() {
                return None;
            }
            let (key, value): KeyValue = inner.next()?;
            meter.charge(ITER_NEXT_COST_FLAT, "IterNextFlat");
            let bytes = key.len().saturating_add(value.len());
            meter.charge(byte_cost(READ_COST_PER_BYTE, bytes), "ValuePerByte");
            (!meter.is_exhausted()).then_some((key, value))
        }))
    }

    fn charge_gas(&self, amount: u64, location: &'static str) -> AppResult<()> {
        self.meter.consume(amount, location)
    }
}

impl<S: StateWrite> StateWrite for Metered<'_, S> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.meter.charge(WRITE_COST_FLAT, "WriteFlat");
        let bytes = key.len().saturating_add(value.len());
        self.meter
            .charge(byte_cost(WRITE_COST_PER_BYTE, bytes), "WritePerByte");
        if !self.meter.is_exhausted() {
            self.inner.put(key, value);
        }
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.meter.charge(DELETE_COST, "Delete");
        if !self.meter.is_exhausted() {
            self.inner.delete(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::state::{EmptyState, Overlay};
    use rampart_core::Counting;

    /// `count` entries under `p/`, in a store that counts the entries it reads (gets and scan
    /// steps).
    fn counted_entries(count: u32) -> Counting<Overlay<EmptyState>> {
        let mut entries = Overlay::new(EmptyState);
        for i in 0..count {
            entries.put([b"p/".as_slice(), &i.to_be_bytes()].concat(), vec![7; 8]);
        }
        Counting::new(entries)
    }

    /// Issue 13, finding 3: a handler that ignores exhaustion and keeps iterating and reading
    /// (as every handler does, since reads cannot fail) costs what its gas says. Before the fix
    /// the store served all 100,000 entries and 1,000 reads to a message with 10,000 gas.
    #[test]
    fn an_out_of_gas_handler_stops_after_a_bounded_number_of_reads() {
        let store = counted_entries(100_000);
        let meter = GasMeter::new(10_000);
        let mut state = Metered::new(Overlay::new(&store), &meter);
        // Each step costs 30 + 3 × 14 bytes = 72 gas: 138 steps fit, the 139th crosses.
        let seen = state.scan_prefix(b"p/").count();
        assert_eq!(seen, 138, "the crossing step is not handed out");
        for i in 0..1_000u32 {
            assert_eq!(
                state.get(&[b"p/".as_slice(), &i.to_be_bytes()].concat()),
                None
            );
        }
        assert_eq!(state.scan_prefix(b"p/").count(), 0);
        state.put(b"p/new".to_vec(), b"v".to_vec());
        state.delete(b"p/\0\0\0\0".to_vec());
        let bound = usize::try_from(10_000 / ITER_NEXT_COST_FLAT).unwrap_or(usize::MAX) + 1;
        let reads = store.count().reads();
        assert!(reads <= bound, "{reads} store reads for 10,000 gas");
        assert_eq!(reads, 139);
        assert!(
            state.inner.changes().is_empty(),
            "writes past the limit are dropped"
        );
        let err = meter.check().expect_err("out of gas");
        assert!(err.is(SdkCode::OutOfGas));
        // The SDK's reading: the charge that crossed the limit counts, later ones do not.
        assert_eq!(
            err.log,
            "out of gas in location: ValuePerByte; gasWanted: 10000, gasUsed: 10008: out of gas"
        );
    }

    #[test]
    fn accesses_are_charged_with_the_sdk_figures() {
        let meter = GasMeter::new(10_000);
        let mut state = Metered::new(Overlay::new(EmptyState), &meter);
        state.put(b"ab".to_vec(), b"cde".to_vec());
        assert_eq!(meter.used(), 2000 + 30 * 5);
        assert_eq!(state.get(b"ab"), Some(b"cde".to_vec()));
        assert_eq!(meter.used(), 2150 + 1000 + 3 * 5);
        assert_eq!(state.scan_prefix(b"a").count(), 1);
        assert_eq!(meter.used(), 3165 + 30 + 15);
        state.delete(b"ab".to_vec());
        assert_eq!(meter.used(), 3210 + 1000);
        // Work that is not a state access, charged by a message through its state.
        let as_module: &dyn StateWrite = &state;
        as_module
            .charge_gas(590, "signature")
            .expect("within the limit");
        assert_eq!(meter.used(), 4210 + 590);
        assert!(meter.check().is_ok());
    }

    #[test]
    fn exhaustion_names_the_location_and_sticks() {
        let meter = GasMeter::new(1500);
        let state = Metered::new(Overlay::new(EmptyState), &meter);
        let _ = state.get(b"k");
        assert!(meter.check().is_ok(), "1003 gas is within 1500");
        let _ = state.get(b"k");
        // The flat read cost crossed the limit; later charges are not counted.
        let err = meter.check().expect_err("out of gas");
        assert!(err.is(SdkCode::OutOfGas));
        assert_eq!(
            err.log,
            "out of gas in location: ReadFlat; gasWanted: 1500, gasUsed: 2003: out of gas"
        );
    }

    #[test]
    fn work_charged_past_the_limit_is_refused_before_it_is_done() {
        let meter = GasMeter::new(1000);
        let state = Metered::new(Overlay::new(EmptyState), &meter);
        let as_module: &dyn StateWrite = &state;
        as_module
            .charge_gas(600, "signatures")
            .expect("600 gas is within 1000");
        // A module charges 100 signatures before verifying them: the charge itself says no.
        let err = as_module
            .charge_gas(59_000, "signatures")
            .expect_err("the caller must stop before verifying");
        assert!(err.is(SdkCode::OutOfGas));
        assert_eq!(
            err.log,
            "out of gas in location: signatures; gasWanted: 1000, gasUsed: 59600: out of gas"
        );
    }
}
