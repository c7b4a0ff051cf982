//! Compiles every .proto under `rampart/`, `cosmos/` and `tendermint/` with protox (pure Rust, no
//! system `protoc`) into ONE descriptor set for gRPC reflection, and generates prost types and
//! tonic clients for the `rampart.*` packages only: Cosmos and CometBFT types come from
//! `cosmos-sdk-proto` and `tendermint-proto` (mapped with `extern_path`), never generated twice.

use std::path::{Path, PathBuf};

use prost::Message;

/// Directories whose .proto files are compiled, relative to this crate.
const ROOTS: &[&str] = &["rampart", "cosmos", "tendermint"];

/// The package prefix Rust code is generated for.
const GENERATED_PACKAGE: &str = "rampart.";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let mut protos = Vec::new();
    for root in ROOTS {
        println!("cargo:rerun-if-changed={root}");
        collect_protos(Path::new(root), &mut protos)?;
    }
    // Sorted so the descriptor set is byte-identical on every machine.
    protos.sort();
    let fds = protox::compile(&protos, ["."])?;
    std::fs::write(out_dir.join("descriptor.bin"), fds.encode_to_vec())?;

    let mut generated = fds;
    generated
        .file
        .retain(|file| file.package().starts_with(GENERATED_PACKAGE));
    tonic_build::configure()
        .build_server(false)
        .build_client(true)
        .extern_path(
            ".google.protobuf.Timestamp",
            "::tendermint_proto::google::protobuf::Timestamp",
        )
        .extern_path(
            ".google.protobuf.Any",
            "::tendermint_proto::google::protobuf::Any",
        )
        .extern_path(".cosmos", "::cosmos_sdk_proto::cosmos")
        .extern_path(".tendermint", "::tendermint_proto")
        .compile_fds(generated)?;
    Ok(())
}

/// Appends every `.proto` file under `dir` (recursively) to `out`.
fn collect_protos(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_protos(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "proto") {
            out.push(path);
        }
    }
    Ok(())
}
