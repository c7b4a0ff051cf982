//! Integration tests of `rampart-store` (one test binary; one module per concern).

mod common;

mod crash;
mod initial_height;
mod open_checks;
mod persistence;
mod proofs;
mod pruning;
mod roots;
mod scans;
mod snapshots;

/// The handles can be shared across threads (RPC queries read snapshots concurrently).
#[test]
fn handles_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<rampart_store::Storage>();
    check::<rampart_store::Snapshot>();
    check::<rampart_store::PendingCommit>();
}
