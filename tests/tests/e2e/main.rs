//! The end-to-end tests, one module per capability, built as one test binary.
//!
//! One binary, not one per file: `cargo test` runs test binaries one after another, and these
//! tests spend most of their time waiting for blocks (a 4-validator localnet keeps this 2-core
//! machine ≈ 85 % idle), so in one binary libtest runs two of them at a time, and the binary is
//! built and linked once. Every test has its own temp dir and free ports (`PortPlan::Free`), so
//! they never collide. Run one file's tests with `cargo test --workspace --locked --test e2e
//! <module>::` (e.g. `fault_drills::`); `--workspace` reuses the README command's build, while
//! `-p rampart-tests` alone unifies features differently and rebuilds many dependencies.

mod compat_cosmjs;
mod compat_grpc;
mod consumer_e2e;
mod delegation_choice_e2e;
mod fault_drills;
mod liquid_e2e;
mod localnet_e2e;
mod localnet_join;
mod rest_api;
mod restaking_e2e;
mod slashing_e2e;
mod staking_cli_e2e;
mod staking_e2e;
