//! Compiles Rampart's .proto files with protox (pure Rust, no system `protoc`), generates prost
//! types and tonic clients, and writes the encoded descriptor set used by gRPC reflection.

use std::path::PathBuf;

use prost::Message;

/// Every Rampart proto file, relative to this crate.
const PROTOS: &[&str] = &["rampart/chain/v1/chain.proto"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let fds = protox::compile(PROTOS, ["."])?;
    std::fs::write(out_dir.join("descriptor.bin"), fds.encode_to_vec())?;
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
        .compile_fds(fds)?;
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    Ok(())
}
