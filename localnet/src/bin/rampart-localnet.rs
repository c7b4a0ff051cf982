//! `cargo localnet`: run a local multi-validator Rampart network.
//! See `cargo localnet --help`.

fn main() -> std::process::ExitCode {
    rampart_localnet::cli::main()
}
