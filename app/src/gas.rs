//! Deterministic gas: a [`GasMeter`] with the Cosmos SDK's figures, and [`Metered`], a wrapper
//! around a transaction's state that charges every read, write, delete and iteration step, so
//! a module cannot forget to pay for storage.
//!
//! Store reads cannot fail, so a charge that exceeds the limit only marks the meter exhausted;
//! the app checks [`GasMeter::check`] after the ante handler and after every message and then
//! fails the transaction with `sdk/11`, as the SDK's out-of-gas panic does.

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

    /// Adds `amount`; past the limit the meter is exhausted and stays so, and its reading stays
    /// where the exhausting charge left it (the SDK's `gasUsed` at its out-of-gas panic).
    pub fn charge(&self, amount: u64, location: &'static str) {
        if self.exhausted_at.get().is_some() {
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

/// State that charges `meter` for every access.
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
        let value = self.inner.get(key);
        let bytes = key.len().saturating_add(value.as_ref().map_or(0, Vec::len));
        self.meter
            .charge(byte_cost(READ_COST_PER_BYTE, bytes), "ReadPerByte");
        value
    }

    fn scan_from<'a>(&'a self, prefix: &[u8], start: Option<&[u8]>) -> KvIter<'a> {
        let meter = self.meter;
        Box::new(
            self.inner
                .scan_from(prefix, start)
                .inspect(move |(key, value): &KeyValue| {
                    meter.charge(ITER_NEXT_COST_FLAT, "IterNextFlat");
                    let bytes = key.len().saturating_add(value.len());
                    meter.charge(byte_cost(READ_COST_PER_BYTE, bytes), "ValuePerByte");
                }),
        )
    }

    fn charge_gas(&self, amount: u64, location: &'static str) {
        self.meter.charge(amount, location);
    }
}

impl<S: StateWrite> StateWrite for Metered<'_, S> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.meter.charge(WRITE_COST_FLAT, "WriteFlat");
        let bytes = key.len().saturating_add(value.len());
        self.meter
            .charge(byte_cost(WRITE_COST_PER_BYTE, bytes), "WritePerByte");
        self.inner.put(key, value);
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.meter.charge(DELETE_COST, "Delete");
        self.inner.delete(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::state::{EmptyState, Overlay};

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
        as_module.charge_gas(590, "signature");
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
}
