//! Placeholder; see the localnet helper.
