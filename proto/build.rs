//! Compiles every .proto under `rampart/` and the vendored `third_party/cosmos/` and
//! `third_party/tendermint/` with protox (pure Rust, no system `protoc`) into ONE descriptor set
//! for gRPC reflection, and generates prost types for the `rampart.*` packages only (no gRPC
//! clients or servers: the node serves raw bytes per method path, clients build requests from
//! these types): Cosmos and CometBFT types come from `cosmos-sdk-proto` and `tendermint-proto`
//! (mapped with `extern_path`), never generated twice. The genesis messages (`JSON_MESSAGES`) also
//! get proto3-JSON serde impls from pbjson-build.

use std::path::{Path, PathBuf};

use prost::Message;

/// Directories whose .proto files are compiled, relative to this crate.
const ROOTS: &[&str] = &["rampart", "third_party/cosmos", "third_party/tendermint"];

/// Include paths, in lookup order: the vendored third-party protos are named (and imported)
/// relative to `third_party/`, Rampart's own relative to this crate.
const INCLUDES: &[&str] = &["third_party", "."];

/// The package prefix Rust code is generated for.
const GENERATED_PACKAGE: &str = "rampart.";

/// The messages that also get proto3-JSON serde impls (pbjson, proto field names, every field
/// written, unknown fields refused): each module's genesis section and the messages inside it.
const JSON_MESSAGES: &[&str] = &[
    ".rampart.base.v1",
    ".rampart.bank.v1",
    ".rampart.distribution.v1",
    ".rampart.staking.v1",
    ".rampart.mint.v1",
    ".rampart.slashing.v1",
    ".rampart.consumer.v1.GenesisState",
    ".rampart.consumer.v1.GenesisParams",
    ".rampart.consumer.v1.GenesisConsumerParams",
    ".rampart.consumer.v1.GenesisPendingInfractionParams",
    ".rampart.consumer.v1.GenesisValidatorUpdate",
    ".rampart.consumer.v1.GenesisConsumerGenesis",
    ".rampart.consumer.v1.GenesisProviderValidator",
    ".rampart.consumer.v1.GenesisConsumerValidator",
    ".rampart.consumer.v1.GenesisPacket",
    ".rampart.consumer.v1.GenesisCommission",
    ".rampart.consumer.v1.GenesisSetHash",
    ".rampart.consumer.v1.GenesisSlashMeter",
    ".rampart.consumer.v1.GenesisConsumer",
    ".rampart.consumer.v1.InfractionParams",
    ".rampart.restaking.v1.GenesisState",
    ".rampart.restaking.v1.GenesisStake",
    ".rampart.restaking.v1.GenesisPledge",
    ".rampart.restaking.v1.GenesisConsumerKey",
    ".rampart.restaking.v1.GenesisJail",
    ".rampart.restaking.v1.GenesisEvidence",
    ".rampart.restaking.v1.GenesisRemoval",
    ".rampart.restaking.v1.GenesisPendingChoice",
    ".rampart.restaking.v1.GenesisMovedStake",
    ".rampart.restaking.v1.DelegationChoice",
    ".rampart.restaking.v1.BackingMode",
    ".rampart.restaking.v1.Params",
    ".rampart.liquid.v1.GenesisState",
    ".rampart.liquid.v1.Params",
    ".rampart.liquid.v1.Batch",
    ".rampart.liquid.v1.BatchEntry",
    ".rampart.liquid.v1.UnbondingRecord",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let mut protos = Vec::new();
    for root in ROOTS {
        println!("cargo:rerun-if-changed={root}");
        collect_protos(Path::new(root), &mut protos)?;
    }
    // Sorted by proto name (the path below its include directory) so the descriptor set is
    // byte-identical on every machine.
    protos.sort_by(|a, b| proto_name(a).cmp(proto_name(b)));
    let fds = protox::compile(&protos, INCLUDES)?;
    std::fs::write(out_dir.join("descriptor.bin"), fds.encode_to_vec())?;

    // Rust is generated for the `rampart.*` files; the files they import (transitively) stay in
    // the set so that prost can see the imported message types (it inspects them, e.g. to decide
    // whether a message can derive `Copy`), but every imported type is an `extern_path` below, so
    // no code is generated for them (and none of them declares a service).
    let mut generated = fds;
    let mut needed: std::collections::BTreeSet<String> = generated
        .file
        .iter()
        .filter(|file| file.package().starts_with(GENERATED_PACKAGE))
        .map(|file| file.name().to_owned())
        .collect();
    loop {
        let before = needed.len();
        let imports: Vec<String> = generated
            .file
            .iter()
            .filter(|file| needed.contains(file.name()))
            .flat_map(|file| file.dependency.iter().cloned())
            .collect();
        needed.extend(imports);
        if needed.len() == before {
            break;
        }
    }
    generated.file.retain(|file| needed.contains(file.name()));
    let json_descriptors = generated.encode_to_vec();
    tonic_build::configure()
        .build_server(false)
        .build_client(false)
        .extern_path(
            ".google.protobuf.Timestamp",
            "::tendermint_proto::google::protobuf::Timestamp",
        )
        .extern_path(
            ".google.protobuf.Any",
            "::tendermint_proto::google::protobuf::Any",
        )
        .type_attribute(".rampart.base.v1", "#[derive(Eq)]")
        .extern_path(".cosmos", "::cosmos_sdk_proto::cosmos")
        .extern_path(".tendermint", "::tendermint_proto")
        .compile_fds(generated)?;
    // `<package>.serde.rs`, included beside `<package>.rs`.
    pbjson_build::Builder::new()
        .register_descriptors(&json_descriptors)?
        .out_dir(&out_dir)
        .preserve_proto_field_names()
        .emit_fields()
        .build(JSON_MESSAGES)?;
    Ok(())
}

/// The name protox gives `path`: relative to the first include directory that holds it.
fn proto_name(path: &Path) -> &Path {
    INCLUDES
        .iter()
        .find_map(|include| path.strip_prefix(include).ok())
        .unwrap_or(path)
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
